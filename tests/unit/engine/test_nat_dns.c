/* SPDX-License-Identifier: MIT */
/* test_nat_dns.c: DNS at the gateway: the rewrites on hand-built frames, and end to end in a private netns. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/nat_dns.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 0, 1 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* 10.0.0.0/24: gateway 10.0.0.1, hidden 10.0.0.255 */
#define GW t_ip(10, 0, 0, 1)
#define GUEST t_ip(10, 0, 0, 2)
#define HIDDEN t_ip(10, 0, 0, 255)

static struct nat_dns_map map24(void)
{
	struct nat_dns_map m;

	nat_dns_map_init(&m, t_ip(10, 0, 0, 0), 24);
	return m;
}

/* a TCP segment (20-byte header, @flags, @data) in an Ethernet frame, checksums right */
static size_t tcp_frame(uint8_t *buf, const uint8_t dst_mac[6], const uint8_t src_mac[6], uint32_t src,
			uint32_t dst, uint16_t sport, uint16_t dport, uint8_t flags, const void *data, size_t len)
{
	uint8_t *ip = buf + ETH_HLEN, *t = ip + IPV4_HLEN;
	uint16_t v, c;
	uint32_t seq = htonl(1000);

	eth_build(buf, dst_mac, src_mac, ETHERTYPE_IPV4);
	memset(t, 0, 20);
	v = htons(sport);
	memcpy(t, &v, 2);
	v = htons(dport);
	memcpy(t + 2, &v, 2);
	memcpy(t + 4, &seq, 4);
	t[12] = 5 << 4;
	t[13] = flags;
	v = htons(8192);
	memcpy(t + 14, &v, 2);
	memcpy(t + 20, data, len);
	c = l4_csum_ipv4(src, dst, IPPROTO_TCP, t, 20 + len);
	memcpy(t + 16, &c, 2);
	assert_int_equal(ipv4_build(ip, src, dst, IPPROTO_TCP, 9, 20 + len), IPV4_HLEN);
	return ETH_HLEN + IPV4_HLEN + 20 + len;
}

/* the frame's IPv4 view; asserts a valid header */
static struct ipv4_view ip_of(const uint8_t *f, size_t n)
{
	struct ipv4_view ip;

	assert_int_equal(ipv4_parse(f + ETH_HLEN, n - ETH_HLEN, &ip), 0);
	return ip;
}

/* a guest frame judged NAT_DNS_REWRITE, rewritten: its IPv4 view */
static struct ipv4_view guest_rewritten(const struct nat_dns_map *m, uint8_t *f, size_t n)
{
	assert_int_equal(nat_dns_guest_verdict(m, f, n), NAT_DNS_REWRITE);
	nat_dns_guest_rewrite(m, f, n);
	return ip_of(f, n);
}

/* a libslirp frame judged NAT_DNS_REWRITE, rewritten: its IPv4 view */
static struct ipv4_view slirp_rewritten(const struct nat_dns_map *m, uint8_t *f, size_t n)
{
	assert_int_equal(nat_dns_slirp_verdict(m, f, n), NAT_DNS_REWRITE);
	nat_dns_slirp_rewrite(m, f, n);
	return ip_of(f, n);
}

static void test_map(void **state)
{
	struct nat_dns_map m = map24();

	(void)state;
	assert_int_equal(m.gw, GW);
	assert_int_equal(m.hidden, HIDDEN);
	nat_dns_map_init(&m, t_ip(192, 168, 7, 4), 30);
	assert_int_equal(m.net, t_ip(192, 168, 7, 4));
	assert_int_equal(m.gw, t_ip(192, 168, 7, 5));
	assert_int_equal(m.hidden, t_ip(192, 168, 7, 7));
}

static void test_guest_udp_dns_rewritten(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[200];
	size_t n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1);
	struct ipv4_view ip;
	struct udp_view u;

	(void)state;
	ip = guest_rewritten(&m, f, n);
	assert_int_equal(ip.dst, HIDDEN);
	assert_int_equal(ip.src, GUEST);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_true(u.has_csum);
	assert_int_equal(u.dport, 53);
	assert_memory_equal(u.payload, "query", 5);

	/* a sender without a UDP checksum keeps none */
	n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 53, "q2", 2, 2);
	memset(f + ETH_HLEN + IPV4_HLEN + 6, 0, 2);
	nat_dns_guest_rewrite(&m, f, n);
	ip = ip_of(f, n);
	assert_int_equal(ip.dst, HIDDEN);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_false(u.has_csum);
}

static void test_guest_tcp_dns_rewritten(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[200];
	size_t n = tcp_frame(f, gw_mac, guest_mac, GUEST, GW, 40000, 53, 0x02, "\0\x1d", 2);
	struct ipv4_view ip;

	(void)state;
	ip = guest_rewritten(&m, f, n);
	assert_int_equal(ip.dst, HIDDEN);
	assert_int_equal(l4_csum_ipv4(ip.src, ip.dst, IPPROTO_TCP, ip.payload, ip.payload_len), 0);
}

