/* SPDX-License-Identifier: MIT */
/* cli.c: indynetd's command line (getopt_long), applied over the configuration file. */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define CLI_KEY_BASE 0x200 /* getopt_long's value for a flag: CLI_KEY_BASE + enum opt_key */

/* '+': stop at the first non-option (the --ctl command); ':': report a missing value. */
static const char cli_short[] = "+:hV";

/* getopt_long's table, built from opts_settings[] once. */
static const struct option *cli_options(void)
{
	static struct option opts[OPT__COUNT + 1];
	size_t n = 0;

	if (opts[0].name)
		return opts;
	for (size_t i = 0; i < OPT__COUNT; i++) {
		const struct opts_setting *s = &opts_settings[i];

		if (s->flag)
			opts[n++] = (struct option){ s->flag, s->metavar ? required_argument : no_argument,
						     NULL, CLI_KEY_BASE + (int)s->key };
	}
	return opts;
}

/* cli_next()'s answers besides an enum opt_key. */
#define CLI_END (-1)
#define CLI_UNKNOWN (-2) /* getopt's '?' */
#define CLI_NO_VALUE (-3) /* getopt's ':' */

/* The next option as an enum opt_key, or CLI_END, CLI_UNKNOWN, CLI_NO_VALUE. */
static int cli_next(int argc, char **argv)
{
	int c = getopt_long(argc, argv, cli_short, cli_options(), NULL);

	switch (c) {
	case -1:
		return CLI_END;
	case 'h':
		return OPT_HELP;
	case 'V':
		return OPT_VERSION;
	case ':':
		return CLI_NO_VALUE;
	default:
		return c >= CLI_KEY_BASE ? c - CLI_KEY_BASE : CLI_UNKNOWN;
	}
}

/* Turn CLI_UNKNOWN or CLI_NO_VALUE into a message naming the argument. */
static void cli_getopt_error(int c, char **argv, char *err, size_t errlen)
{
	const char *arg = argv[optind - 1];
	bool is_long = strncmp(arg, "--", 2) == 0;

	if (c == CLI_NO_VALUE && is_long)
		snprintf(err, errlen, "option '%s' needs a value", arg);
	else if (c == CLI_NO_VALUE)
		snprintf(err, errlen, "option '-%c' needs a value", optopt);
	else if (is_long)
		snprintf(err, errlen, "unknown option '%s'", arg);
	else
		snprintf(err, errlen, "unknown option '-%c'", optopt);
}

static int cli_join_command(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	size_t len = 1;
	char *cmd;

	if (optind >= argc) {
		snprintf(err, errlen, "--ctl needs a command (e.g. 'forward list')");
		return -1;
	}
	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = calloc(1, len);
	if (!cmd) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(cmd, " ");
		strcat(cmd, argv[i]);
	}
	free(o->ctl_command);
	o->ctl_command = cmd;
	return 0;
}

