/* SPDX-License-Identifier: MIT */
/* test_nfs_ip.c: phantom NFS host address candidates for every prefix class. */
#include <arpa/inet.h>
#include <string.h>

#include "engine/nfs_ip.h"
#include "engine_test.h"

static size_t cands(uint32_t net, unsigned prefix, const uint32_t *res, size_t nres, uint32_t out[20])
{
	memset(out, 0, 20 * sizeof(uint32_t));
	return nfs_ip_candidates(net, prefix, res, nres, out, 20);
}

static void test_slash24(void **state)
{
	uint32_t out[20];
	size_t n = cands(t_ip(192, 168, 1, 0), 24, NULL, 0, out);

	(void)state;
	assert_int_equal(n, 16);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(out[i], t_ip(192, 168, 1, 213 + i));
	assert_int_equal(out[16], 0); /* never more than 16 written */
}

static void test_slash24_never_above_242(void **state)
{
	uint32_t res[16], out[20];
	size_t n;

	(void)state;
	for (unsigned i = 0; i < 14; i++)
		res[i] = t_ip(192, 168, 1, 213 + i); /* .213 .. .226 taken */
	n = cands(t_ip(192, 168, 1, 0), 24, res, 14, out);
	assert_int_equal(n, 16);
	assert_int_equal(out[0], t_ip(192, 168, 1, 227));
	assert_int_equal(out[15], t_ip(192, 168, 1, 242));
	res[14] = t_ip(192, 168, 1, 227);
	res[15] = t_ip(192, 168, 1, 228);
	n = cands(t_ip(192, 168, 1, 0), 24, res, 16, out);
	assert_int_equal(n, 14); /* .229 .. .242 only: .243 is past the cap */
	assert_int_equal(out[13], t_ip(192, 168, 1, 242));
}

static void test_host_bits_ignored(void **state)
{
	uint32_t a[20], b[20];
	size_t n = cands(t_ip(10, 0, 0, 77), 24, NULL, 0, a);

	(void)state;
	assert_int_equal(n, cands(t_ip(10, 0, 0, 0), 24, NULL, 0, b));
	assert_memory_equal(a, b, sizeof(a));
}

static void test_slash30_and_29(void **state)
{
	uint32_t out[20], res[1];

	(void)state;
	assert_int_equal(cands(t_ip(10, 9, 8, 4), 30, NULL, 0, out), 1);
	assert_int_equal(out[0], t_ip(10, 9, 8, 6)); /* net + 2 */
	res[0] = t_ip(10, 9, 8, 6);
	assert_int_equal(cands(t_ip(10, 9, 8, 4), 30, res, 1, out), 0);
	/* /29: usable 6, start floor(6*212/254) = 5, cap floor(5.7) = 5: net + 6 */
	assert_int_equal(cands(t_ip(10, 9, 8, 8), 29, NULL, 0, out), 1);
	assert_int_equal(out[0], t_ip(10, 9, 8, 14));
}

static void test_none_for_0_31_32(void **state)
{
	uint32_t out[20];

	(void)state;
	assert_int_equal(cands(t_ip(10, 0, 0, 0), 0, NULL, 0, out), 0);
	assert_int_equal(cands(t_ip(10, 0, 0, 0), 31, NULL, 0, out), 0);
	assert_int_equal(cands(t_ip(10, 0, 0, 1), 32, NULL, 0, out), 0);
	assert_int_equal(cands(t_ip(10, 0, 0, 1), 33, NULL, 0, out), 0);
}

static void test_wide_prefixes(void **state)
{
	uint32_t out[20];

	(void)state;
	/* /16: usable 65534, start 54697, cap 62257: 10.7.0.1 + 54697 = 10.7.213.170 */
	assert_int_equal(cands(t_ip(10, 7, 0, 0), 16, NULL, 0, out), 16);
	assert_int_equal(out[0], t_ip(10, 7, 213, 170));
	assert_int_equal(out[15], t_ip(10, 7, 213, 185));
	/* /23: the worked example in nfs_ip.c */
	assert_int_equal(cands(t_ip(10, 1, 0, 0), 23, NULL, 0, out), 16);
	assert_int_equal(out[0], t_ip(10, 1, 1, 170));
	/* /1: no overflow; usable 2^31 - 2, start floor(usable * 212 / 254) */
	assert_int_equal(cands(t_ip(128, 0, 0, 0), 1, NULL, 0, out), 16);
	assert_int_equal(ntohl(out[0]), 0x80000001u + (uint32_t)(((1ull << 31) - 2) * 212 / 254));
	for (unsigned i = 0; i < 16; i++)
		assert_true(ntohl(out[i]) < 0xffffffffu);
}

static void test_max_respected(void **state)
{
	uint32_t out[4] = { 0 };

	(void)state;
	assert_int_equal(nfs_ip_candidates(t_ip(192, 168, 0, 0), 24, NULL, 0, out, 3), 3);
	assert_int_equal(out[2], t_ip(192, 168, 0, 215));
	assert_int_equal(out[3], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slash24),
		cmocka_unit_test(test_slash24_never_above_242),
		cmocka_unit_test(test_host_bits_ignored),
		cmocka_unit_test(test_slash30_and_29),
		cmocka_unit_test(test_none_for_0_31_32),
		cmocka_unit_test(test_wide_prefixes),
		cmocka_unit_test(test_max_respected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
