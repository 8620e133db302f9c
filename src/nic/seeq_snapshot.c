/* SPDX-License-Identifier: MIT */
/* seeq_snapshot.c: versioned, endian-stable save/restore of the SEEQ + HPC3 Ethernet state. */

/*
 * Format, version 2 (all integers big-endian):
 *   0  "SQ83"  magic
 *   4  u16     version (2)
 *   6  u16     total length (110)
 *   8  u8[6]   station address      14 u8[8] multicast hash
 *  22  u8 gap, control, rx_cmd, rx_stat, tx_cmd, tx_stat
 *  28  u8 reset bits (0x01|0x04 only), u8 flags (bit 0 DMA interrupt pending)
 *  30  RX channel, then 58 TX channel: u32 cbp, nbdp, bc, ctrl, gio, dev, cur
 *  86  u32 dmacfg, piocfg, cpfxbdp, ppfxbdp
 * 102  u8 80C03 configuration register, u8[3] reserved (0)
 * 106  u32 CRC-32 (IEEE) of bytes 0..105
 * Counters and the thread are not part of the state.  Channel ctrl holds
 * ENDIAN, ACTIVE, RBO (RX only) and, for RX, the status copy in bits 7:0.
 *
 * Version 1 (before the chip-faithful registers) is the same layout with
 * bytes 102..105 zero; its channel ctrl words stored any written bits.  It
 * loads as: configuration register 0, ctrl reduced to ENDIAN and ACTIVE,
 * the RX status copy taken from rx_stat.  Versions above 2 are refused
 * with -ENOTSUP, damaged snapshots with -EINVAL.
 */

#include "seeq_int.h"

#include <errno.h>
#include <string.h>

#define SEEQ_SNAP_VERSION 2u
#define SEEQ_SNAP_LEN 110u
#define SEEQ_SNAP_CRC_AT 106u
#define SEEQ_SNAP_CTRL_V2 (SEEQ_CTRL_ENDIAN | SEEQ_CTRL_ACTIVE | SEEQ_CTRL_RBO | 0xBFu)
#define SEEQ_SNAP_CTRL_V1 (SEEQ_CTRL_ENDIAN | SEEQ_CTRL_ACTIVE)

static const uint8_t seeq_snap_magic[4] = { 'S', 'Q', '8', '3' };

static uint32_t seeq_crc32(const uint8_t *p, size_t n)
{
	return seeq_crc32_update(0, p, n);
}

static uint8_t *seeq_put_chan(uint8_t *p, const struct seeq_chan *ch)
{
	const uint32_t v[7] = { ch->cbp, ch->nbdp, ch->bc, ch->ctrl, ch->gio, ch->dev, ch->cur };

	for (int i = 0; i < 7; i++, p += 4)
		seeq_put_be32(p, v[i]);
	return p;
}

static const uint8_t *seeq_get_chan(const uint8_t *p, struct seeq_chan *ch)
{
	ch->cbp = seeq_be32(p);
	ch->nbdp = seeq_be32(p + 4);
	ch->bc = seeq_be32(p + 8);
	ch->ctrl = seeq_be32(p + 12);
	ch->gio = seeq_be32(p + 16);
	ch->dev = seeq_be32(p + 20);
	ch->cur = seeq_be32(p + 24);
	return p + 28;
}

size_t seeq_snapshot_size(void)
{
	return SEEQ_SNAP_LEN;
}

static void seeq_snap_encode(const struct seeq *s, uint8_t *b)
{
	uint8_t *p = b;

	memcpy(p, seeq_snap_magic, 4);
	p[4] = 0;
	p[5] = SEEQ_SNAP_VERSION;
	p[6] = 0;
	p[7] = SEEQ_SNAP_LEN;
	memcpy(p + 8, s->station, 6);
	memcpy(p + 14, s->mcast, 8);
	p[22] = s->gap;
	p[23] = s->control;
	p[24] = s->rx_cmd;
	p[25] = s->rx_stat;
	p[26] = s->tx_cmd;
	p[27] = s->tx_stat;
	p[28] = (uint8_t)s->reset;
	p[29] = s->dma_irq ? 1u : 0u;
	p = seeq_put_chan(p + 30, &s->rx);
	p = seeq_put_chan(p, &s->tx);
	seeq_put_be32(p, s->dmacfg);
	seeq_put_be32(p + 4, s->piocfg);
	seeq_put_be32(p + 8, s->cpfx);
	seeq_put_be32(p + 12, s->ppfx);
	seeq_put_be32(p + 16, (uint32_t)s->config << 24);
	seeq_put_be32(b + SEEQ_SNAP_CRC_AT, seeq_crc32(b, SEEQ_SNAP_CRC_AT));
}

