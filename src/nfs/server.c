/* SPDX-License-Identifier: MIT */
/* server.c: nfs_server_*: RPC header handling, version checks, DRC and dispatch by program. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/drc.h"
#include "nfs/nfs3.h"
#include "nfs/rpc.h"
#include "nfs/srv.h"

/*
 * Theory of operation
 *
 * One datagram in, one reply out.  The call header is parsed (rpc.c); a
 * header that is not a call is dropped, a wrong RPC version or bad
 * credentials are denied.  Each port serves its own program (111 portmap,
 * 1234 MOUNT, 2049 NFS); a version we do not serve gets PROG_MISMATCH with
 * the served range, which follows the configured NFS versions (MOUNT v1/v2
 * go with NFSv2, MOUNT v3 with NFSv3).  Non-idempotent NFS calls pass the
 * duplicate-request cache.  The dispatchers write their results behind an
 * accepted-reply header and may ask for GARBAGE_ARGS, PROC_UNAVAIL or
 * SYSTEM_ERR instead, in which case the header is rewritten.
 *
 * Service is split in two (nfs.h): nfs_server_admit() parses only the RPC
 * header and consults the cache, so the frame path can call it while a
 * worker thread runs earlier calls; a new non-idempotent call is entered
 * "in progress" there, before it is queued, so a retransmission that
 * arrives while the original waits in the queue or runs is dropped rather
 * than run twice.  nfs_server_run() serves it and stores the reply.  The
 * cache has its own mutex (drc_lock, held for a hash lookup or a reply
 * copy); srv->lock serialises the calls into the export (the file layer's
 * caches are not thread-safe).  A call that met a handle the file layer
 * is still searching for (fsfind.c) was answered NFS3ERR_JUKEBOX; its
 * answer is not cached (the retry must run), and NFSv2, which has no such
 * status, gets no answer at all.
 */

#define NFS_DRC_ENTRIES 1024u
#define NFS_DRC_BYTES (4u << 20)

/**
 * nfs_server_fs() - the export behind a server.
 * @srv: server
 *
 * Return: its file layer.
 */
struct fs_export *nfs_server_fs(struct nfs_server *srv)
{
	return srv->fs;
}

/**
 * nfs_vers_served() - whether a program version is answered.
 * @srv: server
 * @prog: RPC program
 * @vers: version
 *
 * MOUNT v1 and v2 go with NFSv2, MOUNT v3 with NFSv3.
 *
 * Return: true when served.
 */
bool nfs_vers_served(const struct nfs_server *srv, uint32_t prog, uint32_t vers)
{
	switch (prog) {
	case RPC_PROG_PORTMAP:
		return vers >= 2 && vers <= 4;
	case RPC_PROG_NFS:
		return (vers == 2 && (srv->versions & NFS_SERVE_V2)) || (vers == 3 && (srv->versions & NFS_SERVE_V3));
	case RPC_PROG_MOUNT:
		return ((vers == 1 || vers == 2) && (srv->versions & NFS_SERVE_V2)) ||
		       (vers == 3 && (srv->versions & NFS_SERVE_V3));
	default:
		return false;
	}
}

/**
 * nfs_transport_served() - whether portmap reports a transport.
 * @srv: server
 * @ipproto: IPPROTO_UDP or IPPROTO_TCP (portmap's numbers); anything else is not served
 *
 * Return: true when the server answers on it.
 */
bool nfs_transport_served(const struct nfs_server *srv, uint32_t ipproto)
{
	return (ipproto == IPPROTO_UDP && (srv->transports & NFS_SERVE_UDP)) ||
	       (ipproto == IPPROTO_TCP && (srv->transports & NFS_SERVE_TCP));
}

/**
 * nfs_vers_range() - the lowest and highest versions served of a program.
 * @srv: server
 * @prog: RPC program (one we serve)
 * @low: receives the lowest
 * @high: receives the highest
 */
