/* SPDX-License-Identifier: MIT */
/* nfsconn.h: portmap, MOUNT and NFS over TCP: RPC records of a virtual host's connections to the NFS service. */
#ifndef INDYNET_ENGINE_NFSCONN_H
#define INDYNET_ENGINE_NFSCONN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/vhost.h"

struct nfsvc;

#define NFSCONN_MAX_CALLS 8u        /* calls of one connection queued or running at once */
#define NFSCONN_STALL_MS 20000u     /* half a record held this long: the connection is reset */

/**
 * nfsconn_register() - serve RPC over TCP on @ip:@port for @svc.
 * @vt: the service's virtual-host table
 * @ip: the host's address, network byte order
 * @port: TCP port (111, 1234 or 2049)
 * @svc: the NFS service; each whole call record goes to nfsvc_call()
 *
 * Return: what vhost_add_tcp() returned.
 */
int nfsconn_register(struct vhost_table *vt, uint32_t ip, uint16_t port, struct nfsvc *svc);

/**
 * nfsconn_answer() - a call of a connection is done: send its answer as one record.
 * @vt: the table the connection lives in
 * @conn: the connection (vhost_dgram.conn of the call)
 * @data: the RPC reply
 * @len: its length; 0 = the call ends without an answer
 *
 * Call it exactly once for every call nfsvc_call() took from a connection,
 * on the engine thread.  The connection may take further calls afterwards.
 *
 * Return: 0; -ENOENT when the connection has gone (the answer is dropped);
 * -ENOBUFS when it did not fit (never, while the call bound holds).
 */
int nfsconn_answer(struct vhost_table *vt, uint32_t conn, const uint8_t *data, size_t len);

#endif /* INDYNET_ENGINE_NFSCONN_H */
