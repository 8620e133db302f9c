/* SPDX-License-Identifier: MIT */
/* test_nat_stale.c: guests on an earlier subnet's lease: which frames are held in, and the DNS relay map. */
#include <arpa/inet.h>
#include <string.h>

#include "backend/nat_stale.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 1, 0, 1 };

static struct nat_dns_map map(unsigned a, unsigned b, unsigned c, unsigned prefix)
{
	struct nat_dns_map m;

	nat_dns_map_init(&m, t_ip(a, b, c, 0), prefix);
	return m;
}

/* 10.1.0.0/24 left for 192.168.77.0/24 */
static void moved(struct nat_stale *s, struct nat_dns_map *cur)
{
	struct nat_dns_map old = map(10, 1, 0, 24);

	memset(s, 0, sizeof(*s));
	*cur = map(192, 168, 77, 24);
	nat_stale_push(s, &old, cur);
}

static size_t udp(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	return t_udp_frame(f, gw_mac, guest_mac, src, dst, sport, dport, "q", 1, 1);
}

static void test_push(void **state)
{
	struct nat_stale s = { 0 };
	struct nat_dns_map cur = map(10, 0, 0, 24), next;

	(void)state;
	for (unsigned i = 1; i <= NAT_STALE_MAX + 2; i++) {
		next = map(10, 0, i, 24);
		nat_stale_push(&s, &cur, &next);
		cur = next;
	}
	assert_int_equal(s.n, NAT_STALE_MAX);
	assert_int_equal(s.old[0].net, t_ip(10, 0, NAT_STALE_MAX + 1, 0)); /* newest first */
	assert_int_equal(s.old[NAT_STALE_MAX - 1].net, t_ip(10, 0, 2, 0)); /* the oldest forgotten */
	/* back to a subnet served before: it is current, no longer stale, and listed once */
	next = map(10, 0, 5, 24);
	nat_stale_push(&s, &cur, &next);
	assert_int_equal(s.n, NAT_STALE_MAX);
	for (unsigned i = 0; i < s.n; i++)
		assert_int_not_equal(s.old[i].net, next.net);
	assert_int_equal(s.old[0].net, cur.net);
	/* a change to the same subnet adds nothing */
	nat_stale_push(&s, &next, &next);
	assert_int_equal(s.old[0].net, cur.net);
}

static void test_guest_held_in(void **state)
{
	struct nat_stale s;
	struct nat_dns_map cur, relay;
	uint8_t f[200];
	size_t n;

	(void)state;
	moved(&s, &cur);
	/* from the old lease to the old gateway, a neighbour, the broadcast */
	n = udp(f, t_ip(10, 1, 0, 2), t_ip(10, 1, 0, 1), 40000, 53);
	assert_true(nat_stale_guest(&s, &cur, f, n, &relay));
	assert_int_equal(relay.gw, t_ip(10, 1, 0, 1));
	assert_int_equal(relay.hidden, cur.hidden);
	assert_int_equal(relay.relay_from, cur.gw);
	/* the relay map sends DNS at the old gateway to the current hidden address */
	assert_int_equal(nat_dns_guest_verdict(&relay, f, n), NAT_DNS_REWRITE);
	nat_dns_guest_rewrite(&relay, f, n);
	assert_int_equal(ipv4_parse(f + ETH_HLEN, n - ETH_HLEN, &(struct ipv4_view){ 0 }), 0);
	assert_memory_equal(f + ETH_HLEN + 16, &cur.hidden, 4);
	n = udp(f, t_ip(10, 1, 0, 2), t_ip(10, 1, 0, 1), 40000, 80);
	assert_true(nat_stale_guest(&s, &cur, f, n, &relay));
	assert_int_equal(nat_dns_guest_verdict(&relay, f, n), NAT_DNS_PASS); /* nat.c drops it */
	n = udp(f, t_ip(10, 1, 0, 2), t_ip(10, 1, 0, 255), 40000, 9);
	assert_true(nat_stale_guest(&s, &cur, f, n, &relay));
	/* not held: the old lease to the world, and a guest that moved */
	n = udp(f, t_ip(10, 1, 0, 2), t_ip(198, 51, 100, 1), 40000, 53);
	assert_false(nat_stale_guest(&s, &cur, f, n, &relay));
	n = udp(f, t_ip(192, 168, 77, 2), t_ip(10, 1, 0, 1), 40000, 53);
	assert_false(nat_stale_guest(&s, &cur, f, n, &relay));
	/* short or not IPv4 */
	assert_false(nat_stale_guest(&s, &cur, f, ETH_HLEN + 10, &relay));
	f[12] = 0x86;
	assert_false(nat_stale_guest(&s, &cur, f, n, &relay));
}

/* libslirp's answers to a guest on its old lease come from the old gateway */
static void test_slirp_answers(void **state)
{
	struct nat_stale s;
	struct nat_dns_map cur, relay;
	uint8_t f[200];
	struct ipv4_view ip;
	size_t n;

	(void)state;
	moved(&s, &cur);
	n = udp(f, cur.gw, t_ip(10, 1, 0, 2), 53, 40000); /* libslirp answers UDP DNS from its gateway */
	assert_true(nat_stale_slirp(&s, &cur, f, n, &relay));
	assert_int_equal(nat_dns_slirp_verdict(&relay, f, n), NAT_DNS_REWRITE);
	nat_dns_slirp_rewrite(&relay, f, n);
	assert_int_equal(ipv4_parse(f + ETH_HLEN, n - ETH_HLEN, &ip), 0);
	assert_int_equal(ip.src, t_ip(10, 1, 0, 1));
	assert_int_equal(l4_csum_ipv4(ip.src, ip.dst, IPPROTO_UDP, ip.payload, ip.payload_len), 0);
	n = udp(f, cur.hidden, t_ip(10, 1, 0, 2), 53, 40000); /* and TCP from the hidden address */
	assert_true(nat_stale_slirp(&s, &cur, f, n, &relay));
	assert_int_equal(nat_dns_slirp_verdict(&relay, f, n), NAT_DNS_REWRITE);
	/* anything else from the gateway, and frames to the current subnet, pass */
	n = udp(f, cur.gw, t_ip(10, 1, 0, 2), 7, 40000);
	assert_true(nat_stale_slirp(&s, &cur, f, n, &relay));
	assert_int_equal(nat_dns_slirp_verdict(&relay, f, n), NAT_DNS_PASS);
	n = udp(f, cur.gw, t_ip(192, 168, 77, 2), 53, 40000);
	assert_false(nat_stale_slirp(&s, &cur, f, n, &relay));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push),
		cmocka_unit_test(test_guest_held_in),
		cmocka_unit_test(test_slirp_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