static void test_guest_verdicts(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[200];
	size_t n;

	(void)state;
	n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 123, "ntp", 3, 1);
	assert_int_equal(nat_dns_guest_verdict(&m, f, n), NAT_DNS_PASS);
	n = t_udp_frame(f, gw_mac, guest_mac, GUEST, t_ip(10, 0, 0, 9), 33000, 53, "q", 1, 1);
	assert_int_equal(nat_dns_guest_verdict(&m, f, n), NAT_DNS_PASS);
	/* anything to the hidden address, any port, is dropped */
	n = t_udp_frame(f, bcast, guest_mac, GUEST, HIDDEN, 137, 137, "nb", 2, 1);
	assert_int_equal(nat_dns_guest_verdict(&m, f, n), NAT_DNS_DROP);
	n = t_udp_frame(f, bcast, guest_mac, GUEST, HIDDEN, 5000, 53, "q", 1, 1);
	assert_int_equal(nat_dns_guest_verdict(&m, f, n), NAT_DNS_DROP);
	/* a fragment is never rewritten (the engine reassembles them first) */
	n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1);
	f[ETH_HLEN + 6] |= 0x20;
	assert_int_equal(nat_dns_guest_verdict(&m, f, n), NAT_DNS_PASS);
	/* truncated: the UDP header does not fit the IP total length */
	n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1);
	f[ETH_HLEN + 2] = 0;
	f[ETH_HLEN + 3] = 24;
	assert_int_equal(nat_dns_guest_verdict(&m, f, n), NAT_DNS_PASS);
	/* shorter than an IPv4 header, and ARP */
	assert_int_equal(nat_dns_guest_verdict(&m, f, ETH_HLEN + 19), NAT_DNS_PASS);
	n = t_arp_request(f, guest_mac, GUEST, GW);
	assert_int_equal(nat_dns_guest_verdict(&m, f, n), NAT_DNS_PASS);
}

static void test_slirp_reply_from_hidden(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[200];
	size_t n = t_udp_frame(f, guest_mac, gw_mac, HIDDEN, GUEST, 53, 33000, "answer", 6, 3);
	struct ipv4_view ip;
	struct udp_view u;

	(void)state;
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(ip.src, GW);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.sport, 53);
	assert_memory_equal(u.payload, "answer", 6);

	n = tcp_frame(f, guest_mac, gw_mac, HIDDEN, GUEST, 53, 40000, 0x12, "", 0);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(ip.src, GW);
	assert_int_equal(l4_csum_ipv4(ip.src, ip.dst, IPPROTO_TCP, ip.payload, ip.payload_len), 0);

	n = t_udp_frame(f, guest_mac, gw_mac, GW, GUEST, 9, 33000, "plain", 5, 3);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_PASS);
}

/* an ICMP port unreachable from the gateway quoting the IPv4 packet of @query */
static size_t icmp_error(uint8_t *f, const uint8_t *query, size_t qlen)
{
	uint8_t *ip = f + ETH_HLEN, *ic = ip + IPV4_HLEN;
	size_t ql = qlen - ETH_HLEN;
	uint16_t c;

	eth_build(f, guest_mac, gw_mac, ETHERTYPE_IPV4);
	memset(ic, 0, 8);
	ic[0] = 3;
	ic[1] = 3;
	memcpy(ic + 8, query + ETH_HLEN, ql);
	c = csum_fold(csum_add(0, ic, 8 + ql));
	memcpy(ic + 2, &c, 2);
	assert_int_equal(ipv4_build(ip, GW, GUEST, IPPROTO_ICMP, 5, 8 + ql), IPV4_HLEN);
	return ETH_HLEN + IPV4_HLEN + 8 + ql;
}

/* an ICMP error about a relayed query quotes the query as the guest sent it */
static void test_icmp_error_quotes_gateway(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t q[200], rq[200], f[400];
	size_t qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1), n;
	struct ipv4_view ip;

	(void)state;
	memcpy(rq, q, qn);
	nat_dns_guest_rewrite(&m, rq, qn);
	n = icmp_error(f, rq, qn);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(ip.src, GW);
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	/* byte for byte the guest's own packet, checksums and all */
	assert_memory_equal(ip.payload + 8, q + ETH_HLEN, qn - ETH_HLEN);

	/* the same for TCP */
	qn = tcp_frame(q, gw_mac, guest_mac, GUEST, GW, 40000, 53, 0x02, "", 0);
	memcpy(rq, q, qn);
	nat_dns_guest_rewrite(&m, rq, qn);
	n = icmp_error(f, rq, qn);
	nat_dns_slirp_rewrite(&m, f, n);
	ip = ip_of(f, n);
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	assert_memory_equal(ip.payload + 8, q + ETH_HLEN, qn - ETH_HLEN);

	/* an error about anything else, and an echo reply, are left alone */
	n = icmp_error(f, q, qn);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_PASS);
	n = icmp_error(f, rq, qn);
	f[ETH_HLEN + IPV4_HLEN] = 0;
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_PASS);
	/* a quote cut short inside its IPv4 header */
	n = icmp_error(f, rq, qn);
	f[ETH_HLEN + 3] = (uint8_t)(IPV4_HLEN + 8 + 10);
	memset(f + ETH_HLEN + 10, 0, 2);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, ETH_HLEN + IPV4_HLEN + 8 + 10), NAT_DNS_PASS);
}

