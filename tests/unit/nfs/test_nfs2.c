/* SPDX-License-Identifier: MIT */
/* test_nfs2.c: every NFSv2 procedure over a temporary export, with error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "nfs/proc.h"
#include "nfs/rpc.h"
#include "nfs_test_util.h"

enum { P_NULL, P_GETATTR, P_SETATTR, P_ROOT, P_LOOKUP, P_READLINK, P_READ, P_WRITECACHE, P_WRITE,
       P_CREATE, P_REMOVE, P_RENAME, P_LINK, P_SYMLINK, P_MKDIR, P_RMDIR, P_READDIR, P_STATFS };

#define NOVAL 0xffffffffu

struct v2attr {
	uint32_t type, mode, nlink, uid, gid, size, blocksize, rdev, blocks, fsid, fileid;
	uint32_t at, au, mt, mu, ct, cu;
};

static int setup_model(void **state, bool ro, enum nfs_attr_model model)
{
	struct tu_fx *f = tu_fx_new();

	tu_write_file(f->dir, "hello", "hello world\n");
	tu_fx_serve(f, NFS_SERVE_V2, ro, model);
	tu_mount_root(f->srv, 1, f->root);
	f->xid = 1000;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_model(state, false, NFS_ATTR_SQUASH);
}

static int setup_ro(void **state)
{
	return setup_model(state, true, NFS_ATTR_SQUASH);
}

static int setup_mapped(void **state)
{
	return setup_model(state, false, NFS_ATTR_MAPPED);
}

static void begin(struct tu_fx *f, uint32_t proc)
{
	tu_begin_auth(&f->c, f->xid++, RPC_PROG_NFS, 2, proc, 4321, 55);
}

static void get_attr(struct xdr_dec *d, struct v2attr *a)
{
	uint32_t *w = &a->type;
	size_t i;

	for (i = 0; i < sizeof(*a) / 4; i++)
		w[i] = xdr_get_u32(d);
	assert_false(d->err);
}

static void put_sattr(struct xdr_enc *e, uint32_t mode, uint32_t uid, uint32_t gid, uint32_t size,
		      uint32_t atime, uint32_t mtime)
{
	xdr_put_u32(e, mode);
	xdr_put_u32(e, uid);
	xdr_put_u32(e, gid);
	xdr_put_u32(e, size);
	xdr_put_u32(e, atime);
	xdr_put_u32(e, atime == NOVAL ? NOVAL : 0);
	xdr_put_u32(e, mtime);
	xdr_put_u32(e, mtime == NOVAL ? NOVAL : 0);
}

static void put_dirop(struct tu_fx *f, const uint8_t dir[32], const char *name)
{
	xdr_put_fixed(&f->c.e, dir, 32);
	xdr_put_string(&f->c.e, name);
}

/* Send; return the nfsstat. */
static uint32_t run(struct tu_fx *f)
{
	tu_call(f->srv, &f->c, &f->r);
	return xdr_get_u32(&f->r.d);
}

static uint32_t getattr(struct tu_fx *f, const uint8_t fh[32], struct v2attr *a)
{
	uint32_t st;

	begin(f, P_GETATTR);
	xdr_put_fixed(&f->c.e, fh, 32);
	st = run(f);
	if (!st)
		get_attr(&f->r.d, a);
	return st;
}

/* diropres calls (LOOKUP, CREATE, MKDIR): status, handle and attributes. */
static uint32_t diropres(struct tu_fx *f, uint8_t fh[32], struct v2attr *a)
{
	uint32_t st = run(f);
	struct v2attr dummy;

	if (st)
		return st;
	memcpy(fh, xdr_get_fixed(&f->r.d, 32), 32);
	get_attr(&f->r.d, a ? a : &dummy);
	assert_int_equal(xdr_dec_left(&f->r.d), 0);
	return 0;
}

static uint32_t lookup(struct tu_fx *f, const uint8_t dir[32], const char *name, uint8_t fh[32], struct v2attr *a)
{
	begin(f, P_LOOKUP);
	put_dirop(f, dir, name);
	return diropres(f, fh, a);
}

