/* SPDX-License-Identifier: MIT */
/* checksum.c: one's complement Internet checksum, summed 64 bits at a time. */
#include "core/checksum.h"

#include <string.h>

/*
 * A 64-bit one's complement sum of 64-bit words, folded to 16 bits, equals
 * the RFC 1071 sum of the same bytes taken as 16-bit words: the end-around
 * carry makes the sum independent of the word size as long as the words
 * are aligned to the same byte boundaries.  Four independent accumulators
 * keep the add-with-carry chains short.
 */
static inline uint64_t csum_adc64(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;

	return s + (s < b);
}

static inline uint64_t csum_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t csum_sum_words(const uint8_t *p, size_t *lenp)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;
	size_t len = *lenp;

	while (len >= 32) {
		a = csum_adc64(a, csum_load64(p));
		b = csum_adc64(b, csum_load64(p + 8));
		c = csum_adc64(c, csum_load64(p + 16));
		d = csum_adc64(d, csum_load64(p + 24));
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		a = csum_adc64(a, csum_load64(p));
		p += 8;
		len -= 8;
	}
	*lenp = len;
	return csum_adc64(csum_adc64(a, b), csum_adc64(c, d));
}

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t rest = len;
	uint64_t acc = csum_sum_words(p, &rest);
	uint8_t tail[8] = { 0 };

	/* The last 0..7 bytes, zero-padded, as one more word. */
	memcpy(tail, p + (len - rest), rest);
	acc = csum_adc64(acc, csum_load64(tail));
	acc = csum_adc64(acc, sum);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t ipv4_header_csum(const void *hdr, size_t hlen)
{
	return csum_fold(csum_add(0, hdr, hlen));
}

uint16_t l4_csum_ipv4(uint32_t src, uint32_t dst, uint8_t proto, const void *l4, size_t len)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(len >> 8);
	ph[11] = (uint8_t)len;
	return csum_fold(csum_add(csum_add(0, ph, sizeof(ph)), l4, len));
}
