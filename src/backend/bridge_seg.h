/* SPDX-License-Identifier: MIT */
/* bridge_seg.h: cutting GRO/LRO TCP/IPv4 super-frames from the capture back to the guest's MTU. */
#ifndef INDYNET_BACKEND_BRIDGE_SEG_H
#define INDYNET_BACKEND_BRIDGE_SEG_H

#include <stddef.h>
#include <stdint.h>

/* Where each segment goes. */
typedef void (*bridge_seg_emit_fn)(void *opaque, const uint8_t *frame, size_t len);

/* Room bridge_seg_tcp() needs in @buf: one whole segment of the largest MTU. */
#define BRIDGE_SEG_BUF (14u + 65535u)

/**
 * bridge_seg_tcp() - cut a TCP/IPv4 super-frame into frames of at most @mtu IP bytes.
 * @frame: the captured frame (Ethernet II, IPv4, TCP)
 * @len: its length
 * @mtu: guest MTU (576..65520)
 * @buf: scratch of BRIDGE_SEG_BUF bytes, one segment at a time is built there
 * @emit: called with each segment, in order
 * @opaque: passed to @emit
 *
 * Each segment carries the original Ethernet header, the IP header with
 * its options, the TCP header with its options, the next piece of the
 * payload; sequence numbers advance by the payload sent, IP ids by one;
 * FIN and PSH stay on the last segment only, CWR on the first only; IPv4
 * and TCP checksums are computed afresh (GRO leaves the first segment's).
 *
 * Return: the number of segments, or -1 when the frame is not a whole,
 * unfragmented TCP/IPv4 packet (the caller drops and counts it).
 */
int bridge_seg_tcp(const uint8_t *frame, size_t len, unsigned mtu, uint8_t *buf, bridge_seg_emit_fn emit,
		   void *opaque);

#endif /* INDYNET_BACKEND_BRIDGE_SEG_H */
