/* SPDX-License-Identifier: MIT */
/* hpc3_regs.c: HPC3 Ethernet DMA registers (channel pointers, CTRL, RESET, configuration). */

/*
 * Theory of operation
 *
 * Each DMA channel has CBP/NBDP/BC (the descriptor being worked on and the
 * next one), CTRL, and two FIFO pointers.  Only NBDP and CTRL are
 * writable; CBP, BC, the FIFO pointers and CRBDP are the chip's and
 * ignore writes (HPC3 spec rx/tx register list).
 *
 * CTRL: writing it with AMASK clear takes ACTIVE from the value (AMASK set
 * keeps it); ACTIVE rising loads the descriptor at NBDP, but never while
 * RESET bit 0 holds the channel in reset.  ENDIAN is stored.  RX bits 7:0
 * read the copy of the SEEQ receive status taken when the last frame
 * ended (bit 6, late RXDC, is never set here); TX bits 7:0 read the live
 * SEEQ transmit status.  RX bit 11, RBO, is the chip's: reading CTRL
 * clears it after the value is returned, and so does a write with RBO set;
 * a write with it clear leaves it.
 *
 * RESET (0x15014): bit 0 holds the channel in reset (1 at power-on; rising
 * edge stops both DMA channels; falling edge resets the SEEQ: statuses to
 * OLD, commands and 80C03 registers to 0, station address kept), bit 1
 * clears every interrupt but RBO, bit 2 (loopback) is stored.  Reading
 * returns the stored bits with bit 1 = interrupt pending.
 *
 * PIO and DMA configuration power up with their three phase fields at 0xF.
 */

#include "seeq_int.h"

#define HPC3_TX_STAT_MASK 0xFFu
#define HPC3_RX_STAT_MASK 0xBFu
#define HPC3_CFG_POWER_ON 0xFFFu
#define HPC3_CTRL_STORED (SEEQ_CTRL_ENDIAN | SEEQ_CTRL_ACTIVE)

/**
 * hpc3_power_on() - both channels idle, channel reset held, configuration phases 0xF.
 * @s: model
 */
void hpc3_power_on(struct seeq *s)
{
	s->rx = (struct seeq_chan){ 0 };
	s->tx = (struct seeq_chan){ 0 };
	s->reset = SEEQ_RESET_CHANNEL;
	s->dmacfg = HPC3_CFG_POWER_ON;
	s->piocfg = HPC3_CFG_POWER_ON;
	s->cpfx = 0;
	s->ppfx = 0;
	s->dma_irq = false;
}

/* RX CTRL read: the stored bits and the status copy; RBO is cleared by the read. */
static uint32_t hpc3_rx_ctrl_read(struct seeq *s)
{
	uint32_t v = s->rx.ctrl & (HPC3_CTRL_STORED | SEEQ_CTRL_RBO | HPC3_RX_STAT_MASK);

	s->rx.ctrl &= ~SEEQ_CTRL_RBO;
	seeq_irq_update(s);
	return v;
}

/* Return true when ACTIVE rose. */
static bool hpc3_ctrl_write(struct seeq *s, struct seeq_chan *ch, uint32_t v)
{
	bool was = ch->ctrl & SEEQ_CTRL_ACTIVE;
	uint32_t active = (v & SEEQ_CTRL_AMASK) ? (ch->ctrl & SEEQ_CTRL_ACTIVE) : (v & SEEQ_CTRL_ACTIVE);

	if (s->reset & SEEQ_RESET_CHANNEL)
		active = 0;
	if (v & SEEQ_CTRL_RBO)
		ch->ctrl &= ~SEEQ_CTRL_RBO;
	ch->ctrl = (ch->ctrl & ~HPC3_CTRL_STORED) | (v & SEEQ_CTRL_ENDIAN) | active;
	seeq_irq_update(s);
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
		seeq_edlc_chip_reset(s);
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
 * @raw: the stored value of CTRL and RESET, without the status bits, RBO
 *       and the interrupt bit, and without side effects (for the
 *       read-modify-write of narrow writes)
 *
 * Return: the value; unknown offsets read 0.
 */
uint32_t hpc3_reg_read(struct seeq *s, uint32_t off, bool raw)
{
	if (raw && off == SEEQ_HPC3_RX_CTRL)
		return s->rx.ctrl & HPC3_CTRL_STORED;
	if (raw && off == SEEQ_HPC3_TX_CTRL)
		return s->tx.ctrl & HPC3_CTRL_STORED;
	if (raw && off == SEEQ_HPC3_RESET)
		return s->reset;
	switch (off) {
	case SEEQ_HPC3_RX_CBP: return s->rx.cbp;
	case SEEQ_HPC3_RX_NBDP: return s->rx.nbdp;
	case SEEQ_HPC3_RX_BC: return s->rx.bc;
	case SEEQ_HPC3_RX_CTRL: return hpc3_rx_ctrl_read(s);
	case SEEQ_HPC3_RX_GIO: return s->rx.gio;
	case SEEQ_HPC3_RX_DEV: return s->rx.dev;
	case SEEQ_HPC3_RESET: return s->reset | (s->irq_level ? SEEQ_RESET_CLRINT : 0u);
	case SEEQ_HPC3_DMACFG: return s->dmacfg;
	case SEEQ_HPC3_PIOCFG: return s->piocfg;
	case SEEQ_HPC3_TX_CBP: return s->tx.cbp;
	case SEEQ_HPC3_TX_NBDP: return s->tx.nbdp;
	case SEEQ_HPC3_TX_BC: return s->tx.bc;
	case SEEQ_HPC3_TX_CTRL: return (s->tx.ctrl & HPC3_CTRL_STORED) | (s->tx_stat & HPC3_TX_STAT_MASK);
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
	case SEEQ_HPC3_RX_NBDP: s->rx.nbdp = v; break;
	case SEEQ_HPC3_RX_CTRL: return hpc3_ctrl_write(s, &s->rx, v);
	case SEEQ_HPC3_RESET: hpc3_reset_write(s, v); return true;
	case SEEQ_HPC3_DMACFG: s->dmacfg = v; break;
	case SEEQ_HPC3_PIOCFG: s->piocfg = v; break;
	case SEEQ_HPC3_TX_NBDP: s->tx.nbdp = v; break;
	case SEEQ_HPC3_TX_CTRL: return hpc3_ctrl_write(s, &s->tx, v);
	case SEEQ_HPC3_CPFXBDP: s->cpfx = v; break;
	case SEEQ_HPC3_PPFXBDP: s->ppfx = v; break;
	default: break; /* CBP, BC, FIFO pointers, CRBDP: read-only */
	}
	return false;
}
