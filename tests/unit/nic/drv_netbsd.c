/* SPDX-License-Identifier: MIT */
/* drv_netbsd.c: a test driver written after the behaviour of NetBSD's if_sq driver on an HPC3. */

#include "drv_netbsd.h"

#include <string.h>

#define RXCMD_IE_ALL 0x3Eu /* CRC, dribble, short, end, good */
#define RXCMD_REC_MASK 0xC0u
#define TXCMD_IE_ALL 0x0Fu

static uint32_t rxd(const struct nbsd_drv *d, unsigned i) { return d->rx_desc + (i % NBSD_NRX) * SEEQ_DESC_SIZE; }
static uint32_t txd(const struct nbsd_drv *d, unsigned i) { return d->tx_desc + (i % NBSD_NTX) * SEEQ_DESC_SIZE; }
static uint32_t ctl(const struct nbsd_drv *d, uint32_t desc) { return gmem_be32(d->m, desc + 4); }
static void ctl_set(struct nbsd_drv *d, uint32_t desc, uint32_t v) { gmem_put_be32(d->m, desc + 4, v); }
static void wr(struct nbsd_drv *d, uint32_t off, uint32_t v) { seeq_reg_write(d->s, off, v, 4); }
static uint32_t rd(struct nbsd_drv *d, uint32_t off) { return seeq_reg_read(d->s, off, 4); }
/* sq_seeq_write()/sq_seeq_read(): bus_space_{write,read}_1 at ((reg) << 2) | 3, the low byte lane. */
static void sreg(struct nbsd_drv *d, unsigned n, uint8_t v) { seeq_reg_write(d->s, SEEQ_HPC3_EDLC_REG(n) + 3, v, 1); }
static uint8_t sread(struct nbsd_drv *d, unsigned n) { return (uint8_t)seeq_reg_read(d->s, SEEQ_HPC3_EDLC_REG(n) + 3, 1); }

static void nbsd_reset(struct nbsd_drv *d)
{
	wr(d, SEEQ_HPC3_RX_CTRL, 0);
	wr(d, SEEQ_HPC3_TX_CTRL, 0);
	wr(d, SEEQ_HPC3_RESET, 3);
	wr(d, SEEQ_HPC3_RESET, 0);
}

static void nbsd_init_rxdesc(struct nbsd_drv *d, unsigned i)
{
	gmem_desc(d->m, rxd(d, i), d->rx_buf + (i % NBSD_NRX) * NBSD_BUFSZ,
		  SEEQ_DESC_OWN | SEEQ_DESC_XIE | SEEQ_DESC_EOP | NBSD_BUFSZ, rxd(d, i + 1));
}

static void nbsd_init(struct nbsd_drv *d, bool allmulti)
{
	sreg(d, SEEQ_REG_TX, 0);
	sreg(d, SEEQ_REG_RX, 0);
	nbsd_reset(d);
	d->nextrx = d->nexttx = d->prevtx = 0;
	d->nfreetx = NBSD_NTX;
	sreg(d, SEEQ_REG_TX, SEEQ_TXC_BANK0);
	for (unsigned i = 0; i < 6; i++)
		sreg(d, i, d->mac[i]);
	d->rxcmd = RXCMD_IE_ALL;
	d->rxcmd = (uint8_t)((d->rxcmd & ~RXCMD_REC_MASK) | (allmulti ? SEEQ_RXC_MATCH_MCAST : SEEQ_RXC_MATCH_BCAST));
	sreg(d, SEEQ_REG_TX, TXCMD_IE_ALL);
	sreg(d, SEEQ_REG_RX, d->rxcmd);
	wr(d, SEEQ_HPC3_PIOCFG, NBSD_PIOCFG);
	wr(d, SEEQ_HPC3_DMACFG, NBSD_DMACFG);
	for (unsigned i = 0; i < NBSD_NRX; i++)
		nbsd_init_rxdesc(d, i);
	ctl_set(d, rxd(d, NBSD_NRX - 1), ctl(d, rxd(d, NBSD_NRX - 1)) | SEEQ_DESC_EOX);
	wr(d, SEEQ_HPC3_RX_NBDP, rxd(d, 0));
	wr(d, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
}

void nbsd_attach(struct nbsd_drv *d, seeq *s, struct gmem *m, uint32_t base, const uint8_t mac[6], bool allmulti)
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	d->m = m;
	memcpy(d->mac, mac, 6);
	d->rx_desc = base;
	d->tx_desc = base + NBSD_NRX * SEEQ_DESC_SIZE;
	d->rx_buf = d->tx_desc + NBSD_NTX * SEEQ_DESC_SIZE;
	d->tx_buf = d->rx_buf + NBSD_NRX * NBSD_BUFSZ;

	nbsd_reset(d);
	/* An 8003 reads back the station address byte; an 80C03 reads its collision counter, 0. */
	sreg(d, 0, 0xa5);
	d->is_80c03 = sread(d, 0) == 0;
	sreg(d, 0, 0x00);
	nbsd_init(d, allmulti);
}

