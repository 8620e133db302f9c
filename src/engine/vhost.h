/* SPDX-License-Identifier: MIT */
/* vhost.h: virtual hosts inside the frame path (ARP, UDP demux, IPv4 fragments). */
#ifndef INDYNET_ENGINE_VHOST_H
#define INDYNET_ENGINE_VHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indynet/indynet.h"

/*
 * A virtual host is an IPv4 address (with a MAC) that lives inside the
 * engine.  Services register (address, UDP port) and receive whole
 * datagrams; what they answer is turned into frames (fragmented to the
 * guest MTU) and emitted towards the guest.  Every guest IPv4 fragment
 * (for a virtual host or not) is held and reassembled here by the bounded
 * reassembler; a completed datagram that no service takes goes to the
 * backend whole, as one frame.  Stream services register (address, TCP
 * port) and are served by the table's small TCP (vtcp.h).  All addresses
 * are in network byte order, ports in host order.
 */

/* What a host answers itself (vhost_add_host() @flags). */
#define VHOST_ANSWER_ARP 1u  /* ARP requests for its address */
#define VHOST_ANSWER_ICMP 2u /* ICMP echo requests (ping), fragmented or not */

/* Most hosts and services one table holds. */
#define VHOST_MAX_HOSTS 8u
#define VHOST_MAX_SERVICES 32u

struct vhost_table;
struct vtcp;
struct vtcp_ops;

/** Service callback: one datagram in, a reply (0 = none) out. */
typedef size_t (*vhost_udp_fn)(void *opaque, uint32_t src_ip, uint16_t src_port,
			       uint32_t dst_ip, uint16_t dst_port,
			       const uint8_t *data, size_t len, uint8_t *reply, size_t cap);

/** Where a datagram came from: what an answer needs (host order ports, network order addresses). */
struct vhost_dgram {
	uint8_t mac[6];            /* the guest frame's source MAC: answers go there */
	uint32_t src_ip, dst_ip;   /* the guest's address, the virtual host's */
	uint16_t sport, dport;     /* the guest's port, the service's */
	uint32_t conn;             /* a stream service's connection (vtcp id); 0 = a UDP datagram */
};

/**
 * Deferred service callback: one datagram in, no answer now.  The service
 * answers later (or never) with vhost_reply_udp() on the thread that calls
 * vhost_input().  @data is valid only during the call.
 */
typedef void (*vhost_udp_defer_fn)(void *opaque, const struct vhost_dgram *from, const uint8_t *data, size_t len);

/** Where frames go: towards the guest (RX) or to the backend (reassembled datagrams). */
typedef void (*vhost_emit_fn)(void *opaque, const uint8_t *frame, size_t len);

/**
 * vhost_new() - create an empty table.
 * @mtu: guest MTU replies are fragmented to (68..65520)
 * @to_guest: emits frames for the guest
 * @to_backend: emits reassembled datagrams no service takes (one frame of
 *              up to ETH_HLEN + 65535 bytes) to the backend; NULL = none
 *              (they are dropped and counted as INDYNET_DROP_NO_SERVICE)
 * @opaque: passed to both
 *
 * Return: the table, or NULL when out of memory.
 */
struct vhost_table *vhost_new(unsigned mtu, vhost_emit_fn to_guest, vhost_emit_fn to_backend, void *opaque);

/**
 * vhost_free() - release a table.
 * @vt: table, may be NULL
 */
void vhost_free(struct vhost_table *vt);

/**
 * vhost_add_host() - add a virtual host.
 * @vt: table
 * @ip: its address
 * @mac: its MAC (source of every frame it sends)
 * @flags: VHOST_ANSWER_* (0 in NAT mode at the gateway, where libslirp
 *         answers ARP and ping itself)
 *
 * Return: 0, -EEXIST or -ENOSPC.
 */
int vhost_add_host(struct vhost_table *vt, uint32_t ip, const uint8_t mac[6], unsigned flags);

/**
 * vhost_set_bridged() - choose how fragments travel (bridge mode: true).
 * @vt: table
 * @bridged: false (NAT, the default): every guest fragment is held and the
 *           backend gets whole datagrams.  true: only fragments for a
 *           virtual host's address are held (an incomplete one never
 *           leaves); the rest pass as they are, and a reassembled datagram
 *           for a virtual host that nothing here answers goes to the
 *           backend cut to the MTU again, as a LAN needs it.
 */
void vhost_set_bridged(struct vhost_table *vt, bool bridged);

/**
 * vhost_remove_host() - remove a virtual host and every service on its address.
 * @vt: table
 * @ip: its address
 *
 * Return: 0 or -ENOENT.
 */
int vhost_remove_host(struct vhost_table *vt, uint32_t ip);

/**
 * vhost_set_host_ip() - move a host and its services to another address.
 * @vt: table
 * @old_ip: current address
 * @new_ip: new address
 * @new_mac: new MAC, or NULL to keep it
 *
 * Return: 0 or -ENOENT.
 */