static uint32_t create(struct tu_fx *f, const uint8_t dir[32], const char *name, uint32_t mode, uint32_t size,
		       uint8_t fh[32], struct v2attr *a)
{
	begin(f, P_CREATE);
	put_dirop(f, dir, name);
	put_sattr(&f->c.e, mode, NOVAL, NOVAL, size, NOVAL, NOVAL);
	return diropres(f, fh, a);
}

static uint32_t mkdir2(struct tu_fx *f, const uint8_t dir[32], const char *name, uint32_t mode, uint8_t fh[32])
{
	begin(f, P_MKDIR);
	put_dirop(f, dir, name);
	put_sattr(&f->c.e, mode, NOVAL, NOVAL, NOVAL, NOVAL, NOVAL);
	return diropres(f, fh, NULL);
}

static uint32_t stat_only(struct tu_fx *f)
{
	uint32_t st = run(f);

	assert_int_equal(xdr_dec_left(&f->r.d), 0);
	return st;
}

static uint32_t remove2(struct tu_fx *f, const uint8_t dir[32], const char *name, bool rmdir)
{
	begin(f, rmdir ? P_RMDIR : P_REMOVE);
	put_dirop(f, dir, name);
	return stat_only(f);
}

static uint32_t write2(struct tu_fx *f, const uint8_t fh[32], uint32_t off, const void *data, uint32_t len)
{
	struct v2attr a;
	uint32_t st;

	begin(f, P_WRITE);
	xdr_put_fixed(&f->c.e, fh, 32);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_u32(&f->c.e, off);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_opaque(&f->c.e, data, len);
	st = run(f);
	if (!st)
		get_attr(&f->r.d, &a);
	return st;
}

static uint32_t read2(struct tu_fx *f, const uint8_t fh[32], uint32_t off, uint32_t count, uint8_t *out,
		      uint32_t *got)
{
	struct v2attr a;
	const uint8_t *p;
	uint32_t st, pad;

	begin(f, P_READ);
	xdr_put_fixed(&f->c.e, fh, 32);
	xdr_put_u32(&f->c.e, off);
	xdr_put_u32(&f->c.e, count);
	xdr_put_u32(&f->c.e, 0);
	st = run(f);
	if (st)
		return st;
	get_attr(&f->r.d, &a);
	p = xdr_get_opaque(&f->r.d, 8192, got);
	assert_non_null(p);
	memcpy(out, p, *got);
	for (pad = *got; pad < *got + xdr_pad(*got); pad++)
		assert_int_equal(p[pad], 0);  /* the opaque's padding is zero, the reply ends there */
	assert_int_equal(xdr_dec_left(&f->r.d), 0);
	return 0;
}

static void host_path(struct tu_fx *f, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
}

static void test_null_root_writecache(void **state)
{
	struct tu_fx *f = *state;
	uint32_t procs[] = { P_NULL, P_ROOT, P_WRITECACHE };
	size_t i;

	for (i = 0; i < 3; i++) {
		begin(f, procs[i]);
		tu_call(f->srv, &f->c, &f->r);
		assert_int_equal(f->r.len, 24);
	}
}

static void test_getattr(void **state)
{
	struct tu_fx *f = *state;
	struct v2attr a;
	struct stat st;
	uint8_t bad[32];

	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(getattr(f, f->root, &a), 0);
	assert_int_equal(a.type, 2);
	assert_int_equal(a.mode, st.st_mode);
	assert_int_equal(a.nlink, st.st_nlink);
	assert_int_equal(a.uid, 1000);  /* squash presents the configured owner */
	assert_int_equal(a.gid, 100);
	assert_int_equal(a.fileid, (uint32_t)st.st_ino);
	assert_int_equal(a.mt, (uint32_t)st.st_mtim.tv_sec);
	memset(bad, 0x41, sizeof(bad));
	assert_int_equal(getattr(f, bad, &a), 70);  /* garbage handle: STALE */
}

