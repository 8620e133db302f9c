/* SPDX-License-Identifier: MIT */
/* arp.h: ARP for IPv4 over Ethernet (RFC 826): parse, build requests and replies. */
#ifndef INDYNET_CORE_ARP_H
#define INDYNET_CORE_ARP_H

#include <stddef.h>
#include <stdint.h>

#include "core/eth.h"

#define ARP_HLEN 28 /* Ethernet/IPv4 ARP body */
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/** A parsed Ethernet/IPv4 ARP packet; addresses in network byte order. */
struct arp_view {
	uint16_t op;         /* host order */
	const uint8_t *sha;  /* sender MAC, 6 bytes */
	uint32_t spa;        /* sender IPv4 */
	const uint8_t *tha;  /* target MAC, 6 bytes */
	uint32_t tpa;        /* target IPv4 */
};

/**
 * arp_parse() - parse the ARP body of an Ethernet frame.
 * @payload: bytes after the Ethernet header
 * @len: their length (padding allowed)
 * @v: receives the view
 *
 * Only hardware type 1 (Ethernet, 6-byte MAC) with protocol 0x0800 (4-byte
 * address) is accepted.
 *
 * Return: 0, -EMSGSIZE when shorter than ARP_HLEN, -EPROTONOSUPPORT for
 * other hardware/protocol types or lengths.
 */
int arp_parse(const uint8_t *payload, size_t len, struct arp_view *v);

/**
 * arp_build() - write a whole Ethernet frame carrying one ARP packet.
 * @buf: destination
 * @cap: its size, at least ETH_ZLEN
 * @eth_dst: Ethernet destination MAC
 * @op: ARP_OP_REQUEST or ARP_OP_REPLY
 * @sha: sender MAC (also the Ethernet source)
 * @spa: sender IPv4, network order
 * @tha: target MAC (zeros in a request)
 * @tpa: target IPv4, network order
 *
 * The frame is padded with zeros to ETH_ZLEN.
 *
 * Return: the frame length (ETH_ZLEN), or 0 when @cap is too small.
 */
size_t arp_build(uint8_t *buf, size_t cap, const uint8_t eth_dst[ETH_ALEN], uint16_t op,
		 const uint8_t sha[ETH_ALEN], uint32_t spa, const uint8_t tha[ETH_ALEN], uint32_t tpa);

/**
 * arp_build_reply() - answer an ARP request for @our_ip with @our_mac.
 * @buf: destination
 * @cap: its size, at least ETH_ZLEN
 * @our_mac: MAC that owns @our_ip
 * @our_ip: the address asked about, network order
 * @req: the parsed request (its sender becomes the target)
 *
 * Return: the frame length, or 0 when @cap is too small.
 */
size_t arp_build_reply(uint8_t *buf, size_t cap, const uint8_t our_mac[ETH_ALEN], uint32_t our_ip,
		       const struct arp_view *req);

#endif /* INDYNET_CORE_ARP_H */
