/* SPDX-License-Identifier: MIT */
/* arp_probe.c: RFC 5227 address conflict detection for up to 16 addresses at once. */
#include <string.h>

#include "core/arp.h"
#include "core/eth.h"
#include "engine/arp_probe.h"

/*
 * Theory of operation
 *
 * RFC 5227 section 2.1: wait a random time in [0, PROBE_WAIT], then send
 * PROBE_NUM ARP probes (requests with sender IP 0.0.0.0, target IP the
 * address) spaced a random [PROBE_MIN, PROBE_MAX] apart, then wait
 * ANNOUNCE_WAIT.  An address is in use when, from the start of the run on, any
 * ARP packet names it as sender IP (a reply from its owner, or the owner's
 * own traffic), or another MAC probes for it too.  If nothing did by the
 * end, it is free.
 *
 * Every address of a run is probed in the same rounds, so checking sixteen
 * candidates costs what checking one does (about 3.5 to 7 s with the RFC
 * timing).  The caller feeds the run every frame it sees on the segment
 * and calls arp_probe_tick() at arp_probe_deadline(); there is no clock
 * or I/O inside, which is how the unit tests drive it with a fake clock.
 *
 * Worked example (seed fixed, RFC timing, start at t = 0): the first
 * tick due at t = 0..1000 sends probes 1, the next at +1000..2000 probes
 * 2, then probes 3; 2000 ms after probes 3 every address still pending
 * becomes FREE and the run stops.
 */

static const uint8_t arp_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* xorshift32: uniform enough for jitter, never 0 */
static uint32_t ap_rand(struct arp_probe *p, uint32_t lo, uint32_t hi)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 17;
	p->rng ^= p->rng << 5;
	return hi > lo ? lo + p->rng % (hi - lo + 1) : lo;
}

void arp_probe_start(struct arp_probe *p, const uint8_t mac[6], const uint32_t *addrs, size_t n,
		     const struct arp_probe_timing *t, uint64_t now_ms, uint32_t seed)
{
	memset(p, 0, sizeof(*p));
	p->t = *t;
	memcpy(p->mac, mac, ETH_ALEN);
	p->n = n > ARP_PROBE_MAX ? ARP_PROBE_MAX : (unsigned)n;
	memcpy(p->addr, addrs, p->n * sizeof(*addrs));
	p->rng = seed ? seed : 0x9e3779b9u;
	p->running = p->n > 0;
	p->next_ms = now_ms + ap_rand(p, 0, t->wait_ms);
}

/* the index of a pending address, or -1 */
static int ap_pending(const struct arp_probe *p, uint32_t ip)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->addr[i] == ip && p->verdict[i] == ARP_PROBE_PENDING)
			return (int)i;
	return -1;
}

static void ap_taken(struct arp_probe *p, int i, const uint8_t *mac)
{
	if (i < 0)
		return;
	p->verdict[i] = ARP_PROBE_TAKEN;
	memcpy(p->taken_by[i], mac, ETH_ALEN);
}

void arp_probe_observe(struct arp_probe *p, const uint8_t *frame, size_t len)
{
	struct eth_view eth;
	struct arp_view a;

	if (!p->running || eth_parse(frame, len, &eth) != 0 || eth.ethertype != ETHERTYPE_ARP ||
	    arp_parse(eth.payload, eth.payload_len, &a) != 0 || memcmp(a.sha, p->mac, ETH_ALEN) == 0)
		return;
	if (a.spa != 0)
		ap_taken(p, ap_pending(p, a.spa), a.sha);
	else if (a.op == ARP_OP_REQUEST)
		ap_taken(p, ap_pending(p, a.tpa), a.sha); /* another host probes for it: RFC 5227 2.1.1 */
}

static void ap_send_round(struct arp_probe *p, arp_probe_send_fn send, void *opaque)
{
	static const uint8_t zero[ETH_ALEN];
	uint8_t f[ETH_ZLEN];

	for (unsigned i = 0; i < p->n; i++) {
		size_t len;

		if (p->verdict[i] != ARP_PROBE_PENDING)
			continue;
		len = arp_build(f, sizeof(f), arp_bcast, ARP_OP_REQUEST, p->mac, 0, zero, p->addr[i]);
		if (len)
			send(opaque, f, len);
	}
}

/* every pending address is free; the run ends */
static void ap_finish(struct arp_probe *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->verdict[i] == ARP_PROBE_PENDING)
			p->verdict[i] = ARP_PROBE_FREE;
	p->running = false;
}

static bool ap_all_taken(const struct arp_probe *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->verdict[i] != ARP_PROBE_TAKEN)
			return false;
	return true;
}

bool arp_probe_tick(struct arp_probe *p, uint64_t now_ms, arp_probe_send_fn send, void *opaque)
{
	if (!p->running)
		return false;
	if (ap_all_taken(p)) {
		p->running = false;
		return false;
	}
	if (now_ms < p->next_ms)
		return true;
	if (p->sent == p->t.num) {
		ap_finish(p);
		return false;
	}
	ap_send_round(p, send, opaque);
	p->sent++;
	p->next_ms = now_ms + (p->sent < p->t.num ? ap_rand(p, p->t.min_ms, p->t.max_ms) : p->t.announce_wait_ms);
	return true;
}

uint64_t arp_probe_deadline(const struct arp_probe *p)
{
	return p->running ? p->next_ms : UINT64_MAX;
}

enum arp_probe_verdict arp_probe_result(const struct arp_probe *p, size_t i, uint8_t mac[6])
{
	if (i >= p->n)
		return ARP_PROBE_PENDING;
	if (mac && p->verdict[i] == ARP_PROBE_TAKEN)
		memcpy(mac, p->taken_by[i], ETH_ALEN);
	return (enum arp_probe_verdict)p->verdict[i];
}