void nfs_vers_range(const struct nfs_server *srv, uint32_t prog, uint32_t *low, uint32_t *high)
{
	bool v2 = srv->versions & NFS_SERVE_V2, v3 = srv->versions & NFS_SERVE_V3;

	switch (prog) {
	case RPC_PROG_PORTMAP:
		*low = 2;
		*high = 4;
		break;
	case RPC_PROG_MOUNT:
		*low = v2 ? 1 : 3;
		*high = v3 ? 3 : 2;
		break;
	default:
		*low = v2 ? 2 : 3;
		*high = v3 ? 3 : 2;
		break;
	}
}

/* errno for a failed nfs_server_new(): the export's own failure (fs_errno), or memory (0). */
static int srv_failed_errno(int fs_errno)
{
	return fs_errno == 0 || fs_errno == ENOMEM ? ENOMEM : EINVAL;
}

/**
 * nfs_server_new() - open the export and prepare the server.
 * @cfg: configuration (copied)
 * @err: receives a message naming the bad input
 * @errlen: size of @err
 *
 * Return: the server, or NULL with @err filled and errno ENOMEM (out of
 * memory) or EINVAL (the configuration or the export).
 */
struct nfs_server *nfs_server_new(const struct nfs_server_config *cfg, char *err, size_t errlen)
{
	struct nfs_server *srv = calloc(1, sizeof(*srv));
	unsigned offered = NFS_SERVE_V2;

#ifdef NFS_HAVE_V3
	offered |= NFS_SERVE_V3;
#endif
	int fs_errno;

	if (!srv) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	srv->cfg = *cfg;
	atomic_init(&srv->addr, cfg->server_addr);
	srv->versions = (cfg->versions ? cfg->versions : NFS_SERVE_V2 | NFS_SERVE_V3) & offered;
	srv->transports = cfg->transports ? cfg->transports & (NFS_SERVE_UDP | NFS_SERVE_TCP)
					  : NFS_SERVE_UDP | NFS_SERVE_TCP;
	if (!srv->versions) {
		snprintf(err, errlen, "none of the requested NFS versions is available");
		free(srv);
		errno = EINVAL;
		return NULL;
	}
	srv->export_dir = cfg->export_dir ? strdup(cfg->export_dir) : NULL;
	srv->cfg.export_dir = srv->export_dir;
	srv->fs = fs_export_open(&srv->cfg, err, errlen);
	fs_errno = srv->fs ? 0 : errno;
	srv->drc = drc_new(NFS_DRC_ENTRIES, NFS_DRC_BYTES);
	if (!srv->fs || !srv->drc || pthread_mutex_init(&srv->lock, NULL) != 0 ||
	    pthread_mutex_init(&srv->drc_lock, NULL) != 0 || pthread_mutex_init(&srv->mounts_lock, NULL) != 0) {
		if (srv->fs && !srv->drc)
			snprintf(err, errlen, "out of memory");
		fs_export_close(srv->fs);
		drc_free(srv->drc);
		free(srv->export_dir);
		free(srv);
		errno = srv_failed_errno(fs_errno);
		return NULL;
	}
	return srv;
}

/**
 * nfs_server_set_addr() - the address the server now answers at (rpcbind GETADDR).
 * @srv: server
 * @addr: IPv4 address, network byte order
 *
 * Any thread; a call running at the same time sees the old or the new one.
 */
void nfs_server_set_addr(struct nfs_server *srv, uint32_t addr)
{
	atomic_store_explicit(&srv->addr, addr, memory_order_relaxed);
}

/**
 * nfs_server_free() - close the export and free the server.
 * @srv: server, may be NULL
 */
void nfs_server_free(struct nfs_server *srv)
{
	if (!srv)
		return;
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->drc_lock);
	pthread_mutex_destroy(&srv->mounts_lock);
	fs_export_close(srv->fs);
	drc_free(srv->drc);
	free(srv->export_dir);
	free(srv);
}

