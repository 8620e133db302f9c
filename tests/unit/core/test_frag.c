/* SPDX-License-Identifier: MIT */
/* test_frag.c: IPv4 fragmentation, and the frag -> shuffle -> reassembly round trip. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/checksum.h"
#include "core/frag.h"
#include "core/ipv4.h"
#include "core/reasm.h"
#include "core_test.h"

#define MAX_FRAGS 1200

struct frags {
	size_t n;
	uint8_t *pkt[MAX_FRAGS];
	size_t len[MAX_FRAGS];
};

static void collect(void *opaque, const uint8_t *pkt, size_t len)
{
	struct frags *f = opaque;

	assert_true(f->n < MAX_FRAGS);
	f->pkt[f->n] = malloc(len);
	assert_non_null(f->pkt[f->n]);
	memcpy(f->pkt[f->n], pkt, len);
	f->len[f->n] = len;
	f->n++;
}

static void frags_free(struct frags *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->pkt[i]);
	f->n = 0;
}

/* Every fragment: valid, <= mtu, 8-aligned payload except the last, contiguous offsets. */
static void check_fragments(const struct frags *f, unsigned mtu, size_t payload_total)
{
	uint32_t next = 0;

	for (size_t i = 0; i < f->n; i++) {
		struct ipv4_view v;

		assert_int_equal(ipv4_parse(f->pkt[i], f->len[i], &v), 0);
		assert_true(f->len[i] <= mtu);
		assert_int_equal(v.frag_off, next);
		assert_int_equal(v.mf, i + 1 < f->n);
		if (i + 1 < f->n)
			assert_int_equal(v.payload_len % 8, 0);
		next += (uint32_t)v.payload_len;
	}
	assert_int_equal(next, payload_total);
}

static void shuffle(struct frags *f, uint64_t *seed)
{
	for (size_t i = f->n; i > 1; i--) {
		size_t j = ct_rand(seed) % i;
		uint8_t *p = f->pkt[i - 1];
		size_t l = f->len[i - 1];

		f->pkt[i - 1] = f->pkt[j];
		f->len[i - 1] = f->len[j];
		f->pkt[j] = p;
		f->len[j] = l;
	}
}

static void round_trip(unsigned mtu, size_t payload, uint64_t *seed, struct reasm *ra)
{
	uint8_t *pkt = malloc(IPV4_MAX_LEN);
	struct frags f = { 0 };
	const uint8_t *out = NULL;
	size_t out_len = 0;
	size_t n = ct_udp_packet(pkt, payload, (uint16_t)ct_rand(seed), seed);
	int r = frag_ipv4(pkt, n, mtu, collect, &f);

	assert_int_equal(r, (int)f.n);
	if (n <= mtu) {
		assert_int_equal(f.n, 1);
		assert_memory_equal(f.pkt[0], pkt, n);
	}
	check_fragments(&f, mtu, n - IPV4_HLEN);
	shuffle(&f, seed);
	for (size_t i = 0; i < f.n; i++) {
		enum reasm_result res = reasm_input(ra, f.pkt[i], f.len[i], 1000, &out, &out_len);

		if (f.n == 1)
			assert_int_equal(res, REASM_NOT_FRAGMENT);
		else
			assert_int_equal(res, i + 1 < f.n ? REASM_HELD : REASM_COMPLETE);
	}
	if (f.n > 1) {
		assert_int_equal(out_len, n);
		assert_memory_equal(out, pkt, n);
	}
	frags_free(&f);
	free(pkt);
}

static void test_round_trip(void **state)
{
	(void)state;
	static const unsigned mtus[] = { 576, 1500, 9000 };
	struct reasm *ra = reasm_new();
	uint64_t seed = 0x1dead;
	uint64_t drops[INDYNET_DROP__COUNT] = { 0 };

	assert_non_null(ra);
	for (size_t m = 0; m < 3; m++) {
		round_trip(mtus[m], 0, &seed, ra);
		round_trip(mtus[m], mtus[m] - 28, &seed, ra);
		round_trip(mtus[m], mtus[m] - 27, &seed, ra);
		round_trip(mtus[m], IPV4_MAX_LEN - 28, &seed, ra);
		for (int i = 0; i < 20; i++)
			round_trip(mtus[m], ct_rand(&seed) % (IPV4_MAX_LEN - 27), &seed, ra);
	}
	reasm_counters(ra, drops);
	for (int i = 0; i < INDYNET_DROP__COUNT; i++)
		assert_int_equal(drops[i], 0);
	reasm_free(ra);
}

static void test_df_refused(void **state)
{
	(void)state;
	uint8_t pkt[3000];
	struct frags f = { 0 };
	uint64_t seed = 3;
	size_t n = ct_udp_packet(pkt, 2000, 9, &seed);
	uint16_t sum;

	pkt[6] = 0x40;
	pkt[10] = pkt[11] = 0;
	sum = ipv4_header_csum(pkt, 20);
	memcpy(pkt + 10, &sum, 2);
	assert_int_equal(frag_ipv4(pkt, n, 1500, collect, &f), -EMSGSIZE);
	assert_int_equal(f.n, 0);
	/* A DF packet that fits goes out unchanged. */
	assert_int_equal(frag_ipv4(pkt, n, 2100, collect, &f), 1);
	assert_memory_equal(f.pkt[0], pkt, n);
	frags_free(&f);
}

