/* SPDX-License-Identifier: MIT */
/* nfs3.c: NFSv3 (RFC 1813): argument decoding, the 22 procedures, result encoding. */

/*
 * Theory of operation
 *
 * server.c has parsed the RPC header, checked program and version, consulted
 * the duplicate-request cache and written the accepted-reply header; it
 * hands us one struct nfs_req.  Each procedure here is three steps:
 *
 *   1. decode the arguments with the sticky-error XDR decoder and check
 *      ->err once (GARBAGE_ARGS when set);
 *   2. call the version-neutral file layer (fs.h), which owns handles,
 *      name validation, containment, attribute models and read-only;
 *   3. encode the RFC 1813 result, mapping enum fs_status to nfsstat3.
 *
 * Handles are decoded with a limit far above NFS3_FHSIZE so an oversized
 * handle reaches fs_from_handle() and is answered BADHANDLE instead of
 * being rejected as undecodable.  WCC data is a getattr before and after
 * each modifying call (pre_op_attr / post_op_attr).  READ reads straight
 * into the reply buffer (no copy, no allocation).  READDIR and READDIRPLUS
 * size each entry before taking it so the reply fits the client's count
 * (READDIR) or dircount and maxcount (READDIRPLUS); an entry that does not
 * fit ends the reply and is returned again by the next call from its
 * cookie.  A non-zero cookie must come with the directory's current cookie
 * verifier (BAD_COOKIE otherwise); an all-zero verifier is accepted because
 * some clients never echo it.  WRITE honours UNSTABLE (no flush; COMMIT
 * flushes) and answers FILE_SYNC otherwise; the write verifier is the file
 * layer's, new on every server start, so clients resend uncommitted data
 * after a restart.
 */
#include "nfs/nfs3.h"

#include <string.h>

#include "nfs/fs.h"
#include "nfs/proc.h"
#include "nfs/xdr.h"

/* Handles longer than this are not even looked at (they cannot be ours). */
#define NFS3_FH_DECODE_MAX 1024u
/* XDR sizes of fixed result parts. */
#define NFS3_FATTR_SIZE 84u
#define NFS3_POST_ATTR_SIZE (4u + NFS3_FATTR_SIZE)
#define NFS3_POST_FH_SIZE (4u + 4u + FH_SIZE)

/* ---- argument decoders (sticky ->err: callers check it once) -------- */

/** struct nfs3_fh - an nfs_fh3 as received; points into the call datagram. */
struct nfs3_fh {
	const uint8_t *data;
	uint32_t len;
};

/** struct nfs3_dirop - diropargs3; the name is not NUL-terminated. */
struct nfs3_dirop {
	struct nfs3_fh dir;
	const uint8_t *name;
	uint32_t namelen;
};

static void nfs3_get_fh(struct xdr_dec *d, struct nfs3_fh *fh)
{
	fh->data = xdr_get_opaque(d, NFS3_FH_DECODE_MAX, &fh->len);
}

static void nfs3_get_time(struct xdr_dec *d, struct fs_time *t)
{
	t->sec = xdr_get_u32(d);
	t->nsec = xdr_get_u32(d);
	if (t->nsec >= 1000000000u)
		d->err = true;
}

static void nfs3_get_set_time(struct xdr_dec *d, enum fs_time_how *how, struct fs_time *t)
{
	uint32_t h = xdr_get_u32(d);

	switch (h) {
	case NFS3_DONT_CHANGE:
		*how = FS_TIME_DONT;
		break;
	case NFS3_SET_TO_SERVER_TIME:
		*how = FS_TIME_SERVER;
		break;
	case NFS3_SET_TO_CLIENT_TIME:
		*how = FS_TIME_CLIENT;
		nfs3_get_time(d, t);
		break;
	default:
		d->err = true;
	}
}

static void nfs3_get_sattr(struct xdr_dec *d, struct fs_sattr *s)
{
	memset(s, 0, sizeof(*s));
	if ((s->set_mode = xdr_get_bool(d)))
		s->mode = xdr_get_u32(d) & 07777;
	if ((s->set_uid = xdr_get_bool(d)))
		s->uid = xdr_get_u32(d);
	if ((s->set_gid = xdr_get_bool(d)))
		s->gid = xdr_get_u32(d);
	if ((s->set_size = xdr_get_bool(d)))
		s->size = xdr_get_u64(d);
	nfs3_get_set_time(d, &s->atime_how, &s->atime);
	nfs3_get_set_time(d, &s->mtime_how, &s->mtime);
}

