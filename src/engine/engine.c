/* SPDX-License-Identifier: MIT */
/* engine.c: the per-guest engine: poll-loop thread, TX/RX rings, commands, counters. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "core/arp.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/log.h"
#include "core/ring.h"
#include "engine/dhcp_nak.h"
#include "engine/engine_sync.h"
#include "engine/impair.h"
#include "engine/nat_opts.h"
#include "engine/nfsvc.h"
#include "engine/pcapng.h"
#include "engine/phantom.h"
#include "engine/vhost.h"
#include "engine/vtcp.h"
#include "indynet/indynet.h"
#include "nfs/nfs.h"

/*
 * Theory of operation
 *
 * Each engine owns one thread that sleeps in poll(2) on: an eventfd (the
 * "wake" fd) signalled when guest frames were queued on the TX ring or a
 * command was queued, the descriptors callers asked us to watch, and the
 * backend's sockets; the timeout is the nearest of the backend's timers,
 * the phantom host's, the virtual hosts' TCP timers (vtcp.c) and the
 * one-second reassembly age-out tick.
 *
 * Guest TX: indynet_guest_send() from a foreign thread pushes the frame on
 * the SPSC TX ring and writes the wake fd only when no wake-up is pending
 * already (tx_wake_pending), so a burst costs one syscall.  Called on the
 * engine thread itself (from a watched-fd callback) it processes the frame
 * at once: no ring, no wake-up, no thread hop.
 *
 * With cfg.impair, every guest frame and every frame for the guest first
 * crosses the impaired link (src/engine/impair.c), whose delayed and held
 * frames come out of impair_run() when the loop's timeout says so.
 *
 * Processing a guest frame: capture it, validate it (drops counted by
 * reason), learn the guest's MAC and IPv4 address, offer it to the virtual
 * hosts, and hand what they do not consume to the backend.  The virtual
 * hosts also hold every IPv4 fragment in the bounded reassembler and pass
 * the backend whole datagrams only (libslirp's own reassembly is
 * unbounded).  NFS calls are deferred: the frame path queues them for the
 * NFS worker thread (src/engine/nfsvc.c), whose answers come back through
 * an eventfd watched like any other descriptor and leave as frames from
 * this thread.
 *
 * Guest RX: a consumer on the engine thread may take a frame at once
 * through cfg.rx_deliver while the RX ring is empty (no copy, no deferral:
 * indynetd writes it straight to the TAP or socket).  Otherwise the frame
 * goes on the SPSC RX ring (the engine thread is its only producer).  At the end of each loop round that queued
 * frames, cfg.rx_notify is called once, and the RX eventfd is written unless
 * a wake-up is still pending there (rx_wake_pending, cleared by
 * indynet_rx_fd_clear() before the consumer drains), so a consumer that
 * drives itself by rx_notify costs no eventfd syscall per round.
 *
 * Commands (forwards, subnet, watches) from other threads are queued under
 * a mutex, the wake fd is written and the caller waits on a condition
 * variable for the engine thread's verdict.  Before the thread starts, and
 * on the engine thread itself, they run directly.
 *
 * Counters: each is written by one thread only (the engine thread, except
 * the drops counted in indynet_guest_send() which are atomic adds) and are
 * atomics read with relaxed loads; a sequence counter around each update
 * lets indynet_stats_get() take a snapshot that is consistent.
 */

#define ENG_TICK_MS 1000
#define ENG_FD_RESERVE 64u /* descriptors the NAT flow cap leaves to the daemon */
#define ENG_NFS_FDS_DEFAULT 512u /* the NFS server's cache_fds when 0 (nfs.h) */
#define ENG_TX_RING_FRAMES 256u
#define ENG_ERR_MAX 256
#define ENG_CFG_STRINGS 13u /* the strings of struct indynet_config */

struct eng_watch {
	int fd;
	short events;
	indynet_fd_fn fn;
	void *opaque;
	int ps_idx; /* index in this round's poll set, -1 = not polled */
};

struct eng_cmd {
	int (*fn)(indynet_engine *e, void *arg);
	void *arg;
	int result;
	bool done;
	struct eng_cmd *next;
};

#define ENG_TCP_CTRS 8u

struct eng_stats {
	_Atomic unsigned seq;
	_Atomic uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	_Atomic uint64_t drops[INDYNET_DROP__COUNT];     /* engine thread */
	_Atomic uint64_t vh_drops[INDYNET_DROP__COUNT];  /* published copy of vhost/reasm drops */
	_Atomic uint64_t caller_drops[INDYNET_DROP__COUNT]; /* guest_send's or the RX consumer's thread: atomic adds */
	_Atomic uint64_t guest_mac; /* bit 48 set when known */
	_Atomic uint32_t guest_ip;
	_Atomic int64_t last_activity_ms;
	_Atomic uint32_t nat_flows, nat_flow_cap; /* published from the backend each round */
	_Atomic uint64_t tcp[ENG_TCP_CTRS];       /* published copy of vtcp_stats(), in eng_tcp_read()'s order */
	_Atomic uint32_t tcp_conns;
};

/* a caller waiting for the phantom host's probe verdict (eng_ph_wait()) */
struct eng_ph_wait {
	uint32_t ip; /* in: the address to claim; out: the one claimed or suggested */
	int rc;
	char *err;
	size_t errlen;
	bool done;
};

struct indynet_engine {
	struct indynet_config cfg; /* strings point at the copies below */
	struct ilog_sink log_sink; /* cfg.log; entered on every thread working for this engine */
	eng_backend_factory *make_backend;
	char *strs[ENG_CFG_STRINGS]; /* copies of cfg's strings, in eng_cfg_strings' order */
	struct backend_nat_opts nat_opts; /* cfg's NAT options, checked; the backend points at them */
	unsigned mtu;
	size_t capture_buffer;
	uint8_t told_mac[ETH_ALEN]; /* the guest MAC the backend was told; engine thread */
	bool mac_told;
	uint32_t net;   /* network byte order */
	unsigned prefix;
	uint32_t gw;    /* gateway address, network byte order */
	uint32_t old_gw; /* the previous subnet's gateway, answering DHCP with NAK; 0 = none */

	struct backend *backend;
	bool backend_reset; /* the backend was rebuilt during this loop round */
	struct vhost_table *vt;
	struct nfsvc *nfs; /* the in-core NFS service, or NULL */
	struct phantom *ph;     /* bridge mode: the phantom NFS host */
	struct backend_lan lan; /* the LAN phantom_set_lan() was last told of */
	bool have_lan;
	struct eng_ph_wait *ph_wait; /* a caller waiting for a probe's verdict */
	struct pcapng *cap;
	struct impair *imp; /* cfg.impair: the link between the guest and the engine, or NULL */

	struct frame_ring tx, rx;
	int wake_fd, rx_fd;
	atomic_bool tx_wake_pending;
	atomic_bool rx_wake_pending; /* rx_fd written and not cleared since */
	bool rx_pending;

	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	pthread_mutex_t lock; /* commands and running */
	pthread_cond_t cond;
	bool running;
	struct eng_cmd *cmd_head, **cmd_tail;

	struct eng_watch *watches;
	unsigned nwatch, watch_cap;
	struct poll_set ps;
	uint64_t next_tick_ms;
	uint64_t now_mono_ms; /* taken once per loop round, after poll(2) */
	int64_t now_real_ms;

	struct eng_stats st;
};

static _Thread_local indynet_engine *eng_current;

/* ---- counters ---- */

static void ctr_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v, memory_order_relaxed);
}

