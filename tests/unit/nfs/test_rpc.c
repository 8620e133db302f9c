/* SPDX-License-Identifier: MIT */
/* test_rpc.c: RPC call-header errors and version/program/procedure checks through nfs_server_call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nfs/rpc.h"
#include "nfs_test_util.h"

static size_t put_words(uint8_t *buf, const uint32_t *w, size_t n)
{
	struct xdr_enc e;
	size_t i;

	xdr_enc_init(&e, buf, n * 4);
	for (i = 0; i < n; i++)
		xdr_put_u32(&e, w[i]);
	return e.pos;
}

static void test_rpc_mismatch(void **state)
{
	struct tu_fx *f = *state;
	const uint32_t call[] = { 0xabcd, 0, 3, RPC_PROG_NFS, 2, 0, 0, 0, 0, 0 };
	static const uint8_t want[] = {
		0, 0, 0xab, 0xcd, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2,
	};
	uint8_t buf[64];
	size_t n = put_words(buf, call, 10);

	assert_int_equal(tu_send_raw(f->srv, NFS_PORT_NFS, buf, n, &f->r), sizeof(want));
	assert_memory_equal(f->r.buf, want, sizeof(want));
}

static void test_not_a_call_or_short(void **state)
{
	struct tu_fx *f = *state;
	const uint32_t reply[] = { 1, 1, 0, 0, 0, 0 };
	uint8_t buf[64];
	size_t n = put_words(buf, reply, 6);
	size_t i;

	assert_int_equal(tu_send_raw(f->srv, NFS_PORT_NFS, buf, n, &f->r), 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(tu_send_raw(f->srv, NFS_PORT_NFS, buf, i, &f->r), 0);
}

static void test_bad_auth_lengths(void **state)
{
	struct tu_fx *f = *state;
	/* AUTH_SYS claiming 500 bytes (over the 400 limit) */
	const uint32_t big[] = { 7, 0, 2, RPC_PROG_NFS, 2, 0, RPC_AUTH_SYS, 500 };
	/* AUTH_SYS body of 24 bytes whose contents need 28 (ngids 1 missing) */
	const uint32_t incons[] = { 8, 0, 2, RPC_PROG_NFS, 2, 0, RPC_AUTH_SYS, 20, 0, 0, 0, 0, 1, 0, 0 };
	/* 17 supplementary groups */
	uint32_t gids[8 + 5 + 17 + 2] = { 9, 0, 2, RPC_PROG_NFS, 2, 0, RPC_AUTH_SYS, 4 * (5 + 17), 0, 0, 0, 0, 17 };
	static const uint8_t want_badcred[] = { 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
	uint8_t buf[256];
	size_t n;

	n = put_words(buf, big, 8);
	assert_int_equal(tu_send_raw(f->srv, NFS_PORT_NFS, buf, n, &f->r), sizeof(want_badcred));
	assert_memory_equal(f->r.buf, want_badcred, sizeof(want_badcred));

	n = put_words(buf, incons, 15);
	assert_true(tu_send_raw(f->srv, NFS_PORT_NFS, buf, n, &f->r) > 0);
	assert_int_equal(f->r.reply_stat, 1);
	assert_int_equal(xdr_get_u32(&f->r.d), 1);  /* AUTH_ERROR */
	assert_int_equal(xdr_get_u32(&f->r.d), RPC_AUTH_BADCRED);

	n = put_words(buf, gids, sizeof(gids) / 4);
	assert_true(tu_send_raw(f->srv, NFS_PORT_NFS, buf, n, &f->r) > 0);
	assert_int_equal(f->r.reply_stat, 1);
	assert_int_equal(xdr_get_u32(&f->r.d), 1);
	assert_int_equal(xdr_get_u32(&f->r.d), RPC_AUTH_BADCRED);
}

static void test_unknown_flavor(void **state)
{
	struct tu_fx *f = *state;
	const uint32_t call[] = { 10, 0, 2, RPC_PROG_NFS, 2, 0, 6, 0, 0, 0 };
	uint8_t buf[64];
	size_t n = put_words(buf, call, 10);

	assert_true(tu_send_raw(f->srv, NFS_PORT_NFS, buf, n, &f->r) > 0);
	assert_int_equal(f->r.reply_stat, 1);
	assert_int_equal(xdr_get_u32(&f->r.d), 1);
	assert_int_equal(xdr_get_u32(&f->r.d), RPC_AUTH_TOOWEAK);
}

