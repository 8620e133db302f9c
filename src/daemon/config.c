/* SPDX-License-Identifier: MIT */
/* config.c: the INI configuration file (inih), reported as "FILE:LINE: key: what is wrong". */
#include "options.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

/*
 * inih reports only the line of the first error, and Debian's build does not
 * pass line numbers to the handler; so the file is fed through our own line
 * reader, which counts lines (the handler runs right after its line was
 * read) and stops the parse at the first error.
 */

struct config_key {
	const char *section;
	const char *name;
	enum opt_key key;
};

static const struct config_key config_keys[] = {
	{ "network", "mode", OPT_MODE },
	{ "network", "nat_subnet", OPT_NAT_SUBNET },
	{ "network", "interface", OPT_INTERFACE },
	{ "network", "nfs_bridge_ip", OPT_BRIDGE_IP },
	{ "network", "mtu", OPT_MTU },
	{ "nfs", "export", OPT_EXPORT },
	{ "nfs", "version", OPT_NFS_VERSION },
	{ "nfs", "read_only", OPT_READ_ONLY },
	{ "nfs", "attr_model", OPT_ATTR_MODEL },
	{ "nfs", "uid", OPT_UID },
	{ "nfs", "gid", OPT_GID },
	{ "frontend", "qemu_stream", OPT_QEMU_STREAM },
	{ "frontend", "qemu_stream_connect", OPT_QEMU_STREAM_CONNECT },
	{ "frontend", "qemu_dgram", OPT_QEMU_DGRAM },
	{ "frontend", "tap", OPT_TAP },
	{ "frontend", "tap_netns", OPT_TAP_NETNS },
	{ "log", "level", OPT_LOG_LEVEL },
	{ "log", "capture_file", OPT_CAPTURE_FILE },
	{ "control", "socket", OPT_CONTROL },
};

static const char *const config_sections[] = { "network", "nfs", "forward", "frontend", "log",
					       "control", NULL };

struct config_ctx {
	struct daemon_opts *o;
	FILE *f;
	const char *path;
	int line;
	bool failed;
	char *err;
	size_t errlen;
};

static bool config_section_known(const char *section)
{
	for (int i = 0; config_sections[i]; i++)
		if (strcmp(section, config_sections[i]) == 0)
			return true;
	return false;
}

static int config_fail(struct config_ctx *c, const char *name, const char *msg)
{
	snprintf(c->err, c->errlen, "%s:%d: %s: %s", c->path, c->line, name, msg);
	c->failed = true;
	return 0;
}

static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_ctx *c = user;
	char msg[256];
	int key = -1;

	if (section[0] == '\0')
		return config_fail(c, name, "setting outside any section");
	if (!config_section_known(section)) {
		snprintf(msg, sizeof(msg), "unknown section [%s]", section);
		return config_fail(c, name, msg);
	}
	if (strcmp(section, "forward") == 0) {
		key = OPT_FORWARD;
	} else {
		for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
			if (strcmp(section, config_keys[i].section) == 0 &&
			    strcmp(name, config_keys[i].name) == 0)
				key = (int)config_keys[i].key;
	}
	if (key < 0) {
		snprintf(msg, sizeof(msg), "unknown key in [%s]", section);
		return config_fail(c, name, msg);
	}
	if (opts_apply(c->o, (enum opt_key)key, value, msg, sizeof(msg)))
		return config_fail(c, name, msg);
	return 1;
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
	return str;
}

int opts_load_file(struct daemon_opts *o, const char *path, char *err, size_t errlen)
{
	struct config_ctx c = { .o = o, .path = path, .err = err, .errlen = errlen };
	int rc;

	c.f = fopen(path, "r");
	if (!c.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
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
