/* SPDX-License-Identifier: MIT */
/* test_fs.c: handles across restarts, forged handles, containment, READDIR cookies, failed writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "nfs/fs.h"
#include "nfs/handle.h"
#include "nfs/proc.h"
#include "nfs_test_util.h"

static const struct fs_cred root_cred = { 0, 0, 0, NULL };
static const struct fs_sattr no_sattr;

static void restart(struct tu_fx *f)
{
	nfs_server_free(f->srv);
	tu_fx_serve(f, 0, false, NFS_ATTR_SQUASH);
}

static void hpath(struct tu_fx *f, const char *rel, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, rel);
}

static void host_mkdir(struct tu_fx *f, const char *rel)
{
	char p[4096];

	hpath(f, rel, p, sizeof(p));
	assert_int_equal(mkdir(p, 0755), 0);
}

static struct fs_node *walk(struct tu_fx *f, const char *rel)
{
	struct fs_node *n = fs_root(f->fs);
	char buf[512], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", rel);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		assert_int_equal(fs_lookup(f->fs, n, (const uint8_t *)tok, (uint32_t)strlen(tok), &n), FS_OK);
	return n;
}

static void handle_of(struct tu_fx *f, const char *rel, uint8_t fh[FH_SIZE])
{
	fs_handle(f->fs, walk(f, rel), fh);
}

/* fs_from_handle(), letting the background search finish when it answers JUKEBOX. */
static enum fs_status from_handle_settled(struct tu_fx *f, const uint8_t fh[FH_SIZE], struct fs_node **n)
{
	enum fs_status st;
	int i;

	for (i = 0; i < 1000 && (st = fs_from_handle(f->fs, fh, FH_SIZE, n)) == FS_ERR_JUKEBOX; i++)
		tu_search_settle(f->fs);
	return st;
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

static void test_handles_survive_restart(void **state)
{
	struct tu_fx *f = *state;
	uint8_t deep[FH_SIZE], mid[FH_SIZE], top[FH_SIZE], gone[FH_SIZE], root[FH_SIZE];
	struct fs_node *n;
	struct fs_attr a;
	char p[4096];

	host_mkdir(f, "a");
	host_mkdir(f, "a/b");
	host_mkdir(f, "a/b/c");
	tu_write_file(f->dir, "a/b/c/file", "deep data");
	tu_write_file(f->dir, "top", "t");
	tu_write_file(f->dir, "a/doomed", "d");
	handle_of(f, "a/b/c/file", deep);
	handle_of(f, "a/b", mid);
	handle_of(f, "top", top);
	handle_of(f, "a/doomed", gone);
	fs_handle(f->fs, fs_root(f->fs), root);
	restart(f);
	/* the root and a direct child resolve at once; the deep file through one scan */
	assert_int_equal(fs_from_handle(f->fs, root, FH_SIZE, &n), FS_OK);
	assert_ptr_equal(n, fs_root(f->fs));
	assert_int_equal(fs_from_handle(f->fs, top, FH_SIZE, &n), FS_OK);
	assert_int_equal(fs_from_handle(f->fs, deep, FH_SIZE, &n), FS_OK);
	assert_int_equal(fs_getattr(f->fs, n, &a), FS_OK);
	hpath(f, "a/b/c/file", p, sizeof(p));
	assert_true(a.fileid == ino_of(p));
	assert_int_equal(a.size, 9);
	assert_int_equal(fs_from_handle(f->fs, mid, FH_SIZE, &n), FS_OK);
	assert_int_equal(fs_getattr(f->fs, n, &a), FS_OK);
	assert_int_equal(a.type, FS_TYPE_DIR);
	/* ".." of a re-found directory is its real parent */
	assert_int_equal(fs_lookup(f->fs, n, (const uint8_t *)"..", 2, &n), FS_OK);
	hpath(f, "a", p, sizeof(p));
	assert_int_equal(fs_getattr(f->fs, n, &a), FS_OK);
	assert_true(a.fileid == ino_of(p));
	/* an object deleted while the server was down is STALE */
	restart(f);
	hpath(f, "a/doomed", p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	assert_int_equal(fs_from_handle(f->fs, gone, FH_SIZE, &n), FS_ERR_JUKEBOX);  /* it may have moved */
	assert_int_equal(from_handle_settled(f, gone, &n), FS_ERR_STALE);
}

static void test_forged_handles(void **state)
{
	struct tu_fx *f = *state;
	uint8_t good[FH_SIZE], bad[FH_SIZE + 8];
	struct fh_data d;
	struct fs_node *n;
	char other_dir_tpl[] = "/tmp/indynet-other-XXXXXX";
	struct nfs_server *other;
	size_t i;

	tu_write_file(f->dir, "f", "x");
	handle_of(f, "f", good);
	memcpy(bad, good, FH_SIZE);
	/* truncated and oversized */
	assert_int_equal(fs_from_handle(f->fs, good, FH_SIZE - 1, &n), FS_ERR_BADHANDLE);
	assert_int_equal(fs_from_handle(f->fs, bad, FH_SIZE + 8, &n), FS_ERR_BADHANDLE);
	assert_int_equal(fs_from_handle(f->fs, good, 0, &n), FS_ERR_BADHANDLE);
	/* any flipped bit breaks the check word */
	for (i = 0; i < FH_SIZE; i++) {
		memcpy(bad, good, FH_SIZE);
		bad[i] ^= 0x10;
		assert_int_equal(fs_from_handle(f->fs, bad, FH_SIZE, &n), FS_ERR_BADHANDLE);
	}
	/* well-formed, another export */
	assert_non_null(mkdtemp(other_dir_tpl));
	other = tu_server(other_dir_tpl, 0, false, NFS_ATTR_SQUASH);
	fs_handle(nfs_server_fs(other), fs_root(nfs_server_fs(other)), bad);
	assert_int_equal(fs_from_handle(f->fs, bad, FH_SIZE, &n), FS_ERR_STALE);
	nfs_server_free(other);
	rmdir(other_dir_tpl);
	/* well-formed, this export, the inode of /etc/passwd: not reachable */
	assert_int_equal(fh_decode(good, FH_SIZE, 0, &d), FH_STALE);
	d.export_id = ((uint32_t)good[4] << 24) | ((uint32_t)good[5] << 16) | ((uint32_t)good[6] << 8) | good[7];
	d.ino = ino_of("/etc/passwd");
	d.parent = ino_of("/etc");
	fh_encode(&d, bad);
	assert_int_equal(from_handle_settled(f, bad, &n), FS_ERR_STALE);
	/* right inode, wrong generation or type */
	d.ino = ino_of(f->dir) + 0;
	memcpy(bad, good, FH_SIZE);
	assert_int_equal(fh_decode(good, FH_SIZE, d.export_id, &d), FH_OK);
	d.gen ^= 1;
	fh_encode(&d, bad);
	assert_int_equal(fs_from_handle(f->fs, bad, FH_SIZE, &n), FS_ERR_STALE);
	d.gen ^= 1;
	d.type = FS_TYPE_DIR;
	fh_encode(&d, bad);
	assert_int_equal(fs_from_handle(f->fs, bad, FH_SIZE, &n), FS_ERR_STALE);
	d.type = FS_TYPE_REG;
	fh_encode(&d, bad);
	assert_int_equal(fs_from_handle(f->fs, bad, FH_SIZE, &n), FS_OK);
}

static void test_bad_names(void **state)
{
	struct tu_fx *f = *state;
	static const struct { const char *name; uint32_t len; enum fs_status lookup, create; } cases[] = {
		{ "", 0, FS_ERR_NOENT, FS_ERR_INVAL },
		{ "a/b", 3, FS_ERR_ACCES, FS_ERR_ACCES },
		{ "../x", 4, FS_ERR_ACCES, FS_ERR_ACCES },
		{ "/etc", 4, FS_ERR_ACCES, FS_ERR_ACCES },
		{ "a\0b", 3, FS_ERR_ACCES, FS_ERR_ACCES },
		{ ".", 1, FS_OK, FS_ERR_EXIST },
		{ "..", 2, FS_OK, FS_ERR_EXIST },
	};
	char longname[257];
	struct fs_node *n, *root = fs_root(f->fs);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *nm = (const uint8_t *)cases[i].name;

		assert_int_equal(fs_lookup(f->fs, root, nm, cases[i].len, &n), cases[i].lookup);
		assert_int_equal(fs_create(f->fs, root, nm, cases[i].len, FS_CREATE_GUARDED, &no_sattr, NULL,
					   &root_cred, &n), cases[i].create);
		assert_int_equal(fs_mkdir(f->fs, root, nm, cases[i].len, &no_sattr, &root_cred, &n),
				 cases[i].create);
	}
	memset(longname, 'x', 256);
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)longname, 256, &n), FS_ERR_NAMETOOLONG);
	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)longname, 256, FS_CREATE_UNCHECKED, &no_sattr,
				   NULL, &root_cred, &n), FS_ERR_NAMETOOLONG);
	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)longname, 255, FS_CREATE_UNCHECKED, &no_sattr,
				   NULL, &root_cred, &n), FS_OK);
	assert_int_equal(fs_remove(f->fs, root, (const uint8_t *)"..", 2), FS_ERR_INVAL);
	assert_int_equal(fs_rmdir(f->fs, root, (const uint8_t *)"..", 2), FS_ERR_NOTEMPTY);
	assert_int_equal(fs_rename(f->fs, root, (const uint8_t *)longname, 255, root, (const uint8_t *)"../out", 6),
			 FS_ERR_ACCES);
	assert_int_equal(access("/tmp/out", F_OK), -1);
}

