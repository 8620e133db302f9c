/* SPDX-License-Identifier: MIT */
/* frag.h: IPv4 fragmentation of packets larger than the link MTU (RFC 791). */
#ifndef INDYNET_CORE_FRAG_H
#define INDYNET_CORE_FRAG_H

#include <stddef.h>
#include <stdint.h>

/** Receives one packet (a fragment, or the packet itself); valid during the call. */
typedef void (*frag_emit_fn)(void *opaque, const uint8_t *pkt, size_t len);

/**
 * frag_ipv4() - emit @ip_pkt as IPv4 packets of at most @mtu bytes.
 * @ip_pkt: a valid IPv4 packet (header checksum correct)
 * @len: its length (bytes past the header's total length are ignored)
 * @mtu: link MTU, at least 68
 * @emit: called once per packet, in offset order
 * @opaque: passed to @emit
 *
 * A packet that fits is emitted unchanged.  Otherwise each fragment carries
 * a multiple of 8 payload bytes except the last; the first keeps every
 * option, the others only options whose copy bit is set.  A packet that is
 * itself a fragment is split further with offsets and MF kept consistent.
 *
 * Return: the number of packets emitted; -EMSGSIZE when DF is set and the
 * packet exceeds @mtu; -EINVAL for a malformed packet or an @mtu too small
 * to carry 8 payload bytes; -ENOMEM when the scratch buffer cannot be had.
 */
int frag_ipv4(const uint8_t *ip_pkt, size_t len, unsigned mtu, frag_emit_fn emit, void *opaque);

#endif /* INDYNET_CORE_FRAG_H */
