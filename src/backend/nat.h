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
 * @p: subnet (network address, network byte order; prefix 1..30, validated
 *     by the caller), guest MTU (libslirp's if_mtu and if_mru) and flow cap
 * @host: callbacks into the engine (copied)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the backend, or NULL with @err filled.
 */
struct backend *nat_new(const struct backend_params *p, const struct backend_host *host, char *err, size_t errlen);

/**
 * nat_fwd_bind_error() - why a forward's host socket did not bind, for IPv4 and IPv6 forwards.
 * @text: the forward's spec (indynet_forward_format(), indynet_forward6_format())
 * @host_port: its host port
 * @rc: the bind's -errno
 * @err: receives "forward 'SPEC': ..." (in use, no permission, or the errno's text)
 * @errlen: size of @err
 */
void nat_fwd_bind_error(const char *text, uint16_t host_port, int rc, char *err, size_t errlen);

#endif /* INDYNET_BACKEND_NAT_H */