/* the ICMP error of icmp_error(), sent from @src instead of the gateway */
static size_t icmp_error_from(uint8_t *f, uint32_t src, const uint8_t *query, size_t qlen)
{
	size_t n = icmp_error(f, query, qlen);

	assert_int_equal(ipv4_build(f + ETH_HLEN, src, GUEST, IPPROTO_ICMP, 5, n - ETH_HLEN - IPV4_HLEN),
			 IPV4_HLEN);
	return n;
}

/* an ICMP error never reaches the guest from a host-side address */
static void test_icmp_error_outer_source(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t q[200], rq[200], f[400];
	size_t qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1), n;
	struct ipv4_view ip;

	(void)state;
	/* the host's resolver is down: libslirp names 127.0.0.1 as the offender */
	memcpy(rq, q, qn);
	nat_dns_guest_rewrite(&m, rq, qn);
	n = icmp_error_from(f, t_ip(127, 0, 0, 1), rq, qn);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(ip.src, GW);
	assert_int_equal(ipv4_parse(f + ETH_HLEN, n - ETH_HLEN, &ip), 0); /* header checksum right */
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	assert_memory_equal(ip.payload + 8, q + ETH_HLEN, qn - ETH_HLEN);

	/* a closed loopback port behind the gateway (127.0.0.53 as a systemd host has it) */
	qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33001, 9, "x", 1, 2);
	n = icmp_error_from(f, t_ip(127, 0, 0, 53), q, qn);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(ip.src, GW);
	assert_int_equal(ipv4_parse(f + ETH_HLEN, n - ETH_HLEN, &ip), 0);
	assert_memory_equal(ip.payload + 8, q + ETH_HLEN, qn - ETH_HLEN);

	/* a loopback offender for another destination: the address the guest sent to */
	qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, t_ip(198, 51, 100, 7), 33002, 9, "x", 1, 3);
	n = icmp_error_from(f, t_ip(127, 0, 0, 1), q, qn);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(ip.src, t_ip(198, 51, 100, 7));

	/* a router on the way out keeps its own address (traceroute needs it) */
	n = icmp_error_from(f, t_ip(203, 0, 113, 1), q, qn);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_PASS);
	/* and an error about the gateway that already comes from it is left alone */
	qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33001, 9, "x", 1, 2);
	n = icmp_error(f, q, qn);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_PASS);
}

/* the IPv4 header checksum of frame @f verifies */
static bool ip_csum_ok(const uint8_t *f)
{
	return csum_fold(csum_add(0, f + ETH_HLEN, IPV4_HLEN)) == 0;
}

/*
 * Every IP identification and every value of a payload word, so every
 * checksum the incremental update can meet (a carry out of the first fold
 * included, and the one UDP checksum that comes out 0): both directions
 * leave both checksums right, and a datagram sent with a UDP checksum keeps one.
 */
static void test_rewrite_checksums_exhaustive(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[100];
	struct ipv4_view ip;
	struct udp_view u;

	(void)state;
	for (uint32_t w = 0; w <= 0xffff; w++) {
		uint8_t data[2] = { (uint8_t)(w >> 8), (uint8_t)w };
		size_t n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 53, data, 2, (uint16_t)w);

		nat_dns_guest_rewrite(&m, f, n);
		assert_true(ip_csum_ok(f));
		ip = ip_of(f, n);
		assert_int_equal(udp_parse(&ip, true, &u), 0);
		assert_true(u.has_csum);
		n = t_udp_frame(f, guest_mac, gw_mac, HIDDEN, GUEST, 53, 33000, data, 2, (uint16_t)w);
		nat_dns_slirp_rewrite(&m, f, n);
		assert_true(ip_csum_ok(f));
		ip = ip_of(f, n);
		assert_int_equal(ip.src, GW);
		assert_int_equal(udp_parse(&ip, true, &u), 0);
		assert_true(u.has_csum);
	}
}

/* a later fragment of an answer from the hidden address: the source becomes the gateway, nothing else changes */
static void test_slirp_fragment_from_hidden(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[200], want[200];
	size_t n = t_udp_frame(f, guest_mac, gw_mac, HIDDEN, GUEST, 53, 33000, "rest of an answer", 17, 3);
	uint32_t gw = GW;
	uint16_t c;

	(void)state;
	f[ETH_HLEN + 6] = 0;
	f[ETH_HLEN + 7] = 185; /* offset 1480, last fragment */
	memset(f + ETH_HLEN + 10, 0, 2);
	c = csum_fold(csum_add(0, f + ETH_HLEN, IPV4_HLEN));
	memcpy(f + ETH_HLEN + 10, &c, 2);
	memcpy(want, f, n);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_REWRITE);
	nat_dns_slirp_rewrite(&m, f, n);
	assert_true(ip_csum_ok(f));
	memcpy(want + ETH_HLEN + 12, &gw, 4);
	memcpy(want + ETH_HLEN + 10, f + ETH_HLEN + 10, 2);
	assert_memory_equal(f, want, n);
}

