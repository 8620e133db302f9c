/* SPDX-License-Identifier: MIT */
/* arp_probe.h: RFC 5227 address conflict detection for up to 16 addresses at once. */
#ifndef INDYNET_ENGINE_ARP_PROBE_H
#define INDYNET_ENGINE_ARP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most addresses one probe run checks. */
#define ARP_PROBE_MAX 16u

/** Timing (RFC 5227 section 1.1 constants); ARP_PROBE_RFC5227 is the standard. */
struct arp_probe_timing {
	uint32_t wait_ms;          /* PROBE_WAIT: random delay before the first probe */
	unsigned num;              /* PROBE_NUM: probes per address */
	uint32_t min_ms, max_ms;   /* PROBE_MIN/PROBE_MAX: random gap between probes */
	uint32_t announce_wait_ms; /* ANNOUNCE_WAIT: quiet time after the last probe */
};

#define ARP_PROBE_RFC5227 \
	((struct arp_probe_timing){ .wait_ms = 1000, .num = 3, .min_ms = 1000, .max_ms = 2000, .announce_wait_ms = 2000 })

enum arp_probe_verdict {
	ARP_PROBE_PENDING = 0, /* still probing */
	ARP_PROBE_FREE,        /* nobody answered in time */
	ARP_PROBE_TAKEN,       /* an ARP packet showed another host using (or probing) it */
};

/** Sends one probe frame (a broadcast ARP request, 42 bytes). */
typedef void (*arp_probe_send_fn)(void *opaque, const uint8_t *frame, size_t len);

/** One probe run; embed it, start it with arp_probe_start(). Fields are private. */
struct arp_probe {
	struct arp_probe_timing t;
	uint8_t mac[6];
	unsigned n, sent;
	bool running;
	uint64_t next_ms;
	uint32_t rng;
	uint32_t addr[ARP_PROBE_MAX];
	uint8_t verdict[ARP_PROBE_MAX];
	uint8_t taken_by[ARP_PROBE_MAX][6];
};

/**
 * arp_probe_start() - begin probing @n addresses in parallel.
 * @p: probe run (any previous run is forgotten)
 * @mac: the prober's MAC (sender hardware address of the probes)
 * @addrs: addresses, network byte order
 * @n: their number; at most ARP_PROBE_MAX are taken
 * @t: timing
 * @now_ms: monotonic clock
 * @seed: seeds the random delays (any value)
 */
void arp_probe_start(struct arp_probe *p, const uint8_t mac[6], const uint32_t *addrs, size_t n,
		     const struct arp_probe_timing *t, uint64_t now_ms, uint32_t seed);

/**
 * arp_probe_observe() - look at one frame seen on the segment (either direction).
 * @p: probe run
 * @frame: Ethernet frame
 * @len: its length
 *
 * An ARP packet whose sender IP is a probed address, or an ARP probe for a
 * probed address from another MAC, marks that address taken by its sender
 * MAC.  Anything else, and our own probes, are ignored.
 */
void arp_probe_observe(struct arp_probe *p, const uint8_t *frame, size_t len);

/**
 * arp_probe_tick() - send the probes that are due and settle verdicts.
 * @p: probe run
 * @now_ms: monotonic clock
 * @send: sends a probe frame
 * @opaque: passed to @send
 *
 * Return: true while the run goes on, false once every address has a verdict.
 */
bool arp_probe_tick(struct arp_probe *p, uint64_t now_ms, arp_probe_send_fn send, void *opaque);

/**
 * arp_probe_deadline() - when arp_probe_tick() next has work.
 * @p: probe run
 *
 * Return: monotonic ms, or UINT64_MAX when the run is not going on.
 */
uint64_t arp_probe_deadline(const struct arp_probe *p);

/**
 * arp_probe_result() - the verdict on the @i-th address.
 * @p: probe run
 * @i: index into the addresses given to arp_probe_start()
 * @mac: receives the MAC that answered when TAKEN; may be NULL
 *
 * Return: the verdict (PENDING for an index out of range).
 */
enum arp_probe_verdict arp_probe_result(const struct arp_probe *p, size_t i, uint8_t mac[6]);

#endif /* INDYNET_ENGINE_ARP_PROBE_H */
