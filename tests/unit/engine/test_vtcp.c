/* SPDX-License-Identifier: MIT */
/* test_vtcp.c: the virtual hosts' TCP: handshake, in-order receive, window, retransmission, close, limits. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ipv4.h"
#include "core/tcp.h"
#include "engine/vtcp.h"
#include "engine_test.h"

#define MAXP 160

/* a segment the table sent, parsed back */
struct out {
	struct tcp_view t;
	uint8_t data[1600];
	uint32_t src, dst;
};

struct fx {
	struct vtcp *tcp;
	struct out out[MAXP];
	unsigned nout;
	unsigned opened, closed, acked;
	size_t take;           /* the service takes at most this many bytes per recv */
	uint8_t got[1 << 16];  /* what the service took */
	size_t ngot;
	uint32_t id;
	bool refuse, abort_in_recv;
};

static const uint32_t guest_port = 801, our_port = 2049;

/* The window scale a test guest offers in its SYN; -1 = none. */
static int guest_wscale = -1;

static uint32_t g_ip(void)
{
	return t_ip(10, 0, 2, 15);
}

static uint32_t h_ip(void)
{
	return t_ip(10, 0, 2, 2);
}

static void emit(void *opaque, const uint8_t mac[6], uint32_t src_ip, const uint8_t *pkt, size_t len)
{
	struct fx *f = opaque;
	struct ipv4_view ip;
	struct out *o;

	(void)mac;
	assert_true(f->nout < MAXP);
	o = &f->out[f->nout++];
	assert_int_equal(ipv4_parse(pkt, len, &ip), 0);
	assert_int_equal(ip.src, src_ip);
	assert_int_equal(tcp_parse(&ip, &o->t), 0); /* checksum and offset right */
	assert_true(o->t.payload_len <= sizeof(o->data));
	memcpy(o->data, o->t.payload, o->t.payload_len);
	o->t.payload = o->data;
	o->src = ip.src;
	o->dst = ip.dst;
}

static void *svc_open(void *opaque, uint32_t id, const struct vhost_dgram *ends)
{
	struct fx *f = opaque;

	assert_int_equal(ends->dport, our_port);
	if (f->refuse)
		return NULL;
	f->opened++;
	f->id = id;
	return f;
}

static size_t svc_recv(void *conn, const uint8_t *data, size_t len)
{
	struct fx *f = conn;
	size_t n = len < f->take ? len : f->take;

	if (f->abort_in_recv) {
		vtcp_abort(f->tcp, f->id);
		return 0;
	}
	assert_true(f->ngot + n <= sizeof(f->got));
	memcpy(f->got + f->ngot, data, n);
	f->ngot += n;
	return n;
}

static void svc_close(void *conn)
{
	((struct fx *)conn)->closed++;
}

static void svc_acked(void *conn)
{
	((struct fx *)conn)->acked++;
}

static const struct vtcp_ops ops = { .open = svc_open, .recv = svc_recv, .acked = svc_acked, .close = svc_close };

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->tcp = vtcp_new(1500, emit, f);
	f->take = SIZE_MAX;
	guest_wscale = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vtcp_free(f->tcp);
	free(f);
	return 0;
}

/* A segment from the guest (port @sport) through tcp_build/tcp_parse into vtcp_input(). */
static void seg_from(struct fx *f, uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
		     const void *data, size_t len, uint64_t now)
{
	static uint8_t pkt[IPV4_HLEN + TCP_HLEN_MAX + 65536];
	const struct tcp_seg s = { .sport = sport, .dport = our_port, .seq = seq, .ack = ack, .flags = flags,
				   .win = win, .mss = (flags & TCP_SYN) ? 1460 : 0,
				   .ws = (flags & TCP_SYN) && guest_wscale >= 0,
				   .wscale = (uint8_t)(guest_wscale >= 0 ? guest_wscale : 0) };
	struct vhost_dgram e = { .mac = T_GUEST_MAC, .src_ip = g_ip(), .dst_ip = h_ip(), .sport = sport,
				 .dport = our_port };
	size_t hlen = tcp_hlen(&s);
	struct ipv4_view ip;
	struct tcp_view t;

	if (len)
		memcpy(pkt + IPV4_HLEN + hlen, data, len);
	tcp_build(pkt + IPV4_HLEN, g_ip(), h_ip(), &s, len);
	ipv4_build(pkt, g_ip(), h_ip(), IPPROTO_TCP, 1, hlen + len);
	assert_int_equal(ipv4_parse(pkt, IPV4_HLEN + hlen + len, &ip), 0);
	assert_int_equal(tcp_parse(&ip, &t), 0);
	vtcp_input(f->tcp, &e, &t, &ops, f, now);
}

