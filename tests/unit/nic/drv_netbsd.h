/* SPDX-License-Identifier: MIT */
/* drv_netbsd.h: a test driver that drives the model the way NetBSD's if_sq driver does. */
#ifndef NIC_TEST_DRV_NETBSD_H
#define NIC_TEST_DRV_NETBSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drv_common.h"
#include "guestmem.h"

#define NBSD_NRX 64u
#define NBSD_NTX 64u
#define NBSD_BUFSZ 2048u /* MCLBYTES */

/*
 * Values if_sq programs into the HPC3 Ethernet PIO and DMA configuration
 * registers: P1(1) P2(6) P3(1); D1(6) D2(2) D3(0) | FIX_RXDC 0x2000 |
 * FIX_INTR 0x8000 | FIX_EOP 0x4000 | TIMEOUT 0x30000 (not WRCTL 0x1000).
 */
#define NBSD_PIOCFG (1u | (6u << 4) | (1u << 8))
#define NBSD_DMACFG (6u | (2u << 4) | (0u << 8) | 0x2000u | 0x8000u | 0x4000u | 0x30000u)

struct nbsd_drv {
	seeq *s;
	struct gmem *m;
	uint8_t mac[6];
	uint32_t rx_desc, tx_desc, rx_buf, tx_buf;
	unsigned nextrx, nexttx, prevtx, nfreetx;
	bool is_80c03;
	uint8_t rxcmd;
	struct drv_rxq rxq;
	unsigned ierrors, opackets, unexpected_intr;
};

/* Attach (reset, 8003/80C03 detection) and init with rings at @base (about 270 KiB). */
void nbsd_attach(struct nbsd_drv *d, seeq *s, struct gmem *m, uint32_t base, const uint8_t mac[6], bool allmulti);
bool nbsd_start(struct nbsd_drv *d, const void *frame, size_t len);
void nbsd_intr(struct nbsd_drv *d);
void nbsd_service(struct nbsd_drv *d);
size_t nbsd_take(struct nbsd_drv *d, uint8_t *buf, size_t cap);

#endif