static void test_symlink_containment(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *root = fs_root(f->fs), *l, *d, *n;
	char p[4096], q[4096], text[64];
	struct fs_attr a;
	size_t len;
	uint8_t fh[FH_SIZE];

	hpath(f, "etc", p, sizeof(p));
	assert_int_equal(symlink("/etc", p), 0);
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)"etc", 3, &l), FS_OK);
	assert_int_equal(fs_getattr(f->fs, l, &a), FS_OK);
	assert_int_equal(a.type, FS_TYPE_LNK);
	assert_int_equal(fs_lookup(f->fs, l, (const uint8_t *)"passwd", 6, &n), FS_ERR_NOTDIR);
	assert_int_equal(fs_readlink(f->fs, l, text, sizeof(text), &len), FS_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "/etc", 4);
	assert_int_equal(fs_lookup_path(f->fs, (const uint8_t *)"/etc/passwd", 11, &n), FS_ERR_NOTDIR);
	assert_int_equal(fs_create(f->fs, l, (const uint8_t *)"x", 1, FS_CREATE_UNCHECKED, &no_sattr, NULL,
				   &root_cred, &n), FS_ERR_NOTDIR);
	/* a directory swapped for a symlink on the host after its handle went out */
	host_mkdir(f, "d");
	tu_write_file(f->dir, "d/inside", "mine");
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)"d", 1, &d), FS_OK);
	fs_handle(f->fs, d, fh);
	restart(f);
	hpath(f, "d", p, sizeof(p));
	hpath(f, "d2", q, sizeof(q));
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink("/etc", p), 0);
	assert_int_equal(fs_from_handle(f->fs, fh, FH_SIZE, &d), FS_OK);
	assert_int_equal(fs_lookup(f->fs, d, (const uint8_t *)"passwd", 6, &n), FS_ERR_NOENT);
	assert_int_equal(fs_lookup(f->fs, d, (const uint8_t *)"inside", 6, &n), FS_OK);
	assert_int_equal(fs_getattr(f->fs, n, &a), FS_OK);
	assert_int_equal(a.size, 4);
}

