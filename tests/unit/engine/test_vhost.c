/* SPDX-License-Identifier: MIT */
/* test_vhost.c: virtual hosts: ARP answers, UDP demux, fragmented requests and replies, guest reassembly. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/arp.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/frag.h"
#include "core/icmp.h"
#include "core/ipv4.h"
#include "core/reasm.h"
#include "core/tcp.h"
#include "core/udp.h"
#include "engine/vhost.h"
#include "engine/vtcp.h"
#include "engine_test.h"

#define MAXF 64

struct cap {
	uint8_t *f[MAXF];
	size_t len[MAXF];
	unsigned n;
};

struct fx {
	struct vhost_table *vt;
	struct cap guest, backend;
	unsigned calls;
	uint32_t last_src, last_dst;
	uint16_t last_sport, last_dport;
	size_t last_len;
	uint8_t last_data[8000];
	size_t reply_len;
};

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t host_mac[6] = { 0x52, 0x55, 10, 0, 0, 1 };

static void cap_add(struct cap *c, const uint8_t *f, size_t len)
{
	assert_true(c->n < MAXF);
	c->f[c->n] = malloc(len);
	memcpy(c->f[c->n], f, len);
	c->len[c->n++] = len;
}

static void cap_clear(struct cap *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->f[i]);
	c->n = 0;
}

static void to_guest(void *opaque, const uint8_t *f, size_t len)
{
	cap_add(&((struct fx *)opaque)->guest, f, len);
}

static void to_backend(void *opaque, const uint8_t *f, size_t len)
{
	cap_add(&((struct fx *)opaque)->backend, f, len);
}

/* service: records the call, answers reply_len bytes of a pattern */
static size_t svc(void *opaque, uint32_t src_ip, uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
		  const uint8_t *data, size_t len, uint8_t *reply, size_t cap)
{
	struct fx *x = opaque;

	x->last_dst = dst_ip;
	x->calls++;
	x->last_src = src_ip;
	x->last_sport = src_port;
	x->last_dport = dst_port;
	x->last_len = len;
	assert_true(len <= sizeof(x->last_data));
	memcpy(x->last_data, data, len);
	assert_true(x->reply_len <= cap);
	for (size_t i = 0; i < x->reply_len; i++)
		reply[i] = (uint8_t)(i * 7 + 3);
	return x->reply_len;
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	x->vt = vhost_new(1500, to_guest, to_backend, x);
	assert_non_null(x->vt);
	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_add_udp(x->vt, t_ip(10, 0, 0, 1), 2049, svc, x), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	cap_clear(&x->guest);
	cap_clear(&x->backend);
	vhost_free(x->vt);
	free(x);
	return 0;
}

/* a stream service that takes everything; its connection is @x, whose calls count the closes */
static void *tcp_open(void *opaque, uint32_t id, const struct vhost_dgram *ends)
{
	(void)id;
	(void)ends;
	return opaque;
}

static size_t tcp_recv(void *conn, const uint8_t *data, size_t len)
{
	(void)conn;
	(void)data;
	return len;
}

static void tcp_close(void *conn)
{
	((struct fx *)conn)->calls++;
}

static const struct vtcp_ops tcp_ops = { .open = tcp_open, .recv = tcp_recv, .close = tcp_close };

/* A guest's TCP connection to a virtual host is idle from its last segment, not from the clock's zero. */
static void test_tcp_idle_from_last_segment(void **state)
{
	struct fx *x = *state;
	const uint64_t t0 = 100ull * VTCP_IDLE_MS;
	const struct tcp_seg s = { .sport = 801, .dport = 2049, .seq = 1000, .flags = TCP_SYN, .win = 65535 };
	uint8_t f[ETH_HLEN + IPV4_HLEN + TCP_HLEN_MSS] = { 0 };
	size_t hlen = tcp_hlen(&s);
	struct vtcp_stats st;

	assert_int_equal(vhost_add_tcp(x->vt, t_ip(10, 0, 0, 1), 2049, &tcp_ops, x), 0);
	memcpy(f, host_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	tcp_build(f + ETH_HLEN + IPV4_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), &s, 0);
	ipv4_build(f + ETH_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), IPPROTO_TCP, 1, hlen);
	assert_true(vhost_input(x->vt, f, ETH_HLEN + IPV4_HLEN + hlen, t0));
	assert_int_equal(x->guest.n, 1); /* the SYN-ACK, to the guest's MAC from the host's */
	assert_memory_equal(x->guest.f[0], guest_mac, 6);
	assert_memory_equal(x->guest.f[0] + 6, host_mac, 6);
	vhost_tick(x->vt, t0 + 1000);
	vtcp_stats(vhost_tcp(x->vt), &st);
	assert_int_equal(st.conns, 1);
	assert_int_equal(st.timeouts, 0);
	assert_int_equal(x->calls, 0);
}

/* A TCP packet too short to name its port is not the virtual host's: it goes on, to the backend's own checks. */
static void test_tcp_too_short_passed_on(void **state)
{
	struct fx *x = *state;
	uint8_t f[ETH_HLEN + IPV4_HLEN + 2] = { 0 };

	assert_int_equal(vhost_add_tcp(x->vt, t_ip(10, 0, 0, 1), 2049, &tcp_ops, x), 0);
	memcpy(f, host_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	ipv4_build(f + ETH_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), IPPROTO_TCP, 1, 2);
	f[ETH_HLEN + IPV4_HLEN + 1] = 111; /* what there is of a source port */
	assert_false(vhost_input(x->vt, f, sizeof(f), 0));
	assert_int_equal(x->guest.n, 0);
}

