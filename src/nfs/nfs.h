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

/** Largest reply the server produces for a UDP call (fits a UDP datagram). */
#define NFS_REPLY_MAX 65507u
/** READ/WRITE data of one NFSv3 call over TCP (FSINFO rtmax/wtmax/rtpref/wtpref then). */
#define NFS_STREAM_XFER_MAX (1u << 20)
/** Largest call record taken and reply produced over TCP: the data plus room for the headers. */
#define NFS_STREAM_RECORD_MAX (NFS_STREAM_XFER_MAX + 4096u)

enum nfs_vers_mask {
	NFS_SERVE_V2 = 1u << 0,
	NFS_SERVE_V3 = 1u << 1,
};

enum nfs_transport_mask {
	NFS_SERVE_UDP = 1u << 0,
	NFS_SERVE_TCP = 1u << 1,
};

enum nfs_attr_model {
	NFS_ATTR_SQUASH = 0,
	NFS_ATTR_MAPPED = 1,
};

struct nfs_server_config {
	const char *export_dir;      /* must exist and be a directory */
	unsigned versions;           /* nfs_vers_mask; 0 = both */
	unsigned transports;         /* nfs_transport_mask portmap reports; 0 = both */
	bool read_only;
	enum nfs_attr_model attr_model;
	uint32_t uid, gid;           /* owner presented by the squash model */
	uint32_t server_addr;        /* our IPv4 (network order) for rpcbind GETADDR; 0 = 0.0.0.0 */
	unsigned cache_nodes;        /* objects of the export cached at most; 0 = 65536 (least 64) */
	unsigned cache_fds;          /* descriptors kept open at most; 0 = 512 (least 16) */
	/* optional logging; level as enum indynet_log_level */
	void (*log)(void *opaque, int level, const char *msg);
	void *log_opaque;
};

/** Who sent a call: keys the duplicate-request cache and MOUNT DUMP. */
struct nfs_peer {
	uint32_t addr;   /* IPv4, network byte order */
	uint16_t port;   /* host byte order */
	bool stream;     /* the call came over TCP: NFS_STREAM_XFER_MAX transfers, NFS_STREAM_RECORD_MAX replies */
};

/** struct nfs_stats - the server's cache figures and handle resolutions (nfs_server_stats()). */
struct nfs_stats {
	uint32_t nodes, nodes_max;          /* objects cached now; the bound */
	uint64_t node_hits, node_misses;    /* handles found in the cache, or not */
	uint32_t fds, fds_max;              /* descriptors cached now; the bound */
	uint64_t fd_hits, fd_misses;
	uint32_t drc_entries;               /* duplicate-request cache entries */
	uint64_t handles_kernel;            /* misses resolved by the kernel file handle */
	uint64_t handles_searched;          /* misses resolved by a directory scan or search */
	uint64_t handles_jukebox;           /* calls answered JUKEBOX (v3) or not at all (v2) meanwhile */
	uint64_t handles_stale;             /* handles found to name nothing of the export */
	uint64_t search_entries;            /* directory entries the background search read */
};

struct nfs_server;

/* Procedures of each NFS version (RFC 1094 section 2.2, RFC 1813 section 3.3). */
#define NFS_V2_PROCS 18u
#define NFS_V3_PROCS 22u

/* Clients the mount list keeps at most (the oldest is forgotten first). */
#define NFS_CLIENTS_MAX 64u

/** struct nfs_client - a client that mounted the export (nfs_server_clients()). */
struct nfs_client {
	uint32_t addr;       /* IPv4, network byte order */
	char path[256];      /* the path it mounted (cut to fit) */
};

/**
 * nfs_server_new() - open the export and prepare the server.
 * @cfg: configuration (copied)
 * @err: receives a message naming the bad input
 * @errlen: size of @err
 *
 * Return: the server, or NULL with @err filled and errno ENOMEM (out of
 * memory) or EINVAL (the configuration or the export).
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

/*
 * Two-phase service, for a caller that runs calls on a worker thread
 * (src/engine/nfsvc.c): nfs_server_admit() is cheap and never touches the
 * export, so the frame path may call it; it consults the duplicate-request
 * cache and enters a new non-idempotent call as "in progress".  The call
 * then runs on the worker with nfs_server_run(), or is given up with
 * nfs_server_cancel() (e.g. the queue was full).  nfs_server_call() is
 * admit + run.
 *
 * Threads: admit and cancel may run on one thread while run runs on
 * another; the cache has its own lock.  Calls into the export are
 * serialised by the server; a handle search runs on a thread of the
 * export's own (src/nfs/fsseek.c).
 */

