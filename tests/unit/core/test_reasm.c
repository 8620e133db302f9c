/* SPDX-License-Identifier: MIT */
/* test_reasm.c: reassembly bounds, overlaps, duplicates, age-out and malformed fragments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/checksum.h"
#include "core/ipv4.h"
#include "core/reasm.h"
#include "core_test.h"

static uint8_t pktbuf[IPV4_MAX_LEN];
static bool frag_df; /* mkfrag() sets Don't Fragment too */

/*
 * Build one fragment of datagram @id: @len payload bytes at byte offset @off,
 * bytes derived from (id, absolute position) unless @salt changes them.
 */
static size_t mkfrag(uint16_t id, uint32_t off, size_t len, bool mf, uint8_t salt)
{
	uint8_t *b = pktbuf;
	size_t total = IPV4_HLEN + len;
	uint16_t field = (uint16_t)((mf ? IPV4_FLAG_MF : 0) | (frag_df ? IPV4_FLAG_DF : 0) | off / 8);
	uint16_t sum;

	memset(b, 0, IPV4_HLEN);
	b[0] = 0x45;
	b[2] = (uint8_t)(total >> 8);
	b[3] = (uint8_t)total;
	b[4] = (uint8_t)(id >> 8);
	b[5] = (uint8_t)id;
	b[6] = (uint8_t)(field >> 8);
	b[7] = (uint8_t)field;
	b[8] = 64;
	b[9] = IPPROTO_UDP;
	uint32_t src = ct_ip(192, 168, 0, 2), dst = ct_ip(192, 168, 0, 1);

	memcpy(b + 12, &src, 4);
	memcpy(b + 16, &dst, 4);
	for (size_t i = 0; i < len; i++)
		b[IPV4_HLEN + i] = (uint8_t)(id + off + i + salt);
	sum = ipv4_header_csum(b, IPV4_HLEN);
	memcpy(b + 10, &sum, 2);
	return total;
}

struct fixture {
	struct reasm *ra;
	const uint8_t *out;
	size_t out_len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->ra = reasm_new();
	frag_df = false;
	*state = f;
	return f->ra ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	reasm_free(f->ra);
	free(f);
	return 0;
}

static enum reasm_result feed(struct fixture *f, uint16_t id, uint32_t off, size_t len, bool mf, uint8_t salt,
			      uint64_t now)
{
	size_t n = mkfrag(id, off, len, mf, salt);

	return reasm_input(f->ra, pktbuf, n, now, &f->out, &f->out_len);
}

static uint64_t drops(const struct fixture *f, enum indynet_drop_reason r)
{
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };

	reasm_counters(f->ra, d);
	return d[r];
}

static void test_not_fragment_and_truncated(void **state)
{
	struct fixture *f = *state;
	size_t n = mkfrag(1, 0, 100, false, 0);

	assert_int_equal(reasm_input(f->ra, pktbuf, n, 0, &f->out, &f->out_len), REASM_NOT_FRAGMENT);
	assert_int_equal(reasm_input(f->ra, pktbuf, n - 1, 0, &f->out, &f->out_len), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_TRUNCATED), 1);
	pktbuf[0] = 0x55;
	assert_int_equal(reasm_input(f->ra, pktbuf, n, 0, &f->out, &f->out_len), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_MALFORMED), 1);
}

static void test_in_order_and_fresh_header(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, 7, 0, 1480, true, 0, 0), REASM_HELD);
	assert_int_equal(reasm_pending(f->ra), 1);
	assert_int_equal(feed(f, 7, 1480, 100, false, 0, 0), REASM_COMPLETE);
	assert_int_equal(f->out_len, 20 + 1580);

	struct ipv4_view v;

	assert_int_equal(ipv4_parse(f->out, f->out_len, &v), 0);
	assert_false(ipv4_is_fragment(&v));
	assert_int_equal(v.id, 7);
	for (size_t i = 0; i < 1580; i++)
		assert_int_equal(v.payload[i], (uint8_t)(7 + i));
	assert_int_equal(reasm_pending(f->ra), 0);
}

