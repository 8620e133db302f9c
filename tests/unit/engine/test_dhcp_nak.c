/* SPDX-License-Identifier: MIT */
/* test_dhcp_nak.c: the old gateway's NAK-only DHCP service: answers REQUESTs, ignores everything else. */
#include <arpa/inet.h>
#include <string.h>

#include "engine/dhcp_nak.h"
#include "engine_test.h"

static const uint8_t mac[6] = T_GUEST_MAC;

/* a DHCP message of @type with options @opts (without the end mark) */
static size_t msg(uint8_t *d, uint8_t op, const uint8_t *opts, size_t olen)
{
	static const uint8_t magic[4] = { 99, 130, 83, 99 };

	memset(d, 0, 300);
	d[0] = op;
	d[1] = 1;
	d[2] = 6;
	d[4] = 0xde;
	d[5] = 0xad;
	d[6] = 0xbe;
	d[7] = 0xef;
	memcpy(d + 28, mac, 6);
	memcpy(d + 236, magic, 4);
	if (olen)
		memcpy(d + 240, opts, olen);
	d[240 + olen] = 255;
	return 300;
}

static size_t call(const uint8_t *d, size_t len, uint8_t *reply, size_t cap)
{
	return dhcp_nak_reply(NULL, t_ip(10, 0, 0, 2), 68, t_ip(10, 0, 0, 1), 67, d, len, reply, cap);
}

static void test_request_gets_nak(void **state)
{
	static const uint8_t opts[] = { 0, 0, 12, 3, 'a', 'b', 'c', 53, 1, 3 };
	uint8_t d[300], r[600];
	size_t n = call(d, msg(d, 1, opts, sizeof(opts)), r, sizeof(r));
	uint32_t sid;

	(void)state;
	assert_true(n > 240);
	assert_int_equal(r[0], 2);
	assert_memory_equal(r + 4, d + 4, 4);   /* xid */
	assert_memory_equal(r + 28, mac, 6);    /* chaddr */
	assert_memory_equal(r + 236, d + 236, 4);
	assert_int_equal(r[240], 53);
	assert_int_equal(r[242], 6);            /* DHCPNAK */
	assert_int_equal(r[243], 54);
	memcpy(&sid, r + 245, 4);
	assert_int_equal(sid, t_ip(10, 0, 0, 1));
	assert_int_equal(r[n - 1], 255);
	for (size_t i = 12; i < 28; i++)
		assert_int_equal(r[i], 0);      /* no addresses offered */
}

static void test_everything_else_ignored(void **state)
{
	static const uint8_t discover[] = { 53, 1, 1 };
	static const uint8_t request[] = { 53, 1, 3 };
	static const uint8_t overrun[] = { 12, 200, 'x' };
	static const uint8_t badlen[] = { 53, 2, 3, 3 };
	uint8_t d[300], r[600];

	(void)state;
	assert_int_equal(call(d, msg(d, 1, discover, sizeof(discover)), r, sizeof(r)), 0);
	assert_int_equal(call(d, msg(d, 2, request, sizeof(request)), r, sizeof(r)), 0); /* a reply */
	assert_int_equal(call(d, msg(d, 1, overrun, sizeof(overrun)), r, sizeof(r)), 0);
	assert_int_equal(call(d, msg(d, 1, badlen, sizeof(badlen)), r, sizeof(r)), 0);
	assert_int_equal(call(d, msg(d, 1, NULL, 0), r, sizeof(r)), 0);           /* no type */
	msg(d, 1, request, sizeof(request));
	assert_int_equal(call(d, 239, r, sizeof(r)), 0);                         /* truncated */
	assert_int_equal(call(d, 242, r, sizeof(r)), 0);                         /* type cut off */
	assert_int_equal(call(d, 300, r, 100), 0);                               /* no room */
	d[236] = 0;
	assert_int_equal(call(d, 300, r, sizeof(r)), 0);                         /* bad magic */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_gets_nak),
		cmocka_unit_test(test_everything_else_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
