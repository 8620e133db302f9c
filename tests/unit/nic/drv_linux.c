/* SPDX-License-Identifier: MIT */
/* drv_linux.c: a test driver written after the behaviour of Linux's sgiseeq driver (16+16 rings, moving EOR). */

#include "drv_linux.h"

#include <string.h>

#define HPCDMA_XIU 0x01000000u
#define RCNTCFG_INIT (SEEQ_DESC_OWN | SEEQ_DESC_EOP | SEEQ_DESC_XIE)
#define RCNTINFO_INIT (RCNTCFG_INIT | LNX_BUFSZ)
#define TCNTINFO_INIT (SEEQ_DESC_EOX | SEEQ_DESC_TXD)
#define RSTAT_GO_BITS 0x3Eu /* interrupt on good, end, short, dribble, CRC */
#define TSTAT_INIT_EDLC 0x4Fu /* bank 2 + all TX interrupts */
/* SEEQ_CTRL_XCNT | ACCNT | SFLAG | ESHORT | ENCARR: everything but the multicast hash (EMULTI 0x08). */
#define LNX_CONTROL 0x37u
/* sgiseeq_probe(): pconfig 0x161; dconfig FIRQ | FEOP | FRXDC | PTO | 0x026. */
#define LNX_PIOCFG 0x161u
#define LNX_DMACFG (0x8000u | 0x4000u | 0x2000u | 0x30000u | 0x026u)

static uint32_t rxd(const struct lnx_drv *d, unsigned i) { return d->rx_desc + (i % LNX_NRX) * LNX_DESC_STRIDE; }
static uint32_t txd(const struct lnx_drv *d, unsigned i) { return d->tx_desc + (i % LNX_NTX) * LNX_DESC_STRIDE; }
static uint32_t cnt_of(const struct lnx_drv *d, uint32_t desc) { return gmem_be32(d->m, desc + 4); }
static void cnt_set(struct lnx_drv *d, uint32_t desc, uint32_t v) { gmem_put_be32(d->m, desc + 4, v); }
static void wr(struct lnx_drv *d, uint32_t off, uint32_t v) { seeq_reg_write(d->s, off, v, 4); }
static uint32_t rd(struct lnx_drv *d, uint32_t off) { return seeq_reg_read(d->s, off, 4); }
static void sreg(struct lnx_drv *d, unsigned n, uint8_t v) { seeq_reg_write(d->s, SEEQ_HPC3_EDLC_REG(n), v, 1); }

static void lnx_hpc3_reset(struct lnx_drv *d)
{
	wr(d, SEEQ_HPC3_RX_CTRL, 0);
	wr(d, SEEQ_HPC3_TX_CTRL, 0);
	wr(d, SEEQ_HPC3_RESET, SEEQ_RESET_CHANNEL | SEEQ_RESET_CLRINT);
	wr(d, SEEQ_HPC3_RESET, 0);
}

static void lnx_go(struct lnx_drv *d)
{
	sreg(d, SEEQ_REG_RX, d->mode | RSTAT_GO_BITS);
	wr(d, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
}

static void lnx_init_rings(struct lnx_drv *d)
{
	d->rx_new = d->tx_new = d->tx_old = 0;
	sreg(d, SEEQ_REG_TX, SEEQ_TXC_BANK0);
	for (unsigned i = 0; i < 6; i++)
		sreg(d, i, d->mac[i]);
	for (unsigned i = 0; i < LNX_NTX; i++)
		gmem_desc(d->m, txd(d, i), d->tx_buf + i * LNX_BUFSZ, TCNTINFO_INIT, txd(d, i + 1));
	for (unsigned i = 0; i < LNX_NRX; i++)
		gmem_desc(d->m, rxd(d, i), d->rx_buf + i * LNX_BUFSZ, RCNTINFO_INIT, rxd(d, i + 1));
	cnt_set(d, rxd(d, LNX_NRX - 1), RCNTINFO_INIT | SEEQ_DESC_EOX);
}

void lnx_open(struct lnx_drv *d, seeq *s, struct gmem *m, uint32_t base, const uint8_t mac[6], uint8_t mode)
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	d->m = m;
	d->mode = mode;
	memcpy(d->mac, mac, 6);
	d->rx_desc = base;
	d->tx_desc = base + LNX_NRX * LNX_DESC_STRIDE;
	d->rx_buf = d->tx_desc + LNX_NTX * LNX_DESC_STRIDE;
	d->tx_buf = d->rx_buf + LNX_NRX * LNX_BUFSZ;

	/* Probe: PIO/DMA timing, then after a reset an 80C03 reads 0 from the collision counter (reg 0). */
	wr(d, SEEQ_HPC3_PIOCFG, LNX_PIOCFG);
	wr(d, SEEQ_HPC3_DMACFG, LNX_DMACFG);
	lnx_hpc3_reset(d);
	d->is_edlc = (seeq_reg_read(s, SEEQ_HPC3_EDLC_REG(0), 1) & 0xff) == 0;

	lnx_hpc3_reset(d);
	lnx_init_rings(d);
	if (d->is_edlc) {
		sreg(d, SEEQ_REG_TX, TSTAT_INIT_EDLC);
		sreg(d, 3, LNX_CONTROL);
		sreg(d, 2, 0);
	} else {
		sreg(d, SEEQ_REG_TX, TSTAT_INIT_EDLC & 0x0F);
	}
	wr(d, SEEQ_HPC3_RX_NBDP, rxd(d, 0));
	wr(d, SEEQ_HPC3_TX_NBDP, txd(d, 0));
	lnx_go(d);
}

