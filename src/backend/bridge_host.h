/* SPDX-License-Identifier: MIT */
/* bridge_host.h: bridge mode's host reach: the guest's frames for the host's own address go to its stack through a private libslirp. */
#ifndef INDYNET_BACKEND_BRIDGE_HOST_H
#define INDYNET_BACKEND_BRIDGE_HOST_H

#include "backend/backend.h"

struct bridge_host;

/** Host reach counters (bridge_host_counts()). */
struct bridge_host_counts {
	uint64_t to_host;   /* guest frames for the host's address, given to its stack */
	uint64_t from_host; /* the host's answers, sent to the guest from the host's MAC */
	uint64_t arp;       /* the guest's ARP requests for the host's address, answered */
	uint64_t direct;    /* the guest's answers to the host's own connections, handed to its stack as they are */
	uint64_t neigh;     /* neighbour entries installed for the guest on the host */
};

/**
 * bridge_host_new() - create the host-reach path.
 * @mtu: guest MTU
 * @host: callbacks into the engine (copied; to_guest gets the host's answers)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the path, or NULL with @err filled.
 */
struct bridge_host *bridge_host_new(unsigned mtu, const struct backend_host *host, char *err, size_t errlen);

/**
 * bridge_host_free() - release the path and the host sockets it holds.
 * @h: path, or NULL
 */
void bridge_host_free(struct bridge_host *h);

/**
 * bridge_host_lan() - the host's address and MAC on the captured LAN.
 * @h: path
 * @lan: the LAN, or NULL while there is none (nothing is taken then)
 * @translated: the guest's frames leave with the host's MAC (bridge_mac.c):
 *              the host gets no neighbour entry for the guest
 *
 * Called whenever the bridge looks the interface up again (each open and
 * once a second), so a new address or a switched interface is followed
 * (the host's neighbour entry for the guest moves with it).
 */
void bridge_host_lan(struct bridge_host *h, const struct backend_lan *lan, bool translated);

/**
 * bridge_host_input() - take a guest frame if it is for the host itself.
 * @h: path
 * @frame: the guest's Ethernet frame (at least ETH_HLEN bytes)
 * @len: its length
 *
 * Takes ARP requests for the host's address (answered with the host's
 * MAC) and IPv4 TCP, UDP and ICMP to the host's MAC and address (handed
 * to the host's stack: through libslirp when the guest opened the flow,
 * as they are when they answer the host's own, see bridge_host_seen()).
 * Every ARP of the guest's tells the path its LAN address (the host's
 * neighbour entry for it).
 *
 * Return: true when the frame was taken (the bridge must not inject it).
 */
bool bridge_host_input(struct bridge_host *h, const uint8_t *frame, size_t len);

/**
 * bridge_host_seen() - a frame the capture saw on the LAN.
 * @h: path
 * @frame: the frame (at least ETH_HLEN bytes)
 * @len: its length
 *
 * IPv4 TCP and UDP from the host's own MAC and address (its stack's,
 * leaving on the interface) mark the flow as the host's, so the guest's
 * answers go back to the host's stack.  Their checksum may be a partial
 * one (the interface offloads it and the capture sees the frame leave):
 * such a frame is returned as a copy with the checksum completed.
 *
 * Return: the frame to hand on: @frame, or the path's copy (valid until
 * the next call).
 */
const uint8_t *bridge_host_seen(struct bridge_host *h, const uint8_t *frame, size_t len);

/**
 * bridge_host_poll_fill() - add the path's host sockets and timers to a poll round.
 * @h: path
 * @ps: poll set
 * @timeout_ms: lowered for the path's timers
 */
void bridge_host_poll_fill(struct bridge_host *h, struct poll_set *ps, int *timeout_ms);

/**
 * bridge_host_poll_done() - handle the path's sockets and timers after poll(2).
 * @h: path
 * @ps: poll set
 * @poll_error: poll(2) failed
 */
void bridge_host_poll_done(struct bridge_host *h, const struct poll_set *ps, bool poll_error);

/**
 * bridge_host_counts() - the path's counters.
 * @h: path
 *
 * Return: a copy.
 */
struct bridge_host_counts bridge_host_counts(const struct bridge_host *h);

#endif /* INDYNET_BACKEND_BRIDGE_HOST_H */
