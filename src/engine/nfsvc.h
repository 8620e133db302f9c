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