static void test_auth_none_null(void **state)
{
	struct tu_fx *f = *state;
	const uint32_t call[] = { 0x55, 0, 2, RPC_PROG_NFS, 2, 0, 0, 0, 0, 0 };
	static const uint8_t want[] = { 0, 0, 0, 0x55, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t buf[64];
	size_t n = put_words(buf, call, 10);

	assert_int_equal(tu_send_raw(f->srv, NFS_PORT_NFS, buf, n, &f->r), sizeof(want));
	assert_memory_equal(f->r.buf, want, sizeof(want));
}

/* An NFSv2 call from AUTH_SYS @uid:@gid with @ngids groups (the last is @gid), or AUTH_NONE when @ngids < 0. */
static void begin_cred(struct tu_call *c, uint32_t xid, uint32_t proc, int ngids, uint32_t uid, uint32_t gid)
{
	xdr_enc_init(&c->e, c->buf, sizeof(c->buf));
	xdr_put_u32(&c->e, xid);
	xdr_put_u32(&c->e, RPC_MSG_CALL);
	xdr_put_u32(&c->e, RPC_VERSION);
	xdr_put_u32(&c->e, RPC_PROG_NFS);
	xdr_put_u32(&c->e, 2);
	xdr_put_u32(&c->e, proc);
	if (ngids < 0) {
		xdr_put_u32(&c->e, RPC_AUTH_NONE);
		xdr_put_u32(&c->e, 0);
	} else {
		xdr_put_u32(&c->e, RPC_AUTH_SYS);
		xdr_put_u32(&c->e, 4 * (5 + (uint32_t)ngids)); /* stamp, "", uid, gid, count, groups */
		xdr_put_u32(&c->e, 0x1234);
		xdr_put_string(&c->e, "");
		xdr_put_u32(&c->e, uid);
		xdr_put_u32(&c->e, gid);
		xdr_put_u32(&c->e, (uint32_t)ngids);
		for (int i = 0; i < ngids; i++)
			xdr_put_u32(&c->e, i == ngids - 1 ? gid : 2000u + (uint32_t)i);
	}
	xdr_put_u32(&c->e, RPC_AUTH_NONE);
	xdr_put_u32(&c->e, 0);
}

/* NFSv2 CREATE @name in the root as that caller; returns the status and the new file's owner. */
static uint32_t create_as(struct tu_fx *f, int ngids, uint32_t uid, uint32_t gid, const char *name,
			  uint32_t owner[2])
{
	uint32_t st;

	begin_cred(&f->c, f->xid++, 9, ngids, uid, gid);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, name);
	xdr_put_u32(&f->c.e, 0100644);
	for (int i = 0; i < 7; i++)
		xdr_put_u32(&f->c.e, 0xffffffffu);
	tu_call(f->srv, &f->c, &f->r);
	st = xdr_get_u32(&f->r.d);
	if (st == 0) {
		xdr_get_fixed(&f->r.d, 32);
		xdr_get_u32(&f->r.d); /* type */
		xdr_get_u32(&f->r.d); /* mode */
		xdr_get_u32(&f->r.d); /* nlink */
		owner[0] = xdr_get_u32(&f->r.d);
		owner[1] = xdr_get_u32(&f->r.d);
		assert_false(f->r.d.err);
	}
	return st;
}

/* Attributes as the guest sets them: files created get the caller's identity. */
static int setup_mapped(void **state)
{
	struct tu_fx *f = tu_fx_new();

	tu_fx_serve(f, NFS_SERVE_V2, false, NFS_ATTR_MAPPED);
	tu_mount_root(f->srv, 1, f->root);
	f->xid = 100;
	*state = f;
	return 0;
}

/* AUTH_NONE callers work on files as uid 0, gid 0, whoever called before them. */
static void test_auth_none_file_ops(void **state)
{
	struct tu_fx *f = *state;
	uint32_t owner[2];
	char path[512];
	struct stat st;

	assert_int_equal(create_as(f, 16, 1000, 516, "theirs", owner), 0);
	assert_int_equal(owner[0], 1000);
	assert_int_equal(owner[1], 516);
	assert_int_equal(create_as(f, -1, 0, 0, "anon", owner), 0);
	assert_int_equal(owner[0], 0);
	assert_int_equal(owner[1], 0);
	/* REMOVE without credentials */
	begin_cred(&f->c, f->xid++, 10, -1, 0, 0);
	xdr_put_fixed(&f->c.e, f->root, 32);
	xdr_put_string(&f->c.e, "anon");
	tu_call(f->srv, &f->c, &f->r);
	assert_int_equal(xdr_get_u32(&f->r.d), 0);
	snprintf(path, sizeof(path), "%s/anon", f->dir);
	assert_int_equal(stat(path, &st), -1);
}