/* Calls that must never run twice for one transmission. */
static bool nfs_non_idempotent(const struct rpc_call *c)
{
	if (c->prog != RPC_PROG_NFS)
		return false;
	if (c->vers == 2)
		return c->proc == 2 || (c->proc >= 8 && c->proc <= 15);
	return c->proc == 2 || (c->proc >= 7 && c->proc <= 15);
}

static int nfs_dispatch(struct nfs_server *srv, struct nfs_req *req)
{
	switch (req->call.prog) {
	case RPC_PROG_PORTMAP:
		return portmap_dispatch(srv, req);
	case RPC_PROG_MOUNT:
		return mount_dispatch(srv, req);
	default:
#ifdef NFS_HAVE_V3
		if (req->call.vers == 3)
			return nfs3_dispatch(srv, req);
#endif
		return nfs2_dispatch(srv, req);
	}
}

static bool nfs_vers_range_known(uint32_t prog)
{
	return prog == RPC_PROG_PORTMAP || prog == RPC_PROG_NFS || prog == RPC_PROG_MOUNT;
}

static bool nfs_port_serves(uint16_t port, uint32_t prog)
{
	switch (port) {
	case NFS_PORT_PORTMAP: return prog == RPC_PROG_PORTMAP;
	case NFS_PORT_MOUNT: return prog == RPC_PROG_MOUNT;
	case NFS_PORT_NFS: return prog == RPC_PROG_NFS;
	default: return port == 0;
	}
}

/* Run a call whose header parsed and whose program/version we serve. */
static size_t nfs_serve(struct nfs_server *srv, struct nfs_req *req, struct xdr_enc *e)
{
	uint32_t xid = req->call.xid;
	size_t hdr;
	int rc;

	rpc_reply_accepted(e, xid, RPC_SUCCESS);
	hdr = e->pos;
	xdr_enc_init(&req->res, e->buf + hdr, e->cap - hdr);
	nfs_usage_count(srv, &req->call);
	rc = nfs_dispatch(srv, req);
	if (rc == NFS_PROC_DONE && req->res.err)
		rc = NFS_PROC_SYSTEM_ERR;
	if (rc == NFS_PROC_DONE)
		return hdr + req->res.pos;
	xdr_enc_init(e, e->buf, e->cap);
	rpc_reply_accepted(e, xid, rc == NFS_PROC_GARBAGE ? RPC_GARBAGE_ARGS :
				   rc == NFS_PROC_UNAVAIL ? RPC_PROC_UNAVAIL : RPC_SYSTEM_ERR);
	return e->pos;
}

static struct drc_key nfs_drc_key(const struct nfs_peer *peer, const struct nfs_ticket *tk)
{
	return (struct drc_key){ .addr = peer->addr, .port = peer->port, .xid = tk->xid,
				 .prog = tk->prog, .vers = tk->vers, .proc = tk->proc };
}

/* Whether a parsed call passes the duplicate-request cache: a non-idempotent NFS call we serve. */
static bool nfs_drc_applies(const struct nfs_server *srv, const struct rpc_call *c, uint16_t port)
{
	return nfs_port_serves(port, c->prog) && nfs_vers_served(srv, c->prog, c->vers) && nfs_non_idempotent(c);
}

/* Store a call's reply (or forget it: @len 0) and end its in-progress state. */
static void nfs_drc_settle(struct nfs_server *srv, const struct nfs_peer *peer, const struct nfs_ticket *tk,
			   const uint8_t *reply, size_t len)
{
	struct drc_key key = nfs_drc_key(peer, tk);

	pthread_mutex_lock(&srv->drc_lock);
	drc_finish(srv->drc, &key, reply, len);
	pthread_mutex_unlock(&srv->drc_lock);
}

/* Answer a call whose header parsed: program and version checks, then serve it. */
static size_t nfs_answer(struct nfs_server *srv, struct nfs_req *req, uint16_t port, struct xdr_enc *e)
{
	const struct rpc_call *c = &req->call;
	uint32_t low, high;

	if (!nfs_port_serves(port, c->prog) || !nfs_vers_range_known(c->prog)) {
		rpc_reply_accepted(e, c->xid, RPC_PROG_UNAVAIL);
		return e->pos;
	}
	if (!nfs_vers_served(srv, c->prog, c->vers)) {
		nfs_vers_range(srv, c->prog, &low, &high);
		rpc_reply_prog_mismatch(e, c->xid, low, high);
		return e->pos;
	}
	return nfs_serve(srv, req, e);
}

