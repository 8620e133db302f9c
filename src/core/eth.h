/* SPDX-License-Identifier: MIT */
/* eth.h: Ethernet II header parse and build. */
#ifndef INDYNET_CORE_ETH_H
#define INDYNET_CORE_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif
#ifndef ETH_HLEN
#define ETH_HLEN 14
#endif
/** Minimum frame length on the wire without FCS; short frames are padded to it. */
#ifndef ETH_ZLEN
#define ETH_ZLEN 60
#endif
#define ETHERTYPE_IPV4 0x0800
#ifndef ETHERTYPE_ARP
#define ETHERTYPE_ARP 0x0806
#endif

/** A parsed Ethernet frame; pointers into the caller's buffer. */
struct eth_view {
	const uint8_t *dst;     /* 6 bytes */
	const uint8_t *src;     /* 6 bytes */
	uint16_t ethertype;     /* host order */
	const uint8_t *payload;
	size_t payload_len;     /* everything after the header, padding included */
};

/**
 * eth_parse() - parse an Ethernet II header.
 * @frame: frame bytes (no FCS)
 * @len: frame length
 * @v: receives the view
 *
 * Return: 0, or -EMSGSIZE when @len < ETH_HLEN.
 */
int eth_parse(const uint8_t *frame, size_t len, struct eth_view *v);

/**
 * eth_build() - write an Ethernet II header.
 * @buf: at least ETH_HLEN bytes
 * @dst: destination MAC
 * @src: source MAC
 * @ethertype: host order
 *
 * Return: ETH_HLEN.
 */
size_t eth_build(uint8_t *buf, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN], uint16_t ethertype);

/**
 * eth_is_broadcast() - whether @mac is ff:ff:ff:ff:ff:ff.
 * @mac: address
 *
 * Return: true for the broadcast address.
 */
bool eth_is_broadcast(const uint8_t mac[ETH_ALEN]);

/**
 * eth_is_multicast() - whether @mac has the group bit set (broadcast included).
 * @mac: address
 *
 * Return: true for group addresses.
 */
bool eth_is_multicast(const uint8_t mac[ETH_ALEN]);

#endif /* INDYNET_CORE_ETH_H */
