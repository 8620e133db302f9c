/* SPDX-License-Identifier: MIT */
/* srv.h: server internals shared by server.c, portmap.c and mount.c. */
#ifndef INDYNET_NFS_SRV_H
#define INDYNET_NFS_SRV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "nfs/drc.h"
#include "nfs/fs.h"
#include "nfs/nfs.h"
#include "nfs/proc.h"

#define MOUNT_LIST_MAX NFS_CLIENTS_MAX
#define MOUNT_PATH_MAX 1024u

struct mount_entry {
	uint32_t addr;               /* network byte order */
	char path[MOUNT_PATH_MAX + 1];
};

struct nfs_server {
	struct nfs_server_config cfg;
	_Atomic uint32_t addr;       /* our IPv4 for rpcbind GETADDR (nfs_server_set_addr) */
	char *export_dir;
	unsigned versions;           /* NFS versions served (nfs_vers_mask) */
	unsigned transports;         /* transports portmap reports (nfs_transport_mask) */
	struct fs_export *fs;
	struct drc *drc;
	pthread_mutex_t lock;         /* calls into the export */
	pthread_mutex_t drc_lock;     /* @drc: admit (frame path) against run (worker) */
	pthread_mutex_t mounts_lock;  /* @mounts: written under lock and this, read under this (usage.c) */
	struct mount_entry mounts[MOUNT_LIST_MAX];
	unsigned nmounts;
	_Atomic uint64_t calls_v2[NFS_V2_PROCS]; /* calls run per procedure (usage.c) */
	_Atomic uint64_t calls_v3[NFS_V3_PROCS];
};

int portmap_dispatch(struct nfs_server *srv, struct nfs_req *req);
int mount_dispatch(struct nfs_server *srv, struct nfs_req *req);
/* usage.c: count a call about to run (its header parsed, its program and version served) */
void nfs_usage_count(struct nfs_server *srv, const struct rpc_call *c);
bool nfs_vers_served(const struct nfs_server *srv, uint32_t prog, uint32_t vers);
bool nfs_transport_served(const struct nfs_server *srv, uint32_t ipproto);
void nfs_vers_range(const struct nfs_server *srv, uint32_t prog, uint32_t *low, uint32_t *high);

#endif /* INDYNET_NFS_SRV_H */
