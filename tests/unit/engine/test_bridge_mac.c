/* SPDX-License-Identifier: MIT */
/* test_bridge_mac.c: MAC translation (bridge_mac.c) on hand-built frames, one rewrite per test; wireless detection. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/bridge_if.h"
#include "backend/bridge_mac.h"
#include "core/arp.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

static const uint8_t host_mac[6] = { 0x02, 0xaa, 0xaa, 0xaa, 0xaa, 0x01 };
static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t lan_mac[6] = { 0x02, 0xbb, 0xbb, 0xbb, 0xbb, 0x07 };
static const uint8_t phantom_mac[6] = { 0x02, 0x00, 0xde, 0xad, 0xbf, 0x53 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero[6];

#define HOST_IP t_ip(10, 9, 1, 2)
#define GUEST_IP t_ip(10, 9, 1, 120)
#define LAN_IP t_ip(10, 9, 1, 1)

static uint8_t out[2048];

static void xl_init(struct bridge_mac *m)
{
	bridge_mac_init(m);
	bridge_mac_set_host(m, host_mac, HOST_IP);
	bridge_mac_set_guest(m, guest_mac);
}

static size_t arp(uint8_t *buf, const uint8_t *dst, uint16_t op, const uint8_t *sha, uint32_t spa,
		  const uint8_t *tha, uint32_t tpa)
{
	return arp_build(buf, 64, dst, op, sha, spa, tha, tpa);
}

static void assert_arp(const uint8_t *f, const uint8_t *eth_dst, const uint8_t *eth_src, const uint8_t *sha,
		       const uint8_t *tha)
{
	struct arp_view a;

	assert_memory_equal(f, eth_dst, 6);
	assert_memory_equal(f + 6, eth_src, 6);
	assert_int_equal(arp_parse(f + ETH_HLEN, ARP_HLEN, &a), 0);
	assert_memory_equal(a.sha, sha, 6);
	assert_memory_equal(a.tha, tha, 6);
}

/* the guest's ARP request: source and sender hardware address become the host's; its address is learned */
static void test_tx_arp_request(void **state)
{
	struct bridge_mac m;
	uint8_t f[64];
	size_t len;

	(void)state;
	xl_init(&m);
	len = arp(f, bcast, ARP_OP_REQUEST, guest_mac, GUEST_IP, zero, LAN_IP);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	assert_arp(out, bcast, host_mac, host_mac, zero);
	assert_memory_equal(out + ETH_HLEN + 14, &(uint32_t){ GUEST_IP }, 4); /* spa kept */
	assert_int_equal(m.guest_ip, GUEST_IP);
	assert_int_equal(m.translated, 1);
	assert_memory_equal(f + 6, guest_mac, 6); /* the input is left alone */
}

/* the LAN's reply comes to the host's MAC for the guest's address: re-addressed to the guest */
static void test_rx_arp_reply(void **state)
{
	struct bridge_mac m;
	uint8_t f[64];
	size_t len;

	(void)state;
	xl_init(&m);
	m.guest_ip = GUEST_IP;
	len = arp(f, host_mac, ARP_OP_REPLY, lan_mac, LAN_IP, host_mac, GUEST_IP);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_REWRITTEN);
	assert_arp(out, guest_mac, lan_mac, lan_mac, guest_mac);
	/* the same reply for the host's own address is the host's */
	len = arp(f, host_mac, ARP_OP_REPLY, lan_mac, LAN_IP, host_mac, HOST_IP);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_UNMATCHED);
	assert_int_equal(m.translated, 1);
	assert_int_equal(m.unmatched, 1);
}