/* TCP for a served port: a bad checksum is dropped as malformed, a cut header as truncated; neither is answered. */
static void test_bad_checksum_and_truncated_tcp(void **state)
{
	struct fx *x = *state;
	const struct tcp_seg s = { .sport = 801, .dport = 2049, .seq = 1000, .flags = TCP_SYN, .win = 65535 };
	uint8_t f[ETH_HLEN + IPV4_HLEN + TCP_HLEN_MSS] = { 0 };
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	size_t hlen = tcp_hlen(&s);

	assert_int_equal(vhost_add_tcp(x->vt, t_ip(10, 0, 0, 1), 2049, &tcp_ops, x), 0);
	memcpy(f, host_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	tcp_build(f + ETH_HLEN + IPV4_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), &s, 0);
	f[ETH_HLEN + IPV4_HLEN + 7] ^= 0x40; /* the sequence number: the checksum is now wrong */
	ipv4_build(f + ETH_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), IPPROTO_TCP, 1, hlen);
	for (int i = 0; i < 2; i++)
		assert_true(vhost_input(x->vt, f, ETH_HLEN + IPV4_HLEN + hlen, 0));
	ipv4_build(f + ETH_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), IPPROTO_TCP, 2, 10);
	assert_true(vhost_input(x->vt, f, ETH_HLEN + IPV4_HLEN + 10, 0));
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_MALFORMED], 2);
	assert_int_equal(d[INDYNET_DROP_TRUNCATED], 1);
	assert_int_equal(x->guest.n, 0);
}

static void test_registration(void **state)
{
	struct fx *x = *state;

	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ARP), -EEXIST);
	assert_int_equal(vhost_add_udp(x->vt, t_ip(10, 0, 0, 1), 2049, svc, x), -EEXIST);
	assert_int_equal(vhost_add_udp(x->vt, t_ip(10, 0, 0, 9), 2049, svc, x), -ENOENT);
	assert_int_equal(vhost_set_host_ip(x->vt, t_ip(10, 0, 0, 9), t_ip(10, 0, 0, 8), NULL), -ENOENT);
}

static void test_arp_answer(void **state)
{
	struct fx *x = *state;
	uint8_t f[64];
	size_t n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1));
	struct eth_view eth;
	struct arp_view a;

	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 1);
	assert_int_equal(x->backend.n, 0);
	assert_int_equal(eth_parse(x->guest.f[0], x->guest.len[0], &eth), 0);
	assert_memory_equal(eth.dst, guest_mac, 6);
	assert_memory_equal(eth.src, host_mac, 6);
	assert_int_equal(eth.ethertype, ETHERTYPE_ARP);
	assert_int_equal(arp_parse(eth.payload, eth.payload_len, &a), 0);
	assert_int_equal(a.op, ARP_OP_REPLY);
	assert_memory_equal(a.sha, host_mac, 6);
	assert_int_equal(a.spa, t_ip(10, 0, 0, 1));
	assert_memory_equal(a.tha, guest_mac, 6);
	assert_int_equal(a.tpa, t_ip(10, 0, 0, 2));

	/* the reply goes to the frame's source MAC even when the ARP sender differs */
	n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1));
	f[6 + 5] ^= 0x01;
	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 2);
	assert_int_equal(eth_parse(x->guest.f[1], x->guest.len[1], &eth), 0);
	assert_memory_equal(eth.dst, f + 6, 6);
	assert_int_equal(arp_parse(eth.payload, eth.payload_len, &a), 0);
	assert_memory_equal(a.tha, guest_mac, 6);
	cap_clear(&x->guest);

	/* ARP for an address that is not ours is not consumed */
	n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 7));
	assert_false(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 0);
}

static void test_arp_left_to_backend(void **state)
{
	uint8_t f[64];
	struct fx *x = *state;
	size_t n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 5));

	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 5), host_mac, 0), 0);
	assert_false(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 0);
}

/* build a UDP datagram of @len payload bytes and cut it into frames at @mtu */
struct frag_out {
	uint8_t *f[MAXF];
	size_t len[MAXF];
	unsigned n;
};

static void frag_collect(void *opaque, const uint8_t *pkt, size_t len)
{
	struct frag_out *o = opaque;

	o->f[o->n] = malloc(ETH_HLEN + len);
	eth_build(o->f[o->n], host_mac, guest_mac, ETHERTYPE_IPV4);
	memcpy(o->f[o->n] + ETH_HLEN, pkt, len);
	o->len[o->n++] = ETH_HLEN + len;
}

static void make_frags_to(struct frag_out *o, uint32_t dst, uint16_t dport, const uint8_t *data, size_t len,
			  uint16_t id)
{
	uint8_t *frame = malloc(ETH_HLEN + 65535);
	size_t n = t_udp_frame(frame, host_mac, guest_mac, t_ip(10, 0, 0, 2), dst, 1023, dport, data, len, id);

	o->n = 0;
	assert_true(frag_ipv4(frame + ETH_HLEN, n - ETH_HLEN, 1500, frag_collect, o) > 1);
	free(frame);
}

static void make_frags(struct frag_out *o, uint16_t dport, const uint8_t *data, size_t len, uint16_t id)
{
	make_frags_to(o, t_ip(10, 0, 0, 1), dport, data, len, id);
}

static void frags_free(struct frag_out *o)
{
	for (unsigned i = 0; i < o->n; i++)
		free(o->f[i]);
	o->n = 0;
}

