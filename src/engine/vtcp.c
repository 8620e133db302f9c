/* SPDX-License-Identifier: MIT */
/* vtcp.c: a small server-side TCP for virtual hosts: passive open, in-order receive, bounded buffers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/ipv4.h"
#include "engine/vtcp.h"

/*
 * Theory of operation
 *
 * Only what a request/response service over a virtual, nearly lossless
 * link needs, and every input checked:
 *
 * - Passive open only.  A SYN to a listening port takes a free slot
 *   (VTCP_MAX_CONNS in all, VTCP_MAX_PER_PEER per guest address; beyond
 *   either the SYN is answered RST and counted), asks the service
 *   (ops->open) and answers SYN-ACK with our MSS (MTU - 40) and, when the
 *   SYN offered it, window scaling (RFC 7323): our shift VTCP_RCV_WSCALE
 *   over a VTCP_RCV_BUF_SCALED receive buffer, and the guest's windows
 *   taken at its shift, so a 1 MiB READ answer is not sent 64 KiB per
 *   round trip.  Windows in a SYN are never scaled.  A guest that does not
 *   offer it gets at most 65535 (VTCP_RCV_BUF).  No SACK or timestamps:
 *   windows stay far below 2^30 and every sequence check is plain 32-bit
 *   serial arithmetic.
 * - Receive in order.  A segment is accepted only from rcv_nxt on (bytes
 *   before it are trimmed, a segment wholly before it is re-acknowledged);
 *   one that starts beyond rcv_nxt is dropped and answered with a
 *   duplicate ACK, which makes the guest retransmit at once.  Accepted
 *   bytes go straight to ops->recv; what it does not take waits in the
 *   receive buffer (VTCP_RCV_BUF or VTCP_RCV_BUF_SCALED, allocated on first
 *   need) and the window we advertise is the room left there (rounded down
 *   to our scale), so the guest never sends more
 *   than we hold.  vtcp_resume() offers the waiting bytes again and opens
 *   the window.  A segment we could not accept, or one with PSH or FIN, is
 *   acknowledged at once; of plain in-order segments every second one is,
 *   and a lone one at the end of the engine round (vtcp_tick()), so a TCG
 *   guest writing 32 KiB takes about half as many ACK frames.
 * - Send from a ring (VTCP_SND_BUF, allocated on first send).  vtcp_send()
 *   appends whole or refuses; output sends MSS-sized segments while the
 *   guest's window has room, and never more than VTCP_FLIGHT_MAX in
 *   flight: the way to the guest (the 256-frame RX ring, a frontend's
 *   socket, a TCG guest that reads it late) absorbs about that much, and a
 *   scaled 1 MiB window sent at once overflowed the RX ring (34,080 frames
 *   dropped in one 64 MiB read, each loss a retransmission timeout).  snd_una..snd_nxt is in flight; its bytes sit
 *   at the ring's head until acknowledged.
 * - Retransmission is go-back-N: the timer (1 s, doubling to 6.4 s: a
 *   TCG guest on a busy host can stall for hundreds of milliseconds, and
 *   the link loses nothing but frames the guest's full RX ring refused)
 *   or three duplicate ACKs rewind snd_nxt to snd_una.  Duplicate ACKs
 *   that the resent segments themselves provoke are not counted until
 *   snd_una passes what was in flight at the rewind (c->recover, the
 *   idea of RFC 6582), so one loss costs one rewind, not a storm.  The same timer
 *   repeats a SYN-ACK and probes a zero window with one byte.  After
 *   VTCP_MAX_RETRIES expiries without progress the connection is reset.
 * - Closing: a FIN from the guest is acknowledged, our remaining data is
 *   sent, then our FIN; once that is acknowledged the slot is free (no
 *   TIME_WAIT: the guest closed first).  A RST in the window (exactly at
 *   rcv_nxt; anywhere else in the window is answered with a challenge ACK,
 *   RFC 5961) frees the slot; a SYN on an open connection gets a challenge
 *   ACK too, so a rebooted guest resets the stale connection itself.  A
 *   connection silent for its idle time (VTCP_IDLE_MS, or what the service
 *   set: it shortens it while half a record is held) is reset.
 * - A connection that is closed (ops->close called) stays in its slot as
 *   VTCP_DEAD until the end of the current vtcp_input()/vtcp_tick(), so a
 *   service may abort from inside its own callback.
 *
 * Worked example (MTU 1500, so MSS 1460).  The guest connects from port
 * 801 with ISN 1000; we pick ISN 5000:
 *
 *   guest  SYN seq=1000 mss=1460 win=64240  -> slot taken, open() called
 *   us     SYN|ACK seq=5000 ack=1001 mss=1460 win=65535
 *   guest  ACK seq=1001 ack=5001            -> ESTABLISHED
 *   guest  ACK|PSH seq=1001 len=120         -> recv(120 bytes) takes 120
 *   us     ACK ack=1121 win=65535           (at once: PSH)
 *   service vtcp_send(3000 bytes)
 *   us     ACK seq=5001 len=1460, ACK seq=6461 len=1460, ACK|PSH seq=7921 len=80
 *   (the first is lost on the guest's full RX ring; the guest acks 5001 twice
 *    more when the others arrive, or our 1 s timer expires)
 *   us     seq=5001 len=1460 ... again from snd_una (go-back-N)
 *   guest  ACK ack=8001                     -> ring empty, timer stopped
 *   guest  FIN seq=1121                     -> ack 1122, our FIN seq=8001
 *   guest  ACK ack=8002                     -> close(), slot free
 */

