/* SPDX-License-Identifier: MIT */
/* bridge_stack.h: bridge mode's host reach into the host's own stack: an IPv4 packet delivered as it is, a neighbour entry for the guest. */
#ifndef INDYNET_BACKEND_BRIDGE_STACK_H
#define INDYNET_BACKEND_BRIDGE_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * bridge_stack_open() - open the socket bridge_stack_send() writes to.
 *
 * A raw IPv4 socket (the packet's own header goes out) bound to the
 * loopback device, non-blocking.  Needs CAP_NET_RAW.
 *
 * Return: the descriptor, or a negative errno (-ENOTSUP where the system has no such path).
 */
int bridge_stack_open(void);

/**
 * bridge_stack_send() - deliver an IPv4 packet to the host's own stack, source address kept.
 * @fd: from bridge_stack_open()
 * @ip: the packet (header checked by the caller; its total length within @len)
 * @len: bytes from @ip on
 *
 * The destination must be one of the host's addresses: the kernel routes
 * it through loopback into the local stack.  Anything else ends at the
 * loopback device and never reaches a wire.
 *
 * Return: 0, or a negative errno.
 */
int bridge_stack_send(int fd, const uint8_t *ip, size_t len);

/**
 * bridge_stack_neigh() - install or remove the host's neighbour entry for an address.
 * @ifindex: the interface the entry is on
 * @ip: the address, network order
 * @mac: its MAC (install), or NULL (remove)
 *
 * An installed entry is permanent (the host never ARPs for it): the
 * address's answers to the host's ARP never reach the host's stack.  Needs
 * CAP_NET_ADMIN.
 *
 * Return: 0, or a negative errno (-ENOENT: nothing to remove).
 */
int bridge_stack_neigh(unsigned ifindex, uint32_t ip, const uint8_t *mac);

#endif /* INDYNET_BACKEND_BRIDGE_STACK_H */
