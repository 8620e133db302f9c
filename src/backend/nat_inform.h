/* SPDX-License-Identifier: MIT */
/* nat_inform.h: DHCPINFORM answered by the NAT itself (router, DNS, mask; no lease). */
#ifndef INDYNET_BACKEND_NAT_INFORM_H
#define INDYNET_BACKEND_NAT_INFORM_H

#include <stddef.h>
#include <stdint.h>

#include "backend/nat_dns.h"

/*
 * A client whose address is configured by hand asks the DHCP server for
 * the rest of its settings with DHCPINFORM (RFC 2131 3.4, 4.3.5): dhcpcd
 * --inform, Windows, some PROMs.  libslirp answers only DISCOVER and
 * REQUEST, so such a client waits and retries forever.  The NAT backend
 * answers it with a DHCPACK that carries the router, the DNS server (both
 * the gateway), the netmask and the server identifier, with no address
 * and no lease time, sent to the client's address.
 */

/* Room a reply frame needs: Ethernet, IPv4, UDP and a 300-byte BOOTP message. */
#define NAT_INFORM_FRAME_MAX (14u + 20u + 8u + 300u)

/**
 * nat_inform_reply() - answer a guest DHCPINFORM.
 * @m: the current subnet's map (gateway, netmask)
 * @frame: a guest Ethernet frame
 * @len: its length
 * @out: receives the reply frame
 * @cap: its size, at least NAT_INFORM_FRAME_MAX
 *
 * The request must be a well-formed, unfragmented UDP datagram from port
 * 68 to port 67 of the gateway or of 255.255.255.255, with a BOOTP request
 * (Ethernet, 6-byte addresses, the DHCP magic cookie) whose message type
 * is DHCPINFORM, from a host address of the current subnet (ciaddr, else
 * the IPv4 source).
 *
 * Return: the reply's length, or 0 when @frame is not such a request.
 */
size_t nat_inform_reply(const struct nat_dns_map *m, const uint8_t *frame, size_t len, uint8_t *out, size_t cap);

#endif /* INDYNET_BACKEND_NAT_INFORM_H */
