/* SPDX-License-Identifier: MIT */
/* nfsvc.c: the in-core NFS server as deferred UDP services of a virtual host, run on a worker thread. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/log.h"
#include "engine/nfsconn.h"
#include "engine/nfsvc.h"
#include "nfs/nfs.h"

/*
 * Theory of operation
 *
 * The frame path never waits for the disk.  portmap, MOUNT and NFS are
 * deferred services of the virtual host: vhost_input() hands each whole
 * call datagram (and where it came from) to nfsvc_take() on the engine
 * thread, which does only what costs no I/O:
 *
 *   nfs_server_admit()  the duplicate-request cache: a retransmission of a
 *                       call still queued or running is dropped, one of a
 *                       finished call is answered from the cache at once;
 *                       a new non-idempotent call is entered "in progress";
 *   enqueue             a copy of the datagram goes on the call FIFO,
 *                       unless NFSVC_MAX_MSGS calls/answers or
 *                       NFSVC_MAX_BYTES bytes are in flight: then it is
 *                       dropped and counted (queue_drops), its cache entry
 *                       withdrawn, and the client retransmits.
 *
 * One worker thread (nice +5 relative to the daemon, so that on a busy
 * machine the engine thread wins the CPU) takes calls in arrival order,
 * runs them (nfs_server_run(): all file I/O happens here), and puts each answer on
 * the answer FIFO; the first answer after a delivery writes the eventfd,
 * which the engine's poll loop watches.  nfsvc_deliver() then sends every
 * waiting answer through vhost_reply_udp() (which cuts it to the MTU) on
 * the engine thread.  A call and its answer hold one slot of the bound
 * from enqueue to delivery, so memory is bounded however slowly either
 * side runs.  The worker does nothing but calls: a handle search after a
 * restart runs on a thread of the export's own (src/nfs/fsseek.c), so a
 * directory read that blocks on the disk never delays an answer.
 *
 * Worked example: a guest writes 32 KiB (WRITE, xid 7) and its first
 * transmission waits behind a COMMIT that flushes for 80 ms.  The client
 * retransmits xid 7 after 50 ms: admit finds it "in progress" and drops
 * it.  Meanwhile the engine thread keeps moving frames (pings, NAT).  The
 * WRITE runs, its answer is delivered once; a third transmission would be
 * answered from the cache without touching the disk.
 *
 * Before nfsvc_start() (an engine driven synchronously by eng_input_sync())
 * calls are run at once in nfsvc_call().
 *
 * TCP (nfsconn.c): a connection's whole call records enter nfsvc_call()
 * like datagrams, with the connection's id in vhost_dgram.conn; every such
 * call ends in exactly one nfsvc_answer(), an empty one when nothing is to
 * be sent (a dropped retransmission, a full queue, a call with no reply),
 * so that the connection can count its unanswered calls.  A connection's
 * calls are not held to NFSVC_MAX_MSGS: each connection has at most
 * NFSCONN_MAX_CALLS unanswered, whose calls and answers together stay
 * within its send ring (VTCP_SND_BUF, 32 connections), and a TCP client
 * would wait a minute (timeo=600) to retransmit a dropped one.
 */

#define NFSVC_MAX_MSGS 128u         /* calls queued plus answers not yet sent */
#define NFSVC_NICE 5                /* the worker yields the CPU to the frame path */
#define NFSVC_MAX_BYTES (8u << 20)  /* their bytes */
#define NFSVC_BUF NFS_STREAM_RECORD_MAX /* a reply buffer: the largest answer, a TCP one (the server cuts UDP's to NFS_REPLY_MAX) */

struct nfsvc_msg {
	struct nfsvc_msg *next;
	struct vhost_dgram from;
	struct nfs_ticket tk;
	size_t len;
	uint8_t data[];
};

struct nfsvc_fifo {
	struct nfsvc_msg *head, **tail;
};