static void lnx_kick_tx(struct lnx_drv *d)
{
	unsigned i = d->tx_old;
	const uint32_t done = HPCDMA_XIU | SEEQ_DESC_TXD;

	while ((cnt_of(d, txd(d, i)) & done) == done && i != d->tx_new)
		i++;
	if (cnt_of(d, txd(d, i)) & HPCDMA_XIU) {
		wr(d, SEEQ_HPC3_TX_NBDP, txd(d, i));
		wr(d, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	}
}

bool lnx_xmit(struct lnx_drv *d, const void *frame, size_t len)
{
	unsigned e = d->tx_new;
	uint32_t td = txd(d, e);
	uint32_t buf = d->tx_buf + (e % LNX_NTX) * LNX_BUFSZ;

	if (d->tx_new - d->tx_old >= LNX_NTX - 1 || len > LNX_BUFSZ)
		return false;
	len = drv_tx_copy(d->m, buf, frame, len);
	cnt_set(d, td, (uint32_t)len | HPCDMA_XIU | SEEQ_DESC_EOP | SEEQ_DESC_XIE | SEEQ_DESC_EOX);
	if (d->tx_old != d->tx_new)
		cnt_set(d, txd(d, e - 1), cnt_of(d, txd(d, e - 1)) & ~SEEQ_DESC_EOX);
	d->tx_new++;
	if (!(rd(d, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE))
		lnx_kick_tx(d);
	return true;
}

static void lnx_rx(struct lnx_drv *d)
{
	unsigned orig_end = d->rx_new - 1;

	for (uint32_t r = rxd(d, d->rx_new); !(cnt_of(d, r) & SEEQ_DESC_OWN); r = rxd(d, d->rx_new)) {
		size_t len = LNX_BUFSZ - (cnt_of(d, r) & SEEQ_DESC_BCNT) - 3;
		const uint8_t *data = gmem_ptr(d->m, d->rx_buf) + (d->rx_new % LNX_NRX) * LNX_BUFSZ;
		uint8_t status = data[len + 2];

		if (!(status & SEEQ_RXS_GOOD))
			d->rx_errors++;
		else if (memcmp(data + 2 + 6, d->mac, 6) == 0)
			d->echoes++;
		else
			drv_rxq_push(&d->rxq, data + 2, len);
		cnt_set(d, r, RCNTINFO_INIT);
		d->rx_new++;
	}
	/* Move the end-of-ring mark behind the last recycled descriptor. */
	cnt_set(d, rxd(d, orig_end), cnt_of(d, rxd(d, orig_end)) & ~SEEQ_DESC_EOX);
	cnt_set(d, rxd(d, d->rx_new - 1), cnt_of(d, rxd(d, d->rx_new - 1)) | SEEQ_DESC_EOX);
	if (!(rd(d, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE)) {
		d->restarts++;
		wr(d, SEEQ_HPC3_RX_NBDP, rxd(d, d->rx_new));
		lnx_go(d);
	}
}

static void lnx_tx_reclaim(struct lnx_drv *d)
{
	uint32_t status = rd(d, SEEQ_HPC3_TX_CTRL);

	for (; d->tx_old != d->tx_new; d->tx_old++) {
		uint32_t td = txd(d, d->tx_old);
		uint32_t c = cnt_of(d, td);

		if (!(c & HPCDMA_XIU))
			break;
		if (!(c & SEEQ_DESC_TXD)) {
			if (!(status & SEEQ_CTRL_ACTIVE)) {
				wr(d, SEEQ_HPC3_TX_NBDP, td);
				wr(d, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
			}
			break;
		}
		d->tx_packets++;
		cnt_set(d, td, (c & ~(HPCDMA_XIU | SEEQ_DESC_XIE)) | SEEQ_DESC_EOX);
	}
}

void lnx_interrupt(struct lnx_drv *d)
{
	d->interrupts++;
	wr(d, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	lnx_rx(d);
	if (d->tx_old != d->tx_new)
		lnx_tx_reclaim(d);
}

static void lnx_interrupt_cb(void *d)
{
	lnx_interrupt(d);
}

void lnx_service(struct lnx_drv *d)
{
	drv_service(d->s, d->m, lnx_interrupt_cb, d);
}

size_t lnx_take(struct lnx_drv *d, uint8_t *buf, size_t cap)
{
	return drv_rxq_take(&d->rxq, buf, cap);
}
