/* SPDX-License-Identifier: MIT */
/* options.c: validation and storage of indynetd settings, shared by the CLI and the INI file. */
#include "options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "http.h"

void opts_free(struct daemon_opts *o)
{
	char **strs[] = { &o->config_file, &o->nat_subnet, &o->interface, &o->nfs_bridge_ip,
			  &o->export_dir, &o->frontend_arg, &o->tap_netns, &o->capture_file,
			  &o->control_path, &o->http, &o->http_token_file, &o->ctl_path,
			  &o->ctl_command, &o->capture_access, &o->nat_prefix6, &o->outbound_addr, &o->dns, &o->dns_search,
			  &o->hostname, &o->tftp_dir, &o->bootfile, &o->impair, &o->user };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
}

const char *opts_frontend_name(enum frontend_kind kind)
{
	switch (kind) {
	case FE_QEMU_STREAM:
		return "qemu-stream";
	case FE_QEMU_STREAM_CONNECT:
		return "qemu-stream-connect";
	case FE_QEMU_DGRAM:
		return "qemu-dgram";
	case FE_TAP:
		return "tap";
	case FE_NONE:
		break;
	}
	return "none";
}

static int opts_set_str(char **dst, const char *value, char *err, size_t errlen)
{
	char *copy;

	if (value[0] == '\0') {
		snprintf(err, errlen, "empty value");
		return -1;
	}
	copy = strdup(value);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

/* Look @value up in a NULL-terminated list of names; -1 when absent. */
static int opts_lookup(const char *value, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	return -1;
}

static int opts_parse_u32(const char *value, const char *what, unsigned long min,
			  unsigned long max, uint32_t *out, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	if (value[0] < '0' || value[0] > '9') {
		snprintf(err, errlen, "'%s' is not a number", value);
		return -1;
	}
	errno = 0;
	v = strtoul(value, &end, 10);
	if (*end != '\0') {
		snprintf(err, errlen, "'%s' is not a number", value);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s %s is out of range (%lu-%lu)", what, value, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int opts_parse_bool(const char *value, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };

	for (int i = 0; yes[i]; i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	snprintf(err, errlen, "'%s' is not a boolean (expected true or false)", value);
	return -1;
}

static int opts_set_enum(const char *value, const char *const *names, const int *values,
			 const char *what, const char *expected, int *out, char *err, size_t errlen)
{
	int i = opts_lookup(value, names);

	if (i < 0) {
		snprintf(err, errlen, "'%s' is not %s (expected %s)", value, what, expected);
		return -1;
	}
	*out = values[i];
	return 0;
}

/* bridge mode's settings outside the [bridge] section: absent, like it, from a build without packet capture */
static const enum opt_key opts_capture_keys[] = { OPT_BRIDGE_IP, OPT_SUGGEST_NFS_IP, OPT_LIST_INTERFACES };

bool opts_in_build(enum opt_key key)
{
	struct indynet_build_info b;
	const char *section = (unsigned)key < OPT__COUNT ? opts_settings[key].section : NULL;

	indynet_build_info_get(&b);
	if (b.packet_capture)
		return true;
	if (section && strcmp(section, "bridge") == 0)
		return false;
	for (size_t i = 0; i < sizeof(opts_capture_keys) / sizeof(opts_capture_keys[0]); i++)
		if (key == opts_capture_keys[i])
			return false;
	return true;
}

static int opts_set_mode(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "nat", "bridge", NULL };
	static const int values[] = { INDYNET_MODE_NAT, INDYNET_MODE_BRIDGE };
	int v;

	if (opts_set_enum(value, names, values, "a mode", "nat or bridge", &v, err, errlen))
		return -1;
	if (v == INDYNET_MODE_BRIDGE && !opts_in_build(OPT_INTERFACE)) {
		snprintf(err, errlen, "%s", OPTS_NOT_BUILT);
		return -1;
	}
	o->mode = (enum indynet_mode)v;
	return 0;
}

static int opts_set_nfs_version(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "auto", "v2", "v3", NULL };
	static const int values[] = { INDYNET_NFS_AUTO, INDYNET_NFS_V2, INDYNET_NFS_V3 };
	int v;

	if (opts_set_enum(value, names, values, "an NFS version", "auto, v2 or v3", &v, err, errlen))
		return -1;
	o->nfs_version = (enum indynet_nfs_version)v;
	return 0;
}

static int opts_set_nfs_transport(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "both", "udp", "tcp", NULL };
	static const int values[] = { INDYNET_NFS_TRANSPORT_BOTH, INDYNET_NFS_TRANSPORT_UDP,
				      INDYNET_NFS_TRANSPORT_TCP };
	int v;

	if (opts_set_enum(value, names, values, "an NFS transport", "udp, tcp or both", &v, err, errlen))
		return -1;
	o->nfs_transport = (enum indynet_nfs_transport)v;
	return 0;
}