struct nfsvc {
	struct vhost_table *vt;
	struct nfs_server *srv;
	unsigned transports;         /* nfs_transport_mask: the ports served; the others kept closed */
	int efd;
	uint8_t *ebuf;               /* engine thread: cached and inline answers */
	uint8_t *wbuf;               /* worker: the answer being built */
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;        /* everything below up to the counters */
	pthread_cond_t cond;
	bool stop;
	bool wake_pending;           /* efd written since the last delivery */
	struct nfsvc_fifo calls, answers;
	unsigned inflight, depth;    /* messages held; calls waiting */
	size_t inflight_bytes;
	_Atomic uint64_t n_calls, n_queue_drops, n_replays, n_inprogress, n_answer_drops;
	_Atomic uint64_t n_tcp_records, n_tcp_oversize;
	_Atomic unsigned depth_now;
};

static void nfsvc_ctr(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void fifo_init(struct nfsvc_fifo *f)
{
	f->head = NULL;
	f->tail = &f->head;
}

static void fifo_push(struct nfsvc_fifo *f, struct nfsvc_msg *m)
{
	m->next = NULL;
	*f->tail = m;
	f->tail = &m->next;
}

static struct nfsvc_msg *fifo_pop(struct nfsvc_fifo *f)
{
	struct nfsvc_msg *m = f->head;

	if (m) {
		f->head = m->next;
		if (!f->head)
			f->tail = &f->head;
	}
	return m;
}

static struct nfsvc_msg *nfsvc_msg_new(const struct vhost_dgram *from, const struct nfs_ticket *tk,
				       const uint8_t *data, size_t len)
{
	struct nfsvc_msg *m = malloc(sizeof(*m) + len);

	if (!m)
		return NULL;
	m->from = *from;
	m->tk = *tk;
	m->len = len;
	memcpy(m->data, data, len);
	return m;
}

static struct nfs_peer nfsvc_peer(const struct vhost_dgram *from)
{
	return (struct nfs_peer){ .addr = from->src_ip, .port = from->sport, .stream = from->conn != 0 };
}

/* A call is done: its answer (@len 0 = none) goes back the way the call came. */
static void nfsvc_answer(struct nfsvc *svc, const struct vhost_dgram *to, const uint8_t *data, size_t len)
{
	int rc = 0;

	if (to->conn)
		rc = nfsconn_answer(svc->vt, to->conn, data, len);
	else if (len)
		rc = vhost_reply_udp(svc->vt, to, data, len);
	if (rc < 0)
		nfsvc_ctr(&svc->n_answer_drops);
}

/* Queue a call for the worker; false = no room (nothing queued). */
static bool nfsvc_enqueue(struct nfsvc *svc, const struct vhost_dgram *from, const struct nfs_ticket *tk,
			  const uint8_t *data, size_t len)
{
	struct nfsvc_msg *m = nfsvc_msg_new(from, tk, data, len);
	bool ok;

	if (!m)
		return false;
	pthread_mutex_lock(&svc->lock);
	ok = from->conn || (svc->inflight < NFSVC_MAX_MSGS && svc->inflight_bytes + len <= NFSVC_MAX_BYTES);
	if (ok) {
		fifo_push(&svc->calls, m);
		svc->inflight++;
		svc->inflight_bytes += len;
		atomic_store_explicit(&svc->depth_now, ++svc->depth, memory_order_relaxed);
		pthread_cond_signal(&svc->cond);
	}
	pthread_mutex_unlock(&svc->lock);
	if (!ok)
		free(m);
	return ok;
}

void nfsvc_call(void *opaque, const struct vhost_dgram *from, const uint8_t *data, size_t len)
{
	struct nfsvc *svc = opaque;
	const struct nfs_peer peer = nfsvc_peer(from);
	struct nfs_ticket tk;
	size_t rlen = 0;

	if (from->conn)
		nfsvc_ctr(&svc->n_tcp_records);
	switch (nfs_server_admit(svc->srv, &peer, from->dport, data, len, svc->ebuf, NFSVC_BUF, &rlen, &tk)) {
	case NFS_ADMIT_REPLY:
		nfsvc_ctr(&svc->n_replays);
		nfsvc_answer(svc, from, svc->ebuf, rlen);
		return;
	case NFS_ADMIT_DROP:
		nfsvc_ctr(&svc->n_inprogress);
		nfsvc_answer(svc, from, NULL, 0);
		return;
	default:
		break;
	}
	if (!svc->started) {
		nfsvc_ctr(&svc->n_calls);
		rlen = nfs_server_run(svc->srv, &peer, from->dport, data, len, &tk, svc->ebuf, NFSVC_BUF);
		nfsvc_answer(svc, from, svc->ebuf, rlen);
		return;
	}
	if (!nfsvc_enqueue(svc, from, &tk, data, len)) {
		nfs_server_cancel(svc->srv, &peer, &tk);
		nfsvc_ctr(&svc->n_queue_drops);
		nfsvc_answer(svc, from, NULL, 0);
	}
}

/* Run one call on the worker; returns its answer (NULL = none). */
static struct nfsvc_msg *nfsvc_run(struct nfsvc *svc, const struct nfsvc_msg *call)
{
	const struct nfs_peer peer = nfsvc_peer(&call->from);
	size_t rlen = nfs_server_run(svc->srv, &peer, call->from.dport, call->data, call->len, &call->tk, svc->wbuf,
				     NFSVC_BUF);

	nfsvc_ctr(&svc->n_calls);
	if (!rlen && !call->from.conn)
		return NULL;
	return nfsvc_msg_new(&call->from, &call->tk, svc->wbuf, rlen); /* a connection counts even no answer */
}

/* The answer takes the call's slot (or frees it); under svc->lock. */
static void nfsvc_post(struct nfsvc *svc, struct nfsvc_msg *call, struct nfsvc_msg *ans)
{
	uint64_t one = 1;

	svc->inflight_bytes -= call->len;
	if (!ans) {
		svc->inflight--;
		return;
	}
	svc->inflight_bytes += ans->len;
	fifo_push(&svc->answers, ans);
	if (!svc->wake_pending && write(svc->efd, &one, sizeof(one)) == sizeof(one))
		svc->wake_pending = true;
}

/* The calling thread (the worker) yields the CPU to the frame path on a busy machine. */
static void nfsvc_lower_priority(void)
{
	int prio;

	errno = 0;
	prio = getpriority(PRIO_PROCESS, 0);
	if (errno == 0 && setpriority(PRIO_PROCESS, (id_t)gettid(), prio + NFSVC_NICE) < 0)
		ilog(INDYNET_LOG_DEBUG, "nfs: worker priority: %s", strerror(errno));
}

static void *nfsvc_worker(void *arg)
{
	struct nfsvc *svc = arg;
	struct nfsvc_msg *call, *ans;

	nfsvc_lower_priority();
	pthread_mutex_lock(&svc->lock);
	while (!svc->stop) {
		call = fifo_pop(&svc->calls);
		if (!call) {
			pthread_cond_wait(&svc->cond, &svc->lock);
			continue;
		}
		atomic_store_explicit(&svc->depth_now, --svc->depth, memory_order_relaxed);
		pthread_mutex_unlock(&svc->lock);
		ans = nfsvc_run(svc, call);
		pthread_mutex_lock(&svc->lock);
		nfsvc_post(svc, call, ans);
		free(call);
	}
	pthread_mutex_unlock(&svc->lock);
	return NULL;
}

int nfsvc_fd(const struct nfsvc *svc)
{
	return svc->efd;
}

void nfsvc_deliver(struct nfsvc *svc)
{
	struct nfsvc_fifo list;
	struct nfsvc_msg *m;
	unsigned n = 0;
	size_t bytes = 0;
	uint64_t v;

	if (read(svc->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		ilog(INDYNET_LOG_WARN, "nfs: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&svc->lock);
	list = svc->answers;
	fifo_init(&svc->answers);
	svc->wake_pending = false;
	pthread_mutex_unlock(&svc->lock);
	while ((m = fifo_pop(&list))) {
		nfsvc_answer(svc, &m->from, m->data, m->len);
		n++;
		bytes += m->len;
		free(m);
	}
	pthread_mutex_lock(&svc->lock);
	svc->inflight -= n;
	svc->inflight_bytes -= bytes;
	pthread_mutex_unlock(&svc->lock);
}

int nfsvc_start(struct nfsvc *svc)
{
	int rc;

	if (svc->started)
		return 0;
	svc->stop = false;
	rc = ilog_thread_create(&svc->thread, nfsvc_worker, svc); /* logs to the engine's sink */
	if (rc)
		return -rc;
	svc->started = true;
	return 0;
}

/* Drop what waits (the worker is stopped): calls leave the cache, answers are freed. */
static void nfsvc_discard(struct nfsvc *svc)
{
	struct nfsvc_msg *m;

	while ((m = fifo_pop(&svc->calls))) {
		const struct nfs_peer peer = nfsvc_peer(&m->from);

		nfs_server_cancel(svc->srv, &peer, &m->tk);
		free(m);
	}
	while ((m = fifo_pop(&svc->answers)))
		free(m);
	svc->inflight = svc->depth = 0;
	svc->inflight_bytes = 0;
	svc->wake_pending = false;
	atomic_store_explicit(&svc->depth_now, 0, memory_order_relaxed);
}

void nfsvc_stop(struct nfsvc *svc)
{
	if (!svc || !svc->started)
		return;
	pthread_mutex_lock(&svc->lock);
	svc->stop = true;
	pthread_cond_signal(&svc->cond);
	pthread_mutex_unlock(&svc->lock);
	pthread_join(svc->thread, NULL);
	svc->started = false;
	nfsvc_discard(svc);
}

void nfsvc_set_addr(struct nfsvc *svc, uint32_t addr)
{
	nfs_server_set_addr(svc->srv, addr);
}

struct nfs_server *nfsvc_server(struct nfsvc *svc)
{
	return svc->srv;
}

void nfsvc_stats(struct nfsvc *svc, struct indynet_nfs_stats *out)
{
	struct nfs_stats ns;

	memset(out, 0, sizeof(*out));
	out->calls = atomic_load_explicit(&svc->n_calls, memory_order_relaxed);
	out->queue_drops = atomic_load_explicit(&svc->n_queue_drops, memory_order_relaxed);
	out->drc_replays = atomic_load_explicit(&svc->n_replays, memory_order_relaxed);
	out->drc_inprogress_drops = atomic_load_explicit(&svc->n_inprogress, memory_order_relaxed);
	out->answer_drops = atomic_load_explicit(&svc->n_answer_drops, memory_order_relaxed);
	out->queue_depth = atomic_load_explicit(&svc->depth_now, memory_order_relaxed);
	out->queue_max = NFSVC_MAX_MSGS;
	nfs_server_stats(svc->srv, &ns);
	out->nodes = ns.nodes;
	out->nodes_max = ns.nodes_max;
	out->node_hits = ns.node_hits;
	out->node_misses = ns.node_misses;
	out->fds = ns.fds;
	out->fds_max = ns.fds_max;
	out->fd_hits = ns.fd_hits;
	out->fd_misses = ns.fd_misses;
	out->drc_entries = ns.drc_entries;
	out->handles_kernel = ns.handles_kernel;
	out->handles_searched = ns.handles_searched;
	out->handles_jukebox = ns.handles_jukebox;
	out->handles_stale = ns.handles_stale;
	out->search_entries = ns.search_entries;
}

void nfsvc_tcp_stats(struct nfsvc *svc, uint64_t *records, uint64_t *oversize)
{
	*records = atomic_load_explicit(&svc->n_tcp_records, memory_order_relaxed);
	*oversize = atomic_load_explicit(&svc->n_tcp_oversize, memory_order_relaxed);
}

void nfsvc_tcp_oversize(struct nfsvc *svc)
{
	nfsvc_ctr(&svc->n_tcp_oversize);
}

void nfsvc_free(struct nfsvc *svc)
{
	if (!svc)
		return;
	nfsvc_stop(svc);
	nfs_server_free(svc->srv);
	if (svc->efd >= 0)
		close(svc->efd);
	pthread_mutex_destroy(&svc->lock);
	pthread_cond_destroy(&svc->cond);
	free(svc->ebuf);
	free(svc->wbuf);
	free(svc);
}

static void nfsvc_log(void *opaque, int level, const char *msg)
{
	(void)opaque;
	ilog(level, "nfs: %s", msg);
}

static struct nfsvc *nfsvc_new(struct nfs_server *srv)
{
	struct nfsvc *svc = calloc(1, sizeof(*svc));

	if (!svc)
		return NULL;
	svc->srv = srv;
	fifo_init(&svc->calls);
	fifo_init(&svc->answers);
	pthread_mutex_init(&svc->lock, NULL);
	pthread_cond_init(&svc->cond, NULL);
	svc->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	svc->ebuf = malloc(NFSVC_BUF);
	svc->wbuf = malloc(NFSVC_BUF);
	if (svc->efd < 0 || !svc->ebuf || !svc->wbuf) {
		svc->srv = NULL;
		nfsvc_free(svc);
		return NULL;
	}
	return svc;
}

static unsigned nfsvc_transports(enum indynet_nfs_transport t)
{
	return t == INDYNET_NFS_TRANSPORT_UDP ? NFS_SERVE_UDP
	       : t == INDYNET_NFS_TRANSPORT_TCP ? NFS_SERVE_TCP
						: NFS_SERVE_UDP | NFS_SERVE_TCP;
}

struct nfsvc *nfsvc_open(uint32_t ip, const struct indynet_config *cfg, char *err, size_t errlen)
{
	struct nfs_server_config nc = {
		.export_dir = cfg->export_dir,
		.server_addr = ip,
		.versions = cfg->nfs_version == INDYNET_NFS_V2   ? NFS_SERVE_V2
			    : cfg->nfs_version == INDYNET_NFS_V3 ? NFS_SERVE_V3
								 : 0,
		.transports = nfsvc_transports(cfg->nfs_transport),
		.read_only = cfg->read_only,
		.attr_model = cfg->attr_model == INDYNET_ATTR_MAPPED ? NFS_ATTR_MAPPED : NFS_ATTR_SQUASH,
		.uid = cfg->nfs_uid,
		.gid = cfg->nfs_gid,
		.cache_nodes = cfg->nfs_cache_nodes,
		.cache_fds = cfg->nfs_cache_fds,
		.log = nfsvc_log,
	};
	struct nfs_server *srv = nfs_server_new(&nc, err, errlen);
	struct nfsvc *svc;

	if (!srv)
		return NULL;
	svc = nfsvc_new(srv);
	if (!svc) {
		snprintf(err, errlen, "out of memory");
		nfs_server_free(srv);
		errno = ENOMEM;
		return NULL;
	}
	svc->transports = nc.transports;
	return svc;
}

int nfsvc_register(struct vhost_table *vt, uint32_t ip, struct nfsvc *svc, char *err, size_t errlen)
{
	static const uint16_t ports[] = { NFS_PORT_PORTMAP, NFS_PORT_MOUNT, NFS_PORT_NFS };

	if (svc->vt && svc->vt != vt) {
		snprintf(err, errlen, "the NFS service answers in another virtual-host table");
		return -EBUSY;
	}
	svc->vt = vt;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		int rc = svc->transports & NFS_SERVE_UDP ? vhost_add_udp_deferred(vt, ip, ports[i], nfsvc_call, svc)
							 : vhost_add_closed(vt, ip, IPPROTO_UDP, ports[i]);

		if (rc == 0)
			rc = svc->transports & NFS_SERVE_TCP ? nfsconn_register(vt, ip, ports[i], svc)
							     : vhost_add_closed(vt, ip, IPPROTO_TCP, ports[i]);
		if (rc < 0) {
			snprintf(err, errlen, "cannot register NFS port %u: %d", ports[i], rc);
			return rc;
		}
	}
	return 0;
}

struct vhost_table *nfsvc_table(const struct nfsvc *svc)
{
	return svc->vt;
}

int nfsvc_attach(struct vhost_table *vt, uint32_t ip, const struct indynet_config *cfg, struct nfsvc **out,
		 char *err, size_t errlen)
{
	struct nfsvc *svc = nfsvc_open(ip, cfg, err, errlen);
	int rc;

	if (!svc)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	rc = nfsvc_register(vt, ip, svc, err, errlen);
	if (rc < 0) {
		nfsvc_free(svc);
		return rc;
	}
	*out = svc;
	return 0;
}