static void test_udp_fragmented_request_big_reply(void **state)
{
	struct fx *x = *state;
	uint8_t req[4000];
	struct frag_out o;
	struct reasm *ra = reasm_new();
	const uint8_t *whole = NULL;
	size_t whole_len = 0;
	struct ipv4_view ip;
	struct udp_view u;

	for (size_t i = 0; i < sizeof(req); i++)
		req[i] = (uint8_t)(i ^ 0x5a);
	make_frags(&o, 2049, req, sizeof(req), 77);
	assert_int_equal(o.n, 3);
	x->reply_len = 6000;
	for (unsigned i = 0; i < o.n; i++) {
		assert_true(vhost_input(x->vt, o.f[i], o.len[i], 100));
		assert_int_equal(x->calls, i + 1 == o.n ? 1 : 0);
	}
	assert_int_equal(x->last_src, t_ip(10, 0, 0, 2));
	assert_int_equal(x->last_dst, t_ip(10, 0, 0, 1));
	assert_int_equal(x->last_sport, 1023);
	assert_int_equal(x->last_dport, 2049);
	assert_int_equal(x->last_len, sizeof(req));
	assert_memory_equal(x->last_data, req, sizeof(req));
	assert_int_equal(x->backend.n, 0);

	/* 6008 UDP bytes at MTU 1500: 1480 per fragment -> 5 frames */
	assert_int_equal(x->guest.n, 5);
	for (unsigned i = 0; i < x->guest.n; i++) {
		struct eth_view eth;
		enum reasm_result r;

		assert_true(x->guest.len[i] <= ETH_HLEN + 1500);
		assert_int_equal(eth_parse(x->guest.f[i], x->guest.len[i], &eth), 0);
		assert_memory_equal(eth.dst, guest_mac, 6);
		assert_memory_equal(eth.src, host_mac, 6);
		r = reasm_input(ra, eth.payload, eth.payload_len, 0, &whole, &whole_len);
		assert_int_equal(r, i + 1 == x->guest.n ? REASM_COMPLETE : REASM_HELD);
	}
	assert_int_equal(ipv4_parse(whole, whole_len, &ip), 0);
	assert_int_equal(ip.src, t_ip(10, 0, 0, 1));
	assert_int_equal(ip.dst, t_ip(10, 0, 0, 2));
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.sport, 2049);
	assert_int_equal(u.dport, 1023);
	assert_int_equal(u.payload_len, 6000);
	for (size_t i = 0; i < 6000; i++)
		assert_int_equal(u.payload[i], (uint8_t)(i * 7 + 3));
	reasm_free(ra);
	frags_free(&o);
}

static void test_small_request_and_no_reply(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	size_t n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 2049, "ping", 4, 1);

	x->reply_len = 0;
	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->calls, 1);
	assert_int_equal(x->guest.n, 0);
	x->reply_len = 100;
	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->calls, 2);
	assert_int_equal(x->guest.n, 1);
	assert_int_equal(x->guest.len[0], ETH_HLEN + IPV4_HLEN + UDP_HLEN + 100);
	{
		struct eth_view eth;
		struct ipv4_view ip;
		struct udp_view u;

		assert_int_equal(eth_parse(x->guest.f[0], x->guest.len[0], &eth), 0);
		assert_memory_equal(eth.dst, guest_mac, 6);
		assert_memory_equal(eth.src, host_mac, 6);
		assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
		assert_false(ipv4_is_fragment(&ip));
		assert_int_equal(udp_parse(&ip, true, &u), 0);
		assert_true(u.has_csum);
		assert_int_equal(u.sport, 2049);
		assert_int_equal(u.dport, 700);
		for (size_t i = 0; i < 100; i++)
			assert_int_equal(u.payload[i], (uint8_t)(i * 7 + 3));
	}
}

/* A closed port (--nfs-transport): a UDP datagram is consumed unanswered, a SYN refused with RST; neither reaches the backend. */
static void test_closed_port(void **state)
{
	struct fx *x = *state;
	const struct tcp_seg s = { .sport = 801, .dport = 111, .seq = 1000, .flags = TCP_SYN, .win = 65535 };
	uint8_t f[ETH_HLEN + IPV4_HLEN + TCP_HLEN_MSS] = { 0 };
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	size_t n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 111, "x", 1, 1);
	struct ipv4_view ip;
	struct tcp_view t;
	struct vtcp_stats st;

	assert_int_equal(vhost_add_closed(x->vt, t_ip(10, 0, 0, 1), IPPROTO_UDP, 111), 0);
	assert_int_equal(vhost_add_closed(x->vt, t_ip(10, 0, 0, 1), IPPROTO_TCP, 111), 0);
	assert_int_equal(vhost_add_closed(x->vt, t_ip(10, 0, 0, 1), IPPROTO_ICMP, 111), -EINVAL);
	assert_true(vhost_input(x->vt, f, n, 0));
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_NO_SERVICE], 1);
	assert_int_equal(x->guest.n + x->backend.n, 0);
	tcp_build(f + ETH_HLEN + IPV4_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), &s, 0);
	ipv4_build(f + ETH_HLEN, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), IPPROTO_TCP, 2, tcp_hlen(&s));
	assert_true(vhost_input(x->vt, f, ETH_HLEN + IPV4_HLEN + tcp_hlen(&s), 0));
	assert_int_equal(x->backend.n, 0);
	assert_int_equal(x->guest.n, 1);
	assert_int_equal(ipv4_parse(x->guest.f[0] + ETH_HLEN, x->guest.len[0] - ETH_HLEN, &ip), 0);
	assert_int_equal(tcp_parse(&ip, &t), 0);
	assert_int_equal(t.flags, TCP_RST | TCP_ACK);
	assert_int_equal(t.ack, 1001);
	vtcp_stats(vhost_tcp(x->vt), &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.conns, 0);
}

