/* SPDX-License-Identifier: MIT */
/* test_portmap_mount.c: portmap GETPORT/DUMP, rpcbind GETADDR and MOUNT v1/v3. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nfs/rpc.h"
#include "nfs_test_util.h"

static int setup_vers(void **state, unsigned versions)
{
	struct tu_fx *f = tu_fx_new();
	char sub[4096];

	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	mkdir(sub, 0755);
	tu_write_file(f->dir, "plain", "x");
	tu_fx_serve(f, versions, false, NFS_ATTR_SQUASH);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_vers(state, 0);
}

static int setup_v2(void **state)
{
	return setup_vers(state, NFS_SERVE_V2);
}

/* A server answering on one transport only (--nfs-transport udp|tcp). */
static int setup_transport(void **state, unsigned transports)
{
	struct tu_fx *f = tu_fx_new();
	const struct nfs_server_config cfg = { .export_dir = f->dir, .transports = transports,
					       .server_addr = 0x0202000au };
	char err[256] = "";

	f->srv = nfs_server_new(&cfg, err, sizeof(err));
	if (!f->srv)
		fail_msg("nfs_server_new: %s", err);
	*state = f;
	return 0;
}

static int setup_udp(void **state)
{
	return setup_transport(state, NFS_SERVE_UDP);
}

static int setup_tcp(void **state)
{
	return setup_transport(state, NFS_SERVE_TCP);
}

static uint32_t getport(struct tu_fx *f, uint32_t prog, uint32_t vers, uint32_t prot)
{
	tu_begin(&f->c, 1, RPC_PROG_PORTMAP, 2, 3);
	xdr_put_u32(&f->c.e, prog);
	xdr_put_u32(&f->c.e, vers);
	xdr_put_u32(&f->c.e, prot);
	xdr_put_u32(&f->c.e, 0);
	tu_call(f->srv, &f->c, &f->r);
	assert_int_equal(f->r.len, 28);
	return xdr_get_u32(&f->r.d);
}

static bool have_v3(struct tu_fx *f)
{
	return getport(f, RPC_PROG_NFS, 3, 17) == 2049;
}

static void test_getport(void **state)
{
	struct tu_fx *f = *state;

	assert_int_equal(getport(f, RPC_PROG_NFS, 2, 17), 2049);
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 1, 17), 1234);
	assert_int_equal(getport(f, RPC_PROG_PORTMAP, 2, 17), 111);
	assert_int_equal(getport(f, RPC_PROG_NFS, 2, 6), 2049);   /* TCP */
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 1, 6), 1234);
	assert_int_equal(getport(f, RPC_PROG_NFS, 2, 132), 0);    /* SCTP */
	assert_int_equal(getport(f, RPC_PROG_NFS, 4, 17), 0);     /* not served */
	assert_int_equal(getport(f, 100021, 1, 17), 0);           /* NLM */
}

static void test_getport_v2_only(void **state)
{
	struct tu_fx *f = *state;

	assert_int_equal(getport(f, RPC_PROG_NFS, 2, 17), 2049);
	assert_int_equal(getport(f, RPC_PROG_NFS, 3, 17), 0);
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 3, 17), 0);
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 1, 17), 1234);
}

static void test_dump(void **state)
{
	struct tu_fx *f = *state;
	bool seen_nfs2 = false, seen_mnt1 = false, seen_pmap = false, seen_tcp = false;
	unsigned n = 0;

	tu_begin(&f->c, 2, RPC_PROG_PORTMAP, 2, 4);
	tu_call(f->srv, &f->c, &f->r);
	while (xdr_get_bool(&f->r.d)) {
		uint32_t prog = xdr_get_u32(&f->r.d), vers = xdr_get_u32(&f->r.d);
		uint32_t prot = xdr_get_u32(&f->r.d), port = xdr_get_u32(&f->r.d);

		assert_true(prot == 17 || prot == 6);
		if (prot == 6 && prog == RPC_PROG_NFS && vers == 2 && port == 2049)
			seen_tcp = true;
		if (prot == 17 && prog == RPC_PROG_NFS && vers == 2 && port == 2049)
			seen_nfs2 = true;
		if (prog == RPC_PROG_MOUNT && vers == 1 && port == 1234)
			seen_mnt1 = true;
		if (prog == RPC_PROG_PORTMAP && vers == 2 && port == 111)
			seen_pmap = true;
		assert_true(++n < 50);
	}
	assert_false(f->r.d.err);
	assert_int_equal(xdr_dec_left(&f->r.d), 0);
	assert_true(seen_nfs2 && seen_mnt1 && seen_pmap && seen_tcp);
}