/* a LAN host asks for the guest's address: the broadcast passes; the guest's answer leaves as the host's MAC */
static void test_arp_request_for_guest(void **state)
{
	struct bridge_mac m;
	uint8_t f[64];
	size_t len;

	(void)state;
	xl_init(&m);
	len = arp(f, bcast, ARP_OP_REQUEST, lan_mac, LAN_IP, zero, GUEST_IP);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_PASS);
	len = arp(f, lan_mac, ARP_OP_REPLY, guest_mac, GUEST_IP, lan_mac, LAN_IP);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	assert_arp(out, lan_mac, host_mac, host_mac, lan_mac);
	/* a unicast refresh to the host's MAC: target hardware address rewritten to the guest's */
	len = arp(f, host_mac, ARP_OP_REQUEST, lan_mac, LAN_IP, host_mac, GUEST_IP);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_REWRITTEN);
	assert_arp(out, guest_mac, lan_mac, lan_mac, guest_mac);
}

/* an RFC 5227 probe's answer (target address 0) goes back to whichever station probed */
static void test_probe_answer_routed(void **state)
{
	struct bridge_mac m;
	uint8_t f[64];
	size_t len;
	uint32_t probed = t_ip(10, 9, 1, 200);

	(void)state;
	xl_init(&m);
	len = arp(f, bcast, ARP_OP_REQUEST, phantom_mac, 0, zero, probed);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, false), BRIDGE_MAC_REWRITTEN);
	assert_arp(out, bcast, host_mac, host_mac, zero);
	assert_int_equal(m.guest_ip, 0); /* a probe teaches no address */
	len = arp(f, host_mac, ARP_OP_REPLY, lan_mac, probed, host_mac, 0);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_REWRITTEN);
	assert_arp(out, phantom_mac, lan_mac, lan_mac, phantom_mac);
	/* an answer for an address nobody probed is not routed */
	len = arp(f, host_mac, ARP_OP_REPLY, lan_mac, t_ip(10, 9, 1, 201), host_mac, 0);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_UNMATCHED);
	/* a probe sent with the host's own MAC (an inner station posing as the host) is not
	 * remembered: its answer stays the host's, never goes back inside to the host's MAC */
	len = arp(f, bcast, ARP_OP_REQUEST, host_mac, 0, zero, t_ip(10, 9, 1, 202));
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	len = arp(f, host_mac, ARP_OP_REPLY, lan_mac, t_ip(10, 9, 1, 202), host_mac, 0);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_UNMATCHED);
}

/* a DHCP DISCOVER without the broadcast flag: flag set, chaddr kept, UDP checksum still right */
static size_t dhcp_discover(uint8_t *f, uint32_t xid)
{
	uint8_t d[300] = { 0 };
	uint32_t v = htonl(xid);

	d[0] = 1;
	d[1] = 1;
	d[2] = 6;
	memcpy(d + 4, &v, 4);
	memcpy(d + 28, guest_mac, 6);
	v = htonl(0x63825363);
	memcpy(d + 236, &v, 4);
	d[240] = 53;
	d[241] = 1;
	d[242] = DHCP_DISCOVER;
	d[243] = 255;
	return t_udp_frame(f, bcast, guest_mac, 0, INADDR_BROADCAST, 68, 67, d, sizeof(d), 1);
}

static void assert_udp_ok(const uint8_t *f, size_t len)
{
	struct ipv4_view ip;
	struct udp_view u;

	assert_int_equal(ipv4_parse(f + ETH_HLEN, len - ETH_HLEN, &ip), 0);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
}

static void test_tx_dhcp_flag_and_chaddr(void **state)
{
	struct bridge_mac m;
	uint8_t f[512];
	size_t len;
	const size_t d = ETH_HLEN + 20 + 8;

	(void)state;
	xl_init(&m);
	len = dhcp_discover(f, 0x1234abcd);
	assert_int_equal(f[d + 10], 0);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	assert_memory_equal(out + 6, host_mac, 6);
	assert_int_equal(out[d + 10], 0x80);          /* broadcast flag */
	assert_memory_equal(out + d + 28, guest_mac, 6); /* chaddr: the guest's own lease */
	assert_udp_ok(out, len);
	assert_int_equal(m.guest_ip, 0); /* 0.0.0.0 is no address */
	assert_true(m.dhcp_known);
	/* a checksum of 0 (none sent) stays 0 */
	f[ETH_HLEN + 20 + 6] = f[ETH_HLEN + 20 + 7] = 0;
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	assert_int_equal(out[ETH_HLEN + 20 + 6] | out[ETH_HLEN + 20 + 7], 0);
	assert_int_equal(out[d + 10], 0x80);
}

