/* SPDX-License-Identifier: MIT */
/* nat_restrict.h: the restricted NAT guest (--restrict): which of its frames may reach libslirp. */
#ifndef INDYNET_BACKEND_NAT_RESTRICT_H
#define INDYNET_BACKEND_NAT_RESTRICT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indynet/indynet.h"

/*
 * A restricted guest reaches nothing outside (QEMU's restrict=on), yet
 * keeps what it needs from its gateway: DHCP and DHCPv6, DNS at the gateway
 * (UDP and TCP), echo to the gateway, neighbour discovery, and the
 * connections of the forwards, which the host opens.  libslirp's own
 * "restricted" flag cannot be used: it drops DNS too.
 *
 * The verdict is taken on the guest's frames before libslirp sees them:
 *   - a TCP SYN without ACK opens a connection: only to DNS at the gateway;
 *     every other segment passes (the forwards' connections were opened by
 *     the host; libslirp resets segments of connections it does not know,
 *     without a socket);
 *   - UDP: to DHCP (67, 547), to DNS and TFTP at the gateway, or from the guest port
 *     of a UDP forward (its answers);
 *   - ICMP and ICMPv6 echo requests: to the gateway only; errors and
 *     neighbour discovery pass;
 *   - anything else IP (other protocols, malformed headers) is refused;
 *     frames that are not IP (ARP) pass.
 * Worked example, gateway 10.0.2.2, forward udp:5353:53: the guest's DHCP
 * and its query to 10.0.2.2:53 pass, its answer from port 53 to the host
 * passes, a SYN to 10.0.2.2:22 or to 192.0.2.1:80 and a ping of 192.0.2.1
 * are refused.  All addresses are in network byte order.
 */

/** What the filter knows of the guest's world. */
struct nat_restrict {
	uint32_t gw;                        /* IPv4 gateway (DNS too) */
	struct in6_addr gw6, dns6;          /* IPv6 gateway and DNS */
	const struct indynet_forward *fwd;  /* the forwards */
	size_t nfwd;
	const struct indynet_forward6 *fwd6; /* the IPv6 forwards */
	size_t nfwd6;
};

/**
 * nat_restrict_allows() - may this guest frame reach libslirp?
 * @r: the guest's world
 * @frame: Ethernet frame
 * @len: its length
 *
 * Return: true when it may; false when the caller drops it
 * (INDYNET_DROP_BACKEND).
 */
bool nat_restrict_allows(const struct nat_restrict *r, const uint8_t *frame, size_t len);

#endif
