/* SPDX-License-Identifier: MIT */
/* test_fscache.c: the bounded node cache, kernel-handle resolution with its containment proof, the background search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nfs/fs.h"
#include "nfs/fs_int.h"
#include "nfs/handle.h"
#include "nfs/proc.h"
#include "nfs/rpc.h"
#include "nfs_test_util.h"

struct cx {
	char *dir;
	struct nfs_server *srv;
	struct fs_export *fs;
};

static void cx_serve(struct cx *c, unsigned nodes)
{
	struct nfs_server_config cfg = { .export_dir = c->dir, .cache_nodes = nodes, .cache_fds = 16 };
	char err[256] = "";

	nfs_server_free(c->srv);
	c->srv = nfs_server_new(&cfg, err, sizeof(err));
	if (!c->srv)
		fail_msg("nfs_server_new: %s", err);
	c->fs = nfs_server_fs(c->srv);
}

static int setup(void **state)
{
	struct cx *c = calloc(1, sizeof(*c));

	c->dir = tu_mkexport();
	cx_serve(c, 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct cx *c = *state;

	nfs_server_free(c->srv);
	assert_int_equal(tu_rmtree(c->dir), 0);
	free(c->dir);
	free(c);
	return 0;
}

/* d0/d1/.../d(depth-1)/leaf on the host; returns the walk's last node (the leaf). */
static struct fs_node *make_deep(struct cx *c, int depth)
{
	char path[4096];
	struct fs_node *n = fs_root(c->fs);
	size_t off = (size_t)snprintf(path, sizeof(path), "%s", c->dir);
	char name[16];

	for (int i = 0; i < depth; i++) {
		off += (size_t)snprintf(path + off, sizeof(path) - off, "/d%d", i);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	tu_write_file(path, "leaf", "deep");
	for (int i = 0; i < depth; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		assert_int_equal(fs_lookup(c->fs, n, (const uint8_t *)name, (uint32_t)strlen(name), &n), FS_OK);
	}
	assert_int_equal(fs_lookup(c->fs, n, (const uint8_t *)"leaf", 4, &n), FS_OK);
	return n;
}

/* The leaf of make_deep(c, 3), looked up again. */
static struct fs_node *make_deep_again(struct cx *c)
{
	struct fs_node *n = fs_root(c->fs);
	static const char *const names[] = { "d0", "d1", "d2", "leaf" };