/* DUMP: how many of its entries name transport @prot */
static unsigned dump_proto(struct tu_fx *f, uint32_t prot)
{
	unsigned n = 0, total = 0;

	tu_begin(&f->c, 2, RPC_PROG_PORTMAP, 2, 4);
	tu_call(f->srv, &f->c, &f->r);
	while (xdr_get_bool(&f->r.d)) {
		(void)xdr_get_u32(&f->r.d);
		(void)xdr_get_u32(&f->r.d);
		n += xdr_get_u32(&f->r.d) == prot;
		(void)xdr_get_u32(&f->r.d);
		assert_true(++total < 50);
	}
	assert_false(f->r.d.err);
	return n;
}

static void getaddr(struct tu_fx *f, uint32_t vers, uint32_t prog, uint32_t pvers, const char *netid, char *out)
{
	const uint8_t *s;
	uint32_t len;

	tu_begin(&f->c, 3, RPC_PROG_PORTMAP, vers, 3);
	xdr_put_u32(&f->c.e, prog);
	xdr_put_u32(&f->c.e, pvers);
	xdr_put_string(&f->c.e, netid);
	xdr_put_string(&f->c.e, "");
	xdr_put_string(&f->c.e, "");
	tu_call(f->srv, &f->c, &f->r);
	s = xdr_get_opaque(&f->r.d, 200, &len);
	assert_non_null(s);
	memcpy(out, s, len);
	out[len] = '\0';
}

static void test_getaddr(void **state)
{
	struct tu_fx *f = *state;
	char ua[256];

	getaddr(f, 3, RPC_PROG_NFS, 2, "udp", ua);
	assert_string_equal(ua, "10.0.2.2.8.1");   /* 2049 = 8 * 256 + 1 */
	getaddr(f, 4, RPC_PROG_MOUNT, 1, "udp", ua);
	assert_string_equal(ua, "10.0.2.2.4.210"); /* 1234 = 4 * 256 + 210 */
	getaddr(f, 4, RPC_PROG_NFS, 2, "tcp", ua);
	assert_string_equal(ua, "10.0.2.2.8.1");
	getaddr(f, 4, RPC_PROG_NFS, 2, "tcp6", ua);
	assert_string_equal(ua, "");
	getaddr(f, 4, RPC_PROG_NFS, 2, "rdma", ua);
	assert_string_equal(ua, "");
	getaddr(f, 3, RPC_PROG_NFS, 9, "udp", ua);
	assert_string_equal(ua, "");
	/* the gateway moved (a NAT subnet change): GETADDR names the new address */
	nfs_server_set_addr(f->srv, htonl(0x0a4d0001));
	getaddr(f, 4, RPC_PROG_NFS, 3, "udp", ua);
	assert_string_equal(ua, "10.77.0.1.8.1");
}

static void test_udp_only(void **state)
{
	struct tu_fx *f = *state;
	char ua[256];

	assert_int_equal(getport(f, RPC_PROG_NFS, 3, 17), 2049);
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 1, 17), 1234);
	assert_int_equal(getport(f, RPC_PROG_NFS, 3, 6), 0);
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 3, 6), 0);
	assert_int_equal(getport(f, RPC_PROG_PORTMAP, 2, 6), 0);
	assert_true(dump_proto(f, 17) >= 5);
	assert_int_equal(dump_proto(f, 6), 0);
	getaddr(f, 4, RPC_PROG_NFS, 3, "udp", ua);
	assert_string_equal(ua, "10.0.2.2.8.1");
	getaddr(f, 4, RPC_PROG_NFS, 3, "tcp", ua);
	assert_string_equal(ua, "");
}