static void nfs3_get_dirop(struct xdr_dec *d, struct nfs3_dirop *a)
{
	nfs3_get_fh(d, &a->dir);
	/* filename3 is an unbounded string: accept up to the path limit so an
	 * overlong name is answered NAMETOOLONG rather than GARBAGE_ARGS. */
	a->name = xdr_get_opaque(d, NFS3_PATH_MAX, &a->namelen);
}

/* ---- result encoders -------------------------------------------------- */

static void nfs3_put_time(struct xdr_enc *e, const struct fs_time *t)
{
	xdr_put_u32(e, (uint32_t)t->sec);
	xdr_put_u32(e, t->nsec);
}

static uint8_t *nfs3_be_time(uint8_t *p, const struct fs_time *t)
{
	return xdr_be32_put(xdr_be32_put(p, (uint32_t)t->sec), t->nsec);
}

/* fattr3 is on every hot path: one bounds check, then straight stores. */
static void nfs3_put_fattr(struct xdr_enc *e, const struct fs_attr *a)
{
	uint8_t *p = xdr_reserve(e, NFS3_FATTR_SIZE);

	if (!p)
		return;
	p = xdr_be32_put(p, (uint32_t)a->type);
	p = xdr_be32_put(p, a->mode);
	p = xdr_be32_put(p, a->nlink);
	p = xdr_be32_put(p, a->uid);
	p = xdr_be32_put(p, a->gid);
	p = xdr_be64_put(p, a->size);
	p = xdr_be64_put(p, a->used);
	p = xdr_be32_put(p, a->rdev_major);
	p = xdr_be32_put(p, a->rdev_minor);
	p = xdr_be64_put(p, a->fsid);
	p = xdr_be64_put(p, a->fileid);
	p = nfs3_be_time(p, &a->atime);
	p = nfs3_be_time(p, &a->mtime);
	nfs3_be_time(p, &a->ctime);
}

/* post_op_attr: attributes when @a is non-NULL. */
static void nfs3_put_post_attr(struct xdr_enc *e, const struct fs_attr *a)
{
	xdr_put_bool(e, a != NULL);
	if (a)
		nfs3_put_fattr(e, a);
}

/* pre_op_attr: size and times before the operation. */
static void nfs3_put_pre_attr(struct xdr_enc *e, const struct fs_attr *a)
{
	xdr_put_bool(e, a != NULL);
	if (a) {
		xdr_put_u64(e, a->size);
		nfs3_put_time(e, &a->mtime);
		nfs3_put_time(e, &a->ctime);
	}
}

/* ---- status mapping and common helpers ------------------------------ */

/* Map a file-layer status to nfsstat3 (SERVERFAULT for anything unknown). */
static uint32_t nfs3_status(enum fs_status st)
{
	return nfs_status(st, 3);
}

/* Resolve a handle argument. */
static enum fs_status nfs3_node(struct fs_export *fs, const struct nfs3_fh *fh, struct fs_node **out)
{
	return fs_from_handle(fs, fh->data, fh->len, out);
}

/* Attributes of @node into @a; returns @a, or NULL when they cannot be read. */
static const struct fs_attr *nfs3_attr(struct fs_export *fs, struct fs_node *node, struct fs_attr *a)
{
	if (!node || fs_getattr(fs, node, a) != FS_OK)
		return NULL;
	return a;
}

static void nfs3_put_handle(struct xdr_enc *e, struct fs_export *fs, struct fs_node *node)
{
	uint8_t fh[FH_SIZE];

	fs_handle(fs, node, fh);
	xdr_put_opaque(e, fh, FH_SIZE);
}

/* post_op_fh3 and post_op_attr of a new or found object. */
static void nfs3_put_obj(struct xdr_enc *e, struct fs_export *fs, struct fs_node *node)
{
	struct fs_attr a;

	xdr_put_bool(e, node != NULL);
	if (node)
		nfs3_put_handle(e, fs, node);
	nfs3_put_post_attr(e, nfs3_attr(fs, node, &a));
}