static void seg(struct fx *f, uint8_t flags, uint32_t seq, uint32_t ack, const void *data, size_t len, uint64_t now)
{
	seg_from(f, guest_port, flags, seq, ack, 65535, data, len, now);
}

/* Handshake from ISN 1000; return our ISN. */
static uint32_t handshake(struct fx *f)
{
	uint32_t iss;

	seg(f, TCP_SYN, 1000, 0, NULL, 0, 0);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(f->out[0].t.ack, 1001);
	assert_int_equal(f->out[0].t.mss, 1460);
	assert_int_equal(f->out[0].t.sport, our_port);
	assert_int_equal(f->out[0].t.dport, guest_port);
	assert_int_equal(f->out[0].src, h_ip());
	iss = f->out[0].t.seq;
	seg(f, TCP_ACK, 1001, iss + 1, NULL, 0, 1);
	assert_int_equal(f->nout, 1); /* a bare ACK is not answered */
	f->nout = 0;
	assert_int_equal(f->opened, 1);
	return iss;
}

static void test_handshake_and_data(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);

	seg(f, TCP_ACK | TCP_PSH, 1001, iss + 1, "hello", 5, 2);
	assert_int_equal(f->ngot, 5);
	assert_memory_equal(f->got, "hello", 5);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.flags, TCP_ACK);
	assert_int_equal(f->out[0].t.ack, 1006);
	assert_int_equal(f->out[0].t.win, VTCP_RCV_BUF);
	/* the same bytes again (our ACK was lost): not delivered twice, acknowledged */
	seg(f, TCP_ACK, 1001, iss + 1, "hello", 5, 3);
	assert_int_equal(f->ngot, 5);
	assert_int_equal(f->out[1].t.ack, 1006);
	/* overlapping: "lo, world" from 1004 delivers only ", world" */
	seg(f, TCP_ACK | TCP_PSH, 1004, iss + 1, "lo, world", 9, 4);
	assert_int_equal(f->ngot, 12);
	assert_memory_equal(f->got, "hello, world", 12);
	assert_int_equal(f->out[2].t.ack, 1013);
}

static void test_delayed_ack(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);

	/* one plain segment: no ACK yet, the deadline is now, the tick sends it */
	seg(f, TCP_ACK, 1001, iss + 1, "ab", 2, 5);
	assert_int_equal(f->nout, 0);
	assert_int_equal(vtcp_deadline(f->tcp), 5);
	vtcp_tick(f->tcp, 5);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.ack, 1003);
	assert_true(vtcp_deadline(f->tcp) > 5);
	/* two plain segments: the second is acknowledged at once, covering both */
	seg(f, TCP_ACK, 1003, iss + 1, "cd", 2, 6);
	assert_int_equal(f->nout, 1);
	seg(f, TCP_ACK, 1005, iss + 1, "ef", 2, 6);
	assert_int_equal(f->nout, 2);
	assert_int_equal(f->out[1].t.ack, 1007);
	/* a pending ACK rides on data we send */
	seg(f, TCP_ACK, 1007, iss + 1, "gh", 2, 7);
	assert_int_equal(vtcp_send(f->tcp, f->id, (const uint8_t *)"reply", 5), 0);
	assert_int_equal(f->nout, 3);
	assert_int_equal(f->out[2].t.ack, 1009);
	assert_int_equal(f->out[2].t.payload_len, 5);
	vtcp_tick(f->tcp, 8);
	assert_int_equal(f->nout, 3); /* nothing left to acknowledge */
	assert_memory_equal(f->got, "abcdefgh", 8);
}