static void test_unserved_port_not_consumed(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	size_t n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 53, "dns", 3, 1);

	assert_false(vhost_input(x->vt, f, n, 0));
	n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 8), 700, 2049, "x", 1, 1);
	assert_false(vhost_input(x->vt, f, n, 0)); /* another address */
	assert_int_equal(x->calls, 0);
	assert_int_equal(x->guest.n + x->backend.n, 0);
}

/* the backend got exactly one frame: the whole UDP datagram from 10.0.0.2:1023 to @dst:@dport */
static void assert_whole_datagram(struct fx *x, uint32_t dst, uint16_t dport, const uint8_t *data, size_t len)
{
	struct eth_view eth;
	struct ipv4_view ip;
	struct udp_view u;

	assert_int_equal(x->backend.n, 1);
	assert_int_equal(x->backend.len[0], ETH_HLEN + IPV4_HLEN + UDP_HLEN + len);
	assert_int_equal(eth_parse(x->backend.f[0], x->backend.len[0], &eth), 0);
	assert_memory_equal(eth.dst, host_mac, 6);
	assert_memory_equal(eth.src, guest_mac, 6);
	assert_int_equal(eth.ethertype, ETHERTYPE_IPV4);
	assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
	assert_false(ipv4_is_fragment(&ip));
	assert_int_equal(ip.src, t_ip(10, 0, 0, 2));
	assert_int_equal(ip.dst, dst);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.sport, 1023);
	assert_int_equal(u.dport, dport);
	assert_int_equal(u.payload_len, len);
	assert_memory_equal(u.payload, data, len);
}

static void test_unserved_port_fragments_go_whole(void **state)
{
	struct fx *x = *state;
	uint8_t data[3000];
	struct frag_out o;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	make_frags(&o, 5000, data, sizeof(data), 99);
	/* deliver out of order: last first */
	assert_true(vhost_input(x->vt, o.f[2], o.len[2], 0));
	assert_true(vhost_input(x->vt, o.f[0], o.len[0], 0));
	assert_int_equal(x->backend.n, 0);
	assert_true(vhost_input(x->vt, o.f[1], o.len[1], 0));
	assert_int_equal(x->calls, 0);
	assert_int_equal(x->guest.n, 0);
	assert_whole_datagram(x, t_ip(10, 0, 0, 1), 5000, data, sizeof(data));
	frags_free(&o);
}

/* fragments to any address are reassembled here, even in a table without hosts */
static void test_fragments_elsewhere_go_whole(void **state)
{
	struct fx *x = *state;
	struct vhost_table *served = x->vt;
	uint8_t data[4000];
	struct frag_out o;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x33);
	make_frags_to(&o, t_ip(10, 0, 0, 77), 2049, data, sizeof(data), 7);
	for (unsigned i = 0; i < o.n; i++)
		assert_true(vhost_input(x->vt, o.f[i], o.len[i], 0));
	assert_int_equal(x->calls, 0);
	assert_whole_datagram(x, t_ip(10, 0, 0, 77), 2049, data, sizeof(data));
	cap_clear(&x->backend);

	x->vt = vhost_new(1500, to_guest, to_backend, x);
	for (unsigned i = 0; i < o.n; i++)
		assert_true(vhost_input(x->vt, o.f[i], o.len[i], 0));
	assert_whole_datagram(x, t_ip(10, 0, 0, 77), 2049, data, sizeof(data));
	vhost_free(x->vt);
	x->vt = served;
	frags_free(&o);
}

static void test_no_backend_counts_no_service(void **state)
{
	struct vhost_table *vt = vhost_new(1500, to_guest, NULL, *state);
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	uint8_t data[2000] = { 0 };
	struct frag_out o;

	assert_int_equal(vhost_add_host(vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ARP), 0);
	make_frags(&o, 6000, data, sizeof(data), 5);
	for (unsigned i = 0; i < o.n; i++)
		assert_true(vhost_input(vt, o.f[i], o.len[i], 0));
	vhost_counters(vt, d);
	assert_int_equal(d[INDYNET_DROP_NO_SERVICE], 1);
	frags_free(&o);
	vhost_free(vt);
}

static void test_bad_checksum_and_truncated_udp(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	size_t n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 2049, "abcd", 4, 1);

	f[n - 1] ^= 0xff; /* payload byte: UDP checksum now wrong */
	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->calls, 0);
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_MALFORMED], 1);
	/* to a port nobody serves the backend judges it, checksum and all */
	n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 53, "abcd", 4, 2);
	f[n - 1] ^= 0xff;
	assert_false(vhost_input(x->vt, f, n, 0));
}

static void test_fragment_ageout_counted(void **state)
{
	struct fx *x = *state;
	uint8_t data[3000] = { 0 };
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	struct frag_out o;

	make_frags(&o, 2049, data, sizeof(data), 11);
	assert_true(vhost_input(x->vt, o.f[0], o.len[0], 1000));
	vhost_tick(x->vt, 1000 + 4000);
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_FRAG_TIMEOUT], 0);
	vhost_tick(x->vt, 1000 + 6000);
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_FRAG_TIMEOUT], 1);
	assert_int_equal(x->calls, 0);
	frags_free(&o);
}

