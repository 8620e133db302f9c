/* SPDX-License-Identifier: MIT */
/* nfs2.c: NFS version 2 (RFC 1094): all 18 procedures over the file layer. */
#include <string.h>
#include <sys/stat.h>

#include "nfs/attr.h"
#include "nfs/fs.h"
#include "nfs/proc.h"

/*
 * NFSv2 talks 32-bit: fileids fold with attr_fileid32(), sizes above 4 GiB
 * read as 0xffffffff, cookies are the 32-bit folds of fs_readdir(), device
 * numbers use the compressed 8:8 form SVR4 clients (IRIX) and Linux expect.
 * READDIR replies stay within min(count, 1400) bytes of results, so with
 * the RPC header they fit one 1472-byte datagram as IRIX requires.
 */

#define NFS2_MAXDATA 8192u
#define NFS2_READDIR_MAX 1400u
#define NFS2_FIFO_DEV 0xffffffffu
#define NFS2_NOVAL 0xffffffffu

enum nfs2_proc {
	NFS2_NULL, NFS2_GETATTR, NFS2_SETATTR, NFS2_ROOT, NFS2_LOOKUP, NFS2_READLINK, NFS2_READ,
	NFS2_WRITECACHE, NFS2_WRITE, NFS2_CREATE, NFS2_REMOVE, NFS2_RENAME, NFS2_LINK, NFS2_SYMLINK,
	NFS2_MKDIR, NFS2_RMDIR, NFS2_READDIR, NFS2_STATFS, NFS2_NPROCS
};

/* ftype values of RFC 1094 plus the customary NFSOCK (6) and NFFIFO (8). */
enum nfs2_ftype { NF2NON, NF2REG, NF2DIR, NF2BLK, NF2CHR, NF2LNK, NF2SOCK, NF2BAD, NF2FIFO };

static uint32_t nfs2_stat(enum fs_status st)
{
	static const uint32_t map[] = {
		[FS_OK] = 0, [FS_ERR_PERM] = 1, [FS_ERR_NOENT] = 2, [FS_ERR_IO] = 5, [FS_ERR_NXIO] = 6,
		[FS_ERR_ACCES] = 13, [FS_ERR_EXIST] = 17, [FS_ERR_XDEV] = 18, [FS_ERR_NODEV] = 19,
		[FS_ERR_NOTDIR] = 20, [FS_ERR_ISDIR] = 21, [FS_ERR_INVAL] = 22, [FS_ERR_FBIG] = 27,
		[FS_ERR_NOSPC] = 28, [FS_ERR_ROFS] = 30, [FS_ERR_MLINK] = 31, [FS_ERR_NAMETOOLONG] = 63,
		[FS_ERR_NOTEMPTY] = 66, [FS_ERR_DQUOT] = 69, [FS_ERR_STALE] = 70, [FS_ERR_BADHANDLE] = 70,
		[FS_ERR_NOTSUPP] = 1, [FS_ERR_TOOSMALL] = 5, [FS_ERR_SERVERFAULT] = 5, [FS_ERR_BADTYPE] = 22,
		[FS_ERR_NOT_SYNC] = 5, [FS_ERR_BAD_COOKIE] = 70, [FS_ERR_JUKEBOX] = 5,
	};

	return (unsigned)st < sizeof(map) / sizeof(map[0]) ? map[st] : 5;
}

static uint32_t nfs2_rdev(uint32_t major, uint32_t minor)
{
	return (major & 0xffu) << 8 | (minor & 0xffu);
}

