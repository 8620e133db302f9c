/* SPDX-License-Identifier: MIT */
/* test_checksum.c: Internet checksum against known vectors and a reference sum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/checksum.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "core_test.h"

/* Bit-by-bit RFC 1071 reference: 16-bit big-endian words, end-around carry. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t as_be(uint16_t raw)
{
	uint8_t b[2];

	memcpy(b, &raw, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
static void test_rfc1071_example(void **state)
{
	(void)state;
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	assert_int_equal(as_be(csum_fold(csum_add(0, d, sizeof(d)))), (uint16_t)~0xddf2);
	/* The same sum split in two even chunks. */
	assert_int_equal(as_be(csum_fold(csum_add(csum_add(0, d, 4), d + 4, 4))), (uint16_t)~0xddf2);
}

/* A real header (checksum b861), as printed by Wireshark. */
static const uint8_t real_ip_hdr[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static void test_ipv4_header_vector(void **state)
{
	(void)state;
	uint8_t h[20];

	memcpy(h, real_ip_hdr, sizeof(h));
	assert_int_equal(ipv4_header_csum(h, sizeof(h)), 0);
	h[10] = h[11] = 0;
	assert_int_equal(as_be(ipv4_header_csum(h, sizeof(h))), 0xb861);
}

/*
 * 192.168.0.2:1023 -> 192.168.0.1:2049 "indynet NFS test!" (odd length):
 * tshark reports IP checksum 0xdd26 and UDP checksum 0x17ba [correct].
 */
static const uint8_t known_udp[] = {
	0x45, 0x00, 0x00, 0x2d, 0x1c, 0x46, 0x00, 0x00, 0x40, 0x11, 0xdd, 0x26, 0xc0, 0xa8, 0x00, 0x02,
	0xc0, 0xa8, 0x00, 0x01, 0x03, 0xff, 0x08, 0x01, 0x00, 0x19, 0x17, 0xba, 0x69, 0x6e, 0x64, 0x79,
	0x6e, 0x65, 0x74, 0x20, 0x4e, 0x46, 0x53, 0x20, 0x74, 0x65, 0x73, 0x74, 0x21,
};

static void test_udp_known_packet(void **state)
{
	(void)state;
	uint8_t p[sizeof(known_udp)];
	uint32_t src, dst;

	memcpy(p, known_udp, sizeof(p));
	memcpy(&src, p + 12, 4);
	memcpy(&dst, p + 16, 4);
	assert_int_equal(ipv4_header_csum(p, 20), 0);
	assert_int_equal(l4_csum_ipv4(src, dst, IPPROTO_UDP, p + 20, sizeof(p) - 20), 0);
	p[26] = p[27] = 0;
	assert_int_equal(as_be(l4_csum_ipv4(src, dst, IPPROTO_UDP, p + 20, sizeof(p) - 20)), 0x17ba);

	/* Building the same datagram reproduces the capture byte for byte. */
	uint8_t b[sizeof(known_udp)];

	memcpy(b + 28, known_udp + 28, sizeof(known_udp) - 28);
	assert_int_equal(udp_build(b + 20, src, dst, 1023, 2049, sizeof(known_udp) - 28), UDP_HLEN);
	assert_int_equal(ipv4_build(b, src, dst, IPPROTO_UDP, 0x1c46, sizeof(known_udp) - 20), IPV4_HLEN);
	assert_memory_equal(b, known_udp, sizeof(known_udp));
}

/* Every length 0..300 at every alignment 0..7 matches the reference. */
static void test_odd_lengths_unaligned(void **state)
{
	(void)state;
	uint8_t buf[320];
	uint64_t seed = 42;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)ct_rand(&seed);
	for (size_t align = 0; align < 8; align++)
		for (size_t len = 0; len <= 300; len++)
			assert_int_equal(as_be(csum_fold(csum_add(0, buf + align, len))), ref_csum(buf + align, len));
}

/* Large blocks (the NFS READ path) and all-ones data that stresses carries. */
static void test_large_and_carries(void **state)
{
	(void)state;
	size_t n = 65536 + 7;
	uint8_t *buf = malloc(n + 1);
	uint64_t seed = 7;

	assert_non_null(buf);
	for (size_t i = 0; i < n + 1; i++)
		buf[i] = (uint8_t)ct_rand(&seed);
	assert_int_equal(as_be(csum_fold(csum_add(0, buf + 1, n))), ref_csum(buf + 1, n));
	memset(buf, 0xff, n + 1);
	assert_int_equal(as_be(csum_fold(csum_add(0, buf, n))), ref_csum(buf, n));
	/* Chained even chunks equal one pass, with a non-zero starting sum. */
	uint32_t s = csum_add(0, buf, 32768);

	assert_int_equal(csum_fold(csum_add(s, buf + 32768, n - 32768)), csum_fold(csum_add(0, buf, n)));
	free(buf);
}

/* A computed UDP checksum of 0 is sent as 0xffff. */
static void test_udp_zero_becomes_ffff(void **state)
{
	(void)state;
	uint8_t b[IPV4_HLEN + UDP_HLEN + 16] = { 0 };
	uint32_t src = ct_ip(10, 0, 0, 1), dst = ct_ip(10, 0, 0, 2);
	uint8_t *u = b + IPV4_HLEN;

	for (int i = 0; i < 14; i++)
		u[UDP_HLEN + i] = (uint8_t)(i * 37);
	udp_build(u, src, dst, 1, 2, 16);
	/* Put the checksum into the last payload word: the new sum is then 0. */
	memcpy(u + UDP_HLEN + 14, u + 6, 2);
	udp_build(u, src, dst, 1, 2, 16);
	assert_int_equal(u[6], 0xff);
	assert_int_equal(u[7], 0xff);
	ipv4_build(b, src, dst, IPPROTO_UDP, 1, UDP_HLEN + 16);

	struct ipv4_view v;
	struct udp_view uv;

	assert_int_equal(ipv4_parse(b, sizeof(b), &v), 0);
	assert_int_equal(udp_parse(&v, true, &uv), 0);
	assert_true(uv.has_csum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_ipv4_header_vector),
		cmocka_unit_test(test_udp_known_packet),
		cmocka_unit_test(test_odd_lengths_unaligned),
		cmocka_unit_test(test_large_and_carries),
		cmocka_unit_test(test_udp_zero_becomes_ffff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