static void test_move_host(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	static const uint8_t new_mac[6] = { 0x52, 0x55, 10, 9, 0, 1 };
	size_t n;
	struct eth_view eth;

	assert_int_equal(vhost_set_host_ip(x->vt, t_ip(10, 0, 0, 1), t_ip(10, 9, 0, 1), new_mac), 0);
	n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 2049, "x", 1, 1);
	assert_false(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->calls, 0);
	n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 9, 0, 2), t_ip(10, 9, 0, 1), 700, 2049, "x", 1, 1);
	assert_true(vhost_input(x->vt, f, n, 0)); /* the service moved along */
	assert_int_equal(x->calls, 1);
	assert_int_equal(x->last_dst, t_ip(10, 9, 0, 1));
	cap_clear(&x->guest);
	n = t_arp_request(f, guest_mac, t_ip(10, 9, 0, 2), t_ip(10, 9, 0, 1));
	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(eth_parse(x->guest.f[0], x->guest.len[0], &eth), 0);
	assert_memory_equal(eth.src, new_mac, 6);
}

static void test_remove_host(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	size_t n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 2049, "x", 1, 1);

	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 5), host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_remove_host(x->vt, t_ip(10, 0, 0, 1)), 0);
	assert_int_equal(vhost_remove_host(x->vt, t_ip(10, 0, 0, 1)), -ENOENT);
	assert_false(vhost_input(x->vt, f, n, 0)); /* service gone with its host */
	assert_int_equal(x->calls, 0);
	n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 5));
	assert_true(vhost_input(x->vt, f, n, 0)); /* the other host stays */
	/* the address can be used again */
	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_add_udp(x->vt, t_ip(10, 0, 0, 1), 2049, svc, x), 0);
}

static void test_garbage_not_consumed(void **state)
{
	struct fx *x = *state;
	uint8_t f[60] = { 0 };

	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08; /* IPv4 ethertype, zero header: invalid */
	assert_false(vhost_input(x->vt, f, sizeof(f), 0));
	assert_false(vhost_input(x->vt, f, 10, 0));
	f[12] = 0x86;
	f[13] = 0xdd; /* IPv6 */
	assert_false(vhost_input(x->vt, f, sizeof(f), 0));
	assert_int_equal(x->guest.n + x->backend.n, 0);
}

/* an ICMP echo request of @len data bytes from the guest (10.0.0.2) to @dst, as one IPv4 packet in @buf */
static size_t echo_frame(uint8_t *buf, uint32_t dst, size_t len, uint16_t id, uint16_t seq)
{
	uint8_t *msg = buf + ETH_HLEN + IPV4_HLEN;
	uint16_t sum;

	eth_build(buf, host_mac, guest_mac, ETHERTYPE_IPV4);
	memset(msg, 0, ICMP_HLEN);
	msg[0] = ICMP_ECHO_REQUEST;
	msg[4] = (uint8_t)(id >> 8);
	msg[5] = (uint8_t)id;
	msg[6] = (uint8_t)(seq >> 8);
	msg[7] = (uint8_t)seq;
	for (size_t i = 0; i < len; i++)
		msg[ICMP_HLEN + i] = (uint8_t)(i * 3 + 1);
	sum = csum_fold(csum_add(0, msg, ICMP_HLEN + len));
	memcpy(msg + 2, &sum, 2);
	assert_int_equal(ipv4_build(buf + ETH_HLEN, t_ip(10, 0, 0, 2), dst, IPPROTO_ICMP, 4242, ICMP_HLEN + len),
			 IPV4_HLEN);
	return ETH_HLEN + IPV4_HLEN + ICMP_HLEN + len;
}

/* the guest frames reassemble into an echo reply from 10.0.0.1 with @len pattern bytes, id 7, seq 9 */
static void assert_echo_reply(struct fx *x, size_t len)
{
	struct reasm *ra = reasm_new();
	const uint8_t *whole = NULL;
	size_t whole_len = 0;
	struct ipv4_view ip;
	struct icmp_view v;

	for (unsigned i = 0; i < x->guest.n; i++) {
		struct eth_view eth;

		assert_true(x->guest.len[i] <= ETH_HLEN + 1500);
		assert_int_equal(eth_parse(x->guest.f[i], x->guest.len[i], &eth), 0);
		assert_memory_equal(eth.dst, guest_mac, 6);
		assert_memory_equal(eth.src, host_mac, 6);
		assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
		if (!ipv4_is_fragment(&ip)) {
			whole = eth.payload;
			whole_len = eth.payload_len;
		} else {
			reasm_input(ra, eth.payload, eth.payload_len, 0, &whole, &whole_len);
		}
	}
	assert_non_null(whole);
	assert_int_equal(ipv4_parse(whole, whole_len, &ip), 0);
	assert_int_equal(ip.src, t_ip(10, 0, 0, 1));
	assert_int_equal(ip.dst, t_ip(10, 0, 0, 2));
	assert_int_equal(ip.proto, IPPROTO_ICMP);
	assert_int_equal(icmp_parse(ip.payload, ip.payload_len, true, &v), 0);
	assert_int_equal(v.type, ICMP_ECHO_REPLY);
	assert_int_equal(v.id, 7);
	assert_int_equal(v.seq, 9);
	assert_int_equal(v.payload_len, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(v.payload[i], (uint8_t)(i * 3 + 1));
	reasm_free(ra);
}

static void test_ping_answered_when_asked(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	size_t n = echo_frame(f, t_ip(10, 0, 0, 1), 56, 7, 9);
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };

	/* a NAT gateway host (ARP only) leaves ping to the backend */
	assert_false(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 0);
	assert_int_equal(vhost_remove_host(x->vt, t_ip(10, 0, 0, 1)), 0);
	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ARP | VHOST_ANSWER_ICMP), 0);
	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 1);
	assert_int_equal(x->guest.len[0], n);
	assert_echo_reply(x, 56);
	/* a bad checksum is dropped and counted, an echo reply (not a request) is not ours */
	f[n - 1] ^= 0x40;
	assert_true(vhost_input(x->vt, f, n, 0));
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_MALFORMED], 1);
	n = echo_frame(f, t_ip(10, 0, 0, 1), 8, 7, 9);
	f[ETH_HLEN + IPV4_HLEN] = ICMP_ECHO_REPLY;
	f[ETH_HLEN + IPV4_HLEN + 2] = f[ETH_HLEN + IPV4_HLEN + 3] = 0;
	assert_false(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 1);
}

