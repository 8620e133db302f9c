/* SPDX-License-Identifier: MIT */
/* test_arp_probe.c: the RFC 5227 probe state machine, driven by a fake clock. */
#include <arpa/inet.h>
#include <string.h>

#include "core/arp.h"
#include "core/eth.h"
#include "engine/arp_probe.h"
#include "engine_test.h"

static const uint8_t our_mac[6] = { 0x02, 0x00, 0xde, 0xad, 0xbf, 0x53 };
static const uint8_t lan_mac[6] = { 0x02, 0x42, 0x0a, 0x00, 0x00, 0x07 };

struct sent {
	unsigned n;
	uint64_t at[64];
	uint32_t tpa[64];
};

static uint64_t clk;

static void on_send(void *opaque, const uint8_t *f, size_t len)
{
	struct sent *s = opaque;
	struct eth_view eth;
	struct arp_view a;

	assert_int_equal(eth_parse(f, len, &eth), 0);
	assert_true(eth_is_broadcast(eth.dst));
	assert_memory_equal(eth.src, our_mac, 6);
	assert_int_equal(eth.ethertype, ETHERTYPE_ARP);
	assert_int_equal(arp_parse(eth.payload, eth.payload_len, &a), 0);
	assert_int_equal(a.op, ARP_OP_REQUEST);
	assert_memory_equal(a.sha, our_mac, 6);
	assert_int_equal(a.spa, 0); /* a probe: sender IP 0.0.0.0 */
	for (int i = 0; i < 6; i++)
		assert_int_equal(a.tha[i], 0);
	assert_true(s->n < 64);
	s->at[s->n] = clk;
	s->tpa[s->n++] = a.tpa;
}

/* run the probe to its end, ticking only at its deadlines; returns the time it ended */
static uint64_t run(struct arp_probe *p, struct sent *s)
{
	while (arp_probe_deadline(p) != UINT64_MAX) {
		clk = arp_probe_deadline(p);
		arp_probe_tick(p, clk, on_send, s);
	}
	return clk;
}

/* an ARP frame from @mac: op, sender IP, target IP */
static size_t arp_from(uint8_t *f, const uint8_t *mac, uint16_t op, uint32_t spa, uint32_t tpa)
{
	static const uint8_t zero[6];

	return arp_build(f, ETH_ZLEN, our_mac, op, mac, spa, zero, tpa);
}

static void test_free_after_rfc_timing(void **state)
{
	const uint32_t a[2] = { t_ip(10, 0, 0, 213), t_ip(10, 0, 0, 214) };
	struct arp_probe p;
	struct sent s = { 0 };
	uint64_t end;

	(void)state;
	clk = 5000;
	arp_probe_start(&p, our_mac, a, 2, &ARP_PROBE_RFC5227, clk, 1234);
	assert_true(arp_probe_deadline(&p) >= 5000 && arp_probe_deadline(&p) <= 6000);
	assert_int_equal(arp_probe_result(&p, 0, NULL), ARP_PROBE_PENDING);
	/* ticking before the deadline sends nothing */
	assert_true(arp_probe_tick(&p, arp_probe_deadline(&p) - 1, on_send, &s) || arp_probe_deadline(&p) == clk);
	assert_int_equal(s.n, 0);
	end = run(&p, &s);
	assert_int_equal(s.n, 6); /* three rounds of two */
	for (unsigned r = 0; r < 3; r++) {
		assert_int_equal(s.tpa[2 * r], a[0]);
		assert_int_equal(s.tpa[2 * r + 1], a[1]);
		assert_int_equal(s.at[2 * r], s.at[2 * r + 1]);
	}
	for (unsigned r = 1; r < 3; r++) {
		uint64_t gap = s.at[2 * r] - s.at[2 * r - 2];

		assert_true(gap >= 1000 && gap <= 2000);
	}
	assert_int_equal(end - s.at[4], 2000); /* ANNOUNCE_WAIT after the last probe */
	assert_int_equal(arp_probe_result(&p, 0, NULL), ARP_PROBE_FREE);
	assert_int_equal(arp_probe_result(&p, 1, NULL), ARP_PROBE_FREE);
	assert_false(arp_probe_tick(&p, end + 10000, on_send, &s));
	assert_int_equal(s.n, 6);
}

static void test_reply_marks_taken_with_mac(void **state)
{
	const uint32_t a[3] = { t_ip(10, 0, 0, 213), t_ip(10, 0, 0, 214), t_ip(10, 0, 0, 215) };
	struct arp_probe p;
	struct sent s = { 0 };
	uint8_t f[ETH_ZLEN], mac[6] = { 0 };

	(void)state;
	clk = 0;
	arp_probe_start(&p, our_mac, a, 3, &ARP_PROBE_RFC5227, clk, 99);
	clk = arp_probe_deadline(&p);
	arp_probe_tick(&p, clk, on_send, &s);
	assert_int_equal(s.n, 3);
	/* the owner of .214 answers the probe (as Linux does: sender IP = the address) */
	arp_probe_observe(&p, f, arp_from(f, lan_mac, ARP_OP_REPLY, a[1], 0));
	assert_int_equal(arp_probe_result(&p, 1, mac), ARP_PROBE_TAKEN);
	assert_memory_equal(mac, lan_mac, 6);
	run(&p, &s);
	assert_int_equal(s.n, 3 + 2 + 2); /* a taken address is not probed again */
	assert_int_equal(arp_probe_result(&p, 0, NULL), ARP_PROBE_FREE);
	assert_int_equal(arp_probe_result(&p, 1, NULL), ARP_PROBE_TAKEN);
	assert_int_equal(arp_probe_result(&p, 2, NULL), ARP_PROBE_FREE);
	assert_int_equal(arp_probe_result(&p, 3, NULL), ARP_PROBE_PENDING); /* out of range */
}

