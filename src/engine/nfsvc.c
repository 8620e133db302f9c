/* SPDX-License-Identifier: MIT */
/* nfsvc.c: the in-core NFS server registered as UDP services of a virtual host. */
#include <errno.h>
#include <stdio.h>

#include "core/log.h"
#include "engine/nfsvc.h"
#include "nfs/nfs.h"

static size_t nfsvc_call(void *opaque, uint32_t src_ip, uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
			 const uint8_t *data, size_t len, uint8_t *reply, size_t cap)
{
	const struct nfs_peer peer = { .addr = src_ip, .port = src_port };

	(void)dst_ip;
	return nfs_server_call(opaque, &peer, dst_port, data, len, reply, cap);
}

static void nfsvc_log(void *opaque, int level, const char *msg)
{
	(void)opaque;
	ilog(level, "nfs: %s", msg);
}

int nfsvc_register(struct vhost_table *vt, uint32_t ip, struct nfs_server *srv, char *err, size_t errlen)
{
	static const uint16_t ports[] = { NFS_PORT_PORTMAP, NFS_PORT_MOUNT, NFS_PORT_NFS };

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		int rc = vhost_add_udp(vt, ip, ports[i], nfsvc_call, srv);

		if (rc < 0) {
			snprintf(err, errlen, "cannot register NFS port %u: %d", ports[i], rc);
			return rc;
		}
	}
	return 0;
}

struct nfs_server *nfsvc_open(uint32_t ip, const struct indynet_config *cfg, char *err, size_t errlen)
{
	struct nfs_server_config nc = {
		.export_dir = cfg->export_dir,
		.server_addr = ip,
		.versions = cfg->nfs_version == INDYNET_NFS_V2   ? NFS_SERVE_V2
			    : cfg->nfs_version == INDYNET_NFS_V3 ? NFS_SERVE_V3
								 : 0,
		.read_only = cfg->read_only,
		.attr_model = cfg->attr_model == INDYNET_ATTR_MAPPED ? NFS_ATTR_MAPPED : NFS_ATTR_SQUASH,
		.uid = cfg->nfs_uid,
		.gid = cfg->nfs_gid,
		.log = nfsvc_log,
	};

	return nfs_server_new(&nc, err, errlen);
}

int nfsvc_attach(struct vhost_table *vt, uint32_t ip, const struct indynet_config *cfg, struct nfs_server **out,
		 char *err, size_t errlen)
{
	struct nfs_server *srv = nfsvc_open(ip, cfg, err, errlen);
	int rc;

	if (!srv)
		return -EINVAL;
	rc = nfsvc_register(vt, ip, srv, err, errlen);
	if (rc < 0) {
		nfs_server_free(srv);
		return rc;
	}
	*out = srv;
	return 0;
}