struct listing {
	uint64_t cookie;
	unsigned n, limit;
	char (*names)[32];
	unsigned cap;
};

static int collect(void *opaque, const struct fs_dirent *ent)
{
	struct listing *l = opaque;

	if (l->n == l->limit)
		return 1;
	assert_true(l->cap > 0);
	snprintf(l->names[--l->cap], 32, "%s", ent->name);
	l->cookie = ent->cookie;
	l->n++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* List @d in batches of @batch, creating a new entry after every batch. */
static unsigned list_while_adding(struct tu_fx *f, struct fs_node *d, bool cookie32, unsigned batch,
				  char (*names)[32], unsigned cap, bool restart_midway)
{
	struct listing l = { .names = names, .cap = cap };
	unsigned added = 0, rounds = 0;
	bool eof = false;
	char name[64];
	struct fs_node *n;
	uint8_t fh[FH_SIZE];

	fs_handle(f->fs, d, fh);
	while (!eof) {
		l.n = 0;
		l.limit = batch;
		assert_int_equal(fs_readdir(f->fs, d, l.cookie, cookie32, collect, &l, &eof), FS_OK);
		if (cookie32)
			assert_true(l.cookie <= UINT32_MAX);
		snprintf(name, sizeof(name), "late-%u-%u", batch, added++);
		assert_int_equal(fs_create(f->fs, d, (const uint8_t *)name, (uint32_t)strlen(name),
					   FS_CREATE_GUARDED, &no_sattr, NULL, &root_cred, &n), FS_OK);
		if (restart_midway && rounds == 10) {
			restart(f);
			assert_int_equal(fs_from_handle(f->fs, fh, FH_SIZE, &d), FS_OK);
		}
		assert_true(++rounds < 10000);
	}
	return cap - l.cap;
}

static void check_listing(char (*names)[32], unsigned got, unsigned base, unsigned cap)
{
	unsigned i, originals = 0;

	qsort(names + (cap - got), got, 32, cmp_names);
	for (i = cap - got + 1; i < cap; i++)
		assert_string_not_equal(names[i - 1], names[i]);  /* no duplicates */
	for (i = cap - got; i < cap; i++)
		if (!strncmp(names[i], "e-", 2))
			originals++;
	assert_int_equal(originals, base);  /* nothing missing */
}

static void test_readdir_large(void **state)
{
	struct tu_fx *f = *state;
	const unsigned base = 2500, cap = 8000;
	char (*names)[32] = calloc(cap, 32);
	struct fs_node *d, *n;
	char name[64];
	unsigned i, got;

	host_mkdir(f, "big");
	d = walk(f, "big");
	for (i = 0; i < base; i++) {
		snprintf(name, sizeof(name), "e-%05u", i);
		assert_int_equal(fs_create(f->fs, d, (const uint8_t *)name, (uint32_t)strlen(name),
					   FS_CREATE_GUARDED, &no_sattr, NULL, &root_cred, &n), FS_OK);
	}
	got = list_while_adding(f, d, false, 37, names, cap, false);
	check_listing(names, got, base, cap);
	assert_true(got >= base + 2);
	memset(names, 0, (size_t)cap * 32);
	d = walk(f, "big");
	got = list_while_adding(f, d, true, 23, names, cap, false);
	check_listing(names, got, base, cap);
	memset(names, 0, (size_t)cap * 32);
	d = walk(f, "big");
	got = list_while_adding(f, d, true, 50, names, cap, true);  /* 32-bit cookies across a restart */
	check_listing(names, got, base, cap);
	free(names);
}

struct dots {
	uint64_t dot, dotdot;
};

static int find_dots(void *opaque, const struct fs_dirent *ent)
{
	struct dots *d = opaque;

	if (!strcmp(ent->name, "."))
		d->dot = ent->fileid;
	else if (!strcmp(ent->name, ".."))
		d->dotdot = ent->fileid;
	return 0;
}

static void test_dotdot_fileid(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *d, *up, *root = fs_root(f->fs);
	struct dots dots = { 0, 0 };
	struct fs_attr a, ua, ra;
	bool eof;

	host_mkdir(f, "p");
	host_mkdir(f, "p/q");
	d = walk(f, "p/q");
	assert_int_equal(fs_lookup(f->fs, d, (const uint8_t *)"..", 2, &up), FS_OK);
	assert_int_equal(fs_getattr(f->fs, up, &ua), FS_OK);
	assert_int_equal(fs_getattr(f->fs, d, &a), FS_OK);
	assert_int_equal(fs_readdir(f->fs, d, 0, false, find_dots, &dots, &eof), FS_OK);
	assert_true(eof);
	assert_true(dots.dot == a.fileid);
	assert_true(dots.dotdot == ua.fileid);
	/* the root: ".." is the root itself, never the host's parent */
	assert_int_equal(fs_getattr(f->fs, root, &ra), FS_OK);
	assert_int_equal(fs_readdir(f->fs, root, 0, true, find_dots, &dots, &eof), FS_OK);
	assert_true(dots.dotdot == ra.fileid);
	assert_true(dots.dot == ra.fileid);
}

static void test_failed_write_leaves_nothing(void **state)
{
	struct tu_fx *f = *state;
	struct rlimit old, lim = { 6000, 6000 };
	struct fs_node *n, *root = fs_root(f->fs);
	uint8_t data[8192] = { 1 };
	uint32_t w = 0;
	char p[4096];
	struct stat st;

	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)"w", 1, FS_CREATE_GUARDED, &no_sattr, NULL,
				   &root_cred, &n), FS_OK);
	assert_int_equal(fs_write(f->fs, n, 0, data, 100, false, &w), FS_OK);
	assert_int_equal(w, 100);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	setrlimit(RLIMIT_FSIZE, &lim);
	assert_int_equal(fs_write(f->fs, n, 0, data, sizeof(data), true, &w), FS_ERR_FBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(w, 0);
	hpath(f, "w", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 100);  /* cut back: no partial garbage beyond the old end */
}

