/* SPDX-License-Identifier: MIT */
/* arp.c: Ethernet/IPv4 ARP parse and build (RFC 826). */
#include "core/arp.h"

#include <errno.h>
#include <string.h>

#define ARP_HTYPE_ETHER 1

static uint16_t arp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void arp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int arp_parse(const uint8_t *payload, size_t len, struct arp_view *v)
{
	if (len < ARP_HLEN)
		return -EMSGSIZE;
	if (arp_get16(payload) != ARP_HTYPE_ETHER || arp_get16(payload + 2) != ETHERTYPE_IPV4 ||
	    payload[4] != ETH_ALEN || payload[5] != 4)
		return -EPROTONOSUPPORT;
	v->op = arp_get16(payload + 6);
	v->sha = payload + 8;
	memcpy(&v->spa, payload + 14, 4);
	v->tha = payload + 18;
	memcpy(&v->tpa, payload + 24, 4);
	return 0;
}

size_t arp_build(uint8_t *buf, size_t cap, const uint8_t eth_dst[ETH_ALEN], uint16_t op,
		 const uint8_t sha[ETH_ALEN], uint32_t spa, const uint8_t tha[ETH_ALEN], uint32_t tpa)
{
	uint8_t *a = buf + ETH_HLEN;

	if (cap < ETH_ZLEN)
		return 0;
	eth_build(buf, eth_dst, sha, ETHERTYPE_ARP);
	arp_put16(a, ARP_HTYPE_ETHER);
	arp_put16(a + 2, ETHERTYPE_IPV4);
	a[4] = ETH_ALEN;
	a[5] = 4;
	arp_put16(a + 6, op);
	memcpy(a + 8, sha, ETH_ALEN);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 18, tha, ETH_ALEN);
	memcpy(a + 24, &tpa, 4);
	memset(a + ARP_HLEN, 0, ETH_ZLEN - ETH_HLEN - ARP_HLEN);
	return ETH_ZLEN;
}

size_t arp_build_reply(uint8_t *buf, size_t cap, const uint8_t our_mac[ETH_ALEN], uint32_t our_ip,
		       const struct arp_view *req)
{
	uint8_t to[ETH_ALEN];

	/* Copy first: @req may point into @buf. */
	memcpy(to, req->sha, ETH_ALEN);
	return arp_build(buf, cap, to, ARP_OP_REPLY, our_mac, our_ip, to, req->spa);
}
