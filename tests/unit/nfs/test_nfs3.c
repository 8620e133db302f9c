/* SPDX-License-Identifier: MIT */
/* test_nfs3.c: every NFSv3 procedure against a temporary export, including error paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nfs/nfs.h"
#include "nfs/nfs3.h"
#include "nfs_test_util.h"

#define T3_PROG_NFS 100003u
#define T3_PROG_MOUNT 100005u
#define T3_BUF 140000u

/* ---- a tiny XDR builder and reader of our own -------------------------- */

struct t3_buf {
	uint8_t b[T3_BUF];
	size_t n;
};

struct t3_rd {
	const uint8_t *p;
	size_t n, pos;
};

struct t3_fh {
	uint8_t b[128];
	uint32_t len;
};

static void t3_u32(struct t3_buf *w, uint32_t v)
{
	assert_true(w->n + 4 <= T3_BUF);
	w->b[w->n++] = (uint8_t)(v >> 24);
	w->b[w->n++] = (uint8_t)(v >> 16);
	w->b[w->n++] = (uint8_t)(v >> 8);
	w->b[w->n++] = (uint8_t)v;
}

static void t3_u64(struct t3_buf *w, uint64_t v)
{
	t3_u32(w, (uint32_t)(v >> 32));
	t3_u32(w, (uint32_t)v);
}

static void t3_fixed(struct t3_buf *w, const void *p, size_t len)
{
	assert_true(w->n + len + 3 <= T3_BUF);
	memcpy(w->b + w->n, p, len);
	w->n += len;
	while (w->n & 3)
		w->b[w->n++] = 0;
}

static void t3_opaque(struct t3_buf *w, const void *p, uint32_t len)
{
	t3_u32(w, len);
	t3_fixed(w, p, len);
}

static void t3_str(struct t3_buf *w, const char *s)
{
	t3_opaque(w, s, (uint32_t)strlen(s));
}

static void t3_putfh(struct t3_buf *w, const struct t3_fh *fh)
{
	t3_opaque(w, fh->b, fh->len);
}

static void t3_dirop(struct t3_buf *w, const struct t3_fh *dir, const char *name)
{
	t3_putfh(w, dir);
	t3_str(w, name);
}

/* sattr3 with only mode set (or nothing when mode is UINT32_MAX). */
static void t3_sattr_mode(struct t3_buf *w, uint32_t mode)
{
	if (mode == UINT32_MAX) {
		t3_u32(w, 0);
	} else {
		t3_u32(w, 1);
		t3_u32(w, mode);
	}
	t3_u32(w, 0); /* uid */
	t3_u32(w, 0); /* gid */
	t3_u32(w, 0); /* size */
	t3_u32(w, 0); /* atime DONT_CHANGE */
	t3_u32(w, 0); /* mtime DONT_CHANGE */
}

static uint32_t t3_get32(struct t3_rd *r)
{
	uint32_t v;

	assert_true(r->pos + 4 <= r->n);
	v = (uint32_t)r->p[r->pos] << 24 | (uint32_t)r->p[r->pos + 1] << 16 | (uint32_t)r->p[r->pos + 2] << 8 |
	    r->p[r->pos + 3];
	r->pos += 4;
	return v;
}

static uint64_t t3_get64(struct t3_rd *r)
{
	uint64_t hi = t3_get32(r);

	return hi << 32 | t3_get32(r);
}

static const uint8_t *t3_getfixed(struct t3_rd *r, uint32_t len)
{
	const uint8_t *p = r->p + r->pos;
	size_t total = len + ((4 - (len & 3)) & 3);

	assert_true(r->pos + total <= r->n);
	r->pos += total;
	return p;
}

static const uint8_t *t3_getopaque(struct t3_rd *r, uint32_t *len)
{
	*len = t3_get32(r);
	return t3_getfixed(r, *len);
}

static void t3_getfh(struct t3_rd *r, struct t3_fh *fh)
{
	const uint8_t *p = t3_getopaque(r, &fh->len);

	assert_in_range(fh->len, 1, 64);
	memcpy(fh->b, p, fh->len);
}

/** struct t3_fattr - a decoded fattr3. */
struct t3_fattr {
	uint32_t type, mode, nlink, uid, gid;
	uint64_t size, used;
	uint32_t rmaj, rmin;
	uint64_t fsid, fileid;
	uint32_t atime[2], mtime[2], ctime[2];
};

static void t3_getfattr(struct t3_rd *r, struct t3_fattr *a)
{
	memset(a, 0, sizeof(*a)); /* padding too: tests compare whole structs */
	a->type = t3_get32(r);
	a->mode = t3_get32(r);
	a->nlink = t3_get32(r);
	a->uid = t3_get32(r);
	a->gid = t3_get32(r);
	a->size = t3_get64(r);
	a->used = t3_get64(r);
	a->rmaj = t3_get32(r);
	a->rmin = t3_get32(r);
	a->fsid = t3_get64(r);
	a->fileid = t3_get64(r);
	for (int i = 0; i < 2; i++)
		a->atime[i] = t3_get32(r);
	for (int i = 0; i < 2; i++)
		a->mtime[i] = t3_get32(r);
	for (int i = 0; i < 2; i++)
		a->ctime[i] = t3_get32(r);
}

/* post_op_attr: returns whether attributes followed. */
static bool t3_getpost(struct t3_rd *r, struct t3_fattr *a)
{
	uint32_t follows = t3_get32(r);
	struct t3_fattr dummy;

	assert_true(follows <= 1);
	if (follows)
		t3_getfattr(r, a ? a : &dummy);
	return follows;
}

/* wcc_data: returns whether both pre and post attributes were present. */
static bool t3_getwcc(struct t3_rd *r, struct t3_fattr *post)
{
	uint32_t pre = t3_get32(r);

	assert_true(pre <= 1);
	if (pre) {
		t3_get64(r);
		t3_getfixed(r, 16);
	}
	return t3_getpost(r, post) && pre;
}

/* ---- fixture --------------------------------------------------------------- */

struct t3 {
	char dir[256];
	struct nfs_server *srv;
	struct t3_fh root;
	uint32_t xid;
	uint16_t port;
	bool stream;               /* the calls come over TCP (nfs_peer.stream) */
	uint32_t uid, gid;         /* AUTH_SYS identity of the calls */
	uint8_t reply[NFS_STREAM_RECORD_MAX];
	size_t rlen;
	struct t3_buf call;
};

static void t3_path(const struct t3 *t, const char *rel, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", t->dir, rel);
}

static void t3_file(const struct t3 *t, const char *rel, const char *content)
{
	char p[PATH_MAX];
	int fd;

	t3_path(t, rel, p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void t3_stat(const struct t3 *t, const char *rel, struct stat *st)
{
	char p[PATH_MAX];

	t3_path(t, rel, p);
	assert_int_equal(lstat(p, st), 0);
}

static bool t3_exists(const struct t3 *t, const char *rel)
{
	struct stat st;
	char p[PATH_MAX];

	t3_path(t, rel, p);
	return lstat(p, &st) == 0;
}

/*
 * Send one call; returns the accept_stat and leaves @r at the procedure's
 * results.  The reply header is checked byte by byte: xid, REPLY,
 * MSG_ACCEPTED, an AUTH_NONE verifier.
 */
static uint32_t t3_call_raw(struct t3 *t, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
			    const struct t3_buf *args, struct t3_rd *r)
{
	static const char machine[] = "indy";
	struct t3_buf *c = &t->call;
	struct nfs_peer peer = { .addr = 0x0100000a, .port = t->port, .stream = t->stream };

	c->n = 0;
	t3_u32(c, xid);
	t3_u32(c, 0); /* CALL */
	t3_u32(c, 2);
	t3_u32(c, prog);
	t3_u32(c, vers);
	t3_u32(c, proc);
	t3_u32(c, 1); /* AUTH_SYS */
	t3_u32(c, 4 + 4 + 4 + 4 + 4 + 4 + 4);
	t3_u32(c, 0x12345678);
	t3_opaque(c, machine, 4);
	t3_u32(c, t->uid);
	t3_u32(c, t->gid);
	t3_u32(c, 1); /* one extra gid */
	t3_u32(c, t->gid);
	t3_u32(c, 0); /* verifier AUTH_NONE */
	t3_u32(c, 0);
	if (args)
		t3_fixed(c, args->b, args->n);
	t->rlen = nfs_server_call(t->srv, &peer, prog == T3_PROG_MOUNT ? NFS_PORT_MOUNT : NFS_PORT_NFS, c->b, c->n,
				  t->reply, sizeof(t->reply));
	r->p = t->reply;
	r->n = t->rlen;
	r->pos = 0;
	assert_true(t->rlen >= 24);
	assert_int_equal(t3_get32(r), xid);
	assert_int_equal(t3_get32(r), 1); /* REPLY */
	assert_int_equal(t3_get32(r), 0); /* MSG_ACCEPTED */
	assert_int_equal(t3_get32(r), 0); /* verifier flavor */
	assert_int_equal(t3_get32(r), 0); /* verifier length */
	return t3_get32(r);
}

/* An NFSv3 call expected to be accepted; returns the nfsstat3 (NULL proc: 0). */
static uint32_t t3_nfs(struct t3 *t, uint32_t proc, const struct t3_buf *args, struct t3_rd *r)
{
	assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, proc, args, r), 0);
	return proc == NFS3PROC_NULL ? 0 : t3_get32(r);
}