static void test_fragmented_ping_answered_fragmented(void **state)
{
	struct fx *x = *state;
	uint8_t *f = malloc(ETH_HLEN + 8000);
	size_t n = echo_frame(f, t_ip(10, 0, 0, 1), 5000, 7, 9);
	struct frag_out o = { .n = 0 };

	vhost_set_bridged(x->vt, true);
	assert_int_equal(vhost_remove_host(x->vt, t_ip(10, 0, 0, 1)), 0);
	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ICMP), 0);
	assert_true(frag_ipv4(f + ETH_HLEN, n - ETH_HLEN, 1500, frag_collect, &o) == 4);
	for (unsigned i = 0; i < o.n; i++)
		assert_true(vhost_input(x->vt, o.f[i], o.len[i], 0));
	assert_int_equal(x->backend.n, 0);
	assert_int_equal(x->guest.n, 4);
	assert_echo_reply(x, 5000);
	frags_free(&o);
	free(f);
}

/* bridged: fragments for other addresses pass untouched; the table holds none of them */
static void test_bridged_foreign_fragments_pass(void **state)
{
	struct fx *x = *state;
	uint8_t data[3000] = { 0 };
	struct frag_out o;

	vhost_set_bridged(x->vt, true);
	make_frags_to(&o, t_ip(10, 0, 0, 77), 2049, data, sizeof(data), 3);
	for (unsigned i = 0; i < o.n; i++)
		assert_false(vhost_input(x->vt, o.f[i], o.len[i], 0));
	assert_int_equal(x->guest.n + x->backend.n, 0);
	frags_free(&o);
}

/* bridged: an incomplete datagram for a virtual host never leaves; a served one is answered */
static void test_bridged_host_fragments_held(void **state)
{
	struct fx *x = *state;
	uint8_t data[3000];
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	struct frag_out o;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 5);
	vhost_set_bridged(x->vt, true);
	make_frags(&o, 2049, data, sizeof(data), 21);
	assert_true(vhost_input(x->vt, o.f[0], o.len[0], 1000));
	assert_true(vhost_input(x->vt, o.f[2], o.len[2], 1000));
	vhost_tick(x->vt, 1000 + 6000);
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_FRAG_TIMEOUT], 1);
	assert_int_equal(x->guest.n + x->backend.n, 0);
	assert_int_equal(x->calls, 0);
	x->reply_len = 10;
	for (unsigned i = 0; i < o.n; i++)
		assert_true(vhost_input(x->vt, o.f[i], o.len[i], 8000));
	assert_int_equal(x->calls, 1);
	assert_int_equal(x->last_len, sizeof(data));
	assert_memory_equal(x->last_data, data, sizeof(data));
	assert_int_equal(x->backend.n, 0);
	frags_free(&o);
}

/* bridged: a reassembled datagram for a virtual host that no service takes is bridged, cut to the MTU */
static void test_bridged_unserved_refragmented(void **state)
{
	struct fx *x = *state;
	uint8_t data[4000];
	struct frag_out o;
	struct reasm *ra = reasm_new();
	const uint8_t *whole = NULL;
	size_t whole_len = 0;
	struct ipv4_view ip;
	struct udp_view u;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 11);
	vhost_set_bridged(x->vt, true);
	make_frags(&o, 5000, data, sizeof(data), 31);
	for (unsigned i = 0; i < o.n; i++)
		assert_true(vhost_input(x->vt, o.f[i], o.len[i], 0));
	assert_int_equal(x->calls, 0);
	assert_int_equal(x->backend.n, 3);
	for (unsigned i = 0; i < x->backend.n; i++) {
		struct eth_view eth;

		assert_true(x->backend.len[i] <= ETH_HLEN + 1500);
		assert_int_equal(eth_parse(x->backend.f[i], x->backend.len[i], &eth), 0);
		assert_memory_equal(eth.dst, host_mac, 6);
		assert_memory_equal(eth.src, guest_mac, 6);
		reasm_input(ra, eth.payload, eth.payload_len, 0, &whole, &whole_len);
	}
	assert_int_equal(ipv4_parse(whole, whole_len, &ip), 0);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.dport, 5000);
	assert_int_equal(u.payload_len, sizeof(data));
	assert_memory_equal(u.payload, data, sizeof(data));
	reasm_free(ra);
	frags_free(&o);
	{
		uint64_t d[INDYNET_DROP__COUNT] = { 0 };

		vhost_counters(x->vt, d);
		assert_int_equal(d[INDYNET_DROP_OVERSIZED], 0); /* cut, not dropped */
	}
}

/* a UDP datagram of 1 byte from the guest (10.0.0.2:700) to @dst:@port; true when consumed */
static bool udp_to(struct fx *x, uint32_t dst, uint16_t port)
{
	uint8_t f[200];
	uint32_t guest = (dst & htonl(0xffffff00u)) | htonl(2);
	size_t n = t_udp_frame(f, host_mac, guest_mac, guest, dst, 700, port, "x", 1, 1);

	return vhost_input(x->vt, f, n, 0);
}