#define VTCP_RTO_MIN_MS 1000u
#define VTCP_RTO_MAX_MS 6400u
#define VTCP_MAX_RETRIES 8u
#define VTCP_DEFAULT_MSS 536u
#define VTCP_DUPACKS 3u

enum vtcp_state {
	VTCP_FREE = 0,
	VTCP_SYN_RCVD,
	VTCP_ESTABLISHED,
	VTCP_CLOSE_WAIT,  /* the guest's FIN is in: our data, then our FIN */
	VTCP_DEAD,        /* closed, slot freed at the end of this round */
};

struct vtcp_conn {
	enum vtcp_state st;
	uint32_t id;
	struct vhost_dgram ends;
	const struct vtcp_ops *ops;
	void *svc;
	uint32_t iss, snd_una, snd_nxt, rcv_nxt;
	uint32_t snd_max;           /* the highest snd_nxt so far (a rewind lowers snd_nxt) */
	uint32_t snd_wnd;           /* the guest's window, scaled */
	uint32_t rcv_buf;           /* VTCP_RCV_BUF, or VTCP_RCV_BUF_SCALED with window scaling */
	uint8_t snd_shift, rcv_shift; /* the guest's window scale, ours (both 0 without the option) */
	bool ws;                    /* window scaling negotiated */
	uint16_t mss;
	bool fin_sent;              /* our FIN is out since the last rewind */
	bool fin_out;               /* our FIN was sent: it is the byte before snd_max */
	bool ack_now;
	bool ack_later;             /* one segment's ACK waits for the end of the engine round */
	uint8_t *rbuf;              /* rcv_buf bytes: accepted, not taken */
	size_t rlen;
	uint8_t *sbuf;              /* VTCP_SND_BUF ring: slen bytes from shead, the first at snd_una */
	size_t shead, slen;
	unsigned dupacks, retries, rto_ms, idle_ms;
	uint32_t recover;           /* snd_max at the last rewind: dupacks below it are its echoes */
	uint64_t rto_at;            /* 0 = timer stopped */
	uint64_t last_rx;
};

struct vtcp {
	uint16_t mss_max;
	vtcp_emit_fn emit;
	void *opaque;
	uint32_t next_id, isn_key;
	uint16_t ip_id;
	uint64_t now;
	struct vtcp_stats st;
	uint8_t *pkt;               /* one segment being built */
	struct vtcp_conn conns[VTCP_MAX_CONNS];
};

static bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