static int no_entries(void *opaque, const struct fs_dirent *ent)
{
	(void)opaque;
	(void)ent;
	return 1;
}

static int count_entries(void *opaque, const struct fs_dirent *ent)
{
	(void)ent;
	++*(unsigned *)opaque;
	return 0;
}

/* Handles of the wrong type and offsets at the edge of 64 bits are refused, never served. */
static void test_wrong_types_and_offsets(void **state)
{
	struct tu_fx *f = *state;
	struct fs_sattr size0 = { .set_size = true, .size = 0 };
	struct fs_sattr huge = { .set_size = true, .size = UINT64_MAX };
	struct fs_node *root = fs_root(f->fs), *file, *dir, *link, *n;
	uint8_t buf[16];
	uint32_t got, w;
	unsigned seen;
	bool eof;

	tu_write_file(f->dir, "file", "0123456789");
	host_mkdir(f, "dir");
	assert_int_equal(fs_symlink(f->fs, root, (const uint8_t *)"ln", 2, (const uint8_t *)"/etc/passwd", 11,
				    &no_sattr, &root_cred, &link), FS_OK);
	file = walk(f, "file");
	dir = walk(f, "dir");
	/* READ/WRITE/SETATTR size on a directory or a symlink */
	assert_int_equal(fs_read(f->fs, dir, 0, buf, sizeof(buf), &got, &eof), FS_ERR_ISDIR);
	assert_int_equal(fs_read(f->fs, link, 0, buf, sizeof(buf), &got, &eof), FS_ERR_INVAL);
	assert_int_equal(fs_write(f->fs, link, 0, buf, 1, true, &w), FS_ERR_INVAL);
	assert_int_equal(fs_setattr(f->fs, dir, &size0, NULL), FS_ERR_ISDIR);
	assert_int_equal(fs_setattr(f->fs, link, &size0, NULL), FS_ERR_INVAL);
	assert_int_equal(fs_setattr(f->fs, file, &huge, NULL), FS_ERR_FBIG);
	/* names looked up in, listed from, created in a file */
	assert_int_equal(fs_lookup(f->fs, file, (const uint8_t *)"x", 1, &n), FS_ERR_NOTDIR);
	assert_int_equal(fs_readdir(f->fs, file, 0, false, no_entries, NULL, &eof), FS_ERR_NOTDIR);
	assert_int_equal(fs_mkdir(f->fs, file, (const uint8_t *)"x", 1, &no_sattr, &root_cred, &n), FS_ERR_NOTDIR);
	assert_int_equal(fs_remove(f->fs, file, (const uint8_t *)"x", 1), FS_ERR_NOTDIR);
	assert_int_equal(fs_link(f->fs, dir, root, (const uint8_t *)"d2", 2), FS_ERR_ISDIR);
	assert_int_equal(fs_readlink(f->fs, file, (char *)buf, sizeof(buf), &(size_t){ 0 }), FS_ERR_INVAL);
	/* REMOVE of a directory, RMDIR of a file, "." as a target */
	assert_int_equal(fs_remove(f->fs, root, (const uint8_t *)"dir", 3), FS_ERR_ISDIR);
	assert_int_equal(fs_rmdir(f->fs, root, (const uint8_t *)"file", 4), FS_ERR_NOTDIR);
	assert_int_equal(fs_remove(f->fs, root, (const uint8_t *)".", 1), FS_ERR_INVAL);
	assert_int_equal(fs_rename(f->fs, root, (const uint8_t *)"file", 4, dir, (const uint8_t *)".", 1),
			 FS_ERR_INVAL);
	/* offsets: offset + count past 2^63 or 2^64 read nothing and write nothing */
	assert_int_equal(fs_read(f->fs, file, UINT64_MAX - 2, buf, sizeof(buf), &got, &eof), FS_OK);
	assert_int_equal(got, 0);
	assert_true(eof);
	assert_int_equal(fs_write(f->fs, file, UINT64_MAX - 2, buf, sizeof(buf), true, &w), FS_ERR_FBIG);
	assert_int_equal(fs_write(f->fs, file, (uint64_t)INT64_MAX, buf, 1, true, &w), FS_ERR_FBIG);
	assert_int_equal(w, 0);
	/* a forged READDIR cookie beyond 2^63 is BAD_COOKIE; a v2 fold never seen is BAD_COOKIE */
	assert_int_equal(fs_readdir(f->fs, root, UINT64_MAX, false, no_entries, NULL, &eof), FS_ERR_BAD_COOKIE);
	assert_int_equal(fs_readdir(f->fs, root, 0x80001234u, true, no_entries, NULL, &eof), FS_ERR_BAD_COOKIE);
	assert_int_equal(fs_readdir(f->fs, root, 0x80000000u, true, no_entries, NULL, &eof), FS_ERR_BAD_COOKIE);
	assert_int_equal(fs_readdir(f->fs, root, 0x100000000ull, true, no_entries, NULL, &eof), FS_ERR_BAD_COOKIE);
	/* the same once a v2 listing has taught the directory its folds */
	seen = 0;
	assert_int_equal(fs_readdir(f->fs, root, 0, true, count_entries, &seen, &eof), FS_OK);
	assert_true(eof);
	assert_true(seen > 2);
	assert_int_equal(fs_readdir(f->fs, root, 0x80001234u, true, no_entries, NULL, &eof), FS_ERR_BAD_COOKIE);
	assert_int_equal(fs_readdir(f->fs, root, 0x80000000u, true, no_entries, NULL, &eof), FS_ERR_BAD_COOKIE);
}

