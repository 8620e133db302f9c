/* SPDX-License-Identifier: MIT */
/* nfs_test_util.h: temporary exports and RPC call builders for the nfs unit tests. */
#ifndef NFS_TEST_UTIL_H
#define NFS_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfs/nfs.h"
#include "nfs/xdr.h"

struct fs_export;

#define TU_BUF 70000u

/** struct tu_call - a call being built. */
struct tu_call {
	uint8_t buf[TU_BUF];
	struct xdr_enc e;
};

/** struct tu_reply - a reply and a decoder over its results. */
struct tu_reply {
	uint8_t buf[TU_BUF];
	size_t len;
	uint32_t xid, reply_stat, accept_stat;
	struct xdr_dec d;     /* positioned at the results (accepted replies) */
};

/**
 * struct tu_fx - the common fixture: a server over a temporary export, with
 * one call and one reply buffer.
 */
struct tu_fx {
	char *dir;
	struct nfs_server *srv;
	struct fs_export *fs;   /* the server's file layer */
	uint8_t root[32];       /* the root handle, once mounted */
	uint32_t xid;
	struct tu_call c;
	struct tu_reply r;
};

struct tu_fx *tu_fx_new(void);
void tu_fx_serve(struct tu_fx *f, unsigned versions, bool ro, enum nfs_attr_model model);
int tu_fx_setup(void **state);
int tu_fx_teardown(void **state);

char *tu_mkexport(void);
int tu_rmtree(const char *path);
unsigned tu_search_settle(struct fs_export *fs);
void tu_write_file(const char *dir, const char *name, const char *data);
void tu_read_line(const char *dir, const char *name, char *buf, size_t cap);
struct nfs_server *tu_server(const char *dir, unsigned versions, bool ro, enum nfs_attr_model model);

void tu_begin(struct tu_call *c, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc);
void tu_begin_auth(struct tu_call *c, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
		   uint32_t uid, uint32_t gid);
size_t tu_send(struct nfs_server *srv, uint16_t port, const struct nfs_peer *peer, const struct tu_call *c,
	       struct tu_reply *r);
size_t tu_send_raw(struct nfs_server *srv, uint16_t port, const uint8_t *buf, size_t len, struct tu_reply *r);

/* NFS helpers over the default peer */
uint16_t tu_port_for(uint32_t prog);
void tu_call(struct nfs_server *srv, const struct tu_call *c, struct tu_reply *r);
void tu_mount_root(struct nfs_server *srv, uint32_t vers, uint8_t fh[32]);

extern const struct nfs_peer tu_peer;

#endif /* NFS_TEST_UTIL_H */
