/* SPDX-License-Identifier: MIT */
/* test_bridge_hflow.c: host reach's flow table: which guest packets answer the host's own stack and which are the guest's. */
#include <string.h>

#include "backend/bridge_hflow.h"
#include "engine_test.h"

#define TCP 6
#define UDP 17
#define ICMP 1
#define SYN 0x02
#define ACK 0x10
#define T0 1000000u

/* a 20-byte IPv4 header with a transport header after it: ports (TCP/UDP) or ICMP type, TCP flags */
static size_t pkt(uint8_t *p, uint8_t proto, uint16_t sport, uint16_t dport, uint8_t flags)
{
	memset(p, 0, 64);
	p[0] = 0x45;
	p[9] = proto;
	if (proto == ICMP) {
		p[20] = (uint8_t)sport; /* the type */
		return 28;
	}
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
	p[33] = flags;
	return proto == TCP ? 40 : 28;
}

static void test_udp_answers_the_host_until_idle(void **state)
{
	static struct bridge_hflow t;
	uint8_t p[64];
	size_t n;

	(void)state;
	memset(&t, 0, sizeof(t));
	n = pkt(p, UDP, 7107, 40000, 0); /* the guest's echo answer */
	assert_false(bridge_hflow_guest(&t, p, n, T0));
	n = pkt(p, UDP, 40000, 7107, 0); /* the host's query, seen leaving */
	bridge_hflow_host(&t, p, n, T0);
	n = pkt(p, UDP, 7107, 40000, 0);
	assert_true(bridge_hflow_guest(&t, p, n, T0 + 1));
	n = pkt(p, UDP, 7107, 40001, 0); /* another host port: the guest's own */
	assert_false(bridge_hflow_guest(&t, p, n, T0 + 1));
	n = pkt(p, UDP, 7107, 40000, 0);
	assert_true(bridge_hflow_guest(&t, p, n, T0 + 1 + BRIDGE_HFLOW_UDP_MS - 1)); /* refreshed at T0 + 1 */
	assert_false(bridge_hflow_guest(&t, p, n, T0 + 2 * BRIDGE_HFLOW_UDP_MS + 2));
	n = pkt(p, TCP, 7107, 40000, ACK); /* the same ports in TCP: another flow */
	assert_false(bridge_hflow_guest(&t, p, n, T0));
}

static void test_tcp_guest_syn_takes_the_pair_back(void **state)
{
	static struct bridge_hflow t;
	uint8_t p[64];
	size_t n;

	(void)state;
	memset(&t, 0, sizeof(t));
	n = pkt(p, TCP, 45000, 7105, SYN); /* the host connects to the guest's service */
	bridge_hflow_host(&t, p, n, T0);
	n = pkt(p, TCP, 7105, 45000, SYN | ACK);
	assert_true(bridge_hflow_guest(&t, p, n, T0));
	n = pkt(p, TCP, 7105, 45000, ACK);
	assert_true(bridge_hflow_guest(&t, p, n, T0 + BRIDGE_HFLOW_UDP_MS * 10)); /* TCP lives longer */
	n = pkt(p, TCP, 7105, 45000, SYN); /* the guest opens a connection of its own on the pair */
	assert_false(bridge_hflow_guest(&t, p, n, T0 + 1));
	n = pkt(p, TCP, 7105, 45000, ACK);
	assert_false(bridge_hflow_guest(&t, p, n, T0 + 2));
}

static void test_icmp_and_what_has_no_ports(void **state)
{
	static struct bridge_hflow t;
	uint8_t p[64];
	size_t n;

	(void)state;
	memset(&t, 0, sizeof(t));
	n = pkt(p, ICMP, 8, 0, 0);
	assert_false(bridge_hflow_guest(&t, p, n, T0)); /* the guest's ping of the host */
	n = pkt(p, ICMP, 0, 0, 0);
	assert_true(bridge_hflow_guest(&t, p, n, T0)); /* its answer to the host's ping */
	n = pkt(p, ICMP, 3, 0, 0);
	assert_true(bridge_hflow_guest(&t, p, n, T0)); /* an error about the host's packet */
	assert_false(bridge_hflow_guest(&t, p, 20, T0)); /* no ICMP header */
	n = pkt(p, UDP, 1, 2, 0);
	bridge_hflow_host(&t, p, n, T0);
	n = pkt(p, UDP, 2, 1, 0);
	p[6] = 0x00;
	p[7] = 0x10; /* a later fragment: no ports in it */
	assert_false(bridge_hflow_guest(&t, p, n, T0));
	p[7] = 0;
	assert_false(bridge_hflow_guest(&t, p, 22, T0)); /* cut inside the ports */
	assert_true(bridge_hflow_guest(&t, p, 24, T0));
}

static void test_full_table_forgets_the_oldest(void **state)
{
	static struct bridge_hflow t;
	uint8_t p[64];
	size_t n;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i <= BRIDGE_HFLOW_MAX; i++) {
		n = pkt(p, UDP, (uint16_t)(50000 + i), 53, 0);
		bridge_hflow_host(&t, p, n, T0 + i);
	}
	assert_int_equal(t.evicted, 1);
	n = pkt(p, UDP, 53, 50000, 0);
	assert_false(bridge_hflow_guest(&t, p, n, T0 + 500)); /* the first, seen longest ago */
	n = pkt(p, UDP, 53, 50001, 0);
	assert_true(bridge_hflow_guest(&t, p, n, T0 + 500));
	n = pkt(p, UDP, 53, (uint16_t)(50000 + BRIDGE_HFLOW_MAX), 0);
	assert_true(bridge_hflow_guest(&t, p, n, T0 + 500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_answers_the_host_until_idle),
		cmocka_unit_test(test_tcp_guest_syn_takes_the_pair_back),
		cmocka_unit_test(test_icmp_and_what_has_no_ports),
		cmocka_unit_test(test_full_table_forgets_the_oldest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