/* Getattr of a host file carrying a hostile mapped-model record (set on the host, not by a guest). */
static enum fs_status mapped_getattr_with(struct tu_fx *f, const char *value, size_t len, struct fs_attr *a)
{
	struct fs_node *n;
	char p[4096];

	hpath(f, "h", p, sizeof(p));
	if (setxattr(p, "user.indynet.attr", value, len, 0) < 0)
		return FS_ERR_NOTSUPP;
	n = walk(f, "h");
	return fs_getattr(f->fs, n, a);
}

static void test_mapped_hostile_xattr(void **state)
{
	struct tu_fx *f = *state;
	char big[200];
	struct fs_attr a;

	tu_write_file(f->dir, "h", "x");
	nfs_server_free(f->srv);
	tu_fx_serve(f, 0, false, NFS_ATTR_MAPPED);
	if (!f->srv || mapped_getattr_with(f, "1 2 644 1 0 0", 13, &a) == FS_ERR_NOTSUPP)
		skip(); /* no user xattrs on this file system */
	/* a record claiming "directory" cannot change a regular file's type */
	assert_int_equal(mapped_getattr_with(f, "7 8 755 2 0 0", 13, &a), FS_OK);
	assert_int_equal(a.type, FS_TYPE_REG);
	assert_int_equal(a.uid, 7);
	/* set-id and stray bits beyond 07777 are cut off; huge device numbers are just numbers */
	assert_int_equal(mapped_getattr_with(f, "1 2 77777777 4 4294967295 4294967295", 36, &a), FS_OK);
	assert_int_equal(a.mode, 07777);
	assert_int_equal(a.type, FS_TYPE_CHR);
	/* garbage, no terminator, and a record longer than the buffer: host values, no crash */
	assert_int_equal(mapped_getattr_with(f, "garbage", 7, &a), FS_OK);
	assert_int_equal(a.type, FS_TYPE_REG);
	memset(big, '9', sizeof(big));
	assert_int_equal(mapped_getattr_with(f, big, sizeof(big), &a), FS_OK);
	assert_int_equal(a.type, FS_TYPE_REG);
	assert_int_equal(mapped_getattr_with(f, "1 2 3", 5, &a), FS_OK);
	assert_int_equal(a.type, FS_TYPE_REG);
}

#define DEEP 600 /* deeper than the descriptor cache (FS_MAX_FDS) */

/* Build d/d/.../d (@depth levels) below @top, each level holding a file "f" with @fill; return the deepest. */
static int host_chain(int top, unsigned depth, const char *fill)
{
	int fd = dup(top), next, file;
	unsigned i;

	for (i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
		file = openat(fd, "f", O_CREAT | O_WRONLY, 0644);
		assert_true(file >= 0);
		assert_int_equal(write(file, fill, 1), 1);
		close(file);
	}
	return fd;
}

/* Touch @count directories e0..: their descriptors push every older one out of the cache. */
static void churn_descriptors(struct tu_fx *f, unsigned count)
{
	struct fs_node *root = fs_root(f->fs), *e, *n;
	char name[32];
	unsigned i;

	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "e%u", i);
		assert_int_equal(fs_mkdir(f->fs, root, (const uint8_t *)name, (uint32_t)strlen(name), &no_sattr,
					  &root_cred, &e), FS_OK);
		assert_int_equal(fs_lookup(f->fs, e, (const uint8_t *)"x", 1, &n), FS_ERR_NOENT);
	}
}

/*
 * A chain DEEP levels below the root, its deepest directory's "f" looked up
 * (*@file), then every descriptor of the chain pushed out of the cache.
 * Returns the deepest directory's node.
 */
static struct fs_node *deep_uncached(struct tu_fx *f, int top, int *bottom, struct fs_node **file)
{
	struct fs_node *deep = fs_root(f->fs);
	unsigned i;

	*bottom = host_chain(top, DEEP, "C");
	for (i = 0; i < DEEP; i++)
		assert_int_equal(fs_lookup(f->fs, deep, (const uint8_t *)"d", 1, &deep), FS_OK);
	assert_int_equal(fs_lookup(f->fs, deep, (const uint8_t *)"f", 1, file), FS_OK);
	churn_descriptors(f, 520);
	return deep;
}

