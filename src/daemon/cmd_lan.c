/* SPDX-License-Identifier: MIT */
/* cmd_lan.c: bridge mode's LAN addressing for mount help: the capture interface's netmask and the host's default gateway on it. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_int.h"

/*
 * In bridge mode the guest sits on the host's LAN, so the IRIX lines of
 * mount help want the LAN's mask and router.  The mask is the prefix of
 * the capture interface's first IPv4 address (indynet_interface_list());
 * the router is the host's own default route through that interface
 * (/proc/net/route: "Iface Destination Gateway Flags ...", addresses as
 * the kernel's __be32 in hex, so the number read is already in network
 * byte order).  Either may be unknown: the caller leaves its line out.
 */

#define CMD_RTF_UP 0x0001
#define CMD_RTF_GATEWAY 0x0002

int cmd_lan_route_gateway(FILE *routes, const char *ifname, uint32_t *gw)
{
	char line[256], name[64];
	unsigned dst, via, flags;

	*gw = 0;
	while (fgets(line, sizeof(line), routes)) {
		if (sscanf(line, "%63s %x %x %x", name, &dst, &via, &flags) != 4)
			continue;
		if (strcmp(name, ifname) == 0 && dst == 0 && via != 0 &&
		    (flags & (CMD_RTF_UP | CMD_RTF_GATEWAY)) == (CMD_RTF_UP | CMD_RTF_GATEWAY)) {
			*gw = via;
			return 0;
		}
	}
	return -1;
}

int cmd_lan_prefix(const char *addresses, unsigned *prefix)
{
	char word[64];
	unsigned a, b, c, d, p;
	int used;

	for (const char *s = addresses; sscanf(s, " %63s%n", word, &used) == 1; s += used) {
		char tail;

		if (sscanf(word, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &p, &tail) == 5 && p <= 32) {
			*prefix = p;
			return 0;
		}
	}
	return -1;
}

/* the prefix of @ifname's first IPv4 address, from the interface list */
static int cmd_lan_if_prefix(const char *ifname, unsigned *prefix)
{
	struct indynet_interface *ifs;
	char err[128];
	int n, rc = -1;

	n = indynet_interface_list(NULL, 0, err, sizeof(err));
	if (n <= 0 || !(ifs = calloc((size_t)n, sizeof(*ifs))))
		return -1;
	n = indynet_interface_list(ifs, (size_t)n, err, sizeof(err));
	for (int i = 0; i < n && rc < 0; i++)
		if (strcmp(ifs[i].name, ifname) == 0)
			rc = cmd_lan_prefix(ifs[i].addresses, prefix);
	free(ifs);
	return rc;
}

static void cmd_lan_gateway(const char *ifname, struct cmd_lan *lan)
{
	FILE *f = fopen("/proc/net/route", "r");
	uint32_t gw;

	if (!f)
		return;
	if (cmd_lan_route_gateway(f, ifname, &gw) == 0)
		inet_ntop(AF_INET, &gw, lan->gateway, sizeof(lan->gateway));
	fclose(f);
}

void cmd_lan_get(struct cmd_ctx *ctx, struct cmd_lan *lan)
{
	struct indynet_capture_status cs;
	unsigned prefix;
	uint32_t mask;

	memset(lan, 0, sizeof(*lan));
	indynet_capture_status_get(ctx->eng, &cs);
	snprintf(lan->interface, sizeof(lan->interface), "%s", cs.interface);
	if (!cs.interface[0])
		return;
	if (cmd_lan_if_prefix(cs.interface, &prefix) == 0) {
		mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
		snprintf(lan->netmask_hex, sizeof(lan->netmask_hex), "0x%08x", mask);
		mask = htonl(mask);
		inet_ntop(AF_INET, &mask, lan->netmask, sizeof(lan->netmask));
	}
	cmd_lan_gateway(cs.interface, lan);
}
