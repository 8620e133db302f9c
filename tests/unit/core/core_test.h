/* SPDX-License-Identifier: MIT */
/* core_test.h: helpers shared by the core unit tests (packet builders, a PRNG). */
#ifndef INDYNET_TESTS_CORE_TEST_H
#define INDYNET_TESTS_CORE_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/ipv4.h"
#include "core/udp.h"

/* xorshift64*: deterministic, so a failure reproduces. */
static inline uint64_t ct_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static inline uint32_t ct_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t x[4] = { a, b, c, d };
	uint32_t v;

	memcpy(&v, x, 4);
	return v;
}

/* A UDP/IPv4 packet with @len random payload bytes into @buf; returns its length. */
static inline size_t ct_udp_packet(uint8_t *buf, size_t len, uint16_t id, uint64_t *seed)
{
	uint32_t src = ct_ip(192, 168, 0, 2), dst = ct_ip(192, 168, 0, 1);

	for (size_t i = 0; i < len; i++)
		buf[IPV4_HLEN + UDP_HLEN + i] = (uint8_t)ct_rand(seed);
	udp_build(buf + IPV4_HLEN, src, dst, 1023, 2049, len);
	ipv4_build(buf, src, dst, IPPROTO_UDP, id, UDP_HLEN + len);
	return IPV4_HLEN + UDP_HLEN + len;
}

#endif /* INDYNET_TESTS_CORE_TEST_H */
