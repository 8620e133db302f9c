/* SPDX-License-Identifier: MIT */
/* options.h: indynetd's settings, from the command line and the INI configuration file. */
#ifndef INDYNETD_OPTIONS_H
#define INDYNETD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <indynet/indynet.h>

/*
 * Theory of operation
 *
 * Every setting has one key (enum opt_key).  The command line and the INI
 * file both turn their input into (key, text) pairs and hand them to
 * opts_apply(), which validates the text and stores the value; so a value
 * is checked by exactly the same code wherever it comes from, and each
 * source only adds its own prefix to the error text ("--mtu: ..." or
 * "FILE:LINE: mtu: ...").
 *
 * The file is applied first, then the flags: a flag overrides the file.
 * Forwards accumulate from both.  A frontend given on the command line
 * replaces the file's frontend (and the file's tap_netns) as a whole; two
 * frontends from the same source are an error.
 */

#define OPTS_MAX_FORWARDS 64

enum opt_key {
	OPT_MODE,
	OPT_NAT_SUBNET,
	OPT_INTERFACE,
	OPT_BRIDGE_IP,
	OPT_MTU,
	OPT_EXPORT,
	OPT_NFS_VERSION,
	OPT_READ_ONLY,
	OPT_ATTR_MODEL,
	OPT_UID,
	OPT_GID,
	OPT_FORWARD,
	OPT_QEMU_STREAM,
	OPT_QEMU_STREAM_CONNECT,
	OPT_QEMU_DGRAM,
	OPT_TAP,
	OPT_TAP_NETNS,
	OPT_LOG_LEVEL,
	OPT_CAPTURE_FILE,
	OPT_CONTROL,
	OPT__COUNT
};

enum frontend_kind {
	FE_NONE = 0,
	FE_QEMU_STREAM,         /* we listen, QEMU connects */
	FE_QEMU_STREAM_CONNECT, /* QEMU listens, we connect */
	FE_QEMU_DGRAM,
	FE_TAP,
};

enum opts_action {
	OPTS_RUN = 0,
	OPTS_HELP,
	OPTS_VERSION,
	OPTS_CTL,
};

struct daemon_opts {
	enum opts_action action;
	char *config_file;

	enum indynet_mode mode;
	char *nat_subnet;
	char *interface;      /* bridge mode (later issue); stored only */
	char *nfs_bridge_ip;  /* bridge mode (later issue); stored only */
	unsigned mtu;

	char *export_dir;
	enum indynet_nfs_version nfs_version;
	bool read_only;
	enum indynet_attr_model attr_model;
	uint32_t uid, gid;

	struct indynet_forward forwards[OPTS_MAX_FORWARDS];
	size_t n_forwards;

	enum frontend_kind frontend;
	char *frontend_arg;   /* socket path or TAP name */
	char *tap_netns;

	enum indynet_log_level log_level;
	char *capture_file;
	char *control_path;

	/* --ctl client mode */
	char *ctl_path;
	char *ctl_command;

	/* bookkeeping for "flags override the file" */
	bool applying_cli;
	bool frontend_from_cli;
	bool netns_from_cli;
};

/**
 * opts_init() - fill @o with the defaults (NAT, MTU 1500, log level info).
 * @o: settings
 */
void opts_init(struct daemon_opts *o);

/**
 * opts_free() - release the strings held by @o.
 * @o: settings
 */
void opts_free(struct daemon_opts *o);

/**
 * opts_apply() - validate and store one setting.
 * @o: settings
 * @key: which setting
 * @value: its text
 * @err: receives what is wrong with @value (no prefix)
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int opts_apply(struct daemon_opts *o, enum opt_key key, const char *value, char *err, size_t errlen);

/**
 * opts_validate() - check the settings as a whole (exactly one frontend ...).
 * @o: settings
 * @err: receives the message
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int opts_validate(const struct daemon_opts *o, char *err, size_t errlen);

/**
 * opts_parse_args() - parse the command line, loading --config FILE first.
 * @o: settings, initialised with opts_init()
 * @argc: argument count
 * @argv: arguments
 * @err: receives the message naming the bad input
 * @errlen: size of @err
 *
 * For OPTS_RUN the settings are validated as a whole too.
 *
 * Return: 0, or -1 (indynetd exits with status 2).
 */
int opts_parse_args(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen);

/**
 * opts_load_file() - apply an INI configuration file.
 * @o: settings
 * @path: the file
 * @err: receives "FILE:LINE: key: what is wrong"
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int opts_load_file(struct daemon_opts *o, const char *path, char *err, size_t errlen);

/**
 * opts_forward_format() - write @fw as "proto:host:guest[:any]".
 * @fw: forward
 * @buf: destination
 * @len: its size
 *
 * Return: @buf.
 */
char *opts_forward_format(const struct indynet_forward *fw, char *buf, size_t len);

/**
 * opts_frontend_name() - the flag name of a frontend kind ("qemu-stream" ...).
 * @kind: frontend kind
 *
 * Return: a static string.
 */
const char *opts_frontend_name(enum frontend_kind kind);

#endif
