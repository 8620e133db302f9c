/* SPDX-License-Identifier: MIT */
/* reload.c: SIGHUP: the configuration read again, what can change live applied. */
#include "reload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlog.h"

static const char *const reload_levels[] = { "error", "warn", "info", "debug" };

static bool reload_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool reload_forward_eq(const struct indynet_forward *a, const struct indynet_forward *b)
{
	return a->udp == b->udp && a->host_port == b->host_port && a->guest_port == b->guest_port &&
	       a->any == b->any && a->guest_addr == b->guest_addr;
}

static bool reload_has_forward(const struct daemon_opts *o, const struct indynet_forward *fw)
{
	for (size_t i = 0; i < o->n_forwards; i++)
		if (reload_forward_eq(&o->forwards[i], fw))
			return true;
	return false;
}

static bool reload_has_forward6(const struct daemon_opts *o, const struct indynet_forward6 *fw)
{
	for (size_t i = 0; i < o->n_forwards6; i++) {
		const struct indynet_forward6 *h = &o->forwards6[i];

		if (h->udp == fw->udp && h->host_port == fw->host_port && h->guest_port == fw->guest_port &&
		    memcmp(h->host_addr, fw->host_addr, 16) == 0 && memcmp(h->guest_addr, fw->guest_addr, 16) == 0)
			return true;
	}
	return false;
}

/* The frontend rows: equal unless the row's frontend is in use on either side and differs. */
static bool reload_frontend_eq(const struct daemon_opts *a, const struct daemon_opts *b,
			       enum frontend_kind kind)
{
	if (a->frontend != kind && b->frontend != kind)
		return true;
	return a->frontend == b->frontend && reload_str_eq(a->frontend_arg, b->frontend_arg);
}

/* Settings the table cannot compare by its field: what each custom setter stores. */
static bool reload_custom_eq(const struct daemon_opts *a, const struct daemon_opts *b,
			     enum opt_key key)
{
	switch (key) {
	case OPT_QEMU_STREAM:
		return reload_frontend_eq(a, b, FE_QEMU_STREAM);
	case OPT_QEMU_STREAM_CONNECT:
		return reload_frontend_eq(a, b, FE_QEMU_STREAM_CONNECT);
	case OPT_QEMU_DGRAM:
		return reload_frontend_eq(a, b, FE_QEMU_DGRAM);
	case OPT_TAP:
		return reload_frontend_eq(a, b, FE_TAP);
	case OPT_TAP_NETNS:
		return reload_str_eq(a->tap_netns, b->tap_netns);
	case OPT_SOCKET_MODE:
		return a->socket_mode == b->socket_mode;
	case OPT_MODE:
		return a->mode == b->mode;
	case OPT_NFS_VERSION:
		return a->nfs_version == b->nfs_version;
	case OPT_NFS_TRANSPORT:
		return a->nfs_transport == b->nfs_transport;
	case OPT_ATTR_MODEL:
		return a->attr_model == b->attr_model;
	case OPT_BRIDGE_IP:
		return reload_str_eq(a->nfs_bridge_ip, b->nfs_bridge_ip);
	case OPT_HTTP:
		return reload_str_eq(a->http, b->http);
	case OPT_IMPAIR:
		return reload_str_eq(a->impair, b->impair);
	default:
		return true; /* applied live (forwards, subnet, log level) or not a setting */
	}
}

static bool reload_setting_eq(const struct daemon_opts *a, const struct daemon_opts *b,
			      const struct opts_setting *s)
{
	const char *fa = (const char *)a + s->off, *fb = (const char *)b + s->off;

	switch (s->type) {
	case OPTS_T_STRING:
	case OPTS_T_SOCKET:
		return reload_str_eq(*(char *const *)fa, *(char *const *)fb);
	case OPTS_T_U32:
		return *(const uint32_t *)fa == *(const uint32_t *)fb;
	case OPTS_T_BOOL:
		return *(const bool *)fa == *(const bool *)fb;
	case OPTS_T_CUSTOM:
		return reload_custom_eq(a, b, s->key);
	case OPTS_T_ACTION:
		break;
	}
	return true;
}

/* One line naming every changed setting that only a restart applies. */
static void reload_report_restart(const struct daemon_opts *cur, const struct daemon_opts *next)
{
	char names[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < OPT__COUNT; i++) {
		const struct opts_setting *s = &opts_settings[i];

		if (s->section && !reload_setting_eq(cur, next, s) && len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s[%s] %s",
						len ? ", " : "", s->section, s->name);
	}
	if (len)
		dlog(INDYNET_LOG_WARN, "SIGHUP: changed, but needs a restart: %s", names);
}

static void reload_log_level(struct daemon_opts *cur, const struct daemon_opts *next)
{
	if (cur->log_level == next->log_level)
		return;
	dlog_set_level(next->log_level);
	dlog(INDYNET_LOG_INFO, "SIGHUP: log level %s -> %s", reload_levels[cur->log_level],
	     reload_levels[next->log_level]);
	cur->log_level = next->log_level;
}