/* The 65th datagram in progress is refused and counted. */
static void test_65th_datagram(void **state)
{
	struct fixture *f = *state;

	for (uint16_t id = 0; id < REASM_MAX_DATAGRAMS; id++)
		assert_int_equal(feed(f, id, 0, 8, true, 0, 0), REASM_HELD);
	assert_int_equal(reasm_pending(f->ra), 64);
	assert_int_equal(feed(f, 1000, 0, 8, true, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_LIMIT), 1);
	assert_int_equal(reasm_pending(f->ra), 64);
	/* Datagrams in progress still complete, which frees a slot for a new one. */
	assert_int_equal(feed(f, 3, 8, 8, false, 0, 0), REASM_COMPLETE);
	assert_int_equal(feed(f, 1000, 0, 8, true, 0, 0), REASM_HELD);
	assert_int_equal(reasm_pending(f->ra), 64);
}

/* A datagram that would grow past 65535 bytes is dropped. */
static void test_too_big(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, 9, 0, 1480, true, 0, 0), REASM_HELD);
	/* 20 + 65512 + 8 = 65540 */
	assert_int_equal(feed(f, 9, 65512, 8, true, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_TOO_BIG), 1);
	assert_int_equal(reasm_pending(f->ra), 0);
	/* Alone, too. */
	assert_int_equal(feed(f, 10, 65528, 8, false, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_TOO_BIG), 2);
	/* A first fragment with 4 bytes of options makes a datagram of 24 + 65515 bytes: too big, dropped and counted. */
	size_t n = mkfrag(12, 0, 65504, true, 0);

	memmove(pktbuf + 24, pktbuf + 20, n - 20);
	memset(pktbuf + 20, 1, 4); /* four NOPs */
	pktbuf[0] = 0x46;
	pktbuf[2] = (uint8_t)((n + 4) >> 8);
	pktbuf[3] = (uint8_t)(n + 4);
	pktbuf[10] = pktbuf[11] = 0;
	uint16_t sum = ipv4_header_csum(pktbuf, 24);

	memcpy(pktbuf + 10, &sum, 2);
	assert_int_equal(reasm_input(f->ra, pktbuf, n + 4, 0, &f->out, &f->out_len), REASM_HELD);
	assert_int_equal(feed(f, 12, 65504, 11, false, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_TOO_BIG), 3);
	assert_int_equal(reasm_pending(f->ra), 0);
	assert_int_equal(reasm_bytes_held(f->ra), 0);
	reasm_free(NULL);
	/* Exactly 65535 is fine. */
	assert_int_equal(feed(f, 11, 0, 65504, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 11, 65504, 11, false, 0, 0), REASM_COMPLETE);
	assert_int_equal(f->out_len, 65535);
}

/* Holding more than 4 MiB of fragments is refused; what is held stays bounded. */
static void test_total_bytes_bound(void **state)
{
	struct fixture *f = *state;
	uint64_t limit_before = drops(f, INDYNET_DROP_FRAG_LIMIT);
	bool limited = false;

	for (uint16_t id = 0; id < REASM_MAX_DATAGRAMS && !limited; id++) {
		/* 8 fragments of 8184 bytes: 65.8 KB held per datagram, 4.2 MB for 64. */
		for (uint32_t off = 0; off < 8 * 8184; off += 8184) {
			if (feed(f, id, off, 8184, true, 0, 0) == REASM_DROPPED) {
				limited = true;
				break;
			}
			assert_true(reasm_bytes_held(f->ra) <= REASM_MAX_BYTES);
		}
	}
	assert_true(limited);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_LIMIT), limit_before + 1);
	assert_true(reasm_bytes_held(f->ra) <= REASM_MAX_BYTES);
	assert_true(reasm_bytes_held(f->ra) > REASM_MAX_BYTES - 140000);
	/* Dropping by age frees everything. */
	reasm_expire(f->ra, REASM_TIMEOUT_MS);
	assert_int_equal(reasm_bytes_held(f->ra), 0);
	assert_int_equal(reasm_pending(f->ra), 0);
}

