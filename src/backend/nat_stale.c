/* SPDX-License-Identifier: MIT */
/* nat_stale.c: guests still on a lease of an earlier NAT subnet: held inside the host, DNS relayed. */
#include <arpa/inet.h>
#include <string.h>

#include "backend/nat_stale.h"
#include "core/eth.h"
#include "core/ipv4.h"

/*
 * Worked example: the NAT moves from 10.1.0.0/24 to 192.168.0.0/24 while
 * the guest holds 10.1.0.2.  The list is {10.1.0.0/24}.  The guest's query
 * 10.1.0.2 -> 10.1.0.1:53 is judged with the relay map {net 10.1.0.0/24,
 * gw 10.1.0.1, hidden 192.168.0.255, relay_from 192.168.0.1}: nat_dns
 * sends it to libslirp as a query to 192.168.0.255; libslirp's answer to
 * 10.1.0.2 (from 192.168.0.1:53 over UDP, from 192.168.0.255:53 over TCP;
 * libslirp finds the guest's MAC by ARP from 192.168.0.1) leaves as an
 * answer from 10.1.0.1.  The guest's ping of 10.1.0.1, its TCP
 * to 10.1.0.1:80 and its UDP to 10.1.0.255 are dropped and counted.  Once
 * it renews into 192.168.0.2, its frames are judged as any others.
 */

#define NS_SRC (ETH_HLEN + 12) /* IPv4 source and destination in an untagged frame */
#define NS_DST (ETH_HLEN + 16)

static bool ns_in(const struct nat_dns_map *m, uint32_t a)
{
	return (a & m->mask) == m->net;
}

static bool ns_same_subnet(const struct nat_dns_map *a, const struct nat_dns_map *b)
{
	return a->net == b->net && a->mask == b->mask;
}

void nat_stale_push(struct nat_stale *s, const struct nat_dns_map *prev, const struct nat_dns_map *cur)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < s->n; i++)
		if (!ns_same_subnet(&s->old[i], prev) && !ns_same_subnet(&s->old[i], cur))
			s->old[kept++] = s->old[i];
	s->n = kept;
	if (ns_same_subnet(prev, cur))
		return;
	if (s->n == NAT_STALE_MAX)
		s->n--; /* the oldest is forgotten */
	memmove(&s->old[1], &s->old[0], s->n * sizeof(s->old[0]));
	s->old[0] = *prev;
	s->n++;
}

/* the IPv4 addresses of an untagged frame; false when it is not IPv4 */
static bool ns_addrs(const uint8_t *f, size_t len, uint32_t *src, uint32_t *dst)
{
	if (len < ETH_HLEN + IPV4_HLEN || ((unsigned)f[12] << 8 | f[13]) != ETHERTYPE_IPV4 || (f[ETH_HLEN] >> 4) != 4)
		return false;
	memcpy(src, f + NS_SRC, 4);
	memcpy(dst, f + NS_DST, 4);
	return true;
}

static void ns_relay(const struct nat_dns_map *old, const struct nat_dns_map *cur, struct nat_dns_map *relay)
{
	*relay = *old;
	relay->hidden = cur->hidden;
	relay->relay_from = cur->gw;
}

bool nat_stale_guest(const struct nat_stale *s, const struct nat_dns_map *cur, const uint8_t *frame, size_t len,
		     struct nat_dns_map *relay)
{
	uint32_t src, dst;

	if (!s->n || !ns_addrs(frame, len, &src, &dst) || ns_in(cur, src))
		return false;
	for (unsigned i = 0; i < s->n; i++) {
		if (ns_in(&s->old[i], src) && ns_in(&s->old[i], dst)) {
			ns_relay(&s->old[i], cur, relay);
			return true;
		}
	}
	return false;
}

bool nat_stale_slirp(const struct nat_stale *s, const struct nat_dns_map *cur, const uint8_t *frame, size_t len,
		     struct nat_dns_map *relay)
{
	uint32_t src, dst;

	if (!s->n || !ns_addrs(frame, len, &src, &dst) || ns_in(cur, dst))
		return false;
	for (unsigned i = 0; i < s->n; i++) {
		if (ns_in(&s->old[i], dst)) {
			ns_relay(&s->old[i], cur, relay);
			return true;
		}
	}
	return false;
}