static void test_out_of_order_dropped(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);
	struct vtcp_stats st;

	seg(f, TCP_ACK, 1004, iss + 1, "def", 3, 2); /* a gap before it */
	assert_int_equal(f->ngot, 0);
	assert_int_equal(f->out[0].t.ack, 1001);     /* duplicate ACK */
	seg(f, TCP_ACK, 1001, iss + 1, "abc", 3, 3);
	seg(f, TCP_ACK, 1004, iss + 1, "def", 3, 4);
	assert_int_equal(f->ngot, 6);
	assert_memory_equal(f->got, "abcdef", 6);
	vtcp_stats(f->tcp, &st);
	assert_int_equal(st.out_of_order, 1);
}

static void test_window_and_resume(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);

	f->take = 2;
	seg(f, TCP_ACK, 1001, iss + 1, "abcdef", 6, 2);
	assert_int_equal(f->ngot, 2);
	/* all six accepted: four wait in the receive buffer, the window says so */
	assert_int_equal(f->out[0].t.ack, 1007);
	assert_int_equal(f->out[0].t.win, VTCP_RCV_BUF - 4);
	f->take = SIZE_MAX;
	f->nout = 0;
	vtcp_resume(f->tcp, f->id);
	assert_int_equal(f->ngot, 6);
	assert_memory_equal(f->got, "abcdef", 6);
	assert_int_equal(f->nout, 1); /* the window update */
	assert_int_equal(f->out[0].t.win, VTCP_RCV_BUF);
	/* bytes behind waiting ones keep their order */
	f->take = 1;
	seg(f, TCP_ACK, 1007, iss + 1, "gh", 2, 3);
	seg(f, TCP_ACK, 1009, iss + 1, "ij", 2, 4);
	f->take = SIZE_MAX;
	vtcp_resume(f->tcp, f->id);
	assert_memory_equal(f->got, "abcdefghij", 10);
}

static void test_zero_window_holds_nothing_more(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);
	static uint8_t big[65000];

	f->take = 0;
	memset(big, 'x', sizeof(big));
	seg(f, TCP_ACK, 1001, iss + 1, big, 1400, 2);
	assert_int_equal(f->out[0].t.ack, 1001 + 1400);
	assert_int_equal(f->out[0].t.win, VTCP_RCV_BUF - 1400);
	/* more than the window: only what fits is accepted */
	seg(f, TCP_ACK, 2401, iss + 1, big, 65000, 3);
	assert_int_equal(f->out[1].t.ack, 1001 + VTCP_RCV_BUF);
	assert_int_equal(f->out[1].t.win, 0);
}

static void test_send_segments_and_retransmit(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);
	static uint8_t buf[4000];
	struct vtcp_stats st;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	assert_int_equal(vtcp_send(f->tcp, f->id, buf, sizeof(buf)), 0);
	assert_int_equal(f->nout, 3); /* 1460 + 1460 + 1080 */
	assert_int_equal(f->out[0].t.seq, iss + 1);
	assert_int_equal(f->out[1].t.seq, iss + 1 + 1460);
	assert_int_equal(f->out[2].t.payload_len, 1080);
	assert_true(f->out[2].t.flags & TCP_PSH);
	assert_memory_equal(f->out[1].data, buf + 1460, 1460);
	assert_int_equal(vtcp_send_room(f->tcp, f->id), VTCP_SND_BUF - sizeof(buf));
	/* the first is acknowledged; the timer then resends from the second */
	seg(f, TCP_ACK, 1001, iss + 1 + 1460, NULL, 0, 10);
	assert_int_equal(vtcp_send_room(f->tcp, f->id), VTCP_SND_BUF - sizeof(buf) + 1460);
	f->nout = 0;
	assert_true(vtcp_deadline(f->tcp) <= 10 + 1000);
	vtcp_tick(f->tcp, 10 + 999);
	assert_int_equal(f->nout, 0); /* 1 s: a stalled guest is no loss */
	vtcp_tick(f->tcp, 10 + 1000);
	assert_int_equal(f->nout, 2);
	assert_int_equal(f->out[0].t.seq, iss + 1 + 1460);
	assert_memory_equal(f->out[0].data, buf + 1460, 1460);
	/* an ACK for what the rewind had not resent yet is fine */
	seg(f, TCP_ACK, 1001, iss + 1 + 4000, NULL, 0, 1100);
	assert_int_equal(vtcp_send_room(f->tcp, f->id), VTCP_SND_BUF);
	assert_int_equal(vtcp_deadline(f->tcp), 1100 + VTCP_IDLE_MS); /* no retransmission timer left */
	vtcp_stats(f->tcp, &st);
	assert_int_equal(st.retransmits, 1);
}

