/* SPDX-License-Identifier: MIT */
/* nfs2.c: NFS version 2 (RFC 1094): all 18 procedures over the file layer. */
#include <string.h>
#include <sys/stat.h>

#include "nfs/attr.h"
#include "nfs/fs.h"
#include "nfs/proc.h"

/*
 * Theory of operation
 *
 * server.c has parsed the RPC header, checked program and version, consulted
 * the duplicate-request cache and written the accepted-reply header; it
 * hands us one struct nfs_req.  Each procedure has the shape nfs3.c's have
 * (proc.c): decode every argument (handles are 32 fixed bytes) and check
 * ->args.err once (GARBAGE_ARGS), then resolve the handles, call the file
 * layer (fs.h), and encode the RFC 1094 result with nfs_status(st, 2).
 *
 * NFSv2 talks 32-bit: fileids fold with attr_fileid32(), sizes above 4 GiB
 * read as 0xffffffff, cookies are the 32-bit folds of fs_readdir(), device
 * numbers use the compressed 8:8 form SVR4 clients (IRIX) and Linux expect.
 * A sattr field of 0xffffffff is "not set"; a time's usec of 1000000 asks
 * for the server's time (Sun convention), and CREATE with a device, FIFO
 * or socket type in its mode is mknod, the device number in the size.
 * READ reads straight into the reply (nfs_put_read_data()), at most 8 KiB.
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
	return nfs_status(st, 2);
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

/* fhandle: 32 opaque bytes, pointing into the call (resolved once every argument decoded). */
static const uint8_t *nfs2_get_fh(struct xdr_dec *d)
{
	return xdr_get_fixed(d, FH_SIZE);
}

static enum fs_status nfs2_node(struct fs_export *fs, const uint8_t *fh, struct fs_node **node)
{
	return fs_from_handle(fs, fh, FH_SIZE, node);
}

/* diropargs: a directory handle and a name. */
struct nfs2_dirop {
	const uint8_t *fh;
	struct fs_node *dir;
	const uint8_t *name;
	uint32_t len;
};

static void nfs2_get_dirop(struct xdr_dec *d, struct nfs2_dirop *op)
{
	op->fh = nfs2_get_fh(d);
	op->name = xdr_get_opaque(d, FS_PATH_MAX, &op->len);
}

/* attrstat: status, then fattr when OK. */
static int nfs2_attrstat(struct fs_export *fs, struct nfs_req *req, enum fs_status st, struct fs_node *node)
{
	struct fs_attr a;

	if (st == FS_OK)
		st = fs_getattr(fs, node, &a);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st == FS_OK)
		nfs2_put_fattr(&req->res, &a);
	return nfs_proc_done(req);
}

/* diropres: status, then handle and fattr when OK. */
static int nfs2_diropres(struct fs_export *fs, struct nfs_req *req, enum fs_status st, struct fs_node *node)
{
	uint8_t fh[FH_SIZE];
	struct fs_attr a;

	if (st == FS_OK)
		st = fs_getattr(fs, node, &a);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st != FS_OK)
		return nfs_proc_done(req);
	fs_handle(fs, node, fh);
	xdr_put_fixed(&req->res, fh, FH_SIZE);
	nfs2_put_fattr(&req->res, &a);
	return nfs_proc_done(req);
}

static int nfs2_stat_only(struct nfs_req *req, enum fs_status st)
{
	xdr_put_u32(&req->res, nfs2_stat(st));
	return nfs_proc_done(req);
}

static int nfs2_getattr(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	struct fs_node *node = NULL;
	enum fs_status st;

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, fh, &node);
	return nfs2_attrstat(fs, req, st, node);
}

static int nfs2_setattr(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	struct fs_node *node = NULL;
	struct fs_sattr sa;
	enum fs_status st;
	uint32_t rm, rs;

	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, fh, &node);
	if (st == FS_OK)
		st = fs_setattr(fs, node, &sa, NULL);
	return nfs2_attrstat(fs, req, st, node);
}

