/* SPDX-License-Identifier: MIT */
/* test_rpcrec.c: RPC record marking: split records, several per segment, byte-at-a-time, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "nfs/rpcrec.h"

/* Feed @len bytes one call at a time of at most @step bytes; collect records "a|b|" into @out. */
static enum rpcrec_status feed_all(struct rpcrec *r, const uint8_t *in, size_t len, size_t step, char *out)
{
	enum rpcrec_status st = RPCREC_MORE;
	size_t pos = 0, used, rl;

	out[0] = '\0';
	while (pos < len) {
		size_t n = len - pos < step ? len - pos : step;

		st = rpcrec_feed(r, in + pos, n, &used);
		assert_true(used <= n);
		pos += used;
		if (st == RPCREC_RECORD) {
			const uint8_t *rec = rpcrec_record(r, &rl);

			assert_non_null(rec);
			strncat(out, (const char *)rec, rl);
			strcat(out, "|");
		} else if (st != RPCREC_MORE) {
			return st;
		} else {
			assert_int_equal(used, n);
		}
	}
	return st;
}

static const uint8_t two_records[] = {
	0x00, 0x00, 0x00, 0x04, 'a', 'b', 'c', 'd',  /* fragment 1 of record 1 */
	0x80, 0x00, 0x00, 0x02, 'e', 'f',            /* its last fragment */
	0x80, 0x00, 0x00, 0x01, 'g',                 /* record 2, one fragment */
};

static void test_several_per_segment(void **state)
{
	struct rpcrec *r = rpcrec_new(1 << 20);
	size_t used, rl;
	const uint8_t *rec;
	char out[64];

	(void)state;
	assert_int_equal(rpcrec_feed(r, two_records, sizeof(two_records), &used), RPCREC_RECORD);
	assert_int_equal(used, 14);
	rec = rpcrec_record(r, &rl);
	assert_int_equal(rl, 6);
	assert_memory_equal(rec, "abcdef", 6);
	assert_true(rpcrec_between(r));
	assert_int_equal(rpcrec_feed(r, two_records + 14, sizeof(two_records) - 14, &used), RPCREC_RECORD);
	assert_int_equal(used, 5);
	assert_int_equal(feed_all(r, two_records, sizeof(two_records), sizeof(two_records), out), RPCREC_RECORD);
	assert_string_equal(out, "abcdef|g|");
	rpcrec_free(r);
}

static void test_every_split(void **state)
{
	char out[64];

	(void)state;
	for (size_t step = 1; step <= sizeof(two_records); step++) {
		struct rpcrec *r = rpcrec_new(64);

		assert_int_equal(feed_all(r, two_records, sizeof(two_records), step, out), RPCREC_RECORD);
		assert_string_equal(out, "abcdef|g|");
		assert_true(rpcrec_between(r));
		rpcrec_free(r);
	}
}

static void test_no_record_before_last(void **state)
{
	struct rpcrec *r = rpcrec_new(64);
	size_t used, rl;

	(void)state;
	assert_true(rpcrec_between(r));
	assert_int_equal(rpcrec_feed(r, two_records, 3, &used), RPCREC_MORE);
	assert_int_equal(used, 3);
	assert_false(rpcrec_between(r));
	assert_null(rpcrec_record(r, &rl));
	assert_int_equal(rpcrec_feed(r, two_records + 3, 9, &used), RPCREC_MORE);
	assert_null(rpcrec_record(r, &rl));
	assert_false(rpcrec_between(r));
	rpcrec_free(r);
}

static void test_empty_records_skipped(void **state)
{
	static const uint8_t in[] = { 0x80, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 1, 'x' };
	struct rpcrec *r = rpcrec_new(64);
	char out[16];

	(void)state;
	assert_int_equal(feed_all(r, in, sizeof(in), sizeof(in), out), RPCREC_RECORD);
	assert_string_equal(out, "x|");
	rpcrec_free(r);
}

