/* SPDX-License-Identifier: MIT */
/* nfs_test_util.c: temporary exports and RPC call builders for the nfs unit tests. */
#include "nfs_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nfs/proc.h"
#include "nfs/rpc.h"

const struct nfs_peer tu_peer = { .addr = 0x0100007fu, .port = 800 };

/**
 * tu_mkexport() - create an empty temporary export directory.
 *
 * Return: its path (free() it after tu_rmtree()).
 */
char *tu_mkexport(void)
{
	char *p = strdup("/tmp/indynet-nfs-test-XXXXXX");

	assert_non_null(p);
	assert_non_null(mkdtemp(p));
	return p;
}

static int tu_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/**
 * tu_rmtree() - remove a directory tree (never follows symlinks).
 * @path: the tree
 *
 * Return: 0 when all of it is gone, non-zero otherwise.
 */
int tu_rmtree(const char *path)
{
	return nftw(path, tu_rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

/**
 * tu_write_file() - create a file with some content.
 * @dir: directory
 * @name: file name (may contain "/" for subdirectories that exist)
 * @data: content
 */
void tu_write_file(const char *dir, const char *name, const char *data)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

/**
 * tu_read_line() - the first line of a file (asserts that there is one).
 * @dir: directory
 * @name: file name (may contain "/")
 * @buf: receives the line, NUL-terminated
 * @cap: size of @buf
 */
void tu_read_line(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)cap, f));
	fclose(f);
}

/**
 * tu_server() - a server over @dir.
 * @dir: export
 * @versions: nfs_vers_mask (0 = all)
 * @ro: read-only export
 * @model: attribute model
 *
 * Return: the server (asserts on failure).
 */
struct nfs_server *tu_server(const char *dir, unsigned versions, bool ro, enum nfs_attr_model model)
{
	struct nfs_server_config cfg = {
		.export_dir = dir, .versions = versions, .read_only = ro, .attr_model = model,
		.uid = 1000, .gid = 100, .server_addr = 0x0202000au,
	};
	char err[256] = "";
	struct nfs_server *srv = nfs_server_new(&cfg, err, sizeof(err));

	if (!srv)
		fail_msg("nfs_server_new: %s", err);
	return srv;
}

/**
 * tu_fx_new() - a fixture with an empty temporary export and no server yet.
 *
 * Return: the fixture (asserts on failure; free with tu_fx_teardown()).
 */
struct tu_fx *tu_fx_new(void)
{
	struct tu_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkexport();
	return f;
}

/**
 * tu_fx_serve() - start the fixture's server over its export.
 * @f: fixture (without a running server)
 * @versions: nfs_vers_mask (0 = all)
 * @ro: read-only export
 * @model: attribute model
 */
void tu_fx_serve(struct tu_fx *f, unsigned versions, bool ro, enum nfs_attr_model model)
{
	f->srv = tu_server(f->dir, versions, ro, model);
	f->fs = nfs_server_fs(f->srv);
}

/**
 * tu_fx_setup() - cmocka setup: an empty export served read-write, all versions, squashed attributes.
 * @state: receives the struct tu_fx
 *
 * Return: 0.
 */
int tu_fx_setup(void **state)
{
	struct tu_fx *f = tu_fx_new();

	tu_fx_serve(f, 0, false, NFS_ATTR_SQUASH);
	*state = f;
	return 0;
}

/**
 * tu_fx_teardown() - cmocka teardown: stop the server and remove the export.
 * @state: the struct tu_fx
 *
 * Return: 0.
 */
