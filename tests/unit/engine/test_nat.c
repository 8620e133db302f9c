/* SPDX-License-Identifier: MIT */
/* test_nat.c: NAT mode on real libslirp: DHCP (DNS at the gateway), subnet change, UDP to host loopback, forwards. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/checksum.h"
#include "core/eth.h"
#include "core/frag.h"
#include "core/icmp.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct dhcp_match {
	uint32_t xid;
	int type;
	uint32_t yiaddr;
	uint32_t dns; /* first address of option 6, 0 = none */
	uint8_t src_mac[6];
};

/* the first address of option 6 in a DHCP reply frame already accepted by t_dhcp_reply() */
static uint32_t dhcp_dns(const uint8_t *f, size_t len)
{
	const uint8_t *o = f + ETH_HLEN + IPV4_HLEN + UDP_HLEN + 240, *end = f + len;
	uint32_t a = 0;

	while (o + 2 <= end && o[0] != 255) {
		if (o[0] == 0) {
			o++;
			continue;
		}
		if (o[0] == 6 && o[1] >= 4 && o + 6 <= end) {
			memcpy(&a, o + 2, 4);
			break;
		}
		o += 2 + o[1];
	}
	return a;
}

static int match_dhcp(const uint8_t *f, size_t len, void *arg)
{
	struct dhcp_match *m = arg;

	m->type = t_dhcp_reply(f, len, m->xid, &m->yiaddr);
	if (m->type) {
		m->dns = dhcp_dns(f, len);
		memcpy(m->src_mac, f + 6, 6);
	}
	return m->type != 0;
}

/* send the DHCP message @f (transaction @xid); the reply type (0 = none within @ms) */
static int dhcp_send_wait(indynet_engine *e, const uint8_t *f, size_t n, uint32_t xid, struct dhcp_match *m, int ms)
{
	uint8_t r[2048];

	*m = (struct dhcp_match){ .xid = xid };
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	if (!t_wait_frame(e, r, sizeof(r), ms, match_dhcp, m))
		return 0;
	return m->type;
}

/* send one DHCP message from @mac; the reply type (0 = none within @ms) */
static int dhcp_exchange_mac(indynet_engine *e, const uint8_t mac[6], uint8_t type, uint32_t xid, uint32_t req_ip,
			     uint32_t server, struct dhcp_match *m, int ms)
{
	uint8_t f[600];
	size_t n = t_dhcp_frame(f, mac, type, xid, req_ip, server);

	return dhcp_send_wait(e, f, n, xid, m, ms);
}

/* a unicast renewal (REQUEST from @ciaddr to the server @srv at @srv_mac); the reply type (0 = none within 2 s) */
static int dhcp_renew(indynet_engine *e, uint32_t xid, uint32_t ciaddr, uint32_t srv, const uint8_t srv_mac[6],
		      struct dhcp_match *m)
{
	uint8_t f[600];
	size_t n = t_dhcp_frame_to(f, guest_mac, DHCP_REQUEST, xid, 0, 0, ciaddr, srv, srv_mac);

	return dhcp_send_wait(e, f, n, xid, m, 2000);
}

/* send one DHCP message and return the reply type (0 = none within 2 s) */
static int dhcp_exchange(indynet_engine *e, uint8_t type, uint32_t xid, uint32_t req_ip, uint32_t server,
			 uint32_t *yiaddr)
{
	struct dhcp_match m;
	int rc = dhcp_exchange_mac(e, guest_mac, type, xid, req_ip, server, &m, 2000);

	if (rc)
		*yiaddr = m.yiaddr;
	return rc;
}

/* DISCOVER (@xid) is offered @want; REQUEST (@xid + 1) of it from server @srv is ACKed: the address ACKed */
static uint32_t dhcp_lease(indynet_engine *e, uint32_t xid, uint32_t srv, uint32_t want)
{
	uint32_t yi = 0;

	assert_int_equal(dhcp_exchange(e, DHCP_DISCOVER, xid, 0, 0, &yi), DHCP_OFFER);
	assert_int_equal(yi, want);
	assert_int_equal(dhcp_exchange(e, DHCP_REQUEST, xid + 1, yi, srv, &yi), DHCP_ACK);
	return yi;
}

