/* SPDX-License-Identifier: MIT */
/* seeq_regs.c: SEEQ 8003/80C03 EDLC registers, address filter and the interrupt rule. */

/*
 * Theory of operation
 *
 * Eight byte-wide registers.  Registers 0-5 are write-only through the
 * bank selected by tx_cmd & 0x60 (station address, multicast hash, 80C03
 * gap and control); reading them returns the 80C03's collision counters,
 * i.e. 0, except register 5 which reads 0x01 - drivers use this to tell an
 * 80C03 from an 8003.  Registers 6 and 7 write the RX/TX command and read
 * the RX/TX status; a status read sets OLD, which masks that status out of
 * the interrupt rule until the next event.
 *
 * The interrupt line is a pure function of the state (seeq_irq_update());
 * the emulator hears about changes through seeq_irq_report(), called after
 * the model's lock is dropped.  One thread at a time reports (irq_lock,
 * taken with trylock) and re-reads the level until it is stable, so the
 * last level reported is always the current one.
 */

#include "nic/seeq_int.h"

#include <string.h>

/**
 * seeq_edlc_power_on() - EDLC power-on state: rx_stat 0x80, tx_stat 0x88, the rest 0.
 * @s: model
 */
void seeq_edlc_power_on(struct seeq *s)
{
	memset(s->station, 0, sizeof(s->station));
	memset(s->mcast, 0, sizeof(s->mcast));
	s->gap = 0;
	s->control = 0;
	s->rx_cmd = 0;
	s->tx_cmd = 0;
	s->rx_stat = SEEQ_RXS_OLD;
	s->tx_stat = SEEQ_TXS_OLD | SEEQ_TXS_SUCCESS;
}

/**
 * seeq_irq_update() - recompute the interrupt line from the state.
 * @s: model (locked)
 */
void seeq_irq_update(struct seeq *s)
{
	bool rx = !(s->rx_stat & SEEQ_RXS_OLD) && (s->rx_cmd & 0x1Fu & s->rx_stat);
	bool tx = !(s->tx_stat & SEEQ_TXS_OLD) && (s->tx_cmd & 0x0Fu & s->tx_stat);
	bool level = rx || tx || s->dma_irq;

	if (level != s->irq_level) {
		s->irq_level = level;
		s->ctr.irq_edges++;
	}
}

/**
 * seeq_irq_report() - tell the emulator the current level if it changed.
 * @s: model (not locked)
 *
 * Never waits for another thread's set_irq() call: when one is in progress
 * that thread re-reads the level afterwards (irq_dirty), so the last level
 * reported is always the current one and no thread blocks on the emulator.
 */
void seeq_irq_report(struct seeq *s)
{
	atomic_store(&s->irq_dirty, true);
	while (atomic_load(&s->irq_dirty) && pthread_mutex_trylock(&s->irq_lock) == 0) {
		while (atomic_exchange(&s->irq_dirty, false)) {
			pthread_mutex_lock(&s->lock);
			bool level = s->irq_level;
			pthread_mutex_unlock(&s->lock);
			if (level != s->irq_reported) {
				s->irq_reported = level;
				if (s->ops.set_irq)
					s->ops.set_irq(s->opaque, level);
			}
		}
		pthread_mutex_unlock(&s->irq_lock);
	}
}

/**
 * seeq_rx_accept() - the receive address filter.
 * @s: model (locked)
 * @frame: the frame
 * @len: its length
 *
 * Return: true when the current match mode takes the frame.
 */
bool seeq_rx_accept(const struct seeq *s, const uint8_t *frame, size_t len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned mode = s->rx_cmd & SEEQ_RXC_MATCH_MASK;

	if (len < SEEQ_RX_MIN || (s->reset & SEEQ_RESET_CHANNEL))
		return false;
	switch (mode) {
	case SEEQ_RXC_MATCH_ALL:
		return true;
	case SEEQ_RXC_MATCH_MCAST:
		if (frame[0] & 1u)
			return true;
		break;
	case SEEQ_RXC_MATCH_BCAST:
		if (memcmp(frame, bcast, 6) == 0)
			return true;
		break;
	default:
		return false;
	}
	return memcmp(frame, s->station, 6) == 0;
}

/**
 * seeq_edlc_read() - read SEEQ register @reg (0..7).
 * @s: model (locked)
 * @reg: register number
 *
 * Return: the byte; status reads set OLD afterwards.
 */
uint8_t seeq_edlc_read(struct seeq *s, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case SEEQ_REG_RX:
		v = s->rx_stat;
		s->rx_stat |= SEEQ_RXS_OLD;
		break;
	case SEEQ_REG_TX:
		v = s->tx_stat;
		s->tx_stat |= SEEQ_TXS_OLD;
		break;
	case 5:
		v = 0x01;
		break;
	default:
		v = 0x00;
		break;
	}
	seeq_irq_update(s);
	return v;
}

static void seeq_bank_write(struct seeq *s, unsigned reg, uint8_t v)
{
	switch (s->tx_cmd & SEEQ_TXC_BANK_MASK) {
	case SEEQ_TXC_BANK0:
		s->station[reg] = v;
		break;
	case SEEQ_TXC_BANK1:
		s->mcast[reg] = v;
		break;
	case SEEQ_TXC_BANK2:
		if (reg < 2)
			s->mcast[6 + reg] = v;
		else if (reg == 2)
			s->gap = v;
		else if (reg == 3)
			s->control = v;
		break;
	default:
		break;
	}
}

/**
 * seeq_edlc_write() - write SEEQ register @reg (0..7).
 * @s: model (locked)
 * @reg: register number
 * @v: the byte
 *
 * Return: true when the pump should look again (RX mode changed).
 */
bool seeq_edlc_write(struct seeq *s, unsigned reg, uint8_t v)
{
	bool kick = false;

	if (reg < 6) {
		seeq_bank_write(s, reg, v);
	} else if (reg == SEEQ_REG_RX) {
		kick = (v & SEEQ_RXC_MATCH_MASK) != (s->rx_cmd & SEEQ_RXC_MATCH_MASK);
		s->rx_cmd = v;
	} else {
		s->tx_cmd = v;
	}
	seeq_irq_update(s);
	return kick;
}
