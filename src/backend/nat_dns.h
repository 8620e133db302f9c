/* SPDX-License-Identifier: MIT */
/* nat_dns.h: DNS at the gateway: address rewrites between the guest's wire and libslirp. */
#ifndef INDYNET_BACKEND_NAT_DNS_H
#define INDYNET_BACKEND_NAT_DNS_H

#include <stddef.h>
#include <stdint.h>

/*
 * libslirp relays DNS sent to its vnameserver address.  The guest sees DNS
 * at the gateway instead; libslirp's vnameserver is a hidden address (the
 * subnet's broadcast address) that never appears on the guest's wire.  All
 * addresses here are in network byte order.
 */

/** The addresses the rewrites work with. */
struct nat_dns_map {
	uint32_t net;    /* network address */
	uint32_t mask;   /* netmask */
	uint32_t gw;     /* the gateway: DNS as the guest sees it */
	uint32_t hidden; /* libslirp's vnameserver: the subnet's broadcast address */
	/*
	 * 0, or in a map that relays DNS for an earlier subnet (nat_stale.h)
	 * the current gateway: libslirp sends its UDP DNS answers from there,
	 * and they too must come from this map's gateway
	 */
	uint32_t relay_from;
};

/** What to do with one frame. */
enum nat_dns_verdict {
	NAT_DNS_PASS = 0, /* unchanged */
	NAT_DNS_REWRITE,  /* rewrite it (a copy) first */
	NAT_DNS_DROP,     /* never deliver it */
};

/**
 * nat_dns_map_init() - the addresses for a subnet.
 * @m: receives the map
 * @net: network address
 * @prefix: prefix length, 1..30
 */
void nat_dns_map_init(struct nat_dns_map *m, uint32_t net, unsigned prefix);

/**
 * nat_dns_guest_verdict() - judge a guest frame on its way to libslirp.
 * @m: map
 * @frame: Ethernet frame
 * @len: its length
 *
 * Return: NAT_DNS_REWRITE for an unfragmented UDP or TCP packet to the
 * gateway's port 53; NAT_DNS_DROP for any packet to the hidden address;
 * NAT_DNS_PASS otherwise.
 */
enum nat_dns_verdict nat_dns_guest_verdict(const struct nat_dns_map *m, const uint8_t *frame, size_t len);

/**
 * nat_dns_guest_rewrite() - point a guest DNS packet at the hidden address.
 * @m: map
 * @frame: a frame nat_dns_guest_verdict() returned NAT_DNS_REWRITE for
 * @len: its length
 *
 * The IPv4 and UDP/TCP checksums are updated incrementally (RFC 1624).
 */
void nat_dns_guest_rewrite(const struct nat_dns_map *m, uint8_t *frame, size_t len);

/**
 * nat_dns_slirp_verdict() - judge a libslirp frame on its way to the guest.
 * @m: map
 * @frame: Ethernet frame
 * @len: its length
 *
 * Return: NAT_DNS_REWRITE for an IPv4 packet from the hidden address (or
 * from port 53 of @m->relay_from), for
 * an ICMP error quoting a packet to it, for an ICMP error about a packet
 * to the gateway that does not come from the gateway, for an ICMP error
 * from a loopback address (127/8), and for a DHCP reply from the gateway; NAT_DNS_DROP for a DHCP reply whose
 * offered address is not a host address of the subnet (libslirp hands out
 * addresses past the end of a small subnet); NAT_DNS_PASS otherwise.
 */
enum nat_dns_verdict nat_dns_slirp_verdict(const struct nat_dns_map *m, const uint8_t *frame, size_t len);

/**
 * nat_dns_slirp_rewrite() - show the guest the gateway instead of the hidden address.
 * @m: map
 * @frame: a frame nat_dns_slirp_verdict() returned NAT_DNS_REWRITE for
 * @len: its length
 *
 * The source address becomes the gateway's; so does the destination of
 * the packet an ICMP error quotes, and in a DHCP reply every address of
 * option 6 (DNS servers) equal to the hidden one.  An ICMP error about a
 * packet to the gateway, or from a loopback address, gets the quoted
 * destination (the address the guest sent to) as its source.  Checksums
 * are kept right.
 */
void nat_dns_slirp_rewrite(const struct nat_dns_map *m, uint8_t *frame, size_t len);

/**
 * nat_dns_lease() - the address a DHCPACK from the gateway hands the guest.
 * @m: map
 * @frame: a libslirp frame for the guest
 * @len: its length
 *
 * Return: the ACK's yiaddr when it is a host address of the subnet, else 0.
 */
uint32_t nat_dns_lease(const struct nat_dns_map *m, const uint8_t *frame, size_t len);

#endif /* INDYNET_BACKEND_NAT_DNS_H */
