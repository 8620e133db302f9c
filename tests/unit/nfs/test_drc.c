/* SPDX-License-Identifier: MIT */
/* test_drc.c: the duplicate-request cache, alone and inside the server (retransmitted REMOVE). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nfs/drc.h"
#include "nfs/rpc.h"
#include "nfs_test_util.h"

/*
 * Linked with --wrap=malloc,--wrap=calloc (the cache's and the server's
 * calls only): while alloc_budget is not negative, that many allocations
 * succeed and every one after them fails.
 */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);

static int alloc_budget = -1;

static bool alloc_refused(void)
{
	if (alloc_budget < 0 || alloc_budget-- > 0)
		return false;
	alloc_budget = 0;
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return alloc_refused() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_refused() ? NULL : __real_calloc(n, size);
}

static void test_drc_states(void **state)
{
	struct drc *c = drc_new(8, 1024);
	struct drc_key k = { .addr = 1, .port = 2, .xid = 3, .prog = RPC_PROG_NFS, .vers = 2, .proc = 10 };
	struct drc_key k2 = k;
	const uint8_t *rep = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_IN_PROGRESS);
	drc_finish(c, &k, (const uint8_t *)"reply", 5);
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
	assert_int_equal(len, 5);
	assert_memory_equal(rep, "reply", 5);
	/* every key field matters */
	k2.port = 3;
	assert_int_equal(drc_begin(c, &k2, &rep, &len), DRC_NEW);
	k2 = k;
	k2.proc = 11;
	assert_int_equal(drc_begin(c, &k2, &rep, &len), DRC_NEW);
	k2 = k;
	k2.addr = 9;
	assert_int_equal(drc_begin(c, &k2, &rep, &len), DRC_NEW);
	k2 = k;
	k2.vers = 3;
	assert_int_equal(drc_begin(c, &k2, &rep, &len), DRC_NEW);
	assert_int_equal(drc_count(c), 5);
	drc_free(c);
	drc_free(NULL); /* #21: allowed (drc.h), as free() */
}

static void test_drc_bounds(void **state)
{
	struct drc *c = drc_new(3, 100);
	struct drc_key k = { .addr = 1, .port = 2, .prog = RPC_PROG_NFS, .vers = 3, .proc = 7 };
	uint8_t big[60] = { 0 };
	const uint8_t *rep;
	size_t len;
	uint32_t i;

	(void)state;
	for (i = 1; i <= 3; i++) {
		k.xid = i;
		assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
		drc_finish(c, &k, (const uint8_t *)"abcd", 4);
	}
	k.xid = 4;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);  /* evicts xid 1 */
	assert_int_equal(drc_count(c), 3);
	k.xid = 1;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);  /* gone: evicts xid 2 */
	k.xid = 3;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
	/* in-progress entries (4 and 1) are never evicted: a fourth cannot enter */
	k.xid = 5;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	k.xid = 4;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_IN_PROGRESS);
	k.xid = 1;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_IN_PROGRESS);
	k.xid = 5;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_IN_PROGRESS);
	/* full of calls in progress: a sixth is served uncached, and finishing it changes nothing */
	k.xid = 6;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	drc_finish(c, &k, (const uint8_t *)"late", 4);
	assert_int_equal(drc_count(c), 3);
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	k.xid = 5;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_IN_PROGRESS);
	/* byte bound: two 60-byte replies do not both fit in 100 */
	k.xid = 4;
	drc_finish(c, &k, big, sizeof(big));
	k.xid = 1;
	drc_finish(c, &k, big, sizeof(big));
	k.xid = 4;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	drc_free(c);
}

/* However long the cache is in use, the latest replies replay: eviction gives their bytes back. */
static void test_drc_long_use(void **state)
{
	struct drc *c = drc_new(4, 100);
	struct drc_key k = { .addr = 1, .port = 2, .prog = RPC_PROG_NFS, .vers = 2, .proc = 10 };
	uint8_t reply[30];
	const uint8_t *rep;
	size_t len;
	uint32_t i;

	(void)state;
	for (i = 1; i <= 50; i++) {
		k.xid = i;
		memset(reply, (int)i, sizeof(reply));
		assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
		drc_finish(c, &k, reply, sizeof(reply));
		assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
		assert_int_equal(len, sizeof(reply));
		assert_int_equal(rep[0], i);
		assert_int_equal(rep[29], i);
	}
	/* 100 bytes hold the three newest 30-byte replies; older calls are new again */
	for (i = 48; i <= 50; i++) {
		k.xid = i;
		assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
		assert_int_equal(rep[0], i);
	}
	k.xid = 47;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	drc_free(c);
}