static void test_bad_input(void **state)
{
	(void)state;
	uint8_t pkt[3000];
	struct frags f = { 0 };
	uint64_t seed = 4;
	size_t n = ct_udp_packet(pkt, 2000, 9, &seed);

	assert_int_equal(frag_ipv4(pkt, n - 1, 1500, collect, &f), -EINVAL);
	assert_int_equal(frag_ipv4(pkt, n, 27, collect, &f), -EINVAL);
	pkt[11] ^= 1;
	assert_int_equal(frag_ipv4(pkt, n, 1500, collect, &f), -EINVAL);
	assert_int_equal(f.n, 0);
}

/* Options: the first fragment keeps all; later ones only those with the copy bit. */
static void test_options(void **state)
{
	(void)state;
	uint8_t pkt[2100];
	struct frags f = { 0 };
	uint16_t sum;
	size_t payload = 2000;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x48; /* IHL 8: 12 option bytes */
	pkt[2] = (uint8_t)((32 + payload) >> 8);
	pkt[3] = (uint8_t)(32 + payload);
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	/* Record Route (7, not copied, 7 bytes), NOP, Security-like (0x82, copied, 4 bytes). */
	static const uint8_t opts[12] = { 7, 7, 4, 0, 0, 0, 0, 1, 0x82, 4, 0xab, 0xcd };

	memcpy(pkt + 20, opts, sizeof(opts));
	for (size_t i = 0; i < payload; i++)
		pkt[32 + i] = (uint8_t)i;
	sum = ipv4_header_csum(pkt, 32);
	memcpy(pkt + 10, &sum, 2);
	assert_int_equal(frag_ipv4(pkt, 32 + payload, 1000, collect, &f), 3);

	struct ipv4_view v;

	assert_int_equal(ipv4_parse(f.pkt[0], f.len[0], &v), 0);
	assert_int_equal(v.hlen, 32);
	assert_memory_equal(f.pkt[0] + 20, opts, 12);
	for (size_t i = 1; i < f.n; i++) {
		static const uint8_t copied[4] = { 0x82, 4, 0xab, 0xcd };

		assert_int_equal(ipv4_parse(f.pkt[i], f.len[i], &v), 0);
		assert_int_equal(v.hlen, 24);
		assert_memory_equal(f.pkt[i] + 20, copied, 4);
	}
	/* And they reassemble to the original. */
	struct reasm *ra = reasm_new();
	const uint8_t *out = NULL;
	size_t out_len = 0;

	assert_int_equal(reasm_input(ra, f.pkt[2], f.len[2], 0, &out, &out_len), REASM_HELD);
	assert_int_equal(reasm_input(ra, f.pkt[0], f.len[0], 0, &out, &out_len), REASM_HELD);
	assert_int_equal(reasm_input(ra, f.pkt[1], f.len[1], 0, &out, &out_len), REASM_COMPLETE);
	assert_int_equal(out_len, 32 + payload);
	assert_memory_equal(out, pkt, out_len);
	reasm_free(ra);
	frags_free(&f);

	/* A malformed option length is refused. */
	pkt[21] = 40;
	pkt[10] = pkt[11] = 0;
	sum = ipv4_header_csum(pkt, 32);
	memcpy(pkt + 10, &sum, 2);
	assert_int_equal(frag_ipv4(pkt, 32 + payload, 1000, collect, &f), -EINVAL);
}

/* A fragment fragmented again keeps its offsets and its MF flag. */
static void test_refragment(void **state)
{
	(void)state;
	uint8_t *pkt = malloc(IPV4_MAX_LEN);
	struct frags big = { 0 }, small = { 0 };
	uint64_t seed = 5;
	size_t n = ct_udp_packet(pkt, 8000, 77, &seed);
	struct reasm *ra = reasm_new();
	const uint8_t *out = NULL;
	size_t out_len = 0;
	enum reasm_result res = REASM_HELD;

	assert_int_equal(frag_ipv4(pkt, n, 4000, collect, &big), 3);
	for (size_t i = 0; i < big.n; i++)
		assert_true(frag_ipv4(big.pkt[i], big.len[i], 576, collect, &small) >= 1);
	check_fragments(&small, 576, n - IPV4_HLEN);
	for (size_t i = 0; i < small.n; i++)
		res = reasm_input(ra, small.pkt[i], small.len[i], 0, &out, &out_len);
	assert_int_equal(res, REASM_COMPLETE);
	assert_int_equal(out_len, n);
	assert_memory_equal(out, pkt, n);
	reasm_free(ra);
	frags_free(&big);
	frags_free(&small);
	free(pkt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_df_refused),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_refragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
