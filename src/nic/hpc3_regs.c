/* SPDX-License-Identifier: MIT */
/* hpc3_regs.c: HPC3 Ethernet DMA registers (channel pointers, CTRL, RESET, configuration). */

/*
 * Theory of operation
 *
 * Each DMA channel has CBP/NBDP/BC (the descriptor being worked on and the
 * next one), CTRL, and two FIFO pointers that are only stored.  Reading
 * CTRL merges the SEEQ status into its low byte: (ctrl & ~mask) | (status &
 * mask), mask 0xBF for RX and 0xFF for TX.  Writing CTRL with AMASK clear
 * takes ACTIVE from the value (AMASK set keeps it); ACTIVE rising loads the
 * descriptor at NBDP.
 *
 * RESET (0x15014): bit 0 holds the channel in reset (rising edge stops both
 * DMA channels; falling edge clears statuses to OLD, commands and control
 * to 0, keeps the station address), bit 1 is a clear-interrupt strobe,
 * bit 2 (loopback) is stored.  Reading returns the stored bits with bit 1 =
 * interrupt pending.
 */

#include "nic/seeq_int.h"

#define HPC3_RX_STAT_MASK 0xBFu
#define HPC3_TX_STAT_MASK 0xFFu

/**
 * hpc3_power_on() - both channels idle and zeroed, RESET and configuration 0.
 * @s: model
 */
void hpc3_power_on(struct seeq *s)
{
	s->rx = (struct seeq_chan){ 0 };
	s->tx = (struct seeq_chan){ 0 };
	s->reset = 0;
	s->dmacfg = 0;
	s->piocfg = 0;
	s->cpfx = 0;
	s->ppfx = 0;
	s->dma_irq = false;
}

static uint32_t hpc3_ctrl_read(const struct seeq_chan *ch, uint8_t stat, uint32_t mask)
{
	return (ch->ctrl & ~mask) | (stat & mask);
}

/* Return true when ACTIVE rose. */
static bool hpc3_ctrl_write(struct seeq *s, struct seeq_chan *ch, uint32_t v)
{
	bool was = ch->ctrl & SEEQ_CTRL_ACTIVE;
	uint32_t active = (v & SEEQ_CTRL_AMASK) ? (ch->ctrl & SEEQ_CTRL_ACTIVE) : (v & SEEQ_CTRL_ACTIVE);

	ch->ctrl = (v & ~(SEEQ_CTRL_ACTIVE | SEEQ_CTRL_AMASK)) | active;
	if (active && !was) {
		hpc3_chan_start(s, ch);
		return true;
	}
	return false;
}

static void hpc3_reset_write(struct seeq *s, uint32_t v)
{
	bool was = s->reset & SEEQ_RESET_CHANNEL;
	bool now = v & SEEQ_RESET_CHANNEL;

	if (now && !was) {
		hpc3_chan_stop(&s->rx);
		hpc3_chan_stop(&s->tx);
	} else if (was && !now) {
		s->rx_stat = SEEQ_RXS_OLD;
		s->tx_stat = SEEQ_TXS_OLD;
		s->rx_cmd = 0;
		s->tx_cmd = 0;
		s->control = 0;
	}
	if (v & SEEQ_RESET_CLRINT) {
		s->rx_stat |= SEEQ_RXS_OLD;
		s->tx_stat |= SEEQ_TXS_OLD;
		s->dma_irq = false;
	}
	s->reset = v & (SEEQ_RESET_CHANNEL | SEEQ_RESET_LOOPBACK);
	seeq_irq_update(s);
}

/**
 * hpc3_reg_read() - read a 32-bit HPC3 Ethernet register.
 * @s: model (locked)
 * @off: 4-aligned offset
 * @raw: the stored value of CTRL and RESET, without the status merge and
 *       the interrupt bit (for read-modify-write of narrow writes)
 *
 * Return: the value; unknown offsets read 0.
 */
