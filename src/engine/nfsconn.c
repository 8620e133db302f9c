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
 * Bounds: a record may be as large as the largest UDP datagram
 * (NFS_REPLY_MAX); a larger one resets the connection with a log line,
 * before anything is allocated for it.  A connection takes a new record
 * only while fewer than NFSCONN_MAX_CALLS of its calls are unanswered and
 * the send buffer has room for all their answers (each at most
 * NFS_REPLY_MAX + 4); otherwise its bytes stay in the TCP receive buffer,
 * whose window then closes, and are offered again when an answer went out
 * or the guest acknowledged one.  So an answer never finds the send buffer
 * full, and a guest that pipelines calls without reading answers stalls
 * itself, not the engine.  Half a record held for NFSCONN_STALL_MS resets
 * the connection; between records the TCP's idle timeout applies.
 *
 * Worked example: a Linux client pipelines 10 READs of 32 KiB in one
 * burst.  Records 1..8 are taken and queued; record 9 stays in the receive
 * buffer (window shrinks).  The worker answers READ 1: its 32 KiB record
 * goes into the send buffer, nfsconn_answer() resumes the connection and
 * record 9 is taken; and so on.  If the client reconnects while READ 3
 * waits, READ 3's answer finds the connection gone and is dropped
 * (counted); the client's retransmission on the new connection is
 * answered from the duplicate-request cache if READ 3 had finished.
 */

#define NFSCONN_ANSWER_MAX (RPCREC_HDR_LEN + NFS_REPLY_MAX)

struct nfsconn {
	struct nfsvc *svc;
	struct vtcp *tcp;
	struct vhost_dgram from;   /* the guest's end; conn = the connection's id */
	struct rpcrec *rec;
	unsigned inflight;         /* calls taken, not yet answered */
	bool in_recv;              /* inside nfsconn_recv(): no vtcp_resume() */
};

/* vtcp_ops.open */
static void *nfsconn_open(void *opaque, uint32_t id, const struct vhost_dgram *ends)
{
	struct nfsvc *svc = opaque;
	struct nfsconn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rec = rpcrec_new(NFS_REPLY_MAX);
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

/* Whether one more call may be taken: its answer is sure to fit. */
static bool nfsconn_room(const struct nfsconn *c)
{
	return c->inflight < NFSCONN_MAX_CALLS &&
	       vtcp_send_room(c->tcp, c->from.conn) >= (size_t)(c->inflight + 1) * NFSCONN_ANSWER_MAX;
}

static void nfsconn_dispatch(struct nfsconn *c)
{
	size_t len;
	const uint8_t *rec = rpcrec_record(c->rec, &len);

	c->inflight++;
	nfsvc_call(c->svc, &c->from, rec, len);
}

static void nfsconn_refuse(const struct nfsconn *c, enum rpcrec_status st)
{
	const uint8_t *a = (const uint8_t *)&c->from.src_ip;

	ilog(INDYNET_LOG_WARN, "nfs: TCP from %u.%u.%u.%u:%u to port %u: %s, connection reset", a[0], a[1], a[2],
	     a[3], c->from.sport, c->from.dport,
	     st == RPCREC_TOO_BIG ? "a record larger than 65507 bytes" : "out of memory for a record");
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

static const struct vtcp_ops nfsconn_ops = {
	.open = nfsconn_open,
	.recv = nfsconn_recv,
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
	if (c->inflight)
		c->inflight--;
	if (len)
		rc = nfsconn_send(c, data, len);
	if (!c->in_recv)
		vtcp_resume(tcp, conn);
	return rc;
}