/* wcc_data: @pre as taken before the operation, @node's attributes now. */
static void nfs3_put_wcc(struct xdr_enc *e, struct fs_export *fs, const struct fs_attr *pre, struct fs_node *node)
{
	struct fs_attr after;

	nfs3_put_pre_attr(e, pre);
	nfs3_put_post_attr(e, nfs3_attr(fs, node, &after));
}

/* status + wcc_data: the common shape of a modifying procedure's result. */
static void nfs3_put_status_wcc(struct xdr_enc *e, enum fs_status st, struct fs_export *fs,
				const struct fs_attr *pre, struct fs_node *node)
{
	xdr_put_u32(e, nfs3_status(st));
	nfs3_put_wcc(e, fs, pre, node);
}

/* The server's write verifier (WRITE and COMMIT). */
static void nfs3_put_write_verf(struct xdr_enc *e, struct fs_export *fs)
{
	uint8_t verf[NFS3_VERFSIZE];

	fs_write_verf(fs, verf);
	xdr_put_fixed(e, verf, NFS3_VERFSIZE);
}

/*
 * Resolve a handle and take the object's pre-operation attributes (*pre is
 * NULL when they cannot be read); *node is NULL when the handle fails.
 */
static enum fs_status nfs3_node_pre(struct fs_export *fs, const struct nfs3_fh *fh, struct fs_node **node,
				    struct fs_attr *buf, const struct fs_attr **pre)
{
	enum fs_status st = nfs3_node(fs, fh, node);

	*pre = st == FS_OK ? nfs3_attr(fs, *node, buf) : NULL;
	if (st != FS_OK)
		*node = NULL;
	return st;
}

/* status + post_op_attr: the common shape of a read-only procedure's result. */
static void nfs3_put_status_attr(struct xdr_enc *e, enum fs_status st, struct fs_export *fs, struct fs_node *node)
{
	struct fs_attr a;

	xdr_put_u32(e, nfs3_status(st));
	nfs3_put_post_attr(e, nfs3_attr(fs, node, &a));
}

/* ---- procedures ------------------------------------------------------- */

static int nfs3_getattr(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_fh fh;
	struct fs_node *node;
	struct fs_attr a;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node(fs, &fh, &node);
	if (st == FS_OK)
		st = fs_getattr(fs, node, &a);
	xdr_put_u32(&req->res, nfs3_status(st));
	if (st == FS_OK)
		nfs3_put_fattr(&req->res, &a);
	return nfs_proc_done(req);
}

static int nfs3_setattr(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_fh fh;
	struct fs_sattr sa;
	struct fs_time guard = { 0, 0 };
	struct fs_attr before;
	const struct fs_attr *pre;
	struct fs_node *node;
	enum fs_status st;
	bool check;

	nfs3_get_fh(&req->args, &fh);
	nfs3_get_sattr(&req->args, &sa);
	check = xdr_get_bool(&req->args);
	if (check)
		nfs3_get_time(&req->args, &guard);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &fh, &node, &before, &pre);
	if (st == FS_OK)
		st = fs_setattr(fs, node, &sa, check ? &guard : NULL);
	nfs3_put_status_wcc(&req->res, st, fs, pre, node);
	return nfs_proc_done(req);
}

static int nfs3_lookup(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_dirop a;
	struct fs_node *dir = NULL, *node = NULL;
	struct fs_attr oa, da;
	enum fs_status st;

	nfs3_get_dirop(&req->args, &a);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node(fs, &a.dir, &dir);
	if (st == FS_OK)
		st = fs_lookup(fs, dir, a.name, a.namelen, &node);
	xdr_put_u32(&req->res, nfs3_status(st));
	if (st == FS_OK) {
		nfs3_put_handle(&req->res, fs, node);
		nfs3_put_post_attr(&req->res, nfs3_attr(fs, node, &oa));
	}
	nfs3_put_post_attr(&req->res, nfs3_attr(fs, dir, &da));
	return nfs_proc_done(req);
}

static int nfs3_access(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_fh fh;
	struct fs_node *node = NULL;
	uint32_t want, granted = 0;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	want = xdr_get_u32(&req->args);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node(fs, &fh, &node);
	if (st == FS_OK)
		st = fs_access(fs, node, &req->cred, want, &granted);
	nfs3_put_status_attr(&req->res, st, fs, node);
	if (st == FS_OK)
		xdr_put_u32(&req->res, granted & want);
	return nfs_proc_done(req);
}