static void test_tcp_only(void **state)
{
	struct tu_fx *f = *state;
	char ua[256];

	assert_int_equal(getport(f, RPC_PROG_NFS, 3, 6), 2049);
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 3, 6), 1234);
	assert_int_equal(getport(f, RPC_PROG_NFS, 3, 17), 0);
	assert_int_equal(getport(f, RPC_PROG_MOUNT, 1, 17), 0);
	assert_true(dump_proto(f, 6) >= 5);
	assert_int_equal(dump_proto(f, 17), 0);
	getaddr(f, 3, RPC_PROG_MOUNT, 3, "tcp", ua);
	assert_string_equal(ua, "10.0.2.2.4.210");
	getaddr(f, 3, RPC_PROG_MOUNT, 3, "udp", ua);
	assert_string_equal(ua, "");
}

/* MNT @path; return the status, the handle in @fh when OK. */
static uint32_t mnt(struct tu_fx *f, uint32_t vers, const char *path, uint8_t fh[32])
{
	uint32_t st, len = 32;
	const uint8_t *p;

	tu_begin(&f->c, 4, RPC_PROG_MOUNT, vers, 1);
	xdr_put_string(&f->c.e, path);
	tu_call(f->srv, &f->c, &f->r);
	st = xdr_get_u32(&f->r.d);
	if (st)
		return st;
	p = vers == 3 ? xdr_get_opaque(&f->r.d, 64, &len) : xdr_get_fixed(&f->r.d, 32);
	assert_non_null(p);
	assert_int_equal(len, 32);
	memcpy(fh, p, 32);
	if (vers == 3) {
		assert_int_equal(xdr_get_u32(&f->r.d), 1);
		assert_int_equal(xdr_get_u32(&f->r.d), RPC_AUTH_SYS);
	}
	assert_int_equal(xdr_dec_left(&f->r.d), 0);
	return 0;
}

static void test_mnt_paths(void **state)
{
	struct tu_fx *f = *state;
	uint8_t a[32], b[32], c[32];
	char path[4096];
	uint32_t mv = have_v3(f) ? 3 : 1;

	assert_int_equal(mnt(f, 1, "/", a), 0);
	assert_int_equal(mnt(f, mv, f->dir, b), 0);
	assert_memory_equal(a, b, 32);
	snprintf(path, sizeof(path), "%s/", f->dir);
	assert_int_equal(mnt(f, 1, path, b), 0);
	assert_memory_equal(a, b, 32);
	snprintf(path, sizeof(path), "%s/sub", f->dir);
	assert_int_equal(mnt(f, 1, path, c), 0);
	assert_memory_not_equal(a, c, 32);
	assert_int_equal(mnt(f, 1, "/sub", b), 0);
	assert_memory_equal(b, c, 32);
	assert_int_equal(mnt(f, 1, "/etc", b), 2);
	assert_int_equal(mnt(f, 1, "/tmp", b), 2);
	assert_int_equal(mnt(f, 1, "/sub/../../etc", b), 2);
	assert_int_equal(mnt(f, 1, "relative", b), 2);
	assert_int_equal(mnt(f, 1, "/plain", b), 20);     /* not a directory */
	assert_int_equal(mnt(f, mv, "/nonexistent", b), 2);
}