static char host_byte(int dfd, const char *name)
{
	char c = 0;
	int fd = openat(dfd, name, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(read(fd, &c, 1), 1);
	close(fd);
	return c;
}

/*
 * RENAME holds the source directory's cached descriptor while it opens the
 * target; opening a chain deeper than the cache evicted the source's and
 * its number was reused, so a file of another directory moved instead.
 */
static void test_deep_chain_rename(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *a, *deep, *n;
	int top = open(f->dir, O_RDONLY | O_DIRECTORY), bottom;

	assert_true(top >= 0);
	host_mkdir(f, "a");
	tu_write_file(f->dir, "a/f", "A");
	deep = deep_uncached(f, top, &bottom, &n);
	a = walk(f, "a");
	assert_int_equal(fs_lookup(f->fs, a, (const uint8_t *)"f", 1, &n), FS_OK); /* a's descriptor: newest */
	assert_int_equal(fs_rename(f->fs, a, (const uint8_t *)"f", 1, deep, (const uint8_t *)"g", 1), FS_OK);
	assert_int_equal(host_byte(bottom, "g"), 'A');
	assert_int_equal(host_byte(bottom, "f"), 'C');
	assert_int_equal(faccessat(top, "a/f", F_OK, 0), -1);
	close(bottom);
	close(top);
}

/* LINK: the same with the file deep down and the new name's directory cached. */
static void test_deep_chain_link(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *root = fs_root(f->fs), *a, *deep, *file, *n;
	int top = open(f->dir, O_RDONLY | O_DIRECTORY), bottom;

	assert_true(top >= 0);
	host_mkdir(f, "a");
	tu_write_file(f->dir, "p", "P");
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)"p", 1, &n), FS_OK);
	if (fs_link(f->fs, n, root, (const uint8_t *)"p2", 2) == FS_ERR_XDEV) {
		close(top);
		skip(); /* linkat() through /proc/self/fd is refused here */
	}
	deep = deep_uncached(f, top, &bottom, &file);
	(void)deep;
	a = walk(f, "a");
	assert_int_equal(fs_lookup(f->fs, a, (const uint8_t *)"x", 1, &n), FS_ERR_NOENT); /* a's descriptor: newest */
	assert_int_equal(fs_link(f->fs, file, a, (const uint8_t *)"l", 1), FS_OK);
	assert_int_equal(host_byte(top, "a/l"), 'C');
	close(bottom);
	close(top);
}

/*
 * Squash keeps the daemon's ownership on the host, so a set-user-ID or
 * set-group-ID bit from the guest would make a host file that runs with the
 * daemon's identity: CREATE and SETATTR must leave them off the host file.
 */
static void test_squash_no_setid_on_host(void **state)
{
	struct tu_fx *f = *state;
	struct fs_sattr sa = { .set_mode = true, .mode = 06755 };
	struct fs_node *root = fs_root(f->fs), *n;
	struct stat st;
	char p[4096];

	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)"s", 1, FS_CREATE_UNCHECKED, &sa, NULL, &root_cred,
				   &n), FS_OK);
	hpath(f, "s", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	sa.mode = 04711;
	assert_int_equal(fs_setattr(f->fs, n, &sa, NULL), FS_OK);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0711);
	sa.mode = 02775;
	assert_int_equal(fs_mkdir(f->fs, root, (const uint8_t *)"d", 1, &sa, &root_cred, &n), FS_OK);
	hpath(f, "d", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0775);
}

static void test_read_only_layer(void **state)
{
	struct tu_fx *f = *state;
	struct nfs_server *ro;
	struct fs_export *fs;
	struct fs_node *root, *n;
	struct fs_sattr sa = { .set_mode = true, .mode = 0600 };
	uint32_t w, granted;

	tu_write_file(f->dir, "r", "data");
	ro = tu_server(f->dir, 0, true, NFS_ATTR_SQUASH);
	fs = nfs_server_fs(ro);
	root = fs_root(fs);
	assert_int_equal(fs_lookup(fs, root, (const uint8_t *)"r", 1, &n), FS_OK);
	assert_int_equal(fs_setattr(fs, n, &sa, NULL), FS_ERR_ROFS);
	assert_int_equal(fs_write(fs, n, 0, (const uint8_t *)"x", 1, true, &w), FS_ERR_ROFS);
	assert_int_equal(fs_create(fs, root, (const uint8_t *)"c", 1, FS_CREATE_UNCHECKED, &no_sattr, NULL,
				   &root_cred, &n), FS_ERR_ROFS);
	assert_int_equal(fs_mkdir(fs, root, (const uint8_t *)"c", 1, &no_sattr, &root_cred, &n), FS_ERR_ROFS);
	assert_int_equal(fs_symlink(fs, root, (const uint8_t *)"c", 1, (const uint8_t *)"t", 1, &no_sattr,
				    &root_cred, &n), FS_ERR_ROFS);
	assert_int_equal(fs_mknod(fs, root, (const uint8_t *)"c", 1, FS_TYPE_FIFO, 0, 0, &no_sattr, &root_cred,
				  &n), FS_ERR_ROFS);
	assert_int_equal(fs_remove(fs, root, (const uint8_t *)"r", 1), FS_ERR_ROFS);
	assert_int_equal(fs_rmdir(fs, root, (const uint8_t *)"r", 1), FS_ERR_ROFS);
	assert_int_equal(fs_rename(fs, root, (const uint8_t *)"r", 1, root, (const uint8_t *)"s", 1), FS_ERR_ROFS);
	assert_int_equal(fs_lookup(fs, root, (const uint8_t *)"r", 1, &n), FS_OK);
	assert_int_equal(fs_link(fs, n, root, (const uint8_t *)"l", 1), FS_ERR_ROFS);
	assert_int_equal(fs_access(fs, n, &root_cred, 0x3f, &granted), FS_OK);
	/* write access withheld: a guest's open for writing fails before it buffers data */
	assert_int_equal(granted, FS_ACCESS_READ);
	nfs_server_free(ro);
}

static void test_exclusive_create(void **state)
{
	struct tu_fx *f = *state;
	const uint8_t v1[8] = "verf0001", v2[8] = "verf0002";
	struct fs_node *root = fs_root(f->fs), *a, *b;

	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)"ex", 2, FS_CREATE_EXCLUSIVE, &no_sattr, v1,
				   &root_cred, &a), FS_OK);
	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)"ex", 2, FS_CREATE_EXCLUSIVE, &no_sattr, v1,
				   &root_cred, &b), FS_OK);
	assert_ptr_equal(a, b);
	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)"ex", 2, FS_CREATE_EXCLUSIVE, &no_sattr, v2,
				   &root_cred, &b), FS_ERR_EXIST);
	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)"ex", 2, FS_CREATE_GUARDED, &no_sattr, NULL,
				   &root_cred, &b), FS_ERR_EXIST);
}