/**
 * nfs_server_admit() - look a call up in the duplicate-request cache.
 * @srv: server
 * @peer: the caller
 * @port: the port the call was sent to
 * @call: the call datagram
 * @len: its length
 * @reply: receives a cached reply on NFS_ADMIT_REPLY
 * @cap: its capacity
 * @rlen: receives the cached reply's length
 * @tk: receives the ticket for nfs_server_run() or nfs_server_cancel()
 *
 * Only the RPC header is parsed; the export is not touched.
 *
 * Return: an enum nfs_admit.
 */
enum nfs_admit nfs_server_admit(struct nfs_server *srv, const struct nfs_peer *peer, uint16_t port,
				const uint8_t *call, size_t len, uint8_t *reply, size_t cap, size_t *rlen,
				struct nfs_ticket *tk)
{
	enum nfs_admit verdict = NFS_ADMIT_RUN;
	const uint8_t *cached;
	struct rpc_call c;
	struct xdr_dec d;
	struct drc_key key;

	memset(tk, 0, sizeof(*tk));
	xdr_dec_init(&d, call, len);
	if (rpc_call_parse(&d, &c) != RPC_PARSE_OK || !nfs_drc_applies(srv, &c, port))
		return NFS_ADMIT_RUN;
	*tk = (struct nfs_ticket){ .xid = c.xid, .prog = c.prog, .vers = c.vers, .proc = c.proc, .in_drc = true };
	key = nfs_drc_key(peer, tk);
	pthread_mutex_lock(&srv->drc_lock);
	switch (drc_begin(srv->drc, &key, &cached, rlen)) {
	case DRC_IN_PROGRESS:
		verdict = NFS_ADMIT_DROP;
		break;
	case DRC_REPLAY:
		verdict = *rlen <= cap ? NFS_ADMIT_REPLY : NFS_ADMIT_DROP;
		if (verdict == NFS_ADMIT_REPLY)
			memcpy(reply, cached, *rlen);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&srv->drc_lock);
	if (verdict != NFS_ADMIT_RUN)
		tk->in_drc = false;
	return verdict;
}

/**
 * nfs_server_cancel() - give up an admitted call without running it.
 * @srv: server
 * @peer: the caller
 * @tk: the ticket from nfs_server_admit()
 */
void nfs_server_cancel(struct nfs_server *srv, const struct nfs_peer *peer, const struct nfs_ticket *tk)
{
	if (tk->in_drc)
		nfs_drc_settle(srv, peer, tk, NULL, 0);
}

/* Parse the header and produce the reply (or none); under srv->lock. */
static size_t nfs_reply(struct nfs_server *srv, struct nfs_req *req, uint16_t port, struct xdr_enc *e)
{
	switch (rpc_call_parse(&req->args, &req->call)) {
	case RPC_PARSE_OK:
		req->cred.uid = req->call.cred.uid;
		req->cred.gid = req->call.cred.gid;
		req->cred.ngids = req->call.cred.ngids;
		req->cred.gids = req->call.cred.gids;
		return nfs_answer(srv, req, port, e);
	case RPC_PARSE_BAD_RPCVERS:
		rpc_reply_rpc_mismatch(e, req->call.xid);
		return e->pos;
	case RPC_PARSE_BAD_CRED:
		rpc_reply_auth_error(e, req->call.xid, RPC_AUTH_BADCRED);
		return e->pos;
	case RPC_PARSE_WEAK_AUTH:
		rpc_reply_auth_error(e, req->call.xid, RPC_AUTH_TOOWEAK);
		return e->pos;
	default:
		return 0;
	}
}

