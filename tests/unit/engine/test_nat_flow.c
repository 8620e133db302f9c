/* SPDX-License-Identifier: MIT */
/* test_nat_flow.c: the NAT flow table: the cap, flows ending as libslirp closes their sockets, hostile frames. */
#include <arpa/inet.h>
#include <string.h>

#include "backend/nat_flow.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };

#define GW t_ip(192, 168, 0, 1)
#define GUEST t_ip(192, 168, 0, 2)
#define REMOTE t_ip(198, 51, 100, 7)
#define CAP 16u

static size_t udp(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	return t_udp_frame(f, gw_mac, guest_mac, src, dst, sport, dport, "x", 1, 1);
}

/* a TCP header with @flags (checksums do not matter to the table) */
static size_t tcp(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t *t = f + ETH_HLEN + IPV4_HLEN;

	eth_build(f, gw_mac, guest_mac, ETHERTYPE_IPV4);
	ipv4_build(f + ETH_HLEN, src, dst, IPPROTO_TCP, 1, 20);
	memset(t, 0, 20);
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	t[12] = 0x50;
	t[13] = flags;
	return ETH_HLEN + IPV4_HLEN + 20;
}

static size_t echo(uint8_t *f, uint8_t type, uint32_t src, uint32_t dst, uint16_t seq)
{
	uint8_t *ic = f + ETH_HLEN + IPV4_HLEN;

	eth_build(f, gw_mac, guest_mac, ETHERTYPE_IPV4);
	ipv4_build(f + ETH_HLEN, src, dst, IPPROTO_ICMP, 1, 8);
	memset(ic, 0, 8);
	ic[0] = type;
	ic[5] = 7; /* identifier */
	ic[6] = (uint8_t)(seq >> 8);
	ic[7] = (uint8_t)seq;
	return ETH_HLEN + IPV4_HLEN + 8;
}

