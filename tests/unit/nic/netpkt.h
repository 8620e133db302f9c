/* SPDX-License-Identifier: MIT */
/* netpkt.h: minimal DHCP / ARP / ICMP / TCP frame builders and parsers for the NIC's NAT tests. */
#ifndef NIC_TEST_NETPKT_H
#define NIC_TEST_NETPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_DHCP_DISCOVER 1
#define NP_DHCP_OFFER 2
#define NP_DHCP_REQUEST 3
#define NP_DHCP_ACK 5

struct np_dhcp {
	int type;          /* 0 when the frame is not a matching DHCP reply */
	uint32_t yiaddr;   /* host byte order */
	uint32_t server;
	uint32_t router;
};

/* Build a broadcast DHCP client message; returns the frame length. */
size_t np_dhcp_build(uint8_t *buf, const uint8_t mac[6], int type, uint32_t xid, uint32_t req_ip, uint32_t server);
/* Parse a DHCP server reply for @xid. */
bool np_dhcp_parse(const uint8_t *f, size_t len, uint32_t xid, struct np_dhcp *out);
size_t np_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t sip, uint32_t tip);
/* True when @f is an ARP reply from @tip; its MAC goes to @mac. */
bool np_arp_reply(const uint8_t *f, size_t len, uint32_t tip, uint8_t mac[6]);
size_t np_icmp_echo(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6], uint32_t sip, uint32_t dip,
		    uint16_t id, uint16_t seq, size_t payload);
/* True when @f is an echo reply from @sip with @id/@seq and an intact payload of @payload bytes. */
bool np_icmp_reply(const uint8_t *f, size_t len, uint32_t sip, uint16_t id, uint16_t seq, size_t payload);
uint16_t np_csum(const void *data, size_t len);

#define NP_TCP_FIN 0x01
#define NP_TCP_SYN 0x02
#define NP_TCP_PSH 0x08
#define NP_TCP_ACK 0x10

/* One TCP segment (addresses and ports in host byte order). */
struct np_tcp {
	uint32_t sip, dip;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *data;
	size_t len;
};

/* Build an Ethernet/IPv4/TCP frame (no options, window 65535); returns its length. */
size_t np_tcp_build(uint8_t *buf, const struct np_tcp *t, const uint8_t src[6], const uint8_t dst[6]);
/* Parse a TCP frame with valid IPv4 and TCP checksums; @t->data points into @f. */
bool np_tcp_parse(const uint8_t *f, size_t len, struct np_tcp *t);

#endif