/* the server's unicast answer to the host's MAC is the guest's when its transaction is the guest's */
static void test_rx_dhcp_reply_by_xid(void **state)
{
	struct bridge_mac m;
	uint8_t f[512], r[300] = { 0 };
	size_t len;
	uint32_t xid = htonl(0x1234abcd);

	(void)state;
	xl_init(&m);
	len = dhcp_discover(f, 0x1234abcd);
	bridge_mac_tx(&m, f, len, out, true);
	r[0] = 2;
	memcpy(r + 4, &xid, 4);
	memcpy(r + 28, guest_mac, 6);
	len = t_udp_frame(f, host_mac, lan_mac, LAN_IP, GUEST_IP, 67, 68, r, sizeof(r), 2);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_REWRITTEN);
	assert_memory_equal(out, guest_mac, 6);
	assert_memory_equal(out + ETH_HLEN, f + ETH_HLEN, len - ETH_HLEN); /* the packet untouched */
	r[4] ^= 1; /* another transaction: the host's */
	len = t_udp_frame(f, host_mac, lan_mac, LAN_IP, t_ip(10, 9, 1, 130), 67, 68, r, sizeof(r), 3);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_UNMATCHED);
}

/* IPv4 to the guest's address at the host's MAC goes to the guest; to the host's stays the host's */
static void test_rx_ipv4_to_guest(void **state)
{
	struct bridge_mac m;
	uint8_t f[256];
	size_t len;

	(void)state;
	xl_init(&m);
	len = t_udp_frame(f, lan_mac, guest_mac, GUEST_IP, LAN_IP, 5000, 7, "x", 1, 1);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	assert_memory_equal(out + 6, host_mac, 6);
	assert_memory_equal(out + ETH_HLEN, f + ETH_HLEN, len - ETH_HLEN);
	assert_int_equal(m.guest_ip, GUEST_IP);
	len = t_udp_frame(f, host_mac, lan_mac, LAN_IP, GUEST_IP, 7, 5000, "y", 1, 2);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_REWRITTEN);
	assert_memory_equal(out, guest_mac, 6);
	assert_memory_equal(out + 6, lan_mac, 6);
	len = t_udp_frame(f, host_mac, lan_mac, LAN_IP, HOST_IP, 7, 5000, "z", 1, 3);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_UNMATCHED);
	/* broadcast, and frames for another MAC (the phantom's), pass as they are */
	len = t_udp_frame(f, bcast, lan_mac, LAN_IP, INADDR_BROADCAST, 7, 5000, "b", 1, 4);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_PASS);
	len = t_udp_frame(f, phantom_mac, lan_mac, LAN_IP, t_ip(10, 9, 1, 200), 7, 5000, "p", 1, 5);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_PASS);
	assert_int_equal(m.translated, 2);
	assert_int_equal(m.unmatched, 1);
}

/* the guest claims the host's address: refused, counted, never learned */
static void test_refused_host_ip(void **state)
{
	struct bridge_mac m;
	uint8_t f[256];
	size_t len;

	(void)state;
	xl_init(&m);
	len = arp(f, bcast, ARP_OP_REQUEST, guest_mac, HOST_IP, zero, HOST_IP);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REFUSED);
	len = t_udp_frame(f, lan_mac, guest_mac, HOST_IP, LAN_IP, 5000, 7, "x", 1, 1);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REFUSED);
	assert_int_equal(m.refused, 2);
	assert_int_equal(m.translated, 0);
	assert_int_equal(m.guest_ip, 0);
	/* the engine's own frames are not the guest's claims */
	len = arp(f, bcast, ARP_OP_REQUEST, phantom_mac, HOST_IP, zero, LAN_IP);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, false), BRIDGE_MAC_REWRITTEN);
	/* a host address that changes to the guest's takes it back from the guest */
	m.guest_ip = GUEST_IP;
	bridge_mac_set_host(&m, host_mac, GUEST_IP);
	assert_int_equal(m.guest_ip, 0);
}

