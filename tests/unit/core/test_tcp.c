/* SPDX-License-Identifier: MIT */
/* test_tcp.c: TCP header parse and build: round trip, MSS option, hostile offsets, options and checksums. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/checksum.h"
#include "core/ipv4.h"
#include "core/tcp.h"
#include "core_test.h"

static uint8_t pkt[IPV4_HLEN + 60 + 64];

/* An IPv4 packet around the TCP bytes already at pkt + IPV4_HLEN; parse it. */
static int parse(size_t tcp_len, struct tcp_view *t)
{
	struct ipv4_view ip;

	ipv4_build(pkt, ct_ip(10, 0, 2, 15), ct_ip(10, 0, 2, 2), IPPROTO_TCP, 7, tcp_len);
	assert_int_equal(ipv4_parse(pkt, IPV4_HLEN + tcp_len, &ip), 0);
	return tcp_parse(&ip, t);
}

static size_t build(const struct tcp_seg *s, const char *data)
{
	size_t n = strlen(data), hlen = tcp_hlen(s);

	memcpy(pkt + IPV4_HLEN + hlen, data, n);
	assert_int_equal(tcp_build(pkt + IPV4_HLEN, ct_ip(10, 0, 2, 15), ct_ip(10, 0, 2, 2), s, n), hlen);
	return hlen + n;
}

static void test_round_trip(void **state)
{
	const struct tcp_seg s = { .sport = 801, .dport = 2049, .seq = 0xfffffff0u, .ack = 7, .flags = TCP_SYN | TCP_ACK,
				   .win = 1234, .mss = 1460 };
	struct tcp_view t;
	size_t n = build(&s, "abc");

	(void)state;
	assert_int_equal(n, TCP_HLEN_MSS + 3);
	assert_int_equal(parse(n, &t), 0);
	assert_int_equal(t.sport, 801);
	assert_int_equal(t.dport, 2049);
	assert_int_equal(t.seq, 0xfffffff0u);
	assert_int_equal(t.ack, 7);
	assert_int_equal(t.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(t.win, 1234);
	assert_int_equal(t.mss, 1460);
	assert_int_equal(t.payload_len, 3);
	assert_memory_equal(t.payload, "abc", 3);
}

static void test_bad_checksum(void **state)
{
	const struct tcp_seg s = { .sport = 1, .dport = 2, .flags = TCP_ACK };
	struct tcp_view t;
	size_t n = build(&s, "data");

	(void)state;
	pkt[IPV4_HLEN + n - 1] ^= 1;
	assert_int_equal(parse(n, &t), -EINVAL);
}

/* Rewrite the header's offset/options and fix the checksum, then parse. */
static int parse_hdr(unsigned off_words, const uint8_t *opts, size_t optlen, size_t tcp_len, struct tcp_view *t)
{
	uint16_t sum;

	memset(pkt + IPV4_HLEN, 0, TCP_HLEN);
	pkt[IPV4_HLEN + 12] = (uint8_t)(off_words << 4);
	if (optlen)
		memcpy(pkt + IPV4_HLEN + TCP_HLEN, opts, optlen);
	sum = l4_csum_ipv4(ct_ip(10, 0, 2, 15), ct_ip(10, 0, 2, 2), IPPROTO_TCP, pkt + IPV4_HLEN, tcp_len);
	memcpy(pkt + IPV4_HLEN + 16, &sum, 2);
	return parse(tcp_len, t);
}

static void test_hostile_headers(void **state)
{
	static const uint8_t mss_ok[] = { 1, 1, 2, 4, 0x05, 0xb4, 0, 0 };
	static const uint8_t overrun[] = { 1, 1, 8, 10, 0, 0, 0, 0 };
	static const uint8_t zero_len[] = { 8, 0, 0, 0 };
	static const uint8_t cut[] = { 1, 1, 1, 2 };
	struct tcp_view t;

	(void)state;
	assert_int_equal(parse_hdr(7, mss_ok, sizeof(mss_ok), 28, &t), 0);
	assert_int_equal(t.mss, 1460);
	assert_int_equal(t.payload_len, 0);
	assert_int_equal(parse_hdr(7, overrun, sizeof(overrun), 28, &t), -EINVAL);
	assert_int_equal(parse_hdr(6, zero_len, sizeof(zero_len), 24, &t), -EINVAL);
	assert_int_equal(parse_hdr(6, cut, sizeof(cut), 24, &t), -EINVAL); /* kind without its length */
	assert_int_equal(parse_hdr(4, NULL, 0, 20, &t), -EINVAL);          /* offset below 5 */
	assert_int_equal(parse_hdr(15, NULL, 0, 20, &t), -EMSGSIZE);       /* offset past the packet */
	assert_int_equal(parse(19, &t), -EMSGSIZE);                        /* shorter than a header */
}

/* Window scale is written after MSS (NOP-padded) and read back; a shift over 14 counts as 14. */
static void test_window_scale(void **state)
{
	struct tcp_seg s = { .sport = 2049, .dport = 801, .flags = TCP_SYN | TCP_ACK, .win = 65535, .mss = 1460,
			     .ws = true, .wscale = 5 };
	static const uint8_t ws_big[] = { 3, 3, 200, 1 };
	struct tcp_view t;
	size_t n = build(&s, "");

	(void)state;
	assert_int_equal(n, TCP_HLEN_MAX);
	assert_int_equal(parse(n, &t), 0);
	assert_int_equal(t.mss, 1460);
	assert_true(t.ws);
	assert_int_equal(t.wscale, 5);
	s.mss = 0;
	n = build(&s, "x");
	assert_int_equal(n, TCP_HLEN + 4 + 1);
	assert_int_equal(parse(n, &t), 0);
	assert_true(t.ws && t.wscale == 5 && t.mss == 0 && t.payload_len == 1);
	assert_int_equal(parse_hdr(6, ws_big, sizeof(ws_big), 24, &t), 0);
	assert_true(t.ws);
	assert_int_equal(t.wscale, TCP_WSCALE_MAX);
	s.ws = false;
	n = build(&s, "");
	assert_int_equal(parse(n, &t), 0);
	assert_false(t.ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_window_scale),
		cmocka_unit_test(test_hostile_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
