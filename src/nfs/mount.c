/* SPDX-License-Identifier: MIT */
/* mount.c: the MOUNT protocol v1 (with NFSv2) and v3 (RFC 1094 appendix A, RFC 1813 section 5). */
#include <arpa/inet.h>
#include <string.h>

#include "nfs/fs.h"
#include "nfs/rpc.h"
#include "nfs/srv.h"

#define MNT_PROC_NULL 0u
#define MNT_PROC_MNT 1u
#define MNT_PROC_DUMP 2u
#define MNT_PROC_UMNT 3u
#define MNT_PROC_UMNTALL 4u
#define MNT_PROC_EXPORT 5u

#define MNT3_OK 0u
#define MNT3_ERR_PERM 1u
#define MNT3_ERR_NOENT 2u
#define MNT3_ERR_IO 5u
#define MNT3_ERR_ACCES 13u
#define MNT3_ERR_NOTDIR 20u
#define MNT3_ERR_NAMETOOLONG 63u

/* The one export name advertised by EXPORT (MNT also takes the host path). */
#define MNT_EXPORT_NAME "/"

static uint32_t mnt_status(enum fs_status st)
{
	switch (st) {
	case FS_OK: return MNT3_OK;
	case FS_ERR_PERM: return MNT3_ERR_PERM;
	case FS_ERR_NOENT: return MNT3_ERR_NOENT;
	case FS_ERR_ACCES: return MNT3_ERR_ACCES;
	case FS_ERR_NOTDIR: return MNT3_ERR_NOTDIR;
	case FS_ERR_NAMETOOLONG: return MNT3_ERR_NAMETOOLONG;
	default: return MNT3_ERR_IO;
	}
}

/* Add @addr's mount of @path (under srv->mounts_lock). */
static void mnt_record(struct nfs_server *srv, uint32_t addr, const uint8_t *path, uint32_t len)
{
	struct mount_entry *m;
	unsigned i;

	for (i = 0; i < srv->nmounts; i++) {
		m = &srv->mounts[i];
		if (m->addr == addr && strlen(m->path) == len && !memcmp(m->path, path, len))
			return;
	}
	if (srv->nmounts == MOUNT_LIST_MAX) {
		memmove(&srv->mounts[0], &srv->mounts[1], sizeof(srv->mounts[0]) * (MOUNT_LIST_MAX - 1));
		srv->nmounts--;
	}
	m = &srv->mounts[srv->nmounts++];
	m->addr = addr;
	memcpy(m->path, path, len);
	m->path[len] = '\0';
}

/* Remove the entries of @addr (all of them when @path is NULL; under srv->mounts_lock). */
static void mnt_forget(struct nfs_server *srv, uint32_t addr, const uint8_t *path, uint32_t len)
{
	unsigned i = 0;

	while (i < srv->nmounts) {
		struct mount_entry *m = &srv->mounts[i];

		if (m->addr == addr && (!path || (strlen(m->path) == len && !memcmp(m->path, path, len)))) {
			memmove(m, m + 1, sizeof(*m) * (srv->nmounts - i - 1));
			srv->nmounts--;
		} else {
			i++;
		}
	}
}

static int mnt_mnt(struct nfs_server *srv, struct nfs_req *req)
{
	uint8_t fh[FH_SIZE];
	struct fs_node *node = NULL;
	enum fs_status st;
	uint32_t len;
	const uint8_t *path = xdr_get_opaque(&req->args, MOUNT_PATH_MAX, &len);

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	st = fs_lookup_path(srv->fs, path, len, &node);
	xdr_put_u32(&req->res, mnt_status(st));
	if (st != FS_OK)
		return NFS_PROC_DONE;
	fs_handle(srv->fs, node, fh);
	if (req->call.vers == 3) {
		xdr_put_opaque(&req->res, fh, FH_SIZE);
		xdr_put_u32(&req->res, 1);
		xdr_put_u32(&req->res, RPC_AUTH_SYS);
	} else {
		xdr_put_fixed(&req->res, fh, FH_SIZE);
	}
	pthread_mutex_lock(&srv->mounts_lock);
	mnt_record(srv, req->peer.addr, path, len);
	pthread_mutex_unlock(&srv->mounts_lock);
	return NFS_PROC_DONE;
}

/* XDR size of one mountlist entry: value_follows, hostname, directory. */
static size_t mnt_entry_size(const char *host, const char *path)
{
	size_t h = strlen(host), p = strlen(path);

	return 4 + 4 + h + xdr_pad(h) + 4 + p + xdr_pad(p);
}

/*
 * The list can outgrow one datagram (64 entries of 1024-byte paths): it is
 * cut short where the next entry would not fit, keeping room for its end.
 */
static int mnt_dump(struct nfs_server *srv, struct nfs_req *req)
{
	char host[INET_ADDRSTRLEN];
	unsigned i;

	for (i = 0; i < srv->nmounts; i++) {
		inet_ntop(AF_INET, &srv->mounts[i].addr, host, sizeof(host));
		if (mnt_entry_size(host, srv->mounts[i].path) + 4 > xdr_enc_left(&req->res))
			break;
		xdr_put_bool(&req->res, true);
		xdr_put_string(&req->res, host);
		xdr_put_string(&req->res, srv->mounts[i].path);
	}
	xdr_put_bool(&req->res, false);
	return NFS_PROC_DONE;
}

static int mnt_umnt(struct nfs_server *srv, struct nfs_req *req)
{
	uint32_t len;
	const uint8_t *path = xdr_get_opaque(&req->args, MOUNT_PATH_MAX, &len);

	if (req->args.err)
		return NFS_PROC_GARBAGE;
	pthread_mutex_lock(&srv->mounts_lock);
	mnt_forget(srv, req->peer.addr, path, len);
	pthread_mutex_unlock(&srv->mounts_lock);
	return NFS_PROC_DONE;
}

static int mnt_export(struct nfs_req *req)
{
	xdr_put_bool(&req->res, true);
	xdr_put_string(&req->res, MNT_EXPORT_NAME);
	xdr_put_bool(&req->res, false);  /* no group list: everyone */
	xdr_put_bool(&req->res, false);
	return NFS_PROC_DONE;
}

/**
 * mount_dispatch() - serve MOUNT v1/v2 (NFSv2 handles) and v3.
 * @srv: server
 * @req: the call (version already checked)
 *
 * Return: an enum nfs_proc_ret.
 */
int mount_dispatch(struct nfs_server *srv, struct nfs_req *req)
{
	switch (req->call.proc) {
	case MNT_PROC_NULL:
		return NFS_PROC_DONE;
	case MNT_PROC_MNT:
		return mnt_mnt(srv, req);
	case MNT_PROC_DUMP:
		return mnt_dump(srv, req);
	case MNT_PROC_UMNT:
		return mnt_umnt(srv, req);
	case MNT_PROC_UMNTALL:
		pthread_mutex_lock(&srv->mounts_lock);
		mnt_forget(srv, req->peer.addr, NULL, 0);
		pthread_mutex_unlock(&srv->mounts_lock);
		return NFS_PROC_DONE;
	case MNT_PROC_EXPORT:
		return mnt_export(req);
	default:
		return NFS_PROC_UNAVAIL;
	}
}