/* Replies filling the byte bound exactly are all kept; a new call does not push one out. */
static void test_drc_exact_byte_bound(void **state)
{
	struct drc *c = drc_new(10, 100);
	struct drc_key k = { .addr = 1, .port = 2, .prog = RPC_PROG_NFS, .vers = 3, .proc = 12 };
	uint8_t reply[100];
	const uint8_t *rep;
	size_t len;

	(void)state;
	memset(reply, 7, sizeof(reply));
	k.xid = 1;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	drc_finish(c, &k, reply, 100);
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
	assert_int_equal(len, 100);
	for (uint32_t xid = 2; xid <= 3; xid++) {
		k.xid = xid;
		assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
		drc_finish(c, &k, reply, 50);
	}
	k.xid = 4;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	for (uint32_t xid = 2; xid <= 3; xid++) {
		k.xid = xid;
		assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
		assert_int_equal(len, 50);
	}
	k.xid = 1;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	drc_free(c);
}

/* A cache asked for 0 entries holds one: the latest reply. */
static void test_drc_zero_entries_holds_one(void **state)
{
	struct drc *c = drc_new(0, 1000);
	struct drc_key k = { .addr = 1, .port = 2, .prog = RPC_PROG_NFS, .vers = 3, .proc = 12 };
	const uint8_t *rep;
	size_t len;

	(void)state;
	for (uint32_t xid = 1; xid <= 2; xid++) {
		k.xid = xid;
		assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
		drc_finish(c, &k, (const uint8_t *)"ok", 2);
	}
	assert_int_equal(drc_count(c), 1);
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
	k.xid = 1;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	drc_free(c);
}

/* Out of memory: no cache (and nothing leaked); a reply that cannot be kept is not replayed, the call runs again. */
static void test_drc_out_of_memory(void **state)
{
	struct drc *c = drc_new(4, 1000);
	struct drc_key k = { .addr = 1, .port = 2, .xid = 7, .prog = RPC_PROG_NFS, .vers = 3, .proc = 12 };
	const uint8_t *rep = NULL;
	size_t len = 0;

	(void)state;
	for (int budget = 0; budget <= 1; budget++) { /* the cache, then its table */
		alloc_budget = budget;
		assert_null(drc_new(4, 1000));
	}
	alloc_budget = -1;
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	alloc_budget = 0;
	drc_finish(c, &k, (const uint8_t *)"reply", 5);
	alloc_budget = -1;
	assert_int_equal(drc_count(c), 0);
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_NEW);
	drc_finish(c, &k, (const uint8_t *)"again", 5);
	assert_int_equal(drc_begin(c, &k, &rep, &len), DRC_REPLAY);
	assert_memory_equal(rep, "again", 5);
	drc_free(c);
}

static int setup(void **state)
{
	struct tu_fx *f;

	tu_fx_setup(state);
	f = *state;
	tu_mount_root(f->srv, 1, f->root);
	return 0;
}

static uint32_t v2_remove(struct tu_fx *f, uint32_t xid, const struct nfs_peer *peer, const char *name)
{
	tu_begin(&f->c, xid, RPC_PROG_NFS, 2, 10);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, name);
	assert_true(tu_send(f->srv, NFS_PORT_NFS, peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_SUCCESS);
	return xdr_get_u32(&f->r.d);
}

static void test_retransmitted_remove(void **state)
{
	struct tu_fx *f = *state;
	struct nfs_peer other = tu_peer;
	uint8_t first[64];
	size_t first_len;

	tu_write_file(f->dir, "victim", "x");
	assert_int_equal(v2_remove(f, 500, &tu_peer, "victim"), 0);
	first_len = f->r.len;
	memcpy(first, f->r.buf, first_len);
	/* the retransmission gets the cached OK, not NOENT */
	assert_int_equal(v2_remove(f, 500, &tu_peer, "victim"), 0);
	assert_int_equal(f->r.len, first_len);
	assert_memory_equal(f->r.buf, first, first_len);
	/* a new xid really runs again */
	assert_int_equal(v2_remove(f, 501, &tu_peer, "victim"), 2);
	/* the same xid from another port is another call */
	other.port = 801;
	assert_int_equal(v2_remove(f, 500, &other, "victim"), 2);
}

static void test_retransmitted_create_write_once(void **state)
{
	struct tu_fx *f = *state;
	char path[512];
	struct stat st;
	int i;

	tu_write_file(f->dir, "file", "");
	for (i = 0; i < 2; i++) {
		/* REMOVE then a retransmitted CREATE must not recreate the file after a later REMOVE */
		tu_begin(&f->c, 900, RPC_PROG_NFS, 2, 9);
		xdr_put_fixed(&f->c.e, f->root, 32);
		xdr_put_string(&f->c.e, "made");
		for (int w = 0; w < 8; w++)
			xdr_put_u32(&f->c.e, w == 0 ? 0644 : 0xffffffffu);
		tu_call(f->srv, &f->c, &f->r);
		assert_int_equal(xdr_get_u32(&f->r.d), 0);
		if (i == 0)
			assert_int_equal(v2_remove(f, 901, &tu_peer, "made"), 0);
	}
	snprintf(path, sizeof(path), "%s/made", f->dir);
	assert_int_equal(stat(path, &st), -1);  /* the replayed CREATE did not run */
}