struct vtcp *vtcp_new(unsigned mtu, vtcp_emit_fn emit, void *opaque)
{
	struct vtcp *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->mss_max = (uint16_t)(mtu > IPV4_MAX_LEN ? IPV4_MAX_LEN - 40 : mtu - 40);
	t->emit = emit;
	t->opaque = opaque;
	t->next_id = 1;
	if (getrandom(&t->isn_key, sizeof(t->isn_key), GRND_NONBLOCK) != sizeof(t->isn_key))
		t->isn_key = (uint32_t)(uintptr_t)t;
	t->pkt = malloc(IPV4_HLEN + TCP_HLEN_MAX + (size_t)t->mss_max);
	if (!t->pkt) {
		free(t);
		return NULL;
	}
	return t;
}

/* ---- the connection table ---- */

static struct vtcp_conn *vtcp_find(struct vtcp *t, const struct vhost_dgram *e)
{
	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++) {
		struct vtcp_conn *c = &t->conns[i];

		if (c->st != VTCP_FREE && c->st != VTCP_DEAD && c->ends.src_ip == e->src_ip &&
		    c->ends.sport == e->sport && c->ends.dst_ip == e->dst_ip && c->ends.dport == e->dport)
			return c;
	}
	return NULL;
}

static struct vtcp_conn *vtcp_by_id(const struct vtcp *t, uint32_t id)
{
	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++) {
		const struct vtcp_conn *c = &t->conns[i];

		if (c->id == id && c->st != VTCP_FREE && c->st != VTCP_DEAD)
			return (struct vtcp_conn *)c;
	}
	return NULL;
}

/* A free slot for a new connection from @src_ip, or NULL at a limit. */
static struct vtcp_conn *vtcp_slot(struct vtcp *t, uint32_t src_ip)
{
	struct vtcp_conn *free_slot = NULL;
	unsigned same = 0;

	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++) {
		struct vtcp_conn *c = &t->conns[i];

		if (c->st == VTCP_FREE && !free_slot)
			free_slot = c;
		else if (c->st != VTCP_FREE && c->ends.src_ip == src_ip)
			same++;
	}
	return same < VTCP_MAX_PER_PEER ? free_slot : NULL;
}

/* The service is told once; the slot is freed by vtcp_reap(). */
static void vtcp_close(struct vtcp *t, struct vtcp_conn *c)
{
	c->st = VTCP_DEAD;
	t->st.closed++;
	c->ops->close(c->svc);
}

static void vtcp_reap(struct vtcp *t)
{
	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++) {
		struct vtcp_conn *c = &t->conns[i];

		if (c->st != VTCP_DEAD)
			continue;
		free(c->rbuf);
		free(c->sbuf);
		memset(c, 0, sizeof(*c));
	}
}

void vtcp_free(struct vtcp *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++)
		if (t->conns[i].st != VTCP_FREE && t->conns[i].st != VTCP_DEAD)
			vtcp_close(t, &t->conns[i]);
	vtcp_reap(t);
	free(t->pkt);
	free(t);
}

/* ---- the send ring ---- */

static void ring_read(const struct vtcp_conn *c, size_t off, uint8_t *dst, size_t n)
{
	size_t pos = (c->shead + off) % VTCP_SND_BUF, first = n < VTCP_SND_BUF - pos ? n : VTCP_SND_BUF - pos;

	memcpy(dst, c->sbuf + pos, first);
	memcpy(dst + first, c->sbuf, n - first);
}

static void ring_write(struct vtcp_conn *c, const uint8_t *src, size_t n)
{
	size_t pos = (c->shead + c->slen) % VTCP_SND_BUF, first = n < VTCP_SND_BUF - pos ? n : VTCP_SND_BUF - pos;

	memcpy(c->sbuf + pos, src, first);
	memcpy(c->sbuf, src + first, n - first);
	c->slen += n;
}

static void ring_drop(struct vtcp_conn *c, size_t n)
{
	c->shead = (c->shead + n) % VTCP_SND_BUF;
	c->slen -= n;
}

/* ---- segments out ---- */

