/* SPDX-License-Identifier: MIT */
/* cmd_bridge.c: the bridge-mode commands (interfaces, NFS phantom IP). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_int.h"

/* Bridge resources answer 409 in NAT mode, naming the mode. */
static int cmd_bridge_only(const char *what, struct cmd_result *res)
{
	return cmd_fail(res, CMD_CONFLICT, NULL,
			"not in bridge mode: %s %s a bridge-mode setting (the daemon runs in NAT mode)", what,
			what[0] && what[strlen(what) - 1] == 's' ? "are" : "is");
}

static void cmd_mac_text(const uint8_t *m, char *out, size_t len)
{
	snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static json_t *cmd_interface_json(const struct indynet_interface *f)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "index", (int)f->index, "name", f->name,
			 "description", f->description, "addresses", f->addresses, "up", f->up, "running",
			 f->running, "loopback", f->loopback, "wireless", f->wireless);
}

/* The host's interfaces, numbered as "interface N" counts, read afresh each time; "current": the captured one. */
int cmd_interfaces(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_capture_status cs;
	struct indynet_interface *ifs;
	char err[256];
	int n;
	json_t *list;

	(void)args;
	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return cmd_bridge_only("host interfaces", res);
	n = indynet_interface_list(NULL, 0, err, sizeof(err));
	if (n < 0)
		return cmd_fail(res, CMD_INTERNAL, NULL, "%s", err);
	ifs = calloc((size_t)n + 1, sizeof(*ifs));
	list = json_array();
	if (!ifs || !list) {
		free(ifs);
		json_decref(list);
		return cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
	}
	n = indynet_interface_list(ifs, (size_t)n, err, sizeof(err));
	for (int i = 0; i < n; i++)
		json_array_append_new(list, cmd_interface_json(&ifs[i]));
	free(ifs);
	indynet_capture_status_get(ctx->eng, &cs);
	res->body = json_pack("{s:o, s:s}", "interfaces", list, "current", cs.interface);
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}

/* Live switch: the engine reopens the capture; on failure the old one stays and the error says so. */
int cmd_interface_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_capture_status cs;
	const char *name;
	char err[512] = "";
	int rc;

	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return cmd_bridge_only("the bridged interface", res);
	if (cmd_arg_string(args, "interface", &name, res) < 0)
		return -1;
	if (!name)
		return cmd_fail(res, CMD_BAD_REQUEST, "interface", "interface is missing (NAME, INDEX or auto)");
	rc = indynet_set_interface(ctx->eng, name, err, sizeof(err));
	if (rc < 0)
		return cmd_fail(res, rc == -EINVAL || rc == -ENODEV ? CMD_BAD_REQUEST : CMD_CONFLICT, "interface",
				"%s", err);
	indynet_capture_status_get(ctx->eng, &cs);
	res->body = json_pack("{s:s, s:s}", "interface", cs.interface, "state",
			      indynet_capture_state_name(cs.state));
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}

/* the phantom NFS host as JSON: state, address, MAC, a probe under way, the last refusal */
static json_t *cmd_phantom_json(const struct indynet_phantom_status *st)
{
	char ip[INET_ADDRSTRLEN] = "", pip[INET_ADDRSTRLEN] = "", mac[18], cmac[18];

	if (st->ip)
		inet_ntop(AF_INET, &st->ip, ip, sizeof(ip));
	if (st->probing_ip)
		inet_ntop(AF_INET, &st->probing_ip, pip, sizeof(pip));
	cmd_mac_text(st->mac, mac, sizeof(mac));
	cmd_mac_text(st->conflict_mac, cmac, sizeof(cmac));
	return json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:s}", "state", indynet_phantom_state_name(st->state),
			 "ip", st->ip ? ip : NULL, "probing", st->probing_ip ? pip : NULL, "mac", mac,
			 "conflict_mac", st->conflict ? cmac : NULL, "error", st->error);
}

json_t *cmd_phantom_status_json(struct cmd_ctx *ctx)
{
	struct indynet_phantom_status st;

	indynet_phantom_get(ctx->eng, &st);
	return cmd_phantom_json(&st);
}

int cmd_nfs_ip_get(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return cmd_bridge_only("the NFS server IP", res);
	res->body = cmd_phantom_status_json(ctx);
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}

/* an engine verdict on the phantom's address as a command status */
static int cmd_nfs_ip_status(int rc)
{
	switch (rc) {
	case -EINVAL:
		return CMD_BAD_REQUEST;
	case -EADDRINUSE:
	case -EADDRNOTAVAIL:
	case -EBUSY:
	case -ENETDOWN:
		return CMD_CONFLICT;
	default:
		return CMD_INTERNAL;
	}
}

int cmd_nfs_ip_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	const char *ip;
	char err[256];
	int rc;

	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return cmd_bridge_only("the NFS server IP", res);
	if (cmd_arg_string(args, "ip", &ip, res))
		return -1;
	if (!ip)
		return cmd_fail(res, CMD_BAD_REQUEST, "ip", "ip is required (A.B.C.D)");
	rc = indynet_set_nfs_bridge_ip(ctx->eng, ip, err, sizeof(err));
	if (rc < 0 && rc != -ENETDOWN)
		return cmd_fail(res, cmd_nfs_ip_status(rc), "ip", "%s", err);
	res->body = cmd_phantom_status_json(ctx);
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}

int cmd_nfs_ip_suggest(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	char ip[INET_ADDRSTRLEN], err[256];
	int rc;

	(void)args;
	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return cmd_bridge_only("the NFS server IP", res);
	rc = indynet_suggest_nfs_ip(ctx->eng, ip, sizeof(ip), err, sizeof(err));
	if (rc < 0)
		return cmd_fail(res, cmd_nfs_ip_status(rc), NULL, "%s", err);
	res->body = json_pack("{s:s}", "ip", ip);
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}
