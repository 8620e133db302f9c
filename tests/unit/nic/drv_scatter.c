/* SPDX-License-Identifier: MIT */
/* drv_scatter.c: a test driver that sends each packet over two or three descriptors (headers apart from payload). */

#include "drv_scatter.h"

#include <string.h>

#define SG_RCNT (SEEQ_DESC_OWN | SEEQ_DESC_EOP | SEEQ_DESC_XIE | SG_BUFSZ)
#define SG_RX_CMD (SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD | SEEQ_RXC_EOF)

static uint32_t rxd(const struct sg_drv *d, unsigned i) { return d->rx_desc + (i % SG_NRX) * SEEQ_DESC_SIZE; }
static uint32_t txd(const struct sg_drv *d, unsigned i) { return d->tx_desc + (i % SG_NTX) * SEEQ_DESC_SIZE; }
static uint32_t txbuf(const struct sg_drv *d, unsigned i) { return d->tx_buf + (i % SG_NTX) * SG_BUFSZ; }
static uint32_t cnt_of(const struct sg_drv *d, uint32_t desc) { return gmem_be32(d->m, desc + 4); }
static void cnt_set(struct sg_drv *d, uint32_t desc, uint32_t v) { gmem_put_be32(d->m, desc + 4, v); }
static void wr(struct sg_drv *d, uint32_t off, uint32_t v) { seeq_reg_write(d->s, off, v, 4); }
static uint32_t rd(struct sg_drv *d, uint32_t off) { return seeq_reg_read(d->s, off, 4); }
static void sreg(struct sg_drv *d, unsigned n, uint8_t v) { seeq_reg_write(d->s, SEEQ_HPC3_EDLC_REG(n), v, 4); }

void sg_open(struct sg_drv *d, seeq *s, struct gmem *m, uint32_t base, const uint8_t mac[6])
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	d->m = m;
	memcpy(d->mac, mac, 6);
	d->rx_desc = base;
	d->tx_desc = base + 0x100;
	d->rx_buf = base + 0x1000;
	d->tx_buf = d->rx_buf + SG_NRX * SG_BUFSZ;
	wr(d, SEEQ_HPC3_RESET, SEEQ_RESET_CHANNEL | SEEQ_RESET_CLRINT);
	wr(d, SEEQ_HPC3_RESET, 0);
	sreg(d, SEEQ_REG_TX, SEEQ_TXC_BANK0);
	for (unsigned i = 0; i < 6; i++)
		sreg(d, i, mac[i]);
	sreg(d, SEEQ_REG_TX, 0);
	for (unsigned i = 0; i < SG_NRX; i++)
		gmem_desc(m, rxd(d, i), d->rx_buf + i * SG_BUFSZ, SG_RCNT, rxd(d, i + 1));
	cnt_set(d, rxd(d, SG_NRX - 1), SG_RCNT | SEEQ_DESC_EOX);
	sreg(d, SEEQ_REG_RX, SG_RX_CMD);
	wr(d, SEEQ_HPC3_RX_NBDP, rxd(d, 0));
	wr(d, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
}

/* Where the parts of a @len-byte frame end: Ethernet header | IP+transport headers | payload. */
static unsigned sg_cuts(size_t len, unsigned parts, size_t cut[3])
{
	if (parts == 3) {
		cut[0] = 14;
		cut[1] = len < 54 ? len : 54;
	} else {
		cut[0] = len < 54 ? len : 54;
	}
	cut[parts - 1] = len;
	return cut[parts - 2] == len ? parts - 1 : parts;
}