/* Bytes the receive buffer has room for: the window, before scaling. */
static uint32_t vtcp_rcv_wnd(const struct vtcp_conn *c)
{
	return c->rcv_buf - (uint32_t)c->rlen;
}

/* The window field of a segment: scaled, except in a SYN (RFC 7323 §2.2). */
static uint16_t vtcp_win_field(const struct vtcp_conn *c, uint8_t flags)
{
	uint32_t w = (flags & TCP_SYN) ? vtcp_rcv_wnd(c) : vtcp_rcv_wnd(c) >> c->rcv_shift;

	return (uint16_t)(w < 0xffffu ? w : 0xffffu);
}

/* Send one segment on @c: @flags, from @seq, @len bytes of the ring from offset @off. */
static void vtcp_xmit(struct vtcp *t, const struct vtcp_conn *c, uint8_t flags, uint32_t seq, size_t off, size_t len)
{
	const struct tcp_seg s = { .sport = c->ends.dport, .dport = c->ends.sport, .seq = seq, .ack = c->rcv_nxt,
				   .flags = flags, .win = vtcp_win_field(c, flags),
				   .mss = (flags & TCP_SYN) ? t->mss_max : 0, .ws = (flags & TCP_SYN) && c->ws,
				   .wscale = c->rcv_shift };
	uint8_t *seg = t->pkt + IPV4_HLEN;
	size_t hlen = tcp_hlen(&s);

	if (len)
		ring_read(c, off, seg + hlen, len);
	tcp_build(seg, c->ends.dst_ip, c->ends.src_ip, &s, len);
	ipv4_build(t->pkt, c->ends.dst_ip, c->ends.src_ip, IPPROTO_TCP, t->ip_id++, hlen + len);
	t->emit(t->opaque, c->ends.mac, c->ends.dst_ip, t->pkt, IPV4_HLEN + hlen + len);
}

static void vtcp_send_ack(struct vtcp *t, struct vtcp_conn *c)
{
	vtcp_xmit(t, c, TCP_ACK, c->snd_nxt, 0, 0);
	c->ack_now = c->ack_later = false;
}

/* A RST answering @seg, which belongs to no connection (RFC 9293 §3.10.7.1). */
static void vtcp_reset_reply(struct vtcp *t, const struct vhost_dgram *e, const struct tcp_view *seg)
{
	struct vtcp_conn c = { .ends = *e, .rcv_buf = VTCP_RCV_BUF };
	uint32_t seq_len = (uint32_t)seg->payload_len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);

	if (seg->flags & TCP_RST)
		return;
	t->st.resets_sent++;
	if (seg->flags & TCP_ACK) {
		vtcp_xmit(t, &c, TCP_RST, seg->ack, 0, 0);
		return;
	}
	c.rcv_nxt = seg->seq + seq_len;
	vtcp_xmit(t, &c, TCP_RST | TCP_ACK, 0, 0, 0);
}

static void vtcp_arm(const struct vtcp *t, struct vtcp_conn *c)
{
	if (!c->rto_at)
		c->rto_at = t->now + c->rto_ms;
}

/* Bytes to send next from snd_nxt; @force sends at least one (a zero-window probe). */
static size_t vtcp_next_len(const struct vtcp_conn *c, size_t flight, bool force)
{
	size_t wnd = c->snd_wnd < VTCP_FLIGHT_MAX ? c->snd_wnd : VTCP_FLIGHT_MAX;
	size_t n = c->slen - flight, room = wnd > flight ? wnd - flight : 0;

	if (force && room == 0)
		room = 1;
	if (n > room)
		n = room;
	return n < c->mss ? n : c->mss;
}

/* @n sequence numbers went out at snd_nxt (they carry our ACK too). */
static void vtcp_advance(struct vtcp_conn *c, uint32_t n)
{
	c->snd_nxt += n;
	if (seq_lt(c->snd_max, c->snd_nxt))
		c->snd_max = c->snd_nxt;
	c->ack_now = c->ack_later = false;
}