/* Several hosts and services: each answers on its own, and moves or goes with its host only. */
static void test_services_of_several_hosts(void **state)
{
	struct fx *x = *state;
	const uint32_t a = t_ip(10, 0, 0, 1), b = t_ip(10, 0, 0, 5), b2 = t_ip(10, 0, 0, 6);

	assert_int_equal(vhost_add_host(x->vt, b, host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_add_udp(x->vt, b, 111, svc, x), 0);
	assert_int_equal(vhost_add_udp(x->vt, b, 2049, svc, x), 0);
	assert_true(udp_to(x, b, 111));
	assert_int_equal(x->last_dport, 111);
	assert_true(udp_to(x, b, 2049));
	assert_int_equal(x->last_dst, b);
	assert_false(udp_to(x, a, 111));
	/* an address in use is not taken over; a host's own address is no change */
	assert_int_equal(vhost_set_host_ip(x->vt, a, b, NULL), -EEXIST);
	assert_int_equal(vhost_set_host_ip(x->vt, a, a, NULL), 0);
	assert_true(udp_to(x, a, 2049));
	assert_int_equal(x->last_dst, a);
	/* both services of b move with it */
	assert_int_equal(vhost_set_host_ip(x->vt, b, b2, NULL), 0);
	assert_false(udp_to(x, b, 111));
	assert_true(udp_to(x, b2, 111));
	assert_true(udp_to(x, b2, 2049));
	assert_int_equal(x->last_dst, b2);
	/* removing a keeps b's services */
	assert_int_equal(vhost_remove_host(x->vt, a), 0);
	assert_false(udp_to(x, a, 2049));
	assert_true(udp_to(x, b2, 111));
	assert_true(udp_to(x, b2, 2049));
	assert_int_equal(x->calls, 7);
}

/* A host's services go with it and stay gone when the address comes back; the others stay. */
static void test_services_gone_with_their_host(void **state)
{
	struct fx *x = *state;
	const uint32_t a = t_ip(10, 0, 0, 1), b = t_ip(10, 0, 0, 5), c = t_ip(10, 0, 0, 7), d = t_ip(10, 0, 0, 8);

	assert_int_equal(vhost_add_host(x->vt, b, host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_add_udp(x->vt, b, 111, svc, x), 0);
	assert_int_equal(vhost_add_udp(x->vt, b, 2049, svc, x), 0);
	assert_int_equal(vhost_add_host(x->vt, c, host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_add_udp(x->vt, c, 53, svc, x), 0);
	assert_int_equal(vhost_add_udp(x->vt, c, 54, svc, x), 0);
	assert_int_equal(vhost_add_host(x->vt, d, host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_remove_host(x->vt, c), 0);
	assert_int_equal(vhost_remove_host(x->vt, d), 0);
	assert_int_equal(vhost_remove_host(x->vt, b), 0);
	assert_int_equal(vhost_add_host(x->vt, b, host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_add_host(x->vt, c, host_mac, VHOST_ANSWER_ARP), 0);
	assert_false(udp_to(x, c, 53));
	assert_false(udp_to(x, c, 54));
	assert_false(udp_to(x, b, 111));
	assert_false(udp_to(x, b, 2049));
	assert_true(udp_to(x, a, 2049));
	assert_int_equal(x->calls, 1);
	/* hosts that come and go never fill the table */
	for (unsigned i = 0; i < 2 * VHOST_MAX_HOSTS; i++) {
		assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 1, 1), host_mac, VHOST_ANSWER_ARP), 0);
		assert_int_equal(vhost_remove_host(x->vt, t_ip(10, 0, 1, 1)), 0);
	}
	assert_true(udp_to(x, a, 2049));
	vhost_free(NULL);
}

/* A late answer (vhost_reply_udp) reaches the guest and says so; one for an unknown host or too big does not. */
static void test_late_reply(void **state)
{
	struct fx *x = *state;
	const struct vhost_dgram to = { .mac = T_GUEST_MAC, .src_ip = t_ip(10, 0, 0, 2), .dst_ip = t_ip(10, 0, 0, 1),
					.sport = 700, .dport = 2049 };
	struct vhost_dgram bad = to;
	static uint8_t big[IPV4_MAX_LEN];

	assert_int_equal(vhost_reply_udp(x->vt, &to, (const uint8_t *)"late", 4), 0);
	assert_int_equal(x->guest.n, 1);
	assert_int_equal(x->guest.len[0], ETH_HLEN + IPV4_HLEN + UDP_HLEN + 4);
	bad.dst_ip = t_ip(10, 0, 0, 9);
	assert_int_equal(vhost_reply_udp(x->vt, &bad, (const uint8_t *)"late", 4), -ENOENT);
	assert_int_equal(vhost_reply_udp(x->vt, &to, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(x->guest.n, 1);
}

/* A UDP header that does not parse, to a host: not ours to judge, the backend gets it. */
static void test_bad_udp_to_host_not_consumed(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	size_t n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 2049, "x", 1, 1);

	f[ETH_HLEN + IPV4_HLEN + 4] = 0x40; /* UDP length 16384: past the packet */
	assert_false(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->calls, 0);
}

/* At an MTU too small to cut a reply to (below IPv4's minimum), the reply is dropped and counted. */
static void test_reply_uncuttable(void **state)
{
	struct fx *x = *state;
	struct vhost_table *vt = vhost_new(24, to_guest, to_backend, x);
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	uint8_t f[200];
	size_t n = t_udp_frame(f, host_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 700, 2049, "x", 1, 1);

	assert_non_null(vt);
	assert_int_equal(vhost_add_host(vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ARP), 0);
	assert_int_equal(vhost_add_udp(vt, t_ip(10, 0, 0, 1), 2049, svc, x), 0);
	x->reply_len = 100;
	assert_true(vhost_input(vt, f, n, 0));
	assert_int_equal(x->calls, 1);
	assert_int_equal(x->guest.n, 0);
	vhost_counters(vt, d);
	assert_int_equal(d[INDYNET_DROP_OVERSIZED], 1);
	vhost_free(vt);
}

/* A reply of exactly the MTU leaves as one frame; one byte more is cut in two. */
static void test_reply_exactly_mtu(void **state)
{
	struct fx *x = *state;
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };

	x->reply_len = 1500 - IPV4_HLEN - UDP_HLEN;
	assert_true(udp_to(x, t_ip(10, 0, 0, 1), 2049));
	assert_int_equal(x->guest.n, 1);
	assert_int_equal(x->guest.len[0], ETH_HLEN + 1500);
	x->reply_len++;
	assert_true(udp_to(x, t_ip(10, 0, 0, 1), 2049));
	assert_int_equal(x->guest.n, 3);
	vhost_counters(x->vt, d);
	assert_int_equal(d[INDYNET_DROP_OVERSIZED], 0);
}

/* a service that fills its whole buffer and then claims one byte more */
static size_t svc_overrun(void *opaque, uint32_t src_ip, uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
			  const uint8_t *data, size_t len, uint8_t *reply, size_t cap)
{
	(void)opaque;
	(void)src_ip;
	(void)src_port;
	(void)dst_ip;
	(void)dst_port;
	(void)data;
	(void)len;
	memset(reply, 0x5a, cap);
	return cap + 1;
}

/* A service overrunning its buffer gets the largest datagram there is, never more. */
static void test_service_overrun_clamped(void **state)
{
	struct fx *x = *state;
	struct reasm *ra = reasm_new();
	const uint8_t *whole = NULL;
	size_t whole_len = 0;
	struct ipv4_view ip;
	struct udp_view u;

	assert_int_equal(vhost_add_udp(x->vt, t_ip(10, 0, 0, 1), 7, svc_overrun, x), 0);
	assert_true(udp_to(x, t_ip(10, 0, 0, 1), 7));
	assert_true(x->guest.n > 1);
	for (unsigned i = 0; i < x->guest.n; i++) {
		assert_true(x->guest.len[i] <= ETH_HLEN + 1500);
		reasm_input(ra, x->guest.f[i] + ETH_HLEN, x->guest.len[i] - ETH_HLEN, 0, &whole, &whole_len);
	}
	assert_non_null(whole);
	assert_int_equal(whole_len, IPV4_MAX_LEN);
	assert_int_equal(ipv4_parse(whole, whole_len, &ip), 0);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.payload_len, IPV4_MAX_LEN - IPV4_HLEN - UDP_HLEN);
	assert_int_equal(u.payload[u.payload_len - 1], 0x5a);
	reasm_free(ra);
}

/* ARP replies and other operations for a host's address are not requests: not answered, not consumed. */
static void test_arp_reply_not_answered(void **state)
{
	struct fx *x = *state;
	uint8_t f[64];
	size_t n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1));

	f[ETH_HLEN + 7] = ARP_OP_REPLY;
	assert_false(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 0);
}