/* A REMOVE admitted for a worker: a retransmission while it waits is dropped, later it is replayed. */
static void test_admit_in_progress(void **state)
{
	struct tu_fx *f = *state;
	struct nfs_ticket tk, tk2;
	uint8_t rep[256];
	size_t rlen = 0, first;
	char path[512];
	struct stat st;

	tu_write_file(f->dir, "queued", "x");
	tu_begin(&f->c, 610, RPC_PROG_NFS, 2, 10);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, "queued");
	assert_int_equal(nfs_server_admit(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, rep, sizeof(rep),
					  &rlen, &tk), NFS_ADMIT_RUN);
	assert_true(tk.in_drc);
	/* the retransmission arrives while the original still waits in the queue */
	assert_int_equal(nfs_server_admit(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, rep, sizeof(rep),
					  &rlen, &tk2), NFS_ADMIT_DROP);
	snprintf(path, sizeof(path), "%s/queued", f->dir);
	assert_int_equal(stat(path, &st), 0);  /* admit touched nothing */
	first = nfs_server_run(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, &tk, f->r.buf, sizeof(f->r.buf));
	assert_true(first > 0);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(nfs_server_admit(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, rep, sizeof(rep),
					  &rlen, &tk2), NFS_ADMIT_REPLY);
	assert_int_equal(rlen, first);
	assert_memory_equal(rep, f->r.buf, first);
	/* a cancelled call (queue full) runs anew when retransmitted */
	tu_begin(&f->c, 611, RPC_PROG_NFS, 2, 10);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, "queued");
	assert_int_equal(nfs_server_admit(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, rep, sizeof(rep),
					  &rlen, &tk), NFS_ADMIT_RUN);
	nfs_server_cancel(f->srv, &tu_peer, &tk);
	assert_int_equal(nfs_server_admit(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, rep, sizeof(rep),
					  &rlen, &tk), NFS_ADMIT_RUN);
	/* idempotent calls never enter the cache */
	tu_begin(&f->c, 612, RPC_PROG_NFS, 2, 0);
	assert_int_equal(nfs_server_admit(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, rep, sizeof(rep),
					  &rlen, &tk2), NFS_ADMIT_RUN);
	assert_false(tk2.in_drc);
	nfs_server_cancel(f->srv, &tu_peer, &tk);
}

static uint32_t v2_rename(struct tu_fx *f, uint32_t xid, const char *from, const char *to)
{
	tu_begin(&f->c, xid, RPC_PROG_NFS, 2, 11);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, from);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, to);
	tu_call(f->srv, &f->c, &f->r);
	return xdr_get_u32(&f->r.d);
}

static uint32_t v2_write(struct tu_fx *f, uint32_t xid, const uint8_t fh[32], uint32_t off, const char *data)
{
	tu_begin(&f->c, xid, RPC_PROG_NFS, 2, 8);
	xdr_put_fixed(&f->c.e, fh, 32);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_u32(&f->c.e, off);
	xdr_put_u32(&f->c.e, 0);
	xdr_put_opaque(&f->c.e, data, (uint32_t)strlen(data));
	tu_call(f->srv, &f->c, &f->r);
	return xdr_get_u32(&f->r.d);
}

static void test_retransmitted_rename_write(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32];
	char buf[16] = "";

	tu_write_file(f->dir, "a", "0123456789");
	assert_int_equal(v2_rename(f, 700, "a", "b"), 0);
	tu_write_file(f->dir, "a", "new a");
	/* the retransmission must not move the new "a" over "b" */
	assert_int_equal(v2_rename(f, 700, "a", "b"), 0);
	tu_read_line(f->dir, "a", buf, sizeof(buf));
	assert_string_equal(buf, "new a");
	/* a WRITE retransmitted after a later WRITE to the same range does not undo it */
	tu_begin(&f->c, 701, RPC_PROG_NFS, 2, 4);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, "b");
	tu_call(f->srv, &f->c, &f->r);
	assert_int_equal(xdr_get_u32(&f->r.d), 0);
	memcpy(fh, xdr_get_fixed(&f->r.d, 32), 32);
	assert_int_equal(v2_write(f, 702, fh, 0, "AAAA"), 0);
	assert_int_equal(v2_write(f, 703, fh, 0, "BBBB"), 0);
	assert_int_equal(v2_write(f, 702, fh, 0, "AAAA"), 0);
	tu_read_line(f->dir, "b", buf, sizeof(buf));
	assert_string_equal(buf, "BBBB456789");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drc_states),
		cmocka_unit_test(test_drc_bounds),
		cmocka_unit_test(test_drc_long_use),
		cmocka_unit_test(test_drc_exact_byte_bound),
		cmocka_unit_test(test_drc_zero_entries_holds_one),
		cmocka_unit_test(test_drc_out_of_memory),
		cmocka_unit_test_setup_teardown(test_retransmitted_remove, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_admit_in_progress, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_retransmitted_create_write_once, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_retransmitted_rename_write, setup, tu_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