/* Send what the window allows, then our FIN when it is due. */
static void vtcp_output(struct vtcp *t, struct vtcp_conn *c, bool force)
{
	size_t flight, n;

	if (c->st != VTCP_ESTABLISHED && c->st != VTCP_CLOSE_WAIT)
		return;
	while (!c->fin_sent && (flight = c->snd_nxt - c->snd_una) < c->slen &&
	       (n = vtcp_next_len(c, flight, force)) > 0) {
		vtcp_xmit(t, c, TCP_ACK | (flight + n == c->slen ? TCP_PSH : 0), c->snd_nxt, flight, n);
		vtcp_advance(c, (uint32_t)n);
		force = false;
	}
	if (c->st == VTCP_CLOSE_WAIT && !c->fin_sent && c->snd_nxt - c->snd_una == c->slen) {
		vtcp_xmit(t, c, TCP_FIN | TCP_ACK, c->snd_nxt, 0, 0);
		vtcp_advance(c, 1);
		c->fin_sent = c->fin_out = true;
	}
	if (c->snd_nxt != c->snd_una || c->slen)
		vtcp_arm(t, c);
}

/* ---- segments in ---- */

static uint32_t vtcp_isn(const struct vtcp *t, const struct vhost_dgram *e)
{
	uint32_t h = t->isn_key ^ e->src_ip;

	h = (h ^ ((uint32_t)e->sport << 16 | e->dport)) * 0x9e3779b1u;
	h ^= h >> 15;
	return h + (uint32_t)(t->now * 250u); /* 4 µs clock, as RFC 6528 */
}

/* Window scaling when the SYN offers it (RFC 7323 §2.2): each side's shift, our larger buffer. */
static void vtcp_scale(struct vtcp_conn *c, const struct tcp_view *syn)
{
	c->ws = syn->ws;
	c->snd_shift = syn->ws ? syn->wscale : 0;
	c->rcv_shift = syn->ws ? VTCP_RCV_WSCALE : 0;
	c->rcv_buf = syn->ws ? VTCP_RCV_BUF_SCALED : VTCP_RCV_BUF;
}