/**
 * nfs_server_run() - serve an admitted call.
 * @srv: server
 * @peer: the caller
 * @port: the port the call was sent to
 * @call: the call datagram
 * @len: its length
 * @tk: the ticket from nfs_server_admit()
 * @reply: reply buffer
 * @cap: its capacity
 *
 * Return: the reply length, or 0 when no reply is to be sent.
 */
size_t nfs_server_run(struct nfs_server *srv, const struct nfs_peer *peer, uint16_t port, const uint8_t *call,
		      size_t len, const struct nfs_ticket *tk, uint8_t *reply, size_t cap)
{
	const size_t max = peer->stream ? NFS_STREAM_RECORD_MAX : NFS_REPLY_MAX;
	struct nfs_req req;
	struct xdr_enc e;
	bool deferred;
	size_t out;

	memset(&req, 0, sizeof(req));
	req.peer = *peer;
	xdr_dec_init(&req.args, call, len);
	xdr_enc_init(&e, reply, cap < max ? cap : max);
	pthread_mutex_lock(&srv->lock);
	out = nfs_reply(srv, &req, port, &e);
	if (e.err)
		out = 0;
	deferred = fs_call_done(srv->fs);
	pthread_mutex_unlock(&srv->lock);
	if (deferred && req.call.vers == 2)
		out = 0;  /* NFSv2 has no JUKEBOX: no answer, the client retransmits */
	if (tk->in_drc)
		nfs_drc_settle(srv, peer, tk, reply, deferred ? 0 : out);
	return out;
}

/**
 * nfs_server_call() - serve one RPC call datagram.
 * @srv: server
 * @peer: the caller
 * @port: the UDP port the call was sent to (111, 1234 or 2049; 0 = any)
 * @call: the call datagram
 * @len: its length
 * @reply: reply buffer
 * @cap: its capacity (NFS_REPLY_MAX is always enough)
 *
 * Return: the reply length, or 0 when no reply is to be sent (undecodable
 * call header, a retransmission of a call still in progress).
 */
size_t nfs_server_call(struct nfs_server *srv, const struct nfs_peer *peer, uint16_t port,
		       const uint8_t *call, size_t len, uint8_t *reply, size_t cap)
{
	struct nfs_ticket tk;
	size_t out = 0;

	if (!srv || !peer || !call || !reply)
		return 0;
	switch (nfs_server_admit(srv, peer, port, call, len, reply, cap, &out, &tk)) {
	case NFS_ADMIT_RUN:
		return nfs_server_run(srv, peer, port, call, len, &tk, reply, cap);
	case NFS_ADMIT_REPLY:
		return out;
	default:
		return 0;
	}
}

size_t nfs_reply_bound(const uint8_t *call, size_t len)
{
	struct xdr_dec d;
	struct rpc_call c;
	uint32_t fhlen, count;

	xdr_dec_init(&d, call, len);
	if (rpc_call_parse(&d, &c) != RPC_PARSE_OK || c.prog != RPC_PROG_NFS || c.vers != 3 ||
	    c.proc != NFS3PROC_READ)
		return NFS_REPLY_MAX;
	(void)xdr_get_opaque(&d, NFS3_FHSIZE, &fhlen);
	(void)xdr_get_u64(&d);
	count = xdr_get_u32(&d);
	if (d.err || count + 4096u <= NFS_REPLY_MAX)
		return NFS_REPLY_MAX;
	return count < NFS_STREAM_XFER_MAX ? count + 4096u : NFS_STREAM_RECORD_MAX;
}

/**
 * nfs_server_stats() - the server's cache figures (any thread).
 * @srv: server
 * @out: receives them
 */
void nfs_server_stats(struct nfs_server *srv, struct nfs_stats *out)
{
	memset(out, 0, sizeof(*out));
	fs_stats(srv->fs, out);
	pthread_mutex_lock(&srv->drc_lock);
	out->drc_entries = (uint32_t)drc_count(srv->drc);
	pthread_mutex_unlock(&srv->drc_lock);
}
