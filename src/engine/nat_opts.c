/* SPDX-License-Identifier: MIT */
/* nat_opts.c: the NAT options of struct indynet_config (version 5), checked and turned into the backend's. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/nat_opts.h"

#define NO_PREFIX6_DEFAULT "fd00::/64"
#define NO_PREFIX6_LEN 64u /* SLAAC gives addresses in a /64 only */
#define NO_LABEL_MAX 63u
#define NO_NAME_MAX 253u
#define NO_BOOTFILE_MAX 127u /* BOOTP's file field holds 128 bytes */

/* a DNS name: labels of 1-63 letters, digits and hyphens, not starting or ending with one */
static bool no_name_ok(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > NO_NAME_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? s[i] : '.';

		if (ch == '.') {
			if (label == 0 || label > NO_LABEL_MAX || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-') {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

/* the address part of "PREFIX/LEN" */
static bool no_prefix6_addr(const char *text, const char *slash, struct in6_addr *out)
{
	char addr[INET6_ADDRSTRLEN];
	size_t alen = (size_t)(slash - text);

	if (alen >= sizeof(addr))
		return false;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	return inet_pton(AF_INET6, addr, out) == 1;
}

static int no_prefix6(const char *text, struct in6_addr *out, char *err, size_t errlen)
{
	const char *slash = strchr(text, '/');

	if (!slash || !no_prefix6_addr(text, slash, out)) {
		snprintf(err, errlen, "IPv6 prefix '%s' is not PREFIX/LEN (e.g. fd00::/64)", text);
		return -EINVAL;
	}
	if (strcmp(slash + 1, "64") != 0) {
		snprintf(err, errlen, "IPv6 prefix '%s': the length must be /%u (SLAAC gives addresses in a /64 only)",
			 text, NO_PREFIX6_LEN);
		return -EINVAL;
	}
	for (size_t i = NO_PREFIX6_LEN / 8; i < 16; i++)
		if (out->s6_addr[i]) {
			snprintf(err, errlen, "IPv6 prefix '%s' has host bits set after /%u", text, NO_PREFIX6_LEN);
			return -EINVAL;
		}
	return 0;
}

/* the first IPv4 address of interface @name */
static bool no_iface_addr(const char *name, uint32_t *out)
{
	struct ifaddrs *list, *i;
	bool found = false;

	if (getifaddrs(&list) < 0)
		return false;
	for (i = list; i && !found; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && strcmp(i->ifa_name, name) == 0) {
			*out = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr;
			found = true;
		}
	freeifaddrs(list);
	return found;
}

static int no_outbound(const char *text, uint32_t *out, char *err, size_t errlen)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) == 1 && a.s_addr != 0) {
		*out = a.s_addr;
		return 0;
	}
	if (no_iface_addr(text, out))
		return 0;
	snprintf(err, errlen, "outbound address '%s' is neither an IPv4 address nor an interface with one", text);
	return -EINVAL;
}

/* "a.example,b.example" into @o->search, pointing into @o->search_text */
static int no_search(const char *text, struct backend_nat_opts *o, char *err, size_t errlen)
{
	size_t n = 0;
	char *save = NULL;

	if (strlen(text) > BACKEND_DNS_SEARCH_LEN) {
		snprintf(err, errlen, "DNS search list '%s' is longer than %u characters", text, BACKEND_DNS_SEARCH_LEN);
		return -EINVAL;
	}
	strcpy(o->search_text, text);
	for (char *d = strtok_r(o->search_text, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
		if (n == BACKEND_DNS_SEARCH_MAX) {
			snprintf(err, errlen, "DNS search list '%s' has more than %u domains", text, BACKEND_DNS_SEARCH_MAX);
			return -EINVAL;
		}
		if (!no_name_ok(d, strlen(d))) {
			snprintf(err, errlen, "DNS search list '%s': '%s' is not a domain name", text, d);
			return -EINVAL;
		}
		o->search[n++] = d;
	}
	o->search[n] = NULL;
	return 0;
}

/* "ADDR", IPv4 or IPv6, as the resolver's address on port 53 */
static int no_dns(const char *text, struct backend_nat_opts *o, char *err, size_t errlen)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&o->dns;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&o->dns;

	if (inet_pton(AF_INET, text, &in->sin_addr) == 1 && in->sin_addr.s_addr != 0) {
		in->sin_family = AF_INET;
		in->sin_port = htons(53);
		o->dns_len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1 && !IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(53);
		o->dns_len = sizeof(*in6);
		return 0;
	}
	snprintf(err, errlen, "DNS resolver '%s' is not an IPv4 or IPv6 address", text);
	return -EINVAL;
}

int nat_opts_parse(const struct indynet_config *c, struct backend_nat_opts *out, char *err, size_t errlen)
{
	int rc;

	*out = (struct backend_nat_opts){ .ipv6 = c->nat_ipv6, .no_host_loopback = c->nat_no_host_loopback,
					  .restrict_guest = c->nat_restrict, .hostname = c->nat_hostname,
					  .tftp_dir = c->nat_tftp_dir, .bootfile = c->nat_bootfile };
	if ((rc = no_prefix6(c->nat_prefix6 ? c->nat_prefix6 : NO_PREFIX6_DEFAULT, &out->prefix6, err, errlen)) < 0)
		return rc;
	if (c->nat_hostname && !no_name_ok(c->nat_hostname, strlen(c->nat_hostname))) {
		snprintf(err, errlen, "hostname '%s' is not a DNS name (letters, digits, hyphens and dots)",
			 c->nat_hostname);
		return -EINVAL;
	}
	if (c->nat_dns_search && (rc = no_search(c->nat_dns_search, out, err, errlen)) < 0)
		return rc;
	if (c->nat_dns && (rc = no_dns(c->nat_dns, out, err, errlen)) < 0)
		return rc;
	if (c->nat_bootfile && (!c->nat_tftp_dir || !*c->nat_bootfile || strlen(c->nat_bootfile) > NO_BOOTFILE_MAX)) {
		snprintf(err, errlen, "boot file '%s' needs a TFTP folder and at most %u characters", c->nat_bootfile,
			 NO_BOOTFILE_MAX);
		return -EINVAL;
	}
	return c->nat_outbound_addr ? no_outbound(c->nat_outbound_addr, &out->outbound, err, errlen) : 0;
}
