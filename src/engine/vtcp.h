/* SPDX-License-Identifier: MIT */
/* vtcp.h: a small server-side TCP for virtual hosts: passive open, in-order receive, bounded buffers. */
#ifndef INDYNET_ENGINE_VTCP_H
#define INDYNET_ENGINE_VTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tcp.h"
#include "engine/vhost.h"

/*
 * The TCP end of a virtual host's stream services (portmap, MOUNT and NFS
 * over TCP).  It lives in the frame path, opens no host socket and
 * speaks only to the guest: segments in through vtcp_input(), segments
 * out through the emit callback as IPv4 packets.  A service sees a
 * connection as an id, bytes in order (ops->recv) and vtcp_send().  See
 * the theory of operation in vtcp.c.
 */

#define VTCP_MAX_CONNS 32u        /* connections per table */
#define VTCP_MAX_PER_PEER 8u      /* connections per guest address */
#define VTCP_RCV_BUF 65535u       /* received bytes a service has not taken yet (the window) */
#define VTCP_RCV_BUF_SCALED (512u << 10) /* the same, when the guest offered window scaling */
#define VTCP_RCV_WSCALE 4u        /* our shift then (RFC 7323): 512 KiB is 32768 << 4 */
#define VTCP_FLIGHT_MAX (128u << 10) /* bytes in flight at most, whatever the guest's window */
#define VTCP_SND_BUF (2304u << 10) /* bytes sent and not yet acknowledged, plus those waiting: two 1 MiB answers */
#define VTCP_IDLE_MS (6u * 60u * 1000u) /* default: no segment for this long resets */

/** struct vtcp_ops - a stream service. */
struct vtcp_ops {
	/* a guest opened a connection (SYN); return the service's state, NULL refuses (RST) */
	void *(*open)(void *opaque, uint32_t id, const struct vhost_dgram *ends);
	/* bytes in order; return how many were taken (the rest is offered again after
	 * vtcp_resume() or when acknowledged data frees send room) */
	size_t (*recv)(void *conn, const uint8_t *data, size_t len);
	/* optional: the guest acknowledged bytes and nothing waits to be offered (send room grew) */
	void (*acked)(void *conn);
	/* the connection is gone (closed, reset, timed out, table freed); @conn is not used again */
	void (*close)(void *conn);
};

/** struct vtcp_stats - what the table saw (vtcp_stats()). */
struct vtcp_stats {
	uint64_t opened, closed, resets_sent, resets_rcvd, refused, timeouts;
	uint64_t retransmits, out_of_order, bad_segments;
	unsigned conns;          /* open now */
};

/** Emits one IPv4 packet from @src_ip (a virtual host) to the guest at @mac. */
typedef void (*vtcp_emit_fn)(void *opaque, const uint8_t mac[6], uint32_t src_ip, const uint8_t *pkt, size_t len);

struct vtcp;

/**
 * vtcp_new() - an empty connection table.
 * @mtu: the guest MTU (segments carry at most @mtu - 40 bytes)
 * @emit: sends packets towards the guest
 * @opaque: passed to @emit
 *
 * Return: the table, or NULL when out of memory.
 */
struct vtcp *vtcp_new(unsigned mtu, vtcp_emit_fn emit, void *opaque);

/**
 * vtcp_free() - close every connection (ops->close, nothing sent) and free the table.
 * @t: table, may be NULL
 */
void vtcp_free(struct vtcp *t);

/**
 * vtcp_input() - one checked segment from the guest to a listening port.
 * @t: table
 * @ends: the guest's MAC, address and port, the virtual host's address and port
 * @seg: the segment (tcp_parse() passed)
 * @ops: the service listening on the port
 * @opaque: passed to @ops->open
 * @now_ms: monotonic time
 */
void vtcp_input(struct vtcp *t, const struct vhost_dgram *ends, const struct tcp_view *seg,
		const struct vtcp_ops *ops, void *opaque, uint64_t now_ms);

/**
 * vtcp_send() - queue bytes on a connection (all or nothing) and send what the window allows.
 * @t: table
 * @id: the connection
 * @data: bytes
 * @len: their number
 *
 * Return: 0; -ENOENT when the connection has gone (or is closing);
 * -ENOBUFS when they do not fit vtcp_send_room().
 */
int vtcp_send(struct vtcp *t, uint32_t id, const uint8_t *data, size_t len);

/**
 * vtcp_send_room() - bytes vtcp_send() would take now.
 * @t: table
 * @id: the connection
 *
 * Return: 0 when the connection has gone.
 */
size_t vtcp_send_room(const struct vtcp *t, uint32_t id);

/**
 * vtcp_resume() - the service can take bytes again: offer what was left, open the window.
 * @t: table
 * @id: the connection (gone: nothing happens)
 */
void vtcp_resume(struct vtcp *t, uint32_t id);

/**
 * vtcp_service() - the service's state of a connection.
 * @t: table
 * @id: the connection
 *
 * Return: what ops->open returned, or NULL when the connection has gone.
 */
void *vtcp_service(const struct vtcp *t, uint32_t id);

/**
 * vtcp_set_idle() - reset the connection after @ms without a segment from the guest.
 * @t: table
 * @id: the connection
 * @ms: the timeout (VTCP_IDLE_MS until set)
 */
void vtcp_set_idle(struct vtcp *t, uint32_t id, unsigned ms);

/**
 * vtcp_abort() - reset a connection (RST to the guest, then ops->close).
 * @t: table
 * @id: the connection (gone: nothing happens)
 *
 * May be called from inside the service's callbacks.
 */
void vtcp_abort(struct vtcp *t, uint32_t id);

/**
 * vtcp_tick() - retransmit, probe and time out what is due.
 * @t: table
 * @now_ms: monotonic time
 */
void vtcp_tick(struct vtcp *t, uint64_t now_ms);

/**
 * vtcp_deadline() - when vtcp_tick() next has work.
 * @t: table
 *
 * Return: a monotonic time in ms, UINT64_MAX when no timer runs.
 */
uint64_t vtcp_deadline(const struct vtcp *t);

/**
 * vtcp_stats() - the table's counters.
 * @t: table
 * @out: receives them
 */
void vtcp_stats(const struct vtcp *t, struct vtcp_stats *out);

#endif /* INDYNET_ENGINE_VTCP_H */
