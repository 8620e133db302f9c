/* SPDX-License-Identifier: MIT */
/* bridge_hflow.h: bridge mode's host reach: the flows the host's own stack opened to the guest, told apart from the guest's. */
#ifndef INDYNET_BACKEND_BRIDGE_HFLOW_H
#define INDYNET_BACKEND_BRIDGE_HFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flows remembered at most; the one seen longest ago makes room (counted). */
#define BRIDGE_HFLOW_MAX 256u
/* A flow not seen for this long is forgotten (ms): TCP as an idle session, UDP as conntrack does. */
#define BRIDGE_HFLOW_TCP_MS (2u * 3600u * 1000u)
#define BRIDGE_HFLOW_UDP_MS (180u * 1000u)

struct bridge_hflow_entry {
	uint64_t seen;   /* monotonic ms */
	uint16_t gport;  /* the guest's port, network order */
	uint16_t hport;  /* the host's port, network order */
	uint8_t proto;   /* 6 or 17; 0 = free */
};

/** The host's flows to one guest (the addresses are the bridge_host path's). */
struct bridge_hflow {
	struct bridge_hflow_entry e[BRIDGE_HFLOW_MAX];
	uint64_t evicted; /* flows forgotten for room before their time */
};

/**
 * bridge_hflow_host() - a packet the host's stack sent to the guest (seen in the capture).
 * @t: table
 * @ip: its IPv4 header (checked by the caller: version, header length within @len)
 * @len: bytes from @ip on
 * @now: monotonic ms
 *
 * TCP and UDP: the flow is remembered (or refreshed) as the host's.
 */
void bridge_hflow_host(struct bridge_hflow *t, const uint8_t *ip, size_t len, uint64_t now);

/**
 * bridge_hflow_guest() - whose is a packet the guest sent to the host's address.
 * @t: table
 * @ip: its IPv4 header (checked by the caller as for bridge_hflow_host())
 * @len: bytes from @ip on
 * @now: monotonic ms
 *
 * The host's stack's: TCP and UDP of a remembered flow (a guest TCP SYN
 * without ACK starts a flow of the guest's and forgets any), and ICMP other
 * than an echo request (echo replies, errors).  The guest's own (to be
 * carried as a connection it opened): everything else, fragments after the
 * first included.
 *
 * Return: true for the host's stack's.
 */
bool bridge_hflow_guest(struct bridge_hflow *t, const uint8_t *ip, size_t len, uint64_t now);

#endif /* INDYNET_BACKEND_BRIDGE_HFLOW_H */