/* An echo request with a non-zero code still gets a plain echo reply (code 0). */
static void test_ping_reply_code_zero(void **state)
{
	struct fx *x = *state;
	uint8_t f[200];
	size_t n = echo_frame(f, t_ip(10, 0, 0, 1), 16, 7, 9);
	uint8_t *msg = f + ETH_HLEN + IPV4_HLEN;
	uint16_t sum;

	assert_int_equal(vhost_remove_host(x->vt, t_ip(10, 0, 0, 1)), 0);
	assert_int_equal(vhost_add_host(x->vt, t_ip(10, 0, 0, 1), host_mac, VHOST_ANSWER_ICMP), 0);
	msg[1] = 3;
	msg[2] = msg[3] = 0;
	sum = csum_fold(csum_add(0, msg, ICMP_HLEN + 16));
	memcpy(msg + 2, &sum, 2);
	assert_true(vhost_input(x->vt, f, n, 0));
	assert_int_equal(x->guest.n, 1);
	assert_echo_reply(x, 16);
	assert_int_equal(x->guest.f[0][ETH_HLEN + IPV4_HLEN + 1], 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_registration),
		T(test_tcp_idle_from_last_segment),
		T(test_tcp_too_short_passed_on),
		T(test_bad_checksum_and_truncated_tcp),
		T(test_arp_answer),
		T(test_arp_left_to_backend),
		T(test_udp_fragmented_request_big_reply),
		T(test_small_request_and_no_reply),
		T(test_closed_port),
		T(test_unserved_port_not_consumed),
		T(test_unserved_port_fragments_go_whole),
		T(test_fragments_elsewhere_go_whole),
		T(test_no_backend_counts_no_service),
		T(test_bad_checksum_and_truncated_udp),
		T(test_fragment_ageout_counted),
		T(test_move_host),
		T(test_remove_host),
		T(test_garbage_not_consumed),
		T(test_ping_answered_when_asked),
		T(test_fragmented_ping_answered_fragmented),
		T(test_bridged_foreign_fragments_pass),
		T(test_bridged_host_fragments_held),
		T(test_bridged_unserved_refragmented),
		T(test_services_of_several_hosts),
		T(test_services_gone_with_their_host),
		T(test_bad_udp_to_host_not_consumed),
		T(test_late_reply),
		T(test_reply_uncuttable),
		T(test_reply_exactly_mtu),
		T(test_service_overrun_clamped),
		T(test_arp_reply_not_answered),
		T(test_ping_reply_code_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