static void test_other_evidence(void **state)
{
	const uint32_t a[3] = { t_ip(10, 0, 0, 213), t_ip(10, 0, 0, 214), t_ip(10, 0, 0, 215) };
	struct arp_probe p;
	struct sent s = { 0 };
	uint8_t f[ETH_ZLEN], mac[6];

	(void)state;
	clk = 0;
	arp_probe_start(&p, our_mac, a, 3, &ARP_PROBE_RFC5227, clk, 7);
	/* before the first probe: an ordinary request from .213's owner counts (RFC 5227 2.1.1) */
	arp_probe_observe(&p, f, arp_from(f, lan_mac, ARP_OP_REQUEST, a[0], t_ip(10, 0, 0, 1)));
	/* someone else probing for .214 */
	arp_probe_observe(&p, f, arp_from(f, lan_mac, ARP_OP_REQUEST, 0, a[1]));
	/* not evidence: our own probe echoed back, a request FOR .215 from a host with another address,
	 * a non-ARP frame, garbage */
	arp_probe_observe(&p, f, arp_from(f, our_mac, ARP_OP_REQUEST, 0, a[2]));
	arp_probe_observe(&p, f, arp_from(f, lan_mac, ARP_OP_REQUEST, t_ip(10, 0, 0, 9), a[2]));
	f[12] = 0x08;
	f[13] = 0x00;
	arp_probe_observe(&p, f, ETH_ZLEN);
	arp_probe_observe(&p, f, 5);
	run(&p, &s);
	assert_int_equal(arp_probe_result(&p, 0, mac), ARP_PROBE_TAKEN);
	assert_memory_equal(mac, lan_mac, 6);
	assert_int_equal(arp_probe_result(&p, 1, NULL), ARP_PROBE_TAKEN);
	assert_int_equal(arp_probe_result(&p, 2, NULL), ARP_PROBE_FREE);
	/* evidence after the run has ended changes nothing */
	arp_probe_observe(&p, f, arp_from(f, lan_mac, ARP_OP_REPLY, a[2], 0));
	assert_int_equal(arp_probe_result(&p, 2, NULL), ARP_PROBE_FREE);
}

static void test_all_taken_ends_early(void **state)
{
	const uint32_t a[1] = { t_ip(10, 0, 0, 213) };
	struct arp_probe p;
	struct sent s = { 0 };
	uint8_t f[ETH_ZLEN];

	(void)state;
	clk = 100;
	arp_probe_start(&p, our_mac, a, 1, &ARP_PROBE_RFC5227, clk, 5);
	clk = arp_probe_deadline(&p);
	arp_probe_tick(&p, clk, on_send, &s);
	arp_probe_observe(&p, f, arp_from(f, lan_mac, ARP_OP_REPLY, a[0], 0));
	assert_false(arp_probe_tick(&p, clk + 1, on_send, &s));
	assert_int_equal(arp_probe_deadline(&p), UINT64_MAX);
	assert_int_equal(s.n, 1);
}

static void test_empty_and_capped(void **state)
{
	uint32_t a[20] = { 0 };
	struct arp_probe p;
	struct sent s = { 0 };

	(void)state;
	arp_probe_start(&p, our_mac, a, 0, &ARP_PROBE_RFC5227, 0, 1);
	assert_int_equal(arp_probe_deadline(&p), UINT64_MAX);
	assert_false(arp_probe_tick(&p, 10000, on_send, &s));
	for (unsigned i = 0; i < 20; i++)
		a[i] = t_ip(10, 0, 1, i + 1);
	arp_probe_start(&p, our_mac, a, 20, &ARP_PROBE_RFC5227, 0, 1);
	clk = arp_probe_deadline(&p);
	arp_probe_tick(&p, clk, on_send, &s);
	assert_int_equal(s.n, ARP_PROBE_MAX);
}

static void test_jitter_varies_with_seed(void **state)
{
	const uint32_t a[1] = { t_ip(10, 0, 0, 213) };
	struct arp_probe p;
	uint64_t first[8];
	bool differ = false;

	(void)state;
	for (uint32_t seed = 1; seed <= 8; seed++) {
		arp_probe_start(&p, our_mac, a, 1, &ARP_PROBE_RFC5227, 0, seed * 7919);
		first[seed - 1] = arp_probe_deadline(&p);
		assert_true(first[seed - 1] <= 1000);
		differ |= first[seed - 1] != first[0];
	}
	assert_true(differ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_after_rfc_timing),
		cmocka_unit_test(test_reply_marks_taken_with_mac),
		cmocka_unit_test(test_other_evidence),
		cmocka_unit_test(test_all_taken_ends_early),
		cmocka_unit_test(test_empty_and_capped),
		cmocka_unit_test(test_jitter_varies_with_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
