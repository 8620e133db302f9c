/* SPDX-License-Identifier: MIT */
/* ipv4.c: IPv4 header validation and building (RFC 791). */
#include "core/ipv4.h"

#include <errno.h>
#include <string.h>

#include "core/checksum.h"

static uint16_t ipv4_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int ipv4_parse(const uint8_t *pkt, size_t len, struct ipv4_view *v)
{
	if (len < IPV4_HLEN)
		return -EMSGSIZE;
	if ((pkt[0] >> 4) != 4)
		return -EINVAL;
	size_t hlen = (size_t)(pkt[0] & 0x0f) * 4;

	if (hlen < IPV4_HLEN)
		return -EINVAL;
	if (hlen > len)
		return -EMSGSIZE;
	uint16_t total = ipv4_get16(pkt + 2);

	if (total < hlen)
		return -EINVAL;
	if (total > len)
		return -EMSGSIZE;
	if (ipv4_header_csum(pkt, hlen) != 0)
		return -EINVAL;
	uint16_t frag = ipv4_get16(pkt + 6);

	if (frag & 0x8000) /* the reserved flag must be zero */
		return -EINVAL;
	v->hdr = pkt;
	v->hlen = hlen;
	v->total_len = total;
	v->tos = pkt[1];
	v->id = ipv4_get16(pkt + 4);
	v->df = (frag & IPV4_FLAG_DF) != 0;
	v->mf = (frag & IPV4_FLAG_MF) != 0;
	v->frag_off = (uint32_t)(frag & IPV4_OFFSET_MASK) * 8;
	v->ttl = pkt[8];
	v->proto = pkt[9];
	memcpy(&v->src, pkt + 12, 4);
	memcpy(&v->dst, pkt + 16, 4);
	v->payload = pkt + hlen;
	v->payload_len = total - hlen;
	return 0;
}

bool ipv4_is_fragment(const struct ipv4_view *v)
{
	return v->mf || v->frag_off != 0;
}

size_t ipv4_build(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, size_t payload_len)
{
	if (payload_len > IPV4_MAX_LEN - IPV4_HLEN)
		return 0;
	size_t total = IPV4_HLEN + payload_len;
	uint16_t sum;

	buf[0] = 0x45;
	buf[1] = 0;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = 0;
	buf[7] = 0;
	buf[8] = IPV4_DEFAULT_TTL;
	buf[9] = proto;
	buf[10] = 0;
	buf[11] = 0;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	sum = ipv4_header_csum(buf, IPV4_HLEN);
	memcpy(buf + 10, &sum, 2);
	return IPV4_HLEN;
}