static void test_three_dupacks(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);
	static uint8_t buf[3000];

	assert_int_equal(vtcp_send(f->tcp, f->id, buf, sizeof(buf)), 0);
	f->nout = 0;
	for (int i = 0; i < 3; i++)
		seg(f, TCP_ACK, 1001, iss + 1, NULL, 0, 5);
	assert_int_equal(f->nout, 3); /* everything again at the third */
	assert_int_equal(f->out[0].t.seq, iss + 1);
	/* the duplicates the resent segments provoke do not rewind again */
	for (int i = 0; i < 6; i++)
		seg(f, TCP_ACK, 1001, iss + 1, NULL, 0, 6);
	assert_int_equal(f->nout, 3);
	/* once that flight is acknowledged, dupacks count again */
	seg(f, TCP_ACK, 1001, iss + 1 + 1460, NULL, 0, 7);
	assert_int_equal(f->nout, 3);
	for (int i = 0; i < 3; i++)
		seg(f, TCP_ACK, 1001, iss + 1 + 1460, NULL, 0, 8);
	assert_int_equal(f->nout, 3); /* still below the recovery point (iss + 3001) */
	seg(f, TCP_ACK, 1001, iss + 1 + 3000, NULL, 0, 9);
	assert_int_equal(vtcp_send_room(f->tcp, f->id), VTCP_SND_BUF);
	/* past the recovery point: a new flight's third dupack rewinds it */
	assert_int_equal(vtcp_send(f->tcp, f->id, buf, sizeof(buf)), 0);
	assert_int_equal(f->nout, 6);
	for (int i = 0; i < 3; i++)
		seg(f, TCP_ACK, 1001, iss + 1 + 3000, NULL, 0, 10);
	assert_int_equal(f->nout, 9);
	assert_int_equal(f->out[6].t.seq, iss + 1 + 3000);
}

static void test_ack_beyond_sent_ignored(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);

	seg(f, TCP_ACK, 1001, iss + 100, "zz", 2, 2);
	assert_int_equal(f->ngot, 0); /* the segment goes no further */
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.ack, 1001);
}

static void test_guest_fin_then_ours(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);

	assert_int_equal(vtcp_send(f->tcp, f->id, (const uint8_t *)"bye", 3), 0);
	f->nout = 0;
	seg(f, TCP_ACK | TCP_FIN, 1001, iss + 1 + 3, "x", 1, 2);
	assert_int_equal(f->ngot, 1);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.flags, TCP_FIN | TCP_ACK);
	assert_int_equal(f->out[0].t.ack, 1003); /* the byte and the FIN */
	assert_int_equal(f->out[0].t.seq, iss + 4);
	assert_int_equal(vtcp_send(f->tcp, f->id, (const uint8_t *)"late", 4), -ENOENT);
	assert_int_equal(f->closed, 0);
	seg(f, TCP_ACK, 1003, iss + 5, NULL, 0, 3);
	assert_int_equal(f->closed, 1);
	assert_int_equal(vtcp_send_room(f->tcp, f->id), 0);
}

static void test_rst(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);

	seg(f, TCP_RST, 1500, 0, NULL, 0, 2); /* in the window, not exact: challenge ACK */
	assert_int_equal(f->closed, 0);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.flags, TCP_ACK);
	seg(f, TCP_RST, 1001 + 70000, 0, NULL, 0, 2); /* outside: ignored */
	assert_int_equal(f->nout, 1);
	seg(f, TCP_RST, 1001, 0, NULL, 0, 3);
	assert_int_equal(f->closed, 1);
	(void)iss;
}

static void test_syn_on_open_connection(void **state)
{
	struct fx *f = *state;

	handshake(f);
	seg(f, TCP_SYN, 777777, 0, NULL, 0, 2); /* a rebooted guest: challenge ACK */
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.flags, TCP_ACK);
	assert_int_equal(f->out[0].t.ack, 1001);
	assert_int_equal(f->opened, 1);
}

