/* SPDX-License-Identifier: MIT */
/* proc.h: the per-version NFS dispatch contract between server.c and nfs2.c / nfs3.c. */
#ifndef INDYNET_NFS_PROC_H
#define INDYNET_NFS_PROC_H

#include <stdint.h>

#include "nfs/attr.h"
#include "nfs/fs.h"
#include "nfs/nfs.h"
#include "nfs/rpc.h"
#include "nfs/xdr.h"

/**
 * struct nfs_req - one decoded call handed to a version's dispatcher.
 * @call: the RPC header (xid, prog, vers, proc, raw credentials)
 * @peer: the caller
 * @cred: the caller's identity for file operations
 * @args: decoder over the procedure's arguments
 * @res: encoder for the procedure's results; the accepted-reply header
 *       (RPC_SUCCESS) is already written in front of it.  Its capacity is
 *       the reply buffer's remaining space (at most NFS_REPLY_MAX overall).
 */
struct nfs_req {
	struct rpc_call call;
	struct nfs_peer peer;
	struct fs_cred cred;
	struct xdr_dec args;
	struct xdr_enc res;
};

/** enum nfs_proc_ret - what a dispatcher tells server.c to answer. */
enum nfs_proc_ret {
	NFS_PROC_DONE = 0,     /* results are in req->res */
	NFS_PROC_GARBAGE,      /* arguments undecodable: GARBAGE_ARGS */
	NFS_PROC_UNAVAIL,      /* unknown procedure: PROC_UNAVAIL */
	NFS_PROC_SYSTEM_ERR,   /* results did not fit / internal failure */
};

struct nfs_server;

/**
 * nfs_server_fs() - the export behind a server.
 * @srv: server
 *
 * Return: its file layer.
 */
struct fs_export *nfs_server_fs(struct nfs_server *srv);

/**
 * nfs2_dispatch() - serve one NFSv2 (RFC 1094) call.
 * @srv: server
 * @req: the decoded call
 *
 * Return: an enum nfs_proc_ret.
 */
int nfs2_dispatch(struct nfs_server *srv, struct nfs_req *req);

/**
 * nfs3_dispatch() - serve one NFSv3 (RFC 1813) call.
 * @srv: server
 * @req: the decoded call
 *
 * Return: an enum nfs_proc_ret.
 */
int nfs3_dispatch(struct nfs_server *srv, struct nfs_req *req);

#endif /* INDYNET_NFS_PROC_H */
