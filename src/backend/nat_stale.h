/* SPDX-License-Identifier: MIT */
/* nat_stale.h: guests still on a lease of an earlier NAT subnet: held inside the host, DNS relayed. */
#ifndef INDYNET_BACKEND_NAT_STALE_H
#define INDYNET_BACKEND_NAT_STALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/nat_dns.h"

/*
 * After a subnet change the guest keeps its old address until it renews.
 * libslirp knows only the new subnet, so it would NAT whatever the guest
 * sends to its old gateway or old neighbours to the host's network, where
 * the same addresses may well be real (the user's router).  The NAT
 * backend remembers the subnets it served before and holds such traffic in:
 * a frame from an address of an earlier subnet to an address of that same
 * subnet is dropped (INDYNET_DROP_OLD_SUBNET), except DNS to the old
 * gateway, which is relayed as DNS to the current gateway is (the relay
 * map below), with the answers coming from the old gateway.  A guest that
 * has moved into the current subnet reaches the old subnet's addresses
 * through the NAT as any other outside address (a LAN that used to collide
 * with the default subnet, say).  Addresses are in network byte order.
 */

/* Earlier subnets remembered; a change past that forgets the oldest. */
#define NAT_STALE_MAX 8u

/** The subnets served before the current one, newest first. */
struct nat_stale {
	struct nat_dns_map old[NAT_STALE_MAX];
	unsigned n;
};

/**
 * nat_stale_push() - remember the subnet just left.
 * @s: list
 * @prev: the map of the subnet left
 * @cur: the map of the subnet now served (forgotten from the list if there)
 */
void nat_stale_push(struct nat_stale *s, const struct nat_dns_map *prev, const struct nat_dns_map *cur);

/**
 * nat_stale_guest() - is a guest frame from and to one earlier subnet?
 * @s: list
 * @cur: the current map
 * @frame: an Ethernet frame from the guest
 * @len: its length
 * @relay: receives, when true, the map that relays DNS at that subnet's
 *         gateway to @cur's hidden address
 *
 * Return: true for an IPv4 frame whose source is outside the current
 * subnet and whose source and destination lie in one earlier subnet.
 */
bool nat_stale_guest(const struct nat_stale *s, const struct nat_dns_map *cur, const uint8_t *frame, size_t len,
		     struct nat_dns_map *relay);

/**
 * nat_stale_slirp() - is a libslirp frame addressed to a guest on an earlier subnet?
 * @s: list
 * @cur: the current map
 * @frame: an Ethernet frame for the guest
 * @len: its length
 * @relay: receives, when true, the relay map of that subnet
 *
 * Return: true for an IPv4 frame whose destination lies in an earlier
 * subnet and not in the current one.
 */
bool nat_stale_slirp(const struct nat_stale *s, const struct nat_dns_map *cur, const uint8_t *frame, size_t len,
		     struct nat_dns_map *relay);

#endif /* INDYNET_BACKEND_NAT_STALE_H */