static void nfs2_put_fattr(struct xdr_enc *e, const struct fs_attr *a)
{
	static const uint32_t ftype[] = {
		[FS_TYPE_NONE] = NF2NON, [FS_TYPE_REG] = NF2REG, [FS_TYPE_DIR] = NF2DIR, [FS_TYPE_BLK] = NF2BLK,
		[FS_TYPE_CHR] = NF2CHR, [FS_TYPE_LNK] = NF2LNK, [FS_TYPE_SOCK] = NF2SOCK, [FS_TYPE_FIFO] = NF2CHR,
	};
	static const uint32_t fmt[] = {
		[FS_TYPE_NONE] = 0, [FS_TYPE_REG] = S_IFREG, [FS_TYPE_DIR] = S_IFDIR, [FS_TYPE_BLK] = S_IFBLK,
		[FS_TYPE_CHR] = S_IFCHR, [FS_TYPE_LNK] = S_IFLNK, [FS_TYPE_SOCK] = S_IFSOCK, [FS_TYPE_FIFO] = S_IFIFO,
	};
	unsigned t = (unsigned)a->type <= FS_TYPE_FIFO ? (unsigned)a->type : 0;

	xdr_put_u32(e, ftype[t]);
	xdr_put_u32(e, fmt[t] | (a->mode & 07777));
	xdr_put_u32(e, a->nlink);
	xdr_put_u32(e, a->uid);
	xdr_put_u32(e, a->gid);
	xdr_put_u32(e, a->size > UINT32_MAX ? UINT32_MAX : (uint32_t)a->size);
	xdr_put_u32(e, a->blksize ? a->blksize : 4096);
	xdr_put_u32(e, a->type == FS_TYPE_FIFO ? NFS2_FIFO_DEV : nfs2_rdev(a->rdev_major, a->rdev_minor));
	xdr_put_u32(e, a->used / 512 > UINT32_MAX ? UINT32_MAX : (uint32_t)(a->used / 512));
	xdr_put_u32(e, (uint32_t)(a->fsid ^ (a->fsid >> 32)));
	xdr_put_u32(e, attr_fileid32(a->fileid));
	xdr_put_u32(e, (uint32_t)a->atime.sec);
	xdr_put_u32(e, a->atime.nsec / 1000);
	xdr_put_u32(e, (uint32_t)a->mtime.sec);
	xdr_put_u32(e, a->mtime.nsec / 1000);
	xdr_put_u32(e, (uint32_t)a->ctime.sec);
	xdr_put_u32(e, a->ctime.nsec / 1000);
}

/* Decode a v2 sattr; @raw_mode and @raw_size keep the undecoded words for CREATE. */
static void nfs2_get_sattr(struct xdr_dec *d, struct fs_sattr *sa, uint32_t *raw_mode, uint32_t *raw_size)
{
	uint32_t mode = xdr_get_u32(d), uid = xdr_get_u32(d), gid = xdr_get_u32(d), size = xdr_get_u32(d);
	uint32_t as = xdr_get_u32(d), au = xdr_get_u32(d), ms = xdr_get_u32(d), mu = xdr_get_u32(d);

	memset(sa, 0, sizeof(*sa));
	*raw_mode = mode;
	*raw_size = size;
	sa->set_mode = mode != NFS2_NOVAL;
	sa->mode = mode & 07777;
	sa->set_uid = uid != NFS2_NOVAL;
	sa->uid = uid;
	sa->set_gid = gid != NFS2_NOVAL;
	sa->gid = gid;
	sa->set_size = size != NFS2_NOVAL;
	sa->size = size;
	/* Sun convention: usec 1000000 asks for the server's time. */
	if (as != NFS2_NOVAL) {
		sa->atime_how = au == 1000000u ? FS_TIME_SERVER : FS_TIME_CLIENT;
		sa->atime.sec = as;
		sa->atime.nsec = au < 1000000u ? au * 1000u : 0;
	}
	if (ms != NFS2_NOVAL) {
		sa->mtime_how = mu == 1000000u ? FS_TIME_SERVER : FS_TIME_CLIENT;
		sa->mtime.sec = ms;
		sa->mtime.nsec = mu < 1000000u ? mu * 1000u : 0;
	}
}

static enum fs_status nfs2_get_fh(struct nfs_server *srv, struct xdr_dec *d, struct fs_node **node)
{
	const uint8_t *fh = xdr_get_fixed(d, FH_SIZE);

	if (!fh)
		return FS_ERR_BADHANDLE;
	return fs_from_handle(nfs_server_fs(srv), fh, FH_SIZE, node);
}

/* diropargs: a directory handle and a name (resolved only when the args decode). */
struct nfs2_dirop {
	enum fs_status st;
	struct fs_node *dir;
	const uint8_t *name;
	uint32_t len;
};

static void nfs2_get_dirop(struct nfs_server *srv, struct xdr_dec *d, struct nfs2_dirop *op)
{
	const uint8_t *fh = xdr_get_fixed(d, FH_SIZE);

	op->name = xdr_get_opaque(d, FS_PATH_MAX, &op->len);
	op->st = d->err ? FS_ERR_BADHANDLE : fs_from_handle(nfs_server_fs(srv), fh, FH_SIZE, &op->dir);
}