static int nfs3_readlink(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_fh fh;
	struct fs_node *node = NULL;
	char target[FS_PATH_MAX + 1];
	size_t len = 0;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node(fs, &fh, &node);
	if (st == FS_OK)
		st = fs_readlink(fs, node, target, sizeof(target), &len);
	nfs3_put_status_attr(&req->res, st, fs, node);
	if (st == FS_OK)
		xdr_put_opaque(&req->res, target, (uint32_t)len);
	return nfs_proc_done(req);
}

/* READ and WRITE data per call: 32 KiB over UDP (a reply fits a datagram), 1 MiB over TCP. */
static uint32_t nfs3_xfer_max(const struct nfs_req *req)
{
	return req->peer.stream ? NFS_STREAM_XFER_MAX : NFS3_XFER_MAX;
}

/*
 * READ3resok is post_op_attr, count, eof, opaque data.  The data is read
 * straight into the reply (nfs_put_read_data()); count and eof are reserved
 * before it and filled in once the byte count is known.
 */
static int nfs3_read(struct fs_export *fs, struct nfs_req *req)
{
	struct xdr_enc *e = &req->res;
	struct nfs3_fh fh;
	struct nfs_read rd = { 0 };
	struct fs_node *node = NULL;
	struct fs_attr a;
	enum fs_status st;
	uint8_t *hdr;
	size_t start = e->pos;

	nfs3_get_fh(&req->args, &fh);
	rd.off = xdr_get_u64(&req->args);
	rd.count = xdr_get_u32(&req->args);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (rd.count > nfs3_xfer_max(req))
		rd.count = nfs3_xfer_max(req);
	st = nfs3_node(fs, &fh, &node);
	if (st != FS_OK) {
		nfs3_put_status_attr(e, st, fs, NULL);
		return nfs_proc_done(req);
	}
	xdr_put_u32(e, NFS3_OK);
	nfs3_put_post_attr(e, nfs3_attr(fs, node, &a));
	hdr = xdr_reserve(e, 8);
	if (!hdr || nfs_put_read_data(e, fs, node, &rd) != NFS_PROC_DONE)
		return NFS_PROC_SYSTEM_ERR;
	if (rd.st != FS_OK) {
		e->pos = start;
		nfs3_put_status_attr(e, rd.st, fs, node);
		return nfs_proc_done(req);
	}
	xdr_be32_put(xdr_be32_put(hdr, rd.got), rd.eof); /* count, eof */
	return nfs_proc_done(req);
}

static int nfs3_write(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_fh fh;
	struct fs_node *node = NULL;
	struct fs_attr before;
	const struct fs_attr *pre = NULL;
	uint64_t off;
	uint32_t count, stable, len, written = 0;
	const uint8_t *data;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	off = xdr_get_u64(&req->args);
	count = xdr_get_u32(&req->args);
	stable = xdr_get_u32(&req->args);
	data = xdr_get_opaque(&req->args, nfs3_xfer_max(req), &len);
	if (req->args.err || stable > NFS3_FILE_SYNC)
		return NFS_PROC_GARBAGE;
	st = nfs3_node(fs, &fh, &node);
	if (st == FS_OK && count > len)
		st = FS_ERR_INVAL;
	if (st == FS_OK) {
		pre = nfs3_attr(fs, node, &before);
		st = fs_write(fs, node, off, data, count, stable != NFS3_UNSTABLE, &written);
	}
	nfs3_put_status_wcc(&req->res, st, fs, pre, node);
	if (st == FS_OK) {
		xdr_put_u32(&req->res, written);
		xdr_put_u32(&req->res, stable == NFS3_UNSTABLE ? NFS3_UNSTABLE : NFS3_FILE_SYNC);
		nfs3_put_write_verf(&req->res, fs);
	}
	return nfs_proc_done(req);
}

/* Shared tail of CREATE, MKDIR, SYMLINK and MKNOD: the diropres3 shape. */
static int nfs3_put_diropres(struct fs_export *fs, struct nfs_req *req, enum fs_status st, struct fs_node *dir,
			     const struct fs_attr *pre, struct fs_node *node)
{
	xdr_put_u32(&req->res, nfs3_status(st));
	if (st == FS_OK)
		nfs3_put_obj(&req->res, fs, node);
	nfs3_put_wcc(&req->res, fs, pre, dir);
	return nfs_proc_done(req);
}