static void t3_mount_root(struct t3 *t)
{
	struct t3_buf a = { .n = 0 };
	struct t3_rd r;

	t3_str(&a, "/");
	assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_MOUNT, 3, 1, &a, &r), 0);
	assert_int_equal(t3_get32(&r), 0);
	t3_getfh(&r, &t->root);
}

static struct t3 *t3_open(const char *dir, bool read_only, enum nfs_attr_model model)
{
	struct t3 *t = calloc(1, sizeof(*t));
	struct nfs_server_config cfg = { 0 };
	char err[256];

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	cfg.export_dir = t->dir;
	cfg.read_only = read_only;
	cfg.attr_model = model;
	t->srv = nfs_server_new(&cfg, err, sizeof(err));
	if (!t->srv)
		fail_msg("nfs_server_new: %s", err);
	t->port = 800;
	t->xid = 1000;
	t3_mount_root(t);
	return t;
}

static void t3_close(struct t3 *t)
{
	nfs_server_free(t->srv);
	free(t);
}

static int t3_setup(void **state)
{
	char *dir = tu_mkexport();
	char p[PATH_MAX];
	struct t3 *t;

	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etclink", dir);
	assert_int_equal(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/up", dir);
	assert_int_equal(symlink("../../../..", p), 0);
	t = t3_open(dir, false, NFS_ATTR_SQUASH);
	free(dir);
	t3_file(t, "hello.txt", "hello, indy\n");
	t3_file(t, "sub/inner.txt", "inner");
	*state = t;
	return 0;
}

static int t3_teardown(void **state)
{
	struct t3 *t = *state;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", t->dir);
	t3_close(t);
	return tu_rmtree(dir);
}

/* LOOKUP @name in @dir; returns the status, the handle and attributes on success. */
static uint32_t t3_lookup(struct t3 *t, const struct t3_fh *dir, const char *name, struct t3_fh *out,
			  struct t3_fattr *a)
{
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	uint32_t st;

	t3_dirop(&b, dir, name);
	st = t3_nfs(t, NFS3PROC_LOOKUP, &b, &r);
	if (st == NFS3_OK) {
		t3_getfh(&r, out);
		assert_true(t3_getpost(&r, a));
	}
	return st;
}

static void t3_must_lookup(struct t3 *t, const struct t3_fh *dir, const char *name, struct t3_fh *out,
			   struct t3_fattr *a)
{
	assert_int_equal(t3_lookup(t, dir, name, out, a), NFS3_OK);
}

static uint32_t t3_getattr(struct t3 *t, const struct t3_fh *fh, struct t3_fattr *a)
{
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	uint32_t st;

	t3_putfh(&b, fh);
	st = t3_nfs(t, NFS3PROC_GETATTR, &b, &r);
	if (st == NFS3_OK) {
		t3_getfattr(&r, a);
		assert_int_equal(r.pos, r.n);
	}
	return st;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_null_and_unknown_proc(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;

	t3_nfs(t, NFS3PROC_NULL, NULL, &r);
	assert_int_equal(r.pos, r.n); /* void result: header only */
	assert_int_equal(t->rlen, 24);
	assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, NFS3PROC_COUNT, &b, &r), 3); /* PROC_UNAVAIL */
	assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, 0xffffffffu, &b, &r), 3);
}

static void test_garbage_args(void **state)
{
	static const uint32_t procs[] = { NFS3PROC_GETATTR, NFS3PROC_SETATTR, NFS3PROC_LOOKUP, NFS3PROC_READ,
					  NFS3PROC_WRITE, NFS3PROC_CREATE, NFS3PROC_MKNOD, NFS3PROC_RENAME,
					  NFS3PROC_READDIRPLUS, NFS3PROC_COMMIT };
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	size_t i;

	/* A handle that claims 32 bytes but stops after 8. */
	t3_u32(&b, 32);
	t3_u64(&b, 0);
	for (i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, procs[i], &b, &r), 4);
	/* CREATE with createmode 3, MKNOD of type 9: undecodable unions. */
	b.n = 0;
	t3_dirop(&b, &t->root, "x");
	t3_u32(&b, 3);
	assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, NFS3PROC_CREATE, &b, &r), 4);
	b.n = 0;
	t3_dirop(&b, &t->root, "x");
	t3_u32(&b, 9);
	assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, NFS3PROC_MKNOD, &b, &r), 4);
	assert_false(t3_exists(t, "x"));
}

/* Handles touched so far: cache lookups and descriptor uses of the file layer. */
static uint64_t t3_handle_uses(struct t3 *t)
{
	struct nfs_stats st;

	nfs_server_stats(t->srv, &st);
	return st.node_hits + st.node_misses + st.fd_hits + st.fd_misses;
}

/* As in v2 (proc.c): a call cut behind its handle or diropargs resolves no handle before GARBAGE_ARGS. */
static void test_garbage_touches_no_file(void **state)
{
	static const struct {
		uint32_t proc;
		bool dirop;
	} cut[] = {
		{ NFS3PROC_SETATTR, false }, { NFS3PROC_ACCESS, false }, { NFS3PROC_READ, false },
		{ NFS3PROC_WRITE, false }, { NFS3PROC_LINK, false }, { NFS3PROC_READDIR, false },
		{ NFS3PROC_READDIRPLUS, false }, { NFS3PROC_COMMIT, false }, { NFS3PROC_CREATE, true },
		{ NFS3PROC_MKDIR, true }, { NFS3PROC_SYMLINK, true }, { NFS3PROC_MKNOD, true },
		{ NFS3PROC_RENAME, true },
	};
	struct t3 *t = *state;
	struct t3_buf b;
	struct t3_rd r;
	uint64_t before;
	size_t i;

	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		b.n = 0;
		if (cut[i].dirop)
			t3_dirop(&b, &t->root, "x");
		else
			t3_putfh(&b, &t->root);
		before = t3_handle_uses(t);
		assert_int_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, cut[i].proc, &b, &r), 4);
		assert_int_equal(t3_handle_uses(t), before);
	}
	assert_false(t3_exists(t, "x"));
}

static void test_exact_bytes(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	/* GETATTR of a 5-byte handle: the whole reply, hand-assembled */
	static const uint8_t want[] = {
		0x00, 0x01, 0xe2, 0x40, /* xid 123456 */
		0x00, 0x00, 0x00, 0x01, /* REPLY */
		0x00, 0x00, 0x00, 0x00, /* MSG_ACCEPTED */
		0x00, 0x00, 0x00, 0x00, /* verifier AUTH_NONE */
		0x00, 0x00, 0x00, 0x00, /*   length 0 */
		0x00, 0x00, 0x00, 0x00, /* SUCCESS */
		0x00, 0x00, 0x27, 0x11, /* NFS3ERR_BADHANDLE */
	};
	/* COMMIT on the same handle: status then wcc_data with neither side */
	static const uint8_t want_commit[] = { 0x00, 0x00, 0x27, 0x11, 0, 0, 0, 0, 0, 0, 0, 0 };

	t3_opaque(&b, "\x01\x02\x03\x04\x05", 5);
	assert_int_equal(b.n, 12);
	assert_memory_equal(b.b, "\0\0\0\x05\x01\x02\x03\x04\x05\0\0\0", 12);
	assert_int_equal(t3_call_raw(t, 123456, T3_PROG_NFS, 3, NFS3PROC_GETATTR, &b, &r), 0);
	assert_int_equal(t->rlen, sizeof(want));
	assert_memory_equal(t->reply, want, sizeof(want));
	t3_u64(&b, 0);
	t3_u32(&b, 0);
	assert_int_equal(t3_call_raw(t, 123457, T3_PROG_NFS, 3, NFS3PROC_COMMIT, &b, &r), 0);
	assert_int_equal(t->rlen, 24 + sizeof(want_commit));
	assert_memory_equal(t->reply + 24, want_commit, sizeof(want_commit));
}