/* Restart the channel at the oldest packet not yet sent, if it stopped. */
static void sg_kick(struct sg_drv *d)
{
	for (unsigned k = 0; k < d->pkt_count; k++) {
		uint32_t first = txd(d, d->pkt_first[(d->pkt_tail + k) % SG_NTX]);

		if (cnt_of(d, first) & SEEQ_DESC_TXD)
			continue;
		if (!(rd(d, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE)) {
			d->restarts++;
			wr(d, SEEQ_HPC3_TX_NBDP, first);
			wr(d, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
		}
		return;
	}
}

/* Fill the descriptors of one packet; the last gets EOP|XIE|EOX. */
static void sg_fill(struct sg_drv *d, const uint8_t *frame, const size_t *cut, unsigned n)
{
	size_t from = 0;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = d->tx_head + k;
		uint32_t flags = k + 1 == n ? SEEQ_DESC_EOP | SEEQ_DESC_XIE | SEEQ_DESC_EOX : 0;

		memcpy(gmem_ptr(d->m, txbuf(d, i)), frame + from, cut[k] - from);
		gmem_desc(d->m, txd(d, i), txbuf(d, i), (uint32_t)(cut[k] - from) | flags, txd(d, i + 1));
		from = cut[k];
	}
}

bool sg_xmit(struct sg_drv *d, const void *frame, size_t len, unsigned parts)
{
	uint8_t padded[DRV_MIN_FRAME] = { 0 };
	size_t cut[3];
	unsigned n;

	if (len < DRV_MIN_FRAME) {
		memcpy(padded, frame, len);
		frame = padded;
		len = DRV_MIN_FRAME;
	}
	n = sg_cuts(len, parts, cut);
	if (d->tx_used + n > SG_NTX - 1 || len > SG_BUFSZ)
		return false;
	sg_fill(d, frame, cut, n);
	if (d->pkt_count)
		cnt_set(d, txd(d, d->tx_head - 1), cnt_of(d, txd(d, d->tx_head - 1)) & ~SEEQ_DESC_EOX);
	d->pkt_first[(d->pkt_tail + d->pkt_count) % SG_NTX] = d->tx_head;
	d->pkt_n[(d->pkt_tail + d->pkt_count) % SG_NTX] = n;
	d->pkt_count++;
	d->tx_head += n;
	d->tx_used += n;
	sg_kick(d);
	return true;
}

/* Packets whose first descriptor shows TXD are done: every buffer is reused at once. */
static void sg_tx_reclaim(struct sg_drv *d)
{
	while (d->pkt_count) {
		unsigned first = d->pkt_first[d->pkt_tail % SG_NTX], n = d->pkt_n[d->pkt_tail % SG_NTX];

		if (!(cnt_of(d, txd(d, first)) & SEEQ_DESC_TXD))
			break;
		for (unsigned k = 0; k < n; k++)
			memset(gmem_ptr(d->m, txbuf(d, first + k)), 0xDD, SG_BUFSZ);
		d->tx_used -= n;
		d->pkt_tail++;
		d->pkt_count--;
		d->tx_packets++;
	}
	sg_kick(d);
}

static void sg_rx(struct sg_drv *d)
{
	unsigned orig_end = d->rx_new - 1;

	for (uint32_t r = rxd(d, d->rx_new); !(cnt_of(d, r) & SEEQ_DESC_OWN); r = rxd(d, d->rx_new)) {
		size_t len = SG_BUFSZ - (cnt_of(d, r) & SEEQ_DESC_BCNT) - 3;
		const uint8_t *data = gmem_ptr(d->m, d->rx_buf + (d->rx_new % SG_NRX) * SG_BUFSZ);

		if (data[len + 2] & SEEQ_RXS_GOOD)
			drv_rxq_push(&d->rxq, data + 2, len);
		else
			d->rx_errors++;
		cnt_set(d, r, SG_RCNT);
		d->rx_new++;
	}
	cnt_set(d, rxd(d, orig_end), cnt_of(d, rxd(d, orig_end)) & ~SEEQ_DESC_EOX);
	cnt_set(d, rxd(d, d->rx_new - 1), cnt_of(d, rxd(d, d->rx_new - 1)) | SEEQ_DESC_EOX);
	if (!(rd(d, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE)) {
		wr(d, SEEQ_HPC3_RX_NBDP, rxd(d, d->rx_new));
		sreg(d, SEEQ_REG_RX, SG_RX_CMD);
		wr(d, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	}
}

void sg_interrupt(struct sg_drv *d)
{
	wr(d, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	sg_rx(d);
	sg_tx_reclaim(d);
}

size_t sg_take(struct sg_drv *d, uint8_t *buf, size_t cap)
{
	return drv_rxq_take(&d->rxq, buf, cap);
}