/* ICMP errors whose quote is malformed or cut inside the UDP header: nothing is read or written past them */
static void test_icmp_error_odd_quotes(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t q[200], rq[200], f[400];
	size_t qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1), n;
	uint8_t *g;
	struct ipv4_view ip;

	(void)state;
	memcpy(rq, q, qn);
	nat_dns_guest_rewrite(&m, rq, qn);
	/* a quoted header claiming 16 bytes (IHL 4) is no quote: left alone */
	n = icmp_error_from(f, t_ip(203, 0, 113, 1), rq, qn);
	f[ETH_HLEN + IPV4_HLEN + 8] = 0x44;
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_PASS);
	/* only 4 bytes of the quoted UDP header: the quote is pointed at the gateway, the rest untouched */
	n = icmp_error(f, rq, ETH_HLEN + IPV4_HLEN + 4);
	g = malloc(n + 8);
	assert_non_null(g);
	memcpy(g, f, n);
	memset(g + n, 0xa5, 8);
	assert_int_equal(nat_dns_slirp_verdict(&m, g, n), NAT_DNS_REWRITE);
	nat_dns_slirp_rewrite(&m, g, n);
	ip = ip_of(g, n);
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	assert_memory_equal(ip.payload + 8, q + ETH_HLEN, IPV4_HLEN + 4);
	for (int i = 0; i < 8; i++)
		assert_int_equal(g[n + i], 0xa5);
	free(g);
	/* RFC 792's minimum, the header and 8 bytes: the guest's own header and UDP header, checksum and all */
	n = icmp_error(f, rq, ETH_HLEN + IPV4_HLEN + UDP_HLEN);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	assert_memory_equal(ip.payload + 8, q + ETH_HLEN, IPV4_HLEN + UDP_HLEN);
	/* a query sent without a UDP checksum is quoted without one */
	qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1);
	memset(q + ETH_HLEN + IPV4_HLEN + 6, 0, 2);
	memcpy(rq, q, qn);
	nat_dns_guest_rewrite(&m, rq, qn);
	n = icmp_error(f, rq, qn);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	assert_memory_equal(ip.payload + 8, q + ETH_HLEN, qn - ETH_HLEN);
}

/* ICMP errors quoting a header with options (IHL 7): cut inside it, left alone; the header whole, pointed at the gateway */
static void test_icmp_error_quoted_options(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t q[200], rq[200], f[400];
	size_t qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1), n;
	struct ipv4_view ip;
	uint32_t quoted_dst;

	(void)state;
	nat_dns_guest_rewrite(&m, q, qn);
	memcpy(rq, q, ETH_HLEN + IPV4_HLEN);
	rq[ETH_HLEN] = 0x47;
	memset(rq + ETH_HLEN + IPV4_HLEN, 1, 8); /* eight NOPs */
	memcpy(rq + ETH_HLEN + 28, q + ETH_HLEN + IPV4_HLEN, qn - ETH_HLEN - IPV4_HLEN);
	n = icmp_error(f, rq, ETH_HLEN + 24);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_PASS);
	n = icmp_error(f, rq, ETH_HLEN + 28);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	memcpy(&quoted_dst, ip.payload + 8 + 16, 4);
	assert_int_equal(quoted_dst, GW);
}

/*
 * A DHCP reply as libslirp would send it: option 53 = @type, a pad (so
 * that option 6 sits at an odd offset), option 6 = {@dns1, @dns2}, option 3.
 */
static size_t dhcp_reply(uint8_t *f, uint8_t type, uint32_t yiaddr, uint32_t dns1, uint32_t dns2)
{
	uint8_t d[300] = { 0 };
	uint32_t magic = htonl(0x63825363u);
	size_t o = 240;

	d[0] = 2;
	d[1] = 1;
	d[2] = 6;
	memcpy(d + 16, &yiaddr, 4);
	memcpy(d + 236, &magic, 4);
	d[o++] = 53;
	d[o++] = 1;
	d[o++] = type;
	d[o++] = 0;
	d[o++] = 6;
	d[o++] = 8;
	memcpy(d + o, &dns1, 4);
	memcpy(d + o + 4, &dns2, 4);
	o += 8;
	d[o++] = 3;
	d[o++] = 4;
	memcpy(d + o, (uint32_t[]){ HIDDEN }, 4); /* not option 6: left alone */
	o += 4;
	d[o] = 255;
	return t_udp_frame(f, bcast, gw_mac, GW, 0xffffffffu, 67, 68, d, sizeof(d), 4);
}

