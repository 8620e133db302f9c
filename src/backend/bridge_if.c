/* SPDX-License-Identifier: MIT */
/* bridge_if.c: the host interfaces a bridge can capture on, and picking one by name, index or "auto". */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/bridge_if.h"

/* prefix length of an IPv4 or IPv6 netmask */
static unsigned if_prefix(const struct sockaddr *mask)
{
	const uint8_t *b;
	size_t len;
	unsigned bits = 0;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET) {
		b = (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
		len = 4;
	} else {
		b = (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		len = 16;
	}
	for (size_t i = 0; i < len; i++)
		bits += (unsigned)__builtin_popcount(b[i]);
	return bits;
}

/* append "ADDR/PREFIX" of one address to @ifc->addresses */
static void if_add_addr(struct indynet_interface *ifc, const pcap_addr_t *a)
{
	char text[INET6_ADDRSTRLEN];
	const void *src;
	size_t used = strlen(ifc->addresses);

	if (!a->addr || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6))
		return;
	src = a->addr->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)a->addr)->sin_addr :
					      (const void *)&((const struct sockaddr_in6 *)a->addr)->sin6_addr;
	if (!inet_ntop(a->addr->sa_family, src, text, sizeof(text)))
		return;
	ifc->has_ipv4 |= a->addr->sa_family == AF_INET;
	snprintf(ifc->addresses + used, sizeof(ifc->addresses) - used, "%s%s/%u", used ? " " : "", text,
		 if_prefix(a->netmask));
}

static void if_fill(struct indynet_interface *ifc, unsigned index, const pcap_if_t *d)
{
	*ifc = (struct indynet_interface){ .index = index };
	snprintf(ifc->name, sizeof(ifc->name), "%s", d->name);
	snprintf(ifc->description, sizeof(ifc->description), "%s", d->description ? d->description : "");
	ifc->up = d->flags & PCAP_IF_UP;
	ifc->running = d->flags & PCAP_IF_RUNNING;
	ifc->loopback = d->flags & PCAP_IF_LOOPBACK;
	ifc->wireless = d->flags & PCAP_IF_WIRELESS;
	for (const pcap_addr_t *a = d->addresses; a; a = a->next)
		if_add_addr(ifc, a);
}

int bridge_if_list(struct indynet_interface *out, size_t max, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all;
	unsigned n = 0;

	if (pcap_findalldevs(&all, ebuf) < 0) {
		snprintf(err, errlen, "cannot list interfaces: %s", ebuf);
		return -EIO;
	}
	for (const pcap_if_t *d = all; d; d = d->next) {
		if (if_nametoindex(d->name) == 0)
			continue; /* "any", nflog, usbmon ...: not a network interface */
		if (n < max)
			if_fill(&out[n], n + 1, d);
		n++;
	}
	pcap_freealldevs(all);
	return (int)n;
}

static bool if_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int if_auto(const struct indynet_interface *list, size_t n, char *name, size_t namelen, char *err,
		   size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i].up && list[i].running && !list[i].loopback && list[i].has_ipv4) {
			snprintf(name, namelen, "%s", list[i].name);
			return 0;
		}
	}
	snprintf(err, errlen, "no suitable non-loopback interface found; pass --interface");
	return -ENODEV;
}

int bridge_if_choose(const char *spec, const struct indynet_interface *list, size_t n, char *name, size_t namelen,
		     char *err, size_t errlen)
{
	if (!spec || !*spec || strcmp(spec, "auto") == 0)
		return if_auto(list, n, name, namelen, err, errlen);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].name, spec) == 0) {
			snprintf(name, namelen, "%s", spec);
			return 0;
		}
	}
	if (if_all_digits(spec)) {
		unsigned long idx = strtoul(spec, NULL, 10);

		if (idx < 1 || idx > n) {
			snprintf(err, errlen, "interface index %s is out of range (1-%zu; see --list-interfaces)", spec, n);
			return -ENODEV;
		}
		snprintf(name, namelen, "%s", list[idx - 1].name);
		return 0;
	}
	if (strlen(spec) >= IF_NAMESIZE || strpbrk(spec, "/ \t\n:")) {
		snprintf(err, errlen, "'%s' is not a valid interface name", spec);
		return -EINVAL;
	}
	snprintf(name, namelen, "%s", spec);
	return 0;
}

/* fold one getifaddrs() entry of the interface into @out; true when it was its first IPv4 address */
static bool if_lan_entry(const struct ifaddrs *a, struct backend_lan *out, bool have_ip)
{
	if (a->ifa_addr->sa_family == AF_PACKET) {
		const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;

		if (ll->sll_halen == 6)
			memcpy(out->host_mac, ll->sll_addr, 6);
		return false;
	}
	if (a->ifa_addr->sa_family != AF_INET || have_ip || !a->ifa_netmask)
		return false;
	out->host_ip = ((const struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
	out->net = out->host_ip & ((const struct sockaddr_in *)a->ifa_netmask)->sin_addr.s_addr;
	out->prefix = if_prefix(a->ifa_netmask);
	return true;
}

int bridge_if_lan(const char *name, struct backend_lan *out)
{
	struct ifaddrs *all;
	bool have_ip = false;

	memset(out, 0, sizeof(*out));
	if (getifaddrs(&all) < 0)
		return -ENOENT;
	for (const struct ifaddrs *a = all; a; a = a->ifa_next)
		if (a->ifa_addr && strcmp(a->ifa_name, name) == 0)
			have_ip |= if_lan_entry(a, out, have_ip);
	freeifaddrs(all);
	snprintf(out->ifname, sizeof(out->ifname), "%s", name);
	return have_ip ? 0 : -ENOENT;
}

bool bridge_if_wireless(const char *name)
{
	static const char *const marks[] = { "wireless", "phy80211" };
	const char *root = secure_getenv("INDYNET_SYSFS_ROOT");
	char path[512];

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		snprintf(path, sizeof(path), "%s/class/net/%s/%s", root ? root : "/sys", name, marks[i]);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

int indynet_interface_list(struct indynet_interface *out, size_t max, char *err, size_t errlen)
{
	char tmp[256];

	return bridge_if_list(out, out ? max : 0, err ? err : tmp, err ? errlen : sizeof(tmp));
}