static int cli_set_path(char **dst, const char *value, char *err, size_t errlen)
{
	char *copy = strdup(value);

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

/* 1: stop parsing (--help, --version), 0: go on, -1: error. */
static int cli_action(struct daemon_opts *o, int key, char *err, size_t errlen)
{
	if (!opts_in_build((enum opt_key)key)) {
		snprintf(err, errlen, "--%s: %s", opts_settings[key].flag, OPTS_NOT_BUILT);
		return -1;
	}
	switch (key) {
	case OPT_HELP:
		o->action = OPTS_HELP;
		return 1;
	case OPT_VERSION:
		o->action = OPTS_VERSION;
		return 1;
	case OPT_LIST_INTERFACES:
		o->action = OPTS_LIST_INTERFACES;
		return 1;
	case OPT_CONFIG:
		return cli_set_path(&o->config_file, optarg, err, errlen);
	case OPT_CTL:
		o->action = OPTS_CTL;
		if (strlen(optarg) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
			snprintf(err, errlen, "--ctl %s: socket path is too long (at most %zu bytes)",
				 optarg, sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
			return -1;
		}
		return cli_set_path(&o->ctl_path, optarg, err, errlen);
	case OPT_SUGGEST_NFS_IP:
		o->action = OPTS_SUGGEST_NFS_IP;
		return 0;
	case OPT_CAPTURE_ACCESS:
		o->action = OPTS_CAPTURE_ACCESS;
		return cli_set_path(&o->capture_access, optarg, err, errlen);
	default:
		return 0;
	}
}

/* First pass: --help, --version, --ctl, --config and getopt errors. */
static int cli_first_pass(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = cli_next(argc, argv)) != CLI_END) {
		if (c < 0) {
			cli_getopt_error(c, argv, err, errlen);
			return -1;
		}
		rc = cli_action(o, c, err, errlen);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	if (o->action == OPTS_CTL)
		return cli_join_command(o, argc, argv, err, errlen);
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* Second pass: every setting flag, over what the file set. */
static int cli_second_pass(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	char msg[256];
	int c;

	optind = 0;
	o->applying_cli = true;
	while ((c = cli_next(argc, argv)) != CLI_END) {
		const struct opts_setting *s = c >= 0 ? &opts_settings[c] : NULL;

		if (!s || s->type == OPTS_T_ACTION)
			continue;
		if (opts_apply(o, s->key, s->metavar ? optarg : "true", msg, sizeof(msg))) {
			snprintf(err, errlen, "--%s: %s", s->flag, msg);
			return -1;
		}
	}
	return 0;
}

int opts_parse_args(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	if (cli_first_pass(o, argc, argv, err, errlen))
		return -1;
	if (o->action != OPTS_RUN && o->action != OPTS_SUGGEST_NFS_IP && o->action != OPTS_CAPTURE_ACCESS)
		return 0;
	if (o->config_file && opts_load_file(o, o->config_file, err, errlen))
		return -1;
	if (cli_second_pass(o, argc, argv, err, errlen))
		return -1;
	return opts_validate(o, err, errlen);
}

static const char *const cli_group_titles[OPTS_G__COUNT] = {
	[OPTS_G_FRONTEND] = "Frontends (exactly one):",
	[OPTS_G_NETWORK] = "Network:",
	[OPTS_G_NFS] = "NFS:",
	[OPTS_G_OTHER] = "Other:",
};

#define CLI_HELP_COLUMN 30
#define CLI_HELP_WIDTH 79

/* Print @text from column CLI_HELP_COLUMN, wrapped at word boundaries. */
static void cli_help_text(FILE *out, int col, const char *text)
{
	while (*text) {
		size_t room = CLI_HELP_WIDTH - CLI_HELP_COLUMN, len = strlen(text);

		if (len > room) {
			len = room;
			while (len > 0 && text[len] != ' ')
				len--;
			if (len == 0)
				len = strcspn(text, " ");
		}
		fprintf(out, "%*s%.*s\n", col < CLI_HELP_COLUMN ? CLI_HELP_COLUMN - col : 0, "",
			(int)len, text);
		text += len;
		text += strspn(text, " ");
		col = 0;
	}
}

static void cli_usage_line(FILE *out, const struct opts_setting *s)
{
	const char *metavar = s->key == OPT_MODE && !opts_in_build(OPT_INTERFACE) ? "nat" : s->metavar;
	char text[512];
	int col;

	col = fprintf(out, "  --%s%s%s", s->flag, metavar ? " " : "", metavar ? metavar : "");
	if (col >= CLI_HELP_COLUMN - 1) {
		fputc('\n', out);
		col = 0;
	}
	if (s->def && s->metavar)
		snprintf(text, sizeof(text), "%s (default %s)", s->help, s->def);
	else
		snprintf(text, sizeof(text), "%s", s->help);
	cli_help_text(out, col, text);
}

void cli_usage(FILE *out)
{
	fputs("Usage: indynetd [OPTION]... FRONTEND\n"
	      "       indynetd --ctl PATH COMMAND...\n"
	      "       indynetd --capture-access check|enable\n"
	      "       indynetd --version | --help\n"
	      "\n"
	      "Ethernet for an emulated machine: NAT on libslirp with an in-core NFSv2/v3 server.\n",
	      out);
	for (int g = 0; g < OPTS_G__COUNT; g++) {
		fprintf(out, "\n%s\n", cli_group_titles[g]);
		for (size_t i = 0; i < OPT__COUNT; i++)
			if (opts_settings[i].flag && opts_settings[i].group == (enum opts_group)g &&
			    opts_in_build(opts_settings[i].key))
				cli_usage_line(out, &opts_settings[i]);
	}
	fputs("\nThe same settings go in the --config file; see indynetd(8).\n", out);
}
