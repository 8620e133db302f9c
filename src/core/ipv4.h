/* SPDX-License-Identifier: MIT */
/* ipv4.h: IPv4 header parse (validated) and build (RFC 791). */
#ifndef INDYNET_CORE_IPV4_H
#define INDYNET_CORE_IPV4_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPV4_HLEN 20        /* header without options */
#define IPV4_HLEN_MAX 60
#define IPV4_MAX_LEN 65535u /* largest total length */
#define IPV4_FLAG_DF 0x4000
#define IPV4_FLAG_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV4_DEFAULT_TTL 64

/** A parsed IPv4 packet; addresses in network order, other fields host order. */
struct ipv4_view {
	const uint8_t *hdr;
	size_t hlen;            /* header length in bytes, options included */
	uint16_t total_len;     /* from the header; never more than the buffer */
	uint8_t tos;
	uint16_t id;
	bool df;
	bool mf;
	uint32_t frag_off;      /* fragment offset in bytes */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src;
	uint32_t dst;
	const uint8_t *payload;
	size_t payload_len;     /* total_len - hlen: link-layer padding excluded */
};

/**
 * ipv4_parse() - validate and parse an IPv4 header.
 * @pkt: packet bytes (from the IP header on)
 * @len: bytes available (may include link padding after total_len)
 * @v: receives the view
 *
 * Checks the version, the IHL (>= 5, within @len), the total length
 * (>= IHL, <= @len) and the header checksum.
 *
 * Return: 0; -EMSGSIZE when the buffer is shorter than the header or the
 * total length (a truncated packet); -EINVAL for anything else malformed.
 */
int ipv4_parse(const uint8_t *pkt, size_t len, struct ipv4_view *v);

/**
 * ipv4_is_fragment() - whether a parsed packet is part of a fragmented datagram.
 * @v: parsed packet
 *
 * Return: true when MF is set or the offset is non-zero.
 */
bool ipv4_is_fragment(const struct ipv4_view *v);

/**
 * ipv4_build() - write a 20-byte IPv4 header with its checksum.
 * @buf: at least IPV4_HLEN bytes
 * @src: source, network order
 * @dst: destination, network order
 * @proto: protocol number (IPPROTO_UDP ...)
 * @id: identification, host order
 * @payload_len: bytes that follow the header
 *
 * TTL is IPV4_DEFAULT_TTL, TOS 0, DF clear (so that the packet may be
 * fragmented), offset 0.
 *
 * Return: IPV4_HLEN, or 0 when @payload_len does not fit a datagram.
 */
size_t ipv4_build(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, size_t payload_len);

#endif /* INDYNET_CORE_IPV4_H */