int vhost_set_host_ip(struct vhost_table *vt, uint32_t old_ip, uint32_t new_ip, const uint8_t *new_mac);

/**
 * vhost_add_udp() - register a UDP service on a host's address.
 * @vt: table
 * @ip: the host's address (the host must exist)
 * @port: UDP port
 * @fn: called with each whole datagram
 * @opaque: passed to @fn
 *
 * Return: 0, -ENOENT (no such host), -EEXIST or -ENOSPC.
 */
int vhost_add_udp(struct vhost_table *vt, uint32_t ip, uint16_t port, vhost_udp_fn fn, void *opaque);

/**
 * vhost_add_udp_deferred() - register a UDP service that answers later.
 * @vt: table
 * @ip: the host's address (the host must exist)
 * @port: UDP port
 * @fn: called with each whole datagram (checksum verified)
 * @opaque: passed to @fn
 *
 * Return: 0, -ENOENT (no such host), -EEXIST or -ENOSPC.
 */
int vhost_add_udp_deferred(struct vhost_table *vt, uint32_t ip, uint16_t port, vhost_udp_defer_fn fn, void *opaque);

/**
 * vhost_add_tcp() - register a stream service on a host's address.
 * @vt: table
 * @ip: the host's address (the host must exist)
 * @port: TCP port
 * @ops: the service (see vtcp.h); connections reach it through vhost_tcp()
 * @opaque: passed to @ops->open
 *
 * Return: 0, -ENOENT (no such host), -EEXIST or -ENOSPC.
 */
int vhost_add_tcp(struct vhost_table *vt, uint32_t ip, uint16_t port, const struct vtcp_ops *ops, void *opaque);

/**
 * vhost_add_closed() - keep a port of a host's address closed (nothing passes to the backend).
 * @vt: table
 * @ip: the host's address (the host must exist)
 * @proto: IPPROTO_UDP (datagrams are dropped, counted as INDYNET_DROP_NO_SERVICE)
 *         or IPPROTO_TCP (a SYN is answered RST, counted in vtcp_stats().refused)
 * @port: the port
 *
 * Return: 0, -EINVAL (another protocol), -ENOENT (no such host), -EEXIST or -ENOSPC.
 */
int vhost_add_closed(struct vhost_table *vt, uint32_t ip, uint8_t proto, uint16_t port);

/**
 * vhost_tcp() - the table's TCP end, for a stream service's vtcp_send() and friends.
 * @vt: table
 *
 * Return: the connection table (owned by @vt).
 */
struct vtcp *vhost_tcp(struct vhost_table *vt);

/**
 * vhost_reply_udp() - answer a datagram a deferred service took.
 * @vt: table
 * @to: where the datagram came from (as passed to the service)
 * @payload: the answer's UDP payload
 * @len: its length (at most 65507)
 *
 * The answer leaves from @to->dst_ip:@to->dport to @to->mac, cut to the
 * MTU.  Call it on the thread that calls vhost_input() (also from inside
 * the service callback).
 *
 * Return: 0; -ENOENT when the host has gone (removed or moved, e.g. by a
 * subnet change: the answer is dropped); -EMSGSIZE.
 */
int vhost_reply_udp(struct vhost_table *vt, const struct vhost_dgram *to, const uint8_t *payload, size_t len);

/**
 * vhost_input() - offer one guest frame to the virtual hosts.
 * @vt: table
 * @frame: the frame (Ethernet)
 * @len: its length
 * @now_ms: monotonic time, for fragment age-out
 *
 * Return: true when consumed (answered, a fragment held for reassembly, a
 * reassembled datagram passed to the backend, or dropped and counted);
 * false when no virtual host answers it and it is not a fragment the table
 * holds (see vhost_set_bridged()): the caller passes it on.
 */
bool vhost_input(struct vhost_table *vt, const uint8_t *frame, size_t len, uint64_t now_ms);

/**
 * vhost_tick() - age out incomplete datagrams, run the TCP timers.
 * @vt: table
 * @now_ms: monotonic time
 */
void vhost_tick(struct vhost_table *vt, uint64_t now_ms);

/**
 * vhost_deadline() - when vhost_tick() must run next for the TCP timers.
 * @vt: table
 *
 * Return: a monotonic time in ms, UINT64_MAX when no timer runs (the
 * reassembly age-out needs vhost_tick() about once a second besides).
 */
uint64_t vhost_deadline(const struct vhost_table *vt);

/**
 * vhost_counters() - add the table's drop counts (reassembly included) into @drops.
 * @vt: table
 * @drops: array indexed by enum indynet_drop_reason
 */
void vhost_counters(const struct vhost_table *vt, uint64_t drops[INDYNET_DROP__COUNT]);

#endif /* INDYNET_ENGINE_VHOST_H */