static void test_dhcp_option6_rewritten(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[600];
	size_t n = dhcp_reply(f, 2, GUEST, HIDDEN, t_ip(10, 0, 0, 77));
	struct ipv4_view ip;
	struct udp_view u;
	uint32_t a;

	(void)state;
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_true(u.has_csum);
	memcpy(&a, u.payload + 246, 4);
	assert_int_equal(a, GW);
	memcpy(&a, u.payload + 250, 4);
	assert_int_equal(a, t_ip(10, 0, 0, 77));
	memcpy(&a, u.payload + 256, 4);
	assert_int_equal(a, HIDDEN);
	memcpy(&a, u.payload + 16, 4);
	assert_int_equal(a, GUEST);
	/* the hidden address second in the list is rewritten as well */
	ip = slirp_rewritten(&m, f, dhcp_reply(f, 2, GUEST, t_ip(10, 0, 0, 77), HIDDEN));
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	memcpy(&a, u.payload + 246, 4);
	assert_int_equal(a, t_ip(10, 0, 0, 77));
	memcpy(&a, u.payload + 250, 4);
	assert_int_equal(a, GW);
}

/* An option 6 whose length is no multiple of 4: whole addresses are rewritten, nothing past the option is. */
static void test_dhcp_option6_odd_length(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t d[300] = { 0 }, f[600];
	uint32_t magic = htonl(0x63825363u), hidden = HIDDEN, yiaddr = GUEST, a;
	struct ipv4_view ip;
	struct udp_view u;

	(void)state;
	memcpy(d, (uint8_t[]){ 2, 1, 6 }, 3);
	memcpy(d + 16, &yiaddr, 4);
	memcpy(d + 236, &magic, 4);
	memcpy(d + 240, (uint8_t[]){ 53, 1, 2, 6, 7 }, 5);
	memcpy(d + 245, &hidden, 4);
	memcpy(d + 249, &hidden, 3); /* a cut second address; then the end option, 255 like HIDDEN's last byte */
	d[252] = 255;
	ip = slirp_rewritten(&m, f, t_udp_frame(f, bcast, gw_mac, GW, 0xffffffffu, 67, 68, d, sizeof(d), 4));
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	memcpy(&a, u.payload + 245, 4);
	assert_int_equal(a, GW);
	assert_memory_equal(u.payload + 249, &hidden, 3);
	assert_int_equal(u.payload[252], 255);
}

/* Every second DNS address, so every UDP checksum the recomputation can give (0 included): right, and never "none". */
static void test_dhcp_checksum_exhaustive(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[600];
	struct ipv4_view ip;
	struct udp_view u;

	(void)state;
	for (uint32_t w = 0; w <= 0xffff; w++) {
		size_t n = dhcp_reply(f, 2, GUEST, HIDDEN, htonl(0xc0a80000u | w));

		nat_dns_slirp_rewrite(&m, f, n);
		ip = ip_of(f, n);
		assert_int_equal(udp_parse(&ip, true, &u), 0);
		assert_true(u.has_csum);
	}
}

/* The lease a DHCPACK hands out (a unicast one, to the guest's MAC and address), and the checksum after the rewrite. */
static void test_dhcp_unicast_ack(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[600];
	size_t n = dhcp_reply(f, 5, GUEST, HIDDEN, HIDDEN);
	uint32_t guest = GUEST;
	uint16_t c;
	struct ipv4_view ip;
	struct udp_view u;

	(void)state;
	memcpy(f, guest_mac, 6);
	memcpy(f + ETH_HLEN + 16, &guest, 4);
	memset(f + ETH_HLEN + 10, 0, 2);
	c = csum_fold(csum_add(0, f + ETH_HLEN, IPV4_HLEN));
	memcpy(f + ETH_HLEN + 10, &c, 2);
	memset(f + ETH_HLEN + IPV4_HLEN + 6, 0, 2);
	c = l4_csum_ipv4(GW, GUEST, IPPROTO_UDP, f + ETH_HLEN + IPV4_HLEN, n - ETH_HLEN - IPV4_HLEN);
	memcpy(f + ETH_HLEN + IPV4_HLEN + 6, &c, 2);
	assert_int_equal(nat_dns_lease(&m, f, n), GUEST);
	ip = slirp_rewritten(&m, f, n);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_true(u.has_csum);
	n = dhcp_reply(f, 2, GUEST, HIDDEN, HIDDEN);
	assert_int_equal(nat_dns_lease(&m, f, n), 0); /* an OFFER is no lease */
	n = dhcp_reply(f, 5, HIDDEN, HIDDEN, HIDDEN);
	assert_int_equal(nat_dns_lease(&m, f, n), 0); /* nor an ACK for a non-host address */
}

/* A frame cut inside its IPv4 packet (the total length says more): passed on untouched, nothing read past it. */
static void test_cut_frame_passed(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[200], *h;
	size_t n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1) - 3;

	(void)state;
	h = malloc(n);
	assert_non_null(h);
	memcpy(h, f, n);
	assert_int_equal(nat_dns_guest_verdict(&m, h, n), NAT_DNS_PASS);
	nat_dns_guest_rewrite(&m, h, n);
	assert_memory_equal(h, f, n);
	free(h);
	/* the bytes of a DNS query to the gateway under another ethertype, or another IP version: not IPv4 */
	n = t_udp_frame(f, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1);
	for (int k = 0; k < 2; k++) {
		uint8_t g[200], want[200];

		memcpy(g, f, n);
		if (k == 0)
			g[13] = 0x06; /* ARP */
		else
			g[ETH_HLEN] = 0x65; /* version 6 */
		memcpy(want, g, n);
		assert_int_equal(nat_dns_guest_verdict(&m, g, n), NAT_DNS_PASS);
		nat_dns_guest_rewrite(&m, g, n);
		nat_dns_slirp_rewrite(&m, g, n);
		assert_memory_equal(g, want, n);
	}
}