	for (int i = 0; i < 4; i++)
		assert_int_equal(fs_lookup(c->fs, n, (const uint8_t *)names[i], (uint32_t)strlen(names[i]), &n),
				 FS_OK);
	return n;
}

static void stats(struct cx *c, struct nfs_stats *st)
{
	nfs_server_stats(c->srv, st);
}

/* After a restart a deep handle is reopened through the kernel's handle: no search, no JUKEBOX. */
static void test_kernel_handle_after_restart(void **state)
{
	struct cx *c = *state;
	uint8_t fh[FH_SIZE], dh[FH_SIZE];
	struct fs_node *n = make_deep(c, 12);
	struct nfs_stats st;
	struct fs_attr a;

	fs_handle(c->fs, n, fh);
	fs_handle(c->fs, n->up, dh);
	assert_int_equal(fh[2], 2);  /* layout 2: carries a kernel handle */
	if (!c->fs->kfh_open)
		skip();  /* no CAP_DAC_READ_SEARCH */
	cx_serve(c, 0);
	assert_int_equal(fs_from_handle(c->fs, fh, FH_SIZE, &n), FS_OK);
	assert_int_equal(fs_getattr(c->fs, n, &a), FS_OK);
	assert_int_equal(a.size, 4);
	assert_int_equal(fs_from_handle(c->fs, dh, FH_SIZE, &n), FS_OK);
	assert_int_equal(n->type, FS_TYPE_DIR);
	stats(c, &st);
	assert_int_equal(st.handles_kernel, 1);  /* the directory was cached by the first */
	assert_int_equal(st.handles_jukebox, 0);
	assert_int_equal(st.search_entries, 0);
}

/* A well-formed handle whose kernel handle names a directory outside the export is STALE. */
static void test_kernel_handle_outside_refused(void **state)
{
	struct cx *c = *state;
	char outside[] = "/tmp/indynet-outside-XXXXXX";
	struct {
		struct file_handle fh;
		unsigned char b[MAX_HANDLE_SZ];
	} h = { .fh.handle_bytes = MAX_HANDLE_SZ };
	uint8_t good[FH_SIZE], bad[FH_SIZE];
	struct fh_data d;
	struct fs_node *n;
	struct stat sb;
	char path[128];
	int mnt;

	tu_write_file(c->dir, "f", "x");
	assert_int_equal(fs_lookup(c->fs, fs_root(c->fs), (const uint8_t *)"f", 1, &n), FS_OK);
	fs_handle(c->fs, n, good);
	if (!c->fs->kfh_open)
		skip();
	assert_non_null(mkdtemp(outside));
	tu_write_file(outside, "secret", "s");
	assert_int_equal(name_to_handle_at(AT_FDCWD, outside, &h.fh, &mnt, 0), 0);
	assert_true(h.fh.handle_bytes <= FH_KFH_MAX);
	assert_int_equal(fh_decode(good, FH_SIZE, c->fs->export_id, &d), FH_OK);
	snprintf(path, sizeof(path), "%s/secret", outside);
	assert_int_equal(stat(path, &sb), 0);
	d.ino = sb.st_ino;
	d.kfh_type = (uint8_t)h.fh.handle_type;
	d.kfh_len = (uint8_t)h.fh.handle_bytes;
	memcpy(d.kfh, h.fh.f_handle, d.kfh_len);
	fh_encode(&d, bad);
	cx_serve(c, 0);
	assert_int_equal(fs_from_handle(c->fs, bad, FH_SIZE, &n), FS_ERR_STALE);
	/* the same for the directory itself */
	assert_int_equal(stat(outside, &sb), 0);
	d.ino = sb.st_ino;
	d.type = FS_TYPE_DIR;
	fh_encode(&d, bad);
	assert_int_equal(fs_from_handle(c->fs, bad, FH_SIZE, &n), FS_ERR_STALE);
	assert_int_equal(tu_rmtree(outside), 0);
}

/* Without open_by_handle_at: JUKEBOX while the search runs in slices, then found. */
static void test_search_when_kernel_handles_refused(void **state)
{
	struct cx *c = *state;
	uint8_t fh[FH_SIZE];
	struct fs_node *n = make_deep(c, 6);
	struct nfs_stats st;

	fs_handle(c->fs, n, fh);
	cx_serve(c, 0);
	c->fs->kfh_open = false;
	assert_int_equal(fs_from_handle(c->fs, fh, FH_SIZE, &n), FS_ERR_JUKEBOX);
	assert_true(fs_call_done(c->fs));   /* the call is flagged: no cached answer */
	assert_false(fs_call_done(c->fs));  /* and the flag is per call */
	assert_int_equal(tu_search_settle(c->fs), 0);
	assert_int_equal(fs_from_handle(c->fs, fh, FH_SIZE, &n), FS_OK);
	stats(c, &st);
	assert_int_equal(st.handles_searched, 1);
	assert_int_equal(st.handles_jukebox, 1);
	assert_true(st.search_entries >= 7);
	assert_int_equal(fs_search_pending(c->fs), 0);  /* nothing left to do */
}

/* A layout-1 handle (issued by earlier versions) still resolves after an upgrade. */
static void test_layout1_handle_still_served(void **state)
{
	struct cx *c = *state;
	uint8_t fh[FH_SIZE], old[FH_SIZE];
	struct fs_node *n;
	struct fh_data d;

	tu_write_file(c->dir, "legacy", "old client");
	assert_int_equal(fs_lookup(c->fs, fs_root(c->fs), (const uint8_t *)"legacy", 6, &n), FS_OK);
	fs_handle(c->fs, n, fh);
	assert_int_equal(fh_decode(fh, FH_SIZE, c->fs->export_id, &d), FH_OK);
	d.kfh_len = 0;
	d.parent = fs_root(c->fs)->ino;
	fh_encode(&d, old);
	assert_int_equal(old[2], 1);
	cx_serve(c, 0);
	assert_int_equal(fs_from_handle(c->fs, old, FH_SIZE, &n), FS_OK);  /* hint: the root, scanned */
	assert_string_equal(n->name, "legacy");
}

/* The cache holds at most its bound; evicted objects come back through their handles. */
static void test_cache_bound(void **state)
{
	struct cx *c = *state;
	static uint8_t fh[300][FH_SIZE];
	struct fs_node *n, *sub;
	struct nfs_stats st;
	char name[32];
	int i;

	cx_serve(c, 64);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		tu_write_file(c->dir, name, name);
	}
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		assert_int_equal(fs_lookup(c->fs, fs_root(c->fs), (const uint8_t *)name, 4, &n), FS_OK);
		fs_handle(c->fs, n, fh[i]);
		fs_call_done(c->fs);
	}
	stats(c, &st);
	assert_true(st.nodes <= 64);
	assert_int_equal(st.nodes_max, 64);
	assert_true(st.fds <= st.fds_max);
	for (i = 0; i < 300; i++) {
		enum fs_status r = fs_from_handle(c->fs, fh[i], FH_SIZE, &n);

		if (r == FS_ERR_JUKEBOX) {  /* no kernel handles: one more pass of the search */
			assert_int_equal(tu_search_settle(c->fs), 0);
			r = fs_from_handle(c->fs, fh[i], FH_SIZE, &n);
		}
		assert_int_equal(r, FS_OK);
		snprintf(name, sizeof(name), "f%03d", i);
		assert_string_equal(n->name, name);
		fs_call_done(c->fs);
	}
	stats(c, &st);
	assert_true(st.nodes <= 64);
	assert_true(st.node_misses >= 200);
	/* a directory holding cached children is never evicted before them */
	make_deep(c, 3);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		assert_int_equal(fs_lookup(c->fs, fs_root(c->fs), (const uint8_t *)name, 4, &n), FS_OK);
		if (i == 150)
			sub = make_deep_again(c);
	}
	fs_call_done(c->fs);
	stats(c, &st);
	assert_true(st.nodes <= 64);
	for (size_t b = 0; b < c->fs->nbuckets; b++)
		for (n = c->fs->tab[b]; n; n = n->hnext)
			assert_true(n == fs_root(c->fs) || (n->up && n->up->hashed));
	(void)sub;
}

