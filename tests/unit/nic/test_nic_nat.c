/* SPDX-License-Identifier: MIT */
/* test_nic_nat.c: the model on a real NAT engine: DHCP, ARP and ICMP echo to the gateway through the drivers. */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "drv_linux.h"
#include "drv_netbsd.h"
#include "drv_scatter.h"
#include "guestmem.h"
#include "netpkt.h"

#define MEM_SIZE (1u << 20)
#define WAIT_MS 3000

static const uint8_t guest_mac[6] = { 0x08, 0x00, 0x69, 0x0e, 0xaf, 0x01 };

struct fx {
	indynet_engine *e;
	struct gmem *m;
	seeq *s;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct indynet_config cfg;
	char err[256] = "";

	indynet_config_init(&cfg);
	assert_int_equal(indynet_engine_new(&cfg, &f->e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(f->e), 0);
	f->m = gmem_new(MEM_SIZE);
	f->s = seeq_new(&gmem_ops, f->m, f->e);
	assert_non_null(f->s);
	seeq_set_mem_limit(f->s, MEM_SIZE);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	seeq_free(f->s);
	indynet_engine_free(f->e);
	gmem_free(f->m);
	free(f);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef bool (*match_fn)(const uint8_t *f, size_t len, void *arg);

/*
 * Service the Linux-style driver until a received frame matches: either
 * pumping the model here, or (@threaded) leaving the DMA to the library's
 * pump thread and only taking the interrupts.
 */
static bool lnx_wait_mode(struct fx *f, struct lnx_drv *d, bool threaded, match_fn match, void *arg)
{
	uint8_t buf[LNX_BUFSZ];
	int64_t end = now_ms() + WAIT_MS;

	while (now_ms() < end) {
		struct pollfd p = { .fd = indynet_rx_fd(f->e), .events = POLLIN };
		struct timespec tick = { 0, 100000 };
		size_t len;

		if (threaded) {
			if (gmem_irq(f->m))
				lnx_interrupt(d);
		} else {
			indynet_rx_fd_clear(f->e);
			lnx_service(d);
		}
		while ((len = lnx_take(d, buf, sizeof(buf))) != 0)
			if (match(buf, len, arg))
				return true;
		if (threaded)
			nanosleep(&tick, NULL);
		else
			(void)poll(&p, 1, 20);
	}
	return false;
}

static bool lnx_wait(struct fx *f, struct lnx_drv *d, match_fn match, void *arg)
{
	return lnx_wait_mode(f, d, false, match, arg);
}

struct dhcp_arg {
	uint32_t xid;
	struct np_dhcp r;
};

static bool match_dhcp(const uint8_t *fr, size_t len, void *arg)
{
	struct dhcp_arg *a = arg;

	return np_dhcp_parse(fr, len, a->xid, &a->r);
}

struct arp_arg {
	uint32_t ip;
	uint8_t mac[6];
};

static bool match_arp(const uint8_t *fr, size_t len, void *arg)
{
	struct arp_arg *a = arg;

	return np_arp_reply(fr, len, a->ip, a->mac);
}

struct icmp_arg {
	uint32_t ip;
	uint16_t id, seq;
};

static bool match_icmp(const uint8_t *fr, size_t len, void *arg)
{
	struct icmp_arg *a = arg;

	return np_icmp_reply(fr, len, a->ip, a->id, a->seq, 56);
}

struct icmp_len_arg {
	struct icmp_arg ia;
	size_t payload;
};

static bool match_icmp_any(const uint8_t *fr, size_t len, void *arg)
{
	struct icmp_len_arg *a = arg;

	return np_icmp_reply(fr, len, a->ia.ip, a->ia.id, a->ia.seq, a->payload);
}

static void test_linux_driver_dhcp_and_ping(void **state)
{
	struct fx *f = *state;
	struct lnx_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[600];
	struct dhcp_arg da = { .xid = 0x5eed0001 };
	size_t n;

	lnx_open(d, f->s, f->m, 0x10000, guest_mac, SEEQ_RXC_MATCH_BCAST);

	n = np_dhcp_build(frame, guest_mac, NP_DHCP_DISCOVER, da.xid, 0, 0);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait(f, d, match_dhcp, &da));
	assert_int_equal(da.r.type, NP_DHCP_OFFER);
	assert_int_equal(da.r.yiaddr, 0xC0A80002u); /* 192.168.0.2 */
	uint32_t ip = da.r.yiaddr, server = da.r.server, gw = da.r.router;
	assert_int_equal(gw, 0xC0A80001u);

	da.xid++;
	n = np_dhcp_build(frame, guest_mac, NP_DHCP_REQUEST, da.xid, ip, server);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait(f, d, match_dhcp, &da));
	assert_int_equal(da.r.type, NP_DHCP_ACK);
	assert_int_equal(da.r.yiaddr, ip);