/*
 * #21: what the guest may be learned at (not a multicast source); a frame to it
 * rewritten only in its Ethernet header, whatever its payload holds; a cut one
 * not rewritten; only refusals counted as such.
 */
static void test_learn_and_rewrite_limits(void **state)
{
	struct bridge_mac m;
	uint8_t f[256];
	size_t len;
	uint32_t gip = t_ip(10, 9, 2, 170); /* its last two bytes and the ports below spell the host's MAC */

	(void)state;
	xl_init(&m);
	len = t_udp_frame(f, lan_mac, guest_mac, t_ip(224, 0, 0, 251), LAN_IP, 5353, 5353, "m", 1, 1);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	assert_int_equal(m.guest_ip, 0); /* a multicast source is not the guest's address */
	len = t_udp_frame(f, lan_mac, guest_mac, gip, LAN_IP, 0xaa01, 0xaaaa, "x", 1, 2);
	assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REWRITTEN);
	assert_int_equal(m.guest_ip, gip);
	len = t_udp_frame(f, host_mac, lan_mac, LAN_IP, gip, 0xaaaa, 0xaa01, "y", 1, 3);
	assert_memory_equal(f + 32, host_mac, 6);
	assert_int_equal(bridge_mac_rx(&m, f, len, out), BRIDGE_MAC_REWRITTEN);
	assert_memory_equal(out, guest_mac, 6);
	assert_memory_equal(out + 6, f + 6, len - 6); /* the rest as it came */
	/* an IPv4 packet cut short of its total length is not the guest's */
	assert_int_equal(bridge_mac_rx(&m, f, len - 4, out), BRIDGE_MAC_UNMATCHED);
	assert_int_equal(m.translated, 3);
	assert_int_equal(m.unmatched, 1);
	assert_int_equal(m.refused, 0);
}

static unsigned claims_logged;

static void claim_sink(void *opaque, enum indynet_log_level level, const char *msg)
{
	(void)opaque;
	claims_logged += level == INDYNET_LOG_WARN && strstr(msg, "claimed the host's own address");
}

/* #21: a guest that keeps claiming the host's address is logged at the 1st, 2nd, 4th ... claim */
static void test_refusals_logged_sparingly(void **state)
{
	struct bridge_mac m;
	uint8_t f[256];
	size_t len;

	(void)state;
	xl_init(&m);
	indynet_set_log(claim_sink, NULL, INDYNET_LOG_INFO);
	len = arp(f, bcast, ARP_OP_REQUEST, guest_mac, HOST_IP, zero, HOST_IP);
	for (unsigned i = 1; i <= 8; i++) {
		assert_int_equal(bridge_mac_tx(&m, f, len, out, true), BRIDGE_MAC_REFUSED);
		assert_int_equal(claims_logged, i == 1 ? 1 : i < 4 ? 2 : i < 8 ? 3 : 4);
	}
	indynet_set_log(NULL, NULL, INDYNET_LOG_INFO);
}

