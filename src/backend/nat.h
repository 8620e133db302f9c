/* SPDX-License-Identifier: MIT */
/* nat.h: the NAT backend (libslirp): DHCP, DNS relay at the gateway, ICMP echo, TCP/UDP NAT, forwards. */
#ifndef INDYNET_BACKEND_NAT_H
#define INDYNET_BACKEND_NAT_H

#include "backend/backend.h"

/*
 * Host offsets inside the NAT subnet.  DNS is served at the gateway; the
 * address libslirp relays DNS at is hidden from the guest (nat_dns.h).
 */
#define NAT_GATEWAY_HOST 1u
#define NAT_GUEST_HOST 2u

/**
 * nat_new() - create a NAT backend on a libslirp instance.
 * @net: subnet network address, network byte order (validated by the caller)
 * @prefix: subnet prefix length, 1..30
 * @mtu: guest MTU (libslirp's if_mtu and if_mru)
 * @host: callbacks into the engine (copied)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the backend, or NULL with @err filled.
 */
struct backend *nat_new(uint32_t net, unsigned prefix, unsigned mtu, const struct backend_host *host,
			char *err, size_t errlen);

/**
 * nat_set_subnet() - move the backend to another subnet (engine thread).
 * @b: a backend made by nat_new()
 * @net: new network address, network byte order
 * @prefix: new prefix length
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * The libslirp instance is recreated (its connections and leases are lost)
 * and the forwards are added again; a forward whose host port can no
 * longer be bound is dropped and named in @err.
 *
 * Return: 0, or a negative errno (the old subnet stays when -ENOMEM).
 */
int nat_set_subnet(struct backend *b, uint32_t net, unsigned prefix, char *err, size_t errlen);

/**
 * nat_gateway_mac() - the MAC libslirp uses for its gateway: 52:55 + the IPv4 address.
 * @gw: gateway address, network byte order
 * @mac: receives the address
 */
void nat_gateway_mac(uint32_t gw, uint8_t mac[6]);

/**
 * nat_host_addr() - address of host number @host inside a subnet.
 * @net: network address, network byte order
 * @host: host number (NAT_GATEWAY_HOST ...)
 *
 * Return: the address, network byte order.
 */
uint32_t nat_host_addr(uint32_t net, unsigned host);

#endif /* INDYNET_BACKEND_NAT_H */