static void test_lookup(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32], fh2[32];
	struct v2attr a;
	struct stat st;
	char p[4096];

	host_path(f, "hello", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(lookup(f, f->root, "hello", fh, &a), 0);
	assert_int_equal(a.type, 1);
	assert_int_equal(a.size, 12);
	assert_int_equal(a.fileid, (uint32_t)st.st_ino);
	assert_int_equal(lookup(f, f->root, "missing", fh2, &a), 2);
	assert_int_equal(lookup(f, fh, "x", fh2, &a), 20);        /* file as directory */
	assert_int_equal(lookup(f, f->root, ".", fh2, &a), 0);
	assert_memory_equal(fh2, f->root, 32);
	assert_int_equal(lookup(f, f->root, "..", fh2, &a), 0);   /* ".." of the root is the root */
	assert_memory_equal(fh2, f->root, 32);
}

static void test_create_write_read(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32], buf[8192], out[8192];
	struct v2attr a;
	struct stat st;
	uint32_t got, i;
	char p[4096];

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	assert_int_equal(create(f, f->root, "new", 0640, NOVAL, fh, &a), 0);
	assert_int_equal(a.type, 1);
	assert_int_equal(a.mode & 07777, 0640);
	host_path(f, "new", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(write2(f, fh, 0, buf, sizeof(buf)), 0);
	assert_int_equal(write2(f, fh, 8192, "tail", 4), 0);
	assert_int_equal(read2(f, fh, 0, 8192, out, &got), 0);
	assert_int_equal(got, 8192);
	assert_memory_equal(out, buf, 8192);
	assert_int_equal(read2(f, fh, 8190, 100, out, &got), 0);
	assert_int_equal(got, 6);
	assert_memory_equal(out, "\xf2\xf9tail", 6);
	assert_int_equal(read2(f, fh, 9000, 100, out, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(read2(f, fh, 0, 20000, out, &got), 0);  /* count clamps to 8192 */
	assert_int_equal(got, 8192);
	/* UNCHECKED create of an existing file with size 0 truncates it */
	assert_int_equal(create(f, f->root, "new", NOVAL, 0, fh, &a), 0);
	assert_int_equal(a.size, 0);
	/* read of a directory */
	assert_int_equal(read2(f, f->root, 0, 10, out, &got), 21);
	/* a WRITE over 8 KiB is undecodable */
	begin(f, P_WRITE);
	xdr_put_fixed(&f->c.e, fh, 32);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_u32(&f->c.e, 8193);
	xdr_reserve(&f->c.e, 8193);
	assert_int_equal(tu_send(f->srv, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0, 1);
	assert_int_equal(f->r.accept_stat, RPC_GARBAGE_ARGS);
}

static void test_bad_names(void **state)
{
	struct tu_fx *f = *state;
	char longname[300];
	uint8_t fh[32];
	struct v2attr a;
	struct stat st;

	memset(longname, 'n', 256);
	longname[256] = '\0';
	assert_int_equal(create(f, f->root, longname, 0644, NOVAL, fh, &a), 63);
	assert_int_equal(lookup(f, f->root, longname, fh, &a), 63);
	assert_int_equal(create(f, f->root, "../escape", 0644, NOVAL, fh, &a), 13);
	assert_int_equal(create(f, f->root, "a/b", 0644, NOVAL, fh, &a), 13);
	assert_int_equal(create(f, f->root, "", 0644, NOVAL, fh, &a), 22);
	assert_int_equal(create(f, f->root, ".", 0644, NOVAL, fh, &a), 17);
	assert_int_equal(create(f, f->root, "..", 0644, NOVAL, fh, &a), 17);
	assert_int_equal(lookup(f, f->root, "", fh, &a), 2);
	assert_int_equal(mkdir2(f, f->root, "x/..", 0755, fh), 13);
	/* NUL inside a name */
	begin(f, P_CREATE);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_opaque(&f->c.e, "ab\0cd", 5);
	put_sattr(&f->c.e, 0644, NOVAL, NOVAL, NOVAL, NOVAL, NOVAL);
	assert_int_equal(run(f), 13);
	assert_int_equal(lstat("/tmp/escape", &st), -1);
}

static void test_setattr(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32];
	struct v2attr a;
	struct stat st;
	char p[4096];

	assert_int_equal(lookup(f, f->root, "hello", fh, &a), 0);
	begin(f, P_SETATTR);
	xdr_put_fixed(&f->c.e, fh, 32);
	put_sattr(&f->c.e, 0600, 0, 0, 5, 1000000000u, 1200000000u);
	assert_int_equal(run(f), 0);
	get_attr(&f->r.d, &a);
	assert_int_equal(a.size, 5);
	assert_int_equal(a.mode & 07777, 0600);
	assert_int_equal(a.mt, 1200000000u);
	assert_int_equal(a.at, 1000000000u);
	assert_int_equal(a.uid, 1000);  /* squash: chown accepted, owner presented unchanged */
	host_path(f, "hello", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 5);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_mtim.tv_sec, 1200000000);
	/* size on a directory */
	begin(f, P_SETATTR);
	xdr_put_fixed(&f->c.e, f->root, 32);
	put_sattr(&f->c.e, NOVAL, NOVAL, NOVAL, 0, NOVAL, NOVAL);
	assert_int_equal(run(f), 21);
}

static void test_remove_rmdir_rename(void **state)
{
	struct tu_fx *f = *state;
	uint8_t d[32], fh[32];
	struct v2attr a;
	char p[4096];
	struct stat st;

	assert_int_equal(mkdir2(f, f->root, "dir", 0750, d), 0);
	host_path(f, "dir", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(mkdir2(f, f->root, "dir", 0750, d), 17);
	assert_int_equal(create(f, d, "inner", 0644, NOVAL, fh, &a), 0);
	assert_int_equal(remove2(f, f->root, "dir", true), 66);    /* NOTEMPTY */
	assert_int_equal(remove2(f, f->root, "dir", false), 21);   /* ISDIR */
	assert_int_equal(remove2(f, f->root, "hello", true), 20);  /* NOTDIR */
	assert_int_equal(remove2(f, f->root, "nothing", false), 2);
	/* rename into another directory, then over an existing file */
	begin(f, P_RENAME);
	put_dirop(f, f->root, "hello");
	put_dirop(f, d, "moved");
	assert_int_equal(stat_only(f), 0);
	assert_int_equal(lookup(f, d, "moved", fh, &a), 0);
	assert_int_equal(a.size, 12);
	begin(f, P_RENAME);
	put_dirop(f, d, "moved");
	put_dirop(f, d, "inner");
	assert_int_equal(stat_only(f), 0);
	assert_int_equal(lookup(f, d, "moved", fh, &a), 2);
	assert_int_equal(lookup(f, d, "inner", fh, &a), 0);
	assert_int_equal(a.size, 12);
	begin(f, P_RENAME);
	put_dirop(f, d, "absent");
	put_dirop(f, d, "x");
	assert_int_equal(stat_only(f), 2);
	/* the moved file's handle still works after the rename */
	assert_int_equal(getattr(f, fh, &a), 0);
	assert_int_equal(remove2(f, d, "inner", false), 0);
	assert_int_equal(getattr(f, fh, &a), 70);  /* removed: STALE */
	assert_int_equal(remove2(f, f->root, "dir", true), 0);
	assert_int_equal(getattr(f, d, &a), 70);
}

static void test_link_symlink_readlink(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32], l[32];
	struct v2attr a;
	const uint8_t *text;
	uint32_t len, got;
	uint8_t out[64];
	char p[4096], buf[64];
	ssize_t n;

	assert_int_equal(lookup(f, f->root, "hello", fh, &a), 0);
	begin(f, P_LINK);
	xdr_put_fixed(&f->c.e, fh, 32);
	put_dirop(f, f->root, "hard");
	assert_int_equal(stat_only(f), 0);
	assert_int_equal(getattr(f, fh, &a), 0);
	assert_int_equal(a.nlink, 2);
	begin(f, P_LINK);
	xdr_put_fixed(&f->c.e, f->root, 32);
	put_dirop(f, f->root, "dirlink");
	assert_int_not_equal(stat_only(f), 0);

	begin(f, P_SYMLINK);
	put_dirop(f, f->root, "etc");
	xdr_put_string(&f->c.e, "/etc");
	put_sattr(&f->c.e, 0777, NOVAL, NOVAL, NOVAL, NOVAL, NOVAL);
	assert_int_equal(stat_only(f), 0);
	host_path(f, "etc", p, sizeof(p));
	n = readlink(p, buf, sizeof(buf));
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "/etc", 4);
	assert_int_equal(lookup(f, f->root, "etc", l, &a), 0);
	assert_int_equal(a.type, 5);
	begin(f, P_READLINK);
	xdr_put_fixed(&f->c.e, l, 32);
	assert_int_equal(run(f), 0);
	text = xdr_get_opaque(&f->r.d, 1024, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "/etc", 4);
	/* the link never leads the server to /etc */
	assert_int_equal(lookup(f, l, "passwd", fh, &a), 20);
	assert_int_equal(read2(f, l, 0, 10, out, &got), 22);
	begin(f, P_READLINK);
	xdr_put_fixed(&f->c.e, f->root, 32);
	assert_int_equal(run(f), 22);
}