static int nfs3_create(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_dirop a;
	struct fs_sattr sa;
	const uint8_t *verf = NULL;
	struct fs_node *dir, *node = NULL;
	struct fs_attr before;
	const struct fs_attr *pre;
	uint32_t how;
	enum fs_status st;

	memset(&sa, 0, sizeof(sa));
	nfs3_get_dirop(&req->args, &a);
	how = xdr_get_u32(&req->args);
	if (how == NFS3_EXCLUSIVE)
		verf = xdr_get_fixed(&req->args, NFS3_VERFSIZE);
	else
		nfs3_get_sattr(&req->args, &sa);
	if (req->args.err || how > NFS3_EXCLUSIVE)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &a.dir, &dir, &before, &pre);
	if (st == FS_OK)
		st = fs_create(fs, dir, a.name, a.namelen, (enum fs_create_how)how, &sa, verf, &req->cred, &node);
	return nfs3_put_diropres(fs, req, st, dir, pre, node);
}

static int nfs3_mkdir(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_dirop a;
	struct fs_sattr sa;
	struct fs_node *dir, *node = NULL;
	struct fs_attr before;
	const struct fs_attr *pre;
	enum fs_status st;

	nfs3_get_dirop(&req->args, &a);
	nfs3_get_sattr(&req->args, &sa);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &a.dir, &dir, &before, &pre);
	if (st == FS_OK)
		st = fs_mkdir(fs, dir, a.name, a.namelen, &sa, &req->cred, &node);
	return nfs3_put_diropres(fs, req, st, dir, pre, node);
}

static int nfs3_symlink(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_dirop a;
	struct fs_sattr sa;
	const uint8_t *target;
	uint32_t tlen;
	struct fs_node *dir, *node = NULL;
	struct fs_attr before;
	const struct fs_attr *pre;
	enum fs_status st;

	nfs3_get_dirop(&req->args, &a);
	nfs3_get_sattr(&req->args, &sa);
	target = xdr_get_opaque(&req->args, NFS3_PATH_MAX, &tlen);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &a.dir, &dir, &before, &pre);
	if (st == FS_OK)
		st = fs_symlink(fs, dir, a.name, a.namelen, target, tlen, &sa, &req->cred, &node);
	return nfs3_put_diropres(fs, req, st, dir, pre, node);
}

static int nfs3_mknod(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_dirop a;
	struct fs_sattr sa;
	uint32_t type, major = 0, minor = 0;
	struct fs_node *dir, *node = NULL;
	struct fs_attr before;
	const struct fs_attr *pre;
	enum fs_status st;

	memset(&sa, 0, sizeof(sa));
	nfs3_get_dirop(&req->args, &a);
	type = xdr_get_u32(&req->args);
	if (type == NF3CHR || type == NF3BLK || type == NF3SOCK || type == NF3FIFO)
		nfs3_get_sattr(&req->args, &sa);
	if (type == NF3CHR || type == NF3BLK) {
		major = xdr_get_u32(&req->args);
		minor = xdr_get_u32(&req->args);
	}
	if (req->args.err || type < NF3REG || type > NF3FIFO)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &a.dir, &dir, &before, &pre);
	if (st == FS_OK && (type == NF3REG || type == NF3DIR || type == NF3LNK))
		st = FS_ERR_BADTYPE;
	if (st == FS_OK)
		st = fs_mknod(fs, dir, a.name, a.namelen, (enum fs_type)type, major, minor, &sa, &req->cred, &node);
	return nfs3_put_diropres(fs, req, st, dir, pre, node);
}

/* REMOVE and RMDIR: status + wcc_data of the directory. */
static int nfs3_unlink(struct fs_export *fs, struct nfs_req *req, bool is_dir)
{
	struct nfs3_dirop a;
	struct fs_node *dir;
	struct fs_attr before;
	const struct fs_attr *pre;
	enum fs_status st;

	nfs3_get_dirop(&req->args, &a);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &a.dir, &dir, &before, &pre);
	if (st == FS_OK)
		st = is_dir ? fs_rmdir(fs, dir, a.name, a.namelen) : fs_remove(fs, dir, a.name, a.namelen);
	nfs3_put_status_wcc(&req->res, st, fs, pre, dir);
	return nfs_proc_done(req);
}

static int nfs3_remove(struct fs_export *fs, struct nfs_req *req)
{
	return nfs3_unlink(fs, req, false);
}