/* A UDP header cut short in a packet from the gateway's DHCP port: no BOOTP message, nothing read past it. */
static void test_dhcp_cut_udp_header(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[600], *h;
	size_t cut = ETH_HLEN + IPV4_HLEN + 4;
	uint16_t c;

	(void)state;
	dhcp_reply(f, 2, GUEST, HIDDEN, HIDDEN);
	f[ETH_HLEN + 2] = 0;
	f[ETH_HLEN + 3] = IPV4_HLEN + 4;
	memset(f + ETH_HLEN + 10, 0, 2);
	c = csum_fold(csum_add(0, f + ETH_HLEN, IPV4_HLEN));
	memcpy(f + ETH_HLEN + 10, &c, 2);
	h = malloc(cut);
	assert_non_null(h);
	memcpy(h, f, cut);
	assert_int_equal(nat_dns_slirp_verdict(&m, h, cut), NAT_DNS_PASS);
	nat_dns_slirp_rewrite(&m, h, cut);
	assert_memory_equal(h, f, cut);
	free(h);
}

/* The ICMP errors that quote a packet (RFC 792: 3, 4, 5, 11, 12) are pointed back at the gateway; others are not errors. */
static void test_icmp_error_types(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t q[200], rq[200], f[400];
	size_t qn = t_udp_frame(q, gw_mac, guest_mac, GUEST, GW, 33000, 53, "query", 5, 1), n;

	(void)state;
	memcpy(rq, q, qn);
	nat_dns_guest_rewrite(&m, rq, qn);
	for (unsigned type = 0; type < 20; type++) {
		bool error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;

		n = icmp_error(f, rq, qn);
		f[ETH_HLEN + IPV4_HLEN] = (uint8_t)type;
		assert_int_equal(nat_dns_slirp_verdict(&m, f, n), error ? NAT_DNS_REWRITE : NAT_DNS_PASS);
	}
}

/* Option lengths that run past the message are not followed (heap copy: ASan sees any overread). */
static void test_dhcp_options_past_end(void **state)
{
	struct nat_dns_map m = map24();
	uint8_t f[600], *h;
	size_t n = dhcp_reply(f, 2, GUEST, HIDDEN, HIDDEN), pl = ETH_HLEN + IPV4_HLEN + UDP_HLEN;
	uint32_t a;

	(void)state;
	f[pl + 245] = 250; /* option 6 claims 250 bytes; 300 - 246 remain */
	h = malloc(n);
	assert_non_null(h);
	memcpy(h, f, n);
	nat_dns_slirp_verdict(&m, h, n);
	nat_dns_slirp_rewrite(&m, h, n);
	memcpy(&a, h + pl + 246, 4);
	assert_int_equal(a, HIDDEN);
	/* ... and by one to four bytes */
	for (uint8_t l = 55; l <= 58; l++) {
		memcpy(h, f, n);
		h[pl + 245] = l;
		nat_dns_slirp_rewrite(&m, h, n);
		memcpy(&a, h + pl + 246, 4);
		assert_int_equal(a, HIDDEN);
	}
	/* nothing after the end option is read, even right behind a pad */
	memcpy(h, f, n);
	h[pl + 243] = 0;
	h[pl + 244] = 255;
	h[pl + 245] = 2;
	h[pl + 248] = 6;
	h[pl + 249] = 4;
	memcpy(h + pl + 250, (uint32_t[]){ HIDDEN }, 4);
	nat_dns_slirp_rewrite(&m, h, n);
	memcpy(&a, h + pl + 250, 4);
	assert_int_equal(a, HIDDEN);
	/* an option code as the very last byte, its length byte missing */
	memcpy(h, f, n);
	memset(h + pl + 240, 0, 300 - 240);
	h[n - 1] = 6;
	nat_dns_slirp_verdict(&m, h, n);
	nat_dns_slirp_rewrite(&m, h, n);
	assert_int_equal(h[n - 1], 6);
	/* the message cut inside the fixed BOOTP part (before the magic cookie) */
	memcpy(h, f, n);
	assert_int_equal(nat_dns_slirp_verdict(&m, h, pl + 200), NAT_DNS_PASS);
	free(h);
}

