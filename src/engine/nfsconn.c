/* SPDX-License-Identifier: MIT */
/* nfsconn.c: portmap, MOUNT and NFS over TCP: record marking and a bound on each connection's calls. */
#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "engine/nfsconn.h"
#include "engine/nfsvc.h"
#include "engine/vtcp.h"
#include "nfs/nfs.h"
#include "nfs/rpcrec.h"

/*
 * Theory of operation
 *
 * A connection is a stream service of the virtual host (vtcp.h).  Its
 * bytes go through the record reassembler (nfs/rpcrec.c); each whole call
 * record is handed to nfsvc_call() exactly as a UDP datagram would be
 * (same duplicate-request cache, same queue to the NFS worker), with the
 * connection's id in vhost_dgram.conn so that the answer, whenever the
 * worker produces it, comes back here as one record.
 *
 * Bounds: a record may be as large as NFS_STREAM_RECORD_MAX (a 1 MiB
 * WRITE and its headers); a larger one resets the connection with a log
 * line, before anything is allocated for it.  Each call has a cost: its
 * record mark plus the larger of its own length and the most its answer can
 * take (nfs_reply_bound(): a READ's count plus headers, NFS_REPLY_MAX for
 * anything else).  A completed record is dispatched only while fewer than
 * NFSCONN_MAX_CALLS calls are unanswered and the send buffer's room covers
 * the costs of all of them and of this one; otherwise it is held (pending)
 * and no further byte is taken: they stay in the TCP receive buffer, whose
 * window then closes.  It is dispatched when an answer went out or the
 * guest acknowledged bytes (ops->acked).  So an answer never finds the send
 * buffer full, the calls of one connection queued for the worker hold at
 * most VTCP_SND_BUF bytes, and a guest that pipelines calls without reading
 * answers stalls itself, not the engine.  Answers do not say which call
 * they end, so each one releases the smallest cost still held: what stays
 * reserved is never less than what the calls still out can need.  Half a
 * record held for NFSCONN_STALL_MS resets the connection; between records
 * the TCP's idle timeout applies.
 *
 * Worked example: a Linux client (rsize=1M) pipelines 4 READs of 1 MiB.
 * READ 1 costs 1 MiB + 4 KiB + 4 and is dispatched; so is READ 2 (the
 * 2.25 MiB send buffer covers both); READ 3 completes and is held.  The
 * worker answers READ 1: its record goes into the send buffer, whose room
 * no longer covers READ 2 + READ 3; as the guest acknowledges it, room
 * returns, acked() dispatches READ 3, and READ 4 is taken from the receive
 * buffer; and so on, two 1 MiB READs in the pipe.  If the client
 * reconnects while READ 2 waits, its answer finds the connection gone and
 * is dropped (counted); the client's retransmission on the new connection
 * is answered from the duplicate-request cache if it had finished.
 */

struct nfsconn {
	struct nfsvc *svc;
	struct vtcp *tcp;
	struct vhost_dgram from;   /* the guest's end; conn = the connection's id */
	struct rpcrec *rec;
	unsigned inflight;         /* calls taken, not yet answered */
	size_t cost[NFSCONN_MAX_CALLS]; /* what they reserve of the send buffer, [0, inflight) */
	size_t reserved;           /* their sum */
	bool pending;              /* a completed record waits for room (rpcrec_record()) */
	bool in_recv;              /* inside nfsconn_recv(): no vtcp_resume() */
};

/* vtcp_ops.open */
static void *nfsconn_open(void *opaque, uint32_t id, const struct vhost_dgram *ends)
{
	struct nfsvc *svc = opaque;
	struct nfsconn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rec = rpcrec_new(NFS_STREAM_RECORD_MAX);
	if (!c->rec) {
		free(c);
		return NULL;
	}
	c->svc = svc;
	c->tcp = vhost_tcp(nfsvc_table(svc));
	c->from = *ends;
	c->from.conn = id;
	return c;
}

/* vtcp_ops.close */
static void nfsconn_close(void *conn)
{
	struct nfsconn *c = conn;

	rpcrec_free(c->rec);
	free(c);
}

/* Whether another record may be read: a call slot is free and none waits. */
static bool nfsconn_room(const struct nfsconn *c)
{
	return c->inflight < NFSCONN_MAX_CALLS && !c->pending;
}

/* What a call reserves: its record mark and the larger of the call and its answer. */
static size_t nfsconn_cost(const uint8_t *rec, size_t len)
{
	size_t bound = nfs_reply_bound(rec, len);

	return RPCREC_HDR_LEN + (len > bound ? len : bound);
}