static void test_no_connection_resets(void **state)
{
	struct fx *f = *state;

	seg(f, TCP_ACK, 5, 4242, "abc", 3, 0);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.flags, TCP_RST);
	assert_int_equal(f->out[0].t.seq, 4242);
	seg(f, TCP_FIN, 5, 0, "abc", 3, 0);
	assert_int_equal(f->out[1].t.flags, TCP_RST | TCP_ACK);
	assert_int_equal(f->out[1].t.ack, 5 + 3 + 1);
	seg(f, TCP_RST, 5, 0, NULL, 0, 0); /* never answered */
	assert_int_equal(f->nout, 2);
	assert_int_equal(f->opened, 0);
}

static void test_limits(void **state)
{
	struct fx *f = *state;
	struct vtcp_stats st;

	for (unsigned i = 0; i < VTCP_MAX_PER_PEER + 1; i++)
		seg_from(f, (uint16_t)(900 + i), TCP_SYN, 1, 0, 65535, NULL, 0, 0);
	assert_int_equal(f->opened, VTCP_MAX_PER_PEER);
	assert_int_equal(f->out[VTCP_MAX_PER_PEER].t.flags, TCP_RST | TCP_ACK);
	f->refuse = true;
	seg_from(f, 2000, TCP_SYN, 1, 0, 65535, NULL, 0, 0);
	vtcp_stats(f->tcp, &st);
	assert_int_equal(st.refused, 2);
	assert_int_equal(st.conns, VTCP_MAX_PER_PEER);
}

static void test_synack_retries_then_reset(void **state)
{
	struct fx *f = *state;
	uint64_t now = 0;
	unsigned synacks = 0;

	seg(f, TCP_SYN, 1000, 0, NULL, 0, 0);
	while (f->closed == 0 && now < 100000) {
		now = vtcp_deadline(f->tcp);
		vtcp_tick(f->tcp, now);
	}
	for (unsigned i = 0; i < f->nout; i++)
		synacks += f->out[i].t.flags == (TCP_SYN | TCP_ACK);
	assert_int_equal(f->closed, 1);
	assert_int_equal(synacks, 1 + 8);
	assert_int_equal(f->out[f->nout - 1].t.flags, TCP_RST | TCP_ACK);
	assert_true(now < 60000); /* 1 s doubling to 6.4 s */
}

static void test_idle_timeout(void **state)
{
	struct fx *f = *state;

	handshake(f);
	vtcp_set_idle(f->tcp, f->id, 5000);
	assert_int_equal(vtcp_deadline(f->tcp), 1 + 5000);
	vtcp_tick(f->tcp, 4000);
	assert_int_equal(f->closed, 0);
	vtcp_tick(f->tcp, 5001);
	assert_int_equal(f->closed, 1);
	assert_int_equal(f->out[f->nout - 1].t.flags, TCP_RST | TCP_ACK);
	assert_int_equal(vtcp_deadline(f->tcp), UINT64_MAX);
}

static void test_send_room_bound(void **state)
{
	struct fx *f = *state;
	uint8_t *big = calloc(1, VTCP_SND_BUF + 1);

	handshake(f);
	assert_int_equal(vtcp_send(f->tcp, f->id, big, VTCP_SND_BUF + 1), -ENOBUFS);
	assert_int_equal(vtcp_send(f->tcp, f->id, big, VTCP_SND_BUF), 0);
	assert_int_equal(vtcp_send(f->tcp, f->id, big, 1), -ENOBUFS);
	assert_int_equal(vtcp_send(f->tcp, 999, big, 1), -ENOENT);
	free(big);
}

/* Acknowledged bytes free send room: the service hears of it (ops->acked) when nothing waits in the receive buffer. */
static void test_acked_tells_service(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);
	unsigned before = f->acked;

	assert_int_equal(vtcp_send(f->tcp, f->id, (const uint8_t *)"answer", 6), 0);
	assert_int_equal(vtcp_send_room(f->tcp, f->id), VTCP_SND_BUF - 6);
	seg(f, TCP_ACK, 1001, iss + 1 + 6, NULL, 0, 3);
	assert_int_equal(f->acked, before + 1);
	assert_int_equal(vtcp_send_room(f->tcp, f->id), VTCP_SND_BUF);
	seg(f, TCP_ACK, 1001, iss + 1 + 6, NULL, 0, 4); /* nothing new acknowledged */
	assert_int_equal(f->acked, before + 1);
}

