/* SPDX-License-Identifier: MIT */
/* cli.c: indynetd's command line (getopt_long), applied over the configuration file. */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	CLI_HELP = 'h',
	CLI_VERSION = 'V',
	CLI_CONFIG = 0x100,
	CLI_CTL,
	CLI_KEY_BASE = 0x200, /* CLI_KEY_BASE + enum opt_key */
};

#define CLI_KEY(k) (CLI_KEY_BASE + (k))

static const struct option cli_options[] = {
	{ "help", no_argument, NULL, CLI_HELP },
	{ "version", no_argument, NULL, CLI_VERSION },
	{ "config", required_argument, NULL, CLI_CONFIG },
	{ "ctl", required_argument, NULL, CLI_CTL },
	{ "mode", required_argument, NULL, CLI_KEY(OPT_MODE) },
	{ "qemu-stream", required_argument, NULL, CLI_KEY(OPT_QEMU_STREAM) },
	{ "qemu-stream-connect", required_argument, NULL, CLI_KEY(OPT_QEMU_STREAM_CONNECT) },
	{ "qemu-dgram", required_argument, NULL, CLI_KEY(OPT_QEMU_DGRAM) },
	{ "tap", required_argument, NULL, CLI_KEY(OPT_TAP) },
	{ "tap-netns", required_argument, NULL, CLI_KEY(OPT_TAP_NETNS) },
	{ "nat-subnet", required_argument, NULL, CLI_KEY(OPT_NAT_SUBNET) },
	{ "forward", required_argument, NULL, CLI_KEY(OPT_FORWARD) },
	{ "mtu", required_argument, NULL, CLI_KEY(OPT_MTU) },
	{ "export", required_argument, NULL, CLI_KEY(OPT_EXPORT) },
	{ "nfs-version", required_argument, NULL, CLI_KEY(OPT_NFS_VERSION) },
	{ "read-only", no_argument, NULL, CLI_KEY(OPT_READ_ONLY) },
	{ "attr-model", required_argument, NULL, CLI_KEY(OPT_ATTR_MODEL) },
	{ "uid", required_argument, NULL, CLI_KEY(OPT_UID) },
	{ "gid", required_argument, NULL, CLI_KEY(OPT_GID) },
	{ "capture-file", required_argument, NULL, CLI_KEY(OPT_CAPTURE_FILE) },
	{ "log-level", required_argument, NULL, CLI_KEY(OPT_LOG_LEVEL) },
	{ "control", required_argument, NULL, CLI_KEY(OPT_CONTROL) },
	{ NULL, 0, NULL, 0 },
};

/* '+': stop at the first non-option (the --ctl command); ':': report a missing value. */
static const char cli_short[] = "+:hV";

static const char *cli_long_name(int c)
{
	for (const struct option *opt = cli_options; opt->name; opt++)
		if (opt->val == c)
			return opt->name;
	return "?";
}

/* Turn a getopt '?' or ':' into a message naming the argument. */
static void cli_getopt_error(int c, char **argv, char *err, size_t errlen)
{
	const char *arg = argv[optind - 1];
	bool is_long = strncmp(arg, "--", 2) == 0;

	if (c == ':' && is_long)
		snprintf(err, errlen, "option '%s' needs a value", arg);
	else if (c == ':')
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

/* First pass: --help, --version, --ctl, --config and getopt errors. */
static int cli_first_pass(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, cli_short, cli_options, NULL)) != -1) {
		switch (c) {
		case CLI_HELP:
			o->action = OPTS_HELP;
			return 0;
		case CLI_VERSION:
			o->action = OPTS_VERSION;
			return 0;
		case CLI_CONFIG:
			if (cli_set_path(&o->config_file, optarg, err, errlen))
				return -1;
			break;
		case CLI_CTL:
			o->action = OPTS_CTL;
			if (cli_set_path(&o->ctl_path, optarg, err, errlen))
				return -1;
			break;
		case '?':
		case ':':
			cli_getopt_error(c, argv, err, errlen);
			return -1;
		default:
			break;
		}
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
	while ((c = getopt_long(argc, argv, cli_short, cli_options, NULL)) != -1) {
		const char *value = optarg;

		if (c < CLI_KEY_BASE)
			continue;
		if (c == CLI_KEY(OPT_READ_ONLY))
			value = "true";
		if (opts_apply(o, (enum opt_key)(c - CLI_KEY_BASE), value, msg, sizeof(msg))) {
			snprintf(err, errlen, "--%s: %s", cli_long_name(c), msg);
			return -1;
		}
	}
	return 0;
}

