/* SPDX-License-Identifier: MIT */
/* test_opts_docs.c: the settings table (options.h) against docs/CONFIG.md and the build's man/indynetd.8. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/options.h"

/*
 * Each check prints what it expected, so a failure says which line of which
 * document to add or fix.  The documents are given as arguments:
 * test_daemon_opts_docs docs/CONFIG.md BUILD/man/indynetd.8 (the page this
 * build installs: without packet capture it has no bridge settings, and
 * test_man_not_built checks that).
 */

static const char *config_md_path, *man_path;
static char *config_md, *man;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* A copy of @text from @from up to (not including) @to, or to the end. */
static char *excerpt(const char *text, const char *from, const char *to)
{
	const char *start = strstr(text, from), *end;

	assert_non_null(start);
	end = strstr(start + strlen(from), to);
	if (!end)
		end = start + strlen(start);
	return strndup(start, (size_t)(end - start));
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* @word in @text, not part of a longer name (man: "\-" continues one, Markdown: "-"). */
static bool has_word(const char *text, const char *word, bool troff)
{
	size_t len = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		const char *after = p + len;

		if (p > text && name_char(p[-1]))
			continue;
		if (name_char(*after) || (troff && strncmp(after, "\\-", 2) == 0) ||
		    (!troff && *after == '-'))
			continue;
		return true;
	}
	return false;
}

/* "--qemu-stream" as troff writes it: "\-\-qemu\-stream". */
static void troff_flag(const char *flag, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "\\-\\-");

	for (; *flag && n + 3 < len; flag++) {
		if (*flag == '-')
			out[n++] = '\\';
		out[n++] = *flag;
	}
	out[n] = '\0';
}

static void expect_in(const char *text, const char *word, bool troff, const char *where)
{
	if (!has_word(text, word, troff))
		fail_msg("%s does not mention %s", where, word);
}

static void test_table_sane(void **state)
{
	struct daemon_opts o;

	(void)state;
	for (size_t i = 0; i < OPT__COUNT; i++) {
		const struct opts_setting *s = &opts_settings[i];

		assert_int_equal(s->key, i);
		assert_true(s->flag || s->section);
		assert_true(!s->section == !s->name);
		assert_true(s->help && s->help[0]);
		assert_true(s->type != OPTS_T_ACTION || (s->flag && !s->section && !s->def));
		for (size_t j = 0; j < i; j++) {
			const struct opts_setting *t = &opts_settings[j];

			assert_false(s->flag && t->flag && strcmp(s->flag, t->flag) == 0);
			assert_false(s->section && t->section && strcmp(s->section, t->section) == 0 &&
				     strcmp(s->name, t->name) == 0);
		}
	}
	opts_init(&o); /* every default passes its own setter (else it aborts) */
	opts_free(&o);
}

/* The head lines of the .TP items of OPTIONS, one per line. */
static char *man_option_heads(void)
{
	char *options = excerpt(man, ".SH OPTIONS", "\n.SH ");
	char *heads = calloc(1, strlen(options) + 1);

	assert_non_null(heads);
	for (char *tp = strstr(options, ".TP\n"); tp; tp = strstr(tp + 1, ".TP\n")) {
		strncat(heads, tp + 4, strcspn(tp + 4, "\n"));
		strcat(heads, "\n");
	}
	free(options);
	return heads;
}

static void test_man_synopsis_and_options(void **state)
{
	char *synopsis = excerpt(man, ".SH SYNOPSIS", ".SH "), *options = man_option_heads();
	char flag[96], where[128];

	(void)state;
	for (size_t i = 0; i < OPT__COUNT; i++) {
		if (!opts_settings[i].flag || !opts_in_build(opts_settings[i].key))
			continue;
		troff_flag(opts_settings[i].flag, flag, sizeof(flag));
		snprintf(where, sizeof(where), "%s (SYNOPSIS)", man_path);
		expect_in(synopsis, flag, true, where);
		snprintf(where, sizeof(where), "%s (OPTIONS, a .TP item)", man_path);
		expect_in(options, flag, true, where);
	}
	free(synopsis);
	free(options);
}

/* Every "\-\-name" in a .TP item's head line of OPTIONS is a flag of the table, in this build. */
static void test_man_no_stale_flag(void **state)
{
	char *options = man_option_heads();

	(void)state;
	for (char *head = options; *head; head = strchr(head, '\n') + 1) {
		char *eol = strchrnul(head, '\n');

		for (char *p = strstr(head, "\\-\\-"); p && p < eol; p = strstr(p + 4, "\\-\\-")) {
			char name[64];
			size_t n = 0;
			bool known = false;

			for (const char *q = p + 4; n + 1 < sizeof(name) && q < eol;) {
				if (strncmp(q, "\\-", 2) == 0 && name_char(q[2])) {
					name[n++] = '-';
					q += 2;
				} else if (name_char(*q)) {
					name[n++] = *q++;
				} else {
					break;
				}
			}
			name[n] = '\0';
			for (size_t i = 0; i < OPT__COUNT; i++)
				known |= opts_settings[i].flag && strcmp(opts_settings[i].flag, name) == 0 &&
					 opts_in_build(opts_settings[i].key);
			if (!known)
				fail_msg("%s documents --%s, which is not in OPTS_SETTINGS of this build", man_path,
					 name);
		}
	}
	free(options);
}