static int nfs2_lookup(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs2_dirop op;
	struct fs_node *node = NULL;
	enum fs_status st;

	nfs2_get_dirop(&req->args, &op);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, op.fh, &op.dir);
	if (st == FS_OK)
		st = fs_lookup(fs, op.dir, op.name, op.len, &node);
	return nfs2_diropres(fs, req, st, node);
}

static int nfs2_readlink(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	char buf[FS_PATH_MAX + 1];
	struct fs_node *node = NULL;
	enum fs_status st;
	size_t len = 0;

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, fh, &node);
	if (st == FS_OK)
		st = fs_readlink(fs, node, buf, sizeof(buf), &len);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st == FS_OK)
		xdr_put_opaque(&req->res, buf, (uint32_t)len);
	return nfs_proc_done(req);
}

/* readres: status, fattr, then the data read straight into the reply. */
static int nfs2_read(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	struct nfs_read rd = { .off = xdr_get_u32(&req->args) };
	struct fs_node *node = NULL;
	size_t start = req->res.pos;
	struct fs_attr a;
	enum fs_status st;

	rd.count = xdr_get_u32(&req->args);
	xdr_get_u32(&req->args);  /* totalcount: unused */
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	if (rd.count > NFS2_MAXDATA)
		rd.count = NFS2_MAXDATA;
	st = nfs2_node(fs, fh, &node);
	if (st == FS_OK)
		st = fs_getattr(fs, node, &a);
	if (st == FS_OK && a.type != FS_TYPE_REG)
		st = a.type == FS_TYPE_DIR ? FS_ERR_ISDIR : FS_ERR_INVAL;
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st != FS_OK)
		return nfs_proc_done(req);
	nfs2_put_fattr(&req->res, &a);
	if (nfs_put_read_data(&req->res, fs, node, &rd) != NFS_PROC_DONE)
		return NFS_PROC_SYSTEM_ERR;
	if (rd.st != FS_OK) {
		req->res.pos = start;
		return nfs2_stat_only(req, rd.st);
	}
	return nfs_proc_done(req);
}

static int nfs2_write(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	struct fs_node *node = NULL;
	uint32_t off, len, done = 0;
	const uint8_t *data;
	enum fs_status st;

	xdr_get_u32(&req->args);  /* beginoffset: unused */
	off = xdr_get_u32(&req->args);
	xdr_get_u32(&req->args);  /* totalcount: unused */
	data = xdr_get_opaque(&req->args, NFS2_MAXDATA, &len);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, fh, &node);
	if (st == FS_OK)
		st = fs_write(fs, node, off, data, len, true, &done);
	return nfs2_attrstat(fs, req, st, node);
}

/* The file type a CREATE mode asks mknod for, or FS_TYPE_NONE for a regular file. */
static enum fs_type nfs2_create_type(uint32_t raw_mode, uint32_t raw_size)
{
	uint32_t fmt = raw_mode == NFS2_NOVAL ? 0 : raw_mode & S_IFMT;

	switch (fmt) {
	case S_IFBLK: return FS_TYPE_BLK;
	case S_IFIFO: return FS_TYPE_FIFO;
	case S_IFSOCK: return FS_TYPE_SOCK;
	case S_IFCHR: return raw_size == NFS2_FIFO_DEV ? FS_TYPE_FIFO : FS_TYPE_CHR;
	default: return FS_TYPE_NONE;
	}
}

