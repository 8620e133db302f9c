/* SPDX-License-Identifier: MIT */
/* proc.h: the one procedure shape of NFSv2 and NFSv3 and what both versions share (status, READ, READDIR budget). */
#ifndef INDYNET_NFS_PROC_H
#define INDYNET_NFS_PROC_H

#include <stdbool.h>
#include <stddef.h>
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
 * typedef nfs_proc_fn - one procedure of NFSv2 or NFSv3: the one shape of both.
 * @fs: the export
 * @req: the call; every argument is decoded (and ->args.err checked) before
 *       any handle is resolved, so an undecodable call touches no file
 *
 * Return: an enum nfs_proc_ret.
 */
typedef int (*nfs_proc_fn)(struct fs_export *fs, struct nfs_req *req);

/**
 * nfs_proc_run() - run the procedure @req names from a version's table.
 * @procs: the version's procedures, indexed by procedure number
 * @n: entries in @procs
 * @srv: server
 * @req: the call
 *
 * Return: what the procedure returns; NFS_PROC_UNAVAIL for a number
 * outside the table.
 */
int nfs_proc_run(const nfs_proc_fn *procs, size_t n, struct nfs_server *srv, struct nfs_req *req);

/**
 * nfs_proc_void() - NULL and the obsolete v2 ROOT and WRITECACHE: no arguments read, void result.
 * @fs: unused
 * @req: unused
 *
 * Return: NFS_PROC_DONE.
 */
int nfs_proc_void(struct fs_export *fs, struct nfs_req *req);

/**
 * nfs_proc_done() - end of a procedure: its results, unless the encoder ran out of room.
 * @req: the call
 *
 * Return: NFS_PROC_DONE, or NFS_PROC_SYSTEM_ERR when ->res overflowed.
 */
int nfs_proc_done(const struct nfs_req *req);

/**
 * nfs_status() - the status word for a file-layer status in NFS version @vers.
 * @st: the file layer's verdict
 * @vers: 2 or 3
 *
 * One table gives nfsstat3 (SERVERFAULT for anything unknown); version 2
 * keeps every errno-valued code and downgrades the v3-only ones: BADHANDLE
 * and BAD_COOKIE to STALE, NOTSUPP to PERM, BADTYPE to INVAL, the rest to IO.
 *
 * Return: the nfsstat (v2) or nfsstat3 value.
 */
uint32_t nfs_status(enum fs_status st, uint32_t vers);

/** struct nfs_read - one READ into the reply: what was asked, what was read. */
struct nfs_read {
	uint64_t off;
	uint32_t count;     /* bytes asked for, already capped by the version */
	uint32_t got;       /* bytes read */
	bool eof;
	enum fs_status st;  /* the file layer's verdict */
};

/**
 * nfs_put_read_data() - READ's data: an XDR opaque read straight into the reply.
 * @e: the reply, at the opaque's length word
 * @fs: export
 * @node: the file
 * @rd: offset and count in; bytes read, eof and status out
 *
 * Reserves the length word and @rd->count bytes, reads into them (no copy)
 * and trims the opaque to the bytes read, padding zeroed.  When the read
 * fails (@rd->st) the encoder is left where it was.
 *
 * Return: NFS_PROC_DONE, or NFS_PROC_SYSTEM_ERR when the reply has no room.
 */
int nfs_put_read_data(struct xdr_enc *e, struct fs_export *fs, struct fs_node *node, struct nfs_read *rd);

/* Bytes after a READDIR reply's last entry: value_follows = FALSE, eof. */
#define NFS_DIR_TRAILER 8u

/**
 * nfs_dir_entry_size() - XDR size of one READDIR entry with its value_follows word.
 * @namelen: the name's length
 * @word: size of the fileid and the cookie: 4 (v2) or 8 (v3)
 *
 * Return: the bytes the entry takes in the reply.
 */
size_t nfs_dir_entry_size(uint32_t namelen, size_t word);

/**
 * nfs_dir_fits() - whether an entry of @need bytes still fits a READDIR reply.
 * @e: the reply being filled
 * @start: encoder position of the reply's status word
 * @need: the entry's size (nfs_dir_entry_size(), plus READDIRPLUS's extras)
 * @budget: the reply's byte budget from the status word on (the client's
 *          count, capped by the version)
 *
 * Return: true when status, entries so far, this one and the trailer fit @budget.
 */
bool nfs_dir_fits(const struct xdr_enc *e, size_t start, size_t need, size_t budget);

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
