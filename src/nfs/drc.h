/* SPDX-License-Identifier: MIT */
/* drc.h: the duplicate-request cache for non-idempotent RPC calls. */
#ifndef INDYNET_NFS_DRC_H
#define INDYNET_NFS_DRC_H

#include <stddef.h>
#include <stdint.h>

struct drc_key {
	uint32_t addr;
	uint16_t port;
	uint32_t xid, prog, vers, proc;
};

enum drc_state {
	DRC_NEW = 0,      /* first time seen: serve it, then drc_finish() */
	DRC_IN_PROGRESS,  /* a retransmission of a call being served: drop it */
	DRC_REPLAY,       /* answered before: send the cached reply */
};

struct drc;

struct drc *drc_new(size_t max_entries, size_t max_bytes);
void drc_free(struct drc *c);
enum drc_state drc_begin(struct drc *c, const struct drc_key *k, const uint8_t **reply, size_t *len);
void drc_finish(struct drc *c, const struct drc_key *k, const uint8_t *reply, size_t len);
size_t drc_count(const struct drc *c);

#endif /* INDYNET_NFS_DRC_H */
