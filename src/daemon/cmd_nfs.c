/* SPDX-License-Identifier: MIT */
/* cmd_nfs.c: mount help - the guest commands that mount the export, for the mode's NFS address. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

/*
 * Worked example (NAT, subnet 192.168.0.0/24, guest leased .2):
 *   linux: mkdir -p /mnt
 *          mount -t nfs -o vers=3,proto=udp,nolock 192.168.0.1:/ /mnt
 *   irix:  /usr/etc/ifconfig ec0 inet 192.168.0.2 netmask 0xffffff00 up
 *          /usr/etc/route add default 192.168.0.1 1
 *          mkdir /shared
 *          mount 192.168.0.1:/ /shared
 * The NFS address is the gateway in NAT mode (the phantom IP in bridge mode).
 */

struct cmd_addrs {
	char nfs[INET_ADDRSTRLEN];
	char guest[INET_ADDRSTRLEN];
	char gateway[INET_ADDRSTRLEN];
	char netmask_hex[12];
};

/* The guest's leased address when known, else the first one DHCP hands out. */
static void cmd_mount_addrs(struct cmd_ctx *ctx, struct cmd_addrs *a)
{
	struct indynet_stats st;
	struct in_addr mask;
	json_t *nat;

	pthread_mutex_lock(&ctx->lock);
	nat = cmd_subnet_json(ctx->subnet);
	pthread_mutex_unlock(&ctx->lock);
	snprintf(a->gateway, sizeof(a->gateway), "%s",
		 json_string_value(json_object_get(nat, "gateway")));
	snprintf(a->nfs, sizeof(a->nfs), "%s", a->gateway);
	snprintf(a->guest, sizeof(a->guest), "%s", json_string_value(json_object_get(nat, "guest")));
	inet_pton(AF_INET, json_string_value(json_object_get(nat, "netmask")), &mask);
	snprintf(a->netmask_hex, sizeof(a->netmask_hex), "0x%08x", ntohl(mask.s_addr));
	json_decref(nat);
	indynet_stats_get(ctx->eng, &st);
	if (st.guest_ip)
		inet_ntop(AF_INET, &st.guest_ip, a->guest, sizeof(a->guest));
}

static json_t *cmd_mount_linux(const struct cmd_ctx *ctx, const struct cmd_addrs *a)
{
	char mount[128];

	snprintf(mount, sizeof(mount), "mount -t nfs -o vers=%d,proto=udp,nolock %s:/ /mnt",
		 ctx->opts->nfs_version == INDYNET_NFS_V2 ? 2 : 3, a->nfs);
	return json_pack("[s, s]", "mkdir -p /mnt", mount);
}

static json_t *cmd_mount_irix(const struct cmd_ctx *ctx, const struct cmd_addrs *a)
{
	char ifc[128], route[96], mount[96];

	snprintf(ifc, sizeof(ifc), "/usr/etc/ifconfig ec0 inet %s netmask %s up", a->guest,
		 a->netmask_hex);
	snprintf(route, sizeof(route), "/usr/etc/route add default %s 1", a->gateway);
	snprintf(mount, sizeof(mount), "mount %s%s:/ /shared",
		 ctx->opts->nfs_version == INDYNET_NFS_V2 ? "-o vers=2 " : "", a->nfs);
	return json_pack("[s, s, s, s]", ifc, route, "mkdir /shared", mount);
}

int cmd_mount_help(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct cmd_addrs a;
	const char *os;
	json_t *body;

	if (cmd_arg_string(args, "os", &os, res))
		return -1;
	if (os && strcmp(os, "linux") != 0 && strcmp(os, "irix") != 0)
		return cmd_fail(res, CMD_BAD_REQUEST, "os", "os '%.20s' is not linux or irix", os);
	if (!ctx->opts->export_dir)
		return cmd_fail(res, CMD_CONFLICT, NULL,
				"no NFS export: start indynetd with --export DIR to serve one");
	if (ctx->opts->mode != INDYNET_MODE_NAT)
		return cmd_fail(res, CMD_UNAVAILABLE, NULL,
				"mount help in bridge mode: not available in this build");
	cmd_mount_addrs(ctx, &a);
	body = json_pack("{s:s, s:s, s:s, s:s}", "address", a.nfs, "export", "/", "guest_ip",
			 a.guest, "gateway", a.gateway);
	if (!os || strcmp(os, "linux") == 0)
		json_object_set_new(body, "linux", cmd_mount_linux(ctx, &a));
	if (!os || strcmp(os, "irix") == 0)
		json_object_set_new(body, "irix", cmd_mount_irix(ctx, &a));
	res->body = body;
	return 0;
}