/* attrstat: status, then fattr when OK. */
static int nfs2_attrstat(struct nfs_server *srv, struct nfs_req *req, enum fs_status st, struct fs_node *node)
{
	struct fs_attr a;

	if (st == FS_OK)
		st = fs_getattr(nfs_server_fs(srv), node, &a);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st == FS_OK)
		nfs2_put_fattr(&req->res, &a);
	return NFS_PROC_DONE;
}

/* diropres: status, then handle and fattr when OK. */
static int nfs2_diropres(struct nfs_server *srv, struct nfs_req *req, enum fs_status st, struct fs_node *node)
{
	struct fs_export *fs = nfs_server_fs(srv);
	uint8_t fh[FH_SIZE];
	struct fs_attr a;

	if (st == FS_OK)
		st = fs_getattr(fs, node, &a);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st != FS_OK)
		return NFS_PROC_DONE;
	fs_handle(fs, node, fh);
	xdr_put_fixed(&req->res, fh, FH_SIZE);
	nfs2_put_fattr(&req->res, &a);
	return NFS_PROC_DONE;
}

static int nfs2_stat_only(struct nfs_req *req, enum fs_status st)
{
	xdr_put_u32(&req->res, nfs2_stat(st));
	return NFS_PROC_DONE;
}

static int nfs2_getattr(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	return nfs2_attrstat(srv, req, st, node);
}

static int nfs2_setattr(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);
	struct fs_sattr sa;
	uint32_t rm, rs;

	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (st == FS_OK)
		st = fs_setattr(nfs_server_fs(srv), node, &sa, NULL);
	return nfs2_attrstat(srv, req, st, node);
}

static int nfs2_lookup(struct nfs_server *srv, struct nfs_req *req)
{
	struct nfs2_dirop op;
	struct fs_node *node = NULL;

	nfs2_get_dirop(srv, &req->args, &op);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (op.st == FS_OK)
		op.st = fs_lookup(nfs_server_fs(srv), op.dir, op.name, op.len, &node);
	return nfs2_diropres(srv, req, op.st, node);
}

static int nfs2_readlink(struct nfs_server *srv, struct nfs_req *req)
{
	char buf[FS_PATH_MAX + 1];
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);
	size_t len = 0;

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (st == FS_OK)
		st = fs_readlink(nfs_server_fs(srv), node, buf, sizeof(buf), &len);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st == FS_OK)
		xdr_put_opaque(&req->res, buf, (uint32_t)len);
	return NFS_PROC_DONE;
}

static int nfs2_read(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_export *fs = nfs_server_fs(srv);
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);
	uint32_t off = xdr_get_u32(&req->args), count = xdr_get_u32(&req->args), got = 0;
	struct fs_attr a;
	size_t lenpos;
	uint8_t *data;
	bool eof;

	xdr_get_u32(&req->args);  /* totalcount: unused */
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (count > NFS2_MAXDATA)
		count = NFS2_MAXDATA;
	if (st == FS_OK)
		st = fs_getattr(fs, node, &a);
	if (st == FS_OK && a.type != FS_TYPE_REG)
		st = a.type == FS_TYPE_DIR ? FS_ERR_ISDIR : FS_ERR_INVAL;
	lenpos = req->res.pos + 4 + 17 * 4;
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st != FS_OK)
		return NFS_PROC_DONE;
	nfs2_put_fattr(&req->res, &a);
	xdr_put_u32(&req->res, 0);
	data = xdr_reserve(&req->res, count);
	if (!data)
		return NFS_PROC_SYSTEM_ERR;
	st = fs_read(fs, node, off, data, count, &got, &eof);
	if (st != FS_OK) {
		req->res.pos = lenpos - 17 * 4 - 4;
		return nfs2_stat_only(req, st);
	}
	req->res.pos = lenpos;
	xdr_put_u32(&req->res, got);
	req->res.pos += got;
	memset(req->res.buf + req->res.pos, 0, xdr_pad(got));
	req->res.pos += xdr_pad(got);
	return NFS_PROC_DONE;
}

static int nfs2_write(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);
	uint32_t off, len, done = 0;
	const uint8_t *data;

	xdr_get_u32(&req->args);  /* beginoffset: unused */
	off = xdr_get_u32(&req->args);
	xdr_get_u32(&req->args);  /* totalcount: unused */
	data = xdr_get_opaque(&req->args, NFS2_MAXDATA, &len);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (st == FS_OK)
		st = fs_write(nfs_server_fs(srv), node, off, data, len, true, &done);
	return nfs2_attrstat(srv, req, st, node);
}