int opts_parse_args(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	if (cli_first_pass(o, argc, argv, err, errlen))
		return -1;
	if (o->action != OPTS_RUN)
		return 0;
	if (o->config_file && opts_load_file(o, o->config_file, err, errlen))
		return -1;
	if (cli_second_pass(o, argc, argv, err, errlen))
		return -1;
	return opts_validate(o, err, errlen);
}

void cli_usage(FILE *out)
{
	fputs("Usage: indynetd [--config FILE] [--mode nat|bridge]\n"
	      "                (--qemu-stream PATH | --qemu-stream-connect PATH | --qemu-dgram PATH\n"
	      "                 | --tap NAME [--tap-netns PATH])\n"
	      "                [--nat-subnet CIDR] [--forward PROTO:HOSTPORT:GUESTPORT[:any]]...\n"
	      "                [--export DIR] [--nfs-version auto|v2|v3] [--read-only]\n"
	      "                [--attr-model squash|mapped] [--uid N] [--gid N] [--mtu N]\n"
	      "                [--capture-file FILE.pcapng] [--log-level error|warn|info|debug]\n"
	      "                [--control PATH]\n"
	      "       indynetd --ctl PATH COMMAND...\n"
	      "       indynetd --version | --help\n"
	      "\n"
	      "Ethernet for an emulated machine: NAT on libslirp with an in-core NFSv2/v3 server.\n"
	      "\n"
	      "Frontends (exactly one):\n"
	      "  --qemu-stream PATH          listen on a unix stream socket; QEMU connects\n"
	      "                              (-netdev stream,server=off,addr.type=unix,addr.path=PATH)\n"
	      "  --qemu-stream-connect PATH  connect to QEMU's listening socket (server=on),\n"
	      "                              reconnecting with backoff\n"
	      "  --qemu-dgram PATH           bind a unix datagram socket (-netdev dgram)\n"
	      "  --tap NAME                  create or attach a TAP device\n"
	      "  --tap-netns PATH            create the TAP device inside this network namespace\n"
	      "Network:\n"
	      "  --mode nat|bridge           network mode (default nat)\n"
	      "  --nat-subnet CIDR           NAT subnet (default 192.168.0.0/24)\n"
	      "  --forward SPEC              port forward tcp|udp:HOSTPORT:GUESTPORT[:any], repeatable\n"
	      "  --mtu N                     guest MTU, 576-65520 (default 1500)\n"
	      "NFS:\n"
	      "  --export DIR                serve DIR over NFS at the gateway address\n"
	      "  --nfs-version auto|v2|v3    NFS versions served (default auto: both)\n"
	      "  --read-only                 refuse every modifying NFS procedure\n"
	      "  --attr-model squash|mapped  how owners and modes are presented (default squash)\n"
	      "  --uid N, --gid N            owner shown in the squash model (default 0:0)\n"
	      "Other:\n"
	      "  --config FILE               read settings from an INI file (flags override it)\n"
	      "  --capture-file FILE         write every guest frame to a pcapng file\n"
	      "  --log-level LEVEL           error, warn, info (default) or debug\n"
	      "  --control PATH              accept control commands on a unix stream socket\n"
	      "  --ctl PATH COMMAND...       send one control command to a running indynetd\n"
	      "  --version, --help           print the version or this help\n"
	      "\n"
	      "See indynetd(8).\n",
	      out);
}