	struct arp_arg aa = { .ip = gw };
	n = np_arp_request(frame, guest_mac, ip, gw);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait(f, d, match_arp, &aa));

	for (uint16_t seq = 1; seq <= 3; seq++) {
		struct icmp_arg ia = { .ip = gw, .id = 0x4242, .seq = seq };
		n = np_icmp_echo(frame, guest_mac, aa.mac, ip, gw, ia.id, seq, 56);
		assert_true(lnx_xmit(d, frame, n));
		assert_true(lnx_wait(f, d, match_icmp, &ia));
	}
	assert_int_equal(d->rx_errors, 0);
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_frames, 6);
	assert_true(c.rx_delivered >= 6);
	assert_int_equal(c.dma_errors, 0);
	free(d);
}

/* 300 pings of growing size through the pump thread: no lost wake-up, nothing dropped. */
static void test_linux_driver_thread_ping_run(void **state)
{
	struct fx *f = *state;
	struct lnx_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[1600];
	const uint32_t ip = 0xC0A80002u, gw = 0xC0A80001u;
	struct arp_arg aa = { .ip = gw };
	size_t n;

	lnx_open(d, f->s, f->m, 0x10000, guest_mac, SEEQ_RXC_MATCH_BCAST);
	assert_int_equal(seeq_start_thread(f->s), 0);
	n = np_arp_request(frame, guest_mac, ip, gw);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait_mode(f, d, true, match_arp, &aa));
	for (uint16_t seq = 1; seq <= 300; seq++) {
		struct icmp_arg ia = { .ip = gw, .id = 0x7777, .seq = seq };
		size_t payload = 56 + (seq * 5u) % 1400u;

		n = np_icmp_echo(frame, guest_mac, aa.mac, ip, gw, ia.id, seq, payload);
		assert_true(lnx_xmit(d, frame, n));
		ia.seq = seq;
		assert_true(lnx_wait_mode(f, d, true, match_icmp_any, &(struct icmp_len_arg){ ia, payload }));
	}
	seeq_stop_thread(f->s);
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_frames, 301);
	assert_int_equal(c.rx_truncated, 0);
	assert_int_equal(c.dma_errors, 0);
	assert_int_equal(d->rx_errors, 0);
	free(d);
}