static void test_abort_inside_recv(void **state)
{
	struct fx *f = *state;
	uint32_t iss = handshake(f);

	f->abort_in_recv = true;
	seg(f, TCP_ACK, 1001, iss + 1, "boom", 4, 2);
	assert_int_equal(f->closed, 1);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0].t.flags, TCP_RST | TCP_ACK);
	assert_int_equal(vtcp_send(f->tcp, f->id, (const uint8_t *)"x", 1), -ENOENT);
	/* the slot is free again: a new connection from the same port opens */
	f->abort_in_recv = false;
	seg(f, TCP_SYN, 5000, 0, NULL, 0, 3);
	assert_int_equal(f->opened, 2);
}

/* Bytes of the segments sent since @from. */
static size_t sent_bytes(const struct fx *f, unsigned from)
{
	size_t n = 0;

	for (unsigned i = from; i < f->nout; i++)
		n += f->out[i].t.payload_len;
	return n;
}

/*
 * RFC 7323: a guest that offers window scaling (shift 7) gets ours (4) in the
 * SYN-ACK, whose window is unscaled; after it our window field is the
 * 512 KiB buffer >> 4, and the guest's window field counts << 7.
 */
static void test_window_scaling(void **state)
{
	struct fx *f = *state;
	static uint8_t big[400000];
	uint32_t iss;

	guest_wscale = 7;
	seg(f, TCP_SYN, 1000, 0, NULL, 0, 0);
	assert_int_equal(f->nout, 1);
	assert_true(f->out[0].t.ws);
	assert_int_equal(f->out[0].t.wscale, VTCP_RCV_WSCALE);
	assert_int_equal(f->out[0].t.win, 65535); /* a SYN's window is never scaled */
	iss = f->out[0].t.seq;
	/* the guest's window field 1000 means 128000 bytes: more than 64 KiB go out at once */
	seg_from(f, guest_port, TCP_ACK, 1001, iss + 1, 1000, NULL, 0, 1);
	assert_int_equal(vtcp_send(f->tcp, f->id, big, sizeof(big)), 0);
	assert_int_equal(sent_bytes(f, 1), 128000);
	f->nout = 0;
	seg_from(f, guest_port, TCP_ACK | TCP_PSH, 1001, iss + 1, 1000, "hello", 5, 2);
	assert_int_equal(f->out[f->nout - 1].t.win, VTCP_RCV_BUF_SCALED >> VTCP_RCV_WSCALE);
	assert_int_equal((uint32_t)f->out[f->nout - 1].t.win << VTCP_RCV_WSCALE, VTCP_RCV_BUF_SCALED);
	/* the guest acknowledges everything and opens 1 MiB: no more than VTCP_FLIGHT_MAX goes out */
	f->nout = 0;
	seg_from(f, guest_port, TCP_ACK, 1006, iss + 1 + 128000, 8192, NULL, 0, 3);
	assert_int_equal(sent_bytes(f, 0), sizeof(big) - 128000 < VTCP_FLIGHT_MAX ? sizeof(big) - 128000
										  : VTCP_FLIGHT_MAX);
}

/* A guest that offers no window scaling gets none, and windows of at most 65535. */
static void test_no_window_scaling(void **state)
{
	struct fx *f = *state;
	static uint8_t big[200000];
	uint32_t iss = handshake(f);

	assert_int_equal(vtcp_send(f->tcp, f->id, big, sizeof(big)), 0);
	assert_int_equal(sent_bytes(f, 0), 65535); /* the guest's 65535, unscaled */
	f->nout = 0;
	f->take = 0;
	seg(f, TCP_ACK | TCP_PSH, 1001, iss + 1, "hello", 5, 2);
	assert_int_equal(f->nout, 1);
	assert_false(f->out[0].t.ws);
	assert_int_equal(f->out[0].t.win, VTCP_RCV_BUF - 5);
	assert_true(f->out[0].t.win <= 65535);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handshake_and_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delayed_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_and_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_window_holds_nothing_more, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_segments_and_retransmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_three_dupacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_beyond_sent_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_fin_then_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_on_open_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_connection_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synack_retries_then_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_room_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_inside_recv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acked_tells_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_scaling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_window_scaling, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