static void test_host_side_replace(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *root = fs_root(f->fs), *n;
	struct fs_attr a;
	uint8_t buf[32];
	uint32_t got, w;
	bool eof;
	char p[4096];

	assert_int_equal(fs_create(f->fs, root, (const uint8_t *)"f", 1, FS_CREATE_GUARDED, &no_sattr, NULL,
				   &root_cred, &n), FS_OK);
	assert_int_equal(fs_write(f->fs, n, 0, (const uint8_t *)"old", 3, false, &w), FS_OK);
	/* the host replaces the file behind the server's back (the inode number may be reused) */
	hpath(f, "f", p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	tu_write_file(f->dir, "f", "brand new!");
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)"f", 1, &n), FS_OK);
	assert_int_equal(fs_getattr(f->fs, n, &a), FS_OK);
	assert_int_equal(a.size, 10);
	assert_int_equal(fs_read(f->fs, n, 0, buf, sizeof(buf), &got, &eof), FS_OK);
	assert_int_equal(got, 10);
	assert_memory_equal(buf, "brand new!", 10);
	assert_true(eof);
}

static void test_few_descriptors(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *root = fs_root(f->fs), *n;
	struct rlimit old, lim;
	struct fs_attr a;
	char name[32];
	uint8_t buf[16];
	uint32_t got;
	bool eof;
	int i, probe;

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		tu_write_file(f->dir, name, name);
	}
	probe = dup(0);
	assert_true(probe >= 0);
	close(probe);
	getrlimit(RLIMIT_NOFILE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)probe + 24;  /* room for ~20 cached descriptors */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)name, (uint32_t)strlen(name), &n), FS_OK);
		assert_int_equal(fs_getattr(f->fs, n, &a), FS_OK);
		assert_int_equal(a.size, strlen(name));
		assert_int_equal(fs_read(f->fs, n, 0, buf, sizeof(buf), &got, &eof), FS_OK);  /* a real descriptor */
		assert_int_equal(got, strlen(name));
	}
	setrlimit(RLIMIT_NOFILE, &old);
}

/* Listing 100 directories, whole or cut short, with room for ~20 descriptors: none stays held. */
static void test_many_listings_few_descriptors(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *root = fs_root(f->fs), *d[100];
	struct rlimit old, lim;
	unsigned seen;
	char name[32];
	bool eof;
	int i, probe;

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		host_mkdir(f, name);
		assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)name, (uint32_t)strlen(name), &d[i]), FS_OK);
	}
	probe = dup(0);
	assert_true(probe >= 0);
	close(probe);
	getrlimit(RLIMIT_NOFILE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)probe + 24;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	for (i = 0; i < 200; i++) {
		seen = 0;
		if (i < 100) {
			assert_int_equal(fs_readdir(f->fs, d[i], 0, false, count_entries, &seen, &eof), FS_OK);
			assert_true(eof);
			assert_int_equal(seen, 2); /* "." and ".." */
		} else {
			assert_int_equal(fs_readdir(f->fs, d[i - 100], 0, true, no_entries, NULL, &eof), FS_OK);
			assert_false(eof);
		}
	}
	setrlimit(RLIMIT_NOFILE, &old);
}

/* Directories around the fold table's first size (256): an unknown NFSv2 fold is BAD_COOKIE, promptly. */
static void test_unknown_fold_around_table_size(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *root = fs_root(f->fs), *d;
	char name[64];
	unsigned seen;
	bool eof;

	for (unsigned files = 248; files <= 260; files++) {
		snprintf(name, sizeof(name), "d%u", files);
		host_mkdir(f, name);
		for (unsigned i = 0; i < files; i++) {
			char rel[64];

			snprintf(rel, sizeof(rel), "d%u/f%u", files, i);
			tu_write_file(f->dir, rel, "");
		}
		assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)name, (uint32_t)strlen(name), &d), FS_OK);
		seen = 0;
		assert_int_equal(fs_readdir(f->fs, d, 0, true, count_entries, &seen, &eof), FS_OK);
		assert_int_equal(seen, files + 2);
		assert_int_equal(fs_readdir(f->fs, d, 0x80001234u, true, no_entries, NULL, &eof), FS_ERR_BAD_COOKIE);
	}
}

struct ordered {
	char names[64][32];
	uint64_t cookies[64];
	unsigned n;
};

static int keep_order(void *opaque, const struct fs_dirent *ent)
{
	struct ordered *o = opaque;

	assert_true(o->n < 64);
	snprintf(o->names[o->n], 32, "%s", ent->name);
	o->cookies[o->n++] = ent->cookie;
	return 0;
}

/* In a new directory of 40 files, list it in NFSv2, remove the entry after the @k-th (or the next file), resume. */
static void resume_after_removal(struct tu_fx *f, const char *name, unsigned k)
{
	struct fs_node *d;
	struct ordered all = { .n = 0 }, rest = { .n = 0 };
	char rel[64], path[4096];
	bool eof;

	host_mkdir(f, name);
	for (unsigned i = 0; i < 40; i++) {
		snprintf(rel, sizeof(rel), "%s/f%u", name, i);
		tu_write_file(f->dir, rel, "");
	}
	assert_int_equal(fs_lookup(f->fs, fs_root(f->fs), (const uint8_t *)name, (uint32_t)strlen(name), &d), FS_OK);
	assert_int_equal(fs_readdir(f->fs, d, 0, true, keep_order, &all, &eof), FS_OK);
	assert_true(eof && all.n == 42);
	while (all.names[k + 1][0] == '.')
		k++;
	snprintf(rel, sizeof(rel), "%s/%s", name, all.names[k + 1]);
	hpath(f, rel, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fs_readdir(f->fs, d, all.cookies[k], true, keep_order, &rest, &eof), FS_OK);
	assert_true(eof && rest.n == 42 - k - 2);
	assert_string_equal(rest.names[0], all.names[k + 2]);
}