static void test_readdir_small_counts(void **state)
{
	struct tu_fx *f = *state;
	uint32_t cookie = 0, dotdot = 0, n = 0;
	uint8_t dfh[32], up[32], fh[32];
	struct v2attr a, upa;
	char name[64];
	bool eof = false, seen[300] = { false };
	int i, rounds = 0;

	assert_int_equal(mkdir2(f, f->root, "big", 0755, dfh), 0);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "entry-%03d", i);
		assert_int_equal(create(f, dfh, name, 0644, NOVAL, fh, &a), 0);
	}
	assert_int_equal(lookup(f, dfh, "..", up, &upa), 0);
	while (!eof) {
		begin(f, P_READDIR);
		xdr_put_fixed(&f->c.e, dfh, 32);
		xdr_put_u32(&f->c.e, cookie);
		xdr_put_u32(&f->c.e, 512);
		assert_int_equal(run(f), 0);
		assert_true(f->r.len - 24 <= 512);
		while (xdr_get_bool(&f->r.d)) {
			uint32_t fileid = xdr_get_u32(&f->r.d), len;
			const uint8_t *s = xdr_get_opaque(&f->r.d, 255, &len);

			cookie = xdr_get_u32(&f->r.d);
			memcpy(name, s, len);
			name[len] = '\0';
			if (!strcmp(name, ".."))
				dotdot = fileid;
			else if (!strncmp(name, "entry-", 6)) {
				i = atoi(name + 6);
				assert_false(seen[i]);
				seen[i] = true;
			}
			n++;
		}
		eof = xdr_get_bool(&f->r.d);
		assert_false(f->r.d.err);
		assert_true(++rounds < 200);
	}
	assert_int_equal(n, 302);
	for (i = 0; i < 300; i++)
		assert_true(seen[i]);
	assert_int_equal(dotdot, upa.fileid);
	/* a large count still fits one 1472-byte datagram */
	begin(f, P_READDIR);
	xdr_put_fixed(&f->c.e, dfh, 32);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_u32(&f->c.e, 8192);
	assert_int_equal(run(f), 0);
	assert_true(f->r.len <= 1472 - 8 - 20 && f->r.len > 1000);
}

