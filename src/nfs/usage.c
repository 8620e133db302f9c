/* SPDX-License-Identifier: MIT */
/* usage.c: what the server tells about its use: calls per NFS procedure, the clients that mounted, procedure names. */
#include <stdio.h>
#include <string.h>

#include "nfs/rpc.h"
#include "nfs/srv.h"

/*
 * The counters are bumped on the thread that runs calls (under srv->lock)
 * and read from any thread, so they are relaxed atomics: a reader may see
 * one call more or less, never a torn number.  The mount list is written
 * by MNT/UMNT under srv->lock and srv->mounts_lock, and read for a
 * snapshot under mounts_lock alone, so that a status reader never waits
 * for a call into the export.
 */

static const char *const nfs_v2_names[NFS_V2_PROCS] = {
	"null", "getattr", "setattr", "root", "lookup", "readlink", "read", "writecache", "write",
	"create", "remove", "rename", "link", "symlink", "mkdir", "rmdir", "readdir", "statfs",
};

static const char *const nfs_v3_names[NFS_V3_PROCS] = {
	"null", "getattr", "setattr", "lookup", "access", "readlink", "read", "write", "create", "mkdir",
	"symlink", "mknod", "remove", "rmdir", "rename", "link", "readdir", "readdirplus", "fsstat",
	"fsinfo", "pathconf", "commit",
};

const char *nfs_proc_name(unsigned vers, unsigned proc)
{
	if (vers == 2 && proc < NFS_V2_PROCS)
		return nfs_v2_names[proc];
	if (vers == 3 && proc < NFS_V3_PROCS)
		return nfs_v3_names[proc];
	return NULL;
}

void nfs_usage_count(struct nfs_server *srv, const struct rpc_call *c)
{
	if (c->prog != RPC_PROG_NFS)
		return;
	if (c->vers == 2 && c->proc < NFS_V2_PROCS)
		atomic_fetch_add_explicit(&srv->calls_v2[c->proc], 1, memory_order_relaxed);
	else if (c->vers == 3 && c->proc < NFS_V3_PROCS)
		atomic_fetch_add_explicit(&srv->calls_v3[c->proc], 1, memory_order_relaxed);
}

int nfs_server_proc_calls(struct nfs_server *srv, unsigned vers, uint64_t *out, size_t max)
{
	_Atomic uint64_t *from = vers == 2 ? srv->calls_v2 : srv->calls_v3;
	unsigned n = vers == 2 ? NFS_V2_PROCS : NFS_V3_PROCS;

	if (vers != 2 && vers != 3)
		return -1;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = atomic_load_explicit(&from[i], memory_order_relaxed);
	return (int)n;
}

size_t nfs_server_clients(struct nfs_server *srv, struct nfs_client *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&srv->mounts_lock);
	n = srv->nmounts;
	for (size_t i = 0; i < n && i < max; i++) {
		out[i].addr = srv->mounts[i].addr;
		snprintf(out[i].path, sizeof(out[i].path), "%s", srv->mounts[i].path);
	}
	pthread_mutex_unlock(&srv->mounts_lock);
	return n;
}