/* Over the wire: v3 GETATTR answers JUKEBOX, v2 no answer, while the search runs. */
static void test_jukebox_on_the_wire(void **state)
{
	struct cx *c = *state;
	struct fs_node *n = make_deep(c, 4);
	struct tu_call *call = calloc(1, sizeof(*call));
	struct tu_reply *r = calloc(1, sizeof(*r));
	uint8_t fh[FH_SIZE];

	fs_handle(c->fs, n, fh);
	cx_serve(c, 0);
	c->fs->kfh_open = false;
	tu_begin(call, 1, RPC_PROG_NFS, 3, 1);
	xdr_put_opaque(&call->e, fh, FH_SIZE);
	assert_true(tu_send(c->srv, NFS_PORT_NFS, &tu_peer, call, r) > 0);
	assert_int_equal(xdr_get_u32(&r->d), 10008);  /* NFS3ERR_JUKEBOX */
	tu_begin(call, 2, RPC_PROG_NFS, 2, 1);
	xdr_put_fixed(&call->e, fh, FH_SIZE);
	assert_int_equal(nfs_server_call(c->srv, &tu_peer, NFS_PORT_NFS, call->buf, call->e.pos, r->buf,
					 sizeof(r->buf)), 0);
	assert_int_equal(tu_search_settle(c->fs), 0);
	assert_true(nfs_server_call(c->srv, &tu_peer, NFS_PORT_NFS, call->buf, call->e.pos, r->buf,
				    sizeof(r->buf)) > 0);
	free(call);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_handle_after_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_handle_outside_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_when_kernel_handles_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout1_handle_still_served, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jukebox_on_the_wire, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