/* CREATE; a mode with a device/FIFO/socket type is mknod (Sun convention, rdev in size). */
static int nfs2_create(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_export *fs = nfs_server_fs(srv);
	struct fs_node *node = NULL;
	struct nfs2_dirop op;
	struct fs_sattr sa;
	uint32_t rm, rs, fmt;

	nfs2_get_dirop(srv, &req->args, &op);
	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	fmt = rm == NFS2_NOVAL ? 0 : rm & S_IFMT;
	if (op.st == FS_OK && (fmt == S_IFCHR || fmt == S_IFBLK || fmt == S_IFIFO || fmt == S_IFSOCK)) {
		enum fs_type t = fmt == S_IFBLK ? FS_TYPE_BLK : fmt == S_IFIFO ? FS_TYPE_FIFO :
				 fmt == S_IFSOCK ? FS_TYPE_SOCK : FS_TYPE_CHR;

		if (t == FS_TYPE_CHR && rs == NFS2_FIFO_DEV)
			t = FS_TYPE_FIFO;
		sa.set_size = false;
		op.st = fs_mknod(fs, op.dir, op.name, op.len, t, (rs >> 8) & 0xffu, rs & 0xffu, &sa, &req->cred,
				 &node);
	} else if (op.st == FS_OK) {
		op.st = fs_create(fs, op.dir, op.name, op.len, FS_CREATE_UNCHECKED, &sa, NULL, &req->cred, &node);
	}
	return nfs2_diropres(srv, req, op.st, node);
}

static int nfs2_remove(struct nfs_server *srv, struct nfs_req *req, bool dir)
{
	struct nfs2_dirop op;

	nfs2_get_dirop(srv, &req->args, &op);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (op.st == FS_OK)
		op.st = dir ? fs_rmdir(nfs_server_fs(srv), op.dir, op.name, op.len) :
			      fs_remove(nfs_server_fs(srv), op.dir, op.name, op.len);
	return nfs2_stat_only(req, op.st);
}

static int nfs2_rename(struct nfs_server *srv, struct nfs_req *req)
{
	struct nfs2_dirop from, to;
	enum fs_status st;

	nfs2_get_dirop(srv, &req->args, &from);
	nfs2_get_dirop(srv, &req->args, &to);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = from.st != FS_OK ? from.st : to.st;
	if (st == FS_OK)
		st = fs_rename(nfs_server_fs(srv), from.dir, from.name, from.len, to.dir, to.name, to.len);
	return nfs2_stat_only(req, st);
}

static int nfs2_link(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);
	struct nfs2_dirop to;

	nfs2_get_dirop(srv, &req->args, &to);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (st == FS_OK)
		st = to.st;
	if (st == FS_OK)
		st = fs_link(nfs_server_fs(srv), node, to.dir, to.name, to.len);
	return nfs2_stat_only(req, st);
}

static int nfs2_symlink(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	struct nfs2_dirop op;
	struct fs_sattr sa;
	const uint8_t *target;
	uint32_t tlen, rm, rs;

	nfs2_get_dirop(srv, &req->args, &op);
	target = xdr_get_opaque(&req->args, FS_PATH_MAX, &tlen);
	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (op.st == FS_OK)
		op.st = fs_symlink(nfs_server_fs(srv), op.dir, op.name, op.len, target, tlen, &sa, &req->cred, &node);
	return nfs2_stat_only(req, op.st);
}

static int nfs2_mkdir(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	struct nfs2_dirop op;
	struct fs_sattr sa;
	uint32_t rm, rs;

	nfs2_get_dirop(srv, &req->args, &op);
	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	sa.set_size = false;
	if (op.st == FS_OK)
		op.st = fs_mkdir(nfs_server_fs(srv), op.dir, op.name, op.len, &sa, &req->cred, &node);
	return nfs2_diropres(srv, req, op.st, node);
}

struct nfs2_rd {
	struct xdr_enc *e;
	size_t used, limit;
	unsigned n;
};