static void test_dhcp_offer_and_ack(void **state)
{
	indynet_engine *e = t_start_nat(NULL);

	(void)state;
	assert_int_equal(dhcp_lease(e, 0x1234, t_ip(192, 168, 0, 1), t_ip(192, 168, 0, 2)), t_ip(192, 168, 0, 2));
	indynet_engine_free(e);
}

/* DNS is at the gateway: OFFER and ACK name it in option 6 */
static void test_dhcp_dns_is_gateway(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	struct dhcp_match m;

	(void)state;
	assert_int_equal(dhcp_exchange_mac(e, guest_mac, DHCP_DISCOVER, 0x301, 0, 0, &m, 2000), DHCP_OFFER);
	assert_int_equal(m.dns, t_ip(192, 168, 0, 1));
	assert_int_equal(dhcp_exchange_mac(e, guest_mac, DHCP_REQUEST, 0x302, m.yiaddr, t_ip(192, 168, 0, 1), &m,
					   2000),
			 DHCP_ACK);
	assert_int_equal(m.yiaddr, t_ip(192, 168, 0, 2));
	assert_int_equal(m.dns, t_ip(192, 168, 0, 1));
	indynet_engine_free(e);
}

/* no address is reserved for DNS: guests get .2, .3, .4 */
static void test_dhcp_more_guests(void **state)
{
	static const uint8_t mac2[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x56 };
	static const uint8_t mac3[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x57 };
	indynet_engine *e = t_start_nat(NULL);
	struct dhcp_match m;

	(void)state;
	assert_int_equal(dhcp_exchange_mac(e, guest_mac, DHCP_DISCOVER, 0x311, 0, 0, &m, 2000), DHCP_OFFER);
	assert_int_equal(m.yiaddr, t_ip(192, 168, 0, 2));
	assert_int_equal(dhcp_exchange_mac(e, mac2, DHCP_DISCOVER, 0x312, 0, 0, &m, 2000), DHCP_OFFER);
	assert_int_equal(m.yiaddr, t_ip(192, 168, 0, 3));
	assert_int_equal(m.dns, t_ip(192, 168, 0, 1));
	assert_int_equal(dhcp_exchange_mac(e, mac3, DHCP_DISCOVER, 0x313, 0, 0, &m, 2000), DHCP_OFFER);
	assert_int_equal(m.yiaddr, t_ip(192, 168, 0, 4));
	assert_int_equal(dhcp_exchange_mac(e, mac3, DHCP_REQUEST, 0x314, m.yiaddr, t_ip(192, 168, 0, 1), &m, 2000),
			 DHCP_ACK);
	assert_int_equal(m.yiaddr, t_ip(192, 168, 0, 4));
	indynet_engine_free(e);
}

/* a /30 has room for the gateway (also DNS) and one guest; a second guest gets nothing */
static void test_dhcp_slash30(void **state)
{
	static const uint8_t mac2[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x56 };
	indynet_engine *e = t_start_nat("10.40.0.8/30");
	struct dhcp_match m;
	struct indynet_stats st;

	(void)state;
	assert_int_equal(dhcp_exchange_mac(e, guest_mac, DHCP_DISCOVER, 0x321, 0, 0, &m, 2000), DHCP_OFFER);
	assert_int_equal(m.yiaddr, t_ip(10, 40, 0, 10));
	assert_int_equal(m.dns, t_ip(10, 40, 0, 9));
	assert_int_equal(dhcp_exchange_mac(e, guest_mac, DHCP_REQUEST, 0x322, m.yiaddr, t_ip(10, 40, 0, 9), &m, 2000),
			 DHCP_ACK);
	assert_int_equal(m.dns, t_ip(10, 40, 0, 9));
	/* libslirp would offer 10.40.0.11, the broadcast address */
	assert_int_equal(dhcp_exchange_mac(e, mac2, DHCP_DISCOVER, 0x323, 0, 0, &m, 500), 0);
	indynet_engine_stop(e);
	indynet_stats_get(e, &st);
	assert_int_equal(st.drops[INDYNET_DROP_BACKEND], 1);
	indynet_engine_free(e);
}

