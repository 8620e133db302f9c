/* SPDX-License-Identifier: MIT */
/* nfsvc.h: the in-core NFS server registered as UDP services of a virtual host. */
#ifndef INDYNET_ENGINE_NFSVC_H
#define INDYNET_ENGINE_NFSVC_H

#include <stddef.h>
#include <stdint.h>

#include "engine/vhost.h"
#include "indynet/indynet.h"

struct nfs_server;

/**
 * nfsvc_open() - open the export (the server answers no one until registered).
 * @ip: the address the server will answer at, network byte order (0 = not yet known)
 * @cfg: engine configuration (export_dir, nfs_version, read_only, owner)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the server (free it with nfs_server_free()), or NULL with @err filled.
 */
struct nfs_server *nfsvc_open(uint32_t ip, const struct indynet_config *cfg, char *err, size_t errlen);

/**
 * nfsvc_register() - serve portmap, MOUNT and NFS of @srv at the virtual host @ip.
 * @vt: virtual-host table (the host @ip must exist)
 * @ip: the host's address, network byte order
 * @srv: the server (stays owned by the caller)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int nfsvc_register(struct vhost_table *vt, uint32_t ip, struct nfs_server *srv, char *err, size_t errlen);

/**
 * nfsvc_attach() - open the export and serve portmap, MOUNT and NFS at @ip.
 * @vt: virtual-host table (the host @ip must exist)
 * @ip: the virtual host's address, network byte order
 * @cfg: engine configuration (export_dir, nfs_version, read_only, owner)
 * @out: receives the server (free it with nfs_server_free())
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int nfsvc_attach(struct vhost_table *vt, uint32_t ip, const struct indynet_config *cfg, struct nfs_server **out,
		 char *err, size_t errlen);

#endif /* INDYNET_ENGINE_NFSVC_H */
