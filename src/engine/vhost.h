/* SPDX-License-Identifier: MIT */
/* vhost.h: virtual hosts inside the frame path (ARP, UDP demux, IPv4 fragments). */
#ifndef INDYNET_ENGINE_VHOST_H
#define INDYNET_ENGINE_VHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A virtual host is an IPv4 address (with a MAC) that lives inside the
 * engine.  Services register (address, UDP port) and receive whole
 * datagrams; what they answer is turned into frames (fragmented to the
 * guest MTU) and emitted towards the guest.  Guest fragments addressed to a
 * virtual host are held and reassembled here; when the completed datagram
 * is for a port nobody serves, its original fragments are replayed to the
 * backend unchanged.
 */

struct vhost_table;

/** Service callback: one datagram in, a reply (0 = none) out. */
typedef size_t (*vhost_udp_fn)(void *opaque, uint32_t src_ip, uint16_t src_port,
			       uint32_t dst_ip, uint16_t dst_port,
			       const uint8_t *data, size_t len, uint8_t *reply, size_t cap);

/** Where frames go: towards the guest (RX) or to the backend (replay). */
typedef void (*vhost_emit_fn)(void *opaque, const uint8_t *frame, size_t len);

struct vhost_table *vhost_new(unsigned mtu, vhost_emit_fn to_guest, vhost_emit_fn to_backend, void *opaque);
void vhost_free(struct vhost_table *vt);
/* answer_arp: false in NAT mode, where libslirp answers ARP for the gateway */
int vhost_add_host(struct vhost_table *vt, uint32_t ip, const uint8_t mac[6], bool answer_arp);
int vhost_set_host_ip(struct vhost_table *vt, uint32_t old_ip, uint32_t new_ip);
int vhost_add_udp(struct vhost_table *vt, uint32_t ip, uint16_t port, vhost_udp_fn fn, void *opaque);
/* true = consumed (answered, held for reassembly, or dropped and counted) */
bool vhost_input(struct vhost_table *vt, const uint8_t *frame, size_t len, uint64_t now_ms);
void vhost_tick(struct vhost_table *vt, uint64_t now_ms);
#endif /* INDYNET_ENGINE_VHOST_H */
