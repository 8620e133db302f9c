/* SPDX-License-Identifier: MIT */
/* dhcp_nak.h: a DHCP server that only says no, left at the old gateway after a subnet change. */
#ifndef INDYNET_ENGINE_DHCP_NAK_H
#define INDYNET_ENGINE_DHCP_NAK_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT 67

/**
 * dhcp_nak_reply() - answer a DHCPREQUEST with a DHCPNAK (a vhost_udp_fn).
 * @opaque: unused
 * @src_ip: the client's address
 * @src_port: its port
 * @dst_ip: the address the request was sent to (becomes the server identifier)
 * @dst_port: DHCP_SERVER_PORT
 * @data: the BOOTP/DHCP message
 * @len: its length
 * @reply: receives the NAK
 * @cap: its capacity
 *
 * A guest that renews its lease by unicast to the gateway it knew gets a
 * NAK, drops the lease and starts over with DISCOVER, which the NAT backend
 * answers in the new subnet.  Anything that is not a well-formed
 * DHCPREQUEST gets no answer.
 *
 * Return: the reply length, or 0 for no reply.
 */
size_t dhcp_nak_reply(void *opaque, uint32_t src_ip, uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
		      const uint8_t *data, size_t len, uint8_t *reply, size_t cap);

#endif /* INDYNET_ENGINE_DHCP_NAK_H */