static void test_statfs(void **state)
{
	struct tu_fx *f = *state;
	struct statvfs sv;
	uint32_t tsize, bsize, blocks, bfree, bavail;

	assert_int_equal(statvfs(f->dir, &sv), 0);
	begin(f, P_STATFS);
	xdr_put_fixed(&f->c.e, f->root, 32);
	assert_int_equal(run(f), 0);
	tsize = xdr_get_u32(&f->r.d);
	bsize = xdr_get_u32(&f->r.d);
	blocks = xdr_get_u32(&f->r.d);
	bfree = xdr_get_u32(&f->r.d);
	bavail = xdr_get_u32(&f->r.d);
	assert_false(f->r.d.err);
	assert_int_equal(tsize, 8192);
	assert_true((double)bsize * blocks > 0.99 * (double)sv.f_frsize * (double)sv.f_blocks);
	assert_true((double)bsize * blocks < 1.01 * (double)sv.f_frsize * (double)sv.f_blocks);
	assert_true(bfree >= bavail);
	assert_true(bavail > 0);
}

static void test_mknod_squash(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32];
	struct v2attr a;
	struct stat st;
	char p[4096];

	assert_int_equal(create(f, f->root, "fifo", S_IFIFO | 0644, NOVAL, fh, &a), 0);
	host_path(f, "fifo", p, sizeof(p));
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(a.mode & S_IFMT, S_IFIFO);
	/* devices need the mapped model */
	assert_int_equal(create(f, f->root, "tty", S_IFCHR | 0644, 0x0401, fh, &a), 1);
	host_path(f, "tty", p, sizeof(p));
	assert_int_equal(lstat(p, &st), -1);
}