/* CREATE; a mode with a device/FIFO/socket type is mknod (Sun convention, rdev in size). */
static int nfs2_create(struct fs_export *fs, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	struct nfs2_dirop op;
	struct fs_sattr sa;
	enum fs_status st;
	enum fs_type t;
	uint32_t rm, rs;

	nfs2_get_dirop(&req->args, &op);
	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, op.fh, &op.dir);
	t = nfs2_create_type(rm, rs);
	if (st == FS_OK && t != FS_TYPE_NONE) {
		sa.set_size = false;
		st = fs_mknod(fs, op.dir, op.name, op.len, t, (rs >> 8) & 0xffu, rs & 0xffu, &sa, &req->cred, &node);
	} else if (st == FS_OK) {
		st = fs_create(fs, op.dir, op.name, op.len, FS_CREATE_UNCHECKED, &sa, NULL, &req->cred, &node);
	}
	return nfs2_diropres(fs, req, st, node);
}

/* REMOVE and RMDIR: diropargs in, status out. */
static int nfs2_unlink(struct fs_export *fs, struct nfs_req *req, bool dir)
{
	struct nfs2_dirop op;
	enum fs_status st;

	nfs2_get_dirop(&req->args, &op);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, op.fh, &op.dir);
	if (st == FS_OK)
		st = dir ? fs_rmdir(fs, op.dir, op.name, op.len) : fs_remove(fs, op.dir, op.name, op.len);
	return nfs2_stat_only(req, st);
}

static int nfs2_remove(struct fs_export *fs, struct nfs_req *req)
{
	return nfs2_unlink(fs, req, false);
}

static int nfs2_rmdir(struct fs_export *fs, struct nfs_req *req)
{
	return nfs2_unlink(fs, req, true);
}

static int nfs2_rename(struct fs_export *fs, struct nfs_req *req)
{
	struct nfs2_dirop from, to;
	enum fs_status st, tst;

	nfs2_get_dirop(&req->args, &from);
	nfs2_get_dirop(&req->args, &to);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, from.fh, &from.dir);
	tst = nfs2_node(fs, to.fh, &to.dir);
	if (st == FS_OK)
		st = tst;
	if (st == FS_OK)
		st = fs_rename(fs, from.dir, from.name, from.len, to.dir, to.name, to.len);
	return nfs2_stat_only(req, st);
}

static int nfs2_link(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	struct fs_node *node = NULL;
	struct nfs2_dirop to;
	enum fs_status st, tst;

	nfs2_get_dirop(&req->args, &to);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, fh, &node);
	tst = nfs2_node(fs, to.fh, &to.dir);
	if (st == FS_OK)
		st = tst;
	if (st == FS_OK)
		st = fs_link(fs, node, to.dir, to.name, to.len);
	return nfs2_stat_only(req, st);
}

static int nfs2_symlink(struct fs_export *fs, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	struct nfs2_dirop op;
	struct fs_sattr sa;
	const uint8_t *target;
	uint32_t tlen, rm, rs;
	enum fs_status st;

	nfs2_get_dirop(&req->args, &op);
	target = xdr_get_opaque(&req->args, FS_PATH_MAX, &tlen);
	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, op.fh, &op.dir);
	if (st == FS_OK)
		st = fs_symlink(fs, op.dir, op.name, op.len, target, tlen, &sa, &req->cred, &node);
	return nfs2_stat_only(req, st);
}

static int nfs2_mkdir(struct fs_export *fs, struct nfs_req *req)
{
	struct fs_node *node = NULL;
	struct nfs2_dirop op;
	struct fs_sattr sa;
	enum fs_status st;
	uint32_t rm, rs;

	nfs2_get_dirop(&req->args, &op);
	nfs2_get_sattr(&req->args, &sa, &rm, &rs);
	if (req->args.err)
		return NFS_PROC_GARBAGE;
	sa.set_size = false;
	st = nfs2_node(fs, op.fh, &op.dir);
	if (st == FS_OK)
		st = fs_mkdir(fs, op.dir, op.name, op.len, &sa, &req->cred, &node);
	return nfs2_diropres(fs, req, st, node);
}

/** struct nfs2_dirfill - one READDIR reply being filled. */
struct nfs2_dirfill {
	struct xdr_enc *e;
	size_t start;   /* encoder position of the status word */
	size_t budget;  /* min(count, NFS2_READDIR_MAX) */
	unsigned n;
};

