/* SPDX-License-Identifier: MIT */
/* eth.c: Ethernet II header parse and build. */
#include "core/eth.h"

#include <errno.h>
#include <string.h>

int eth_parse(const uint8_t *frame, size_t len, struct eth_view *v)
{
	if (len < ETH_HLEN)
		return -EMSGSIZE;
	v->dst = frame;
	v->src = frame + ETH_ALEN;
	v->ethertype = (uint16_t)(frame[12] << 8 | frame[13]);
	v->payload = frame + ETH_HLEN;
	v->payload_len = len - ETH_HLEN;
	return 0;
}

size_t eth_build(uint8_t *buf, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN], uint16_t ethertype)
{
	memcpy(buf, dst, ETH_ALEN);
	memcpy(buf + ETH_ALEN, src, ETH_ALEN);
	buf[12] = (uint8_t)(ethertype >> 8);
	buf[13] = (uint8_t)ethertype;
	return ETH_HLEN;
}

bool eth_is_broadcast(const uint8_t mac[ETH_ALEN])
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

bool eth_is_multicast(const uint8_t mac[ETH_ALEN])
{
	return (mac[0] & 1) != 0;
}