static void test_getattr(void **state)
{
	struct t3 *t = *state;
	struct t3_fattr a, b;
	struct t3_fh fh;
	struct stat st;

	assert_int_equal(t3_getattr(t, &t->root, &a), NFS3_OK);
	t3_stat(t, ".", &st);
	assert_int_equal(a.type, NF3DIR);
	assert_int_equal(a.fileid, st.st_ino);
	assert_int_equal(a.nlink, st.st_nlink);
	assert_int_equal(a.mode, st.st_mode & 07777);
	assert_int_equal(a.uid, 0);
	assert_int_equal(a.gid, 0);

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &b);
	t3_stat(t, "hello.txt", &st);
	assert_int_equal(b.type, NF3REG);
	assert_int_equal(b.size, 12);
	assert_int_equal(b.fileid, st.st_ino);
	assert_int_equal(b.used, (uint64_t)st.st_blocks * 512);
	assert_int_equal(b.mtime[0], (uint32_t)st.st_mtim.tv_sec);
	assert_int_equal(b.mtime[1], (uint32_t)st.st_mtim.tv_nsec);
	assert_int_equal(b.fsid, a.fsid);
	assert_int_equal(t3_getattr(t, &fh, &a), NFS3_OK);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_bad_handles(void **state)
{
	struct t3 *t = *state;
	struct t3_fattr a;
	struct t3_fh fh, bad;
	uint32_t st;
	size_t i;

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	/* truncated */
	bad = fh;
	bad.len = fh.len / 2;
	assert_int_equal(t3_getattr(t, &bad, &a), NFS3ERR_BADHANDLE);
	/* oversized: longer than NFS3_FHSIZE is still answered, not dropped */
	bad = fh;
	bad.len = 80;
	memset(bad.b + fh.len, 0, 80 - fh.len);
	assert_int_equal(t3_getattr(t, &bad, &a), NFS3ERR_BADHANDLE);
	bad.len = 0;
	assert_int_equal(t3_getattr(t, &bad, &a), NFS3ERR_BADHANDLE);
	/* every single flipped byte is refused */
	for (i = 0; i < fh.len; i++) {
		bad = fh;
		bad.b[i] ^= 0x5a;
		st = t3_getattr(t, &bad, &a);
		assert_true(st == NFS3ERR_BADHANDLE || st == NFS3ERR_STALE);
	}
	/* a genuine handle of another export is STALE here, and vice versa */
	{
		char *other = tu_mkexport();
		struct t3 *o = t3_open(other, false, NFS_ATTR_SQUASH);

		assert_int_equal(t3_getattr(t, &o->root, &a), NFS3ERR_STALE);
		assert_int_equal(t3_getattr(o, &fh, &a), NFS3ERR_STALE);
		assert_int_equal(t3_lookup(o, &t->root, "hello.txt", &bad, &a), NFS3ERR_STALE);
		t3_close(o);
		assert_int_equal(tu_rmtree(other), 0);
		free(other);
	}
	/* errors in other procedures too */
	bad.len = 7;
	assert_int_equal(t3_lookup(t, &bad, "hello.txt", &fh, &a), NFS3ERR_BADHANDLE);
}

static void test_lookup(void **state)
{
	struct t3 *t = *state;
	struct t3_fattr ra, a, da;
	struct t3_fh fh, sub, dot;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	char longname[300];

	assert_int_equal(t3_getattr(t, &t->root, &ra), NFS3_OK);
	t3_must_lookup(t, &t->root, "sub", &sub, &a);
	assert_int_equal(a.type, NF3DIR);
	/* "." is the directory itself, ".." of a subdir is the root, ".." of the root is the root */
	t3_must_lookup(t, &sub, ".", &dot, &da);
	assert_int_equal(da.fileid, a.fileid);
	t3_must_lookup(t, &sub, "..", &dot, &da);
	assert_int_equal(da.fileid, ra.fileid);
	t3_must_lookup(t, &t->root, "..", &dot, &da);
	assert_int_equal(da.fileid, ra.fileid);
	t3_must_lookup(t, &sub, "inner.txt", &fh, &a);
	assert_int_equal(a.size, 5);

	/* missing name: NOENT with the directory's attributes */
	t3_dirop(&b, &t->root, "nope");
	assert_int_equal(t3_nfs(t, NFS3PROC_LOOKUP, &b, &r), NFS3ERR_NOENT);
	assert_true(t3_getpost(&r, &da));
	assert_int_equal(da.fileid, ra.fileid);
	assert_int_equal(r.pos, r.n);

	/* bad names never reach the file system */
	assert_int_not_equal(t3_lookup(t, &t->root, "", &fh, &a), NFS3_OK);
	assert_int_not_equal(t3_lookup(t, &t->root, "sub/inner.txt", &fh, &a), NFS3_OK);
	assert_int_not_equal(t3_lookup(t, &t->root, "/etc", &fh, &a), NFS3_OK);
	memset(longname, 'x', sizeof(longname));
	longname[256] = 0;
	assert_int_equal(t3_lookup(t, &t->root, longname, &fh, &a), NFS3ERR_NAMETOOLONG);
	longname[255] = 0;
	assert_int_equal(t3_lookup(t, &t->root, longname, &fh, &a), NFS3ERR_NOENT);
	b.n = 0;
	t3_putfh(&b, &t->root);
	t3_opaque(&b, "hello.txt\0x", 11);
	assert_int_not_equal(t3_nfs(t, NFS3PROC_LOOKUP, &b, &r), NFS3_OK);
	/* LOOKUP in a file */
	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	assert_int_equal(t3_lookup(t, &fh, "x", &dot, &a), NFS3ERR_NOTDIR);
}