static int nfs3_rmdir(struct fs_export *fs, struct nfs_req *req)
{
	return nfs3_unlink(fs, req, true);
}

static int nfs3_rename(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_dirop from, to;
	struct fs_node *fdir, *tdir = NULL;
	struct fs_attr fbefore, tbefore;
	const struct fs_attr *fpre, *tpre = NULL;
	enum fs_status st;

	nfs3_get_dirop(&req->args, &from);
	nfs3_get_dirop(&req->args, &to);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &from.dir, &fdir, &fbefore, &fpre);
	if (st == FS_OK)
		st = nfs3_node_pre(fs, &to.dir, &tdir, &tbefore, &tpre);
	if (st == FS_OK)
		st = fs_rename(fs, fdir, from.name, from.namelen, tdir, to.name, to.namelen);
	nfs3_put_status_wcc(&req->res, st, fs, fpre, fdir);
	nfs3_put_wcc(&req->res, fs, tpre, tdir);
	return nfs_proc_done(req);
}

static int nfs3_link(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_fh fh;
	struct nfs3_dirop a;
	struct fs_node *node = NULL, *dir = NULL;
	struct fs_attr before;
	const struct fs_attr *pre = NULL;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	nfs3_get_dirop(&req->args, &a);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node(fs, &fh, &node);
	if (st == FS_OK)
		st = nfs3_node_pre(fs, &a.dir, &dir, &before, &pre);
	else
		node = NULL;
	if (st == FS_OK)
		st = fs_link(fs, node, dir, a.name, a.namelen);
	nfs3_put_status_attr(&req->res, st, fs, node);
	nfs3_put_wcc(&req->res, fs, pre, dir);
	return nfs_proc_done(req);
}

/* ---- READDIR and READDIRPLUS ----------------------------------------- */

/** struct nfs3_dirfill - state of one READDIR(PLUS) reply being filled. */
struct nfs3_dirfill {
	struct fs_export *fs;
	struct fs_node *dir;
	struct xdr_enc *e;
	size_t start;      /* encoder position of the status word */
	size_t maxbytes;   /* reply budget (count / maxcount) */
	size_t dirbytes;   /* READDIRPLUS dircount budget, 0 = none */
	size_t dirused;
	uint32_t entries;
	bool plus;
};

/* READDIRPLUS: post_op_attr and post_op_fh3 of one entry. */
static void nfs3_put_entry_plus(struct nfs3_dirfill *f, const struct fs_dirent *ent)
{
	struct fs_node *node = NULL;
	struct fs_attr a;

	if (fs_lookup(f->fs, f->dir, (const uint8_t *)ent->name, ent->namelen, &node) != FS_OK) {
		xdr_put_bool(f->e, false);
		xdr_put_bool(f->e, false);
		return;
	}
	nfs3_put_post_attr(f->e, nfs3_attr(f->fs, node, &a));
	xdr_put_bool(f->e, true);
	nfs3_put_handle(f->e, f->fs, node);
}

static int nfs3_dir_entry(void *opaque, const struct fs_dirent *ent)
{
	struct nfs3_dirfill *f = opaque;
	size_t base = nfs_dir_entry_size(ent->namelen, 8);
	size_t need = base + (f->plus ? NFS3_POST_ATTR_SIZE + NFS3_POST_FH_SIZE : 0);

	if (!nfs_dir_fits(f->e, f->start, need, f->maxbytes))
		return 1;
	/* dircount is advisory (RFC 1813): it never stops the first entry */
	if (f->dirbytes && f->entries && f->dirused + base > f->dirbytes)
		return 1;
	f->dirused += base;
	xdr_put_bool(f->e, true);
	xdr_put_u64(f->e, ent->fileid);
	xdr_put_opaque(f->e, ent->name, ent->namelen);
	xdr_put_u64(f->e, ent->cookie);
	if (f->plus)
		nfs3_put_entry_plus(f, ent);
	f->entries++;
	return 0;
}

/*
 * Fill one READDIR or READDIRPLUS reply.  A cookie of 0 starts over; any
 * other must come with the current verifier, except that a client sending
 * an all-zero verifier (some do on every call) is trusted with its cookie.
 */
