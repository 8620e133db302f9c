/* SPDX-License-Identifier: MIT */
/* bridge_hflow.c: bridge mode's host reach: the flows the host's own stack opened to the guest, told apart from the guest's. */
#include <string.h>

#include "backend/bridge_hflow.h"
#include "core/ipv4.h"

/*
 * Theory of operation
 *
 * A guest packet for the host's address H belongs to one of two kinds of
 * flow.  The guest opened it: it goes to host reach's private libslirp,
 * which opens a socket to H.  Or the host's stack opened it, connecting to
 * the guest's LAN address: the host's packets leave on the captured
 * interface, where the capture sees them on their way out (libpcap sees
 * both directions on Linux), and the guest's answers must reach the host's
 * stack itself.  libslirp's answers never cross the interface, so every
 * TCP or UDP packet the capture shows from H to the guest names a flow of
 * the host's stack: this table remembers those by port pair, and a guest
 * packet of a remembered pair is the host's.  A guest SYN without ACK is a
 * new connection of the guest's: it takes the pair back.  ICMP needs no
 * table: the guest's echo requests are its own pings, everything else
 * (echo replies, errors) answers the host.
 */

#define HF_TCP 6
#define HF_UDP 17
#define HF_ICMP 1
#define HF_ICMP_ECHO 8
#define HF_SYN 0x02
#define HF_ACK 0x10

struct hf_key {
	uint8_t proto;
	uint16_t gport, hport;
};

static size_t hf_hlen(const uint8_t *ip)
{
	return (size_t)(ip[0] & 0x0f) * 4u;
}

static bool hf_first_fragment(const uint8_t *ip)
{
	return ((ip[6] << 8 | ip[7]) & IPV4_OFFSET_MASK) == 0;
}

/* @ip's transport ports (source, destination), false when it has none to read */
static bool hf_ports(const uint8_t *ip, size_t len, uint16_t *sport, uint16_t *dport)
{
	size_t hl = hf_hlen(ip);

	if ((ip[9] != HF_TCP && ip[9] != HF_UDP) || !hf_first_fragment(ip) || len < hl + 4)
		return false;
	memcpy(sport, ip + hl, 2);
	memcpy(dport, ip + hl + 2, 2);
	return true;
}

static uint64_t hf_life(uint8_t proto)
{
	return proto == HF_TCP ? BRIDGE_HFLOW_TCP_MS : BRIDGE_HFLOW_UDP_MS;
}

static bool hf_live(const struct bridge_hflow_entry *e, uint64_t now)
{
	return e->proto && now - e->seen < hf_life(e->proto);
}

static struct bridge_hflow_entry *hf_find(struct bridge_hflow *t, struct hf_key k, uint64_t now)
{
	for (unsigned i = 0; i < BRIDGE_HFLOW_MAX; i++) {
		struct bridge_hflow_entry *e = &t->e[i];

		if (e->proto == k.proto && e->gport == k.gport && e->hport == k.hport && hf_live(e, now))
			return e;
	}
	return NULL;
}

/* a free or expired slot, else the one seen longest ago (counted) */
static struct bridge_hflow_entry *hf_slot(struct bridge_hflow *t, uint64_t now)
{
	struct bridge_hflow_entry *old = &t->e[0];

	for (unsigned i = 0; i < BRIDGE_HFLOW_MAX; i++) {
		if (!hf_live(&t->e[i], now))
			return &t->e[i];
		if (t->e[i].seen < old->seen)
			old = &t->e[i];
	}
	t->evicted++;
	return old;
}

void bridge_hflow_host(struct bridge_hflow *t, const uint8_t *ip, size_t len, uint64_t now)
{
	struct hf_key k = { .proto = ip[9] };
	struct bridge_hflow_entry *e;

	if (!hf_ports(ip, len, &k.hport, &k.gport))
		return;
	e = hf_find(t, k, now);
	if (!e) {
		e = hf_slot(t, now);
		*e = (struct bridge_hflow_entry){ .proto = k.proto, .gport = k.gport, .hport = k.hport };
	}
	e->seen = now;
}

static bool hf_guest_syn(const uint8_t *ip, size_t len)
{
	size_t hl = hf_hlen(ip);

	return ip[9] == HF_TCP && len >= hl + 14 && (ip[hl + 13] & (HF_SYN | HF_ACK)) == HF_SYN;
}

bool bridge_hflow_guest(struct bridge_hflow *t, const uint8_t *ip, size_t len, uint64_t now)
{
	struct hf_key k = { .proto = ip[9] };
	struct bridge_hflow_entry *e;

	if (k.proto == HF_ICMP)
		return hf_first_fragment(ip) && len > hf_hlen(ip) && ip[hf_hlen(ip)] != HF_ICMP_ECHO;
	if (!hf_ports(ip, len, &k.gport, &k.hport) || !(e = hf_find(t, k, now)))
		return false;
	if (hf_guest_syn(ip, len)) {
		e->proto = 0;
		return false;
	}
	e->seen = now;
	return true;
}