static void test_limit_exact_and_over(void **state)
{
	static const uint8_t ok[] = { 0x00, 0, 0, 2, 'a', 'b', 0x80, 0, 0, 2, 'c', 'd' };
	static const uint8_t over[] = { 0x00, 0, 0, 2, 'a', 'b', 0x80, 0, 0, 3, 'c', 'd', 'e' };
	struct rpcrec *r = rpcrec_new(4);
	size_t used;
	char out[16];

	(void)state;
	assert_int_equal(feed_all(r, ok, sizeof(ok), 5, out), RPCREC_RECORD);
	assert_string_equal(out, "abcd|");
	rpcrec_free(r);
	r = rpcrec_new(4);
	assert_int_equal(feed_all(r, over, sizeof(over), sizeof(over), out), RPCREC_TOO_BIG);
	assert_string_equal(out, "");
	/* dead for good: nothing more is taken */
	assert_int_equal(rpcrec_feed(r, ok, sizeof(ok), &used), RPCREC_TOO_BIG);
	assert_int_equal(used, 0);
	rpcrec_free(r);
}

/* #21: a limit of 0 is taken as 1 (rpcrec.h: "at least 1"): a 1-byte record passes, 2 bytes do not */
static void test_limit_zero_is_one(void **state)
{
	static const uint8_t one[] = { 0x80, 0, 0, 1, 'a' };
	static const uint8_t two[] = { 0x80, 0, 0, 2, 'a', 'b' };
	struct rpcrec *r = rpcrec_new(0);
	char out[16];

	(void)state;
	assert_int_equal(feed_all(r, one, sizeof(one), sizeof(one), out), RPCREC_RECORD);
	assert_string_equal(out, "a|");
	assert_int_equal(feed_all(r, two, sizeof(two), sizeof(two), out), RPCREC_TOO_BIG);
	rpcrec_free(r);
}

static void test_huge_header_costs_nothing(void **state)
{
	static const uint8_t in[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	struct rpcrec *r = rpcrec_new(1u << 20);
	size_t used;

	(void)state;
	assert_int_equal(rpcrec_feed(r, in, sizeof(in), &used), RPCREC_TOO_BIG);
	rpcrec_free(r);
	/* an announced 1 MiB record that never comes: only what arrived is stored */
	r = rpcrec_new(1u << 20);
	assert_int_equal(rpcrec_feed(r, (const uint8_t[]){ 0x80, 0x10, 0, 0, 'a' }, 5, &used), RPCREC_MORE);
	assert_int_equal(used, 5);
	assert_false(rpcrec_between(r));
	rpcrec_free(r);
}

static void test_large_record_grows(void **state)
{
	const size_t n = 300000;
	uint8_t *in = malloc(n + 8);
	struct rpcrec *r = rpcrec_new(n);
	size_t pos = 0, used, rl;
	const uint8_t *rec;

	(void)state;
	/* two fragments: 100000 + 200000 bytes, fed in 1448-byte segments */
	rpcrec_mark(in, 100000);
	in[0] = 0;
	for (size_t i = 0; i < 100000; i++)
		in[4 + i] = (uint8_t)i;
	rpcrec_mark(in + 100004, 200000);
	for (size_t i = 100000; i < n; i++)
		in[8 + i] = (uint8_t)i;
	while (pos < n + 8) {
		size_t step = n + 8 - pos < 1448 ? n + 8 - pos : 1448;
		enum rpcrec_status st = rpcrec_feed(r, in + pos, step, &used);

		pos += used;
		assert_int_equal(st, pos == n + 8 ? RPCREC_RECORD : RPCREC_MORE);
	}
	rec = rpcrec_record(r, &rl);
	assert_int_equal(rl, n);
	for (size_t i = 0; i < n; i++)
		if (rec[i] != (uint8_t)i)
			fail_msg("byte %zu", i);
	free(in);
	rpcrec_free(r);
}

static void test_mark(void **state)
{
	uint8_t hdr[4];

	(void)state;
	rpcrec_mark(hdr, 0x12345);
	assert_memory_equal(hdr, ((const uint8_t[]){ 0x80, 0x01, 0x23, 0x45 }), 4);
	rpcrec_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_several_per_segment),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_no_record_before_last),
		cmocka_unit_test(test_empty_records_skipped),
		cmocka_unit_test(test_limit_exact_and_over),
		cmocka_unit_test(test_limit_zero_is_one),
		cmocka_unit_test(test_huge_header_costs_nothing),
		cmocka_unit_test(test_large_record_grows),
		cmocka_unit_test(test_mark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