/* an IPv6 packet from host @src to @dst (last bytes of fd00::) carrying @l4len bytes of @proto */
static size_t v6(uint8_t *f, uint8_t proto, uint8_t src, uint8_t dst, const uint8_t *l4, size_t l4len)
{
	uint8_t *h = f + ETH_HLEN;

	memcpy(f, gw_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	memset(h, 0, 40);
	h[0] = 0x60;
	h[4] = (uint8_t)(l4len >> 8);
	h[5] = (uint8_t)l4len;
	h[6] = proto;
	h[7] = 64;
	h[8] = h[24] = 0xfd;
	h[23] = src;
	h[39] = dst;
	memcpy(h + 40, l4, l4len);
	return ETH_HLEN + 40 + l4len;
}

static unsigned live(const struct nat_flows *t)
{
	unsigned cap;

	return nat_flows_count(t, &cap);
}

static void test_udp_cap_and_idle(void **state)
{
	struct nat_flows *t = nat_flows_new(CAP);
	uint8_t f[200];
	size_t n;

	(void)state;
	for (uint16_t p = 0; p < CAP; p++)
		assert_true(nat_flows_guest(t, GW, f, udp(f, GUEST, GW, 20000 + p, 9), 0));
	assert_int_equal(live(t), CAP);
	assert_false(nat_flows_guest(t, GW, f, udp(f, GUEST, GW, 30000, 9), 1000));  /* full: refused */
	assert_true(nat_flows_guest(t, GW, f, udp(f, GUEST, REMOTE, 20000, 53), 1000)); /* its own port: fine */
	assert_true(nat_flows_guest(t, GW, f, udp(f, GUEST, GW, 30000, 67), 1000));  /* DHCP: no socket */
	/* 240 s later the idle ones are gone; the one refreshed at 1 s lives on */
	assert_true(nat_flows_guest(t, GW, f, udp(f, GUEST, GW, 30000, 9), 240000));
	assert_int_equal(live(t), 2);
	/* a DNS answer shortens the flow's life to 10 s */
	n = udp(f, REMOTE, GUEST, 53, 20000);
	nat_flows_slirp(t, f, n, 240500);
	nat_flows_expire(t, 250501);
	assert_int_equal(live(t), 1);
	nat_flows_clear(t);
	assert_int_equal(live(t), 0);
	nat_flows_free(t);
}

static void test_tcp_and_echo(void **state)
{
	struct nat_flows *t = nat_flows_new(CAP);
	uint8_t f[200];

	(void)state;
	assert_true(nat_flows_guest(t, GW, f, tcp(f, GUEST, REMOTE, 40000, 80, 0x02), 0));      /* SYN */
	assert_true(nat_flows_guest(t, GW, f, tcp(f, GUEST, REMOTE, 40001, 80, 0x02), 0));
	assert_true(nat_flows_guest(t, GW, f, tcp(f, GUEST, REMOTE, 40002, 80, 0x12), 0));      /* not a new flow */
	assert_int_equal(live(t), 2);
	nat_flows_expire(t, 10000000);
	assert_int_equal(live(t), 2); /* open TCP never idles out */
	nat_flows_slirp(t, f, tcp(f, REMOTE, GUEST, 80, 40000, 0x14), 1);                       /* RST from the host */
	assert_int_equal(live(t), 1);
	assert_true(nat_flows_guest(t, GW, f, tcp(f, GUEST, REMOTE, 40001, 80, 0x11), 20000000)); /* FIN */
	nat_flows_slirp(t, f, tcp(f, REMOTE, GUEST, 80, 40001, 0x11), 20000000);
	nat_flows_expire(t, 20000000 + 9999);
	assert_int_equal(live(t), 1);
	nat_flows_expire(t, 20000000 + 10000);
	assert_int_equal(live(t), 0);
	/* an echo request holds a socket until its reply; one to the gateway none */
	assert_true(nat_flows_guest(t, GW, f, echo(f, 8, GUEST, REMOTE, 1), 0));
	assert_true(nat_flows_guest(t, GW, f, echo(f, 8, GUEST, GW, 2), 0));
	assert_int_equal(live(t), 1);
	nat_flows_slirp(t, f, echo(f, 0, REMOTE, GUEST, 1), 5);
	assert_int_equal(live(t), 0);
	nat_flows_free(t);
}

/* IPv6 UDP and TCP count against the same cap; ICMPv6 and DHCPv6 open nothing */
static void test_ipv6_flows(void **state)
{
	struct nat_flows *t = nat_flows_new(CAP);
	uint8_t f[200], l4[20] = { 0 };

	(void)state;
	for (uint8_t p = 0; p < CAP - 1; p++) {
		l4[0] = 0x50;
		l4[1] = p;
		l4[3] = 9;
		assert_true(nat_flows_guest(t, GW, f, v6(f, IPPROTO_UDP, 0x10, 0x02, l4, 8), 0));
	}
	assert_int_equal(live(t), CAP - 1);
	assert_true(nat_flows_guest(t, GW, f, udp(f, GUEST, GW, 20000, 9), 0)); /* IPv4 takes the last one */
	l4[1] = 0xee;
	assert_false(nat_flows_guest(t, GW, f, v6(f, IPPROTO_UDP, 0x10, 0x02, l4, 8), 0));
	l4[1] = 0;
	assert_false(nat_flows_guest(t, GW, f, v6(f, IPPROTO_UDP, 0x11, 0x02, l4, 8), 0)); /* another guest address */
	l4[2] = 0x02;
	l4[3] = 0x23; /* DHCPv6 (547): no socket */
	assert_true(nat_flows_guest(t, GW, f, v6(f, IPPROTO_UDP, 0x10, 0x02, l4, 8), 0));
	l4[0] = 128; /* an ICMPv6 echo request */
	assert_true(nat_flows_guest(t, GW, f, v6(f, IPPROTO_ICMPV6, 0x10, 0x99, l4, 8), 0));
	assert_int_equal(live(t), CAP);
	/* a TCP flow over IPv6 ends with its reset either way */
	nat_flows_clear(t);
	memset(l4, 0, sizeof(l4));
	l4[1] = 1;
	l4[3] = 80;
	l4[12] = 0x50;
	l4[13] = 0x02;
	assert_true(nat_flows_guest(t, GW, f, v6(f, IPPROTO_TCP, 0x10, 0x99, l4, 20), 0));
	assert_int_equal(live(t), 1);
	l4[1] = 80;
	l4[3] = 1;
	l4[13] = 0x04;
	nat_flows_slirp(t, f, v6(f, IPPROTO_TCP, 0x99, 0x10, l4, 20), 10);
	assert_int_equal(live(t), 0);
	nat_flows_free(t);
}

static void test_hostile_frames(void **state)
{
	struct nat_flows *t = nat_flows_new(CAP);
	uint8_t f[200];
	size_t n = udp(f, GUEST, GW, 20000, 9);

	(void)state;
	for (size_t cut = 0; cut < n; cut++) {
		assert_true(nat_flows_guest(t, GW, f, cut, 0));
		nat_flows_slirp(t, f, cut, 0);
	}
	assert_int_equal(live(t), 0); /* a cut datagram opens nothing */
	f[ETH_HLEN] = 0x4f;           /* IHL past the packet */
	assert_true(nat_flows_guest(t, GW, f, n, 0));
	assert_int_equal(live(t), 0);
	n = v6(f, IPPROTO_UDP, 0x10, 0x02, (const uint8_t[8]){ 0x50, 0, 0, 9 }, 8);
	for (size_t cut = 0; cut < n; cut++)
		assert_true(nat_flows_guest(t, GW, f, cut, 0)); /* IPv6 cut anywhere, its payload length included */
	assert_int_equal(live(t), 0);
	f[ETH_HLEN + 6] = 0; /* a hop-by-hop header first: libslirp drops it, nothing opens */
	assert_true(nat_flows_guest(t, GW, f, n, 0));
	assert_int_equal(live(t), 0);
	nat_flows_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_cap_and_idle),
		cmocka_unit_test(test_tcp_and_echo),
		cmocka_unit_test(test_ipv6_flows),
		cmocka_unit_test(test_hostile_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
