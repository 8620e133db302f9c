/* SPDX-License-Identifier: MIT */
/* nfsvc.h: the in-core NFS server as deferred UDP services of a virtual host, run on a worker thread. */
#ifndef INDYNET_ENGINE_NFSVC_H
#define INDYNET_ENGINE_NFSVC_H

#include <stddef.h>
#include <stdint.h>

#include "engine/vhost.h"
#include "indynet/indynet.h"

/*
 * Thread contract: nfsvc_attach(), nfsvc_deliver(), nfsvc_set_addr(),
 * nfsvc_start(), nfsvc_stop() and nfsvc_free() run on the thread that owns
 * the virtual-host table (the engine thread, or the creator before the
 * engine starts).  nfsvc_stats() may be called from any thread.  Between
 * nfsvc_start() and nfsvc_stop() calls run on the service's worker thread;
 * otherwise (an engine driven synchronously, as the fuzz targets do) they
 * run at once inside vhost_input().
 */

struct nfsvc;
struct nfs_server;

/**
 * nfsvc_open() - open the export (the service answers no one until registered).
 * @ip: the address it will answer at, network byte order (0 = not yet known)
 * @cfg: engine configuration (export_dir, nfs_version, read_only, owner)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the service (free it with nfsvc_free()), or NULL with @err filled
 * and errno ENOMEM (out of memory) or EINVAL (configuration, export).
 */
struct nfsvc *nfsvc_open(uint32_t ip, const struct indynet_config *cfg, char *err, size_t errlen);

/**
 * nfsvc_register() - serve portmap, MOUNT and NFS of @svc at the virtual host @ip.
 * @vt: virtual-host table (the host @ip must exist); answers leave through
 *      it, so every registration of one service uses the same table
 * @ip: the host's address, network byte order
 * @svc: the service (stays owned by the caller)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int nfsvc_register(struct vhost_table *vt, uint32_t ip, struct nfsvc *svc, char *err, size_t errlen);

/**
 * nfsvc_attach() - open the export and serve portmap, MOUNT and NFS at @ip.
 * @vt: virtual-host table (the host @ip must exist)
 * @ip: the virtual host's address, network byte order
 * @cfg: engine configuration (export_dir, nfs_version, read_only, owner)
 * @out: receives the service (free it with nfsvc_free())
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno: -ENOMEM, -EINVAL (configuration, export),
 * or what registering the ports returned.
 */
int nfsvc_attach(struct vhost_table *vt, uint32_t ip, const struct indynet_config *cfg, struct nfsvc **out,
		 char *err, size_t errlen);

/**
 * nfsvc_call() - one RPC call from the guest (vhost_udp_defer_fn; also a TCP record).
 * @opaque: the service
 * @from: where it came from; @from->conn names a TCP connection (nfsconn.c)
 * @data: the call (valid only during the call)
 * @len: its length
 *
 * Engine thread.  The answer leaves through vhost_reply_udp() or, for a
 * connection, nfsconn_answer(), now or from nfsvc_deliver().
 */
void nfsvc_call(void *opaque, const struct vhost_dgram *from, const uint8_t *data, size_t len);

/**
 * nfsvc_table() - the virtual-host table the service answers in.
 * @svc: service
 *
 * Return: the table of nfsvc_register(), NULL before.
 */
struct vhost_table *nfsvc_table(const struct nfsvc *svc);

/**
 * nfsvc_fd() - descriptor that is readable while answers wait for nfsvc_deliver().
 * @svc: service
 *
 * Return: an eventfd owned by the service.
 */
int nfsvc_fd(const struct nfsvc *svc);

/**
 * nfsvc_deliver() - send the answers the worker produced (clears nfsvc_fd()).
 * @svc: service
 */
void nfsvc_deliver(struct nfsvc *svc);

/**
 * nfsvc_start() - start the worker thread.
 * @svc: service
 *
 * Return: 0 or a negative errno.
 */
int nfsvc_start(struct nfsvc *svc);

/**
 * nfsvc_stop() - stop the worker (after its current call); queued calls
 * and undelivered answers are dropped (clients retransmit).
 * @svc: service
 */
void nfsvc_stop(struct nfsvc *svc);

/**
 * nfsvc_set_addr() - the address the server now answers at (rpcbind GETADDR).
 * @svc: service
 * @addr: IPv4 address, network byte order
 */
void nfsvc_set_addr(struct nfsvc *svc, uint32_t addr);

/**
 * nfsvc_stats() - the service's counters and cache figures.
 * @svc: service
 * @out: receives them
 */
void nfsvc_stats(struct nfsvc *svc, struct indynet_nfs_stats *out);

/**
 * nfsvc_tcp_stats() - the call records taken over TCP, and the connections reset for an oversize one (any thread).
 * @svc: service
 * @records: receives the first
 * @oversize: receives the second
 */
void nfsvc_tcp_stats(struct nfsvc *svc, uint64_t *records, uint64_t *oversize);

/**
 * nfsvc_tcp_oversize() - count a connection reset for a record over the limit (nfsconn.c).
 * @svc: service
 */
void nfsvc_tcp_oversize(struct nfsvc *svc);

/**
 * nfsvc_server() - the NFS server the service runs (for its thread-safe readers).
 * @svc: service
 *
 * Return: the server.
 */
struct nfs_server *nfsvc_server(struct nfsvc *svc);

/**
 * nfsvc_free() - stop the worker, close the export, free the service.
 * @svc: service, may be NULL
 */
void nfsvc_free(struct nfsvc *svc);

#endif /* INDYNET_ENGINE_NFSVC_H */
