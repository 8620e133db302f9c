/* SPDX-License-Identifier: MIT */
/* reasm.h: bounded reassembly of IPv4 fragments sent by the guest (RFC 791/815). */
#ifndef INDYNET_CORE_REASM_H
#define INDYNET_CORE_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "indynet/indynet.h"

/** An incomplete datagram is dropped this long after its first fragment. */
#define REASM_TIMEOUT_MS 5000u
/** At most this many datagrams are in progress at once. */
#define REASM_MAX_DATAGRAMS 64u
/** Bytes of fragment copies (headers included) held over all datagrams. */
#define REASM_MAX_BYTES (4u * 1024u * 1024u)

enum reasm_result {
	REASM_NOT_FRAGMENT = 0, /* not a fragment: use the packet as it is */
	REASM_HELD,             /* kept (or an exact duplicate ignored); nothing to do */
	REASM_COMPLETE,         /* *out holds the whole datagram */
	REASM_DROPPED,          /* dropped and counted (possibly with its datagram) */
};

struct reasm;

/**
 * reasm_new() - create an empty reassembly table.
 *
 * Return: the table, or NULL when out of memory.
 */
struct reasm *reasm_new(void);

/**
 * reasm_free() - free the table and everything held.
 * @ra: table, may be NULL
 */
void reasm_free(struct reasm *ra);

/**
 * reasm_input() - feed one IPv4 packet.
 * @ra: table
 * @ip_pkt: the packet, from the IP header on
 * @len: bytes available
 * @now_ms: monotonic time in ms (ages out old datagrams first)
 * @out: on REASM_COMPLETE, receives the reassembled packet (fresh header,
 *       valid until the next call on @ra)
 * @out_len: its length
 *
 * Datagrams are keyed by (source, destination, id, protocol).  Overlapping
 * fragments drop the whole datagram (an exact duplicate of a held fragment
 * is ignored); every drop is counted by reason.
 *
 * Return: an enum reasm_result.
 */
enum reasm_result reasm_input(struct reasm *ra, const uint8_t *ip_pkt, size_t len, uint64_t now_ms,
			      const uint8_t **out, size_t *out_len);

/**
 * reasm_expire() - drop datagrams older than REASM_TIMEOUT_MS.
 * @ra: table
 * @now_ms: monotonic time in ms
 */
void reasm_expire(struct reasm *ra, uint64_t now_ms);

/**
 * reasm_counters() - add this table's drop counts into @drops.
 * @ra: table
 * @drops: array indexed by enum indynet_drop_reason
 */
void reasm_counters(const struct reasm *ra, uint64_t drops[INDYNET_DROP__COUNT]);

/**
 * reasm_pending() - datagrams currently in progress.
 * @ra: table
 *
 * Return: the count.
 */
unsigned reasm_pending(const struct reasm *ra);

/**
 * reasm_bytes_held() - bytes of fragment copies currently held.
 * @ra: table
 *
 * Return: the byte count.
 */
size_t reasm_bytes_held(const struct reasm *ra);

#endif /* INDYNET_CORE_REASM_H */