int tu_fx_teardown(void **state)
{
	struct tu_fx *f = *state;

	nfs_server_free(f->srv);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/**
 * tu_begin_auth() - start a call with AUTH_SYS credentials.
 * @c: call
 * @xid: transaction id
 * @prog: program
 * @vers: version
 * @proc: procedure
 * @uid: caller uid
 * @gid: caller gid
 */
void tu_begin_auth(struct tu_call *c, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
		   uint32_t uid, uint32_t gid)
{
	xdr_enc_init(&c->e, c->buf, sizeof(c->buf));
	xdr_put_u32(&c->e, xid);
	xdr_put_u32(&c->e, RPC_MSG_CALL);
	xdr_put_u32(&c->e, RPC_VERSION);
	xdr_put_u32(&c->e, prog);
	xdr_put_u32(&c->e, vers);
	xdr_put_u32(&c->e, proc);
	xdr_put_u32(&c->e, RPC_AUTH_SYS);
	xdr_put_u32(&c->e, 4 + 8 + 4 + 4 + 4 + 4);  /* stamp, "test", uid, gid, 1 gid */
	xdr_put_u32(&c->e, 0x1234);
	xdr_put_string(&c->e, "test");
	xdr_put_u32(&c->e, uid);
	xdr_put_u32(&c->e, gid);
	xdr_put_u32(&c->e, 1);
	xdr_put_u32(&c->e, gid);
	xdr_put_u32(&c->e, RPC_AUTH_NONE);
	xdr_put_u32(&c->e, 0);
}

/**
 * tu_begin() - start a call as root (AUTH_SYS 0:0).
 * @c: call
 * @xid: transaction id
 * @prog: program
 * @vers: version
 * @proc: procedure
 */
void tu_begin(struct tu_call *c, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc)
{
	tu_begin_auth(c, xid, prog, vers, proc, 0, 0);
}

static size_t tu_parse(struct tu_reply *r)
{
	xdr_dec_init(&r->d, r->buf, r->len);
	if (!r->len)
		return 0;
	r->xid = xdr_get_u32(&r->d);
	assert_int_equal(xdr_get_u32(&r->d), RPC_MSG_REPLY);
	r->reply_stat = xdr_get_u32(&r->d);
	if (r->reply_stat == 0) {
		uint32_t vlen;

		xdr_get_u32(&r->d);
		xdr_get_opaque(&r->d, 400, &vlen);
		r->accept_stat = xdr_get_u32(&r->d);
	}
	assert_false(r->d.err);
	return r->len;
}

/**
 * tu_send_raw() - hand a datagram to the server and parse the reply header.
 * @srv: server
 * @port: destination port
 * @buf: datagram
 * @len: its length
 * @r: receives the reply
 *
 * Return: the reply length (0: no reply).
 */
size_t tu_send_raw(struct nfs_server *srv, uint16_t port, const uint8_t *buf, size_t len, struct tu_reply *r)
{
	memset(r, 0, offsetof(struct tu_reply, d));
	r->len = nfs_server_call(srv, &tu_peer, port, buf, len, r->buf, sizeof(r->buf));
	return tu_parse(r);
}

/**
 * tu_send() - send a built call from @peer.
 * @srv: server
 * @port: destination port
 * @peer: the caller
 * @c: the call
 * @r: receives the reply
 *
 * Return: the reply length (0: no reply).
 */
size_t tu_send(struct nfs_server *srv, uint16_t port, const struct nfs_peer *peer, const struct tu_call *c,
	       struct tu_reply *r)
{
	memset(r, 0, offsetof(struct tu_reply, d));
	r->len = nfs_server_call(srv, peer, port, c->buf, c->e.pos, r->buf, sizeof(r->buf));
	return tu_parse(r);
}

/**
 * tu_port_for() - the port a program is served on.
 * @prog: program
 *
 * Return: 111, 1234 or 2049.
 */
uint16_t tu_port_for(uint32_t prog)
{
	return prog == RPC_PROG_PORTMAP ? NFS_PORT_PORTMAP : prog == RPC_PROG_MOUNT ? NFS_PORT_MOUNT : NFS_PORT_NFS;
}

/**
 * tu_call() - send a call to its program's port and require an accepted SUCCESS reply.
 * @srv: server
 * @c: the call (program read back from its header)
 * @r: receives the reply, positioned at the results
 */
void tu_call(struct nfs_server *srv, const struct tu_call *c, struct tu_reply *r)
{
	uint32_t prog = (uint32_t)c->buf[12] << 24 | (uint32_t)c->buf[13] << 16 | (uint32_t)c->buf[14] << 8 | c->buf[15];

	assert_true(tu_send_raw(srv, tu_port_for(prog), c->buf, c->e.pos, r) > 0);
	assert_int_equal(r->reply_stat, 0);
	assert_int_equal(r->accept_stat, RPC_SUCCESS);
}

/**
 * tu_mount_root() - MNT "/" and return the root handle.
 * @srv: server
 * @vers: MOUNT version (1 or 3)
 * @fh: receives the 32-byte handle
 */
void tu_mount_root(struct nfs_server *srv, uint32_t vers, uint8_t fh[32])
{
	struct tu_call *c = malloc(sizeof(*c));
	struct tu_reply *r = malloc(sizeof(*r));
	const uint8_t *p;
	uint32_t len = 32;

	assert_non_null(c);
	assert_non_null(r);
	tu_begin(c, 77, RPC_PROG_MOUNT, vers, 1);
	xdr_put_string(&c->e, "/");
	tu_call(srv, c, r);
	assert_int_equal(xdr_get_u32(&r->d), 0);
	if (vers == 3)
		p = xdr_get_opaque(&r->d, 64, &len);
	else
		p = xdr_get_fixed(&r->d, 32);
	assert_non_null(p);
	assert_int_equal(len, 32);
	memcpy(fh, p, 32);
	free(c);
	free(r);
}

/**
 * tu_search_settle() - wait (up to 10 s) until the export's seeker has no target left.
 * @fs: export
 *
 * Return: the targets still pending (0 when it settled).
 */
unsigned tu_search_settle(struct fs_export *fs)
{
	unsigned n;

	for (int i = 0; i < 10000 && (n = fs_search_pending(fs)) > 0; i++)
		usleep(1000);
	return n;
}
