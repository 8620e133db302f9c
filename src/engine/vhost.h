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
 * backend whole, as one frame.  All addresses are in network byte order,
 * ports in host order.
 */

/* Most hosts and services one table holds. */
#define VHOST_MAX_HOSTS 8u
#define VHOST_MAX_SERVICES 32u

struct vhost_table;

/** Service callback: one datagram in, a reply (0 = none) out. */
typedef size_t (*vhost_udp_fn)(void *opaque, uint32_t src_ip, uint16_t src_port,
			       uint32_t dst_ip, uint16_t dst_port,
			       const uint8_t *data, size_t len, uint8_t *reply, size_t cap);

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
 * @answer_arp: answer ARP requests for @ip (false in NAT mode, where
 *              libslirp answers ARP for the gateway)
 *
 * Return: 0, -EEXIST or -ENOSPC.
 */
int vhost_add_host(struct vhost_table *vt, uint32_t ip, const uint8_t mac[6], bool answer_arp);

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
 * vhost_input() - offer one guest frame to the virtual hosts.
 * @vt: table
 * @frame: the frame (Ethernet)
 * @len: its length
 * @now_ms: monotonic time, for fragment age-out
 *
 * Return: true when consumed (answered, a fragment held for reassembly, a
 * reassembled datagram passed to the backend, or dropped and counted);
 * false when the frame is not for a virtual host and not a fragment, and
 * the caller passes it on.
 */
bool vhost_input(struct vhost_table *vt, const uint8_t *frame, size_t len, uint64_t now_ms);

/**
 * vhost_tick() - age out incomplete datagrams.
 * @vt: table
 * @now_ms: monotonic time
 */
void vhost_tick(struct vhost_table *vt, uint64_t now_ms);

/**
 * vhost_counters() - add the table's drop counts (reassembly included) into @drops.
 * @vt: table
 * @drops: array indexed by enum indynet_drop_reason
 */
void vhost_counters(const struct vhost_table *vt, uint64_t drops[INDYNET_DROP__COUNT]);

#endif /* INDYNET_ENGINE_VHOST_H */