long seeq_snapshot_save(seeq *s, void *buf, size_t cap)
{
	if (cap < SEEQ_SNAP_LEN)
		return -ENOSPC;
	pthread_mutex_lock(&s->lock);
	seeq_snap_encode(s, buf);
	pthread_mutex_unlock(&s->lock);
	return SEEQ_SNAP_LEN;
}

/* The format version of a well-formed snapshot; 0 if damaged, above SEEQ_SNAP_VERSION if newer. */
static unsigned seeq_snap_version(const uint8_t *b, size_t len)
{
	unsigned v;

	if (len != SEEQ_SNAP_LEN || memcmp(b, seeq_snap_magic, 4) != 0)
		return 0;
	v = (unsigned)b[4] << 8 | b[5];
	if (v == 0 || v > SEEQ_SNAP_VERSION)
		return v;
	if (b[6] != 0 || b[7] != SEEQ_SNAP_LEN)
		return 0;
	if (seeq_be32(b + SEEQ_SNAP_CRC_AT) != seeq_crc32(b, SEEQ_SNAP_CRC_AT))
		return 0;
	if (b[28] & ~(SEEQ_RESET_CHANNEL | SEEQ_RESET_LOOPBACK) || b[29] > 1)
		return 0;
	if ((v == 1 && seeq_be32(b + 102) != 0) || (seeq_be32(b + 102) & 0xFFFFFFu) != 0)
		return 0;
	return v;
}

/* Channel ctrl of a version-2 snapshot must hold only its known bits; version 1 is reduced. */
static int seeq_snap_ctrl(unsigned version, uint32_t raw, bool rx, uint8_t rx_stat, uint32_t *out)
{
	uint32_t known = rx ? SEEQ_SNAP_CTRL_V2 : SEEQ_SNAP_CTRL_V1;

	if (version == 1) {
		*out = (raw & SEEQ_SNAP_CTRL_V1) | (rx ? (rx_stat & 0xBFu) : 0u);
		return 0;
	}
	if (raw & ~known)
		return -1;
	*out = raw;
	return 0;
}

static void seeq_snap_load(struct seeq *s, const uint8_t *b, uint32_t rx_ctrl, uint32_t tx_ctrl)
{
	const uint8_t *p;

	memcpy(s->station, b + 8, 6);
	memcpy(s->mcast, b + 14, 8);
	s->gap = b[22];
	s->control = b[23];
	s->rx_cmd = b[24];
	s->rx_stat = b[25];
	s->tx_cmd = b[26];
	s->tx_stat = b[27];
	s->reset = b[28];
	s->dma_irq = b[29] != 0;
	p = seeq_get_chan(b + 30, &s->rx);
	p = seeq_get_chan(p, &s->tx);
	s->rx.ctrl = rx_ctrl;
	s->tx.ctrl = tx_ctrl;
	s->dmacfg = seeq_be32(p);
	s->piocfg = seeq_be32(p + 4);
	s->cpfx = seeq_be32(p + 8);
	s->ppfx = seeq_be32(p + 12);
	s->config = p[16];
}

int seeq_snapshot_restore(seeq *s, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	unsigned v;
	uint32_t rx_ctrl, tx_ctrl;

	if (!buf)
		return -EINVAL;
	v = seeq_snap_version(b, len);
	if (v > SEEQ_SNAP_VERSION)
		return -ENOTSUP;
	if (v == 0 || seeq_snap_ctrl(v, seeq_be32(b + 42), true, b[25], &rx_ctrl) != 0 ||
	    seeq_snap_ctrl(v, seeq_be32(b + 70), false, 0, &tx_ctrl) != 0)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	seeq_snap_load(s, b, rx_ctrl, tx_ctrl);
	seeq_irq_update(s);
	pthread_mutex_unlock(&s->lock);
	seeq_irq_report(s);
	seeq_kick(s);
	return 0;
}