/* Fragments up to exactly 4 MiB are held; one byte block more is refused. */
static void test_total_bytes_exact_bound(void **state)
{
	struct fixture *f = *state;
	const size_t len = 8184;
	size_t cost, last, held;
	uint16_t id = 0;
	uint32_t off = 0;

	/* What holding one fragment costs beyond its payload (the arena's record and header). */
	assert_int_equal(feed(f, id, off, len, true, 0, 0), REASM_HELD);
	cost = reasm_bytes_held(f->ra) - len;
	for (;;) {
		off += (uint32_t)len;
		if (off + len > 8 * len) {
			id++;
			off = 0;
		}
		if (reasm_bytes_held(f->ra) + cost + len > REASM_MAX_BYTES)
			break;
		assert_int_equal(feed(f, id, off, len, true, 0, 0), REASM_HELD);
	}
	assert_true(id < REASM_MAX_DATAGRAMS);
	held = reasm_bytes_held(f->ra);
	assert_true(REASM_MAX_BYTES - held > cost);
	/* A last fragment, far out in this datagram, that fills the bound to the byte. */
	last = REASM_MAX_BYTES - held - cost;
	assert_int_equal(feed(f, id, (uint32_t)(IPV4_MAX_LEN - IPV4_HLEN - last) & ~7u, last, false, 0, 0),
			 REASM_HELD);
	assert_int_equal(reasm_bytes_held(f->ra), REASM_MAX_BYTES);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_LIMIT), 0);
	assert_int_equal(feed(f, (uint16_t)(id == 0 ? 1 : 0), 65480, 8, true, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_LIMIT), 1);
}

/* The reassembled header keeps Don't Fragment as the fragments had it, and clears MF and the offset. */
static void test_df_kept(void **state)
{
	struct fixture *f = *state;
	struct ipv4_view v;

	for (int df = 0; df <= 1; df++) {
		uint16_t id = (uint16_t)(20 + df);

		frag_df = df;
		assert_int_equal(feed(f, id, 0, 1480, true, 0, 0), REASM_HELD);
		assert_int_equal(feed(f, id, 1480, 100, false, 0, 0), REASM_COMPLETE);
		assert_int_equal(ipv4_parse(f->out, f->out_len, &v), 0);
		assert_int_equal(f->out[6], df ? IPV4_FLAG_DF >> 8 : 0);
		assert_int_equal(f->out[7], 0);
		assert_false(ipv4_is_fragment(&v));
		assert_int_equal(v.total_len, 20 + 1580);
	}
}

static void test_overlap_drops_datagram(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, 20, 0, 16, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 20, 8, 16, true, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_OVERLAP), 1);
	assert_int_equal(reasm_pending(f->ra), 0);
	assert_int_equal(reasm_bytes_held(f->ra), 0);
	/* A later fragment of the same id starts afresh and cannot complete a torn datagram. */
	assert_int_equal(feed(f, 20, 16, 8, false, 0, 0), REASM_HELD);
	assert_int_equal(reasm_pending(f->ra), 1);

	/* A last fragment overlapping the tail of an earlier one. */
	assert_int_equal(feed(f, 21, 0, 24, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 21, 16, 3, false, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_OVERLAP), 2);
	/* A fragment covering two held ones. */
	assert_int_equal(feed(f, 22, 8, 8, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 22, 24, 8, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 22, 0, 40, true, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_OVERLAP), 3);
}

static void test_duplicates(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, 30, 0, 16, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 30, 0, 16, true, 0, 0), REASM_HELD);
	size_t held = reasm_bytes_held(f->ra);

	assert_int_equal(feed(f, 30, 0, 16, true, 0, 0), REASM_HELD);
	assert_int_equal(reasm_bytes_held(f->ra), held); /* not stored twice */
	assert_int_equal(feed(f, 30, 16, 5, false, 0, 0), REASM_COMPLETE);
	assert_int_equal(f->out_len, 20 + 21);
	for (int r = 0; r < INDYNET_DROP__COUNT; r++)
		assert_int_equal(drops(f, (enum indynet_drop_reason)r), 0);

	/* Same extent but different bytes: an overlap attack, the datagram goes. */
	assert_int_equal(feed(f, 31, 0, 16, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 31, 0, 16, true, 1, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_OVERLAP), 1);

	/* A retransmitted last fragment of 1 byte (a partial 8-byte block) before the first: held once. */
	assert_int_equal(feed(f, 32, 8, 1, false, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 32, 8, 1, false, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 32, 0, 8, true, 0, 0), REASM_COMPLETE);
	assert_int_equal(f->out_len, 20 + 9);
	/* and a fragment over that partial block is an overlap */
	assert_int_equal(feed(f, 33, 16, 1, false, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 33, 16, 1, false, 1, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_OVERLAP), 2);
	/* the same far into the datagram */
	assert_int_equal(feed(f, 34, 1600, 8, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 34, 1600, 8, true, 1, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_OVERLAP), 3);
}