/* NetBSD-style driver with the library's pump thread doing the DMA. */
static void test_netbsd_driver_thread_dhcp(void **state)
{
	struct fx *f = *state;
	struct nbsd_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[600], buf[NBSD_BUFSZ];
	struct dhcp_arg da = { .xid = 0x5eed0100 };
	bool got = false;
	size_t n;

	nbsd_attach(d, f->s, f->m, 0x40000, guest_mac, false);
	assert_true(d->is_80c03);
	assert_int_equal(seeq_start_thread(f->s), 0);
	n = np_dhcp_build(frame, guest_mac, NP_DHCP_DISCOVER, da.xid, 0, 0);
	assert_true(nbsd_start(d, frame, n));
	for (int64_t end = now_ms() + WAIT_MS; !got && now_ms() < end;) {
		if (seeq_irq_level(f->s))
			nbsd_intr(d);
		while (!got && (n = nbsd_take(d, buf, sizeof(buf))) != 0)
			got = match_dhcp(buf, n, &da);
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	seeq_stop_thread(f->s);
	assert_true(got);
	assert_int_equal(da.r.type, NP_DHCP_OFFER);
	assert_int_equal(d->opackets, 1);
	free(d);
}

/* --- The scatter driver: every packet over 2 or 3 descriptors, the pump thread beside it --- */

#define SG_UP_BYTES (48u * 1024u)   /* guest -> host */
#define SG_DOWN_BYTES (32u * 1024u) /* host -> guest */
#define SG_MSS 1200u

static uint8_t sg_up_byte(size_t i) { return (uint8_t)(i * 13u + 7u); }
static uint8_t sg_down_byte(size_t i) { return (uint8_t)(i * 29u + 3u); }

/* The host end on loopback: read until EOF checking every byte, then send the down stream. */
struct sg_server {
	int lfd;
	uint16_t port;
	size_t got, bad;
	pthread_t thread;
};

static void *sg_server_main(void *arg)
{
	struct sg_server *sv = arg;
	uint8_t buf[4096];
	ssize_t n;
	int c = accept(sv->lfd, NULL, NULL);

	if (c < 0)
		return NULL;
	while ((n = read(c, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++, sv->got++)
			sv->bad += buf[i] != sg_up_byte(sv->got);
	for (size_t off = 0; off < SG_DOWN_BYTES; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = sg_down_byte(off + i);
		if (write(c, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			break;
	}
	close(c);
	return NULL;
}

static void sg_server_start(struct sg_server *sv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sv->lfd >= 0);
	assert_int_equal(bind(sv->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(sv->lfd, 1), 0);
	assert_int_equal(getsockname(sv->lfd, (struct sockaddr *)&a, &al), 0);
	sv->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&sv->thread, NULL, sg_server_main, sv), 0);
}

/* Take interrupts (the pump thread does the DMA) until a received frame matches. */
static bool sg_wait(struct fx *f, struct sg_drv *d, match_fn match, void *arg, int ms)
{
	uint8_t buf[SG_BUFSZ];
	int64_t end = now_ms() + ms;

	while (now_ms() < end) {
		struct timespec tick = { 0, 50000 };
		size_t len;

		if (gmem_irq(f->m))
			sg_interrupt(d);
		while ((len = sg_take(d, buf, sizeof(buf))) != 0)
			if (match(buf, len, arg))
				return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

static void sg_send(struct fx *f, struct sg_drv *d, const uint8_t *frame, size_t len, unsigned parts)
{
	for (int i = 0; i < 2000 && !sg_xmit(d, frame, len, parts); i++) {
		if (gmem_irq(f->m))
			sg_interrupt(d);
		nanosleep(&(struct timespec){ 0, 100000 }, NULL);
	}
}

/* The guest's end of one TCP connection, with the gateway's MAC and the next sequence numbers. */
struct sg_tcp {
	struct fx *f;
	struct sg_drv *d;
	uint8_t gw_mac[6];
	struct np_tcp t;      /* the next segment to send (addresses, ports, seq, ack) */
	uint8_t down[SG_DOWN_BYTES];
	size_t down_len;
	bool fin_seen;
	unsigned segments;
};

static void sg_tcp_send(struct sg_tcp *c, uint8_t flags, const uint8_t *data, size_t len)
{
	uint8_t frame[1600];

	c->t.flags = flags;
	c->t.data = data;
	c->t.len = len;
	size_t n = np_tcp_build(frame, &c->t, guest_mac, c->gw_mac);
	sg_send(c->f, c->d, frame, n, 2 + c->segments++ % 2);
}

/* A segment of this connection: take in-order data and FIN; true once @want is acknowledged. */
static bool sg_tcp_match(const uint8_t *fr, size_t len, void *arg)
{
	struct sg_tcp *c = arg;
	struct np_tcp r;

	if (!np_tcp_parse(fr, len, &r) || r.sport != c->t.dport || r.dport != c->t.sport)
		return false;
	if ((r.flags & NP_TCP_SYN) && (r.flags & NP_TCP_ACK)) {
		c->t.ack = r.seq + 1;
		return true;
	}
	if (r.seq == c->t.ack && r.len && c->down_len + r.len <= sizeof(c->down)) {
		memcpy(c->down + c->down_len, r.data, r.len);
		c->down_len += r.len;
		c->t.ack += (uint32_t)r.len;
	}
	if ((r.flags & NP_TCP_FIN) && r.seq + r.len == c->t.ack) {
		c->t.ack++;
		c->fin_seen = true;
	}
	return (r.flags & NP_TCP_ACK) && r.ack == c->t.seq;
}

static void sg_tcp_transfer(struct sg_tcp *c)
{
	static uint8_t up[SG_UP_BYTES];

	for (size_t i = 0; i < sizeof(up); i++)
		up[i] = sg_up_byte(i);
	c->t.seq = 0x10000000u;
	sg_tcp_send(c, NP_TCP_SYN, NULL, 0);
	c->t.seq++;
	assert_true(sg_wait(c->f, c->d, sg_tcp_match, c, WAIT_MS));
	sg_tcp_send(c, NP_TCP_ACK, NULL, 0);
	for (size_t off = 0; off < sizeof(up); off += SG_MSS) {
		size_t n = sizeof(up) - off < SG_MSS ? sizeof(up) - off : SG_MSS;

		sg_tcp_send(c, NP_TCP_ACK | NP_TCP_PSH, up + off, n);
		c->t.seq += (uint32_t)n;
		assert_true(sg_wait(c->f, c->d, sg_tcp_match, c, WAIT_MS));
	}
	sg_tcp_send(c, NP_TCP_ACK | NP_TCP_FIN, NULL, 0);
	c->t.seq++;
	for (int64_t end = now_ms() + WAIT_MS; !c->fin_seen && now_ms() < end;) {
		uint32_t acked = c->t.ack;

		(void)sg_wait(c->f, c->d, sg_tcp_match, c, 20);
		if (c->t.ack != acked)
			sg_tcp_send(c, NP_TCP_ACK, NULL, 0);
	}
}

/*
 * The third replay (issue 18): packets split over two and three
 * descriptors, headers apart from payload, through the real NAT engine,
 * with every buffer reused the moment TXD appears: ARP, ICMP echo, and a
 * TCP transfer each way whose bytes all arrive intact.
 */
static void test_scatter_driver_icmp_and_tcp(void **state)
{
	struct fx *f = *state;
	struct sg_drv *d = calloc(1, sizeof(*d));
	struct sg_tcp *c = calloc(1, sizeof(*c));
	struct sg_server sv = { 0 };
	uint8_t frame[1600];
	const uint32_t ip = 0xC0A80002u, gw = 0xC0A80001u;
	struct arp_arg aa = { .ip = gw };
	size_t n;

	sg_open(d, f->s, f->m, 0x10000, guest_mac);
	assert_int_equal(seeq_start_thread(f->s), 0);
	n = np_arp_request(frame, guest_mac, ip, gw);
	sg_send(f, d, frame, n, 2);
	assert_true(sg_wait(f, d, match_arp, &aa, WAIT_MS));
	for (uint16_t seq = 1; seq <= 20; seq++) {
		size_t payload = seq % 2 ? 56 : 1000 + seq;
		struct icmp_len_arg ia = { { .ip = gw, .id = 0x5c5c, .seq = seq }, payload };

		n = np_icmp_echo(frame, guest_mac, aa.mac, ip, gw, 0x5c5c, seq, payload);
		sg_send(f, d, frame, n, 2 + seq % 2);
		assert_true(sg_wait(f, d, match_icmp_any, &ia, WAIT_MS));
	}
	sg_server_start(&sv);
	*c = (struct sg_tcp){ .f = f, .d = d, .t = { .sip = ip, .dip = gw, .sport = 40123, .dport = sv.port } };
	memcpy(c->gw_mac, aa.mac, 6);
	sg_tcp_transfer(c);
	pthread_join(sv.thread, NULL);
	close(sv.lfd);
	seeq_stop_thread(f->s);
	assert_int_equal(sv.got, SG_UP_BYTES);
	assert_int_equal(sv.bad, 0);
	assert_true(c->fin_seen);
	assert_int_equal(c->down_len, SG_DOWN_BYTES);
	for (size_t i = 0; i < SG_DOWN_BYTES; i++)
		assert_int_equal(c->down[i], sg_down_byte(i));
	struct seeq_counters k;
	seeq_counters(f->s, &k);
	assert_int_equal(k.dma_errors, 0);
	assert_int_equal(k.tx_errors, 0);
	assert_int_equal(d->rx_errors, 0);
	free(c);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_driver_dhcp_and_ping, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_linux_driver_thread_ping_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_netbsd_driver_thread_dhcp, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scatter_driver_icmp_and_tcp, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name("nic-nat", tests, NULL, NULL);
}
