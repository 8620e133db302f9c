/* SPDX-License-Identifier: MIT */
/* test_xdr.c: XDR encoder/decoder against hand-computed vectors and hostile lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "nfs/xdr.h"

static void test_encode_vectors(void **state)
{
	static const uint8_t want[] = {
		0x01, 0x02, 0x03, 0x04,                          /* u32 */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  /* u64 */
		0x00, 0x00, 0x00, 0x01,                          /* true */
		0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', 0x00,     /* string "abc" + pad */
		0x00, 0x00, 0x00, 0x04, 'w', 'x', 'y', 'z',      /* opaque<4>, no pad */
		0xde, 0xad, 0x00, 0x00,                          /* fixed[2] + pad */
		0x00, 0x00, 0x00, 0x00,                          /* empty string */
	};
	uint8_t buf[64];
	struct xdr_enc e;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	xdr_enc_init(&e, buf, sizeof(buf));
	xdr_put_u32(&e, 0x01020304u);
	xdr_put_u64(&e, 0x0102030405060708ull);
	xdr_put_bool(&e, true);
	xdr_put_string(&e, "abc");
	xdr_put_opaque(&e, "wxyz", 4);
	xdr_put_fixed(&e, "\xde\xad", 2);
	xdr_put_string(&e, "");
	assert_false(e.err);
	assert_int_equal(e.pos, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_decode_vectors(void **state)
{
	static const uint8_t in[] = {
		0xff, 0xff, 0xff, 0xfe,
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0,
	};
	struct xdr_dec d;
	const uint8_t *p;
	uint32_t len;

	(void)state;
	xdr_dec_init(&d, in, sizeof(in));
	assert_int_equal(xdr_get_u32(&d), 0xfffffffeu);
	assert_true(xdr_get_u64(&d) == 0x8000000000000001ull);
	assert_false(xdr_get_bool(&d));
	p = xdr_get_opaque(&d, 255, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "hello", 5);
	assert_int_equal(xdr_dec_left(&d), 0);
	assert_false(d.err);
	/* reading past the end latches the error and yields zeros */
	assert_int_equal(xdr_get_u32(&d), 0);
	assert_true(d.err);
}

static void test_decode_hostile(void **state)
{
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c', 'd' };
	static const uint8_t long5[] = { 0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e' };  /* pad missing */
	static const uint8_t badbool[] = { 0, 0, 0, 2 };
	static const uint8_t three[] = { 1, 2, 3 };
	struct xdr_dec d;
	uint32_t len = 99;

	(void)state;
	xdr_dec_init(&d, huge, sizeof(huge));
	assert_null(xdr_get_opaque(&d, UINT32_MAX, &len));
	assert_true(d.err);
	assert_int_equal(len, 0);

	xdr_dec_init(&d, long5, sizeof(long5));
	assert_null(xdr_get_opaque(&d, 100, &len));
	assert_true(d.err);

	xdr_dec_init(&d, long5, sizeof(long5));
	assert_null(xdr_get_opaque(&d, 4, &len));  /* over the caller's max */
	assert_true(d.err);

	xdr_dec_init(&d, badbool, sizeof(badbool));
	xdr_get_bool(&d);
	assert_true(d.err);

	xdr_dec_init(&d, three, sizeof(three));
	assert_int_equal(xdr_get_u32(&d), 0);
	assert_true(d.err);
	assert_null(xdr_get_fixed(&d, 0));  /* latched */

	xdr_dec_init(&d, three, sizeof(three));
	assert_null(xdr_get_fixed(&d, SIZE_MAX - 1));
	assert_true(d.err);
}

static void test_encode_overflow(void **state)
{
	uint8_t buf[10];
	struct xdr_enc e;

	(void)state;
	memset(buf, 0x55, sizeof(buf));
	xdr_enc_init(&e, buf, 6);
	xdr_put_u32(&e, 7);
	assert_false(e.err);
	xdr_put_u32(&e, 8);
	assert_true(e.err);
	assert_int_equal(e.pos, 4);
	assert_int_equal(buf[4], 0x55);  /* nothing written past the failure */
	assert_int_equal(xdr_enc_left(&e), 0);

	xdr_enc_init(&e, buf, sizeof(buf));
	assert_null(xdr_reserve(&e, SIZE_MAX - 2));
	assert_true(e.err);

	xdr_enc_init(&e, buf, 8);
	xdr_put_opaque(&e, "abcde", 5);  /* needs 12 */
	assert_true(e.err);
}

static void test_reserve_zeroes_pad(void **state)
{
	uint8_t buf[8];
	struct xdr_enc e;
	uint8_t *p;

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	xdr_enc_init(&e, buf, sizeof(buf));
	p = xdr_reserve(&e, 5);
	assert_ptr_equal(p, buf);
	assert_int_equal(e.pos, 8);
	assert_int_equal(buf[5], 0);
	assert_int_equal(buf[7], 0);
	assert_int_equal(buf[4], 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_vectors),
		cmocka_unit_test(test_decode_vectors),
		cmocka_unit_test(test_decode_hostile),
		cmocka_unit_test(test_encode_overflow),
		cmocka_unit_test(test_reserve_zeroes_pad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