static int opts_set_host_reach(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "on", "off", NULL };
	static const int values[] = { 1, 0 };
	int v;

	if (opts_set_enum(value, names, values, "a host reach setting", "on or off", &v, err, errlen))
		return -1;
	o->bridge_host_reach = v;
	return 0;
}

static int opts_set_attr_model(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "squash", "mapped", NULL };
	static const int values[] = { INDYNET_ATTR_SQUASH, INDYNET_ATTR_MAPPED };
	int v;

	if (opts_set_enum(value, names, values, "an attribute model", "squash or mapped", &v, err,
			  errlen))
		return -1;
	o->attr_model = (enum indynet_attr_model)v;
	return 0;
}

static int opts_set_bridge_mac(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "auto", "guest", "host", NULL };
	static const int values[] = { INDYNET_BRIDGE_MAC_AUTO, INDYNET_BRIDGE_MAC_GUEST, INDYNET_BRIDGE_MAC_HOST };
	int v;

	if (opts_set_enum(value, names, values, "a bridge MAC mode", "auto, guest or host", &v, err, errlen))
		return -1;
	o->bridge_mac = (enum indynet_bridge_mac)v;
	return 0;
}

static int opts_set_log_level(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "error", "warn", "info", "debug", NULL };
	static const int values[] = { INDYNET_LOG_ERROR, INDYNET_LOG_WARN, INDYNET_LOG_INFO,
				       INDYNET_LOG_DEBUG };
	int v;

	if (opts_set_enum(value, names, values, "a log level", "error, warn, info or debug", &v,
			  err, errlen))
		return -1;
	o->log_level = (enum indynet_log_level)v;
	return 0;
}

static int opts_set_subnet(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	uint32_t net;
	unsigned prefix;

	if (indynet_subnet_parse(value, &net, &prefix, err, errlen) != 0)
		return -1;
	return opts_set_str(&o->nat_subnet, value, err, errlen);
}

static int opts_set_impair(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	struct indynet_impair imp;

	if (indynet_impair_parse(value, &imp, err, errlen) != 0)
		return -1;
	return opts_set_str(&o->impair, value, err, errlen);
}

static bool opts_forward_same(const struct indynet_forward *a, const struct indynet_forward *b)
{
	return a->udp == b->udp && a->host_port == b->host_port && a->any == b->any;
}