static void test_subnet_change_then_dhcp(void **state)
{
	indynet_engine *e = t_start_nat("10.0.2.0/24");
	uint32_t yi = 0;
	char err[256] = "";

	(void)state;
	dhcp_lease(e, 0x100, t_ip(10, 0, 2, 1), t_ip(10, 0, 2, 2));

	assert_int_equal(indynet_set_nat_subnet(e, "172.20.0.4/24", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "172.20.0.4/24 is not the network address for /24 (did you mean 172.20.0.0/24?)");
	assert_int_equal(indynet_set_nat_subnet(e, "172.20.0.0/16", err, sizeof(err)), 0);

	/* the guest asks to keep its old address: refused, so it starts over */
	assert_int_equal(dhcp_exchange(e, DHCP_REQUEST, 0x102, t_ip(10, 0, 2, 2), 0, &yi), DHCP_NAK);
	assert_int_equal(dhcp_lease(e, 0x103, t_ip(172, 20, 0, 1), t_ip(172, 20, 0, 2)), t_ip(172, 20, 0, 2));
	indynet_engine_free(e);
}

/* a unicast renewal to the old gateway gets a NAK from it; and back again */
static void test_subnet_change_naks_unicast_renewal(void **state)
{
	indynet_engine *e = t_start_nat("10.0.2.0/24");
	static const uint8_t old_gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 1 };
	struct dhcp_match m;
	char err[256] = "";
	uint32_t yi = 0;

	(void)state;
	assert_int_equal(dhcp_exchange(e, DHCP_DISCOVER, 0x1ff, 0, 0, &yi), DHCP_OFFER);
	/* before any change, a renewal is libslirp's: ACK */
	assert_int_equal(dhcp_renew(e, 0x1fe, t_ip(10, 0, 2, 2), t_ip(10, 0, 2, 1), old_gw_mac, &m), DHCP_ACK);

	assert_int_equal(indynet_set_nat_subnet(e, "10.0.3.0/24", err, sizeof(err)), 0);
	assert_int_equal(dhcp_renew(e, 0x200, t_ip(10, 0, 2, 2), t_ip(10, 0, 2, 1), old_gw_mac, &m), DHCP_NAK);
	assert_memory_equal(m.src_mac, old_gw_mac, 6);
	assert_int_equal(dhcp_exchange(e, DHCP_DISCOVER, 0x201, 0, 0, &yi), DHCP_OFFER);
	assert_int_equal(yi, t_ip(10, 0, 3, 2));

	/* back to the first subnet: its gateway is libslirp's again, 10.0.3.1 now NAKs */
	assert_int_equal(indynet_set_nat_subnet(e, "10.0.2.0/24", err, sizeof(err)), 0);
	dhcp_lease(e, 0x202, t_ip(10, 0, 2, 1), t_ip(10, 0, 2, 2));
	assert_int_equal(dhcp_renew(e, 0x204, t_ip(10, 0, 3, 2), t_ip(10, 0, 3, 1), old_gw_mac, &m), DHCP_NAK);
	indynet_engine_free(e);
}

struct udp_match {
	uint16_t sport, dport;
	uint32_t src;
	const char *payload;
};

/* a UDP datagram to the guest's m->dport with m->payload; its headers in @ip and @u */
static bool udp_to_guest(const uint8_t *f, size_t len, const struct udp_match *m, struct ipv4_view *ip,
			 struct udp_view *u)
{
	struct eth_view eth;

	return eth_parse(f, len, &eth) == 0 && eth.ethertype == ETHERTYPE_IPV4 &&
	       ipv4_parse(eth.payload, eth.payload_len, ip) == 0 && ip->proto == IPPROTO_UDP &&
	       udp_parse(ip, true, u) == 0 && ip->dst == t_ip(192, 168, 0, 2) && u->dport == m->dport &&
	       u->payload_len == strlen(m->payload) && memcmp(u->payload, m->payload, u->payload_len) == 0;
}

/* udp_to_guest(), from m->src:m->sport */
static int match_udp(const uint8_t *f, size_t len, void *arg)
{
	struct udp_match *m = arg;
	struct ipv4_view ip;
	struct udp_view u;

	return udp_to_guest(f, len, m, &ip, &u) && ip.src == m->src && u.sport == m->sport;
}

/* udp_to_guest(), whatever its source */
static int match_udp_dport(const uint8_t *f, size_t len, void *arg)
{
	struct ipv4_view ip;
	struct udp_view u;

	return udp_to_guest(f, len, arg, &ip, &u);
}

static int udp_socket(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return s;
}

