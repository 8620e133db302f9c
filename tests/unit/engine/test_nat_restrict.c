/* SPDX-License-Identifier: MIT */
/* test_nat_restrict.c: --restrict: which guest frames reach libslirp (the worked example of nat_restrict.h and more). */
#include <arpa/inet.h>
#include <string.h>

#include "backend/nat_restrict.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };

#define GW t_ip(10, 0, 2, 2)
#define GUEST t_ip(10, 0, 2, 15)
#define OUTSIDE t_ip(192, 0, 2, 1)

static const struct indynet_forward fwd[] = {
	{ .udp = false, .host_port = 2222, .guest_port = 22 },
	{ .udp = true, .host_port = 5353, .guest_port = 53 },
};

static struct nat_restrict world(void)
{
	struct nat_restrict r = { .gw = GW, .fwd = fwd, .nfwd = 2 };

	inet_pton(AF_INET6, "fd00::2", &r.gw6);
	inet_pton(AF_INET6, "fd00::3", &r.dns6);
	return r;
}

static size_t udp(uint8_t *f, uint32_t dst, uint16_t sport, uint16_t dport)
{
	return t_udp_frame(f, gw_mac, guest_mac, GUEST, dst, sport, dport, "x", 1, 1);
}

static size_t l4_4(uint8_t *f, uint8_t proto, uint32_t dst, const uint8_t *l4, size_t l4len)
{
	eth_build(f, gw_mac, guest_mac, ETHERTYPE_IPV4);
	ipv4_build(f + ETH_HLEN, GUEST, dst, proto, 1, l4len);
	memcpy(f + ETH_HLEN + IPV4_HLEN, l4, l4len);
	return ETH_HLEN + IPV4_HLEN + l4len;
}

static size_t tcp(uint8_t *f, uint32_t dst, uint16_t dport, uint8_t flags)
{
	uint8_t t[20] = { 0x9c, 0x40, (uint8_t)(dport >> 8), (uint8_t)dport, [12] = 0x50, [13] = flags };

	return l4_4(f, IPPROTO_TCP, dst, t, sizeof(t));
}

static size_t v6(uint8_t *f, uint8_t proto, const char *dst, const uint8_t *l4, size_t l4len)
{
	uint8_t *h = f + ETH_HLEN;

	eth_build(f, gw_mac, guest_mac, 0x86dd);
	memset(h, 0, 40);
	h[0] = 0x60;
	h[5] = (uint8_t)l4len;
	h[6] = proto;
	inet_pton(AF_INET6, "fd00::15", h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	memcpy(h + 40, l4, l4len);
	return ETH_HLEN + 40 + l4len;
}

static bool allows(const uint8_t *f, size_t n)
{
	struct nat_restrict r = world();

	return nat_restrict_allows(&r, f, n);
}

static void test_worked_example(void **state)
{
	uint8_t f[200];

	(void)state;
	assert_true(allows(f, udp(f, 0xffffffffu, 68, 67)));      /* DHCP */
	assert_true(allows(f, udp(f, GW, 40000, 53)));             /* DNS at the gateway */
	assert_true(allows(f, udp(f, t_ip(127, 0, 0, 1), 53, 40000))); /* the UDP forward's answer */
	assert_true(allows(f, tcp(f, GW, 53, 0x02)));              /* DNS over TCP */
	assert_false(allows(f, tcp(f, GW, 22, 0x02)));             /* the host, through the gateway */
	assert_false(allows(f, tcp(f, OUTSIDE, 80, 0x02)));        /* the outside */
	assert_false(allows(f, udp(f, OUTSIDE, 40000, 53)));       /* DNS elsewhere */
	assert_false(allows(f, udp(f, GW, 40000, 123)));           /* another gateway port */
}

static void test_tcp_segments(void **state)
{
	uint8_t f[200];

	(void)state;
	assert_true(allows(f, tcp(f, OUTSIDE, 2222, 0x12)));  /* SYN-ACK: a forward's connection */
	assert_true(allows(f, tcp(f, OUTSIDE, 2222, 0x10)));  /* ACK */
	assert_true(allows(f, tcp(f, OUTSIDE, 2222, 0x04)));  /* RST */
	assert_false(allows(f, tcp(f, OUTSIDE, 80, 0x03)));   /* SYN+FIN is still a SYN */
}

static void test_icmp(void **state)
{
	uint8_t f[200];
	const uint8_t echo[8] = { 8 }, unreach[36] = { 3, 3 };

	(void)state;
	assert_true(allows(f, l4_4(f, IPPROTO_ICMP, GW, echo, sizeof(echo))));
	assert_false(allows(f, l4_4(f, IPPROTO_ICMP, OUTSIDE, echo, sizeof(echo))));
	assert_true(allows(f, l4_4(f, IPPROTO_ICMP, OUTSIDE, unreach, sizeof(unreach))));
	assert_false(allows(f, l4_4(f, 47 /* GRE */, OUTSIDE, unreach, sizeof(unreach))));
}

static void test_ipv6(void **state)
{
	uint8_t f[200];
	const uint8_t echo[8] = { 128 }, rs[8] = { 133 };
	const uint8_t dns[8] = { 0x9c, 0x40, 0, 53 }, dhcp6[8] = { 2, 0x22, 2, 0x23 };
	const uint8_t syn[20] = { 0x9c, 0x40, 0, 80, [12] = 0x50, [13] = 0x02 };

	(void)state;
	assert_true(allows(f, v6(f, IPPROTO_ICMPV6, "fd00::2", echo, 8)));
	assert_false(allows(f, v6(f, IPPROTO_ICMPV6, "2001:db8::1", echo, 8)));
	assert_true(allows(f, v6(f, IPPROTO_ICMPV6, "ff02::2", rs, 8)));
	assert_true(allows(f, v6(f, IPPROTO_UDP, "fd00::3", dns, 8)));
	assert_false(allows(f, v6(f, IPPROTO_UDP, "fd00::2", dns, 8))); /* DNS is ::3 */
	assert_true(allows(f, v6(f, IPPROTO_UDP, "ff02::1:2", dhcp6, 8)));
	assert_false(allows(f, v6(f, IPPROTO_TCP, "2001:db8::1", syn, 20)));
}

static void test_malformed(void **state)
{
	uint8_t f[200], arp[64];
	size_t n = udp(f, GW, 40000, 53);

	(void)state;
	for (size_t cut = 0; cut < n; cut++)
		assert_false(allows(f, cut)); /* a cut IPv4 packet never passes */
	n = v6(f, IPPROTO_UDP, "fd00::3", (const uint8_t[8]){ 0x9c, 0x40, 0, 53 }, 8);
	for (size_t cut = 0; cut < n; cut++)
		assert_false(allows(f, cut));
	assert_true(allows(arp, t_arp_request(arp, guest_mac, GUEST, GW))); /* not IP: passes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_tcp_segments),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