static void test_dhcp_non_host_offer_dropped(void **state)
{
	struct nat_dns_map m = map24(), m30;
	uint8_t f[600];
	size_t n;

	(void)state;
	n = dhcp_reply(f, 2, HIDDEN, HIDDEN, HIDDEN);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_DROP);
	n = dhcp_reply(f, 5, t_ip(10, 0, 1, 2), HIDDEN, HIDDEN);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_DROP);
	/* a NAK carries no lease: passed on */
	n = dhcp_reply(f, 6, 0xffffffffu, HIDDEN, HIDDEN);
	assert_int_equal(nat_dns_slirp_verdict(&m, f, n), NAT_DNS_REWRITE);
	/* on a /30 the second lease libslirp hands out is the broadcast address */
	nat_dns_map_init(&m30, t_ip(10, 0, 0, 0), 30);
	n = dhcp_reply(f, 2, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 3), 0);
	assert_int_equal(nat_dns_slirp_verdict(&m30, f, n), NAT_DNS_REWRITE);
	n = dhcp_reply(f, 2, t_ip(10, 0, 0, 3), t_ip(10, 0, 0, 3), 0);
	assert_int_equal(nat_dns_slirp_verdict(&m30, f, n), NAT_DNS_DROP);
}

/* ---- end to end: libslirp relays DNS at the gateway to the resolver of /etc/resolv.conf ---- */

static bool in_netns;
static char skip_why[160];

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * A private user+mount+network namespace with lo up and a resolver at
 * 127.0.0.53 in /etc/resolv.conf: not the host loopback address (127.0.0.1)
 * the gateway maps to, so only the relay reaches it.
 */
static bool enter_netns(void)
{
	char map[64], conf[] = "/tmp/indynet-resolv.XXXXXX";
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, s;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) < 0) {
		snprintf(skip_why, sizeof(skip_why), "unshare: %s", strerror(errno));
		return false;
	}
	snprintf(map, sizeof(map), "0 %u 1", uid);
	write_file("/proc/self/setgroups", "deny");
	if (write_file("/proc/self/uid_map", map) < 0)
		return false;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	write_file("/proc/self/gid_map", map);
	fd = mkstemp(conf);
	if (fd < 0 || write(fd, "nameserver 127.0.0.53\n", 22) != 22)
		return false;
	close(fd);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0) {
		snprintf(skip_why, sizeof(skip_why), "bind-mount resolv.conf: %s", strerror(errno));
		unlink(conf);
		return false;
	}
	unlink(conf);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return false;
	close(s);
	return true;
}

static int resolver_socket(int type)
{
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(53),
				 .sin_addr.s_addr = htonl(0x7f000035) }; /* 127.0.0.53 */

	assert_true(s >= 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(s, 4), 0);
	return s;
}

struct l4_match {
	uint8_t proto;
	uint32_t src;
	uint16_t sport, dport;
};

/* an IPv4 frame for the guest with valid checksums from @src:@sport to @dport */
static int match_l4(const uint8_t *f, size_t len, void *arg)
{
	struct l4_match *m = arg;
	struct eth_view eth;
	struct ipv4_view ip;
	uint16_t p[2];

	if (eth_parse(f, len, &eth) || eth.ethertype != ETHERTYPE_IPV4 ||
	    ipv4_parse(eth.payload, eth.payload_len, &ip) || ip.proto != m->proto || ip.payload_len < UDP_HLEN ||
	    ip.src != m->src || l4_csum_ipv4(ip.src, ip.dst, ip.proto, ip.payload, ip.payload_len) != 0)
		return 0;
	memcpy(p, ip.payload, 4);
	return ntohs(p[0]) == m->sport && ntohs(p[1]) == m->dport;
}

static int match_icmp_unreach(const uint8_t *f, size_t len, void *arg)
{
	(void)arg;
	return len > ETH_HLEN + IPV4_HLEN + 8 && f[12] == 0x08 && f[13] == 0 && f[ETH_HLEN + 9] == IPPROTO_ICMP &&
	       f[ETH_HLEN + IPV4_HLEN] == 3;
}

static void test_udp_dns_at_gateway(void **state)
{
	static const uint8_t gw[6] = { 0x52, 0x55, 192, 168, 0, 1 };
	struct l4_match m = { .proto = IPPROTO_UDP, .src = t_ip(192, 168, 0, 1), .sport = 53, .dport = 33001 };
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint8_t f[200], r[2048];
	char buf[64];
	indynet_engine *e;
	int s;
	size_t n;

	(void)state;
	if (!in_netns)
		skip();
	s = resolver_socket(SOCK_DGRAM);
	e = t_start_nat(NULL);
	t_guest_arp(e);
	n = t_udp_frame(f, gw, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 33001, 53, "dns-query", 9, 5);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_int_equal(poll(&(struct pollfd){ .fd = s, .events = POLLIN }, 1, 2000), 1);
	assert_int_equal(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 9);
	assert_memory_equal(buf, "dns-query", 9);
	assert_int_equal(sendto(s, "dns-answer", 10, 0, (struct sockaddr *)&from, fl), 10);
	n = t_wait_frame(e, r, sizeof(r), 2000, match_l4, &m);
	assert_int_equal(n, ETH_HLEN + IPV4_HLEN + UDP_HLEN + 10);
	assert_memory_equal(r + n - 10, "dns-answer", 10);
	indynet_engine_free(e);
	close(s);
}