static void test_symlink_containment(void **state)
{
	struct t3 *t = *state;
	struct t3_fattr a;
	struct t3_fh lnk, fh;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	const uint8_t *p;
	uint32_t len;

	t3_must_lookup(t, &t->root, "etclink", &lnk, &a);
	assert_int_equal(a.type, NF3LNK);
	/* the link is never followed on the host */
	assert_int_not_equal(t3_lookup(t, &lnk, "passwd", &fh, &a), NFS3_OK);
	assert_int_not_equal(t3_lookup(t, &lnk, "..", &fh, &a), NFS3_OK);
	t3_putfh(&b, &lnk);
	t3_u64(&b, 0);
	t3_u32(&b, 4096);
	assert_int_not_equal(t3_nfs(t, NFS3PROC_READ, &b, &r), NFS3_OK);
	b.n = 0;
	t3_putfh(&b, &lnk);
	t3_u64(&b, 0);
	t3_u64(&b, 0);
	t3_u32(&b, 4096);
	assert_int_not_equal(t3_nfs(t, NFS3PROC_READDIR, &b, &r), NFS3_OK);
	/* READLINK returns the text */
	b.n = 0;
	t3_putfh(&b, &lnk);
	assert_int_equal(t3_nfs(t, NFS3PROC_READLINK, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a));
	p = t3_getopaque(&r, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(p, "/etc", 4);
	/* creating through a link to outside is refused and touches nothing */
	b.n = 0;
	t3_dirop(&b, &lnk, "indynet-escape");
	t3_u32(&b, NFS3_UNCHECKED);
	t3_sattr_mode(&b, 0644);
	assert_int_not_equal(t3_nfs(t, NFS3PROC_CREATE, &b, &r), NFS3_OK);
	assert_int_not_equal(access("/etc/indynet-escape", F_OK), 0);
	t3_must_lookup(t, &t->root, "up", &lnk, &a);
	assert_int_not_equal(t3_lookup(t, &lnk, "tmp", &fh, &a), NFS3_OK);
}

static void test_access(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a;
	struct t3_fh fh;
	uint32_t got;

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	t3_putfh(&b, &fh);
	t3_u32(&b, NFS3_ACCESS_READ | NFS3_ACCESS_MODIFY | 0x4000);
	assert_int_equal(t3_nfs(t, NFS3PROC_ACCESS, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a));
	got = t3_get32(&r);
	assert_true(got & NFS3_ACCESS_READ);
	assert_int_equal(got & ~(uint32_t)(NFS3_ACCESS_READ | NFS3_ACCESS_MODIFY), 0);
	assert_int_equal(r.pos, r.n);
}

/* READ @count at @off; copies the data to @out, returns status and sets @eof. */
static uint32_t t3_read(struct t3 *t, const struct t3_fh *fh, uint64_t off, uint32_t count, uint8_t *out,
			uint32_t *got, bool *eof)
{
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	uint32_t st, len;
	const uint8_t *p;

	t3_putfh(&b, fh);
	t3_u64(&b, off);
	t3_u32(&b, count);
	st = t3_nfs(t, NFS3PROC_READ, &b, &r);
	t3_getpost(&r, NULL);
	if (st != NFS3_OK)
		return st;
	*got = t3_get32(&r);
	*eof = t3_get32(&r);
	p = t3_getopaque(&r, &len);
	assert_int_equal(len, *got);
	assert_int_equal(r.pos, r.n);
	memcpy(out, p, len);
	return st;
}

static void test_read(void **state)
{
	struct t3 *t = *state;
	static uint8_t big[40000], out[40000];
	struct t3_fattr a;
	struct t3_fh fh;
	uint32_t got;
	bool eof;
	char p[PATH_MAX];
	int fd;
	size_t i;

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	assert_int_equal(t3_read(t, &fh, 0, 100, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 12);
	assert_true(eof);
	assert_memory_equal(out, "hello, indy\n", 12);
	assert_int_equal(t3_read(t, &fh, 7, 3, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 3);
	assert_false(eof);
	assert_memory_equal(out, "ind", 3);
	assert_int_equal(t3_read(t, &fh, 1000, 10, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 0);
	assert_true(eof);

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 8));
	t3_path(t, "big.bin", p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	close(fd);
	t3_must_lookup(t, &t->root, "big.bin", &fh, &a);
	/* a count above rtmax is clamped to 32768 */
	assert_int_equal(t3_read(t, &fh, 0, 40000, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 32768);
	assert_false(eof);
	assert_memory_equal(out, big, got);
	assert_int_equal(t3_read(t, &fh, 32768, 32768, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, sizeof(big) - 32768);
	assert_true(eof);
	assert_memory_equal(out, big + 32768, got);
	/* odd length: padding stays inside the reply */
	assert_int_equal(t3_read(t, &fh, 5, 3, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 3);
	assert_memory_equal(out, big + 5, 3);
	assert_int_equal(t3_read(t, &t->root, 0, 10, out, &got, &eof), NFS3ERR_ISDIR);
}

/* WRITE; returns status, fills @verf and @committed on success. */
static uint32_t t3_write(struct t3 *t, const struct t3_fh *fh, uint64_t off, const void *data, uint32_t len,
			 uint32_t stable, uint8_t verf[8], uint32_t *committed)
{
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	uint32_t st;

	t3_putfh(&b, fh);
	t3_u64(&b, off);
	t3_u32(&b, len);
	t3_u32(&b, stable);
	t3_opaque(&b, data, len);
	st = t3_nfs(t, NFS3PROC_WRITE, &b, &r);
	t3_getwcc(&r, NULL);
	if (st == NFS3_OK) {
		assert_int_equal(t3_get32(&r), len);
		*committed = t3_get32(&r);
		memcpy(verf, t3_getfixed(&r, 8), 8);
		assert_int_equal(r.pos, r.n);
	}
	return st;
}

/*
 * Over TCP (nfs_peer.stream) READ and WRITE move up to 1 MiB per call and
 * FSINFO says so (dtpref: READDIR's 32 KiB); over UDP READ stays at 32 KiB
 * and a WRITE larger than a datagram is garbage.
 */
static void test_stream_transfers(void **state)
{
	struct t3 *t = *state;
	static uint8_t big[(1u << 20) + 100], out[(1u << 20) + 100];
	static const uint8_t fsinfo_tcp[] = {
		0, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0, 0x10, 0, /* rtmax rtpref rtmult */
		0, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0, 0x10, 0, /* wtmax wtpref wtmult */
		0, 0, 0x80, 0,                               /* dtpref */
	};
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fh fh;
	struct t3_fattr a;
	uint8_t verf[8];
	uint32_t got, committed;
	bool eof;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + (i >> 11));
	t3_file(t, "big.bin", "");
	t3_must_lookup(t, &t->root, "big.bin", &fh, &a);
	t->stream = true;
	t3_putfh(&b, &t->root);
	assert_int_equal(t3_nfs(t, NFS3PROC_FSINFO, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a));
	assert_memory_equal(t3_getfixed(&r, sizeof(fsinfo_tcp)), fsinfo_tcp, sizeof(fsinfo_tcp));
	for (uint32_t off = 0; off < sizeof(big); off += 100000) {
		uint32_t n = sizeof(big) - off < 100000 ? (uint32_t)(sizeof(big) - off) : 100000;

		assert_int_equal(t3_write(t, &fh, off, big + off, n, NFS3_UNSTABLE, verf, &committed), NFS3_OK);
	}
	assert_int_equal(t3_read(t, &fh, 0, 1u << 20, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 1u << 20);
	assert_false(eof);
	assert_memory_equal(out, big, got);
	assert_int_equal(t3_read(t, &fh, 0, 3u << 20, out, &got, &eof), NFS3_OK); /* cut to 1 MiB */
	assert_int_equal(got, 1u << 20);
	t->stream = false;
	assert_int_equal(t3_read(t, &fh, 0, 1u << 20, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, NFS3_XFER_MAX);
	assert_memory_equal(out, big, got);
	b.n = 0;
	t3_putfh(&b, &fh);
	t3_u64(&b, 0);
	t3_u32(&b, 100000);
	t3_u32(&b, NFS3_UNSTABLE);
	t3_opaque(&b, big, 100000);
	assert_int_not_equal(t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, NFS3PROC_WRITE, &b, &r), 0); /* GARBAGE_ARGS */
}

/* nfs_reply_bound(): a READ's count plus headers over TCP, NFS_REPLY_MAX for the rest. */
static void test_reply_bound(void **state)
{
	struct t3 *t = *state;
	const uint32_t counts[] = { 8192, 1u << 20, 3u << 20, 100000 };
	const size_t want[] = { NFS_REPLY_MAX, NFS_STREAM_RECORD_MAX, NFS_STREAM_RECORD_MAX, 104096 };
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		b.n = 0;
		t3_putfh(&b, &t->root);
		t3_u64(&b, 0);
		t3_u32(&b, counts[i]);
		(void)t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, NFS3PROC_READ, &b, &r);
		assert_int_equal(nfs_reply_bound(t->call.b, t->call.n), want[i]);
		assert_int_equal(nfs_reply_bound(t->call.b, t->call.n - 4), NFS_REPLY_MAX); /* count cut off */
	}
	(void)t3_call_raw(t, ++t->xid, T3_PROG_NFS, 3, NFS3PROC_GETATTR, &b, &r);
	assert_int_equal(nfs_reply_bound(t->call.b, t->call.n), NFS_REPLY_MAX);
	assert_int_equal(nfs_reply_bound(t->call.b, 10), NFS_REPLY_MAX);
}

static void test_write_commit(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a;
	struct t3_fh fh;
	uint8_t verf[8], verf2[8], out[64];
	uint32_t committed, got;
	bool eof;

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	assert_int_equal(t3_write(t, &fh, 0, "HELLO", 5, NFS3_FILE_SYNC, verf, &committed), NFS3_OK);
	assert_int_equal(committed, NFS3_FILE_SYNC);
	assert_int_equal(t3_write(t, &fh, 20, "tail", 4, NFS3_UNSTABLE, verf2, &committed), NFS3_OK);
	assert_true(committed == NFS3_UNSTABLE || committed == NFS3_FILE_SYNC);
	assert_memory_equal(verf, verf2, 8);
	assert_int_equal(t3_read(t, &fh, 0, 64, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 24);
	assert_memory_equal(out, "HELLO, indy\n\0\0\0\0\0\0\0\0tail", 24);

	/* COMMIT: wcc data and the same verifier */
	t3_putfh(&b, &fh);
	t3_u64(&b, 0);
	t3_u32(&b, 0);
	assert_int_equal(t3_nfs(t, NFS3PROC_COMMIT, &b, &r), NFS3_OK);
	assert_true(t3_getwcc(&r, &a));
	assert_int_equal(a.size, 24);
	assert_memory_equal(t3_getfixed(&r, 8), verf, 8);
	assert_int_equal(r.pos, r.n);

	/* count larger than the data sent */
	b.n = 0;
	t3_putfh(&b, &fh);
	t3_u64(&b, 0);
	t3_u32(&b, 100);
	t3_u32(&b, NFS3_FILE_SYNC);
	t3_opaque(&b, "abc", 3);
	assert_int_equal(t3_nfs(t, NFS3PROC_WRITE, &b, &r), NFS3ERR_INVAL);
	assert_int_equal(t3_write(t, &t->root, 0, "x", 1, NFS3_FILE_SYNC, verf2, &committed), NFS3ERR_ISDIR);
}

static void test_setattr(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a;
	struct t3_fh fh;
	struct stat st;

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	/* mode 0600, size 5, mtime 1000000000.5 */
	t3_putfh(&b, &fh);
	t3_u32(&b, 1);
	t3_u32(&b, 0600);
	t3_u32(&b, 0);
	t3_u32(&b, 0);
	t3_u32(&b, 1);
	t3_u64(&b, 5);
	t3_u32(&b, NFS3_DONT_CHANGE);
	t3_u32(&b, NFS3_SET_TO_CLIENT_TIME);
	t3_u32(&b, 1000000000);
	t3_u32(&b, 500000000);
	t3_u32(&b, 0); /* no guard */
	assert_int_equal(t3_nfs(t, NFS3PROC_SETATTR, &b, &r), NFS3_OK);
	assert_true(t3_getwcc(&r, &a));
	assert_int_equal(r.pos, r.n);
	assert_int_equal(a.mode, 0600);
	assert_int_equal(a.size, 5);
	assert_int_equal(a.mtime[0], 1000000000);
	assert_int_equal(a.mtime[1], 500000000);
	t3_stat(t, "hello.txt", &st);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 5);
	assert_int_equal(st.st_mtim.tv_sec, 1000000000);

	/* guarded: a wrong ctime is NOT_SYNC and changes nothing */
	b.n = 0;
	t3_putfh(&b, &fh);
	t3_sattr_mode(&b, 0640);
	t3_u32(&b, 1);
	t3_u32(&b, a.ctime[0] + 1);
	t3_u32(&b, a.ctime[1]);
	assert_int_equal(t3_nfs(t, NFS3PROC_SETATTR, &b, &r), NFS3ERR_NOT_SYNC);
	t3_stat(t, "hello.txt", &st);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* the right ctime applies it */
	b.n = 0;
	t3_putfh(&b, &fh);
	t3_sattr_mode(&b, 0640);
	t3_u32(&b, 1);
	t3_u32(&b, a.ctime[0]);
	t3_u32(&b, a.ctime[1]);
	assert_int_equal(t3_nfs(t, NFS3PROC_SETATTR, &b, &r), NFS3_OK);
	t3_stat(t, "hello.txt", &st);
	assert_int_equal(st.st_mode & 07777, 0640);
}

/* CREATE, MKDIR, SYMLINK and MKNOD share the diropres3 shape. */
static uint32_t t3_diropres(struct t3 *t, uint32_t proc, const struct t3_buf *b, struct t3_fh *out,
			    struct t3_fattr *a)
{
	struct t3_rd r;
	uint32_t st = t3_nfs(t, proc, b, &r);

	if (st == NFS3_OK) {
		assert_int_equal(t3_get32(&r), 1);
		t3_getfh(&r, out);
		assert_true(t3_getpost(&r, a));
	}
	assert_true(t3_getwcc(&r, NULL));
	assert_int_equal(r.pos, r.n);
	return st;
}

/* CREATE @name; returns status and the new handle. */
static uint32_t t3_create(struct t3 *t, const struct t3_fh *dir, const char *name, uint32_t how,
			  const char *verf, struct t3_fh *out, struct t3_fattr *a)
{
	struct t3_buf b = { .n = 0 };

	t3_dirop(&b, dir, name);
	t3_u32(&b, how);
	if (how == NFS3_EXCLUSIVE)
		t3_fixed(&b, verf, 8);
	else
		t3_sattr_mode(&b, 0640);
	return t3_diropres(t, NFS3PROC_CREATE, &b, out, a);
}

static void test_create(void **state)
{
	struct t3 *t = *state;
	struct t3_fattr a, a2;
	struct t3_fh fh, fh2;
	struct stat st;

	assert_int_equal(t3_create(t, &t->root, "new.txt", NFS3_UNCHECKED, NULL, &fh, &a), NFS3_OK);
	assert_int_equal(a.type, NF3REG);
	assert_int_equal(a.size, 0);
	t3_stat(t, "new.txt", &st);
	assert_int_equal(a.fileid, st.st_ino);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* UNCHECKED on an existing file succeeds, GUARDED does not */
	assert_int_equal(t3_create(t, &t->root, "new.txt", NFS3_UNCHECKED, NULL, &fh2, &a2), NFS3_OK);
	assert_int_equal(a2.fileid, a.fileid);
	assert_int_equal(t3_create(t, &t->root, "new.txt", NFS3_GUARDED, NULL, &fh2, &a2), NFS3ERR_EXIST);
	assert_int_equal(t3_create(t, &t->root, "g.txt", NFS3_GUARDED, NULL, &fh2, &a2), NFS3_OK);
	/* EXCLUSIVE: the same verifier again is the same create; another is EXIST */
	assert_int_equal(t3_create(t, &t->root, "ex.txt", NFS3_EXCLUSIVE, "verf0001", &fh, &a), NFS3_OK);
	assert_int_equal(t3_create(t, &t->root, "ex.txt", NFS3_EXCLUSIVE, "verf0001", &fh2, &a2), NFS3_OK);
	assert_int_equal(a2.fileid, a.fileid);
	assert_int_equal(t3_create(t, &t->root, "ex.txt", NFS3_EXCLUSIVE, "verf0002", &fh2, &a2), NFS3ERR_EXIST);
	assert_int_equal(t3_create(t, &t->root, "hello.txt", NFS3_EXCLUSIVE, "verf0001", &fh2, &a2),
			 NFS3ERR_EXIST);
	/* bad names */
	assert_int_not_equal(t3_create(t, &t->root, "..", NFS3_UNCHECKED, NULL, &fh2, &a2), NFS3_OK);
	assert_int_not_equal(t3_create(t, &t->root, "a/b", NFS3_UNCHECKED, NULL, &fh2, &a2), NFS3_OK);
	assert_int_equal(t3_create(t, &t->root, "sub", NFS3_GUARDED, NULL, &fh2, &a2), NFS3ERR_EXIST);
}

static uint32_t t3_mkdir(struct t3 *t, const struct t3_fh *dir, const char *name, struct t3_fh *out)
{
	struct t3_buf b = { .n = 0 };
	struct t3_fattr a;

	t3_dirop(&b, dir, name);
	t3_sattr_mode(&b, 0750);
	return t3_diropres(t, NFS3PROC_MKDIR, &b, out, &a);
}

static uint32_t t3_remove(struct t3 *t, uint32_t proc, const struct t3_fh *dir, const char *name)
{
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	uint32_t st;

	t3_dirop(&b, dir, name);
	st = t3_nfs(t, proc, &b, &r);
	t3_getwcc(&r, NULL);
	assert_int_equal(r.pos, r.n);
	return st;
}

static void test_mkdir_remove_rmdir(void **state)
{
	struct t3 *t = *state;
	struct t3_fattr a;
	struct t3_fh d, fh;
	struct stat st;

	assert_int_equal(t3_mkdir(t, &t->root, "d", &d), NFS3_OK);
	t3_stat(t, "d", &st);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(t3_mkdir(t, &t->root, "d", &fh), NFS3ERR_EXIST);
	assert_int_equal(t3_create(t, &d, "f", NFS3_UNCHECKED, NULL, &fh, &a), NFS3_OK);
	assert_int_equal(t3_remove(t, NFS3PROC_RMDIR, &t->root, "d"), NFS3ERR_NOTEMPTY);
	assert_int_equal(t3_remove(t, NFS3PROC_RMDIR, &d, "f"), NFS3ERR_NOTDIR);
	assert_int_equal(t3_remove(t, NFS3PROC_REMOVE, &d, "f"), NFS3_OK);
	assert_false(t3_exists(t, "d/f"));
	assert_int_equal(t3_remove(t, NFS3PROC_REMOVE, &d, "f"), NFS3ERR_NOENT);
	assert_int_not_equal(t3_remove(t, NFS3PROC_REMOVE, &t->root, "d"), NFS3_OK);
	assert_int_not_equal(t3_remove(t, NFS3PROC_RMDIR, &t->root, "."), NFS3_OK);
	assert_int_not_equal(t3_remove(t, NFS3PROC_RMDIR, &d, ".."), NFS3_OK);
	assert_int_equal(t3_remove(t, NFS3PROC_RMDIR, &t->root, "d"), NFS3_OK);
	assert_false(t3_exists(t, "d"));
	/* the removed directory's handle is now stale */
	assert_int_equal(t3_getattr(t, &d, &a), NFS3ERR_STALE);
	assert_true(t3_exists(t, "sub"));
}

static void test_symlink_readlink(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a;
	struct t3_fh fh;
	char text[64];
	const uint8_t *p;
	uint32_t len;

	t3_dirop(&b, &t->root, "ln");
	t3_sattr_mode(&b, UINT32_MAX);
	t3_str(&b, "sub/inner.txt");
	assert_int_equal(t3_diropres(t, NFS3PROC_SYMLINK, &b, &fh, &a), NFS3_OK);
	assert_int_equal(a.type, NF3LNK);
	assert_int_equal(a.size, 13);
	t3_path(t, "ln", text);
	{
		char buf[64];
		ssize_t n = readlink(text, buf, sizeof(buf));

		assert_int_equal(n, 13);
		assert_memory_equal(buf, "sub/inner.txt", 13);
	}
	b.n = 0;
	t3_putfh(&b, &fh);
	assert_int_equal(t3_nfs(t, NFS3PROC_READLINK, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a));
	p = t3_getopaque(&r, &len);
	assert_int_equal(len, 13);
	assert_memory_equal(p, "sub/inner.txt", 13);
	/* READLINK of a regular file is INVAL; the same name again is EXIST */
	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	b.n = 0;
	t3_putfh(&b, &fh);
	assert_int_equal(t3_nfs(t, NFS3PROC_READLINK, &b, &r), NFS3ERR_INVAL);
	b.n = 0;
	t3_dirop(&b, &t->root, "ln");
	t3_sattr_mode(&b, UINT32_MAX);
	t3_str(&b, "x");
	assert_int_equal(t3_diropres(t, NFS3PROC_SYMLINK, &b, &fh, &a), NFS3ERR_EXIST);
}

static void test_mknod(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_fattr a;
	struct t3_fh fh;
	struct stat st;

	t3_dirop(&b, &t->root, "fifo");
	t3_u32(&b, NF3FIFO);
	t3_sattr_mode(&b, 0600);
	assert_int_equal(t3_diropres(t, NFS3PROC_MKNOD, &b, &fh, &a), NFS3_OK);
	assert_int_equal(a.type, NF3FIFO);
	t3_stat(t, "fifo", &st);
	assert_true(S_ISFIFO(st.st_mode));
	b.n = 0;
	t3_dirop(&b, &t->root, "sock");
	t3_u32(&b, NF3SOCK);
	t3_sattr_mode(&b, 0600);
	assert_int_equal(t3_diropres(t, NFS3PROC_MKNOD, &b, &fh, &a), NFS3_OK);
	assert_int_equal(a.type, NF3SOCK);
	t3_stat(t, "sock", &st);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(t3_getattr(t, &fh, &a), NFS3_OK);
	assert_int_equal(a.fileid, st.st_ino);
	/* devices need the mapped model */
	b.n = 0;
	t3_dirop(&b, &t->root, "tty");
	t3_u32(&b, NF3CHR);
	t3_sattr_mode(&b, 0600);
	t3_u32(&b, 4);
	t3_u32(&b, 1);
	assert_int_equal(t3_diropres(t, NFS3PROC_MKNOD, &b, &fh, &a), NFS3ERR_NOTSUPP);
	assert_false(t3_exists(t, "tty"));
	/* a regular file is not a MKNOD type */
	b.n = 0;
	t3_dirop(&b, &t->root, "reg");
	t3_u32(&b, NF3REG);
	assert_int_equal(t3_diropres(t, NFS3PROC_MKNOD, &b, &fh, &a), NFS3ERR_BADTYPE);
	assert_false(t3_exists(t, "reg"));
}

static void test_rename_link(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a, a2;
	struct t3_fh fh, sub, fh2;

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	t3_must_lookup(t, &t->root, "sub", &sub, &a2);
	t3_dirop(&b, &t->root, "hello.txt");
	t3_dirop(&b, &sub, "moved.txt");
	assert_int_equal(t3_nfs(t, NFS3PROC_RENAME, &b, &r), NFS3_OK);
	assert_true(t3_getwcc(&r, NULL));
	assert_true(t3_getwcc(&r, NULL));
	assert_int_equal(r.pos, r.n);
	assert_false(t3_exists(t, "hello.txt"));
	assert_true(t3_exists(t, "sub/moved.txt"));
	/* the old handle still names the moved file */
	assert_int_equal(t3_getattr(t, &fh, &a2), NFS3_OK);
	assert_int_equal(a2.fileid, a.fileid);
	assert_int_equal(t3_lookup(t, &t->root, "hello.txt", &fh2, &a2), NFS3ERR_NOENT);
	/* rename of a missing name */
	assert_int_equal(t3_nfs(t, NFS3PROC_RENAME, &b, &r), NFS3ERR_NOENT);
	/* rename onto a bad name */
	b.n = 0;
	t3_dirop(&b, &sub, "moved.txt");
	t3_dirop(&b, &t->root, "..");
	assert_int_not_equal(t3_nfs(t, NFS3PROC_RENAME, &b, &r), NFS3_OK);
	assert_true(t3_exists(t, "sub/moved.txt"));

	/* LINK: nlink goes to 2 */
	b.n = 0;
	t3_putfh(&b, &fh);
	t3_dirop(&b, &t->root, "hard.txt");
	assert_int_equal(t3_nfs(t, NFS3PROC_LINK, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a2));
	assert_int_equal(a2.nlink, 2);
	assert_true(t3_getwcc(&r, NULL));
	assert_int_equal(r.pos, r.n);
	t3_must_lookup(t, &t->root, "hard.txt", &fh2, &a2);
	assert_int_equal(a2.fileid, a.fileid);
	assert_int_equal(t3_nfs(t, NFS3PROC_LINK, &b, &r), NFS3ERR_EXIST);
	/* LINK of a directory is refused */
	b.n = 0;
	t3_putfh(&b, &sub);
	t3_dirop(&b, &t->root, "dirlink");
	assert_int_not_equal(t3_nfs(t, NFS3PROC_LINK, &b, &r), NFS3_OK);
	assert_false(t3_exists(t, "dirlink"));
}

/** struct t3_ent - one READDIR entry as received. */
struct t3_ent {
	uint64_t fileid, cookie;
	char name[256];
	bool has_fh;
	struct t3_fh fh;
	struct t3_fattr attr;
};

/*
 * One READDIR (maxcount == 0) or READDIRPLUS call; returns the status, the
 * entries (at most @max), eof and the verifier.
 */
static uint32_t t3_readdir(struct t3 *t, const struct t3_fh *dir, uint64_t cookie, const uint8_t verf[8],
			   uint32_t count, uint32_t maxcount, struct t3_ent *ents, size_t max, size_t *n,
			   bool *eof, uint8_t outverf[8])
{
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	uint32_t st, len;
	const uint8_t *p;
	bool plus = maxcount != 0;

	t3_putfh(&b, dir);
	t3_u64(&b, cookie);
	t3_fixed(&b, verf, 8);
	t3_u32(&b, count);
	if (plus)
		t3_u32(&b, maxcount);
	st = t3_nfs(t, plus ? NFS3PROC_READDIRPLUS : NFS3PROC_READDIR, &b, &r);
	t3_getpost(&r, NULL);
	*n = 0;
	if (st != NFS3_OK) {
		assert_int_equal(r.pos, r.n);
		return st;
	}
	assert_true(t->rlen - 24 <= (plus ? maxcount : count));
	memcpy(outverf, t3_getfixed(&r, 8), 8);
	while (t3_get32(&r)) {
		struct t3_ent *e = &ents[*n];

		assert_true(*n < max);
		e->fileid = t3_get64(&r);
		p = t3_getopaque(&r, &len);
		assert_in_range(len, 1, 255);
		memcpy(e->name, p, len);
		e->name[len] = 0;
		e->cookie = t3_get64(&r);
		e->has_fh = false;
		if (plus) {
			assert_true(t3_getpost(&r, &e->attr));
			e->has_fh = t3_get32(&r);
			if (e->has_fh)
				t3_getfh(&r, &e->fh);
		}
		(*n)++;
	}
	*eof = t3_get32(&r);
	assert_int_equal(r.pos, r.n);
	return st;
}

static const struct t3_ent *t3_find(const struct t3_ent *ents, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ents[i].name, name))
			return &ents[i];
	return NULL;
}

static void test_readdir_small(void **state)
{
	struct t3 *t = *state;
	static const uint8_t zero[8];
	struct t3_ent ents[32];
	const struct t3_ent *e;
	struct t3_fattr ra, a, dd;
	struct t3_fh sub, fh;
	uint8_t verf[8];
	size_t n;
	bool eof;

	assert_int_equal(t3_getattr(t, &t->root, &ra), NFS3_OK);
	t3_must_lookup(t, &t->root, "sub", &sub, &a);
	assert_int_equal(t3_readdir(t, &sub, 0, zero, 4096, 0, ents, 32, &n, &eof, verf), NFS3_OK);
	assert_true(eof);
	assert_int_equal(n, 3);
	e = t3_find(ents, n, ".");
	assert_non_null(e);
	assert_int_equal(e->fileid, a.fileid);
	/* ".." in READDIR has the fileid LOOKUP ".." returns */
	e = t3_find(ents, n, "..");
	assert_non_null(e);
	t3_must_lookup(t, &sub, "..", &fh, &dd);
	assert_int_equal(e->fileid, dd.fileid);
	assert_int_equal(e->fileid, ra.fileid);
	assert_non_null(t3_find(ents, n, "inner.txt"));
	/* root's ".." is the root itself */
	assert_int_equal(t3_readdir(t, &t->root, 0, zero, 8192, 0, ents, 32, &n, &eof, verf), NFS3_OK);
	e = t3_find(ents, n, "..");
	assert_non_null(e);
	assert_int_equal(e->fileid, ra.fileid);
	/* READDIRPLUS: handles work and attributes match */
	assert_int_equal(t3_readdir(t, &t->root, 0, zero, 8192, 16384, ents, 32, &n, &eof, verf), NFS3_OK);
	assert_true(eof);
	e = t3_find(ents, n, "hello.txt");
	assert_non_null(e);
	assert_true(e->has_fh);
	assert_int_equal(e->attr.size, 12);
	assert_int_equal(t3_getattr(t, &e->fh, &a), NFS3_OK);
	assert_int_equal(a.fileid, e->fileid);
	e = t3_find(ents, n, "..");
	assert_non_null(e);
	assert_int_equal(e->fileid, ra.fileid);
	/* READDIR of a file; a count too small for one entry */
	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	assert_int_equal(t3_readdir(t, &fh, 0, zero, 4096, 0, ents, 32, &n, &eof, verf), NFS3ERR_NOTDIR);
	assert_int_equal(t3_readdir(t, &t->root, 0, zero, 100, 0, ents, 32, &n, &eof, verf), NFS3ERR_TOOSMALL);
}

static void test_readdir_large(void **state)
{
	enum { N = 2100, ADDED = 300 };
	struct t3 *t = *state;
	static struct t3_ent ents[64];
	static uint8_t seen[N + ADDED];
	static const uint8_t zero[8];
	struct t3_fh d, fh;
	struct t3_fattr a;
	uint8_t verf[8], bad[8];
	uint64_t cookie = 0;
	size_t n, i, total = 0, calls = 0;
	char name[64], p[PATH_MAX];
	bool eof = false;
	int fd;

	assert_int_equal(t3_mkdir(t, &t->root, "many", &d), NFS3_OK);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "many/entry-%05zu", i);
		t3_path(t, name, p);
		fd = open(p, O_WRONLY | O_CREAT, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	memset(seen, 0, sizeof(seen));
	memcpy(verf, zero, 8);
	while (!eof) {
		const uint8_t *use = cookie ? verf : zero;

		assert_int_equal(t3_readdir(t, &d, cookie, use, 1024, 0, ents, 64, &n, &eof, verf), NFS3_OK);
		assert_true(n > 0 || eof);
		for (i = 0; i < n; i++) {
			unsigned k;

			if (sscanf(ents[i].name, "entry-%u", &k) == 1) {
				assert_true(k < N + ADDED);
				assert_int_equal(seen[k], 0); /* no duplicates */
				seen[k] = 1;
			} else {
				assert_true(!strcmp(ents[i].name, ".") || !strcmp(ents[i].name, ".."));
			}
			total++;
			cookie = ents[i].cookie;
		}
		/* the directory changes while it is listed */
		if (calls < ADDED / 10) {
			for (i = 0; i < 10; i++) {
				snprintf(name, sizeof(name), "entry-%05zu", N + calls * 10 + i);
				assert_int_equal(t3_create(t, &d, name, NFS3_UNCHECKED, NULL, &fh, &a), NFS3_OK);
			}
		}
		calls++;
		assert_true(calls < 1000);
	}
	for (i = 0; i < N; i++)
		assert_int_equal(seen[i], 1); /* nothing that existed throughout is missing */
	assert_true(calls > 20);
	assert_true(total >= N + 2);

	/* a cookie with another verifier is BAD_COOKIE */
	memset(bad, 0xee, sizeof(bad));
	assert_int_equal(t3_readdir(t, &d, ents[0].cookie ? ents[0].cookie : 1, bad, 1024, 0, ents, 64, &n, &eof,
				    verf),
			 NFS3ERR_BAD_COOKIE);
}

static void test_readdirplus_counts(void **state)
{
	struct t3 *t = *state;
	static struct t3_ent ents[128];
	static const uint8_t zero[8];
	uint8_t verf[8];
	uint64_t cookie = 0;
	size_t n, total = 0, i;
	bool eof = false;
	char name[64];
	struct t3_fh fh;
	struct t3_fattr a;

	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "plus-%02zu", i);
		assert_int_equal(t3_create(t, &t->root, name, NFS3_UNCHECKED, NULL, &fh, &a), NFS3_OK);
	}
	while (!eof) {
		/* maxcount is respected (checked inside t3_readdir) and dircount limits too */
		assert_int_equal(t3_readdir(t, &t->root, cookie, cookie ? verf : zero, 256, 2000, ents, 128, &n, &eof,
					    verf),
				 NFS3_OK);
		assert_true(n > 0);
		assert_true(n <= 256 / 24);
		for (i = 0; i < n; i++) {
			assert_true(ents[i].has_fh);
			cookie = ents[i].cookie;
		}
		total += n;
	}
	assert_true(total >= 60 + 5);
}