static void test_udp_echo_to_host_loopback(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port;
	int s = udp_socket(&port);
	uint8_t f[256], r[2048];
	char buf[64];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct udp_match m = { .sport = port, .dport = 4000, .src = t_ip(192, 168, 0, 1), .payload = "hello, host" };
	size_t n;
	ssize_t got;

	(void)state;
	t_guest_arp(e);
	n = t_udp_frame(f, bcast, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 4000, port, "hello, host", 11,
			7);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_int_equal(poll(&p, 1, 2000), 1);
	got = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	assert_int_equal(got, 11);
	assert_memory_equal(buf, "hello, host", 11);
	assert_int_equal(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* echo it: it comes back to the guest from the gateway's address */
	assert_int_equal(sendto(s, buf, (size_t)got, 0, (struct sockaddr *)&from, fl), got);
	assert_true(t_wait_frame(e, r, sizeof(r), 2000, match_udp, &m) > 0);
	close(s);
	indynet_engine_free(e);
}

struct frag_send {
	indynet_engine *e;
	unsigned n;
	bool overlap; /* move the second fragment 8 bytes back, over the first */
};

/* frag_emit_fn: send one fragment as a guest frame */
static void send_fragment(void *opaque, const uint8_t *pkt, size_t len)
{
	static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };
	struct frag_send *fs = opaque;
	uint8_t f[1600];

	assert_true(len <= sizeof(f) - ETH_HLEN);
	eth_build(f, gw_mac, guest_mac, ETHERTYPE_IPV4);
	memcpy(f + ETH_HLEN, pkt, len);
	if (fs->overlap && fs->n == 1) {
		uint16_t off = (uint16_t)((f[ETH_HLEN + 6] << 8 | f[ETH_HLEN + 7]) - 1), c;

		f[ETH_HLEN + 6] = (uint8_t)(off >> 8);
		f[ETH_HLEN + 7] = (uint8_t)off;
		memset(f + ETH_HLEN + 10, 0, 2);
		c = ipv4_header_csum(f + ETH_HLEN, IPV4_HLEN);
		memcpy(f + ETH_HLEN + 10, &c, 2);
	}
	assert_int_equal(indynet_guest_send(fs->e, f, ETH_HLEN + len), 0);
	fs->n++;
}

/* a guest datagram sent in fragments reaches libslirp reassembled, and the host whole */
static void test_fragmented_datagram_to_host(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	static uint8_t f[ETH_HLEN + IPV4_HLEN + UDP_HLEN + 4000], got[8000];
	uint8_t data[4000];
	struct frag_send fs = { .e = e };
	struct pollfd p;
	struct indynet_stats st;
	uint16_t port;
	int s = udp_socket(&port);
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 1);
	t_guest_arp(e);
	n = t_udp_frame(f, bcast, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 4002, port, data,
			sizeof(data), 0x4444);
	assert_int_equal(frag_ipv4(f + ETH_HLEN, n - ETH_HLEN, 1500, send_fragment, &fs), 3);
	assert_int_equal(fs.n, 3);
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(recv(s, got, sizeof(got), 0), sizeof(data));
	assert_memory_equal(got, data, sizeof(data));
	indynet_stats_get(e, &st);
	for (unsigned i = 0; i < INDYNET_DROP__COUNT; i++)
		assert_int_equal(st.drops[i], 0);

	/* overlapping fragments: our reassembler drops the datagram (libslirp's would not) */
	fs = (struct frag_send){ .e = e, .overlap = true };
	n = t_udp_frame(f, bcast, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 4002, port, data,
			sizeof(data), 0x4445);
	assert_int_equal(frag_ipv4(f + ETH_HLEN, n - ETH_HLEN, 1500, send_fragment, &fs), 3);
	assert_int_equal(poll(&p, 1, 300), 0);
	indynet_engine_stop(e);
	indynet_stats_get(e, &st);
	assert_int_equal(st.drops[INDYNET_DROP_FRAG_OVERLAP], 1);
	close(s);
	indynet_engine_free(e);
}

static int match_udp_or_fragment_to_guest(const uint8_t *f, size_t len, void *arg)
{
	struct eth_view eth;
	struct ipv4_view ip;

	(void)arg;
	return eth_parse(f, len, &eth) == 0 && eth.ethertype == ETHERTYPE_IPV4 &&
	       ipv4_parse(eth.payload, eth.payload_len, &ip) == 0 && ip.proto == IPPROTO_UDP &&
	       ip.dst == t_ip(192, 168, 0, 2);
}