static void stats_begin(struct eng_stats *st)
{
	atomic_fetch_add_explicit(&st->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void stats_end(struct eng_stats *st)
{
	atomic_fetch_add_explicit(&st->seq, 1, memory_order_release);
}

static void eng_drop(indynet_engine *e, enum indynet_drop_reason r)
{
	stats_begin(&e->st);
	ctr_add(&e->st.drops[r], 1);
	stats_end(&e->st);
}

static void eng_tcp_publish(struct eng_stats *st, const struct vtcp_stats *ts)
{
	const uint64_t v[ENG_TCP_CTRS] = { ts->opened,	    ts->refused,     ts->closed,      ts->timeouts,
					   ts->resets_sent, ts->resets_rcvd, ts->retransmits, ts->out_of_order };

	for (unsigned i = 0; i < ENG_TCP_CTRS; i++)
		atomic_store_explicit(&st->tcp[i], v[i], memory_order_relaxed);
	atomic_store_explicit(&st->tcp_conns, ts->conns, memory_order_relaxed);
}

static void eng_tcp_read(const struct eng_stats *st, struct indynet_nfs_tcp_stats *out)
{
	uint64_t *const v[ENG_TCP_CTRS] = { &out->opened,	   &out->refused,     &out->closed,
					    &out->timeouts,	   &out->resets_sent, &out->resets_rcvd,
					    &out->retransmits, &out->out_of_order };

	for (unsigned i = 0; i < ENG_TCP_CTRS; i++)
		*v[i] = atomic_load_explicit(&st->tcp[i], memory_order_relaxed);
	out->conns = atomic_load_explicit(&st->tcp_conns, memory_order_relaxed);
	out->conns_max = VTCP_MAX_CONNS;
}

static void eng_publish_vhost(indynet_engine *e)
{
	uint64_t d[INDYNET_DROP__COUNT] = { 0 };
	unsigned cap, flows = e->backend ? backend_flows(e->backend, &cap) : (cap = 0);
	struct vtcp_stats ts;

	vhost_counters(e->vt, d);
	vtcp_stats(vhost_tcp(e->vt), &ts);
	stats_begin(&e->st);
	eng_tcp_publish(&e->st, &ts);
	for (unsigned i = 0; i < INDYNET_DROP__COUNT; i++)
		atomic_store_explicit(&e->st.vh_drops[i], d[i], memory_order_relaxed);
	atomic_store_explicit(&e->st.nat_flows, flows, memory_order_relaxed);
	atomic_store_explicit(&e->st.nat_flow_cap, cap, memory_order_relaxed);
	stats_end(&e->st);
}

static void stats_read(const struct eng_stats *st, struct indynet_stats *out)
{
	uint64_t mac;

	out->tx_frames = atomic_load_explicit(&st->tx_frames, memory_order_relaxed);
	out->tx_bytes = atomic_load_explicit(&st->tx_bytes, memory_order_relaxed);
	out->rx_frames = atomic_load_explicit(&st->rx_frames, memory_order_relaxed);
	out->rx_bytes = atomic_load_explicit(&st->rx_bytes, memory_order_relaxed);
	for (unsigned i = 0; i < INDYNET_DROP__COUNT; i++)
		out->drops[i] = atomic_load_explicit(&st->drops[i], memory_order_relaxed) +
				atomic_load_explicit(&st->vh_drops[i], memory_order_relaxed) +
				atomic_load_explicit(&st->caller_drops[i], memory_order_relaxed);
	mac = atomic_load_explicit(&st->guest_mac, memory_order_relaxed);
	out->guest_mac_known = (mac >> 48) & 1;
	for (int i = 0; i < 6; i++)
		out->guest_mac[i] = (uint8_t)(mac >> (40 - 8 * i));
	out->guest_ip = atomic_load_explicit(&st->guest_ip, memory_order_relaxed);
	out->last_activity_ms = atomic_load_explicit(&st->last_activity_ms, memory_order_relaxed);
	out->nat_flows = atomic_load_explicit(&st->nat_flows, memory_order_relaxed);
	out->nat_flow_cap = atomic_load_explicit(&st->nat_flow_cap, memory_order_relaxed);
}

int indynet_nfs_stats_get(indynet_engine *e, struct indynet_nfs_stats *st)
{
	if (!e->nfs)
		return -ENOENT;
	nfsvc_stats(e->nfs, st);
	return 0;
}

int indynet_nfs_tcp_stats_get(indynet_engine *e, struct indynet_nfs_tcp_stats *st)
{
	if (!e->nfs)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	eng_tcp_read(&e->st, st);
	nfsvc_tcp_stats(e->nfs, &st->records, &st->oversize);
	return 0;
}

int indynet_nfs_clients_get(indynet_engine *e, struct indynet_nfs_client *out, size_t max)
{
	size_t want = max < NFS_CLIENTS_MAX ? max : NFS_CLIENTS_MAX, n;
	struct nfs_client *tmp;

	if (!e->nfs)
		return -ENOENT;
	tmp = want ? calloc(want, sizeof(*tmp)) : NULL;
	if (want && !tmp)
		return -ENOMEM;
	n = nfs_server_clients(nfsvc_server(e->nfs), tmp, want);
	for (size_t i = 0; i < want && i < n; i++) {
		out[i].addr = tmp[i].addr;
		snprintf(out[i].path, sizeof(out[i].path), "%s", tmp[i].path);
	}
	free(tmp);
	return (int)n;
}

int indynet_nfs_proc_calls_get(indynet_engine *e, unsigned vers, uint64_t *calls, size_t max)
{
	if (!e->nfs)
		return -ENOENT;
	if (vers != 2 && vers != 3)
		return -EINVAL;
	return nfs_server_proc_calls(nfsvc_server(e->nfs), vers, calls, max);
}

const char *indynet_nfs_proc_name(unsigned vers, unsigned proc)
{
	return nfs_proc_name(vers, proc);
}

void indynet_stats_get(indynet_engine *e, struct indynet_stats *st)
{
	unsigned s1, s2;

	do {
		s1 = atomic_load_explicit(&e->st.seq, memory_order_acquire);
		stats_read(&e->st, st);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&e->st.seq, memory_order_relaxed);
	} while ((s1 & 1) || s1 != s2);
}

/* wall-clock microseconds for capture timestamps */
static int64_t eng_real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- RX: frames for the guest ---- */

/* the consumer's fast path: only while nothing waits on the ring, so frames keep their order */
static bool eng_deliver_direct(indynet_engine *e, const uint8_t *frame, size_t len)
{
	return e->cfg.rx_deliver && ring_count(&e->rx) == 0 &&
	       e->cfg.rx_deliver(e->cfg.rx_notify_opaque, frame, len);
}

/* a frame for the guest, past the impaired link */
static void eng_rx_out(void *opaque, const uint8_t *frame, size_t len)
{
	indynet_engine *e = opaque;

	if (len > INDYNET_FRAME_MAX) {
		eng_drop(e, INDYNET_DROP_OVERSIZED);
		return;
	}
	if (!eng_deliver_direct(e, frame, len)) {
		if (!ring_push(&e->rx, frame, len)) {
			eng_drop(e, INDYNET_DROP_RX_RING_FULL);
			return;
		}
		e->rx_pending = true;
	}
	stats_begin(&e->st);
	ctr_add(&e->st.rx_frames, 1);
	ctr_add(&e->st.rx_bytes, len);
	stats_end(&e->st);
	if (e->cap)
		pcapng_write(e->cap, frame, len, PCAPNG_INBOUND, eng_real_us());
}

static void eng_to_guest(void *opaque, const uint8_t *frame, size_t len)
{
	indynet_engine *e = opaque;

	if (e->imp)
		impair_input(e->imp, IMPAIR_RX, frame, len, e->now_mono_ms);
	else
		eng_rx_out(e, frame, len);
}

static void eng_flush(indynet_engine *e)
{
	/* rx_notify may make the caller send frames whose answers queue more */
	for (int round = 0; e->rx_pending && round < 4; round++) {
		uint64_t one = 1;

		e->rx_pending = false;
		if (!atomic_exchange(&e->rx_wake_pending, true) && write(e->rx_fd, &one, sizeof(one)) < 0 &&
		    errno != EAGAIN)
			ilog(INDYNET_LOG_WARN, "engine: rx eventfd: %s", strerror(errno));
		if (e->cfg.rx_notify)
			e->cfg.rx_notify(e->cfg.rx_notify_opaque);
	}
	if (e->cap)
		pcapng_flush(e->cap);
}

/* backend_host.to_guest: a frame from the backend; the phantom host sees it first (bridge mode) */
static void eng_from_backend(void *opaque, const uint8_t *frame, size_t len)
{
	indynet_engine *e = opaque;

	if (e->ph && phantom_from_lan(e->ph, frame, len))
		return;
	eng_to_guest(e, frame, len);
}

/* backend_host.drop */
static void eng_backend_drop(void *opaque, enum indynet_drop_reason r)
{
	eng_drop(opaque, r);
}

/* backend_host.rx_room */
static unsigned eng_rx_room(void *opaque)
{
	indynet_engine *e = opaque;

	return INDYNET_RX_RING_FRAMES - (unsigned)ring_count(&e->rx);
}

/* backend_host.status_changed */
static void eng_status_changed(void *opaque)
{
	indynet_engine *e = opaque;

	if (e->cfg.status_notify)
		e->cfg.status_notify(e->cfg.status_opaque);
}

/* ---- TX: frames from the guest ---- */

static void eng_to_backend(void *opaque, const uint8_t *frame, size_t len)
{
	indynet_engine *e = opaque;

	e->backend->ops->input(e->backend, frame, len);
}

static void eng_learn(indynet_engine *e, const uint8_t *mac, uint32_t ip)
{
	uint64_t m = 1ull << 48;

	for (int i = 0; i < 6; i++)
		m |= (uint64_t)mac[i] << (40 - 8 * i);
	atomic_store_explicit(&e->st.guest_mac, m, memory_order_relaxed);
	if (ip)
		atomic_store_explicit(&e->st.guest_ip, ip, memory_order_relaxed);
}

/* tell the backend the guest's (unicast) source MAC when it is new or changed */
static void eng_note_mac(indynet_engine *e, const uint8_t *src)
{
	if (eth_is_multicast(src) || (e->mac_told && memcmp(e->told_mac, src, ETH_ALEN) == 0))
		return;
	memcpy(e->told_mac, src, ETH_ALEN);
	e->mac_told = true;
	backend_guest_mac(e->backend, src);
}

/* validate a guest frame; learn from it; -1 = dropped (counted) */
static int eng_check(indynet_engine *e, const uint8_t *frame, size_t len)
{
	struct eth_view eth;
	struct arp_view arp;
	struct ipv4_view ip;
	int rc;

	eth_parse(frame, len, &eth); /* len >= ETH_HLEN was checked by the caller */
	switch (eth.ethertype) {
	case ETHERTYPE_ARP:
		rc = arp_parse(eth.payload, eth.payload_len, &arp);
		if (rc == 0)
			eng_learn(e, eth.src, arp.spa);
		break;
	case ETHERTYPE_IPV4:
		rc = ipv4_parse(eth.payload, eth.payload_len, &ip);
		if (rc == 0 && ip.hlen + ip.frag_off + ip.payload_len > IPV4_MAX_LEN) {
			/* a fragment reaching past 65535: no datagram can hold it */
			ctr_add(&e->st.drops[INDYNET_DROP_FRAG_TOO_BIG], 1);
			return -1;
		}
		if (rc == 0)
			eng_learn(e, eth.src, ip.src);
		break;
	default:
		return 0;
	}
	if (rc == 0)
		return 0;
	ctr_add(&e->st.drops[rc == -EMSGSIZE ? INDYNET_DROP_TRUNCATED : INDYNET_DROP_MALFORMED], 1);
	return -1;
}

/* one guest frame, on the engine thread (now_* are this round's clocks) */
static void eng_process(indynet_engine *e, const uint8_t *frame, size_t len)
{
	int rc;

	if (e->cap)
		pcapng_write(e->cap, frame, len, PCAPNG_OUTBOUND, eng_real_us());
	stats_begin(&e->st);
	rc = eng_check(e, frame, len);
	if (rc == 0) {
		ctr_add(&e->st.tx_frames, 1);
		ctr_add(&e->st.tx_bytes, len);
		atomic_store_explicit(&e->st.last_activity_ms, e->now_real_ms, memory_order_relaxed);
	}
	stats_end(&e->st);
	if (rc < 0)
		return;
	if (e->ph)
		phantom_from_guest(e->ph, frame, len);
	eng_note_mac(e, frame + ETH_ALEN);
	if (vhost_input(e->vt, frame, len, e->now_mono_ms))
		return;
	e->backend->ops->input(e->backend, frame, len);
}

/* impair_out_fn of IMPAIR_TX: a guest frame past the impaired link */
static void eng_tx_out(void *opaque, const uint8_t *frame, size_t len)
{
	eng_process(opaque, frame, len);
}

/* a guest frame, through the impaired link when there is one */
static void eng_guest_frame(indynet_engine *e, const uint8_t *frame, size_t len)
{
	if (e->imp)
		impair_input(e->imp, IMPAIR_TX, frame, len, e->now_mono_ms);
	else
		eng_process(e, frame, len);
}

static void eng_drain_tx(indynet_engine *e)
{
	const uint8_t *f;
	size_t len;

	atomic_store(&e->tx_wake_pending, false);
	while (ring_peek(&e->tx, &f, &len)) {
		eng_guest_frame(e, f, len);
		ring_pop(&e->tx);
	}
}

static size_t eng_frame_limit(const indynet_engine *e)
{
	/* an 802.1Q tag may ride on top of the MTU */
	return ETH_HLEN + 4 + e->mtu;
}

int indynet_guest_send(indynet_engine *e, const void *frame, size_t len)
{
	if (len < ETH_HLEN || len > INDYNET_FRAME_MAX || len > eng_frame_limit(e)) {
		enum indynet_drop_reason r = len < ETH_HLEN ? INDYNET_DROP_TRUNCATED : INDYNET_DROP_OVERSIZED;

		atomic_fetch_add_explicit(&e->st.caller_drops[r], 1, memory_order_relaxed);
		return -EMSGSIZE;
	}
	if (eng_current == e) {
		eng_guest_frame(e, frame, len);
		return 0;
	}
	if (!ring_push(&e->tx, frame, len)) {
		atomic_fetch_add_explicit(&e->st.caller_drops[INDYNET_DROP_TX_RING_FULL], 1, memory_order_relaxed);
		return -ENOBUFS;
	}
	if (!atomic_exchange(&e->tx_wake_pending, true)) {
		uint64_t one = 1;

		if (write(e->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

int eng_input_sync(indynet_engine *e, const void *frame, size_t len)
{
	indynet_engine *prev = eng_current;
	int rc;

	if (e->thread_started)
		return -EBUSY;
	e->now_mono_ms = clock_mono_ms();
	e->now_real_ms = clock_real_ms();
	eng_current = e; /* indynet_guest_send() processes the frame at once */
	rc = indynet_guest_send(e, frame, len);
	eng_current = prev;
	eng_publish_vhost(e);
	eng_flush(e);
	return rc;
}

/* ---- RX API (consumer side) ---- */

ssize_t indynet_guest_recv(indynet_engine *e, void *buf, size_t cap)
{
	const uint8_t *f;
	size_t len;

	if (!ring_peek(&e->rx, &f, &len))
		return -EAGAIN;
	if (len > cap)
		return -EMSGSIZE;
	memcpy(buf, f, len);
	ring_pop(&e->rx);
	return (ssize_t)len;
}

bool indynet_rx_peek(indynet_engine *e, const uint8_t **frame, size_t *len)
{
	return ring_peek(&e->rx, frame, len);
}

void indynet_rx_pop(indynet_engine *e)
{
	ring_pop(&e->rx);
}

size_t indynet_rx_flush(indynet_engine *e)
{
	const uint8_t *f;
	size_t len, n = 0;

	for (; ring_peek(&e->rx, &f, &len); n++)
		ring_pop(&e->rx);
	if (n)
		atomic_fetch_add_explicit(&e->st.caller_drops[INDYNET_DROP_RX_FLUSHED], n,
					  memory_order_relaxed);
	return n;
}

int indynet_rx_fd(indynet_engine *e)
{
	return e->rx_fd;
}

void indynet_rx_fd_clear(indynet_engine *e)
{
	uint64_t v;

	atomic_store(&e->rx_wake_pending, false);
	if (read(e->rx_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		ilog(INDYNET_LOG_WARN, "engine: rx eventfd: %s", strerror(errno));
}

/* ---- commands ---- */

static void eng_wake(indynet_engine *e)
{
	uint64_t one = 1;

	if (write(e->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		ilog(INDYNET_LOG_WARN, "engine: wake eventfd: %s", strerror(errno));
}

/* run @fn on the engine thread (or here, when that is safe) and return its result */
static int eng_call(indynet_engine *e, int (*fn)(indynet_engine *, void *), void *arg)
{
	struct eng_cmd c = { .fn = fn, .arg = arg };

	if (eng_current == e)
		return fn(e, arg);
	pthread_mutex_lock(&e->lock);
	if (!e->running) {
		pthread_mutex_unlock(&e->lock);
		return fn(e, arg);
	}
	*e->cmd_tail = &c;
	e->cmd_tail = &c.next;
	pthread_mutex_unlock(&e->lock);
	eng_wake(e);
	pthread_mutex_lock(&e->lock);
	while (!c.done)
		pthread_cond_wait(&e->cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return c.result;
}

/* run every queued command; @last: also mark the engine stopped */
static void eng_run_commands(indynet_engine *e, bool last)
{
	struct eng_cmd *list;

	pthread_mutex_lock(&e->lock);
	list = e->cmd_head;
	e->cmd_head = NULL;
	e->cmd_tail = &e->cmd_head;
	if (last)
		e->running = false;
	pthread_mutex_unlock(&e->lock);
	if (!list)
		return;
	for (struct eng_cmd *c = list; c; c = c->next)
		c->result = c->fn(e, c->arg);
	pthread_mutex_lock(&e->lock);
	for (struct eng_cmd *c = list, *next; c; c = next) {
		next = c->next;
		c->done = true;
	}
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* ---- watched descriptors ---- */

struct watch_arg {
	struct eng_watch w;
};

static int eng_cmd_watch(indynet_engine *e, void *arg)
{
	const struct eng_watch *w = &((struct watch_arg *)arg)->w;

	for (unsigned i = 0; i < e->nwatch; i++)
		if (e->watches[i].fd == w->fd)
			return -EEXIST;
	if (e->nwatch == e->watch_cap) {
		unsigned cap = e->watch_cap ? e->watch_cap * 2 : 8;
		struct eng_watch *p = realloc(e->watches, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		e->watches = p;
		e->watch_cap = cap;
	}
	e->watches[e->nwatch] = *w;
	e->watches[e->nwatch].ps_idx = -1;
	e->nwatch++;
	return 0;
}

static int eng_cmd_unwatch(indynet_engine *e, void *arg)
{
	int fd = *(int *)arg;

	for (unsigned i = 0; i < e->nwatch; i++) {
		if (e->watches[i].fd != fd)
			continue;
		memmove(&e->watches[i], &e->watches[i + 1], (e->nwatch - i - 1) * sizeof(*e->watches));
		e->nwatch--;
		return 0;
	}
	return -ENOENT;
}

int indynet_watch_fd(indynet_engine *e, int fd, short events, indynet_fd_fn fn, void *opaque)
{
	struct watch_arg a = { .w = { .fd = fd, .events = events, .fn = fn, .opaque = opaque } };

	if (fd < 0 || !fn)
		return -EINVAL;
	return eng_call(e, eng_cmd_watch, &a);
}

int indynet_unwatch_fd(indynet_engine *e, int fd)
{
	return eng_call(e, eng_cmd_unwatch, &fd);
}

/*
 * Dispatch ready watches.  A callback may add or remove watches, moving the
 * array, so after each callback the scan starts over; an entry that ran has
 * ps_idx -1 and is not run twice.
 */
static void eng_dispatch_watches(indynet_engine *e)
{
	for (;;) {
		struct eng_watch w;
		bool found = false;
		short rev = 0;

		for (unsigned i = 0; i < e->nwatch && !found; i++) {
			int idx = e->watches[i].ps_idx;

			if (idx < 0 || (unsigned)idx >= e->ps.n)
				continue;
			e->watches[i].ps_idx = -1;
			rev = e->ps.fds[idx].revents;
			if (rev) {
				w = e->watches[i];
				found = true;
			}
		}
		if (!found)
			return;
		w.fn(w.opaque, w.fd, rev);
	}
}

/* ---- the phantom NFS host (bridge mode) ---- */

/* phantom_io.to_lan: the phantom's own frames go on the wire as they are */
static void eng_inject(void *opaque, const uint8_t *frame, size_t len)
{
	indynet_engine *e = opaque;

	backend_inject(e->backend, frame, len);
}

static uint32_t eng_guest_ip(indynet_engine *e)
{
	return atomic_load_explicit(&e->st.guest_ip, memory_order_relaxed);
}

/* tell the phantom when the capture's LAN appears, changes or goes away */
static void eng_lan_update(indynet_engine *e, uint64_t now)
{
	struct backend_lan l;
	struct phantom_lan pl = { 0 };
	bool have;

	memset(&l, 0, sizeof(l));
	have = backend_lan(e->backend, &l) == 0;
	if (have == e->have_lan && (!have || memcmp(&l, &e->lan, sizeof(l)) == 0))
		return;
	e->have_lan = have;
	e->lan = l;
	snprintf(pl.ifname, sizeof(pl.ifname), "%s", l.ifname);
	pl.host_ip = l.host_ip;
	pl.net = l.net;
	pl.prefix = l.prefix;
	phantom_set_lan(e->ph, have ? &pl : NULL, eng_guest_ip(e), now);
}

/* wake the caller waiting for a verdict: @rc, or the phantom's own when @rc is 0 */
static void eng_ph_release(indynet_engine *e, int rc)
{
	struct eng_ph_wait *w = e->ph_wait;

	if (!w || (rc == 0 && !phantom_job(e->ph, &w->rc, &w->ip, w->err, w->errlen)))
		return;
	if (rc < 0) {
		w->rc = rc;
		snprintf(w->err, w->errlen, "the engine stopped");
	}
	e->ph_wait = NULL;
	pthread_mutex_lock(&e->lock);
	w->done = true;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

static void eng_phantom_round(indynet_engine *e, uint64_t now)
{
	if (!e->ph)
		return;
	eng_lan_update(e, now);
	phantom_tick(e->ph, now);
	eng_ph_release(e, 0);
}

void eng_tick_sync(indynet_engine *e, uint64_t now_ms)
{
	e->now_mono_ms = now_ms;
	eng_phantom_round(e, now_ms);
	vhost_tick(e->vt, now_ms);
	eng_publish_vhost(e);
	eng_flush(e);
}

/*
 * After phantom_claim()/phantom_suggest() said @rc: 0 = the verdict is in
 * @w already, 1 = the caller waits for it (on the engine thread only: a
 * probe started on an engine that is not running goes on when it runs).
 */
static int eng_ph_started(indynet_engine *e, struct eng_ph_wait *w, int rc)
{
	if (rc < 0)
		return rc;
	if (phantom_job(e->ph, &w->rc, &w->ip, w->err, w->errlen))
		return w->rc;
	if (eng_current != e)
		return 0;
	e->ph_wait = w;
	return 1;
}

static int eng_cmd_claim(indynet_engine *e, void *arg)
{
	struct eng_ph_wait *w = arg;

	if (e->ph_wait)
		return -EBUSY;
	return eng_ph_started(e, w, phantom_claim(e->ph, w->ip, eng_guest_ip(e), clock_mono_ms(), w->err, w->errlen));
}

static int eng_cmd_suggest(indynet_engine *e, void *arg)
{
	struct eng_ph_wait *w = arg;

	if (e->ph_wait)
		return -EBUSY;
	return eng_ph_started(e, w, phantom_suggest(e->ph, eng_guest_ip(e), clock_mono_ms(), w->err, w->errlen));
}

/* run a claim or suggestion and wait for its verdict when it has to */
static int eng_ph_wait(indynet_engine *e, int (*cmd)(indynet_engine *, void *), struct eng_ph_wait *w)
{
	int rc = eng_call(e, cmd, w);

	if (rc == -EBUSY && !w->err[0])
		snprintf(w->err, w->errlen, "an ARP probe is already running; try again in a few seconds");
	if (rc != 1)
		return rc;
	pthread_mutex_lock(&e->lock);
	while (!w->done)
		pthread_cond_wait(&e->cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return w->rc;
}

/* bridge mode and a phantom to ask, else -EINVAL with the reason */
static int eng_ph_usable(indynet_engine *e, char *err, size_t errlen)
{
	if (e->cfg.mode == INDYNET_MODE_BRIDGE && e->ph)
		return 0;
	snprintf(err, errlen, "the phantom NFS host exists in bridge mode only (NAT mode serves NFS at the gateway)");
	return -EINVAL;
}

int indynet_set_nfs_bridge_ip(indynet_engine *e, const char *ip, char *err, size_t errlen)
{
	char tmp[ENG_ERR_MAX];
	struct eng_ph_wait w = { .err = err ? err : tmp, .errlen = err ? errlen : sizeof(tmp) };
	int rc;

	w.err[0] = '\0';
	rc = eng_ph_usable(e, w.err, w.errlen);
	if (rc == 0 && !e->nfs) {
		snprintf(w.err, w.errlen, "no export to serve: the phantom NFS host needs an export directory");
		rc = -EINVAL;
	} else if (rc == 0 && (!ip || inet_pton(AF_INET, ip, &w.ip) != 1)) {
		snprintf(w.err, w.errlen, "'%s' is not an IPv4 address (A.B.C.D)", ip ? ip : "");
		rc = -EINVAL;
	}
	return rc < 0 ? rc : eng_ph_wait(e, eng_cmd_claim, &w);
}

int indynet_suggest_nfs_ip(indynet_engine *e, char *out, size_t outlen, char *err, size_t errlen)
{
	char tmp[ENG_ERR_MAX];
	struct eng_ph_wait w = { .err = err ? err : tmp, .errlen = err ? errlen : sizeof(tmp) };
	int rc = eng_ph_usable(e, w.err, w.errlen);

	if (rc == 0 && !e->thread_started) {
		snprintf(w.err, w.errlen, "the engine is not running");
		rc = -EAGAIN;
	}
	if (rc == 0)
		rc = eng_ph_wait(e, eng_cmd_suggest, &w);
	if (rc == 0 && !inet_ntop(AF_INET, &w.ip, out, (socklen_t)outlen))
		rc = -ENOSPC;
	return rc;
}

static int eng_cmd_phantom_get(indynet_engine *e, void *arg)
{
	phantom_status(e->ph, arg);
	return 0;
}

void indynet_phantom_get(indynet_engine *e, struct indynet_phantom_status *st)
{
	memset(st, 0, sizeof(*st));
	if (e->ph)
		eng_call(e, eng_cmd_phantom_get, st);
}

/*
 * Bridge mode: a phantom host exists (so that addresses can be suggested
 * even without an export); with an export its NFS server is opened now,
 * so a bad export fails here, and the configured address waits for the
 * capture's LAN to be probed.
 */
static int eng_phantom_build(indynet_engine *e, char *err, size_t errlen)
{
	const struct phantom_io io = { .to_lan = eng_inject, .to_guest = eng_to_guest, .opaque = e };
	char msg[ENG_ERR_MAX];
	uint32_t ip = 0;

	vhost_set_bridged(e->vt, true);
	if (e->cfg.nfs_bridge_ip && inet_pton(AF_INET, e->cfg.nfs_bridge_ip, &ip) != 1) {
		snprintf(err, errlen, "NFS bridge address '%s' is not an IPv4 address (A.B.C.D)", e->cfg.nfs_bridge_ip);
		return -EINVAL;
	}
	if (ip && !e->cfg.export_dir) {
		snprintf(err, errlen, "an NFS bridge address needs an export directory to serve");
		return -EINVAL;
	}
	if (e->cfg.export_dir && !(e->nfs = nfsvc_open(ip, &e->cfg, err, errlen)))
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	e->ph = phantom_new(e->vt, e->nfs, &io);
	if (!e->ph) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	backend_extra_mac(e->backend, (const uint8_t[])PHANTOM_MAC_INIT);
	if (ip)
		phantom_claim(e->ph, ip, 0, clock_mono_ms(), msg, sizeof(msg));
	return 0;
}

/* ---- the loop ---- */

static int eng_fill(indynet_engine *e, uint64_t now)
{
	uint64_t due = e->next_tick_ms, ph = e->ph ? phantom_deadline(e->ph) : UINT64_MAX;
	uint64_t tcp = vhost_deadline(e->vt), imp = e->imp ? impair_deadline(e->imp) : UINT64_MAX;
	int timeout;

	due = ph < due ? ph : due;
	due = tcp < due ? tcp : due;
	due = imp < due ? imp : due;
	timeout = due > now ? (int)(due - now) : 0;

	e->ps.n = 0;
	if (poll_set_add(&e->ps, e->wake_fd, POLLIN) < 0)
		return 0;
	for (unsigned i = 0; i < e->nwatch; i++)
		e->watches[i].ps_idx = poll_set_add(&e->ps, e->watches[i].fd, e->watches[i].events);
	e->backend->ops->poll_fill(e->backend, &e->ps, &timeout);
	return timeout;
}

static void eng_round(indynet_engine *e)
{
	uint64_t now = clock_mono_ms();
	int timeout = eng_fill(e, now);
	int n = poll(e->ps.fds, e->ps.n, timeout);
	bool poll_err = n < 0 && errno != EINTR;

	e->now_mono_ms = clock_mono_ms();
	e->now_real_ms = clock_real_ms();
	e->backend_reset = false;
	if (n > 0 && (e->ps.fds[0].revents & POLLIN)) {
		uint64_t v;

		if (read(e->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			ilog(INDYNET_LOG_WARN, "engine: wake eventfd: %s", strerror(errno));
		eng_run_commands(e, false);
		eng_drain_tx(e);
	}
	if (n > 0)
		eng_dispatch_watches(e);
	if (!e->backend_reset)
		e->backend->ops->poll_done(e->backend, &e->ps, poll_err);
	now = e->now_mono_ms;
	eng_phantom_round(e, now);
	if (now >= e->next_tick_ms || now >= vhost_deadline(e->vt))
		vhost_tick(e->vt, now); /* reassembly age-out, TCP timers */
	if (now >= e->next_tick_ms)
		e->next_tick_ms = now + ENG_TICK_MS;
	if (e->imp)
		impair_run(e->imp, now);
	eng_publish_vhost(e);
	eng_flush(e);
}

static void *eng_thread(void *arg)
{
	indynet_engine *e = arg;

	(void)ilog_scope_enter(&e->log_sink);
	eng_current = e;
	e->now_mono_ms = clock_mono_ms();
	e->now_real_ms = clock_real_ms();
	e->next_tick_ms = e->now_mono_ms + ENG_TICK_MS;
	while (!atomic_load(&e->stop))
		eng_round(e);
	eng_run_commands(e, true);
	eng_ph_release(e, -ECANCELED);
	/* frames queued before stop: process them so nothing waits forever */
	e->now_mono_ms = clock_mono_ms();
	e->now_real_ms = clock_real_ms();
	eng_drain_tx(e);
	eng_publish_vhost(e);
	eng_flush(e);
	eng_current = NULL;
	return NULL;
}

static int eng_start(indynet_engine *e)
{
	int rc;

	if (e->thread_started)
		return -EALREADY;
	atomic_store(&e->stop, false);
	rc = e->nfs ? nfsvc_start(e->nfs) : 0;
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&e->lock);
	e->running = true;
	pthread_mutex_unlock(&e->lock);
	rc = pthread_create(&e->thread, NULL, eng_thread, e);
	if (rc) {
		pthread_mutex_lock(&e->lock);
		e->running = false;
		pthread_mutex_unlock(&e->lock);
		nfsvc_stop(e->nfs);
		return -rc;
	}
	e->thread_started = true;
	return 0;
}

int indynet_engine_start(indynet_engine *e)
{
	const struct ilog_sink *prev = ilog_scope_enter(&e->log_sink);
	int rc = eng_start(e);

	ilog_scope_exit(prev);
	return rc;
}

void indynet_engine_stop(indynet_engine *e)
{
	if (!e || !e->thread_started)
		return;
	atomic_store(&e->stop, true);
	if (eng_current == e)
		return; /* from a callback: the loop ends after this round; join later */
	eng_wake(e);
	pthread_join(e->thread, NULL);
	e->thread_started = false;
	nfsvc_stop(e->nfs);
}

/* ---- configuration commands ---- */

struct fwd_arg {
	const struct indynet_forward *fw;
	struct indynet_forward *out;
	size_t max;
	char *err;
	size_t errlen;
};

static int eng_cmd_fwd_add(indynet_engine *e, void *arg)
{
	struct fwd_arg *a = arg;

	return backend_forward_add(e->backend, a->fw, a->err, a->errlen);
}

static int eng_cmd_fwd_remove(indynet_engine *e, void *arg)
{
	struct fwd_arg *a = arg;

	return backend_forward_remove(e->backend, a->fw);
}

static int eng_cmd_fwd_list(indynet_engine *e, void *arg)
{
	struct fwd_arg *a = arg;

	a->max = backend_forward_list(e->backend, a->out, a->max);
	return 0;
}

int indynet_forward_add(indynet_engine *e, const struct indynet_forward *fw, char *err, size_t errlen)
{
	char tmp[ENG_ERR_MAX];
	struct fwd_arg a = { .fw = fw, .err = err ? err : tmp, .errlen = err ? errlen : sizeof(tmp) };
	char text[INDYNET_FORWARD_TEXT_MAX];

	if (fw->host_port == 0 || fw->guest_port == 0) {
		snprintf(a.err, a.errlen, "forward '%s': ports must be 1-65535",
			 indynet_forward_format(fw, text, sizeof(text)));
		return -EINVAL;
	}
	return eng_call(e, eng_cmd_fwd_add, &a);
}

int indynet_forward_remove(indynet_engine *e, const struct indynet_forward *fw)
{
	struct fwd_arg a = { .fw = fw };

	return eng_call(e, eng_cmd_fwd_remove, &a);
}

size_t indynet_forward_list(indynet_engine *e, struct indynet_forward *out, size_t max)
{
	struct fwd_arg a = { .out = out, .max = out ? max : 0 };

	eng_call(e, eng_cmd_fwd_list, &a);
	return a.max;
}

struct fwd6_arg {
	const struct indynet_forward6 *fw;
	struct indynet_forward6 *out;
	size_t max;
	char *err;
	size_t errlen;
};

static int eng_cmd_fwd6_add(indynet_engine *e, void *arg)
{
	struct fwd6_arg *a = arg;

	return backend_forward6_add(e->backend, a->fw, a->err, a->errlen);
}

static int eng_cmd_fwd6_remove(indynet_engine *e, void *arg)
{
	struct fwd6_arg *a = arg;

	return backend_forward6_remove(e->backend, a->fw);
}

static int eng_cmd_fwd6_list(indynet_engine *e, void *arg)
{
	struct fwd6_arg *a = arg;

	a->max = backend_forward6_list(e->backend, a->out, a->max);
	return 0;
}

int indynet_forward6_add(indynet_engine *e, const struct indynet_forward6 *fw, char *err, size_t errlen)
{
	char tmp[ENG_ERR_MAX];
	struct fwd6_arg a = { .fw = fw, .err = err ? err : tmp, .errlen = err ? errlen : sizeof(tmp) };
	char text[INDYNET_FORWARD6_TEXT_MAX];

	if (fw->host_port == 0 || fw->guest_port == 0) {
		snprintf(a.err, a.errlen, "forward '%s': ports must be 1-65535",
			 indynet_forward6_format(fw, text, sizeof(text)));
		return -EINVAL;
	}
	return eng_call(e, eng_cmd_fwd6_add, &a);
}

int indynet_forward6_remove(indynet_engine *e, const struct indynet_forward6 *fw)
{
	struct fwd6_arg a = { .fw = fw };

	return eng_call(e, eng_cmd_fwd6_remove, &a);
}

size_t indynet_forward6_list(indynet_engine *e, struct indynet_forward6 *out, size_t max)
{
	struct fwd6_arg a = { .out = out, .max = out ? max : 0 };

	eng_call(e, eng_cmd_fwd6_list, &a);
	return a.max;
}

struct subnet_arg {
	uint32_t net;
	unsigned prefix;
	char *err;
	size_t errlen;
};

/*
 * After a subnet change the guest still holds a lease from the old one.  A
 * virtual host stays at the old gateway address (same MAC, so the guest's
 * ARP cache stays right) and NAKs the guest's unicast DHCP renewal, which
 * sends the guest back to DISCOVER and into the new subnet.
 */
static void eng_keep_old_gateway(indynet_engine *e, uint32_t old_gw, const uint8_t old_mac[ETH_ALEN])
{
	if (old_gw == e->gw)
		return;
	if (vhost_add_host(e->vt, old_gw, old_mac, VHOST_ANSWER_ARP) == 0 &&
	    vhost_add_udp(e->vt, old_gw, DHCP_SERVER_PORT, dhcp_nak_reply, NULL) == 0)
		e->old_gw = old_gw;
}

static int eng_cmd_subnet(indynet_engine *e, void *arg)
{
	struct subnet_arg *a = arg;
	uint32_t old_gw, new_gw;
	uint8_t old_mac[ETH_ALEN], mac[ETH_ALEN];
	int rc;

	backend_gateway(e->backend, &old_gw, old_mac);
	rc = backend_set_subnet(e->backend, a->net, a->prefix, a->err, a->errlen);
	if (rc == -ENOMEM || rc == -EOPNOTSUPP)
		return rc;
	backend_gateway(e->backend, &new_gw, mac);
	if (e->old_gw)
		vhost_remove_host(e->vt, e->old_gw); /* it may sit where the new gateway goes */
	e->old_gw = 0;
	vhost_set_host_ip(e->vt, old_gw, new_gw, mac);
	if (e->nfs)
		nfsvc_set_addr(e->nfs, new_gw);
	e->net = a->net;
	e->prefix = a->prefix;
	e->gw = new_gw;
	eng_keep_old_gateway(e, old_gw, old_mac);
	e->backend_reset = true;
	ilog(INDYNET_LOG_INFO, "engine: NAT subnet is now %u.%u.%u.%u/%u", ntohl(a->net) >> 24,
	     (ntohl(a->net) >> 16) & 255, (ntohl(a->net) >> 8) & 255, ntohl(a->net) & 255, a->prefix);
	return rc;
}

int indynet_set_nat_subnet(indynet_engine *e, const char *cidr, char *err, size_t errlen)
{
	char tmp[ENG_ERR_MAX];
	struct subnet_arg a = { .err = err ? err : tmp, .errlen = err ? errlen : sizeof(tmp) };
	int rc;

	if (e->cfg.mode != INDYNET_MODE_NAT) {
		snprintf(a.err, a.errlen, "the subnet can only be changed in NAT mode");
		return -EINVAL;
	}
	rc = indynet_subnet_parse(cidr, &a.net, &a.prefix, a.err, a.errlen);
	if (rc < 0)
		return rc;
	return eng_call(e, eng_cmd_subnet, &a);
}

/* ---- bridge: capture status and interface ---- */

int indynet_capture_status_get(indynet_engine *e, struct indynet_capture_status *st)
{
	return backend_status(e->backend, st);
}

int indynet_bridge_mac_status_get(indynet_engine *e, struct indynet_bridge_mac_status *st)
{
	return backend_mac_status(e->backend, st);
}

int indynet_host_reach_get(indynet_engine *e, struct indynet_host_reach *out)
{
	return backend_host_reach(e->backend, out);
}

struct iface_arg {
	const char *spec;
	char *err;
	size_t errlen;
};

static int eng_cmd_interface(indynet_engine *e, void *arg)
{
	struct iface_arg *a = arg;

	return backend_set_interface(e->backend, a->spec, a->err, a->errlen);
}

int indynet_set_interface(indynet_engine *e, const char *name, char *err, size_t errlen)
{
	char tmp[ENG_ERR_MAX];
	struct iface_arg a = { .spec = name, .err = err ? err : tmp, .errlen = err ? errlen : sizeof(tmp) };

	return eng_call(e, eng_cmd_interface, &a);
}

/* ---- life cycle ---- */

/* where struct indynet_config keeps a string; the engine keeps its own copy of each */
static const size_t eng_cfg_strings[ENG_CFG_STRINGS] = {
	offsetof(struct indynet_config, nat_subnet),	   offsetof(struct indynet_config, export_dir),
	offsetof(struct indynet_config, capture_file),	   offsetof(struct indynet_config, bridge_interface),
	offsetof(struct indynet_config, nfs_bridge_ip),	   offsetof(struct indynet_config, nat_prefix6),
	offsetof(struct indynet_config, nat_hostname),	   offsetof(struct indynet_config, nat_dns_search),
	offsetof(struct indynet_config, nat_outbound_addr), offsetof(struct indynet_config, nat_tftp_dir),
	offsetof(struct indynet_config, nat_bootfile),	   offsetof(struct indynet_config, impair),
	offsetof(struct indynet_config, nat_dns),
};

/* point each of e->cfg's strings at a copy of its own; false when out of memory */
static bool eng_copy_strings(indynet_engine *e)
{
	for (size_t i = 0; i < ENG_CFG_STRINGS; i++) {
		const char **field = (const char **)(void *)((char *)&e->cfg + eng_cfg_strings[i]);

		if (*field && !(e->strs[i] = strdup(*field)))
			return false;
		*field = e->strs[i];
	}
	return true;
}

/* bytes of struct indynet_config that a caller of @version filled in (version checked) */
static size_t eng_config_size(unsigned version)
{
	switch (version) {
	case 1:
		return offsetof(struct indynet_config, rx_deliver);
	case 2:
		return offsetof(struct indynet_config, bridge_interface);
	case 3:
		return offsetof(struct indynet_config, nfs_cache_nodes);
	case 4:
		return offsetof(struct indynet_config, nat_ipv6);
	default:
		return sizeof(struct indynet_config);
	}
}

/* copy the fields @cfg's version has (later ones stay zero) and the strings they point at */
static int eng_copy_config(indynet_engine *e, const struct indynet_config *cfg, char *err, size_t errlen)
{
	if (cfg->version < INDYNET_CONFIG_VERSION_MIN || cfg->version > INDYNET_CONFIG_VERSION_MAX) {
		snprintf(err, errlen, "configuration version %u is not supported (this library accepts %u to %u)",
			 cfg->version, INDYNET_CONFIG_VERSION_MIN, INDYNET_CONFIG_VERSION_MAX);
		return -EINVAL;
	}
	memcpy(&e->cfg, cfg, eng_config_size(cfg->version));
	if (!eng_copy_strings(e)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* cfg.impair: the impaired link, or none */
static int eng_check_impair(indynet_engine *e, char *err, size_t errlen)
{
	static impair_out_fn *const out[IMPAIR__DIRS] = { [IMPAIR_TX] = eng_tx_out, [IMPAIR_RX] = eng_rx_out };
	struct indynet_impair c;
	char why[ENG_ERR_MAX];

	if (!e->cfg.impair)
		return 0;
	if (indynet_impair_parse(e->cfg.impair, &c, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "impair: %s", why);
		return -EINVAL;
	}
	e->imp = impair_new(&c, out, e);
	if (!e->imp) {
		snprintf(err, errlen, "out of memory");
		return -EINVAL;
	}
	ilog(INDYNET_LOG_WARN, "engine: the guest's link is impaired on purpose: %s", e->cfg.impair);
	return 0;
}

int indynet_impair_stats_get(indynet_engine *e, struct indynet_impair_stats *st)
{
	if (!e->imp)
		return -ENOENT;
	impair_stats(e->imp, st);
	return 0;
}

static int eng_check_config(indynet_engine *e, char *err, size_t errlen)
{
	const struct indynet_config *c = &e->cfg;

	if (c->mode != INDYNET_MODE_NAT && c->mode != INDYNET_MODE_BRIDGE) {
		snprintf(err, errlen, "mode %d is not NAT or bridge", (int)c->mode);
		return -EINVAL;
	}
	e->capture_buffer = c->capture_buffer ? c->capture_buffer : INDYNET_CAPTURE_BUFFER_DEFAULT;
	if (e->capture_buffer < INDYNET_CAPTURE_BUFFER_MIN || e->capture_buffer > INDYNET_CAPTURE_BUFFER_MAX) {
		snprintf(err, errlen, "capture buffer of %zu bytes is out of range (%u-%u)", e->capture_buffer,
			 INDYNET_CAPTURE_BUFFER_MIN, INDYNET_CAPTURE_BUFFER_MAX);
		return -EINVAL;
	}
	if ((unsigned)c->bridge_mac > INDYNET_BRIDGE_MAC_HOST) {
		snprintf(err, errlen, "bridge MAC mode %d is not auto, guest or host", (int)c->bridge_mac);
		return -EINVAL;
	}
	if ((unsigned)c->nfs_transport > INDYNET_NFS_TRANSPORT_TCP) {
		snprintf(err, errlen, "NFS transport %d is not both, udp or tcp", (int)c->nfs_transport);
		return -EINVAL;
	}
	e->mtu = c->mtu ? c->mtu : INDYNET_MTU_DEFAULT;
	if (e->mtu < INDYNET_MTU_MIN || e->mtu > INDYNET_MTU_MAX) {
		snprintf(err, errlen, "MTU %u is out of range (%u-%u)", e->mtu, INDYNET_MTU_MIN, INDYNET_MTU_MAX);
		return -EINVAL;
	}
	if (nat_opts_parse(c, &e->nat_opts, err, errlen) < 0 || eng_check_impair(e, err, errlen) < 0)
		return -EINVAL;
	return indynet_subnet_parse(c->nat_subnet ? c->nat_subnet : "192.168.0.0/24", &e->net, &e->prefix, err,
				    errlen);
}

/* indynet_fd_fn: the NFS worker has answers */
static void eng_nfs_ready(void *opaque, int fd, short revents)
{
	indynet_engine *e = opaque;

	(void)fd;
	(void)revents;
	nfsvc_deliver(e->nfs);
}

/*
 * The NAT flow cap: as configured (or the default), but never more than the
 * descriptor limit leaves once the NFS server's descriptors and a reserve
 * for the daemon's own sockets are set aside.
 */
static unsigned eng_flow_cap(const indynet_engine *e)
{
	unsigned cap = e->cfg.nat_max_flows ? e->cfg.nat_max_flows : INDYNET_NAT_FLOWS_DEFAULT;
	unsigned nfs = e->cfg.export_dir ? (e->cfg.nfs_cache_fds ? e->cfg.nfs_cache_fds : ENG_NFS_FDS_DEFAULT) : 0;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)cap + nfs + ENG_FD_RESERVE)
		cap = rl.rlim_cur > nfs + ENG_FD_RESERVE ? (unsigned)(rl.rlim_cur - nfs - ENG_FD_RESERVE) : 0;
	return cap < INDYNET_NAT_FLOWS_MIN ? INDYNET_NAT_FLOWS_MIN : cap;
}

static int eng_build(indynet_engine *e, char *err, size_t errlen)
{
	const struct backend_host host = { .to_guest = eng_from_backend, .drop = eng_backend_drop,
					   .rx_room = eng_rx_room, .status_changed = eng_status_changed, .opaque = e };
	const struct backend_params bp = { .mode = e->cfg.mode, .mtu = e->mtu, .net = e->net, .prefix = e->prefix,
					   .interface = e->cfg.bridge_interface,
					   .capture_buffer = e->capture_buffer, .max_flows = eng_flow_cap(e),
					   .nat = &e->nat_opts, .bridge_mac = e->cfg.bridge_mac,
					   .host_reach = !e->cfg.bridge_host_reach_off };
	uint8_t gw_mac[ETH_ALEN];
	int rc;

	if (ring_init(&e->tx, ENG_TX_RING_FRAMES) || ring_init(&e->rx, INDYNET_RX_RING_FRAMES)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->rx_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->wake_fd < 0 || e->rx_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -errno;
	}
	e->vt = vhost_new(e->mtu, eng_to_guest, eng_to_backend, e);
	if (!e->vt) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = e->make_backend(&bp, &host, &e->backend, err, errlen);
	if (rc < 0)
		return rc;
	if (backend_gateway(e->backend, &e->gw, gw_mac) == 0 && e->cfg.export_dir) {
		rc = vhost_add_host(e->vt, e->gw, gw_mac, 0);
		if (rc == 0)
			rc = nfsvc_attach(e->vt, e->gw, &e->cfg, &e->nfs, err, errlen);
		if (rc == 0)
			rc = indynet_watch_fd(e, nfsvc_fd(e->nfs), POLLIN, eng_nfs_ready, e);
		if (rc < 0)
			return rc;
	}
	if (e->cfg.mode == INDYNET_MODE_BRIDGE && (rc = eng_phantom_build(e, err, errlen)) < 0)
		return rc;
	if (e->cfg.mode == INDYNET_MODE_BRIDGE && e->nfs &&
	    (rc = indynet_watch_fd(e, nfsvc_fd(e->nfs), POLLIN, eng_nfs_ready, e)) < 0)
		return rc;
	if (e->cfg.capture_file) {
		e->cap = pcapng_open(e->cfg.capture_file, err, errlen);
		if (!e->cap)
			return -EIO;
	}
	return 0;
}

/* Check and build a copied configuration, logging to the engine's own sink. */
static int eng_setup(indynet_engine *e, char *err, size_t errlen)
{
	const struct ilog_sink *prev;
	int rc;

	e->log_sink = (struct ilog_sink){ e->cfg.log, e->cfg.log_opaque, (int)e->cfg.log_level };
	prev = ilog_scope_enter(&e->log_sink);
	rc = eng_check_config(e, err, errlen);
	if (rc == 0)
		rc = eng_build(e, err, errlen);
	ilog_scope_exit(prev);
	return rc;
}

int eng_new_with_backend(const struct indynet_config *cfg, eng_backend_factory *make, indynet_engine **out,
			 char *err, size_t errlen)
{
	char tmp[ENG_ERR_MAX];
	indynet_engine *e;
	int rc;

	if (!err) {
		err = tmp;
		errlen = sizeof(tmp);
	}
	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->wake_fd = e->rx_fd = -1;
	e->make_backend = make;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	e->cmd_tail = &e->cmd_head;
	rc = eng_copy_config(e, cfg, err, errlen);
	if (rc == 0)
		rc = eng_setup(e, err, errlen);
	if (rc < 0) {
		indynet_engine_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

int indynet_engine_new(const struct indynet_config *cfg, indynet_engine **out, char *err, size_t errlen)
{
	return eng_new_with_backend(cfg, backend_new, out, err, errlen);
}

void indynet_engine_free(indynet_engine *e)
{
	const struct ilog_sink *prev;

	if (!e)
		return;
	prev = ilog_scope_enter(&e->log_sink);
	indynet_engine_stop(e);
	if (e->backend)
		e->backend->ops->free(e->backend);
	phantom_free(e->ph);
	nfsvc_free(e->nfs);
	vhost_free(e->vt);
	pcapng_close(e->cap);
	impair_free(e->imp);
	ring_destroy(&e->tx);
	ring_destroy(&e->rx);
	if (e->wake_fd >= 0)
		close(e->wake_fd);
	if (e->rx_fd >= 0)
		close(e->rx_fd);
	poll_set_free(&e->ps);
	free(e->watches);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	for (size_t i = 0; i < ENG_CFG_STRINGS; i++)
		free(e->strs[i]);
	ilog_scope_exit(prev);
	free(e);
}