static void test_fsstat_fsinfo_pathconf(void **state)
{
	/* FSINFO3resok after post_op_attr, byte for byte except maxfilesize */
	static const uint8_t fsinfo[] = {
		0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0x10, 0, /* rtmax rtpref rtmult */
		0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0x10, 0, /* wtmax wtpref wtmult */
		0, 0, 0x20, 0,                               /* dtpref */
	};
	static const uint8_t tail[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x1b };
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a;
	uint64_t tbytes, fbytes, abytes, maxfile;

	t3_putfh(&b, &t->root);
	assert_int_equal(t3_nfs(t, NFS3PROC_FSSTAT, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a));
	tbytes = t3_get64(&r);
	fbytes = t3_get64(&r);
	abytes = t3_get64(&r);
	assert_true(tbytes > 0);
	assert_true(fbytes <= tbytes);
	assert_true(abytes <= fbytes);
	t3_get64(&r);
	t3_get64(&r);
	t3_get64(&r);
	assert_int_equal(t3_get32(&r), 0);
	assert_int_equal(r.pos, r.n);

	assert_int_equal(t3_nfs(t, NFS3PROC_FSINFO, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a));
	assert_memory_equal(t3_getfixed(&r, sizeof(fsinfo)), fsinfo, sizeof(fsinfo));
	maxfile = t3_get64(&r);
	assert_true(maxfile >= (1ull << 31));
	assert_memory_equal(t3_getfixed(&r, sizeof(tail) - 1), tail, sizeof(tail) - 1);
	assert_int_equal(r.pos, r.n);

	assert_int_equal(t3_nfs(t, NFS3PROC_PATHCONF, &b, &r), NFS3_OK);
	assert_true(t3_getpost(&r, &a));
	assert_true(t3_get32(&r) >= 1); /* linkmax */
	assert_int_equal(t3_get32(&r), 255);
	assert_int_equal(t3_get32(&r), 1);
	assert_int_equal(t3_get32(&r), 1);
	assert_int_equal(t3_get32(&r), 0);
	assert_int_equal(t3_get32(&r), 1);
	assert_int_equal(r.pos, r.n);
}

