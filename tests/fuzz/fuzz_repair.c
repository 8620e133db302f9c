/* SPDX-License-Identifier: MIT */
/* fuzz_repair.c: fuzz targets recompute the checksums of mutated IPv4 frames so that mutations get past them. */
#include <netinet/in.h>
#include <string.h>

#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "fuzz_repair.h"

void fz_repair(uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH_HLEN, *l4;
	size_t ihl, tot, l4len;
	uint32_t src, dst;
	uint16_t c;
	size_t at;

	if (len < ETH_HLEN + IPV4_HLEN || f[12] != 0x08 || f[13] != 0x00)
		return;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if (ihl < IPV4_HLEN || tot < ihl || ETH_HLEN + tot > len)
		return;
	memset(ip + 10, 0, 2);
	c = ipv4_header_csum(ip, ihl);
	memcpy(ip + 10, &c, 2);
	if ((ip[6] & 0x3f) || ip[7]) /* a fragment: leave its payload alone */
		return;
	l4 = ip + ihl;
	l4len = tot - ihl;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	if (ip[9] == IPPROTO_UDP && l4len >= 8) {
		l4len = (size_t)l4[4] << 8 | l4[5];
		if (l4len < 8 || l4len > tot - ihl)
			return;
		at = 6;
	} else if (ip[9] == IPPROTO_TCP && l4len >= 20) {
		at = 16;
	} else if (ip[9] == IPPROTO_ICMP && l4len >= 8) {
		memset(l4 + 2, 0, 2);
		c = csum_fold(csum_add(0, l4, l4len));
		memcpy(l4 + 2, &c, 2);
		return;
	} else {
		return;
	}
	memset(l4 + at, 0, 2);
	c = l4_csum_ipv4(src, dst, ip[9], l4, l4len);
	if (c == 0 && ip[9] == IPPROTO_UDP)
		c = 0xffff;
	memcpy(l4 + at, &c, 2);
}