static void test_mnt_through_symlinked_export_path(void **state)
{
	struct tu_fx *f = *state;
	char link[4096], sub[4096];
	uint8_t a[32], b[32], c[32];
	struct nfs_server *orig = f->srv;

	snprintf(link, sizeof(link), "%s-link", f->dir);
	assert_int_equal(symlink(f->dir, link), 0);
	f->srv = tu_server(link, 0, false, NFS_ATTR_SQUASH);
	assert_int_equal(mnt(f, 1, "/", a), 0);
	assert_int_equal(mnt(f, 1, link, b), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(mnt(f, 1, f->dir, c), 0);      /* the resolved path works too */
	assert_memory_equal(a, c, 32);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(mnt(f, 1, sub, c), 0);
	assert_memory_not_equal(a, c, 32);
	nfs_server_free(f->srv);
	f->srv = orig;
	unlink(link);
}

static unsigned dump_count(struct tu_fx *f, const char *want_path)
{
	unsigned n = 0;
	const uint8_t *s;
	uint32_t len;

	tu_begin(&f->c, 5, RPC_PROG_MOUNT, 1, 2);
	tu_call(f->srv, &f->c, &f->r);
	while (xdr_get_bool(&f->r.d)) {
		s = xdr_get_opaque(&f->r.d, 255, &len);
		assert_int_equal(len, 9);
		assert_memory_equal(s, "127.0.0.1", 9);
		s = xdr_get_opaque(&f->r.d, 1024, &len);
		assert_non_null(s);
		if (want_path) {
			assert_int_equal(len, strlen(want_path));
			assert_memory_equal(s, want_path, len);
		}
		n++;
	}
	assert_false(f->r.d.err);
	return n;
}

static void test_dump_umnt(void **state)
{
	struct tu_fx *f = *state;
	uint8_t fh[32];

	assert_int_equal(dump_count(f, NULL), 0);
	assert_int_equal(mnt(f, 1, "/", fh), 0);
	assert_int_equal(mnt(f, 1, "/", fh), 0);
	assert_int_equal(dump_count(f, "/"), 1);
	tu_begin(&f->c, 6, RPC_PROG_MOUNT, 1, 3);
	xdr_put_string(&f->c.e, "/");
	tu_call(f->srv, &f->c, &f->r);
	assert_int_equal(f->r.len, 24);
	assert_int_equal(dump_count(f, NULL), 0);
	assert_int_equal(mnt(f, 1, "/", fh), 0);
	assert_int_equal(mnt(f, 1, "/sub", fh), 0);
	assert_int_equal(dump_count(f, NULL), 2);
	tu_begin(&f->c, 7, RPC_PROG_MOUNT, 1, 4);
	tu_call(f->srv, &f->c, &f->r);
	assert_int_equal(dump_count(f, NULL), 0);
}

/* nfs_server_clients(): the DUMP list as a snapshot, cut to the caller's capacity */
static void test_clients(void **state)
{
	struct tu_fx *f = *state;
	struct nfs_client c[2];
	char ip[INET_ADDRSTRLEN];
	uint8_t fh[32];

	assert_int_equal(nfs_server_clients(f->srv, c, 2), 0);
	assert_int_equal(mnt(f, 1, "/", fh), 0);
	assert_int_equal(mnt(f, 1, "/sub", fh), 0);
	assert_int_equal(mnt(f, 1, "/", fh), 0);
	memset(c, 0x55, sizeof(c));
	assert_int_equal(nfs_server_clients(f->srv, c, 1), 2);
	assert_string_equal(inet_ntop(AF_INET, &c[0].addr, ip, sizeof(ip)), "127.0.0.1");
	assert_string_equal(c[0].path, "/");
	assert_int_equal(c[1].addr, 0x55555555u);  /* past @max: untouched */
	assert_int_equal(nfs_server_clients(f->srv, c, 2), 2);
	assert_string_equal(c[1].path, "/sub");
	tu_begin(&f->c, 8, RPC_PROG_MOUNT, 1, 4);  /* UMNTALL */
	tu_call(f->srv, &f->c, &f->r);
	assert_int_equal(nfs_server_clients(f->srv, NULL, 0), 0);
}

/* nfs_server_proc_calls(): NFS calls run, per version and procedure; MOUNT and portmap are not NFS */
static void test_proc_calls(void **state)
{
	struct tu_fx *f = *state;
	uint64_t v2[NFS_V2_PROCS + 1], v3[NFS_V3_PROCS];
	uint8_t fh[32];

	tu_mount_root(f->srv, 1, fh);
	tu_begin(&f->c, 20, RPC_PROG_NFS, 2, 0);
	tu_call(f->srv, &f->c, &f->r);
	tu_call(f->srv, &f->c, &f->r);
	tu_begin(&f->c, 21, RPC_PROG_NFS, 2, 1);
	xdr_put_fixed(&f->c.e, fh, 32);
	tu_call(f->srv, &f->c, &f->r);
	tu_begin(&f->c, 22, RPC_PROG_NFS, 2, 99);  /* no such procedure: PROC_UNAVAIL, not counted */
	assert_true(tu_send_raw(f->srv, NFS_PORT_NFS, f->c.buf, f->c.e.pos, &f->r) > 0);
	assert_int_equal(f->r.accept_stat, RPC_PROC_UNAVAIL);
	v2[NFS_V2_PROCS] = 7;
	assert_int_equal(nfs_server_proc_calls(f->srv, 2, v2, NFS_V2_PROCS), NFS_V2_PROCS);
	assert_int_equal(v2[0], 2);
	assert_int_equal(v2[1], 1);
	for (unsigned i = 2; i < NFS_V2_PROCS; i++)
		assert_int_equal(v2[i], 0);
	assert_int_equal(v2[NFS_V2_PROCS], 7);
	assert_int_equal(nfs_server_proc_calls(f->srv, 3, v3, NFS_V3_PROCS), NFS_V3_PROCS);
	for (unsigned i = 0; i < NFS_V3_PROCS; i++)
		assert_int_equal(v3[i], 0);
	assert_int_equal(nfs_server_proc_calls(f->srv, 4, v3, NFS_V3_PROCS), -1);
	assert_string_equal(nfs_proc_name(2, 7), "writecache");
	assert_string_equal(nfs_proc_name(3, 17), "readdirplus");
	assert_string_equal(nfs_proc_name(3, 21), "commit");
	assert_null(nfs_proc_name(3, 22));
	assert_null(nfs_proc_name(2, 18));
	assert_null(nfs_proc_name(4, 0));
}

/*
 * 64 remembered mounts of ~1 KiB paths do not fit one datagram: DUMP must
 * still answer (a shortened list), not SYSTEM_ERR.  The paths differ only
 * in where their slashes are, which a guest can choose freely.
 */
static void test_dump_long_paths_fit(void **state)
{
	struct tu_fx *f = *state;
	char path[1100];
	uint8_t fh[32];
	unsigned i, n;

	for (i = 0; i < 64; i++) {
		memset(path, '/', 1024);
		memcpy(path + 1 + i, "sub", 3);  /* 1024 bytes, distinct, all naming /sub */
		path[1024] = '\0';
		assert_int_equal(mnt(f, 1, path, fh), 0);
	}
	n = dump_count(f, NULL);
	assert_true(n > 0);
	assert_true(n < 64);
	assert_true(f->r.len <= 65507u);
}

static void test_export(void **state)
{
	struct tu_fx *f = *state;
	static const uint8_t want[] = {
		0, 0, 0, 1, 0, 0, 0, 1, '/', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};

	tu_begin(&f->c, 8, RPC_PROG_MOUNT, 1, 5);
	tu_call(f->srv, &f->c, &f->r);
	assert_int_equal(xdr_dec_left(&f->r.d), sizeof(want));
	assert_memory_equal(f->r.buf + f->r.d.pos, want, sizeof(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_getport, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_getport_v2_only, setup_v2, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_dump, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_udp_only, setup_udp, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_only, setup_tcp, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_getaddr, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mnt_paths, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mnt_through_symlinked_export_path, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_dump_umnt, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_clients, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_proc_calls, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_dump_long_paths_fit, setup, tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, tu_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
