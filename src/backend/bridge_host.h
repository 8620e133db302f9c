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
 *
 * Called whenever the bridge looks the interface up again (each open and
 * once a second), so a new address or a switched interface is followed.
 */
void bridge_host_lan(struct bridge_host *h, const struct backend_lan *lan);

/**
 * bridge_host_input() - take a guest frame if it is for the host itself.
 * @h: path
 * @frame: the guest's Ethernet frame (at least ETH_HLEN bytes)
 * @len: its length
 *
 * Takes ARP requests for the host's address (answered with the host's
 * MAC) and IPv4 TCP, UDP and ICMP to the host's MAC and address (handed
 * to the host's stack).
 *
 * Return: true when the frame was taken (the bridge must not inject it).
 */
bool bridge_host_input(struct bridge_host *h, const uint8_t *frame, size_t len);

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