static void test_mapped_model(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32];
	struct v2attr a;
	struct stat st;
	char p[4096];

	assert_int_equal(create(f, f->root, "owned", 0640, NOVAL, fh, &a), 0);
	assert_int_equal(a.uid, 4321);  /* the caller's AUTH_SYS identity */
	assert_int_equal(a.gid, 55);
	begin(f, P_SETATTR);
	xdr_put_fixed(&f->c.e, fh, 32);
	put_sattr(&f->c.e, 0, 7, 8, NOVAL, NOVAL, NOVAL);
	assert_int_equal(run(f), 0);
	get_attr(&f->r.d, &a);
	assert_int_equal(a.uid, 7);
	assert_int_equal(a.gid, 8);
	assert_int_equal(a.mode & 07777, 0);
	host_path(f, "owned", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0600, 0600);  /* the host keeps access */
	/* a character device becomes a placeholder carrying type and numbers */
	assert_int_equal(create(f, f->root, "tty", S_IFCHR | 0620, 0x0401, fh, &a), 0);
	assert_int_equal(a.type, 4);
	assert_int_equal(a.mode, S_IFCHR | 0620);
	assert_int_equal(a.rdev, 0x0401);
	host_path(f, "tty", p, sizeof(p));
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(getattr(f, fh, &a), 0);
	assert_int_equal(a.type, 4);
	/* so does a FIFO (special files cannot carry the owner's xattr) */
	assert_int_equal(create(f, f->root, "fifo", S_IFIFO | 0600, NOVAL, fh, &a), 0);
	assert_int_equal(a.mode, S_IFIFO | 0600);
	assert_int_equal(a.uid, 4321);
	host_path(f, "fifo", p, sizeof(p));
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void test_read_only(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32], out[32];
	struct v2attr a;
	uint32_t got;

	assert_int_equal(lookup(f, f->root, "hello", fh, &a), 0);
	assert_int_equal(read2(f, fh, 0, 5, out, &got), 0);
	assert_int_equal(got, 5);
	assert_int_equal(create(f, f->root, "n", 0644, NOVAL, fh, &a), 30);
	assert_int_equal(lookup(f, f->root, "hello", fh, &a), 0);
	assert_int_equal(write2(f, fh, 0, "x", 1), 30);
	assert_int_equal(mkdir2(f, f->root, "d", 0755, out), 30);
	assert_int_equal(remove2(f, f->root, "hello", false), 30);
	assert_int_equal(remove2(f, f->root, "hello", true), 30);
	begin(f, P_SETATTR);
	xdr_put_fixed(&f->c.e, fh, 32);
	put_sattr(&f->c.e, 0600, NOVAL, NOVAL, NOVAL, NOVAL, NOVAL);
	assert_int_equal(run(f), 30);
	begin(f, P_RENAME);
	put_dirop(f, f->root, "hello");
	put_dirop(f, f->root, "x");
	assert_int_equal(stat_only(f), 30);
	begin(f, P_LINK);
	xdr_put_fixed(&f->c.e, fh, 32);
	put_dirop(f, f->root, "hard");
	assert_int_equal(stat_only(f), 30);
	begin(f, P_SYMLINK);
	put_dirop(f, f->root, "s");
	xdr_put_string(&f->c.e, "t");
	put_sattr(&f->c.e, 0777, NOVAL, NOVAL, NOVAL, NOVAL, NOVAL);
	assert_int_equal(stat_only(f), 30);
}

/* Handles touched so far: cache lookups and descriptor uses of the file layer. */
static uint64_t handle_uses(struct tu_fx *f)
{
	struct nfs_stats st;

	nfs_server_stats(f->srv, &st);
	return st.node_hits + st.node_misses + st.fd_hits + st.fd_misses;
}

/*
 * Every procedure with arguments after its handle or diropargs, cut right
 * behind them: GARBAGE_ARGS, and no handle was resolved (no lookup, no
 * export search, no file created) before the arguments were known bad.
 */
