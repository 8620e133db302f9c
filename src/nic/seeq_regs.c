/* SPDX-License-Identifier: MIT */
/* seeq_regs.c: SEEQ 8003/80C03 EDLC registers, address filter and the interrupt rule. */

/*
 * Theory of operation
 *
 * Eight byte-wide registers.  Registers 0-5 are write-only through the
 * bank selected by tx_cmd & 0x60 (station address; multicast hash; hash,
 * gap, 80C03 control and configuration); reading them returns the 80C03's
 * collision counters, i.e. 0, except register 5 which reads 0x01 - drivers
 * use this to tell an 80C03 from an 8003.  Registers 6 and 7 write the
 * RX/TX command and read the RX/TX status; a status read sets OLD, which
 * masks that status out of the interrupt rule until the next event.
 * Power-on and chip reset leave both statuses at OLD (0x80) and every
 * command 0 (8003 data sheet; hpc3-seeq-facts.md "SEEQ 8003 / 80C03").
 *
 * Receive filter: the match mode (rx_cmd 7:6) picks the destinations;
 * then the frame must be "of interest": its status (always GOOD|END here)
 * shares a bit with rx_cmd 5:0, else the chip discards it.  In mode 0xC0
 * with the 80C03 control bit MHF a multicast frame passes only when bit
 * (CRC-32 of its destination) & 63 of the 64-bit hash (bank 1 regs 0-5,
 * bank 2 regs 0-1, least significant byte first) is set; config bit GAM
 * makes the station match ignore the low nibble of byte 5 (both as MAME's
 * 80C03 models them).  Worked example: 01:00:5e:00:00:01 has CRC-32
 * 0x264B3A01, so it passes when bit 1 of bank 1 register 0 is set.
 *
 * The interrupt line is a pure function of the state (seeq_irq_update());
 * the emulator hears about changes through seeq_irq_report(), called after
 * the model's lock is dropped.  One thread at a time reports (irq_lock,
 * taken with trylock) and re-reads the level until it is stable, so the
 * last level reported is always the current one.
 */

#include "seeq_int.h"

#include <string.h>

/**
 * seeq_edlc_chip_reset() - the chip's reset: statuses OLD (0x80), commands and the 80C03 registers 0.
 * @s: model
 *
 * The station address survives.
 */
void seeq_edlc_chip_reset(struct seeq *s)
{
	memset(s->mcast, 0, sizeof(s->mcast));
	s->control = 0;
	s->config = 0;
	s->rx_cmd = 0;
	s->tx_cmd = 0;
	s->rx_stat = SEEQ_RXS_OLD;
	s->tx_stat = SEEQ_TXS_OLD;
}

/**
 * seeq_edlc_power_on() - EDLC power-on state: a chip reset with station address and gap 0.
 * @s: model
 */
void seeq_edlc_power_on(struct seeq *s)
{
	memset(s->station, 0, sizeof(s->station));
	s->gap = 0;
	seeq_edlc_chip_reset(s);
}

/**
 * seeq_crc32_update() - continue an IEEE 802.3 CRC-32 over more bytes.
 * @crc: the CRC of the bytes so far (0 for none)
 * @p: bytes
 * @n: their count
 *
 * Return: the CRC of everything (the Ethernet FCS as a number: its least
 * significant byte goes on the wire first).
 */
uint32_t seeq_crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	uint32_t c = ~crc;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

/**
 * seeq_irq_update() - recompute the interrupt line from the state.
 * @s: model (locked)
 *
 * Line = (RX status new and rx_cmd & 0x3F & status) or (TX status new and
 * tx_cmd & 0x0F & status) or an HPC3 DMA interrupt (XIE, RX stopped at
 * EOX) or RBO.
 */
void seeq_irq_update(struct seeq *s)
{
	bool rx = !(s->rx_stat & SEEQ_RXS_OLD) && (s->rx_cmd & 0x3Fu & s->rx_stat);
	bool tx = !(s->tx_stat & SEEQ_TXS_OLD) && (s->tx_cmd & 0x0Fu & s->tx_stat);
	bool level = rx || tx || s->dma_irq || (s->rx.ctrl & SEEQ_CTRL_RBO);

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

static bool seeq_station_match(const struct seeq *s, const uint8_t *dst)
{
	if (!(s->config & SEEQ_CFG_GAM))
		return memcmp(dst, s->station, 6) == 0;
	return memcmp(dst, s->station, 5) == 0 && ((dst[5] ^ s->station[5]) & 0xF0u) == 0;
}

/* A group address in match mode 0xC0: every one, or (80C03 MHF) those whose hash bit is set. */
static bool seeq_mcast_match(const struct seeq *s, const uint8_t *dst)
{
	unsigned bit = seeq_crc32_update(0, dst, 6) & 63u;

	if (!(s->control & SEEQ_CTL_MHF))
		return true;
	return (s->mcast[bit >> 3] >> (bit & 7u)) & 1u;
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

	if (len < SEEQ_RX_MIN || (s->reset & SEEQ_RESET_CHANNEL) || mode == SEEQ_RXC_MATCH_OFF)
		return false;
	if (mode == SEEQ_RXC_MATCH_ALL || seeq_station_match(s, frame) || memcmp(frame, bcast, 6) == 0)
		return true;
	return mode == SEEQ_RXC_MATCH_MCAST && (frame[0] & 1u) && seeq_mcast_match(s, frame);
}

/**
 * seeq_rx_of_interest() - does the receive command keep a frame with this status?
 * @s: model (locked)
 * @status: the frame's receive status (bits 5:0)
 *
 * Return: true when rx_cmd enables one of the status bits (8003 data sheet p. 1-6).
 */
bool seeq_rx_of_interest(const struct seeq *s, uint8_t status)
{
	return (s->rx_cmd & status & 0x3Fu) != 0;
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
		else if (reg == 4)
			s->config = v;
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
 * Return: true when the pump should look again (the receive filter changed).
 */
bool seeq_edlc_write(struct seeq *s, unsigned reg, uint8_t v)
{
	bool kick = false;

	if (reg < 6) {
		seeq_bank_write(s, reg, v);
	} else if (reg == SEEQ_REG_RX) {
		kick = v != s->rx_cmd;
		s->rx_cmd = v;
	} else {
		s->tx_cmd = v;
	}
	seeq_irq_update(s);
	return kick;
}