static void test_tcp_dns_at_gateway(void **state)
{
	static const uint8_t gw[6] = { 0x52, 0x55, 192, 168, 0, 1 };
	struct l4_match m = { .proto = IPPROTO_TCP, .src = t_ip(192, 168, 0, 1), .sport = 53, .dport = 40001 };
	uint8_t f[200], r[2048];
	indynet_engine *e;
	int s, c;
	size_t n;

	(void)state;
	if (!in_netns)
		skip();
	s = resolver_socket(SOCK_STREAM);
	e = t_start_nat(NULL);
	t_guest_arp(e);
	n = tcp_frame(f, gw, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 40001, 53, 0x02, "", 0);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_int_equal(poll(&(struct pollfd){ .fd = s, .events = POLLIN }, 1, 2000), 1);
	c = accept(s, NULL, NULL);
	assert_true(c >= 0);
	/* the SYN-ACK comes from the gateway, never from the hidden address */
	n = t_wait_frame(e, r, sizeof(r), 2000, match_l4, &m);
	assert_true(n > 0);
	assert_int_equal(r[ETH_HLEN + IPV4_HLEN + 13], 0x12);
	indynet_engine_free(e);
	close(c);
	close(s);
}

/*
 * The resolver is unreachable (no route in the namespace): libslirp's
 * network unreachable quotes the query, which reads as sent to the gateway.
 * Runs last: it points /etc/resolv.conf elsewhere for good.
 */
static void test_dns_unreachable_quotes_gateway(void **state)
{
	static const uint8_t gw[6] = { 0x52, 0x55, 192, 168, 0, 1 };
	uint8_t f[200], r[2048];
	struct eth_view eth;
	struct ipv4_view ip;
	indynet_engine *e;
	size_t n;
	int fd;

	(void)state;
	if (!in_netns)
		skip();
	fd = open("/etc/resolv.conf", O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "nameserver 10.9.9.9\n", 20), 20);
	close(fd);
	usleep(1100 * 1000); /* libslirp looks at resolv.conf again after a second */
	e = t_start_nat(NULL);
	t_guest_arp(e);
	n = t_udp_frame(f, gw, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 33003, 53, "nobody", 6, 7);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	n = t_wait_frame(e, r, sizeof(r), 2000, match_icmp_unreach, NULL);
	assert_true(n > 0);
	assert_int_equal(eth_parse(r, n, &eth), 0);
	assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
	assert_int_equal(ip.src, t_ip(192, 168, 0, 1));
	assert_int_equal(csum_fold(csum_add(0, ip.payload, ip.payload_len)), 0);
	/* the quoted packet is the guest's own, to the gateway, checksums and all */
	assert_true(ip.payload_len >= 8 + IPV4_HLEN + UDP_HLEN + 6);
	assert_memory_equal(ip.payload + 8, f + ETH_HLEN, IPV4_HLEN + UDP_HLEN + 6);
	indynet_engine_free(e);
}

static void test_hidden_address_dropped(void **state)
{
	uint8_t f[200];
	struct indynet_stats st;
	indynet_engine *e;
	int s;
	size_t n;

	(void)state;
	if (!in_netns)
		skip();
	s = resolver_socket(SOCK_DGRAM);
	e = t_start_nat(NULL);
	n = t_udp_frame(f, bcast, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 255), 33002, 53, "q", 1, 6);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_int_equal(poll(&(struct pollfd){ .fd = s, .events = POLLIN }, 1, 300), 0);
	indynet_engine_stop(e);
	indynet_stats_get(e, &st);
	assert_int_equal(st.drops[INDYNET_DROP_NO_SERVICE], 1);
	indynet_engine_free(e);
	close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_guest_udp_dns_rewritten),
		cmocka_unit_test(test_guest_tcp_dns_rewritten),
		cmocka_unit_test(test_guest_verdicts),
		cmocka_unit_test(test_slirp_reply_from_hidden),
		cmocka_unit_test(test_dhcp_option6_rewritten),
		cmocka_unit_test(test_dhcp_option6_odd_length),
		cmocka_unit_test(test_icmp_error_quotes_gateway),
		cmocka_unit_test(test_icmp_error_outer_source),
		cmocka_unit_test(test_rewrite_checksums_exhaustive),
		cmocka_unit_test(test_slirp_fragment_from_hidden),
		cmocka_unit_test(test_icmp_error_odd_quotes),
		cmocka_unit_test(test_icmp_error_quoted_options),
		cmocka_unit_test(test_dhcp_non_host_offer_dropped),
		cmocka_unit_test(test_dhcp_options_past_end),
		cmocka_unit_test(test_dhcp_checksum_exhaustive),
		cmocka_unit_test(test_dhcp_cut_udp_header),
		cmocka_unit_test(test_dhcp_unicast_ack),
		cmocka_unit_test(test_cut_frame_passed),
		cmocka_unit_test(test_icmp_error_types),
		cmocka_unit_test(test_udp_dns_at_gateway),
		cmocka_unit_test(test_tcp_dns_at_gateway),
		cmocka_unit_test(test_hidden_address_dropped),
		cmocka_unit_test(test_dns_unreachable_quotes_gateway),
	};

	in_netns = enter_netns();
	if (!in_netns)
		fprintf(stderr, "test_nat_dns: end-to-end tests skipped (%s)\n",
			skip_why[0] ? skip_why : "no private network namespace");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