static void test_garbage_touches_no_file(void **state)
{
	struct tu_fx *f = *state;
	static const struct {
		uint32_t proc;
		bool dirop;
	} cut[] = {
		{ P_SETATTR, false }, { P_READ, false }, { P_WRITE, false }, { P_LINK, false }, { P_READDIR, false },
		{ P_CREATE, true }, { P_RENAME, true }, { P_SYMLINK, true }, { P_MKDIR, true },
	};
	char path[512];
	struct stat st;
	uint64_t before;
	size_t i;

	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		begin(f, cut[i].proc);
		if (cut[i].dirop)
			put_dirop(f, f->root, "new");
		else
			xdr_put_fixed(&f->c.e, f->root, 32);
		before = handle_uses(f);
		assert_true(tu_send(f->srv, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
		assert_int_equal(f->r.accept_stat, RPC_GARBAGE_ARGS);
		assert_int_equal(handle_uses(f), before);
	}
	host_path(f, "new", path, sizeof(path));
	assert_int_equal(lstat(path, &st), -1);  /* CREATE, SYMLINK, MKDIR made nothing */
	begin(f, P_GETATTR);
	xdr_put_fixed(&f->c.e, f->root, 32);
	before = handle_uses(f);
	assert_int_equal(run(f), 0);
	assert_true(handle_uses(f) > before);  /* the counters do see a resolution */
}

/* One status table for both versions: v2 keeps every errno-valued code and downgrades the v3-only ones. */
static void test_status_downgrade(void **state)
{
	static const uint32_t v2[] = {
		[FS_OK] = 0, [FS_ERR_PERM] = 1, [FS_ERR_NOENT] = 2, [FS_ERR_IO] = 5, [FS_ERR_NXIO] = 6,
		[FS_ERR_ACCES] = 13, [FS_ERR_EXIST] = 17, [FS_ERR_XDEV] = 18, [FS_ERR_NODEV] = 19,
		[FS_ERR_NOTDIR] = 20, [FS_ERR_ISDIR] = 21, [FS_ERR_INVAL] = 22, [FS_ERR_FBIG] = 27,
		[FS_ERR_NOSPC] = 28, [FS_ERR_ROFS] = 30, [FS_ERR_MLINK] = 31, [FS_ERR_NAMETOOLONG] = 63,
		[FS_ERR_NOTEMPTY] = 66, [FS_ERR_DQUOT] = 69, [FS_ERR_STALE] = 70, [FS_ERR_BADHANDLE] = 70,
		[FS_ERR_NOTSUPP] = 1, [FS_ERR_TOOSMALL] = 5, [FS_ERR_SERVERFAULT] = 5, [FS_ERR_BADTYPE] = 22,
		[FS_ERR_NOT_SYNC] = 5, [FS_ERR_BAD_COOKIE] = 70, [FS_ERR_JUKEBOX] = 5,
	};
	unsigned st;

	(void)state;
	for (st = 0; st < sizeof(v2) / sizeof(v2[0]); st++) {
		assert_int_equal(nfs_status((enum fs_status)st, 2), v2[st]);
		if (nfs_status((enum fs_status)st, 3) < 10000)  /* errno-valued: the same in both */
			assert_int_equal(nfs_status((enum fs_status)st, 3), v2[st]);
	}
	assert_int_equal(nfs_status(FS_ERR_BADHANDLE, 3), 10001);
	assert_int_equal(nfs_status(FS_ERR_JUKEBOX, 3), 10008);
	assert_int_equal(nfs_status((enum fs_status)(FS_ERR_JUKEBOX + 1), 3), 10006);  /* unknown: SERVERFAULT */
	assert_int_equal(nfs_status((enum fs_status)(FS_ERR_JUKEBOX + 1), 2), 5);      /* ... and IO in v2 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_null_root_writecache, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_getattr, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_create_write_read, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_setattr, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_remove_rmdir_rename, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_link_symlink_readlink, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_readdir_small_counts, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_statfs, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mknod_squash, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mapped_model, setup_mapped, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_touches_no_file, setup, tu_fx_teardown),
		cmocka_unit_test(test_status_downgrade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
