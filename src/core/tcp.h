/* SPDX-License-Identifier: MIT */
/* tcp.h: TCP header parse (offset, options, checksum checks) and build (RFC 9293). */
#ifndef INDYNET_CORE_TCP_H
#define INDYNET_CORE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ipv4.h"

#define TCP_HLEN 20
#define TCP_HLEN_MSS 24  /* with the MSS option (SYN, SYN-ACK) */
#define TCP_HLEN_MAX 28  /* with MSS and window scale (tcp_build() writes no other option) */
#define TCP_WSCALE_MAX 14u /* RFC 7323 §2.3: a larger shift counts as 14 */

#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u

/** A parsed TCP segment; fields in host order. */
struct tcp_view {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;          /* TCP_* (URG, ECE, CWR ignored) */
	uint16_t win;           /* unscaled window */
	uint16_t mss;           /* the MSS option, 0 = none */
	bool ws;                /* the window scale option is present (RFC 7323) */
	uint8_t wscale;         /* its shift, at most TCP_WSCALE_MAX */
	const uint8_t *payload;
	size_t payload_len;
};

/** What tcp_build() writes; fields in host order. */
struct tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint16_t mss;           /* sent as an option when non-zero */
	bool ws;                /* send the window scale option (NOP + 3 bytes) */
	uint8_t wscale;         /* its shift */
};

/**
 * tcp_parse() - parse and check the TCP segment carried by an IPv4 packet.
 * @ip: the parsed, unfragmented (or reassembled) IPv4 packet
 * @t: receives the view
 *
 * The checksum is always verified; options must be well formed (each
 * within the header); MSS and window scale are read.
 *
 * Return: 0; -EMSGSIZE when the header does not fit the IP payload;
 * -EINVAL for a data offset below 5, malformed options, a bad checksum
 * or a non-TCP packet.
 */
int tcp_parse(const struct ipv4_view *ip, struct tcp_view *t);

/**
 * tcp_hlen() - header length tcp_build() will write.
 * @s: the segment
 *
 * Return: TCP_HLEN, plus 4 for the MSS option and 4 for window scale.
 */
size_t tcp_hlen(const struct tcp_seg *s);

/**
 * tcp_build() - write a TCP header in front of a payload already in place.
 * @buf: header goes at @buf, payload must be at @buf + tcp_hlen(@s)
 * @src: IPv4 source, network order (for the pseudo-header)
 * @dst: IPv4 destination, network order
 * @s: the header's fields
 * @payload_len: payload bytes behind the header
 *
 * Return: the header length, or 0 when the segment would exceed an IPv4 packet.
 */
size_t tcp_build(uint8_t *buf, uint32_t src, uint32_t dst, const struct tcp_seg *s, size_t payload_len);

#endif /* INDYNET_CORE_TCP_H */
