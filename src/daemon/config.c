/* SPDX-License-Identifier: MIT */
/* config.c: the INI configuration file (inih), reported as "FILE:LINE: key: what is wrong". */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/*
 * inih reports only the line of the first error, and Debian's build does not
 * pass line numbers to the handler; so the file is fed through our own line
 * reader, which counts lines (the handler runs right after its line was
 * read) and stops the parse at the first error.
 *
 * The reader also gives the file the layout a user expects rather than
 * inih's: leading blanks are dropped (inih would make an indented line a
 * continuation of the previous value), and a '#' after a blank starts a
 * comment as ';' does (inih strips only ';' inline).  The handler refuses a
 * key set twice in a section, naming the line that set it first: a silent
 * "last one wins" hides typos in long files.
 */

#define CONFIG_MAX_KEYS 256
#define CONFIG_KEY_MAX 128

struct config_ctx {
	struct daemon_opts *o;
	FILE *f;
	const char *path;
	int line;
	bool failed;
	char *err;
	size_t errlen;
	struct {
		char key[CONFIG_KEY_MAX];  /* "section]name" */
		int line;
	} seen[CONFIG_MAX_KEYS];   /* the keys set so far, for duplicates */
	size_t n_seen;
};

static bool config_section_known(const char *section)
{
	for (size_t i = 0; i < OPT__COUNT; i++)
		if (opts_settings[i].section && strcmp(section, opts_settings[i].section) == 0)
			return true;
	return false;
}

/* The setting of [@section] @name, or NULL. */
static const struct opts_setting *config_lookup(const char *section, const char *name)
{
	for (size_t i = 0; i < OPT__COUNT; i++) {
		const struct opts_setting *s = &opts_settings[i];

		if (s->section && strcmp(section, s->section) == 0 &&
		    (strcmp(s->name, "*") == 0 || strcmp(name, s->name) == 0))
			return s;
	}
	return NULL;
}

static int config_fail(struct config_ctx *c, const char *name, const char *msg)
{
	snprintf(c->err, c->errlen, "%s:%d: %s: %s", c->path, c->line, name, msg);
	c->failed = true;
	return 0;
}

/* A key set before in this section is refused; else it is remembered. */
static int config_check_twice(struct config_ctx *c, const char *section, const char *name)
{
	char key[CONFIG_KEY_MAX], msg[256];

	snprintf(key, sizeof(key), "%s]%s", section, name);
	for (size_t i = 0; i < c->n_seen; i++) {
		if (strcmp(c->seen[i].key, key) == 0) {
			snprintf(msg, sizeof(msg), "set twice in [%s] (first on line %d)", section,
				 c->seen[i].line);
			config_fail(c, name, msg);
			return -1;
		}
	}
	if (c->n_seen == CONFIG_MAX_KEYS) {
		config_fail(c, name, "too many keys in one file");
		return -1;
	}
	snprintf(c->seen[c->n_seen].key, sizeof(c->seen[0].key), "%s", key);
	c->seen[c->n_seen++].line = c->line;
	return 0;
}

static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_ctx *c = user;
	const struct opts_setting *s;
	char msg[256];

	if (section[0] == '\0')
		return config_fail(c, name, "setting outside any section");
	if (!config_section_known(section)) {
		snprintf(msg, sizeof(msg), "unknown section [%s]", section);
		return config_fail(c, name, msg);
	}
	s = config_lookup(section, name);
	if (!s) {
		snprintf(msg, sizeof(msg), "unknown key in [%s]", section);
		return config_fail(c, name, msg);
	}
	if (config_check_twice(c, section, name))
		return 0;
	if (opts_apply(c->o, s->key, value, msg, sizeof(msg)))
		return config_fail(c, name, msg);
	return 1;
}

/* Drop @line's leading blanks and a '#' comment that follows a blank. */
static void config_tidy(char *line)
{
	size_t lead = 0;

	while (line[lead] == ' ' || line[lead] == '\t')
		lead++;
	memmove(line, line + lead, strlen(line + lead) + 1);
	for (char *p = line + 1; *p; p++) {
		if (*p == '#' && isblank((unsigned char)p[-1])) {
			p[0] = '\n';
			p[1] = '\0';
			return;
		}
	}
}

static char *config_reader(char *str, int num, void *stream)
{
	struct config_ctx *c = stream;

	if (c->failed)
		return NULL;
	if (!fgets(str, num, c->f))
		return NULL;
	c->line++;
	/* inih would treat the rest of an over-long line as a line of its own. */
	if (strlen(str) == (size_t)num - 1 && str[num - 2] != '\n' && !feof(c->f)) {
		snprintf(c->err, c->errlen, "%s:%d: line is longer than %d bytes", c->path, c->line,
			 num - 2);
		c->failed = true;
		return NULL;
	}
	config_tidy(str);
	return str;
}

int opts_load_file(struct daemon_opts *o, const char *path, char *err, size_t errlen)
{
	struct config_ctx c = { .o = o, .path = path, .err = err, .errlen = errlen };
	struct stat st;
	int rc;

	c.f = fopen(path, "r");
	if (!c.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(c.f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a configuration file", path);
		fclose(c.f);
		return -1;
	}
	o->applying_cli = false;
	rc = ini_parse_stream(config_reader, &c, config_handler, &c);
	fclose(c.f);
	if (c.failed)
		return -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)",
			 path, rc);
		return -1;
	}
	return 0;
}