/* Fragments of the same id but another protocol or source are separate datagrams. */
static void test_key(void **state)
{
	struct fixture *f = *state;
	size_t n = mkfrag(40, 0, 16, true, 0);

	assert_int_equal(reasm_input(f->ra, pktbuf, n, 0, &f->out, &f->out_len), REASM_HELD);
	n = mkfrag(40, 0, 16, true, 0);
	pktbuf[9] = IPPROTO_TCP;
	pktbuf[10] = pktbuf[11] = 0;
	uint16_t sum = ipv4_header_csum(pktbuf, 20);

	memcpy(pktbuf + 10, &sum, 2);
	assert_int_equal(reasm_input(f->ra, pktbuf, n, 0, &f->out, &f->out_len), REASM_HELD);
	assert_int_equal(reasm_pending(f->ra), 2);
	assert_int_equal(feed(f, 40, 16, 4, false, 0, 0), REASM_COMPLETE);
	assert_int_equal(f->out[9], IPPROTO_UDP);
}

static void test_age_out(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, 50, 0, 16, true, 0, 1000), REASM_HELD);
	assert_int_equal(feed(f, 51, 0, 16, true, 0, 3000), REASM_HELD);
	reasm_expire(f->ra, 5999);
	assert_int_equal(reasm_pending(f->ra), 2);
	reasm_expire(f->ra, 6000);
	assert_int_equal(reasm_pending(f->ra), 1);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_TIMEOUT), 1);
	/* The age counts from the first fragment, not the latest. */
	assert_int_equal(feed(f, 51, 16, 8, true, 0, 7999), REASM_HELD);
	/* A late fragment after the timeout (input also expires) starts a new datagram. */
	assert_int_equal(feed(f, 51, 24, 8, false, 0, 8000), REASM_HELD);
	assert_int_equal(drops(f, INDYNET_DROP_FRAG_TIMEOUT), 2);
	assert_int_equal(reasm_pending(f->ra), 1);
	/* A clock that goes backwards never ages anything out. */
	reasm_expire(f->ra, 10);
	assert_int_equal(reasm_pending(f->ra), 1);
}

static void test_malformed_fragments(void **state)
{
	struct fixture *f = *state;

	/* MF with a payload that is not a multiple of 8, or empty. */
	assert_int_equal(feed(f, 60, 0, 12, true, 0, 0), REASM_DROPPED);
	assert_int_equal(feed(f, 60, 8, 0, true, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_MALFORMED), 2);
	/* Two different ends. */
	assert_int_equal(feed(f, 61, 16, 4, false, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 61, 32, 4, false, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_MALFORMED), 3);
	/* A fragment beyond the known end. */
	assert_int_equal(feed(f, 62, 16, 4, false, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 62, 24, 8, true, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_MALFORMED), 4);
	/* An end before data already held. */
	assert_int_equal(feed(f, 63, 32, 8, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 63, 8, 0, false, 0, 0), REASM_DROPPED);
	assert_int_equal(drops(f, INDYNET_DROP_MALFORMED), 5);
	assert_int_equal(reasm_pending(f->ra), 0);
	assert_int_equal(reasm_bytes_held(f->ra), 0);
}

/* A completed datagram, whatever the order of its fragments, holds nothing afterwards. */
static void test_completion_releases(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, 70, 8, 8, true, 0, 0), REASM_HELD);
	assert_int_equal(feed(f, 70, 16, 1, false, 0, 0), REASM_HELD);
	assert_true(reasm_bytes_held(f->ra) > 0);
	assert_int_equal(feed(f, 70, 0, 8, true, 0, 0), REASM_COMPLETE);
	assert_int_equal(f->out_len, 20 + 17);
	assert_int_equal(reasm_pending(f->ra), 0);
	assert_int_equal(reasm_bytes_held(f->ra), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_not_fragment_and_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_order_and_fresh_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_65th_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_bytes_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_bytes_exact_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_df_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_drops_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_completion_releases, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