uint32_t hpc3_reg_read(struct seeq *s, uint32_t off, bool raw)
{
	if (raw && off == SEEQ_HPC3_RX_CTRL)
		return s->rx.ctrl;
	if (raw && off == SEEQ_HPC3_TX_CTRL)
		return s->tx.ctrl;
	if (raw && off == SEEQ_HPC3_RESET)
		return s->reset;
	switch (off) {
	case SEEQ_HPC3_RX_CBP: return s->rx.cbp;
	case SEEQ_HPC3_RX_NBDP: return s->rx.nbdp;
	case SEEQ_HPC3_RX_BC: return s->rx.bc;
	case SEEQ_HPC3_RX_CTRL: return hpc3_ctrl_read(&s->rx, s->rx_stat, HPC3_RX_STAT_MASK);
	case SEEQ_HPC3_RX_GIO: return s->rx.gio;
	case SEEQ_HPC3_RX_DEV: return s->rx.dev;
	case SEEQ_HPC3_RESET: return s->reset | (s->irq_level ? SEEQ_RESET_CLRINT : 0u);
	case SEEQ_HPC3_DMACFG: return s->dmacfg;
	case SEEQ_HPC3_PIOCFG: return s->piocfg;
	case SEEQ_HPC3_TX_CBP: return s->tx.cbp;
	case SEEQ_HPC3_TX_NBDP: return s->tx.nbdp;
	case SEEQ_HPC3_TX_BC: return s->tx.bc;
	case SEEQ_HPC3_TX_CTRL: return hpc3_ctrl_read(&s->tx, s->tx_stat, HPC3_TX_STAT_MASK);
	case SEEQ_HPC3_TX_GIO: return s->tx.gio;
	case SEEQ_HPC3_TX_DEV: return s->tx.dev;
	case SEEQ_HPC3_CRBDP: return s->rx.cur;
	case SEEQ_HPC3_CPFXBDP: return s->cpfx;
	case SEEQ_HPC3_PPFXBDP: return s->ppfx;
	default: return 0;
	}
}

/**
 * hpc3_reg_write() - write a 32-bit HPC3 Ethernet register.
 * @s: model (locked)
 * @off: 4-aligned offset
 * @v: value
 *
 * Return: true when the pump should run (a channel started, reset changed).
 */
bool hpc3_reg_write(struct seeq *s, uint32_t off, uint32_t v)
{
	switch (off) {
	case SEEQ_HPC3_RX_CBP: s->rx.cbp = v; break;
	case SEEQ_HPC3_RX_NBDP: s->rx.nbdp = v; break;
	case SEEQ_HPC3_RX_BC: s->rx.bc = v; break;
	case SEEQ_HPC3_RX_CTRL: return hpc3_ctrl_write(s, &s->rx, v);
	case SEEQ_HPC3_RX_GIO: s->rx.gio = v; break;
	case SEEQ_HPC3_RX_DEV: s->rx.dev = v; break;
	case SEEQ_HPC3_RESET: hpc3_reset_write(s, v); return true;
	case SEEQ_HPC3_DMACFG: s->dmacfg = v; break;
	case SEEQ_HPC3_PIOCFG: s->piocfg = v; break;
	case SEEQ_HPC3_TX_CBP: s->tx.cbp = v; break;
	case SEEQ_HPC3_TX_NBDP: s->tx.nbdp = v; break;
	case SEEQ_HPC3_TX_BC: s->tx.bc = v; break;
	case SEEQ_HPC3_TX_CTRL: return hpc3_ctrl_write(s, &s->tx, v);
	case SEEQ_HPC3_TX_GIO: s->tx.gio = v; break;
	case SEEQ_HPC3_TX_DEV: s->tx.dev = v; break;
	case SEEQ_HPC3_CRBDP: s->rx.cur = v; break;
	case SEEQ_HPC3_CPFXBDP: s->cpfx = v; break;
	case SEEQ_HPC3_PPFXBDP: s->ppfx = v; break;
	default: break;
	}
	return false;
}