static int nfs3_readdir_common(struct fs_export *fs, struct nfs_req *req, bool plus)
{
	struct xdr_enc *e = &req->res;
	struct nfs3_fh fh;
	struct nfs3_dirfill f = { .fs = fs, .e = e, .start = e->pos, .plus = plus };
	const uint8_t *cverf;
	uint64_t cookie, verf, cv;
	uint32_t dircount = 0, maxcount;
	bool eof = false;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	cookie = xdr_get_u64(&req->args);
	cverf = xdr_get_fixed(&req->args, NFS3_VERFSIZE);
	if (plus)
		dircount = xdr_get_u32(&req->args);
	maxcount = xdr_get_u32(&req->args);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node(fs, &fh, &f.dir);
	if (st != FS_OK) {
		nfs3_put_status_attr(e, st, fs, NULL);
		return nfs_proc_done(req);
	}
	verf = fs_cookieverf(fs, f.dir);
	cv = xdr_be64_get(cverf);
	if (cookie != 0 && cv != 0 && cv != verf) {
		nfs3_put_status_attr(e, FS_ERR_BAD_COOKIE, fs, f.dir);
		return nfs_proc_done(req);
	}
	if (maxcount == 0)
		maxcount = 16000; /* IRIX sends 0 meaning "your choice" */
	f.maxbytes = maxcount < NFS3_XFER_MAX ? maxcount : NFS3_XFER_MAX;
	if (f.maxbytes > xdr_enc_left(e))
		f.maxbytes = xdr_enc_left(e);
	f.dirbytes = dircount;
	nfs3_put_status_attr(e, FS_OK, fs, f.dir);
	xdr_put_u64(e, verf);
	st = fs_readdir(fs, f.dir, cookie, false, nfs3_dir_entry, &f, &eof);
	if (st == FS_OK && f.entries == 0 && !eof)
		st = FS_ERR_TOOSMALL;
	if (st != FS_OK) {
		e->pos = f.start;
		nfs3_put_status_attr(e, st, fs, f.dir);
		return nfs_proc_done(req);
	}
	xdr_put_bool(e, false);
	xdr_put_bool(e, eof);
	return nfs_proc_done(req);
}

static int nfs3_readdir(struct fs_export *fs, struct nfs_req *req)
{
	return nfs3_readdir_common(fs, req, false);
}

static int nfs3_readdirplus(struct fs_export *fs, struct nfs_req *req)
{
	return nfs3_readdir_common(fs, req, true);
}

/* ---- file-system information ---------------------------------------- */

/* FSSTAT, FSINFO and PATHCONF share: handle in, status + post_op_attr + body out. */
static enum fs_status nfs3_fsinfo_head(struct fs_export *fs, struct nfs_req *req, struct fs_node **node,
				       struct fs_statfs *sf)
{
	struct nfs3_fh fh;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	if (req->args.err)
		return FS_ERR_BADHANDLE;
	*node = NULL;
	st = nfs3_node(fs, &fh, node);
	if (st == FS_OK)
		st = fs_statfs(fs, *node, sf);
	nfs3_put_status_attr(&req->res, st, fs, st == FS_OK ? *node : NULL);
	return st;
}

static int nfs3_fsstat(struct fs_export *fs, struct nfs_req *req)
{
	struct xdr_enc *e = &req->res;
	struct fs_node *node;
	struct fs_statfs sf;

	if (nfs3_fsinfo_head(fs, req, &node, &sf) != FS_OK)
		return req->args.err ? NFS_PROC_GARBAGE : nfs_proc_done(req);
	xdr_put_u64(e, sf.blocks * sf.bsize);
	xdr_put_u64(e, sf.bfree * sf.bsize);
	xdr_put_u64(e, sf.bavail * sf.bsize);
	xdr_put_u64(e, sf.files);
	xdr_put_u64(e, sf.ffree);
	xdr_put_u64(e, sf.favail);
	xdr_put_u32(e, 0); /* invarsec: the numbers may change at any time */
	return nfs_proc_done(req);
}

