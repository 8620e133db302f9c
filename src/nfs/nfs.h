/* SPDX-License-Identifier: MIT */
/* nfs.h: the in-core NFS server's entry point: one RPC call datagram in, one reply out. */
#ifndef INDYNET_NFS_NFS_H
#define INDYNET_NFS_NFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The server never sees a socket or a frame.  The virtual-host layer hands
 * it whole (reassembled) UDP payloads with the caller's address and the
 * port they were sent to, and sends back whatever reply it produces.  Its
 * only host I/O is file I/O below the export directory.
 */

#define NFS_PORT_PORTMAP 111
#define NFS_PORT_MOUNT 1234
#define NFS_PORT_NFS 2049

/** Largest reply the server produces (fits a UDP datagram). */
#define NFS_REPLY_MAX 65507u

enum nfs_vers_mask {
	NFS_SERVE_V2 = 1u << 0,
	NFS_SERVE_V3 = 1u << 1,
};

enum nfs_attr_model {
	NFS_ATTR_SQUASH = 0,
	NFS_ATTR_MAPPED = 1,
};

struct nfs_server_config {
	const char *export_dir;      /* must exist and be a directory */
	unsigned versions;           /* nfs_vers_mask; 0 = both */
	bool read_only;
	enum nfs_attr_model attr_model;
	uint32_t uid, gid;           /* owner presented by the squash model */
	uint32_t server_addr;        /* our IPv4 (network order) for rpcbind GETADDR; 0 = 0.0.0.0 */
	/* optional logging; level as enum indynet_log_level */
	void (*log)(void *opaque, int level, const char *msg);
	void *log_opaque;
};

/** Who sent a call: keys the duplicate-request cache and MOUNT DUMP. */
struct nfs_peer {
	uint32_t addr;   /* IPv4, network byte order */
	uint16_t port;   /* host byte order */
};

struct nfs_server;

/**
 * nfs_server_new() - open the export and prepare the server.
 * @cfg: configuration (copied)
 * @err: receives a message naming the bad input
 * @errlen: size of @err
 *
 * Return: the server, or NULL with @err filled.
 */
struct nfs_server *nfs_server_new(const struct nfs_server_config *cfg, char *err, size_t errlen);

/**
 * nfs_server_free() - close the export and free the server.
 * @srv: server, may be NULL
 */
void nfs_server_free(struct nfs_server *srv);

/**
 * nfs_server_set_addr() - the address the server now answers at (rpcbind GETADDR).
 * @srv: server
 * @addr: IPv4 address, network byte order
 */
void nfs_server_set_addr(struct nfs_server *srv, uint32_t addr);

/**
 * nfs_server_call() - serve one RPC call datagram.
 * @srv: server
 * @peer: the caller
 * @port: the UDP port the call was sent to (111, 1234 or 2049; each port
 *        serves only its program; 0 accepts any of the three)
 * @call: the call datagram
 * @len: its length
 * @reply: reply buffer
 * @cap: its capacity (NFS_REPLY_MAX is always enough)
 *
 * Return: the reply length, or 0 when no reply is to be sent (undecodable
 * call header, a retransmission of a call still in progress).
 */
size_t nfs_server_call(struct nfs_server *srv, const struct nfs_peer *peer, uint16_t port,
		       const uint8_t *call, size_t len, uint8_t *reply, size_t cap);

#endif /* INDYNET_NFS_NFS_H */
