/* SPDX-License-Identifier: MIT */
/* drv_linux.h: a test driver that drives the model the way Linux's sgiseeq driver does. */
#ifndef NIC_TEST_DRV_LINUX_H
#define NIC_TEST_DRV_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drv_common.h"
#include "guestmem.h"

#define LNX_NRX 16u
#define LNX_NTX 16u
#define LNX_BUFSZ 1584u
#define LNX_DESC_STRIDE 128u /* Linux pads each descriptor to a cache line */

struct lnx_drv {
	seeq *s;
	struct gmem *m;
	uint8_t mac[6];
	uint32_t rx_desc, tx_desc, rx_buf, tx_buf; /* guest addresses */
	unsigned rx_new, tx_new, tx_old;
	bool is_edlc;
	uint8_t mode;                  /* rx_cmd match mode */
	struct drv_rxq rxq;            /* frames passed up the stack */
	unsigned echoes, rx_errors, tx_packets, interrupts, restarts;
};

/* Lay out rings at @base in @m (needs about 64 KiB), probe and open the interface. */
void lnx_open(struct lnx_drv *d, seeq *s, struct gmem *m, uint32_t base, const uint8_t mac[6], uint8_t mode);
/* start_xmit; false when the ring is full. */
bool lnx_xmit(struct lnx_drv *d, const void *frame, size_t len);
/* The interrupt handler (ack, RX, TX reclaim). */
void lnx_interrupt(struct lnx_drv *d);
/* Pump the model until idle, taking interrupts as they come. */
void lnx_service(struct lnx_drv *d);
/* Take the oldest received frame (copied to @buf); 0 when none. */
size_t lnx_take(struct lnx_drv *d, uint8_t *buf, size_t cap);

#endif
