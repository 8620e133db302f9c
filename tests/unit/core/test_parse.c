/* SPDX-License-Identifier: MIT */
/* test_parse.c: Ethernet/ARP/IPv4/UDP/ICMP parsers and builders, truncated and malformed input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arp.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/icmp.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "core_test.h"

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x52, 0x55, 0xc0, 0xa8, 0x00, 0x01 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_zero[6] = { 0 };

static void test_eth(void **state)
{
	(void)state;
	uint8_t f[64] = { 0 };
	struct eth_view v;

	assert_int_equal(eth_build(f, mac_bcast, mac_a, ETHERTYPE_ARP), ETH_HLEN);
	assert_int_equal(eth_parse(f, sizeof(f), &v), 0);
	assert_memory_equal(v.dst, mac_bcast, 6);
	assert_memory_equal(v.src, mac_a, 6);
	assert_int_equal(v.ethertype, ETHERTYPE_ARP);
	assert_ptr_equal(v.payload, f + 14);
	assert_int_equal(v.payload_len, 50);
	assert_int_equal(eth_parse(f, 14, &v), 0);
	assert_int_equal(v.payload_len, 0);
	for (size_t len = 0; len < ETH_HLEN; len++)
		assert_int_equal(eth_parse(f, len, &v), -EMSGSIZE);
	assert_true(eth_is_broadcast(mac_bcast));
	assert_false(eth_is_broadcast(mac_a));
	assert_true(eth_is_multicast(mac_bcast));
	assert_false(eth_is_multicast(mac_a));
}

static void test_arp_request_reply(void **state)
{
	(void)state;
	uint8_t f[ETH_ZLEN];
	uint8_t r[ETH_ZLEN];
	struct eth_view e;
	struct arp_view a;
	uint32_t guest = ct_ip(192, 168, 0, 2), gw = ct_ip(192, 168, 0, 1);

	assert_int_equal(arp_build(f, sizeof(f), mac_bcast, ARP_OP_REQUEST, mac_a, guest, mac_zero, gw), ETH_ZLEN);
	assert_int_equal(arp_build(f, ETH_ZLEN - 1, mac_bcast, ARP_OP_REQUEST, mac_a, guest, mac_zero, gw), 0);
	assert_int_equal(eth_parse(f, sizeof(f), &e), 0);
	assert_int_equal(e.ethertype, ETHERTYPE_ARP);
	assert_int_equal(arp_parse(e.payload, e.payload_len, &a), 0);
	assert_int_equal(a.op, ARP_OP_REQUEST);
	assert_memory_equal(a.sha, mac_a, 6);
	assert_int_equal(a.spa, guest);
	assert_int_equal(a.tpa, gw);

	assert_int_equal(arp_build_reply(r, sizeof(r), mac_b, gw, &a), ETH_ZLEN);
	assert_int_equal(eth_parse(r, sizeof(r), &e), 0);
	assert_memory_equal(e.dst, mac_a, 6);
	assert_memory_equal(e.src, mac_b, 6);
	struct arp_view rep;

	assert_int_equal(arp_parse(e.payload, e.payload_len, &rep), 0);
	assert_int_equal(rep.op, ARP_OP_REPLY);
	assert_memory_equal(rep.sha, mac_b, 6);
	assert_int_equal(rep.spa, gw);
	assert_memory_equal(rep.tha, mac_a, 6);
	assert_int_equal(rep.tpa, guest);

	/* A reply built in place over its own request. */
	assert_int_equal(eth_parse(f, sizeof(f), &e), 0);
	assert_int_equal(arp_parse(e.payload, e.payload_len, &a), 0);
	assert_int_equal(arp_build_reply(f, sizeof(f), mac_b, gw, &a), ETH_ZLEN);
	assert_memory_equal(f, r, ETH_ZLEN);
}

static void test_arp_malformed(void **state)
{
	(void)state;
	uint8_t f[ETH_ZLEN];
	struct arp_view a;
	uint8_t *p = f + ETH_HLEN;

	arp_build(f, sizeof(f), mac_bcast, ARP_OP_REQUEST, mac_a, 1, mac_zero, 2);
	for (size_t len = 0; len < ARP_HLEN; len++)
		assert_int_equal(arp_parse(p, len, &a), -EMSGSIZE);
	assert_int_equal(arp_parse(p, ARP_HLEN, &a), 0);
	static const size_t bad_at[] = { 1, 3, 4, 5 };

	for (size_t i = 0; i < sizeof(bad_at) / sizeof(bad_at[0]); i++) {
		uint8_t save = p[bad_at[i]];

		p[bad_at[i]] ^= 0x40;
		assert_int_equal(arp_parse(p, ARP_HLEN, &a), -EPROTONOSUPPORT);
		p[bad_at[i]] = save;
	}
}

