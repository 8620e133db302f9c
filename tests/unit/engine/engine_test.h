/* SPDX-License-Identifier: MIT */
/* engine_test.h: frame builders and parsers shared by the engine unit tests. */
#ifndef INDYNET_TEST_ENGINE_TEST_H
#define INDYNET_TEST_ENGINE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "indynet/indynet.h"

#define T_GUEST_MAC { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }

/* DHCP message types (RFC 2132 option 53) */
#define DHCP_DISCOVER 1
#define DHCP_OFFER 2
#define DHCP_REQUEST 3
#define DHCP_ACK 5
#define DHCP_NAK 6

/** IPv4 address a.b.c.d in network byte order. */
uint32_t t_ip(unsigned a, unsigned b, unsigned c, unsigned d);

/**
 * t_udp_frame() - build Ethernet + IPv4 + UDP (checksummed) around @data.
 * Return: the frame length.
 */
size_t t_udp_frame(uint8_t *buf, const uint8_t dst_mac[6], const uint8_t src_mac[6], uint32_t src, uint32_t dst,
		   uint16_t sport, uint16_t dport, const void *data, size_t len, uint16_t ip_id);

/** t_arp_request() - an ARP request from @mac/@spa for @tpa; returns the frame length. */
size_t t_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t spa, uint32_t tpa);

/**
 * t_dhcp_frame() - a broadcast DHCP DISCOVER or REQUEST from @mac.
 * @req_ip: option 50 (requested address), 0 = none
 * @server: option 54 (server identifier), 0 = none
 * Return: the frame length.
 */
size_t t_dhcp_frame(uint8_t *buf, const uint8_t mac[6], uint8_t type, uint32_t xid, uint32_t req_ip,
		    uint32_t server);

/**
 * t_dhcp_frame_to() - a DHCP message from @src_ip:68 to @dst_ip:67 (@dst_mac), ciaddr = @src_ip.
 * Return: the frame length.
 */
size_t t_dhcp_frame_to(uint8_t *buf, const uint8_t mac[6], uint8_t type, uint32_t xid, uint32_t req_ip,
		       uint32_t server, uint32_t src_ip, uint32_t dst_ip, const uint8_t dst_mac[6]);

/**
 * t_dhcp_reply() - parse a frame as a DHCP reply for @xid.
 * @yiaddr: receives the offered address (network order)
 * Return: the DHCP message type, or 0 when the frame is not such a reply.
 */
int t_dhcp_reply(const uint8_t *frame, size_t len, uint32_t xid, uint32_t *yiaddr);

/**
 * t_wait_frame() - poll the engine's RX ring until @match accepts a frame.
 * Frames not accepted are discarded.  Return: the frame length, 0 on timeout.
 */
size_t t_wait_frame(indynet_engine *e, uint8_t *buf, size_t cap, int timeout_ms,
		    int (*match)(const uint8_t *f, size_t len, void *arg), void *arg);

/**
 * t_start_nat() - create and start a NAT engine with the default configuration.
 * @subnet: NAT subnet ("a.b.c.d/n"), NULL = the default 192.168.0.0/24
 * Return: the running engine (asserts on failure).
 */
indynet_engine *t_start_nat(const char *subnet);

/** t_match_arp() - a t_wait_frame() matcher: any ARP frame. */
int t_match_arp(const uint8_t *f, size_t len, void *arg);

/**
 * t_guest_arp() - the guest (T_GUEST_MAC, 192.168.0.2) asks for the gateway's
 * MAC, so that libslirp learns its own; asserts an ARP frame comes back.
 */
void t_guest_arp(indynet_engine *e);

#endif /* INDYNET_TEST_ENGINE_TEST_H */
