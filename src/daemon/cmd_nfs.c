/* SPDX-License-Identifier: MIT */
/* cmd_nfs.c: mount help - the guest commands that mount the export, for the mode's NFS address. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

/*
 * Worked example (NAT, subnet 192.168.0.0/24, guest leased .2):
 *   linux: mkdir -p /mnt
 *          mount -t nfs -o vers=3,nolock 192.168.0.1:/ /mnt   (TCP: every distribution)
 *   irix:  /usr/etc/ifconfig ec0 inet 192.168.0.2 netmask 0xffffff00 up
 *          /usr/etc/route add default 192.168.0.1 1
 *          mkdir /shared
 *          mount 192.168.0.1:/ /shared
 * The NFS address is the gateway in NAT mode.  In bridge mode it is the
 * phantom host's address (409 until one is claimed), and the guest's mask
 * and router are the LAN's (cmd_lan.c): the ifconfig line needs the
 * guest's address as learned from its traffic, the route line the host's
 * default gateway on the capture interface; each is left out while unknown.
 */

struct cmd_addrs {
	char nfs[INET_ADDRSTRLEN];
	char guest[INET_ADDRSTRLEN];     /* "" = unknown (bridge mode before the guest talks) */
	char gateway[INET_ADDRSTRLEN];   /* "" = unknown */
	char netmask[INET_ADDRSTRLEN];
	char netmask_hex[12];            /* "" = unknown */
};

static void cmd_learned_guest(struct cmd_ctx *ctx, struct cmd_addrs *a)
{
	struct indynet_stats st;

	indynet_stats_get(ctx->eng, &st);
	if (st.guest_ip)
		inet_ntop(AF_INET, &st.guest_ip, a->guest, sizeof(a->guest));
}

/* NAT: the guest's leased address when known, else the first one DHCP hands out. */
static void cmd_mount_addrs_nat(struct cmd_ctx *ctx, struct cmd_addrs *a)
{
	struct in_addr mask;
	json_t *nat;

	pthread_mutex_lock(&ctx->lock);
	nat = cmd_subnet_json(ctx->subnet);
	pthread_mutex_unlock(&ctx->lock);
	snprintf(a->gateway, sizeof(a->gateway), "%s",
		 json_string_value(json_object_get(nat, "gateway")));
	snprintf(a->nfs, sizeof(a->nfs), "%s", a->gateway);
	snprintf(a->guest, sizeof(a->guest), "%s", json_string_value(json_object_get(nat, "guest")));
	snprintf(a->netmask, sizeof(a->netmask), "%s", json_string_value(json_object_get(nat, "netmask")));
	inet_pton(AF_INET, a->netmask, &mask);
	snprintf(a->netmask_hex, sizeof(a->netmask_hex), "0x%08x", ntohl(mask.s_addr));
	json_decref(nat);
	cmd_learned_guest(ctx, a);
}

/* bridge: the phantom's address (it must be serving), the LAN's mask and router */
static int cmd_mount_addrs_bridge(struct cmd_ctx *ctx, struct cmd_addrs *a, struct cmd_result *res)
{
	struct indynet_phantom_status ph;
	struct cmd_lan lan;

	indynet_phantom_get(ctx->eng, &ph);
	if (ph.state != INDYNET_PHANTOM_ACTIVE)
		return cmd_fail(res, CMD_CONFLICT, NULL,
				"no NFS server IP is serving yet (phantom %s%s%s): set one with PUT /api/nfs-ip "
				"(GET /api/nfs-ip/suggest finds a free one)", indynet_phantom_state_name(ph.state),
				ph.error[0] ? ": " : "", ph.error);
	inet_ntop(AF_INET, &ph.ip, a->nfs, sizeof(a->nfs));
	cmd_lan_get(ctx, &lan);
	snprintf(a->gateway, sizeof(a->gateway), "%s", lan.gateway);
	snprintf(a->netmask, sizeof(a->netmask), "%s", lan.netmask);
	snprintf(a->netmask_hex, sizeof(a->netmask_hex), "%s", lan.netmask_hex);
	cmd_learned_guest(ctx, a);
	return 0;
}

static json_t *cmd_mount_linux(const struct cmd_ctx *ctx, const struct cmd_addrs *a)
{
	char mount[128];

	snprintf(mount, sizeof(mount), "mount -t nfs -o vers=%d,%snolock %s:/ /mnt",
		 ctx->opts->nfs_version == INDYNET_NFS_V2 ? 2 : 3,
		 ctx->opts->nfs_transport == INDYNET_NFS_TRANSPORT_UDP ? "proto=udp," : "", a->nfs);
	return json_pack("[s, s]", "mkdir -p /mnt", mount);
}

static json_t *cmd_mount_irix(const struct cmd_ctx *ctx, const struct cmd_addrs *a)
{
	char line[128];
	json_t *lines = json_array();

	if (a->guest[0] && a->netmask_hex[0]) {
		snprintf(line, sizeof(line), "/usr/etc/ifconfig ec0 inet %s netmask %s up", a->guest,
			 a->netmask_hex);
		json_array_append_new(lines, json_string(line));
	}
	if (a->gateway[0]) {
		snprintf(line, sizeof(line), "/usr/etc/route add default %s 1", a->gateway);
		json_array_append_new(lines, json_string(line));
	}
	json_array_append_new(lines, json_string("mkdir /shared"));
	snprintf(line, sizeof(line), "mount %s%s:/ /shared",
		 ctx->opts->nfs_version == INDYNET_NFS_V2 ? "-o vers=2 " : "", a->nfs);
	json_array_append_new(lines, json_string(line));
	return lines;
}

/* "" as null */
static json_t *cmd_opt_string(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

int cmd_mount_help(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct cmd_addrs a = { 0 };
	const char *os;
	json_t *body;

	if (cmd_arg_string(args, "os", &os, res))
		return -1;
	if (os && strcmp(os, "linux") != 0 && strcmp(os, "irix") != 0)
		return cmd_fail(res, CMD_BAD_REQUEST, "os", "os '%.20s' is not linux or irix", os);
	if (!ctx->opts->export_dir)
		return cmd_fail(res, CMD_CONFLICT, NULL,
				"no NFS export: start indynetd with --export DIR to serve one");
	if (ctx->opts->mode == INDYNET_MODE_NAT)
		cmd_mount_addrs_nat(ctx, &a);
	else if (cmd_mount_addrs_bridge(ctx, &a, res) < 0)
		return -1;
	body = json_pack("{s:s, s:s, s:o, s:o, s:o}", "address", a.nfs, "export", "/", "guest_ip",
			 cmd_opt_string(a.guest), "gateway", cmd_opt_string(a.gateway), "netmask",
			 cmd_opt_string(a.netmask));
	if (!os || strcmp(os, "linux") == 0)
		json_object_set_new(body, "linux", cmd_mount_linux(ctx, &a));
	if (!os || strcmp(os, "irix") == 0)
		json_object_set_new(body, "irix", cmd_mount_irix(ctx, &a));
	res->body = body;
	return 0;
}