/* a 4000-byte answer from the host reaches the guest in frames no larger than the MTU */
static void big_reply_frames(unsigned mtu, unsigned want_frames)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;
	uint16_t port;
	int s = udp_socket(&port);
	uint8_t f[256], r[16384], big[4000];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pollfd p = { .fd = s, .events = POLLIN };
	size_t n, total = 0;
	unsigned frames = 0;

	indynet_config_init(&cfg);
	cfg.mtu = mtu;
	assert_int_equal(indynet_engine_new(&cfg, &e, NULL, 0), 0);
	assert_int_equal(indynet_engine_start(e), 0);
	t_guest_arp(e);
	n = t_udp_frame(f, bcast, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 4001, port, "?", 1, 8);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(recvfrom(s, big, sizeof(big), 0, (struct sockaddr *)&from, &fl), 1);
	memset(big, 0x5c, sizeof(big));
	assert_int_equal(sendto(s, big, sizeof(big), 0, (struct sockaddr *)&from, fl), sizeof(big));
	while (total < UDP_HLEN + sizeof(big) &&
	       (n = t_wait_frame(e, r, sizeof(r), 2000, match_udp_or_fragment_to_guest, NULL)) > 0) {
		assert_true(n <= ETH_HLEN + mtu);
		total += n - ETH_HLEN - IPV4_HLEN;
		frames++;
	}
	assert_int_equal(total, UDP_HLEN + sizeof(big));
	assert_int_equal(frames, want_frames);
	close(s);
	indynet_engine_free(e);
}

static void test_mtu_reaches_libslirp(void **state)
{
	(void)state;
	big_reply_frames(1500, 3);
	big_reply_frames(9000, 1);
}

struct echo_match {
	uint16_t id, seq;
};

static int match_echo_reply(const uint8_t *f, size_t len, void *arg)
{
	struct echo_match *m = arg;
	struct eth_view eth;
	struct ipv4_view ip;
	struct icmp_view ic;

	return eth_parse(f, len, &eth) == 0 && eth.ethertype == ETHERTYPE_IPV4 &&
	       ipv4_parse(eth.payload, eth.payload_len, &ip) == 0 && ip.proto == IPPROTO_ICMP &&
	       ip.src == t_ip(192, 168, 0, 1) && ip.dst == t_ip(192, 168, 0, 2) &&
	       icmp_parse(ip.payload, ip.payload_len, true, &ic) == 0 && ic.type == ICMP_ECHO_REPLY &&
	       ic.id == m->id && ic.seq == m->seq && ic.payload_len == 32;
}

static void test_ping_gateway(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };
	uint8_t f[128], r[2048], *ip = f + ETH_HLEN, *ic = ip + IPV4_HLEN;
	struct echo_match m = { .id = 0x77, .seq = 3 };
	uint16_t c;

	(void)state;
	t_guest_arp(e);
	eth_build(f, gw_mac, guest_mac, ETHERTYPE_IPV4);
	memset(ic, 0, ICMP_HLEN);
	ic[0] = ICMP_ECHO_REQUEST;
	ic[4] = 0;
	ic[5] = 0x77;
	ic[7] = 3;
	memset(ic + ICMP_HLEN, 0xab, 32);
	c = csum_fold(csum_add(0, ic, ICMP_HLEN + 32));
	memcpy(ic + 2, &c, 2);
	assert_int_equal(ipv4_build(ip, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), IPPROTO_ICMP, 1, ICMP_HLEN + 32),
			 IPV4_HLEN);
	assert_int_equal(indynet_guest_send(e, f, ETH_HLEN + IPV4_HLEN + ICMP_HLEN + 32), 0);
	assert_true(t_wait_frame(e, r, sizeof(r), 2000, match_echo_reply, &m) > 0);
	indynet_engine_free(e);
}

static uint16_t free_tcp_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	return ntohs(a.sin_port);
}

/* connect to 127.0.0.1:@port; 0 or -errno */
static int tcp_connect(uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int rc = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : -errno;

	close(s);
	return rc;
}

