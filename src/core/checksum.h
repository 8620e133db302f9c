/* SPDX-License-Identifier: MIT */
/* checksum.h: the Internet checksum (RFC 1071) for IPv4, UDP, TCP and ICMP. */
#ifndef INDYNET_CORE_CHECKSUM_H
#define INDYNET_CORE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sums are kept in the machine's byte order over raw memory: the one's
 * complement sum is byte-order independent (RFC 1071 §2(B)), so the folded,
 * complemented result can be stored into a header as a raw 16-bit value
 * with no byte swap.  A partial sum from csum_add() may be continued with
 * another csum_add() as long as every chunk but the last has an even length.
 */

/**
 * csum_add() - add @len bytes to a running one's complement sum.
 * @sum: sum so far (0 to start)
 * @data: bytes, any alignment
 * @len: number of bytes; only the final chunk of a sum may be odd
 *
 * Return: the new partial sum (not folded, not complemented).
 */
uint32_t csum_add(uint32_t sum, const void *data, size_t len);

/**
 * csum_fold() - fold a partial sum to 16 bits and complement it.
 * @sum: partial sum from csum_add()
 *
 * Return: the checksum to store as a raw u16 (already in network order);
 * 0 when checking a block that includes a correct checksum field.
 */
uint16_t csum_fold(uint32_t sum);

/**
 * ipv4_header_csum() - checksum of an IPv4 header.
 * @hdr: the header
 * @hlen: its length in bytes (20..60)
 *
 * To build, zero the checksum field first and store the result; to verify,
 * run it over the received header: a correct header gives 0.
 *
 * Return: the checksum as a raw u16 in network order.
 */
uint16_t ipv4_header_csum(const void *hdr, size_t hlen);

/**
 * l4_csum_ipv4() - UDP/TCP checksum with the IPv4 pseudo-header.
 * @src: source address, network byte order
 * @dst: destination address, network byte order
 * @proto: IP protocol number
 * @l4: the transport header and payload
 * @len: their length in bytes
 *
 * The checksum field inside @l4 is summed as it is: zero it to build, leave
 * it to verify (a correct segment gives 0).  UDP must send a computed 0 as
 * 0xffff; udp_build() does that.
 *
 * Return: the checksum as a raw u16 in network order.
 */
uint16_t l4_csum_ipv4(uint32_t src, uint32_t dst, uint8_t proto, const void *l4, size_t len);

#endif /* INDYNET_CORE_CHECKSUM_H */