/** enum nfs_admit - what nfs_server_admit() decided. */
enum nfs_admit {
	NFS_ADMIT_RUN = 0,   /* run it: nfs_server_run() or nfs_server_cancel() */
	NFS_ADMIT_DROP,      /* a retransmission of a call still in progress: no reply */
	NFS_ADMIT_REPLY,     /* answered before: the cached reply was copied out */
};

/** struct nfs_ticket - an admitted call's place in the duplicate-request cache. */
struct nfs_ticket {
	uint32_t xid, prog, vers, proc;
	bool in_drc;         /* entered as in progress: run or cancel must settle it */
};

/**
 * nfs_server_admit() - look a call up in the duplicate-request cache.
 * @srv: server
 * @peer: the caller
 * @port: the port the call was sent to (as for nfs_server_call())
 * @call: the call datagram
 * @len: its length
 * @reply: receives a cached reply on NFS_ADMIT_REPLY
 * @cap: its capacity
 * @rlen: receives the cached reply's length
 * @tk: receives the ticket to pass to nfs_server_run() or nfs_server_cancel()
 *
 * Return: an enum nfs_admit.
 */
enum nfs_admit nfs_server_admit(struct nfs_server *srv, const struct nfs_peer *peer, uint16_t port,
				const uint8_t *call, size_t len, uint8_t *reply, size_t cap, size_t *rlen,
				struct nfs_ticket *tk);

/**
 * nfs_server_run() - serve an admitted call.
 * @srv: server
 * @peer: the caller
 * @port: the port the call was sent to
 * @call: the call datagram
 * @len: its length
 * @tk: the ticket from nfs_server_admit()
 * @reply: reply buffer
 * @cap: its capacity
 *
 * Return: the reply length, or 0 when no reply is to be sent.
 */
size_t nfs_server_run(struct nfs_server *srv, const struct nfs_peer *peer, uint16_t port, const uint8_t *call,
		      size_t len, const struct nfs_ticket *tk, uint8_t *reply, size_t cap);

/**
 * nfs_reply_bound() - the most bytes the reply to a call over TCP can take.
 * @call: the call record
 * @len: its length
 *
 * An NFSv3 READ's reply is its count (at most NFS_STREAM_XFER_MAX) plus
 * 4 KiB of headers; every other reply fits NFS_REPLY_MAX.  Reads only the
 * call's header and first arguments; any call it cannot decode gets
 * NFS_REPLY_MAX (the server answers it with an error, if at all).
 *
 * Return: a bound of at most NFS_STREAM_RECORD_MAX.
 */
size_t nfs_reply_bound(const uint8_t *call, size_t len);

/**
 * nfs_server_stats() - the server's cache figures (any thread).
 * @srv: server
 * @out: receives them
 */
void nfs_server_stats(struct nfs_server *srv, struct nfs_stats *out);

/**
 * nfs_server_cancel() - give up an admitted call without running it.
 * @srv: server
 * @peer: the caller
 * @tk: the ticket from nfs_server_admit(); a retransmission will run anew
 */
void nfs_server_cancel(struct nfs_server *srv, const struct nfs_peer *peer, const struct nfs_ticket *tk);

/**
 * nfs_server_proc_calls() - calls run per procedure of one NFS version (any thread).
 * @srv: server
 * @vers: 2 or 3
 * @out: receives the counts, indexed by procedure number
 * @max: capacity of @out (fewer entries are filled when it is short)
 *
 * Return: the number of procedures of @vers (NFS_V2_PROCS, NFS_V3_PROCS), or -1.
 */
int nfs_server_proc_calls(struct nfs_server *srv, unsigned vers, uint64_t *out, size_t max);

/**
 * nfs_server_clients() - the clients that mounted the export and have not unmounted (any thread).
 * @srv: server
 * @out: receives them, oldest first
 * @max: capacity of @out
 *
 * The list is the one MOUNT DUMP answers: at most NFS_CLIENTS_MAX entries,
 * the oldest forgotten first.
 *
 * Return: the number of clients (may exceed @max).
 */
size_t nfs_server_clients(struct nfs_server *srv, struct nfs_client *out, size_t max);

/**
 * nfs_proc_name() - the name of an NFS procedure, "getattr", "readdirplus"...
 * @vers: 2 or 3
 * @proc: procedure number
 *
 * Return: a static lower-case string, or NULL for an unknown version or procedure.
 */
const char *nfs_proc_name(unsigned vers, unsigned proc);

#endif /* INDYNET_NFS_NFS_H */