static void test_forward_add_remove_live(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_tcp_port();
	struct indynet_forward fw = { .udp = false, .host_port = port, .guest_port = 80 }, other = fw;
	struct indynet_forward list[4];
	char err[256] = "";

	(void)state;
	assert_int_equal(tcp_connect(port), -ECONNREFUSED);
	assert_int_equal(indynet_forward_add(e, &fw, err, sizeof(err)), 0);
	assert_int_equal(tcp_connect(port), 0);
	assert_int_equal(indynet_forward_add(e, &fw, err, sizeof(err)), -EEXIST);
	assert_int_equal(indynet_forward_list(e, list, 4), 1);
	assert_int_equal(list[0].host_port, port);
	assert_int_equal(list[0].guest_port, 80);
	assert_int_equal(indynet_forward_list(e, NULL, 0), 1);

	/* kept across a subnet change */
	assert_int_equal(indynet_set_nat_subnet(e, "10.9.0.0/24", err, sizeof(err)), 0);
	assert_int_equal(indynet_forward_list(e, NULL, 0), 1);
	assert_int_equal(tcp_connect(port), 0);

	/* a removal names the whole forward: another guest port is another forward */
	other.guest_port = 81;
	assert_int_equal(indynet_forward_remove(e, &other), -ENOENT);
	other = (struct indynet_forward){ .host_port = port, .guest_port = 80, .any = true };
	assert_int_equal(indynet_forward_remove(e, &other), -ENOENT);
	assert_int_equal(tcp_connect(port), 0);

	assert_int_equal(indynet_forward_remove(e, &fw), 0);
	assert_int_equal(tcp_connect(port), -ECONNREFUSED);
	assert_int_equal(indynet_forward_remove(e, &fw), -ENOENT);
	assert_int_equal(indynet_forward_list(e, NULL, 0), 0);
	indynet_engine_free(e);
}

static void test_forward_port_in_use(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port;
	int s = udp_socket(&port);
	struct indynet_forward fw = { .udp = true, .host_port = port, .guest_port = 53 };
	char err[256] = "", want[128];

	(void)state;
	assert_int_equal(indynet_forward_add(e, &fw, err, sizeof(err)), -EADDRINUSE);
	snprintf(want, sizeof(want), "forward 'udp:%u:53': host port %u is in use", port, port);
	assert_string_equal(err, want);
	assert_int_equal(indynet_forward_list(e, NULL, 0), 0);
	close(s);
	indynet_engine_free(e);
}

static void test_udp_forward_reaches_guest(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port;
	int s = udp_socket(&port), c;
	struct indynet_forward fw = { .udp = true, .guest_port = 5353 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t r[2048];
	char err[256] = "";
	struct udp_match m = { .dport = 5353, .payload = "query" };
	struct eth_view eth;
	struct ipv4_view ip;
	struct udp_view u;
	size_t n;

	(void)state;
	close(s); /* a port that is free now */
	fw.host_port = port;
	t_guest_arp(e);
	assert_int_equal(indynet_forward_add(e, &fw, err, sizeof(err)), 0);
	c = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons(port);
	assert_int_equal(sendto(c, "query", 5, 0, (struct sockaddr *)&a, sizeof(a)), 5);
	/* source address and port are libslirp's choice: match on dport and payload */
	n = t_wait_frame(e, r, sizeof(r), 2000, match_udp_dport, &m);
	assert_true(n > 0);
	assert_int_equal(eth_parse(r, n, &eth), 0);
	assert_memory_equal(eth.dst, guest_mac, 6);
	assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.dport, 5353);
	assert_memory_equal(u.payload, "query", 5);
	close(c);
	indynet_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp_offer_and_ack),
		cmocka_unit_test(test_dhcp_dns_is_gateway),
		cmocka_unit_test(test_dhcp_more_guests),
		cmocka_unit_test(test_dhcp_slash30),
		cmocka_unit_test(test_subnet_change_then_dhcp),
		cmocka_unit_test(test_subnet_change_naks_unicast_renewal),
		cmocka_unit_test(test_udp_echo_to_host_loopback),
		cmocka_unit_test(test_ping_gateway),
		cmocka_unit_test(test_mtu_reaches_libslirp),
		cmocka_unit_test(test_fragmented_datagram_to_host),
		cmocka_unit_test(test_forward_add_remove_live),
		cmocka_unit_test(test_forward_port_in_use),
		cmocka_unit_test(test_udp_forward_reaches_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