static int nfs2_readdir_entry(void *opaque, const struct fs_dirent *ent)
{
	struct nfs2_rd *rd = opaque;
	size_t need = 16 + ent->namelen + xdr_pad(ent->namelen);

	if (rd->used + need > rd->limit)
		return 1;
	xdr_put_bool(rd->e, true);
	xdr_put_u32(rd->e, attr_fileid32(ent->fileid));
	xdr_put_opaque(rd->e, ent->name, ent->namelen);
	xdr_put_u32(rd->e, (uint32_t)ent->cookie);
	rd->used += need;
	rd->n++;
	return 0;
}

static int nfs2_readdir(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);
	const uint8_t *ck = xdr_get_fixed(&req->args, 4);
	uint32_t count = xdr_get_u32(&req->args);
	struct nfs2_rd rd = { .e = &req->res, .used = 4 + 8 };
	size_t start = req->res.pos;
	bool eof = false;

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	rd.limit = count < NFS2_READDIR_MAX ? count : NFS2_READDIR_MAX;
	xdr_put_u32(&req->res, 0);
	if (st == FS_OK)
		st = fs_readdir(nfs_server_fs(srv), node,
				(uint32_t)ck[0] << 24 | (uint32_t)ck[1] << 16 | (uint32_t)ck[2] << 8 | ck[3], true,
				nfs2_readdir_entry, &rd, &eof);
	if (st == FS_OK && !eof && rd.n == 0)
		st = FS_ERR_IO;  /* count too small for even one entry */
	if (st != FS_OK) {
		req->res.pos = start;
		return nfs2_stat_only(req, st);
	}
	xdr_put_bool(&req->res, false);
	xdr_put_bool(&req->res, eof);
	return NFS_PROC_DONE;
}

static int nfs2_statfs(struct nfs_server *srv, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	enum fs_status st = nfs2_get_fh(srv, &req->args, &node);
	struct fs_statfs sf;
	uint64_t bsize;

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (st == FS_OK)
		st = fs_statfs(nfs_server_fs(srv), node, &sf);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st != FS_OK)
		return NFS_PROC_DONE;
	/* Scale the block size up until the counts fit 32 bits. */
	for (bsize = sf.bsize ? sf.bsize : 4096; sf.blocks > UINT32_MAX && bsize < (1u << 30); bsize *= 2) {
		sf.blocks /= 2;
		sf.bfree /= 2;
		sf.bavail /= 2;
	}
	xdr_put_u32(&req->res, NFS2_MAXDATA);
	xdr_put_u32(&req->res, (uint32_t)bsize);
	xdr_put_u32(&req->res, sf.blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)sf.blocks);
	xdr_put_u32(&req->res, sf.bfree > UINT32_MAX ? UINT32_MAX : (uint32_t)sf.bfree);
	xdr_put_u32(&req->res, sf.bavail > UINT32_MAX ? UINT32_MAX : (uint32_t)sf.bavail);
	return NFS_PROC_DONE;
}

/**
 * nfs2_dispatch() - serve one NFSv2 (RFC 1094) call.
 * @srv: server
 * @req: the decoded call
 *
 * ROOT and WRITECACHE are the RFC's obsolete no-ops (void results).
 *
 * Return: an enum nfs_proc_ret.
 */
int nfs2_dispatch(struct nfs_server *srv, struct nfs_req *req)
{
	switch (req->call.proc) {
	case NFS2_NULL:
	case NFS2_ROOT:
	case NFS2_WRITECACHE:
		return NFS_PROC_DONE;
	case NFS2_GETATTR: return nfs2_getattr(srv, req);
	case NFS2_SETATTR: return nfs2_setattr(srv, req);
	case NFS2_LOOKUP: return nfs2_lookup(srv, req);
	case NFS2_READLINK: return nfs2_readlink(srv, req);
	case NFS2_READ: return nfs2_read(srv, req);
	case NFS2_WRITE: return nfs2_write(srv, req);
	case NFS2_CREATE: return nfs2_create(srv, req);
	case NFS2_REMOVE: return nfs2_remove(srv, req, false);
	case NFS2_RENAME: return nfs2_rename(srv, req);
	case NFS2_LINK: return nfs2_link(srv, req);
	case NFS2_SYMLINK: return nfs2_symlink(srv, req);
	case NFS2_MKDIR: return nfs2_mkdir(srv, req);
	case NFS2_RMDIR: return nfs2_remove(srv, req, true);
	case NFS2_READDIR: return nfs2_readdir(srv, req);
	case NFS2_STATFS: return nfs2_statfs(srv, req);
	default: return NFS_PROC_UNAVAIL;
	}
}