/* Each INI key is named in the paragraph of its ".B [section]" under CONFIGURATION FILE. */
static void test_man_config_file(void **state)
{
	char *file = excerpt(man, ".SH CONFIGURATION FILE", "\n.SH ");

	(void)state;
	for (size_t i = 0; i < OPT__COUNT; i++) {
		const struct opts_setting *s = &opts_settings[i];
		char head[64], *para;

		if (!s->section || !opts_in_build(s->key))
			continue;
		snprintf(head, sizeof(head), ".B [%s]\n", s->section);
		if (!strstr(file, head))
			fail_msg("%s (CONFIGURATION FILE) has no item %.*s", man_path,
				 (int)strlen(head) - 1, head);
		para = excerpt(file, head, "\n.TP");
		if (strcmp(s->name, "*") != 0 && !has_word(para, s->name, true))
			fail_msg("%s (CONFIGURATION FILE, [%s]) does not name %s", man_path, s->section,
				 s->name);
		free(para);
	}
	free(file);
}

/* @section's settings are all left out of this build */
static bool section_not_built(const char *section)
{
	for (size_t i = 0; i < OPT__COUNT; i++)
		if (opts_settings[i].section && strcmp(opts_settings[i].section, section) == 0 &&
		    opts_in_build(opts_settings[i].key))
			return false;
	return true;
}

/* A setting this build leaves out (no packet capture: bridge mode's) is nowhere in its man page, nor its section. */
static void test_man_not_built(void **state)
{
	char word[96], *file = excerpt(man, ".SH CONFIGURATION FILE", "\n.SH ");

	(void)state;
	for (size_t i = 0; i < OPT__COUNT; i++) {
		const struct opts_setting *s = &opts_settings[i];

		if (opts_in_build(s->key))
			continue;
		troff_flag(s->flag ? s->flag : "", word, sizeof(word));
		if (s->flag && has_word(man, word, true))
			fail_msg("%s names --%s, which this build does not have", man_path, s->flag);
		snprintf(word, sizeof(word), ".B [%s]\n", s->section ? s->section : "");
		if (s->section && section_not_built(s->section) && strstr(file, word))
			fail_msg("%s (CONFIGURATION FILE) describes [%s], which this build does not have", man_path,
				 s->section);
	}
	free(file);
}

static void test_config_md_synopsis(void **state)
{
	char *synopsis = excerpt(config_md, "```\nindynetd", "```");
	char flag[96], where[128];

	(void)state;
	snprintf(where, sizeof(where), "%s (synopsis)", config_md_path);
	for (size_t i = 0; i < OPT__COUNT; i++) {
		if (!opts_settings[i].flag)
			continue;
		snprintf(flag, sizeof(flag), "--%s", opts_settings[i].flag);
		expect_in(synopsis, flag, false, where);
	}
	free(synopsis);
}

/* The row of @s: "| `--flag` | `[section] name` | " ... " | `default` |". */
static void config_md_row(const struct opts_setting *s, char *head, size_t hlen, char *tail,
			  size_t tlen)
{
	char flag[64] = "—", key[96] = "—";

	if (s->flag)
		snprintf(flag, sizeof(flag), "`--%s`", s->flag);
	if (s->section)
		snprintf(key, sizeof(key), "`[%s] %s`", s->section,
			 strcmp(s->name, "*") == 0 ? "NAME" : s->name);
	snprintf(head, hlen, "| %s | %s | ", flag, key);
	if (s->def)
		snprintf(tail, tlen, " | `%s` |", s->def);
	else
		snprintf(tail, tlen, " | — |");
}

static bool config_md_has_row(const char *table, const char *head, const char *tail)
{
	for (const char *line = table; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t len = strcspn(line, "\n"), tl = strlen(tail);

		if (strncmp(line, head, strlen(head)) == 0 && len >= tl &&
		    strncmp(line + len - tl, tail, tl) == 0)
			return true;
	}
	return false;
}

static void test_config_md_table(void **state)
{
	char *table = excerpt(config_md, "## Settings\n", "\n## ");
	size_t rows = 0, settings = 0;

	(void)state;
	for (size_t i = 0; i < OPT__COUNT; i++) {
		char head[192], tail[96];

		if (opts_settings[i].type == OPTS_T_ACTION)
			continue;
		settings++;
		config_md_row(&opts_settings[i], head, sizeof(head), tail, sizeof(tail));
		if (!config_md_has_row(table, head, tail))
			fail_msg("%s (## Settings) lacks the row \"%sVALUES%s\"", config_md_path, head,
				 tail);
	}
	for (const char *p = strstr(table, "\n| "); p; p = strstr(p + 1, "\n| "))
		rows++;
	/* the header row is one of them */
	if (rows - 1 != settings)
		fail_msg("%s (## Settings) has %zu rows for %zu settings", config_md_path, rows - 1,
			 settings);
	free(table);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sane),
		cmocka_unit_test(test_man_synopsis_and_options),
		cmocka_unit_test(test_man_no_stale_flag),
		cmocka_unit_test(test_man_config_file),
		cmocka_unit_test(test_man_not_built),
		cmocka_unit_test(test_config_md_synopsis),
		cmocka_unit_test(test_config_md_table),
	};
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CONFIG.md indynetd.8\n", argv[0]);
		return 2;
	}
	config_md_path = argv[1];
	man_path = argv[2];
	config_md = slurp(config_md_path);
	man = slurp(man_path);
	if (!config_md || !man)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(config_md);
	free(man);
	return rc;
}
