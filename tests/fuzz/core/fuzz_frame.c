/* SPDX-License-Identifier: MIT */
/* fuzz_frame.c: libFuzzer target: Ethernet/ARP/IPv4/UDP/ICMP parsers and IPv4 fragmentation. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arp.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/frag.h"
#include "core/icmp.h"
#include "core/ipv4.h"
#include "core/udp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct frag_check {
	unsigned mtu;
	size_t payload;
};

/* Every fragment must be a valid IPv4 packet within the MTU. */
static void frag_check_emit(void *opaque, const uint8_t *pkt, size_t len)
{
	struct frag_check *c = opaque;
	struct ipv4_view v;

	if (len > c->mtu || ipv4_parse(pkt, len, &v) != 0 || v.total_len != len)
		abort();
	c->payload += v.payload_len;
}

static void fuzz_ipv4(const uint8_t *p, size_t len, unsigned mtu)
{
	struct ipv4_view ip;
	struct udp_view u;
	struct icmp_view ic;

	if (ipv4_parse(p, len, &ip) != 0)
		return;
	if (ip.hlen > len || ip.total_len > len || ip.payload + ip.payload_len > p + len)
		abort();
	if (ip.proto == IPPROTO_UDP && udp_parse(&ip, true, &u) == 0 &&
	    u.payload + u.payload_len > ip.payload + ip.payload_len)
		abort();
	if (ip.proto == IPPROTO_ICMP && icmp_parse(ip.payload, ip.payload_len, true, &ic) == 0 &&
	    ic.payload + ic.payload_len > ip.payload + ip.payload_len)
		abort();

	struct frag_check c = { mtu, 0 };
	int n = frag_ipv4(p, len, mtu, frag_check_emit, &c);

	if (n > 1 && c.payload != ip.payload_len)
		abort();
}

/*
 * Checksums stop a fuzzer cold; when asked, repair the IPv4 header checksum
 * (and the UDP checksum) of the packet at @p so the code behind them is reached.
 */
static void fix_checksums(uint8_t *p, size_t len)
{
	if (len < IPV4_HLEN || (p[0] >> 4) != 4)
		return;
	size_t hlen = (size_t)(p[0] & 15) * 4;
	size_t total = (size_t)(p[2] << 8 | p[3]);
	uint16_t sum;

	if (hlen < IPV4_HLEN || hlen > len)
		return;
	if (p[9] == IPPROTO_UDP && total <= len && total >= hlen + UDP_HLEN) {
		uint32_t src, dst;

		memcpy(&src, p + 12, 4);
		memcpy(&dst, p + 16, 4);
		p[hlen + 6] = p[hlen + 7] = 0;
		sum = l4_csum_ipv4(src, dst, IPPROTO_UDP, p + hlen, total - hlen);
		memcpy(p + hlen + 6, &sum, 2);
	}
	p[10] = p[11] = 0;
	sum = ipv4_header_csum(p, hlen);
	memcpy(p + 10, &sum, 2);
}

static uint8_t work[2 * 65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eth_view e;
	struct arp_view a;
	uint8_t reply[ETH_ZLEN];

	if (size < 3 || size - 3 > sizeof(work))
		return 0;
	/* Bytes 0-1 choose the MTU for fragmentation; byte 2 bit 0 repairs checksums. */
	unsigned mtu = 68 + ((unsigned)(data[0] << 8 | data[1]) % 9000);
	bool fix = data[2] & 1;

	size -= 3;
	memcpy(work, data + 3, size);
	data = work;
	if (fix && size >= ETH_HLEN && work[12] == 0x08 && work[13] == 0x00)
		fix_checksums(work + ETH_HLEN, size - ETH_HLEN);
	else if (fix)
		fix_checksums(work, size);
	fuzz_ipv4(data, size, mtu);
	if (eth_parse(data, size, &e) != 0)
		return 0;
	if (e.ethertype == ETHERTYPE_ARP && arp_parse(e.payload, e.payload_len, &a) == 0) {
		if (arp_build_reply(reply, sizeof(reply), e.dst, a.tpa, &a) != ETH_ZLEN)
			abort();
	} else if (e.ethertype == ETHERTYPE_IPV4) {
		fuzz_ipv4(e.payload, e.payload_len, mtu);
	}
	return 0;
}
