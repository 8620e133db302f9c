/* SPDX-License-Identifier: MIT */
/* nat_dnsfwd.h: --dns ADDR: the gateway's DNS relayed to a chosen resolver instead of the host's resolv.conf. */
#ifndef INDYNET_BACKEND_NAT_DNSFWD_H
#define INDYNET_BACKEND_NAT_DNSFWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "backend/backend.h"

/*
 * libslirp relays DNS only to the first nameserver of /etc/resolv.conf, so
 * with a chosen resolver the guest's UDP queries to the gateway's port 53
 * (IPv4, and ::3 in IPv6) never reach libslirp: this relay takes them.
 * One UDP socket, connected to the resolver (so nothing else can answer
 * on it), carries every query with an identifier of its own: the low
 * NAT_DNSFWD_SLOT_BITS bits name the slot that remembers the guest's
 * identifier, address, port and MAC, the others a generation counter, so
 * an answer after its slot was reused is dropped.  An answer is handed to
 * the guest from the address it asked (the gateway, or ::3) and port 53
 * with its own identifier back.  An answer that would not fit the guest's
 * MTU is cut to its header and question with TC set, as a server does
 * (the guest may then ask over TCP, which libslirp relays to the host's
 * resolver).  Slots free after NAT_DNSFWD_TIMEOUT_MS; a query while all
 * NAT_DNSFWD_SLOTS are busy is dropped (the guest retries).
 *
 * Worked example: the guest 10.0.2.15:40000 asks 10.0.2.2:53 with id 0x1234;
 * slot 5 of generation 7 sends id 7 << 6 | 5 = 0x01c5 to ADDR:53; the answer
 * with id 0x01c5 goes back as 10.0.2.2:53 -> 10.0.2.15:40000 with id 0x1234.
 */

#define NAT_DNSFWD_SLOT_BITS 6
#define NAT_DNSFWD_SLOTS (1u << NAT_DNSFWD_SLOT_BITS)
#define NAT_DNSFWD_TIMEOUT_MS 5000
#define NAT_DNSFWD_ROUND_MAX 64 /* answers read per poll round */

/** One query in flight. */
struct nat_dnsfwd_query {
	int64_t expire_ms;      /* 0: free */
	uint16_t up_id;         /* the identifier sent to the resolver */
	uint16_t guest_id;      /* the guest's */
	uint16_t guest_port;
	bool v6;                /* asked over IPv6 */
	uint8_t guest_ip[16];   /* IPv4 in the first 4 bytes, network order */
	uint8_t server_ip[16];  /* the address the guest asked (the reply's source) */
	uint8_t guest_mac[6];
	uint8_t gw_mac[6];      /* the MAC the guest sent to */
};

/** The relay: its socket and queries in flight. */
struct nat_dnsfwd {
	int fd;                 /* -1: no relay (libslirp's own DNS) */
	int idx;                /* this round's poll index, -1: not polled */
	uint16_t gen;
	unsigned mtu;           /* the guest's */
	struct nat_dnsfwd_query q[NAT_DNSFWD_SLOTS];
};

/** What nat_dnsfwd_guest() did with a frame. */
enum nat_dnsfwd_verdict {
	NAT_DNSFWD_NOT_MINE = 0, /* not a UDP query to the server address: libslirp's */
	NAT_DNSFWD_SENT,         /* relayed */
	NAT_DNSFWD_DROPPED,      /* a query, dropped (every slot busy, or the send failed) */
};

/**
 * nat_dnsfwd_open() - connect the relay's socket to @server.
 * @d: relay
 * @server: the resolver (port 53 unless given), IPv4 or IPv6
 * @len: its length
 * @mtu: the guest's MTU
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int nat_dnsfwd_open(struct nat_dnsfwd *d, const struct sockaddr *server, socklen_t len, unsigned mtu, char *err,
		    size_t errlen);

/**
 * nat_dnsfwd_close() - close the socket; @d becomes an inactive relay.
 * @d: relay (may be inactive)
 */
void nat_dnsfwd_close(struct nat_dnsfwd *d);

/**
 * nat_dnsfwd_guest() - relay a guest frame when it is a UDP query to @gw:53 or [@dns6]:53.
 * @d: relay (inactive: always NAT_DNSFWD_NOT_MINE)
 * @gw: the gateway's IPv4 address, network order
 * @dns6: the IPv6 DNS address (::3 of the prefix), or NULL without IPv6
 * @frame: Ethernet frame
 * @len: its length
 * @now_ms: CLOCK_MONOTONIC ms
 *
 * Return: the verdict.
 */
enum nat_dnsfwd_verdict nat_dnsfwd_guest(struct nat_dnsfwd *d, uint32_t gw, const uint8_t dns6[16],
					 const uint8_t *frame, size_t len, int64_t now_ms);

/**
 * nat_dnsfwd_poll_fill() - watch the socket this round.
 * @d: relay
 * @ps: the round's poll set
 */
void nat_dnsfwd_poll_fill(struct nat_dnsfwd *d, struct poll_set *ps);

/**
 * nat_dnsfwd_answer() - read one answer and build the guest's frame.
 * @d: relay
 * @ps: the round's poll set (the socket's readiness)
 * @frame: receives the frame for the guest
 * @cap: its size (at least ETH_HLEN + 40 + 8 + the guest's MTU)
 * @now_ms: CLOCK_MONOTONIC ms
 *
 * Return: the frame's length; 0 when the datagram read was no answer of a
 * query in flight (dropped); -1 when nothing more is to be read.
 */
long nat_dnsfwd_answer(struct nat_dnsfwd *d, const struct poll_set *ps, uint8_t *frame, size_t cap,
		       int64_t now_ms);

#endif /* INDYNET_BACKEND_NAT_DNSFWD_H */