static int nfs2_readdir_entry(void *opaque, const struct fs_dirent *ent)
{
	struct nfs2_dirfill *f = opaque;

	if (!nfs_dir_fits(f->e, f->start, nfs_dir_entry_size(ent->namelen, 4), f->budget))
		return 1;
	xdr_put_bool(f->e, true);
	xdr_put_u32(f->e, attr_fileid32(ent->fileid));
	xdr_put_opaque(f->e, ent->name, ent->namelen);
	xdr_put_u32(f->e, (uint32_t)ent->cookie);
	f->n++;
	return 0;
}

static int nfs2_readdir(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	const uint8_t *ck = xdr_get_fixed(&req->args, 4);
	uint32_t count = xdr_get_u32(&req->args);
	struct nfs2_dirfill f = { .e = &req->res, .start = req->res.pos };
	struct fs_node *node = NULL;
	enum fs_status st;
	bool eof = false;

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	f.budget = count < NFS2_READDIR_MAX ? count : NFS2_READDIR_MAX;
	xdr_put_u32(&req->res, 0);
	st = nfs2_node(fs, fh, &node);
	if (st == FS_OK)
		st = fs_readdir(fs, node, xdr_be32_get(ck), true, nfs2_readdir_entry, &f, &eof);
	if (st == FS_OK && !eof && f.n == 0)
		st = FS_ERR_IO;  /* count too small for even one entry */
	if (st != FS_OK) {
		req->res.pos = f.start;
		return nfs2_stat_only(req, st);
	}
	xdr_put_bool(&req->res, false);
	xdr_put_bool(&req->res, eof);
	return nfs_proc_done(req);
}

static int nfs2_statfs(struct fs_export *fs, struct nfs_req *req)
{
	const uint8_t *fh = nfs2_get_fh(&req->args);
	struct fs_node *node = NULL;
	struct fs_statfs sf;
	enum fs_status st;
	uint64_t bsize;

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = nfs2_node(fs, fh, &node);
	if (st == FS_OK)
		st = fs_statfs(fs, node, &sf);
	xdr_put_u32(&req->res, nfs2_stat(st));
	if (st != FS_OK)
		return nfs_proc_done(req);
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
	return nfs_proc_done(req);
}

/* RFC 1094's procedures; ROOT and WRITECACHE are its obsolete no-ops (void results). */
static const nfs_proc_fn nfs2_procs[NFS2_NPROCS] = {
	[NFS2_NULL] = nfs_proc_void,
	[NFS2_GETATTR] = nfs2_getattr,
	[NFS2_SETATTR] = nfs2_setattr,
	[NFS2_ROOT] = nfs_proc_void,
	[NFS2_LOOKUP] = nfs2_lookup,
	[NFS2_READLINK] = nfs2_readlink,
	[NFS2_READ] = nfs2_read,
	[NFS2_WRITECACHE] = nfs_proc_void,
	[NFS2_WRITE] = nfs2_write,
	[NFS2_CREATE] = nfs2_create,
	[NFS2_REMOVE] = nfs2_remove,
	[NFS2_RENAME] = nfs2_rename,
	[NFS2_LINK] = nfs2_link,
	[NFS2_SYMLINK] = nfs2_symlink,
	[NFS2_MKDIR] = nfs2_mkdir,
	[NFS2_RMDIR] = nfs2_rmdir,
	[NFS2_READDIR] = nfs2_readdir,
	[NFS2_STATFS] = nfs2_statfs,
};

/**
 * nfs2_dispatch() - serve one NFSv2 (RFC 1094) call.
 * @srv: server
 * @req: the decoded call
 *
 * Return: an enum nfs_proc_ret.
 */
int nfs2_dispatch(struct nfs_server *srv, struct nfs_req *req)
{
	return nfs_proc_run(nfs2_procs, NFS2_NPROCS, srv, req);
}