bool nbsd_start(struct nbsd_drv *d, const void *frame, size_t len)
{
	unsigned first = d->nexttx;
	uint32_t buf = d->tx_buf + (first % NBSD_NTX) * NBSD_BUFSZ;

	if (d->nfreetx == 0 || len > NBSD_BUFSZ)
		return false;
	len = drv_tx_copy(d->m, buf, frame, len);
	gmem_desc(d->m, txd(d, first), buf,
		  (uint32_t)len | SEEQ_DESC_EOP | SEEQ_DESC_XIE | SEEQ_DESC_EOX, txd(d, first + 1));
	d->nfreetx--;
	d->nexttx++;
	if (rd(d, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE) {
		ctl_set(d, txd(d, first - 1), ctl(d, txd(d, first - 1)) & ~SEEQ_DESC_EOX);
	} else {
		wr(d, SEEQ_HPC3_TX_NBDP, txd(d, first));
		wr(d, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	}
	return true;
}

static void nbsd_rxintr(struct nbsd_drv *d)
{
	unsigned i = d->nextrx;

	for (; !(ctl(d, rxd(d, i)) & SEEQ_DESC_OWN); i++) {
		size_t framelen = NBSD_BUFSZ - 3 - (ctl(d, rxd(d, i)) & SEEQ_DESC_BCNT);
		const uint8_t *data = gmem_ptr(d->m, d->rx_buf) + (i % NBSD_NRX) * NBSD_BUFSZ;

		if (!(data[framelen + 2] & SEEQ_RXS_GOOD))
			d->ierrors++;
		else
			drv_rxq_push(&d->rxq, data + 2, framelen);
		nbsd_init_rxdesc(d, i);
	}
	if (i != d->nextrx) {
		ctl_set(d, rxd(d, i - 1), ctl(d, rxd(d, i - 1)) | SEEQ_DESC_EOX);
		ctl_set(d, rxd(d, d->nextrx - 1), ctl(d, rxd(d, d->nextrx - 1)) & ~SEEQ_DESC_EOX);
		d->nextrx = i;
	}
	if (!(rd(d, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE)) {
		wr(d, SEEQ_HPC3_RX_NBDP, rxd(d, d->nextrx));
		wr(d, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	}
}

static void nbsd_txintr(struct nbsd_drv *d)
{
	unsigned i = d->prevtx;

	while (d->nfreetx < NBSD_NTX) {
		uint32_t status = rd(d, SEEQ_HPC3_TX_CTRL);

		if (!(ctl(d, txd(d, i)) & SEEQ_DESC_TXD)) {
			if (!(status & SEEQ_CTRL_ACTIVE)) {
				wr(d, SEEQ_HPC3_TX_NBDP, txd(d, i));
				wr(d, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
			}
			break;
		}
		d->opackets++;
		d->nfreetx++;
		i++;
	}
	d->prevtx = i;
}

void nbsd_intr(struct nbsd_drv *d)
{
	uint32_t stat = rd(d, SEEQ_HPC3_RESET);

	if (!(stat & 2))
		d->unexpected_intr++;
	else
		wr(d, SEEQ_HPC3_RESET, stat | 2);
	nbsd_rxintr(d);
	if (d->nfreetx < NBSD_NTX)
		nbsd_txintr(d);
}

static void nbsd_intr_cb(void *d)
{
	nbsd_intr(d);
}

void nbsd_service(struct nbsd_drv *d)
{
	drv_service(d->s, d->m, nbsd_intr_cb, d);
}

size_t nbsd_take(struct nbsd_drv *d, uint8_t *buf, size_t cap)
{
	return drv_rxq_take(&d->rxq, buf, cap);
}