static size_t udp_pkt(uint8_t *b, size_t payload)
{
	uint64_t seed = 99;

	return ct_udp_packet(b, payload, 0x1234, &seed);
}

static void test_ipv4_parse_fields(void **state)
{
	(void)state;
	uint8_t b[200];
	struct ipv4_view v;
	size_t n = udp_pkt(b, 50);

	assert_int_equal(ipv4_parse(b, n, &v), 0);
	assert_int_equal(v.hlen, 20);
	assert_int_equal(v.total_len, n);
	assert_int_equal(v.id, 0x1234);
	assert_int_equal(v.ttl, IPV4_DEFAULT_TTL);
	assert_int_equal(v.proto, IPPROTO_UDP);
	assert_int_equal(v.src, ct_ip(192, 168, 0, 2));
	assert_int_equal(v.dst, ct_ip(192, 168, 0, 1));
	assert_false(v.df);
	assert_false(v.mf);
	assert_int_equal(v.frag_off, 0);
	assert_false(ipv4_is_fragment(&v));
	assert_ptr_equal(v.payload, b + 20);
	assert_int_equal(v.payload_len, n - 20);
	/* Link padding after the total length is ignored. */
	assert_int_equal(ipv4_parse(b, n + 30, &v), 0);
	assert_int_equal(v.payload_len, n - 20);
	/* The type of service as sent (DSCP EF). */
	b[1] = 0xb8;
	b[10] = b[11] = 0;
	{
		uint16_t sum = ipv4_header_csum(b, 20);

		memcpy(b + 10, &sum, 2);
	}
	assert_int_equal(ipv4_parse(b, n, &v), 0);
	assert_int_equal(v.tos, 0xb8);
	assert_int_equal(ipv4_build(b, 1, 2, IPPROTO_UDP, 1, IPV4_MAX_LEN - 20 + 1), 0);
}

static void set_frag(uint8_t *b, uint16_t field)
{
	uint16_t sum;

	b[6] = (uint8_t)(field >> 8);
	b[7] = (uint8_t)field;
	b[10] = b[11] = 0;
	sum = ipv4_header_csum(b, (size_t)(b[0] & 15) * 4);
	memcpy(b + 10, &sum, 2);
}

static void test_ipv4_fragment_fields(void **state)
{
	(void)state;
	uint8_t b[200];
	struct ipv4_view v;
	size_t n = udp_pkt(b, 50);

	set_frag(b, IPV4_FLAG_MF | 185);
	assert_int_equal(ipv4_parse(b, n, &v), 0);
	assert_true(v.mf);
	assert_int_equal(v.frag_off, 1480);
	assert_true(ipv4_is_fragment(&v));
	set_frag(b, IPV4_FLAG_DF);
	assert_int_equal(ipv4_parse(b, n, &v), 0);
	assert_true(v.df);
	assert_false(ipv4_is_fragment(&v));
	set_frag(b, 0x8000); /* reserved bit */
	assert_int_equal(ipv4_parse(b, n, &v), -EINVAL);
}

static void test_ipv4_truncated_and_malformed(void **state)
{
	(void)state;
	uint8_t b[200];
	struct ipv4_view v;
	size_t n = udp_pkt(b, 50);

	for (size_t len = 0; len < n; len++)
		assert_int_equal(ipv4_parse(b, len, &v), -EMSGSIZE);

	b[0] = 0x65; /* version 6 */
	assert_int_equal(ipv4_parse(b, n, &v), -EINVAL);
	b[0] = 0x44; /* IHL 4 */
	assert_int_equal(ipv4_parse(b, n, &v), -EINVAL);
	b[0] = 0x45;
	b[11] ^= 1; /* checksum */
	assert_int_equal(ipv4_parse(b, n, &v), -EINVAL);
	b[11] ^= 1;
	assert_int_equal(ipv4_parse(b, n, &v), 0);

	/* Total length shorter than the header. */
	uint8_t h[20];

	memcpy(h, b, 20);
	h[2] = 0;
	h[3] = 19;
	set_frag(h, 0);
	assert_int_equal(ipv4_parse(h, 20, &v), -EINVAL);
	/* IHL larger than the buffer. */
	h[0] = 0x4f;
	h[3] = 20;
	assert_int_equal(ipv4_parse(h, 20, &v), -EMSGSIZE);
}