static void test_drc_remove(void **state)
{
	struct t3 *t = *state;
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	uint32_t xid = 777777;

	t3_dirop(&b, &t->root, "hello.txt");
	assert_int_equal(t3_call_raw(t, xid, T3_PROG_NFS, 3, NFS3PROC_REMOVE, &b, &r), 0);
	assert_int_equal(t3_get32(&r), NFS3_OK);
	assert_false(t3_exists(t, "hello.txt"));
	/* the retransmission gets the cached OK, not NOENT */
	assert_int_equal(t3_call_raw(t, xid, T3_PROG_NFS, 3, NFS3PROC_REMOVE, &b, &r), 0);
	assert_int_equal(t3_get32(&r), NFS3_OK);
	/* the same xid from another port is another call */
	t->port = 801;
	assert_int_equal(t3_call_raw(t, xid, T3_PROG_NFS, 3, NFS3PROC_REMOVE, &b, &r), 0);
	assert_int_equal(t3_get32(&r), NFS3ERR_NOENT);
	t->port = 800;
}

static void test_restart(void **state)
{
	struct t3 *t = *state;
	struct t3_fattr a, a2;
	struct t3_fh sub, inner, fh;
	uint8_t out[16];
	uint32_t got;
	bool eof;
	struct nfs_server_config cfg = { .export_dir = t->dir };
	char err[256];

	t3_must_lookup(t, &t->root, "sub", &sub, &a);
	t3_must_lookup(t, &sub, "inner.txt", &inner, &a);
	/* simulated restart: a new server on the same export, old handles still valid */
	nfs_server_free(t->srv);
	t->srv = nfs_server_new(&cfg, err, sizeof(err));
	assert_non_null(t->srv);
	assert_int_equal(t3_getattr(t, &inner, &a2), NFS3_OK);
	assert_int_equal(a2.fileid, a.fileid);
	assert_int_equal(t3_read(t, &inner, 0, 16, out, &got, &eof), NFS3_OK);
	assert_int_equal(got, 5);
	assert_memory_equal(out, "inner", 5);
	t3_must_lookup(t, &sub, "..", &fh, &a2);
	assert_int_equal(t3_getattr(t, &t->root, &a), NFS3_OK);
	assert_int_equal(a2.fileid, a.fileid);
}

