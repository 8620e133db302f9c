/* SPDX-License-Identifier: MIT */
/* udp.c: UDP parse with length/checksum checks, and build (RFC 768). */
#include "core/udp.h"

#include <errno.h>
#include <string.h>

#include "core/checksum.h"

int udp_parse(const struct ipv4_view *ip, bool verify_csum, struct udp_view *u)
{
	const uint8_t *p = ip->payload;

	if (ip->proto != IPPROTO_UDP)
		return -EINVAL;
	if (ip->payload_len < UDP_HLEN)
		return -EMSGSIZE;
	uint16_t ulen = (uint16_t)(p[4] << 8 | p[5]);

	if (ulen < UDP_HLEN)
		return -EINVAL;
	if (ulen > ip->payload_len)
		return -EMSGSIZE;
	u->has_csum = (p[6] | p[7]) != 0;
	if (verify_csum && u->has_csum && l4_csum_ipv4(ip->src, ip->dst, IPPROTO_UDP, p, ulen) != 0)
		return -EINVAL;
	u->sport = (uint16_t)(p[0] << 8 | p[1]);
	u->dport = (uint16_t)(p[2] << 8 | p[3]);
	u->len = ulen;
	u->payload = p + UDP_HLEN;
	u->payload_len = ulen - UDP_HLEN;
	return 0;
}

size_t udp_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, size_t payload_len)
{
	if (payload_len > IPV4_MAX_LEN - IPV4_HLEN - UDP_HLEN)
		return 0;
	size_t ulen = UDP_HLEN + payload_len;
	uint16_t sum;

	buf[0] = (uint8_t)(sport >> 8);
	buf[1] = (uint8_t)sport;
	buf[2] = (uint8_t)(dport >> 8);
	buf[3] = (uint8_t)dport;
	buf[4] = (uint8_t)(ulen >> 8);
	buf[5] = (uint8_t)ulen;
	buf[6] = 0;
	buf[7] = 0;
	sum = l4_csum_ipv4(src, dst, IPPROTO_UDP, buf, ulen);
	if (sum == 0)
		sum = 0xffff; /* 0 means "no checksum" in UDP */
	memcpy(buf + 6, &sum, 2);
	return UDP_HLEN;
}