/* AUTH_SYS allows 16 supplementary groups (RFC 5531): 16 are served, 17 refused. */
static void test_auth_sys_group_limit(void **state)
{
	struct tu_fx *f = *state;
	uint32_t owner[2];

	for (int n = 0; n <= 16; n += 8) {
		char name[16];

		snprintf(name, sizeof(name), "g%d", n);
		assert_int_equal(create_as(f, n, 1000 + (uint32_t)n, 600, name, owner), 0);
		assert_int_equal(owner[0], 1000 + (uint32_t)n);
		assert_int_equal(owner[1], 600);
	}
	begin_cred(&f->c, f->xid++, 0, 17, 1000, 600);
	assert_true(tu_send(f->srv, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.reply_stat, 1);
	assert_int_equal(xdr_get_u32(&f->r.d), 1);
	assert_int_equal(xdr_get_u32(&f->r.d), RPC_AUTH_BADCRED);
}

static void test_prog_unavail(void **state)
{
	struct tu_fx *f = *state;

	tu_begin(&f->c, 1, 100099, 1, 0);
	assert_true(tu_send(f->srv, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.reply_stat, 0);
	assert_int_equal(f->r.accept_stat, RPC_PROG_UNAVAIL);
	/* NFS sent to the portmap port */
	tu_begin(&f->c, 2, RPC_PROG_NFS, 2, 0);
	assert_true(tu_send(f->srv, NFS_PORT_PORTMAP, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_PROG_UNAVAIL);
}

static bool v3_available(const char *dir)
{
	struct nfs_server_config cfg = { .export_dir = dir, .versions = NFS_SERVE_V3 };
	char err[128];
	struct nfs_server *s = nfs_server_new(&cfg, err, sizeof(err));

	nfs_server_free(s);
	return s != NULL;
}

static void test_prog_mismatch(void **state)
{
	struct tu_fx *f = *state;
	struct nfs_server *v2only = tu_server(f->dir, NFS_SERVE_V2, false, NFS_ATTR_SQUASH);
	uint32_t high = v3_available(f->dir) ? 3 : 2;

	tu_begin(&f->c, 3, RPC_PROG_NFS, 4, 0);
	assert_true(tu_send(f->srv, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_PROG_MISMATCH);
	assert_int_equal(xdr_get_u32(&f->r.d), 2);
	assert_int_equal(xdr_get_u32(&f->r.d), high);
	assert_int_equal(f->r.len, 32);

	tu_begin(&f->c, 4, RPC_PROG_NFS, 3, 0);
	assert_true(tu_send(v2only, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_PROG_MISMATCH);
	assert_int_equal(xdr_get_u32(&f->r.d), 2);
	assert_int_equal(xdr_get_u32(&f->r.d), 2);

	tu_begin(&f->c, 5, RPC_PROG_MOUNT, 3, 0);
	assert_true(tu_send(v2only, NFS_PORT_MOUNT, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_PROG_MISMATCH);
	assert_int_equal(xdr_get_u32(&f->r.d), 1);
	assert_int_equal(xdr_get_u32(&f->r.d), 2);
	nfs_server_free(v2only);

	if (high == 3) {
		struct nfs_server *v3only = tu_server(f->dir, NFS_SERVE_V3, false, NFS_ATTR_SQUASH);

		tu_begin(&f->c, 6, RPC_PROG_NFS, 2, 0);
		assert_true(tu_send(v3only, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
		assert_int_equal(f->r.accept_stat, RPC_PROG_MISMATCH);
		assert_int_equal(xdr_get_u32(&f->r.d), 3);
		assert_int_equal(xdr_get_u32(&f->r.d), 3);
		nfs_server_free(v3only);
	}
}

static void test_proc_unavail_and_garbage(void **state)
{
	struct tu_fx *f = *state;

	tu_begin(&f->c, 7, RPC_PROG_NFS, 2, 18);
	assert_true(tu_send(f->srv, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_PROC_UNAVAIL);
	tu_begin(&f->c, 8, RPC_PROG_MOUNT, 1, 6);
	assert_true(tu_send(f->srv, NFS_PORT_MOUNT, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_PROC_UNAVAIL);
	/* GETATTR with a 10-byte handle: truncated arguments */
	tu_begin(&f->c, 9, RPC_PROG_NFS, 2, 1);
	xdr_put_fixed(&f->c.e, "0123456789", 10);
	f->c.e.pos -= 2;
	assert_true(tu_send(f->srv, NFS_PORT_NFS, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_GARBAGE_ARGS);
	assert_int_equal(f->r.len, 24);
	/* MNT whose path length runs past the datagram */
	tu_begin(&f->c, 10, RPC_PROG_MOUNT, 3, 1);
	xdr_put_u32(&f->c.e, 1000);
	assert_true(tu_send(f->srv, NFS_PORT_MOUNT, &tu_peer, &f->c, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_GARBAGE_ARGS);
}

static void test_small_reply_buffer(void **state)
{
	struct tu_fx *f = *state;
	uint8_t tiny[16];
	size_t n;

	tu_begin(&f->c, 11, RPC_PROG_NFS, 2, 0);
	n = nfs_server_call(f->srv, &tu_peer, NFS_PORT_NFS, f->c.buf, f->c.e.pos, tiny, sizeof(tiny));
	assert_int_equal(n, 0);  /* does not fit: nothing sent, nothing overrun */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rpc_mismatch, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_a_call_or_short, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_auth_lengths, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_flavor, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_none_null, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_prog_unavail, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_prog_mismatch, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_proc_unavail_and_garbage, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_small_reply_buffer, tu_fx_setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_none_file_ops, setup_mapped, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_sys_group_limit, setup_mapped, tu_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