static void test_write_verifier_changes_on_restart(void **state)
{
	struct t3 *t = *state;
	struct nfs_server_config cfg = { .export_dir = t->dir };
	struct t3_fattr a;
	struct t3_fh fh;
	uint8_t v1[8], v2[8];
	uint32_t committed;
	char err[256];

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	assert_int_equal(t3_write(t, &fh, 0, "a", 1, NFS3_UNSTABLE, v1, &committed), NFS3_OK);
	nfs_server_free(t->srv);
	t->srv = nfs_server_new(&cfg, err, sizeof(err));
	assert_non_null(t->srv);
	assert_int_equal(t3_write(t, &fh, 1, "b", 1, NFS3_UNSTABLE, v2, &committed), NFS3_OK);
	assert_memory_not_equal(v1, v2, 8); /* the client must resend uncommitted data */
}

/* Mapped model: guest owner, mode and device numbers live in xattrs and survive a restart. */
static void test_mapped(void **state)
{
	struct t3 *rw = *state;
	struct t3 *t = t3_open(rw->dir, false, NFS_ATTR_MAPPED);
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a;
	struct t3_fh dev, f;
	struct stat st;

	t3_dirop(&b, &t->root, "tty1");
	t3_u32(&b, NF3CHR);
	t3_sattr_mode(&b, 0620);
	t3_u32(&b, 4);
	t3_u32(&b, 1);
	if (t3_diropres(t, NFS3PROC_MKNOD, &b, &dev, &a) == NFS3ERR_NOTSUPP) {
		t3_close(t);
		skip(); /* no user xattrs on this file system */
	}
	assert_int_equal(a.type, NF3CHR);
	assert_int_equal(a.rmaj, 4);
	assert_int_equal(a.rmin, 1);
	assert_int_equal(a.mode, 0620);
	t3_stat(t, "tty1", &st);
	assert_true(S_ISREG(st.st_mode)); /* a placeholder on the host */

	/* a file created by uid 1234 belongs to it; chown to 55:66 is kept */
	t->uid = 1234;
	t->gid = 100;
	assert_int_equal(t3_create(t, &t->root, "owned", NFS3_UNCHECKED, NULL, &f, &a), NFS3_OK);
	assert_int_equal(a.uid, 1234);
	t->uid = 0;
	t->gid = 0;
	b.n = 0;
	t3_putfh(&b, &f);
	t3_u32(&b, 1);
	t3_u32(&b, 04755);
	t3_u32(&b, 1);
	t3_u32(&b, 55);
	t3_u32(&b, 1);
	t3_u32(&b, 66);
	t3_u32(&b, 0);
	t3_u32(&b, 0);
	t3_u32(&b, 0);
	t3_u32(&b, 0);
	assert_int_equal(t3_nfs(t, NFS3PROC_SETATTR, &b, &r), NFS3_OK);
	assert_true(t3_getwcc(&r, &a));
	assert_int_equal(a.uid, 55);
	assert_int_equal(a.gid, 66);
	assert_int_equal(a.mode, 04755);
	t3_stat(t, "owned", &st);
	assert_int_equal(st.st_uid, 0); /* the host file keeps its owner */

	/* restart: all of it is still there */
	t3_close(t);
	t = t3_open(rw->dir, false, NFS_ATTR_MAPPED);
	assert_int_equal(t3_getattr(t, &dev, &a), NFS3_OK);
	assert_int_equal(a.type, NF3CHR);
	assert_int_equal(a.rmaj, 4);
	assert_int_equal(a.rmin, 1);
	assert_int_equal(t3_getattr(t, &f, &a), NFS3_OK);
	assert_int_equal(a.uid, 55);
	assert_int_equal(a.gid, 66);
	assert_int_equal(a.mode, 04755);
	t3_close(t);
}