static void test_udp(void **state)
{
	(void)state;
	uint8_t b[200];
	struct ipv4_view v;
	struct udp_view u;
	size_t n = udp_pkt(b, 33);

	assert_int_equal(ipv4_parse(b, n, &v), 0);
	assert_int_equal(udp_parse(&v, true, &u), 0);
	assert_int_equal(u.sport, 1023);
	assert_int_equal(u.dport, 2049);
	assert_int_equal(u.len, 41);
	assert_true(u.has_csum);
	assert_ptr_equal(u.payload, b + 28);
	assert_int_equal(u.payload_len, 33);

	/* A corrupted payload fails only when the checksum is verified. */
	b[40] ^= 0x10;
	assert_int_equal(udp_parse(&v, true, &u), -EINVAL);
	assert_int_equal(udp_parse(&v, false, &u), 0);
	/* Checksum 0: none sent, nothing to verify. */
	b[26] = b[27] = 0;
	assert_int_equal(udp_parse(&v, true, &u), 0);
	assert_false(u.has_csum);

	/* UDP length beyond the IP payload, or below 8. */
	b[25] = 42;
	assert_int_equal(udp_parse(&v, false, &u), -EMSGSIZE);
	b[25] = 7;
	assert_int_equal(udp_parse(&v, false, &u), -EINVAL);
	/* A shorter UDP length than the IP payload is honoured. */
	b[25] = 20;
	assert_int_equal(udp_parse(&v, false, &u), 0);
	assert_int_equal(u.payload_len, 12);

	/* IP payload too short for a UDP header. */
	for (size_t len = 0; len < UDP_HLEN; len++) {
		v.payload_len = len;
		assert_int_equal(udp_parse(&v, false, &u), -EMSGSIZE);
	}
	v.payload_len = n - 20;
	v.proto = IPPROTO_TCP;
	assert_int_equal(udp_parse(&v, false, &u), -EINVAL);
	assert_int_equal(udp_build(b, 1, 2, 3, 4, IPV4_MAX_LEN - 27), 0);
}

/* Lengths above 255, an empty datagram, checksums with one zero byte: parsed back as sent, and verified. */
static void test_udp_edges(void **state)
{
	static uint8_t b[2000];
	struct ipv4_view v;
	struct udp_view u;
	uint64_t seed = 7;
	size_t n = ct_udp_packet(b, 1000, 1, &seed);
	bool zero_hi = false, zero_lo = false;

	(void)state;
	assert_int_equal(ipv4_parse(b, n, &v), 0);
	assert_int_equal(udp_parse(&v, true, &u), 0);
	assert_int_equal(u.len, 1008);
	assert_int_equal(u.payload_len, 1000);
	n = ct_udp_packet(b, 0, 2, &seed);
	assert_int_equal(ipv4_parse(b, n, &v), 0);
	assert_int_equal(udp_parse(&v, true, &u), 0);
	assert_int_equal(u.len, UDP_HLEN);
	assert_int_equal(u.payload_len, 0);
	for (uint16_t id = 0; id < 20000 && !(zero_hi && zero_lo); id++) {
		n = ct_udp_packet(b, 2, id, &seed);
		if ((b[26] == 0) == (b[27] == 0))
			continue; /* not exactly one zero byte */
		zero_hi |= b[26] == 0;
		zero_lo |= b[27] == 0;
		assert_int_equal(ipv4_parse(b, n, &v), 0);
		assert_int_equal(udp_parse(&v, true, &u), 0);
		assert_true(u.has_csum);
		b[28] ^= 1;
		assert_int_equal(udp_parse(&v, true, &u), -EINVAL);
	}
	assert_true(zero_hi && zero_lo);
}

static void test_icmp(void **state)
{
	(void)state;
	uint8_t m[40] = { ICMP_ECHO_REQUEST, 0, 0, 0, 0x12, 0x34, 0x00, 0x07 };
	struct icmp_view v;
	uint16_t sum;

	for (int i = 8; i < 40; i++)
		m[i] = (uint8_t)i;
	sum = csum_fold(csum_add(0, m, sizeof(m)));
	memcpy(m + 2, &sum, 2);
	assert_int_equal(icmp_parse(m, sizeof(m), true, &v), 0);
	assert_int_equal(v.type, ICMP_ECHO_REQUEST);
	assert_int_equal(v.code, 0);
	assert_int_equal(v.id, 0x1234);
	assert_int_equal(v.seq, 7);
	assert_ptr_equal(v.payload, m + 8);
	assert_int_equal(v.payload_len, 32);
	for (size_t len = 0; len < ICMP_HLEN; len++)
		assert_int_equal(icmp_parse(m, len, false, &v), -EMSGSIZE);
	m[20] ^= 1;
	assert_int_equal(icmp_parse(m, sizeof(m), true, &v), -EINVAL);
	assert_int_equal(icmp_parse(m, sizeof(m), false, &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth),
		cmocka_unit_test(test_arp_request_reply),
		cmocka_unit_test(test_arp_malformed),
		cmocka_unit_test(test_ipv4_parse_fields),
		cmocka_unit_test(test_ipv4_fragment_fields),
		cmocka_unit_test(test_ipv4_truncated_and_malformed),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_udp_edges),
		cmocka_unit_test(test_icmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