/* IPv6 is not translated: dropped as unmatched; other types only move their source */
static void test_ipv6_and_others(void **state)
{
	struct bridge_mac m;
	uint8_t f[80] = { 0 };

	(void)state;
	xl_init(&m);
	memcpy(f, bcast, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	assert_int_equal(bridge_mac_tx(&m, f, sizeof(f), out, true), BRIDGE_MAC_UNMATCHED);
	f[12] = 0x88;
	f[13] = 0xcc; /* LLDP */
	assert_int_equal(bridge_mac_tx(&m, f, sizeof(f), out, true), BRIDGE_MAC_REWRITTEN);
	assert_memory_equal(out + 6, host_mac, 6);
	assert_memory_equal(out + 12, f + 12, sizeof(f) - 12);
	/* a cut ARP or IPv4 body moves only the source */
	f[12] = 0x08;
	f[13] = 0x06;
	assert_int_equal(bridge_mac_tx(&m, f, ETH_HLEN + 10, out, true), BRIDGE_MAC_REWRITTEN);
	f[13] = 0x00;
	assert_int_equal(bridge_mac_tx(&m, f, ETH_HLEN + 10, out, true), BRIDGE_MAC_REWRITTEN);
	memcpy(f, host_mac, 6);
	assert_int_equal(bridge_mac_rx(&m, f, ETH_HLEN + 10, out), BRIDGE_MAC_UNMATCHED);
	assert_int_equal(m.unmatched, 2);
}

/* auto's question: /sys/class/net/IF/wireless or phy80211, under INDYNET_SYSFS_ROOT in tests */
static void test_wireless_detection(void **state)
{
	char root[] = "/tmp/indynet-sysfs-XXXXXX", path[256];

	(void)state;
	assert_non_null(mkdtemp(root));
	setenv("INDYNET_SYSFS_ROOT", root, 1);
	snprintf(path, sizeof(path), "%s/class", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/class/net", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/class/net/wlan7", root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_false(bridge_if_wireless("wlan7"));
	snprintf(path, sizeof(path), "%s/class/net/wlan7/phy80211", root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_true(bridge_if_wireless("wlan7"));
	assert_false(bridge_if_wireless("eth7"));
	rmdir(path);
	snprintf(path, sizeof(path), "%s/class/net/wlan7/wireless", root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_true(bridge_if_wireless("wlan7"));
	unsetenv("INDYNET_SYSFS_ROOT");
	assert_false(bridge_if_wireless("lo")); /* the real /sys: loopback is not wireless */
	rmdir(path);
	snprintf(path, sizeof(path), "rm -r %s", root);
	assert_int_equal(system(path), 0);
}

/* NAT mode has no wire: no translation status, all zero */
static void test_nat_has_none(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	struct indynet_bridge_mac_status st;

	(void)state;
	memset(&st, 0xff, sizeof(st));
	assert_int_equal(indynet_bridge_mac_status_get(e, &st), -EOPNOTSUPP);
	assert_int_equal(st.mode, INDYNET_BRIDGE_MAC_AUTO);
	assert_int_equal(st.translated + st.unmatched + st.refused, 0);
	indynet_engine_free(e);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(indynet_bridge_mac_name(INDYNET_BRIDGE_MAC_AUTO), "auto");
	assert_string_equal(indynet_bridge_mac_name(INDYNET_BRIDGE_MAC_GUEST), "guest");
	assert_string_equal(indynet_bridge_mac_name(INDYNET_BRIDGE_MAC_HOST), "host");
	assert_string_equal(indynet_bridge_mac_name((enum indynet_bridge_mac)9), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_arp_request),
		cmocka_unit_test(test_rx_arp_reply),
		cmocka_unit_test(test_arp_request_for_guest),
		cmocka_unit_test(test_probe_answer_routed),
		cmocka_unit_test(test_tx_dhcp_flag_and_chaddr),
		cmocka_unit_test(test_rx_dhcp_reply_by_xid),
		cmocka_unit_test(test_rx_ipv4_to_guest),
		cmocka_unit_test(test_refused_host_ip),
		cmocka_unit_test(test_learn_and_rewrite_limits),
		cmocka_unit_test(test_refusals_logged_sparingly),
		cmocka_unit_test(test_ipv6_and_others),
		cmocka_unit_test(test_wireless_detection),
		cmocka_unit_test(test_nat_has_none),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
