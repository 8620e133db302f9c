/* SPDX-License-Identifier: MIT */
/* engine_test.c: frame builders and parsers shared by the engine unit tests. */
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>

#include "core/arp.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

#define DHCP_MAGIC 0x63825363u
#define DHCP_FIXED 236 /* BOOTP header before the magic cookie */

uint32_t t_ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return htonl(a << 24 | b << 16 | c << 8 | d);
}

size_t t_udp_frame(uint8_t *buf, const uint8_t dst_mac[6], const uint8_t src_mac[6], uint32_t src, uint32_t dst,
		   uint16_t sport, uint16_t dport, const void *data, size_t len, uint16_t ip_id)
{
	uint8_t *ip = buf + ETH_HLEN;

	eth_build(buf, dst_mac, src_mac, ETHERTYPE_IPV4);
	memcpy(ip + IPV4_HLEN + UDP_HLEN, data, len);
	assert_int_equal(udp_build(ip + IPV4_HLEN, src, dst, sport, dport, len), UDP_HLEN);
	assert_int_equal(ipv4_build(ip, src, dst, IPPROTO_UDP, ip_id, UDP_HLEN + len), IPV4_HLEN);
	return ETH_HLEN + IPV4_HLEN + UDP_HLEN + len;
}

size_t t_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t spa, uint32_t tpa)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];

	return arp_build(buf, ETH_ZLEN, bcast, ARP_OP_REQUEST, mac, spa, zero, tpa);
}

size_t t_dhcp_frame_to(uint8_t *buf, const uint8_t mac[6], uint8_t type, uint32_t xid, uint32_t req_ip,
		       uint32_t server, uint32_t src_ip, uint32_t dst_ip, const uint8_t dst_mac[6])
{
	uint8_t d[300] = { 0 };
	uint32_t v;
	size_t o = DHCP_FIXED;

	d[0] = 1; /* BOOTREQUEST */
	d[1] = 1; /* Ethernet */
	d[2] = 6;
	v = htonl(xid);
	memcpy(d + 4, &v, 4);
	d[10] = src_ip ? 0 : 0x80; /* broadcast flag until configured */
	memcpy(d + 12, &src_ip, 4); /* ciaddr */
	memcpy(d + 28, mac, 6);
	v = htonl(DHCP_MAGIC);
	memcpy(d + o, &v, 4);
	o += 4;
	d[o++] = 53;
	d[o++] = 1;
	d[o++] = type;
	if (req_ip) {
		d[o++] = 50;
		d[o++] = 4;
		memcpy(d + o, &req_ip, 4);
		o += 4;
	}
	if (server) {
		d[o++] = 54;
		d[o++] = 4;
		memcpy(d + o, &server, 4);
		o += 4;
	}
	d[o++] = 255;
	return t_udp_frame(buf, dst_mac, mac, src_ip, dst_ip, 68, 67, d, sizeof(d), (uint16_t)xid);
}

size_t t_dhcp_frame(uint8_t *buf, const uint8_t mac[6], uint8_t type, uint32_t xid, uint32_t req_ip,
		    uint32_t server)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return t_dhcp_frame_to(buf, mac, type, xid, req_ip, server, 0, 0xffffffffu, bcast);
}

int t_dhcp_reply(const uint8_t *frame, size_t len, uint32_t xid, uint32_t *yiaddr)
{
	struct eth_view eth;
	struct ipv4_view ip;
	struct udp_view u;
	uint32_t v;

	if (eth_parse(frame, len, &eth) || eth.ethertype != ETHERTYPE_IPV4 ||
	    ipv4_parse(eth.payload, eth.payload_len, &ip) || ip.proto != IPPROTO_UDP || udp_parse(&ip, true, &u) ||
	    u.sport != 67 || u.dport != 68 || u.payload_len < DHCP_FIXED + 4)
		return 0;
	memcpy(&v, u.payload + 4, 4);
	if (u.payload[0] != 2 || ntohl(v) != xid)
		return 0;
	memcpy(yiaddr, u.payload + 16, 4);
	for (size_t o = DHCP_FIXED + 4; o + 2 < u.payload_len && u.payload[o] != 255;) {
		if (u.payload[o] == 0) {
			o++;
			continue;
		}
		if (u.payload[o] == 53 && u.payload[o + 1] == 1)
			return u.payload[o + 2];
		o += 2u + u.payload[o + 1];
	}
	return 0;
}

size_t t_wait_frame(indynet_engine *e, uint8_t *buf, size_t cap, int timeout_ms,
		    int (*match)(const uint8_t *f, size_t len, void *arg), void *arg)
{
	uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;

	for (;;) {
		ssize_t n;
		struct pollfd p = { .fd = indynet_rx_fd(e), .events = POLLIN };

		indynet_rx_fd_clear(e);
		while ((n = indynet_guest_recv(e, buf, cap)) > 0)
			if (match(buf, (size_t)n, arg))
				return (size_t)n;
		if (clock_mono_ms() >= end)
			return 0;
		poll(&p, 1, 50);
	}
}

indynet_engine *t_start_nat(const char *subnet)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;
	char err[256] = "";

	indynet_config_init(&cfg);
	cfg.nat_subnet = subnet;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(e), 0);
	return e;
}

int t_match_arp(const uint8_t *f, size_t len, void *arg)
{
	(void)arg;
	return len >= ETH_HLEN && f[12] == 0x08 && f[13] == 0x06;
}

void t_guest_arp(indynet_engine *e)
{
	static const uint8_t guest_mac[6] = T_GUEST_MAC;
	uint8_t f[64], r[2048];
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));

	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_true(t_wait_frame(e, r, sizeof(r), 2000, t_match_arp, NULL) > 0);
}
