/* SPDX-License-Identifier: MIT */
/* nat_flow.h: the NAT's flow table: each guest flow that holds a host socket in libslirp, capped. */
#ifndef INDYNET_BACKEND_NAT_FLOW_H
#define INDYNET_BACKEND_NAT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * libslirp opens a host socket for every UDP source port of the guest, for
 * every TCP connection and for every ICMP echo request to the outside, and
 * keeps it until the flow ends (TCP), a reply comes (echo) or it idles out
 * (UDP: 240 s, 10 s after a DNS answer).  Unchecked, a guest that sends
 * UDP from 1,100 ports takes 1,100 of the daemon's descriptors.  This
 * table mirrors those sockets from the frames either way and admits a new
 * flow only while fewer than the cap are live: a flow libslirp would have
 * closed by now makes room first (the oldest idle one), and when none has,
 * the frame that would open one more is refused (the caller drops it,
 * counted as INDYNET_DROP_FLOW_LIMIT).  libslirp 4.7 has no call that
 * closes one of its sockets, so a live flow is never taken away from the
 * guest.  All addresses are in network byte order.
 */

/* Default cap, and the descriptors kept free of flows when the limit is low. */
#define NAT_FLOW_DEFAULT 1024u
#define NAT_FLOW_MIN 16u
#define NAT_FLOW_FD_RESERVE 64u

struct nat_flows;

/**
 * nat_flows_new() - an empty table.
 * @cap: most live flows, >= NAT_FLOW_MIN
 *
 * Return: the table, or NULL when out of memory.
 */
struct nat_flows *nat_flows_new(unsigned cap);

/**
 * nat_flows_free() - release a table.
 * @t: table, may be NULL
 */
void nat_flows_free(struct nat_flows *t);

/**
 * nat_flows_guest() - account a guest frame on its way to libslirp.
 * @t: table
 * @gw: the gateway (UDP to its port 67 is DHCP, served without a socket)
 * @frame: Ethernet frame
 * @len: its length
 * @now_ms: monotonic time
 *
 * Return: false when the frame would open a flow and the table is full of
 * live ones (refuse it); true otherwise.
 */
bool nat_flows_guest(struct nat_flows *t, uint32_t gw, const uint8_t *frame, size_t len, int64_t now_ms);

/**
 * nat_flows_slirp() - account a libslirp frame on its way to the guest.
 * @t: table
 * @frame: Ethernet frame
 * @len: its length
 * @now_ms: monotonic time
 *
 * UDP answers keep their flow alive, echo replies and TCP resets end theirs.
 */
void nat_flows_slirp(struct nat_flows *t, const uint8_t *frame, size_t len, int64_t now_ms);

/**
 * nat_flows_expire() - forget the flows libslirp has closed by @now_ms.
 * @t: table
 * @now_ms: monotonic time
 */
void nat_flows_expire(struct nat_flows *t, int64_t now_ms);

/**
 * nat_flows_clear() - forget every flow (the libslirp instance was replaced).
 * @t: table
 */
void nat_flows_clear(struct nat_flows *t);

/**
 * nat_flows_count() - live flows and the cap.
 * @t: table
 * @cap: receives the cap
 *
 * Return: the number of live flows.
 */
unsigned nat_flows_count(const struct nat_flows *t, unsigned *cap);

#endif /* INDYNET_BACKEND_NAT_FLOW_H */