/* An NFSv2 listing resumes at its cookie even when the entry it was to resume at is removed meanwhile. */
static void test_v2_resume_after_next_removed(void **state)
{
	resume_after_removal(*state, "first", 0);
	resume_after_removal(*state, "later", 10);
}

/* NFSv3 cookie verifiers: non-zero, one per directory, the same after a restart. */
static void test_cookieverf(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *a, *b;
	uint8_t fh[FH_SIZE];
	uint64_t va, vb;

	host_mkdir(f, "a");
	host_mkdir(f, "b");
	a = walk(f, "a");
	b = walk(f, "b");
	va = fs_cookieverf(f->fs, a);
	vb = fs_cookieverf(f->fs, b);
	assert_true(va != 0 && vb != 0 && va != vb);
	fs_handle(f->fs, a, fh);
	restart(f);
	assert_int_equal(from_handle_settled(f, fh, &a), FS_OK);
	assert_true(fs_cookieverf(f->fs, a) == va);
}

/* A directory removed on the host: READDIR answers an error READDIR may return (RFC 1813 has no NOENT for it). */
static void test_readdir_removed_dir(void **state)
{
	struct tu_fx *f = *state;
	struct fs_node *root = fs_root(f->fs), *d;
	char path[4096];
	unsigned seen = 0;
	bool eof;

	host_mkdir(f, "gone");
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)"gone", 4, &d), FS_OK);
	assert_int_equal(fs_readdir(f->fs, d, 0, true, count_entries, &seen, &eof), FS_OK);
	hpath(f, "gone", path, sizeof(path));
	assert_int_equal(rmdir(path), 0);
	for (int v2 = 0; v2 <= 1; v2++) {
		enum fs_status st = fs_readdir(f->fs, d, 0, v2, count_entries, &seen, &eof);

		assert_true(st == FS_ERR_BAD_COOKIE || st == FS_ERR_STALE);
	}
}

static void test_bind_mount_refused(void **state)
{
	struct tu_fx *f = *state;
	char outside[] = "/tmp/indynet-outside-XXXXXX", mnt[4096];
	struct fs_node *root = fs_root(f->fs), *n;
	uint8_t fh[FH_SIZE];

	host_mkdir(f, "mnt");
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)"mnt", 3, &n), FS_OK);
	fs_handle(f->fs, n, fh);
	assert_non_null(mkdtemp(outside));
	tu_write_file(outside, "secret", "s");
	hpath(f, "mnt", mnt, sizeof(mnt));
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(outside, mnt, NULL, MS_BIND, NULL) < 0) {
		tu_rmtree(outside);
		skip();  /* needs CAP_SYS_ADMIN */
	}
	restart(f);
	root = fs_root(f->fs);
	/* a bind mount of the same device inside the export is not followed */
	assert_int_equal(fs_lookup(f->fs, root, (const uint8_t *)"mnt", 3, &n), FS_ERR_ACCES);
	assert_int_equal(from_handle_settled(f, fh, &n), FS_ERR_STALE);
	umount2(mnt, MNT_DETACH);
	tu_rmtree(outside);
}

/* The export renamed away while served: IO (never served from where it went), back: served again. */
static void test_export_renamed_away(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[FH_SIZE], root[FH_SIZE];
	char away[4096], file[4096];
	struct fs_node *n;
	struct fs_attr a;

	tu_write_file(f->dir, "file", "data");
	handle_of(f, "file", fh);
	fs_handle(f->fs, fs_root(f->fs), root);
	snprintf(away, sizeof(away), "%s.away", f->dir);
	assert_int_equal(rename(f->dir, away), 0);
	usleep(2000);  /* the path is looked up at most once a millisecond */
	assert_int_equal(fs_from_handle(f->fs, fh, FH_SIZE, &n), FS_ERR_IO);
	assert_int_equal(fs_from_handle(f->fs, root, FH_SIZE, &n), FS_ERR_IO);
	assert_int_equal(fs_lookup_path(f->fs, (const uint8_t *)"/", 1, &n), FS_ERR_IO);
	/* another directory under the export's name is not the export either */
	assert_int_equal(mkdir(f->dir, 0755), 0);
	usleep(2000);
	assert_int_equal(fs_from_handle(f->fs, root, FH_SIZE, &n), FS_ERR_IO);
	assert_int_equal(rmdir(f->dir), 0);
	assert_int_equal(rename(away, f->dir), 0);
	usleep(2000);
	assert_int_equal(fs_from_handle(f->fs, fh, FH_SIZE, &n), FS_OK);
	assert_int_equal(fs_getattr(f->fs, n, &a), FS_OK);
	hpath(f, "file", file, sizeof(file));
	assert_true(a.fileid == ino_of(file));
	assert_int_equal(fs_lookup_path(f->fs, (const uint8_t *)"/", 1, &n), FS_OK);
	assert_ptr_equal(n, fs_root(f->fs));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handles_survive_restart, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_forged_handles, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_containment, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_squash_no_setid_on_host, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types_and_offsets, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mapped_hostile_xattr, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_deep_chain_rename, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_deep_chain_link, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_readdir_large, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_fileid, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_leaves_nothing, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_only_layer, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_exclusive_create, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_host_side_replace, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_few_descriptors, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_many_listings_few_descriptors, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_fold_around_table_size, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v2_resume_after_next_removed, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_readdir_removed_dir, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_cookieverf, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_bind_mount_refused, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_export_renamed_away, tu_fx_setup, tu_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