static void reload_subnet(struct daemon_opts *cur, struct daemon_opts *next, struct cmd_ctx *cmd)
{
	char err[256] = "";
	char *old = cur->nat_subnet;
	int rc;

	if (cur->mode != INDYNET_MODE_NAT || reload_str_eq(cur->nat_subnet, next->nat_subnet))
		return;
	rc = indynet_set_nat_subnet(cmd->eng, next->nat_subnet, err, sizeof(err));
	if (rc == -EINVAL) {
		dlog(INDYNET_LOG_ERROR, "SIGHUP: NAT subnet %s: %s", next->nat_subnet, err);
		return;
	}
	pthread_mutex_lock(&cmd->lock);
	snprintf(cmd->subnet, sizeof(cmd->subnet), "%s", next->nat_subnet);
	pthread_mutex_unlock(&cmd->lock);
	dlog(INDYNET_LOG_INFO, "SIGHUP: NAT subnet %s -> %s%s%s", old, next->nat_subnet,
	     rc < 0 ? ": " : "", rc < 0 ? err : "");
	cur->nat_subnet = next->nat_subnet;
	next->nat_subnet = old; /* freed with next */
}

/* Forwards of the old file the new one lacks go; new ones come; the control API's stay. */
static void reload_forwards(struct daemon_opts *cur, const struct daemon_opts *next,
			    struct cmd_ctx *cmd)
{
	struct indynet_forward kept[OPTS_MAX_FORWARDS];
	size_t n = 0;
	char spec[INDYNET_FORWARD_TEXT_MAX], err[256];

	if (cur->mode != INDYNET_MODE_NAT)
		return;
	for (size_t i = 0; i < cur->n_forwards; i++) {
		const struct indynet_forward *fw = &cur->forwards[i];

		if (reload_has_forward(next, fw))
			kept[n++] = *fw;
		else if (indynet_forward_remove(cmd->eng, fw) == 0)
			dlog(INDYNET_LOG_INFO, "SIGHUP: forward %s removed",
			     indynet_forward_format(fw, spec, sizeof(spec)));
	}
	for (size_t i = 0; i < next->n_forwards; i++) {
		const struct indynet_forward *fw = &next->forwards[i];

		if (reload_has_forward(cur, fw))
			continue;
		err[0] = '\0';
		indynet_forward_format(fw, spec, sizeof(spec));
		if (indynet_forward_add(cmd->eng, fw, err, sizeof(err)) < 0) {
			dlog(INDYNET_LOG_ERROR, "SIGHUP: forward %s: %s", spec, err[0] ? err : "failed");
			continue;
		}
		dlog(INDYNET_LOG_INFO, "SIGHUP: forward %s added", spec);
		kept[n++] = *fw;
	}
	memcpy(cur->forwards, kept, n * sizeof(kept[0]));
	cur->n_forwards = n;
}

/* The same for the IPv6 forwards. */
static void reload_forwards6(struct daemon_opts *cur, const struct daemon_opts *next, struct cmd_ctx *cmd)
{
	struct indynet_forward6 kept[OPTS_MAX_FORWARDS];
	size_t n = 0;
	char spec[INDYNET_FORWARD6_TEXT_MAX], err[256];

	for (size_t i = 0; i < cur->n_forwards6; i++) {
		const struct indynet_forward6 *fw = &cur->forwards6[i];

		if (reload_has_forward6(next, fw))
			kept[n++] = *fw;
		else if (indynet_forward6_remove(cmd->eng, fw) == 0)
			dlog(INDYNET_LOG_INFO, "SIGHUP: forward %s removed", indynet_forward6_format(fw, spec, sizeof(spec)));
	}
	for (size_t i = 0; i < next->n_forwards6; i++) {
		const struct indynet_forward6 *fw = &next->forwards6[i];

		if (reload_has_forward6(cur, fw))
			continue;
		err[0] = '\0';
		indynet_forward6_format(fw, spec, sizeof(spec));
		if (indynet_forward6_add(cmd->eng, fw, err, sizeof(err)) < 0) {
			dlog(INDYNET_LOG_ERROR, "SIGHUP: forward %s: %s", spec, err[0] ? err : "failed");
			continue;
		}
		dlog(INDYNET_LOG_INFO, "SIGHUP: forward %s added", spec);
		kept[n++] = *fw;
	}
	memcpy(cur->forwards6, kept, n * sizeof(kept[0]));
	cur->n_forwards6 = n;
}

void reload_config(struct daemon_opts *cur, struct cmd_ctx *cmd, int argc, char **argv)
{
	struct daemon_opts next;
	char err[512];

	if (!cur->config_file) {
		dlog(INDYNET_LOG_INFO, "SIGHUP: no --config file to reload");
		return;
	}
	opts_init(&next);
	if (opts_parse_args(&next, argc, argv, err, sizeof(err)) < 0) {
		dlog(INDYNET_LOG_ERROR, "SIGHUP: %s; keeping the running configuration", err);
		opts_free(&next);
		return;
	}
	reload_log_level(cur, &next);
	reload_subnet(cur, &next, cmd);
	reload_forwards(cur, &next, cmd);
	if (cur->mode == INDYNET_MODE_NAT)
		reload_forwards6(cur, &next, cmd);
	reload_report_restart(cur, &next);
	dlog(INDYNET_LOG_INFO, "SIGHUP: %s reloaded", cur->config_file);
	opts_free(&next);
}