static void test_read_only(void **state)
{
	struct t3 *rw = *state;
	struct t3 *t = t3_open(rw->dir, true, NFS_ATTR_SQUASH);
	struct t3_buf b = { .n = 0 };
	struct t3_rd r;
	struct t3_fattr a;
	struct t3_fh fh, sub;
	uint8_t verf[8];
	uint32_t committed;

	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	t3_must_lookup(t, &t->root, "sub", &sub, &a);
	t3_putfh(&b, &fh);
	t3_sattr_mode(&b, 0600);
	t3_u32(&b, 0);
	assert_int_equal(t3_nfs(t, NFS3PROC_SETATTR, &b, &r), NFS3ERR_ROFS);
	assert_int_equal(t3_write(t, &fh, 0, "x", 1, NFS3_FILE_SYNC, verf, &committed), NFS3ERR_ROFS);
	assert_int_equal(t3_create(t, &t->root, "c", NFS3_UNCHECKED, NULL, &fh, &a), NFS3ERR_ROFS);
	assert_int_equal(t3_mkdir(t, &t->root, "m", &fh), NFS3ERR_ROFS);
	b.n = 0;
	t3_dirop(&b, &t->root, "s");
	t3_sattr_mode(&b, UINT32_MAX);
	t3_str(&b, "x");
	assert_int_equal(t3_diropres(t, NFS3PROC_SYMLINK, &b, &fh, &a), NFS3ERR_ROFS);
	b.n = 0;
	t3_dirop(&b, &t->root, "f");
	t3_u32(&b, NF3FIFO);
	t3_sattr_mode(&b, 0600);
	assert_int_equal(t3_diropres(t, NFS3PROC_MKNOD, &b, &fh, &a), NFS3ERR_ROFS);
	assert_int_equal(t3_remove(t, NFS3PROC_REMOVE, &t->root, "hello.txt"), NFS3ERR_ROFS);
	assert_int_equal(t3_remove(t, NFS3PROC_RMDIR, &t->root, "sub"), NFS3ERR_ROFS);
	b.n = 0;
	t3_dirop(&b, &t->root, "hello.txt");
	t3_dirop(&b, &t->root, "renamed");
	assert_int_equal(t3_nfs(t, NFS3PROC_RENAME, &b, &r), NFS3ERR_ROFS);
	t3_must_lookup(t, &t->root, "hello.txt", &fh, &a);
	b.n = 0;
	t3_putfh(&b, &fh);
	t3_dirop(&b, &sub, "hl");
	assert_int_equal(t3_nfs(t, NFS3PROC_LINK, &b, &r), NFS3ERR_ROFS);
	assert_true(t3_exists(t, "hello.txt"));
	assert_false(t3_exists(t, "c"));
	assert_false(t3_exists(t, "renamed"));
	assert_false(t3_exists(t, "sub/hl"));
	/* reading still works */
	{
		uint8_t out[16];
		uint32_t got;
		bool eof;

		assert_int_equal(t3_read(t, &fh, 0, 16, out, &got, &eof), NFS3_OK);
		assert_int_equal(got, 12);
	}
	t3_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_null_and_unknown_proc, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_args, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_touches_no_file, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_exact_bytes, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_getattr, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_bad_handles, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_lookup, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_containment, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_access, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_read, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_stream_transfers, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_reply_bound, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_write_commit, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_setattr, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_create, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_remove_rmdir, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_readlink, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_mknod, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_rename_link, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_readdir_small, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_readdir_large, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_readdirplus_counts, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_fsstat_fsinfo_pathconf, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_drc_remove, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_restart, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_read_only, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_write_verifier_changes_on_restart, t3_setup, t3_teardown),
		cmocka_unit_test_setup_teardown(test_mapped, t3_setup, t3_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
