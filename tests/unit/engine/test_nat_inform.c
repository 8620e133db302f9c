/* SPDX-License-Identifier: MIT */
/* test_nat_inform.c: DHCPINFORM answered by the NAT: the reply's fields, and requests it must ignore. */
#include <arpa/inet.h>
#include <string.h>

#include "backend/nat_inform.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

#define DHCP_INFORM 8

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct nat_dns_map map24(void)
{
	struct nat_dns_map m;

	nat_dns_map_init(&m, t_ip(192, 168, 0, 0), 24);
	return m;
}

/* the value of option @code in the reply's BOOTP message, 0 when absent */
static uint32_t opt_addr(const uint8_t *b, size_t len, uint8_t code)
{
	uint32_t v = 0;

	for (size_t o = 240; o + 2 <= len && b[o] != 255; o += 2u + b[o + 1])
		if (b[o] == code && b[o + 1] == 4)
			memcpy(&v, b + o + 2, 4);
	return v;
}

static void test_inform_answered(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[600], r[NAT_INFORM_FRAME_MAX];
	size_t n = t_dhcp_frame_to(f, guest_mac, DHCP_INFORM, 0x1234, 0, 0, t_ip(192, 168, 0, 50), t_ip(255, 255, 255, 255),
				   bcast), rn;
	struct eth_view eth;
	struct ipv4_view ip;
	struct udp_view u;
	uint32_t yi;

	(void)state;
	rn = nat_inform_reply(&m, f, n, r, sizeof(r));
	assert_int_equal(rn, NAT_INFORM_FRAME_MAX);
	assert_int_equal(eth_parse(r, rn, &eth), 0);
	assert_memory_equal(eth.dst, guest_mac, 6);
	assert_memory_equal(eth.src, gw_mac, 6);
	assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
	assert_int_equal(ip.src, m.gw);
	assert_int_equal(ip.dst, t_ip(192, 168, 0, 50));
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.sport, 67);
	assert_int_equal(u.dport, 68);
	assert_int_equal(t_dhcp_reply(r, rn, 0x1234, &yi), DHCP_ACK);
	assert_int_equal(yi, 0); /* no address handed out */
	assert_int_equal(opt_addr(u.payload, u.payload_len, 1), htonl(0xffffff00u));
	assert_int_equal(opt_addr(u.payload, u.payload_len, 3), m.gw);
	assert_int_equal(opt_addr(u.payload, u.payload_len, 6), m.gw);
	assert_int_equal(opt_addr(u.payload, u.payload_len, 54), m.gw);
	assert_int_equal(opt_addr(u.payload, u.payload_len, 51), 0); /* no lease time */

	/* unicast to the gateway works as well */
	n = t_dhcp_frame_to(f, guest_mac, DHCP_INFORM, 0x1235, 0, 0, t_ip(192, 168, 0, 50), m.gw, gw_mac);
	assert_int_equal(nat_inform_reply(&m, f, n, r, sizeof(r)), NAT_INFORM_FRAME_MAX);
}

static void test_inform_ignored(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[600], r[NAT_INFORM_FRAME_MAX];
	size_t n;

	(void)state;
	/* a REQUEST is libslirp's */
	n = t_dhcp_frame_to(f, guest_mac, DHCP_REQUEST, 1, 0, 0, t_ip(192, 168, 0, 50), m.gw, gw_mac);
	assert_int_equal(nat_inform_reply(&m, f, n, r, sizeof(r)), 0);
	/* a client outside the subnet, at the gateway's or broadcast address */
	n = t_dhcp_frame_to(f, guest_mac, DHCP_INFORM, 1, 0, 0, t_ip(10, 1, 0, 2), m.gw, gw_mac);
	assert_int_equal(nat_inform_reply(&m, f, n, r, sizeof(r)), 0);
	n = t_dhcp_frame_to(f, guest_mac, DHCP_INFORM, 1, 0, 0, m.gw, m.gw, gw_mac);
	assert_int_equal(nat_inform_reply(&m, f, n, r, sizeof(r)), 0);
	n = t_dhcp_frame_to(f, guest_mac, DHCP_INFORM, 1, 0, 0, m.hidden, m.gw, gw_mac);
	assert_int_equal(nat_inform_reply(&m, f, n, r, sizeof(r)), 0);
	/* to another host */
	n = t_dhcp_frame_to(f, guest_mac, DHCP_INFORM, 1, 0, 0, t_ip(192, 168, 0, 50), t_ip(192, 168, 0, 9), gw_mac);
	assert_int_equal(nat_inform_reply(&m, f, n, r, sizeof(r)), 0);
	/* cut short anywhere: never answered, never read past the end */
	n = t_dhcp_frame_to(f, guest_mac, DHCP_INFORM, 1, 0, 0, t_ip(192, 168, 0, 50), m.gw, gw_mac);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(nat_inform_reply(&m, f, cut, r, sizeof(r)), 0);
	/* a reply buffer too small */
	assert_int_equal(nat_inform_reply(&m, f, n, r, sizeof(r) - 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inform_answered),
		cmocka_unit_test(test_inform_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
