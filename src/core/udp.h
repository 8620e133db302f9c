/* SPDX-License-Identifier: MIT */
/* udp.h: UDP header parse (length and checksum checks) and build (RFC 768). */
#ifndef INDYNET_CORE_UDP_H
#define INDYNET_CORE_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ipv4.h"

#define UDP_HLEN 8

/** A parsed UDP datagram; fields in host order. */
struct udp_view {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;           /* header + payload, from the header */
	bool has_csum;          /* false when the sender sent checksum 0 */
	const uint8_t *payload;
	size_t payload_len;     /* len - UDP_HLEN */
};

/**
 * udp_parse() - parse the UDP datagram carried by an IPv4 packet.
 * @ip: the parsed, unfragmented (or reassembled) IPv4 packet
 * @verify_csum: check the checksum when the sender set one
 * @u: receives the view
 *
 * Return: 0; -EMSGSIZE when the UDP length exceeds the IP payload;
 * -EINVAL for a length below 8, a bad checksum, or a non-UDP packet.
 */
int udp_parse(const struct ipv4_view *ip, bool verify_csum, struct udp_view *u);

/**
 * udp_build() - write a UDP header in front of a payload already in place.
 * @buf: header goes at @buf, payload must be at @buf + UDP_HLEN
 * @src: IPv4 source, network order (for the pseudo-header)
 * @dst: IPv4 destination, network order
 * @sport: source port, host order
 * @dport: destination port, host order
 * @payload_len: payload bytes at @buf + UDP_HLEN
 *
 * Return: UDP_HLEN, or 0 when the datagram would exceed 65535 - IPV4_HLEN.
 */
size_t udp_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, size_t payload_len);

#endif /* INDYNET_CORE_UDP_H */