/* an IPv6 forward: one per protocol and host port, as the engine holds them */
static int opts_add_forward6(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	struct indynet_forward6 fw;

	if (indynet_forward6_parse(value, &fw, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < o->n_forwards6; i++) {
		if (o->forwards6[i].udp == fw.udp && o->forwards6[i].host_port == fw.host_port) {
			snprintf(err, errlen, "forward '%s': IPv6 host port %u is already forwarded",
				 value, (unsigned)fw.host_port);
			return -1;
		}
	}
	if (o->n_forwards6 == OPTS_MAX_FORWARDS) {
		snprintf(err, errlen, "forward '%s': too many IPv6 forwards (at most %d)", value,
			 OPTS_MAX_FORWARDS);
		return -1;
	}
	o->forwards6[o->n_forwards6++] = fw;
	return 0;
}

static int opts_add_forward(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	struct indynet_forward fw;

	if (strchr(value, '['))
		return opts_add_forward6(o, value, err, errlen);
	if (indynet_forward_parse(value, &fw, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < o->n_forwards; i++) {
		if (opts_forward_same(&o->forwards[i], &fw)) {
			snprintf(err, errlen, "forward '%s': host port %u is already forwarded",
				 value, (unsigned)fw.host_port);
			return -1;
		}
	}
	if (o->n_forwards == OPTS_MAX_FORWARDS) {
		snprintf(err, errlen, "forward '%s': too many forwards (at most %d)", value,
			 OPTS_MAX_FORWARDS);
		return -1;
	}
	o->forwards[o->n_forwards++] = fw;
	return 0;
}

static int opts_check_sun_path(const char *value, char *err, size_t errlen)
{
	size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

	if (strlen(value) > max) {
		snprintf(err, errlen, "socket path is too long (at most %zu bytes)", max);
		return -1;
	}
	return 0;
}

static int opts_set_frontend(struct daemon_opts *o, enum frontend_kind kind, const char *value,
			     char *err, size_t errlen)
{
	if (kind == FE_TAP) {
		if (strlen(value) >= IFNAMSIZ) {
			snprintf(err, errlen, "interface name '%s' is too long (at most %d bytes)",
				 value, IFNAMSIZ - 1);
			return -1;
		}
	} else if (opts_check_sun_path(value, err, errlen)) {
		return -1;
	}
	if (o->frontend != FE_NONE && o->frontend_from_cli == o->applying_cli) {
		snprintf(err, errlen, "only one frontend may be given (%s is already set)",
			 opts_frontend_name(o->frontend));
		return -1;
	}
	if (opts_set_str(&o->frontend_arg, value, err, errlen))
		return -1;
	if (o->applying_cli && !o->frontend_from_cli && !o->netns_from_cli) {
		/* A command-line frontend replaces the file's one as a whole. */
		free(o->tap_netns);
		o->tap_netns = NULL;
	}
	o->frontend = kind;
	o->frontend_from_cli = o->applying_cli;
	return 0;
}

static int opts_set_qemu_stream(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	return opts_set_frontend(o, FE_QEMU_STREAM, value, err, errlen);
}

static int opts_set_qemu_stream_connect(struct daemon_opts *o, const char *value, char *err,
					size_t errlen)
{
	return opts_set_frontend(o, FE_QEMU_STREAM_CONNECT, value, err, errlen);
}

static int opts_set_qemu_dgram(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	return opts_set_frontend(o, FE_QEMU_DGRAM, value, err, errlen);
}

static int opts_set_tap(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	return opts_set_frontend(o, FE_TAP, value, err, errlen);
}

static int opts_set_tap_netns(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	o->netns_from_cli = o->applying_cli;
	return opts_set_str(&o->tap_netns, value, err, errlen);
}

static int opts_set_socket_mode(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 8);
	if (value[0] < '0' || value[0] > '7' || *end || errno || v > 0777 || (v & 0600) != 0600) {
		snprintf(err, errlen, "'%s' is not a socket mode of 0600-0777 in octal (the owner "
				      "must keep read and write)", value);
		return -1;
	}
	o->socket_mode = (uint32_t)v;
	return 0;
}

static int opts_set_bridge_ip(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	struct in_addr a;

	if (inet_pton(AF_INET, value, &a) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", value);
		return -1;
	}
	return opts_set_str(&o->nfs_bridge_ip, value, err, errlen);
}

static int opts_set_http(struct daemon_opts *o, const char *value, char *err, size_t errlen)
{
	if (http_parse_addr(value, o->http_addr, &o->http_port, err, errlen) < 0)
		return -1;
	return opts_set_str(&o->http, value, err, errlen);
}

/* The table: one row per setting, expanded from OPTS_SETTINGS (options.h). */
#define OPTS_FIELD(field) .off = offsetof(struct daemon_opts, field)
#define OPTS_STRING(field) .type = OPTS_T_STRING, OPTS_FIELD(field)
#define OPTS_SOCKET(field) .type = OPTS_T_SOCKET, OPTS_FIELD(field)
#define OPTS_BOOL(field) .type = OPTS_T_BOOL, OPTS_FIELD(field)
#define OPTS_U32(field, n, lo, hi) .type = OPTS_T_U32, OPTS_FIELD(field), .noun = (n), .min = (lo), .max = (hi)
#define OPTS_CUSTOM(fn) .type = OPTS_T_CUSTOM, .set = (fn)
#define OPTS_ACTION .type = OPTS_T_ACTION
#define OPTS_ROW(KEY, f_flag, f_section, f_name, f_metavar, f_def, f_group, f_how, f_help)      \
	[OPT_##KEY] = { .key = OPT_##KEY, .flag = (f_flag), .section = (f_section),              \
			.name = (f_name), .metavar = (f_metavar), .def = (f_def),                \
			.group = OPTS_G_##f_group, f_how, .help = (f_help) },

const struct opts_setting opts_settings[OPT__COUNT] = { OPTS_SETTINGS(OPTS_ROW) };

static void *opts_field(struct daemon_opts *o, const struct opts_setting *s)
{
	return (char *)o + s->off;
}

int opts_apply(struct daemon_opts *o, enum opt_key key, const char *value, char *err, size_t errlen)
{
	const struct opts_setting *s = (unsigned)key < OPT__COUNT ? &opts_settings[key] : NULL;

	if (s && !opts_in_build(key)) {
		snprintf(err, errlen, "%s", OPTS_NOT_BUILT);
		return -1;
	}
	switch (s ? s->type : OPTS_T_ACTION) {
	case OPTS_T_STRING:
		return opts_set_str(opts_field(o, s), value, err, errlen);
	case OPTS_T_SOCKET:
		if (opts_check_sun_path(value, err, errlen))
			return -1;
		return opts_set_str(opts_field(o, s), value, err, errlen);
	case OPTS_T_U32:
		return opts_parse_u32(value, s->noun, s->min, s->max, opts_field(o, s), err, errlen);
	case OPTS_T_BOOL:
		return opts_parse_bool(value, opts_field(o, s), err, errlen);
	case OPTS_T_CUSTOM:
		return s->set(o, value, err, errlen);
	case OPTS_T_ACTION:
		break;
	}
	snprintf(err, errlen, "not a setting");
	return -1;
}

void opts_init(struct daemon_opts *o)
{
	char err[128];

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < OPT__COUNT; i++) {
		if (opts_settings[i].def && opts_in_build(opts_settings[i].key) &&
		    opts_apply(o, opts_settings[i].key, opts_settings[i].def, err, sizeof(err)))
			abort(); /* a bad default in the table: the unit tests catch it */
	}
}

/* TCP is loopback unless allowed, and its token needs a home. */
static int opts_validate_http(const struct daemon_opts *o, char *err, size_t errlen)
{
	if (!o->http)
		return 0;
	if (!o->http_allow_remote && !http_addr_is_loopback(o->http_addr)) {
		snprintf(err, errlen, "--http %s: %s is not a loopback address; add "
				      "--http-allow-remote to serve other hosts (the token is then all "
				      "that protects the daemon)", o->http, o->http_addr);
		return -1;
	}
	if (!o->http_token_file && !o->control_path) {
		snprintf(err, errlen, "--http needs --http-token-file PATH or --control PATH (the "
				      "token is written to PATH.token)");
		return -1;
	}
	return 0;
}

/* The control socket on the frontend's path would replace it (or be refused as in use). */
static int opts_validate_paths(const struct daemon_opts *o, char *err, size_t errlen)
{
	bool socket_fe = o->frontend == FE_QEMU_STREAM || o->frontend == FE_QEMU_DGRAM ||
			 o->frontend == FE_QEMU_STREAM_CONNECT;

	if (socket_fe && o->control_path && strcmp(o->control_path, o->frontend_arg) == 0) {
		snprintf(err, errlen, "--control and --%s name the same socket %s",
			 opts_frontend_name(o->frontend), o->control_path);
		return -1;
	}
	return 0;
}

int opts_validate(const struct daemon_opts *o, char *err, size_t errlen)
{
	if (o->action == OPTS_SUGGEST_NFS_IP || o->action == OPTS_CAPTURE_ACCESS)
		return 0; /* no guest: only the interface matters */
	if (o->frontend == FE_NONE) {
		snprintf(err, errlen, "no frontend given: use one of --qemu-stream, "
				      "--qemu-stream-connect, --qemu-dgram or --tap");
		return -1;
	}
	if (o->tap_netns && o->frontend != FE_TAP) {
		snprintf(err, errlen, "--tap-netns needs --tap (the frontend is --%s)",
			 opts_frontend_name(o->frontend));
		return -1;
	}
	if (opts_validate_paths(o, err, errlen))
		return -1;
	return opts_validate_http(o, err, errlen);
}
