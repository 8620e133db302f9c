/* SPDX-License-Identifier: MIT */
/* proc.c: the skeleton NFSv2 and NFSv3 share: dispatch, one status table, READ into the reply, READDIR budget. */

/*
 * Theory of operation
 *
 * NFSv2 (nfs2.c) and NFSv3 (nfs3.c) serve the same file layer (fs.h) and
 * differ in their wire shapes only, so they share one procedure shape, as
 * OpenBSD's nfs_serv.c does for both versions:
 *
 *   - a procedure is an nfs_proc_fn (export, call) in a table indexed by
 *     procedure number; nfs_proc_run() picks it and answers PROC_UNAVAIL
 *     outside the table;
 *   - it decodes every argument first and checks ->args.err once
 *     (GARBAGE_ARGS), then resolves handles, so an undecodable call never
 *     reaches the file layer (no handle lookup, no export search);
 *   - it maps the file layer's verdict with nfs_status(): one table of
 *     nfsstat3 values, downgraded for version 2;
 *   - READ reads straight into the reply (nfs_put_read_data()), and READDIR
 *     sizes each entry before taking it (nfs_dir_entry_size(),
 *     nfs_dir_fits()) against the version's budget; an entry that does not
 *     fit ends the reply and comes again from its cookie.
 */
#include "nfs/proc.h"

#include "nfs/nfs3.h"

/* nfsstat3 of every file-layer status; 0 (NFS3_OK) past FS_OK means "unknown". */
static const uint16_t nfs_stat3_of[] = {
	[FS_OK] = NFS3_OK,
	[FS_ERR_PERM] = NFS3ERR_PERM,
	[FS_ERR_NOENT] = NFS3ERR_NOENT,
	[FS_ERR_IO] = NFS3ERR_IO,
	[FS_ERR_NXIO] = NFS3ERR_NXIO,
	[FS_ERR_ACCES] = NFS3ERR_ACCES,
	[FS_ERR_EXIST] = NFS3ERR_EXIST,
	[FS_ERR_XDEV] = NFS3ERR_XDEV,
	[FS_ERR_NODEV] = NFS3ERR_NODEV,
	[FS_ERR_NOTDIR] = NFS3ERR_NOTDIR,
	[FS_ERR_ISDIR] = NFS3ERR_ISDIR,
	[FS_ERR_INVAL] = NFS3ERR_INVAL,
	[FS_ERR_FBIG] = NFS3ERR_FBIG,
	[FS_ERR_NOSPC] = NFS3ERR_NOSPC,
	[FS_ERR_ROFS] = NFS3ERR_ROFS,
	[FS_ERR_MLINK] = NFS3ERR_MLINK,
	[FS_ERR_NAMETOOLONG] = NFS3ERR_NAMETOOLONG,
	[FS_ERR_NOTEMPTY] = NFS3ERR_NOTEMPTY,
	[FS_ERR_DQUOT] = NFS3ERR_DQUOT,
	[FS_ERR_STALE] = NFS3ERR_STALE,
	[FS_ERR_BADHANDLE] = NFS3ERR_BADHANDLE,
	[FS_ERR_NOTSUPP] = NFS3ERR_NOTSUPP,
	[FS_ERR_TOOSMALL] = NFS3ERR_TOOSMALL,
	[FS_ERR_SERVERFAULT] = NFS3ERR_SERVERFAULT,
	[FS_ERR_BADTYPE] = NFS3ERR_BADTYPE,
	[FS_ERR_NOT_SYNC] = NFS3ERR_NOT_SYNC,
	[FS_ERR_BAD_COOKIE] = NFS3ERR_BAD_COOKIE,
	[FS_ERR_JUKEBOX] = NFS3ERR_JUKEBOX,
};

/* RFC 1094's codes for the v3-only ones (v2 has no handle, cookie or type errors of its own). */
#define NFS2ERR_PERM 1u
#define NFS2ERR_IO 5u
#define NFS2ERR_INVAL 22u
#define NFS2ERR_STALE 70u

static uint32_t nfs_status_v2(uint32_t s3)
{
	switch (s3) {
	case NFS3ERR_BADHANDLE:
	case NFS3ERR_BAD_COOKIE:
		return NFS2ERR_STALE;
	case NFS3ERR_NOTSUPP:
		return NFS2ERR_PERM;
	case NFS3ERR_BADTYPE:
		return NFS2ERR_INVAL;
	default:
		return s3 < NFS3ERR_BADHANDLE ? s3 : NFS2ERR_IO;
	}
}

uint32_t nfs_status(enum fs_status st, uint32_t vers)
{
	size_t n = sizeof(nfs_stat3_of) / sizeof(nfs_stat3_of[0]);
	uint32_t s3 = NFS3ERR_SERVERFAULT;

	if ((size_t)st < n && (st == FS_OK || nfs_stat3_of[st]))
		s3 = nfs_stat3_of[st];
	return vers == 2 ? nfs_status_v2(s3) : s3;
}

int nfs_proc_run(const nfs_proc_fn *procs, size_t n, struct nfs_server *srv, struct nfs_req *req)
{
	if (req->call.proc >= n || !procs[req->call.proc])
		return NFS_PROC_UNAVAIL;
	return procs[req->call.proc](nfs_server_fs(srv), req);
}

int nfs_proc_void(struct fs_export *fs, struct nfs_req *req)
{
	(void)fs;
	(void)req;
	return NFS_PROC_DONE;
}

int nfs_proc_done(const struct nfs_req *req)
{
	return req->res.err ? NFS_PROC_SYSTEM_ERR : NFS_PROC_DONE;
}

int nfs_put_read_data(struct xdr_enc *e, struct fs_export *fs, struct fs_node *node, struct nfs_read *rd)
{
	size_t start = e->pos;
	uint8_t *len = xdr_reserve(e, 4);
	uint8_t *data = xdr_reserve(e, rd->count);

	if (!len || !data)
		return NFS_PROC_SYSTEM_ERR;
	rd->st = fs_read(fs, node, rd->off, data, rd->count, &rd->got, &rd->eof);
	e->pos = rd->st == FS_OK ? start + 4 : start;
	if (rd->st == FS_OK) {
		xdr_be32_put(len, rd->got);
		xdr_reserve(e, rd->got);
	}
	return NFS_PROC_DONE;
}

size_t nfs_dir_entry_size(uint32_t namelen, size_t word)
{
	return 4u + word + 4u + namelen + xdr_pad(namelen) + word;
}

bool nfs_dir_fits(const struct xdr_enc *e, size_t start, size_t need, size_t budget)
{
	return e->pos - start + need + NFS_DIR_TRAILER <= budget;
}
