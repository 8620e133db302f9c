/* SPDX-License-Identifier: MIT */
/* cmd_bridge.c: the bridge-mode commands (interfaces, NFS phantom IP, capture access). */
#include <string.h>

#include "cmd_int.h"

/*
 * The engine of this build has no bridge mode (indynet_engine_new() refuses
 * it), so every bridge resource answers 409 in NAT mode, naming the mode,
 * and 501 otherwise.  The handlers take their final shape as the engine's
 * bridge API lands.
 */
static int cmd_bridge_only(const struct cmd_ctx *ctx, const char *what, struct cmd_result *res)
{
	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return cmd_fail(res, CMD_CONFLICT, NULL,
				"not in bridge mode: %s %s a bridge-mode setting (the daemon runs "
				"in NAT mode)", what, what[0] && what[strlen(what) - 1] == 's' ?
				"are" : "is");
	return cmd_fail(res, CMD_UNAVAILABLE, NULL, "%s: not available in this build", what);
}

int cmd_interfaces(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	return cmd_bridge_only(ctx, "host interfaces", res);
}

int cmd_interface_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	return cmd_bridge_only(ctx, "the bridged interface", res);
}

int cmd_nfs_ip_get(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	return cmd_bridge_only(ctx, "the NFS server IP", res);
}

int cmd_nfs_ip_set(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	return cmd_bridge_only(ctx, "the NFS server IP", res);
}

int cmd_nfs_ip_suggest(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	return cmd_bridge_only(ctx, "the NFS server IP", res);
}

int cmd_capture_access(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	return cmd_bridge_only(ctx, "packet capture", res);
}

int cmd_capture_enable(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	(void)args;
	return cmd_bridge_only(ctx, "packet capture", res);
}