static int nfs3_fsinfo(struct fs_export *fs, struct nfs_req *req)
{
	struct xdr_enc *e = &req->res;
	struct fs_node *node;
	struct fs_statfs sf;
	const struct fs_time delta = { 1, 0 };

	if (nfs3_fsinfo_head(fs, req, &node, &sf) != FS_OK)
		return req->args.err ? NFS_PROC_GARBAGE : nfs_proc_done(req);
	xdr_put_u32(e, nfs3_xfer_max(req)); /* rtmax */
	xdr_put_u32(e, nfs3_xfer_max(req)); /* rtpref */
	xdr_put_u32(e, 4096);               /* rtmult */
	xdr_put_u32(e, nfs3_xfer_max(req)); /* wtmax */
	xdr_put_u32(e, nfs3_xfer_max(req)); /* wtpref */
	xdr_put_u32(e, 4096);               /* wtmult */
	xdr_put_u32(e, req->peer.stream ? NFS3_XFER_MAX : NFS3_DTPREF); /* dtpref: what READDIR serves at most */
	xdr_put_u64(e, sf.maxfilesize);
	nfs3_put_time(e, &delta);
	xdr_put_u32(e, NFS3_FSF_LINK | NFS3_FSF_SYMLINK | NFS3_FSF_HOMOGENEOUS | NFS3_FSF_CANSETTIME);
	return nfs_proc_done(req);
}

static int nfs3_pathconf(struct fs_export *fs, struct nfs_req *req)
{
	struct xdr_enc *e = &req->res;
	struct fs_node *node;
	struct fs_statfs sf;

	if (nfs3_fsinfo_head(fs, req, &node, &sf) != FS_OK)
		return req->args.err ? NFS_PROC_GARBAGE : nfs_proc_done(req);
	xdr_put_u32(e, sf.link_max);
	xdr_put_u32(e, FS_NAME_MAX);
	xdr_put_bool(e, true);  /* no_trunc */
	xdr_put_bool(e, true);  /* chown_restricted */
	xdr_put_bool(e, false); /* case_insensitive */
	xdr_put_bool(e, true);  /* case_preserving */
	return nfs_proc_done(req);
}

static int nfs3_commit(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs3_fh fh;
	struct fs_node *node;
	struct fs_attr before;
	const struct fs_attr *pre;
	enum fs_status st;

	nfs3_get_fh(&req->args, &fh);
	(void)xdr_get_u64(&req->args); /* offset: we flush the whole file */
	(void)xdr_get_u32(&req->args); /* count */
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs3_node_pre(fs, &fh, &node, &before, &pre);
	if (st == FS_OK)
		st = fs_commit(fs, node);
	nfs3_put_status_wcc(&req->res, st, fs, pre, node);
	if (st == FS_OK)
		nfs3_put_write_verf(&req->res, fs);
	return nfs_proc_done(req);
}

/* ---- dispatch ----------------------------------------------------------- */

static const nfs_proc_fn nfs3_procs[NFS3PROC_COUNT] = {
	[NFS3PROC_NULL] = nfs_proc_void,
	[NFS3PROC_GETATTR] = nfs3_getattr,
	[NFS3PROC_SETATTR] = nfs3_setattr,
	[NFS3PROC_LOOKUP] = nfs3_lookup,
	[NFS3PROC_ACCESS] = nfs3_access,
	[NFS3PROC_READLINK] = nfs3_readlink,
	[NFS3PROC_READ] = nfs3_read,
	[NFS3PROC_WRITE] = nfs3_write,
	[NFS3PROC_CREATE] = nfs3_create,
	[NFS3PROC_MKDIR] = nfs3_mkdir,
	[NFS3PROC_SYMLINK] = nfs3_symlink,
	[NFS3PROC_MKNOD] = nfs3_mknod,
	[NFS3PROC_REMOVE] = nfs3_remove,
	[NFS3PROC_RMDIR] = nfs3_rmdir,
	[NFS3PROC_RENAME] = nfs3_rename,
	[NFS3PROC_LINK] = nfs3_link,
	[NFS3PROC_READDIR] = nfs3_readdir,
	[NFS3PROC_READDIRPLUS] = nfs3_readdirplus,
	[NFS3PROC_FSSTAT] = nfs3_fsstat,
	[NFS3PROC_FSINFO] = nfs3_fsinfo,
	[NFS3PROC_PATHCONF] = nfs3_pathconf,
	[NFS3PROC_COMMIT] = nfs3_commit,
};

/**
 * nfs3_dispatch() - serve one NFSv3 (RFC 1813) call.
 * @srv: server
 * @req: the decoded call; results go to @req->res
 *
 * Return: an enum nfs_proc_ret.
 */
int nfs3_dispatch(struct nfs_server *srv, struct nfs_req *req)
{
	return nfs_proc_run(nfs3_procs, NFS3PROC_COUNT, srv, req);
}