/* A SYN to the listening port: take a slot, ask the service, answer SYN-ACK. */
static void vtcp_listen(struct vtcp *t, const struct vhost_dgram *e, const struct tcp_view *seg,
			const struct vtcp_ops *ops, void *opaque)
{
	struct vtcp_conn *c;
	void *svc = NULL;

	if ((seg->flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != TCP_SYN) {
		vtcp_reset_reply(t, e, seg);
		return;
	}
	c = vtcp_slot(t, e->src_ip);
	if (!c || !(svc = ops->open(opaque, t->next_id, e))) {
		t->st.refused++;
		vtcp_reset_reply(t, e, seg);
		return;
	}
	*c = (struct vtcp_conn){ .st = VTCP_SYN_RCVD, .id = t->next_id++, .ends = *e, .ops = ops, .svc = svc,
				 .iss = vtcp_isn(t, e), .rcv_nxt = seg->seq + 1, .snd_wnd = seg->win,
				 .rto_ms = VTCP_RTO_MIN_MS, .idle_ms = VTCP_IDLE_MS, .last_rx = t->now };
	c->mss = seg->mss ? (seg->mss < t->mss_max ? seg->mss : t->mss_max)
			  : (VTCP_DEFAULT_MSS < t->mss_max ? VTCP_DEFAULT_MSS : t->mss_max);
	vtcp_scale(c, seg);
	c->snd_una = c->recover = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	t->next_id += t->next_id == 0;
	t->st.opened++;
	vtcp_xmit(t, c, TCP_SYN | TCP_ACK, c->iss, 0, 0);
	vtcp_arm(t, c);
}

/* A RST: exactly at rcv_nxt it closes, elsewhere in the window it gets a challenge ACK. */
static void vtcp_on_rst(struct vtcp *t, struct vtcp_conn *c, const struct tcp_view *seg)
{
	if (seg->seq == c->rcv_nxt) {
		t->st.resets_rcvd++;
		vtcp_close(t, c);
	} else if (seq_lt(c->rcv_nxt, seg->seq) && seq_lt(seg->seq, c->rcv_nxt + vtcp_rcv_wnd(c))) {
		vtcp_send_ack(t, c);
	}
}

/* A SYN on an open connection: the SYN-ACK again (a repeated SYN), else a challenge ACK. */
static void vtcp_on_syn(struct vtcp *t, struct vtcp_conn *c, const struct tcp_view *seg)
{
	if (c->st == VTCP_SYN_RCVD && seg->seq + 1 == c->rcv_nxt && !(seg->flags & TCP_ACK))
		vtcp_xmit(t, c, TCP_SYN | TCP_ACK, c->iss, 0, 0);
	else
		vtcp_send_ack(t, c);
}

/* Let the service take what the receive buffer holds; acknowledge when the window opened. */
static void vtcp_offer(struct vtcp_conn *c)
{
	size_t n;

	if (!c->rlen || c->st == VTCP_DEAD)
		return;
	n = c->ops->recv(c->svc, c->rbuf, c->rlen);
	if (n == 0 || n > c->rlen || c->st == VTCP_DEAD)
		return;
	memmove(c->rbuf, c->rbuf + n, c->rlen - n);
	c->rlen -= n;
	c->ack_now = true;
}

/* Everything up to @acked bytes past snd_una is acknowledged: free it, restart the timer. */
static void vtcp_acked(struct vtcp *t, struct vtcp_conn *c, uint32_t acked)
{
	size_t data = acked < c->slen ? acked : c->slen;

	ring_drop(c, data);
	c->snd_una += acked;
	if (seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una; /* acknowledged before a rewind resent it */
	c->retries = 0;
	c->dupacks = 0;
	c->rto_ms = VTCP_RTO_MIN_MS;
	c->rto_at = 0;
	if (c->snd_nxt != c->snd_una || c->slen)
		vtcp_arm(t, c);
	if (c->fin_out && c->snd_una == c->snd_max)
		vtcp_close(t, c); /* our FIN is acknowledged */
	else if (c->rlen)
		vtcp_offer(c); /* send room freed: the service may take more */
	else if (c->ops->acked)
		c->ops->acked(c->svc);
}

/* The third duplicate ACK (no data, same window): everything in flight again. */
static void vtcp_dupack(struct vtcp *t, struct vtcp_conn *c, const struct tcp_view *seg)
{
	if (seg->payload_len || (seg->flags & TCP_FIN) || c->snd_max == c->snd_una ||
	    ((uint32_t)seg->win << c->snd_shift) != c->snd_wnd ||
	    seq_lt(c->snd_una, c->recover))
		return;
	if (++c->dupacks != VTCP_DUPACKS)
		return;
	t->st.retransmits++;
	c->recover = c->snd_max;
	c->snd_nxt = c->snd_una;
	c->fin_sent = false;
	vtcp_output(t, c, false);
}

/* The ACK field; false = the segment goes no further. */
static bool vtcp_on_ack(struct vtcp *t, struct vtcp_conn *c, const struct tcp_view *seg)
{
	if (c->st == VTCP_SYN_RCVD) {
		if (seg->ack != c->iss + 1) {
			vtcp_reset_reply(t, &c->ends, seg);
			return false;
		}
		c->st = VTCP_ESTABLISHED;
	}
	if (seq_lt(c->snd_max, seg->ack)) {
		c->ack_now = true; /* acknowledges what we never sent */
		return false;
	}
	if (seq_lt(seg->ack, c->snd_una))
		return true; /* an old ACK: its data may still be new */
	if (seg->ack == c->snd_una)
		vtcp_dupack(t, c, seg);
	else
		vtcp_acked(t, c, seg->ack - c->snd_una);
	c->snd_wnd = (uint32_t)seg->win << c->snd_shift;
	return c->st != VTCP_DEAD;
}


/* In-order bytes: to the service, the rest into the receive buffer. Return: bytes accepted. */
static size_t vtcp_accept(struct vtcp_conn *c, const uint8_t *data, size_t len)
{
	size_t taken = 0;

	if (len > vtcp_rcv_wnd(c))
		len = vtcp_rcv_wnd(c);
	if (!len)
		return 0;
	if (!c->rlen)
		taken = c->ops->recv(c->svc, data, len);
	if (taken >= len || c->st == VTCP_DEAD)
		return len;
	if (!c->rbuf && !(c->rbuf = malloc(c->rcv_buf)))
		return taken;
	memcpy(c->rbuf + c->rlen, data + taken, len - taken);
	c->rlen += len - taken;
	return len;
}

/*
 * Delayed ACK: the first of two in-order segments that the service took
 * whole, with no PSH or FIN, is acknowledged at the end of the engine round
 * (vtcp_deadline() is then "now"), unless a segment we send carries it
 * first; the second is acknowledged at once, as is anything else.
 */
static void vtcp_delay_ack(struct vtcp_conn *c, const struct tcp_view *seg, bool whole)
{
	if (!whole || c->rlen || c->st != VTCP_ESTABLISHED || (seg->flags & (TCP_PSH | TCP_FIN)) || c->ack_later)
		return;
	c->ack_later = true;
	c->ack_now = false;
}

/* Payload and FIN: accepted when they start at rcv_nxt (after trimming what we have). */
static void vtcp_on_data(struct vtcp *t, struct vtcp_conn *c, const struct tcp_view *seg)
{
	const uint8_t *data = seg->payload;
	size_t len = seg->payload_len, skip = 0;
	bool fin = seg->flags & TCP_FIN;

	if (!len && !fin)
		return;
	c->ack_now = true;
	if (c->st != VTCP_ESTABLISHED)
		return; /* nothing may follow a FIN */
	if (seq_lt(seg->seq, c->rcv_nxt))
		skip = c->rcv_nxt - seg->seq;
	if (seg->seq + skip != c->rcv_nxt || skip > len || (skip == len && !fin)) {
		t->st.out_of_order += !seq_lt(seg->seq, c->rcv_nxt);
		return;
	}
	len = vtcp_accept(c, data + skip, len - skip);
	c->rcv_nxt += (uint32_t)len;
	if (fin && len == seg->payload_len - skip && c->st == VTCP_ESTABLISHED) {
		c->rcv_nxt++;
		c->st = VTCP_CLOSE_WAIT;
	}
	vtcp_delay_ack(c, seg, len == seg->payload_len - skip);
}

void vtcp_input(struct vtcp *t, const struct vhost_dgram *ends, const struct tcp_view *seg,
		const struct vtcp_ops *ops, void *opaque, uint64_t now_ms)
{
	struct vtcp_conn *c = vtcp_find(t, ends);

	t->now = now_ms;
	if (!c) {
		vtcp_listen(t, ends, seg, ops, opaque);
		return;
	}
	c->last_rx = now_ms;
	memcpy(c->ends.mac, ends->mac, sizeof(c->ends.mac));
	if (seg->flags & TCP_RST)
		vtcp_on_rst(t, c, seg);
	else if (seg->flags & TCP_SYN)
		vtcp_on_syn(t, c, seg);
	else if ((seg->flags & TCP_ACK) && vtcp_on_ack(t, c, seg))
		vtcp_on_data(t, c, seg);
	if (c->st != VTCP_DEAD)
		vtcp_output(t, c, false);
	if (c->st != VTCP_DEAD && c->ack_now)
		vtcp_send_ack(t, c);
	vtcp_reap(t);
}

/* ---- the service's side ---- */

int vtcp_send(struct vtcp *t, uint32_t id, const uint8_t *data, size_t len)
{
	struct vtcp_conn *c = vtcp_by_id(t, id);

	if (!c || c->st != VTCP_ESTABLISHED)
		return -ENOENT;
	if (len > vtcp_send_room(t, id))
		return -ENOBUFS;
	if (!c->sbuf && !(c->sbuf = malloc(VTCP_SND_BUF)))
		return -ENOBUFS;
	ring_write(c, data, len);
	vtcp_output(t, c, false);
	return 0;
}

size_t vtcp_send_room(const struct vtcp *t, uint32_t id)
{
	const struct vtcp_conn *c = vtcp_by_id(t, id);

	return c ? VTCP_SND_BUF - c->slen : 0;
}

void vtcp_resume(struct vtcp *t, uint32_t id)
{
	struct vtcp_conn *c = vtcp_by_id(t, id);

	if (!c || c->st == VTCP_SYN_RCVD)
		return;
	vtcp_offer(c);
	if (c->st != VTCP_DEAD && c->ack_now)
		vtcp_send_ack(t, c); /* the window opened */
}

void *vtcp_service(const struct vtcp *t, uint32_t id)
{
	const struct vtcp_conn *c = vtcp_by_id(t, id);

	return c ? c->svc : NULL;
}

void vtcp_set_idle(struct vtcp *t, uint32_t id, unsigned ms)
{
	struct vtcp_conn *c = vtcp_by_id(t, id);

	if (c)
		c->idle_ms = ms;
}

static void vtcp_reset(struct vtcp *t, struct vtcp_conn *c)
{
	t->st.resets_sent++;
	vtcp_xmit(t, c, TCP_RST | TCP_ACK, c->snd_nxt, 0, 0);
	vtcp_close(t, c);
}

void vtcp_abort(struct vtcp *t, uint32_t id)
{
	struct vtcp_conn *c = vtcp_by_id(t, id);

	if (c)
		vtcp_reset(t, c);
}

/* ---- timers ---- */

/* The retransmission timer expired: SYN-ACK again, or everything from snd_una. */
static void vtcp_timeout(struct vtcp *t, struct vtcp_conn *c)
{
	c->rto_at = 0;
	if (++c->retries > VTCP_MAX_RETRIES) {
		t->st.timeouts++;
		vtcp_reset(t, c);
		return;
	}
	t->st.retransmits++;
	c->recover = c->snd_max;
	c->rto_ms = c->rto_ms * 2 < VTCP_RTO_MAX_MS ? c->rto_ms * 2 : VTCP_RTO_MAX_MS;
	if (c->st == VTCP_SYN_RCVD)
		vtcp_xmit(t, c, TCP_SYN | TCP_ACK, c->iss, 0, 0);
	c->snd_nxt = c->st == VTCP_SYN_RCVD ? c->iss + 1 : c->snd_una;
	c->fin_sent = false;
	vtcp_output(t, c, true);
	vtcp_arm(t, c);
}

void vtcp_tick(struct vtcp *t, uint64_t now_ms)
{
	t->now = now_ms;
	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++) {
		struct vtcp_conn *c = &t->conns[i];

		if (c->st == VTCP_FREE || c->st == VTCP_DEAD)
			continue;
		if (c->ack_later)
			vtcp_send_ack(t, c);
		if (now_ms - c->last_rx >= c->idle_ms) {
			t->st.timeouts++;
			vtcp_reset(t, c);
		} else if (c->rto_at && now_ms >= c->rto_at) {
			vtcp_timeout(t, c);
		}
	}
	vtcp_reap(t);
}

uint64_t vtcp_deadline(const struct vtcp *t)
{
	uint64_t d = UINT64_MAX;

	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++) {
		const struct vtcp_conn *c = &t->conns[i];

		if (c->st == VTCP_FREE || c->st == VTCP_DEAD)
			continue;
		if (c->rto_at && c->rto_at < d)
			d = c->rto_at;
		if (c->ack_later && t->now < d)
			d = t->now;
		if (c->last_rx + c->idle_ms < d)
			d = c->last_rx + c->idle_ms;
	}
	return d;
}

void vtcp_stats(const struct vtcp *t, struct vtcp_stats *out)
{
	*out = t->st;
	out->conns = 0;
	for (unsigned i = 0; i < VTCP_MAX_CONNS; i++)
		out->conns += t->conns[i].st != VTCP_FREE && t->conns[i].st != VTCP_DEAD;
}
