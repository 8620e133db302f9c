/* SPDX-License-Identifier: MIT */
/* server.c: nfs_server_*: RPC header handling, version checks, DRC and dispatch by program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/drc.h"
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
 * SYSTEM_ERR instead, in which case the header is rewritten.  A mutex
 * serialises calls: the file layer's index and descriptor cache are not
 * thread-safe, and one guest's NFS traffic is served by one engine thread.
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

/**
 * nfs_server_new() - open the export and prepare the server.
 * @cfg: configuration (copied)
 * @err: receives a message naming the bad input
 * @errlen: size of @err
 *
 * Return: the server, or NULL with @err filled.
 */
struct nfs_server *nfs_server_new(const struct nfs_server_config *cfg, char *err, size_t errlen)
{
	struct nfs_server *srv = calloc(1, sizeof(*srv));
	unsigned offered = NFS_SERVE_V2;

#ifdef NFS_HAVE_V3
	offered |= NFS_SERVE_V3;
#endif
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->cfg = *cfg;
	srv->versions = (cfg->versions ? cfg->versions : NFS_SERVE_V2 | NFS_SERVE_V3) & offered;
	if (!srv->versions) {
		snprintf(err, errlen, "none of the requested NFS versions is available");
		free(srv);
		return NULL;
	}
	srv->export_dir = cfg->export_dir ? strdup(cfg->export_dir) : NULL;
	srv->cfg.export_dir = srv->export_dir;
	srv->fs = fs_export_open(&srv->cfg, err, errlen);
	srv->drc = drc_new(NFS_DRC_ENTRIES, NFS_DRC_BYTES);
	if (!srv->fs || !srv->drc || pthread_mutex_init(&srv->lock, NULL) != 0) {
		if (srv->fs && !srv->drc)
			snprintf(err, errlen, "out of memory");
		fs_export_close(srv->fs);
		drc_free(srv->drc);
		free(srv->export_dir);
		free(srv);
		return NULL;
	}
	return srv;
}

/**
 * nfs_server_set_addr() - the address the server now answers at (rpcbind GETADDR).
 * @srv: server
 * @addr: IPv4 address, network byte order
 *
 * Called on the engine thread, like every other call into the server.
 */
void nfs_server_set_addr(struct nfs_server *srv, uint32_t addr)
{
	srv->cfg.server_addr = addr;
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

/* Answer a call whose header parsed: program and version checks, then the DRC. */
static size_t nfs_answer(struct nfs_server *srv, struct nfs_req *req, uint16_t port, struct xdr_enc *e)
{
	const struct rpc_call *c = &req->call;
	struct drc_key key = {
		.addr = req->peer.addr, .port = req->peer.port, .xid = c->xid,
		.prog = c->prog, .vers = c->vers, .proc = c->proc,
	};
	const uint8_t *cached;
	uint32_t low, high;
	size_t len;

	if (!nfs_port_serves(port, c->prog) || !nfs_vers_range_known(c->prog)) {
		rpc_reply_accepted(e, c->xid, RPC_PROG_UNAVAIL);
		return e->pos;
	}
	if (!nfs_vers_served(srv, c->prog, c->vers)) {
		nfs_vers_range(srv, c->prog, &low, &high);
		rpc_reply_prog_mismatch(e, c->xid, low, high);
		return e->pos;
	}
	if (!nfs_non_idempotent(c))
		return nfs_serve(srv, req, e);
	switch (drc_begin(srv->drc, &key, &cached, &len)) {
	case DRC_IN_PROGRESS:
		return 0;
	case DRC_REPLAY:
		if (len > e->cap)
			return 0;
		memcpy(e->buf, cached, len);
		return len;
	default:
		len = nfs_serve(srv, req, e);
		drc_finish(srv->drc, &key, e->buf, len);
		return len;
	}
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
	struct nfs_req req;
	struct xdr_enc e;
	size_t out = 0;

	if (!srv || !peer || !call || !reply)
		return 0;
	memset(&req, 0, sizeof(req));
	req.peer = *peer;
	xdr_dec_init(&req.args, call, len);
	xdr_enc_init(&e, reply, cap < NFS_REPLY_MAX ? cap : NFS_REPLY_MAX);
	pthread_mutex_lock(&srv->lock);
	switch (rpc_call_parse(&req.args, &req.call)) {
	case RPC_PARSE_OK:
		req.cred.uid = req.call.cred.uid;
		req.cred.gid = req.call.cred.gid;
		req.cred.ngids = req.call.cred.ngids;
		req.cred.gids = req.call.cred.gids;
		out = nfs_answer(srv, &req, port, &e);
		break;
	case RPC_PARSE_BAD_RPCVERS:
		rpc_reply_rpc_mismatch(&e, req.call.xid);
		out = e.pos;
		break;
	case RPC_PARSE_BAD_CRED:
		rpc_reply_auth_error(&e, req.call.xid, RPC_AUTH_BADCRED);
		out = e.pos;
		break;
	case RPC_PARSE_WEAK_AUTH:
		rpc_reply_auth_error(&e, req.call.xid, RPC_AUTH_TOOWEAK);
		out = e.pos;
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&srv->lock);
	return e.err ? 0 : out;
}