/* The completed record goes to the NFS service when its cost fits, else it stays pending. */
static void nfsconn_dispatch(struct nfsconn *c)
{
	size_t len;
	const uint8_t *rec = rpcrec_record(c->rec, &len);
	size_t cost = nfsconn_cost(rec, len);

	c->pending = c->inflight >= NFSCONN_MAX_CALLS ||
		     vtcp_send_room(c->tcp, c->from.conn) < c->reserved + cost;
	if (c->pending)
		return;
	c->cost[c->inflight++] = cost;
	c->reserved += cost;
	nfsvc_call(c->svc, &c->from, rec, len);
}

/* A call was answered: release the smallest cost held (answers do not name their call). */
static void nfsconn_release(struct nfsconn *c)
{
	unsigned min = 0;

	if (!c->inflight)
		return;
	for (unsigned i = 1; i < c->inflight; i++)
		if (c->cost[i] < c->cost[min])
			min = i;
	c->reserved -= c->cost[min];
	c->cost[min] = c->cost[--c->inflight];
}

static void nfsconn_refuse(const struct nfsconn *c, enum rpcrec_status st)
{
	const uint8_t *a = (const uint8_t *)&c->from.src_ip;

	if (st == RPCREC_TOO_BIG) {
		nfsvc_tcp_oversize(c->svc);
		ilog(INDYNET_LOG_WARN, "nfs: TCP from %u.%u.%u.%u:%u to port %u: a record larger than %u bytes, "
		     "connection reset", a[0], a[1], a[2], a[3], c->from.sport, c->from.dport, NFS_STREAM_RECORD_MAX);
	} else {
		ilog(INDYNET_LOG_WARN, "nfs: TCP from %u.%u.%u.%u:%u to port %u: out of memory for a record, "
		     "connection reset", a[0], a[1], a[2], a[3], c->from.sport, c->from.dport);
	}
}

/* vtcp_ops.recv: records out of the stream while answers are sure to fit. */
static size_t nfsconn_recv(void *conn, const uint8_t *data, size_t len)
{
	struct nfsconn *c = conn;
	struct vtcp *tcp = c->tcp;
	const uint32_t id = c->from.conn;
	enum rpcrec_status st = RPCREC_MORE;
	size_t pos = 0, used;

	c->in_recv = true;
	if (c->pending)
		nfsconn_dispatch(c);
	while (pos < len && nfsconn_room(c) && st <= RPCREC_RECORD) {
		st = rpcrec_feed(c->rec, data + pos, len - pos, &used);
		pos += used;
		if (st == RPCREC_RECORD)
			nfsconn_dispatch(c);
	}
	c->in_recv = false;
	if (st > RPCREC_RECORD) {
		nfsconn_refuse(c, st);
		vtcp_abort(tcp, id); /* frees c */
		return pos;
	}
	vtcp_set_idle(tcp, id, rpcrec_between(c->rec) ? VTCP_IDLE_MS : NFSCONN_STALL_MS);
	return pos;
}

/* vtcp_ops.acked, and after an answer: room or a call slot was freed; a pending record may go now. */
static void nfsconn_kick(void *conn)
{
	struct nfsconn *c = conn;

	if (!c->pending)
		return;
	c->in_recv = true;
	nfsconn_dispatch(c);
	c->in_recv = false;
}

static const struct vtcp_ops nfsconn_ops = {
	.open = nfsconn_open,
	.recv = nfsconn_recv,
	.acked = nfsconn_kick,
	.close = nfsconn_close,
};

int nfsconn_register(struct vhost_table *vt, uint32_t ip, uint16_t port, struct nfsvc *svc)
{
	return vhost_add_tcp(vt, ip, port, &nfsconn_ops, svc);
}

/* One record: its mark, then the reply (room checked first, so both or neither go). */
static int nfsconn_send(struct nfsconn *c, const uint8_t *data, size_t len)
{
	uint8_t hdr[RPCREC_HDR_LEN];
	int rc;

	if (vtcp_send_room(c->tcp, c->from.conn) < RPCREC_HDR_LEN + len)
		return -ENOBUFS;
	rpcrec_mark(hdr, len);
	rc = vtcp_send(c->tcp, c->from.conn, hdr, sizeof(hdr));
	return rc < 0 ? rc : vtcp_send(c->tcp, c->from.conn, data, len);
}

int nfsconn_answer(struct vhost_table *vt, uint32_t conn, const uint8_t *data, size_t len)
{
	struct vtcp *tcp = vhost_tcp(vt);
	struct nfsconn *c = vtcp_service(tcp, conn);
	int rc = 0;

	if (!c)
		return -ENOENT;
	nfsconn_release(c);
	if (len)
		rc = nfsconn_send(c, data, len);
	if (!c->in_recv) {
		nfsconn_kick(c);
		vtcp_resume(tcp, conn);
	}
	return rc;
}
