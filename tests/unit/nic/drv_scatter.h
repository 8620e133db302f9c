/* SPDX-License-Identifier: MIT */
/* drv_scatter.h: a test driver that sends each packet over two or three descriptors (headers apart from payload). */
#ifndef NIC_TEST_DRV_SCATTER_H
#define NIC_TEST_DRV_SCATTER_H

/*
 * Written after the way a scatter-gather driver (IRIX's, NetBSD's with an
 * mbuf chain) hands packets to the HPC3: the Ethernet header, the IP and
 * transport headers and the payload sit in separate buffers, one
 * descriptor each, EOP|XIE on the last.  The driver learns a packet went
 * out from TXD in its first descriptor only, and then at once reuses every
 * buffer of the packet (it fills them with 0xDD), so a model that read a
 * later buffer after writing TXD would send 0xDD bytes.  Receive is a
 * Linux-style ring with XIE on every descriptor and a moving EOX mark.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drv_common.h"
#include "guestmem.h"

#define SG_NRX 16u
#define SG_NTX 48u
#define SG_BUFSZ 1600u

struct sg_drv {
	seeq *s;
	struct gmem *m;
	uint8_t mac[6];
	uint32_t rx_desc, tx_desc, rx_buf, tx_buf; /* guest addresses */
	unsigned rx_new;
	unsigned tx_head, tx_used;           /* next free TX descriptor, descriptors in flight */
	unsigned pkt_first[SG_NTX], pkt_n[SG_NTX];
	unsigned pkt_tail, pkt_count;        /* oldest packet in flight, packets in flight */
	struct drv_rxq rxq;
	unsigned tx_packets, rx_errors, restarts;
};

/* Rings at @base (about 128 KiB), reset, station address, receiver in station/broadcast mode. */
void sg_open(struct sg_drv *d, seeq *s, struct gmem *m, uint32_t base, const uint8_t mac[6]);
/* Queue a frame over @parts (2 or 3) descriptors; false when the ring is full. */
bool sg_xmit(struct sg_drv *d, const void *frame, size_t len, unsigned parts);
/* The interrupt handler (ack, RX, TX reclaim). */
void sg_interrupt(struct sg_drv *d);
/* Take the oldest received frame (copied to @buf); 0 when none. */
size_t sg_take(struct sg_drv *d, uint8_t *buf, size_t cap);

#endif
