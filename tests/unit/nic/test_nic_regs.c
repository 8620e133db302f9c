/* SPDX-License-Identifier: MIT */
/* test_nic_regs.c: SEEQ/HPC3 register behaviour: identification, banks, status OLD, interrupt rule, CTRL, RESET, snapshot. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_engine.h"
#include "guestmem.h"
#include "nic_fixture.h"

static uint8_t sread(struct nic_fx *f, unsigned n) { return (uint8_t)seeq_reg_read(f->s, SEEQ_HPC3_EDLC_REG(n), 1); }
static void swrite(struct nic_fx *f, unsigned n, uint8_t v) { seeq_reg_write(f->s, SEEQ_HPC3_EDLC_REG(n), v, 1); }
static uint32_t rd(struct nic_fx *f, uint32_t off) { return seeq_reg_read(f->s, off, 4); }
static void wr(struct nic_fx *f, uint32_t off, uint32_t v) { seeq_reg_write(f->s, off, v, 4); }

/* Send one 60-byte frame through the TX channel: leaves tx_stat = SUCCESS. */
static void send_one(struct nic_fx *f, uint32_t flags)
{
	memset(f->m->mem + 0x2000, 0xab, 60);
	gmem_desc(f->m, 0x1000, 0x2000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX | flags, 0x1010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	seeq_pump(f->s);
}

static void snap(struct nic_fx *f, uint8_t *out)
{
	assert_int_equal(seeq_snapshot_save(f->s, out, seeq_snapshot_size()), (long)seeq_snapshot_size());
}

/*
 * Power-on values (hpc3-seeq-facts.md): "ch_reset: ... 1 after power-on, and
 * must be 0 before ch_active can start a transfer"; "after reset old/new is
 * set and every other bit clear (0x80)"; "pio_cfg bits 3:0, 7:4, 11:8 ...
 * are 0xF each after power-on; dma_cfg ... likewise".
 */
static void test_power_on_values(void **state)
{
	struct nic_fx *f = *state;
	seeq *s = seeq_new(&gmem_ops, f->m, f->e);

	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_RESET, 4), SEEQ_RESET_CHANNEL);
	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_EDLC_REG(7), 1), 0x80);
	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_EDLC_REG(6), 1), 0x80);
	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_TX_CTRL, 4), 0x80);
	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_PIOCFG, 4), 0xFFF);
	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_DMACFG, 4), 0xFFF);
	/* While the channel reset is held, ACTIVE starts nothing: no descriptor fetch, no frame. */
	gmem_desc(f->m, 0x1000, 0x2000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1010);
	unsigned reads = f->m->reads;
	seeq_reg_write(s, SEEQ_HPC3_TX_NBDP, 0x1000, 4);
	seeq_reg_write(s, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE, 4);
	seeq_reg_write(s, SEEQ_HPC3_RX_NBDP, 0x1000, 4);
	seeq_reg_write(s, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE, 4);
	assert_false(seeq_reg_read(s, SEEQ_HPC3_TX_CTRL, 4) & SEEQ_CTRL_ACTIVE);
	assert_false(seeq_reg_read(s, SEEQ_HPC3_RX_CTRL, 4) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(s).tx, 0);
	assert_int_equal(f->m->reads, reads);
	assert_int_equal(f->e->tx_count, 0);
	/* Released, the same write starts the channel. */
	seeq_reg_write(s, SEEQ_HPC3_RESET, 0, 4);
	seeq_reg_write(s, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE, 4);
	assert_int_equal(seeq_pump(s).tx, 1);
	/* seeq_reset() is a power-on: the channel reset is held again. */
	seeq_reset(s);
	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_RESET, 4), SEEQ_RESET_CHANNEL);
	assert_int_equal(seeq_reg_read(s, SEEQ_HPC3_DMACFG, 4), 0xFFF);
	seeq_free(s);
}

static void test_power_on_and_80c03_id(void **state)
{
	struct nic_fx *f = *state;

	for (unsigned n = 0; n < 5; n++)
		assert_int_equal(sread(f, n), 0x00);
	assert_int_equal(sread(f, 5), 0x01);
	assert_int_equal(sread(f, 6), 0x80);
	assert_int_equal(sread(f, 7), 0x80);
	/* 32-bit accesses reach the same 8-bit registers. */
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_EDLC_REG(5), 4), 0x01);
	assert_int_equal(rd(f, SEEQ_HPC3_RESET), 0);
	assert_false(seeq_irq_level(f->s));
	/* Writing the station address does not show on reads (80C03 collision counters). */
	swrite(f, 0, 0xa5);
	assert_int_equal(sread(f, 0), 0x00);
}

static void test_register_banks(void **state)
{
	struct nic_fx *f = *state;
	uint8_t b[128];

	swrite(f, 7, SEEQ_TXC_BANK0);
	for (unsigned n = 0; n < 6; n++)
		swrite(f, n, (uint8_t)(0x10 + n));
	swrite(f, 7, SEEQ_TXC_BANK1);
	for (unsigned n = 0; n < 6; n++)
		swrite(f, n, (uint8_t)(0x20 + n));
	swrite(f, 7, SEEQ_TXC_BANK2);
	swrite(f, 0, 0x30);
	swrite(f, 1, 0x31);
	swrite(f, 2, 0x32); /* packet gap */
	swrite(f, 3, 0x33); /* control */
	swrite(f, 4, 0x99); /* ignored */
	swrite(f, 5, 0x99);
	swrite(f, 7, 0x60); /* bank 3: everything ignored */
	for (unsigned n = 0; n < 6; n++)
		swrite(f, n, 0xee);
	snap(f, b);
	static const uint8_t station[6] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15 };
	static const uint8_t hash[8] = { 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x30, 0x31 };
	assert_memory_equal(b + 8, station, 6);
	assert_memory_equal(b + 14, hash, 8);
	assert_int_equal(b[22], 0x32);
	assert_int_equal(b[23], 0x33);
}

static void test_status_old_and_interrupt_rule(void **state)
{
	struct nic_fx *f = *state;

	swrite(f, 7, SEEQ_TXC_GOOD);
	send_one(f, 0);
	assert_int_equal(f->e->tx_count, 1);
	assert_true(seeq_irq_level(f->s));
	assert_true(f->m->irq);
	assert_int_equal(f->m->rises, 1);
	assert_int_equal(rd(f, SEEQ_HPC3_RESET) & 2, 2);
	/* Reading the status returns SUCCESS, then sets OLD: the line drops. */
	assert_int_equal(sread(f, 7), SEEQ_TXS_SUCCESS);
	assert_int_equal(sread(f, 7), SEEQ_TXS_OLD | SEEQ_TXS_SUCCESS);
	assert_false(f->m->irq);
	assert_int_equal(f->m->falls, 1);
	assert_int_equal(rd(f, SEEQ_HPC3_RESET) & 2, 0);

	/* Without the GOOD enable the same event raises nothing. */
	swrite(f, 7, SEEQ_TXC_COLL);
	send_one(f, 0);
	assert_false(f->m->irq);
	/* A descriptor with XIE raises the line by itself; CLRINT drops it. */
	send_one(f, SEEQ_DESC_XIE);
	assert_true(f->m->irq);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	assert_false(f->m->irq);
	assert_int_equal(f->m->rises, 2);
	assert_int_equal(f->m->falls, 2);
}

/*
 * rx control (hpc3-seeq-facts.md "Receive channel"): "bits 5:0 and 7 are a
 * read-only copy of the SEEQ receive status taken with the interrupt"; RBO
 * "read-only, set by the chip"; TX bits 7:0 are the transmit status.
 */
static void test_ctrl_status_copy(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x08, 0x00 };

	/* Only ENDIAN (and ACTIVE) are taken from a write; the status copy and RBO are the chip's. */
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ENDIAN | SEEQ_CTRL_RBO | 0x40 | 0x3f);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_CTRL_ENDIAN);
	wr(f, SEEQ_HPC3_TX_CTRL, 0x7f);
	assert_int_equal(rd(f, SEEQ_HPC3_TX_CTRL), 0x80);
	/* A received frame: the copy is 0x30, and stays 0x30 after CLRINT sets OLD in the live status. */
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x1000, 0x2000, SEEQ_DESC_OWN | 1584, 0x1010);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE | SEEQ_CTRL_ENDIAN);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_CTRL_ACTIVE | SEEQ_CTRL_ENDIAN | 0x30);
	assert_int_equal(sread(f, 6), 0xB0);
	/* Narrow reads take big-endian lanes. */
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_RX_CTRL + 2, 1), (SEEQ_CTRL_ACTIVE | SEEQ_CTRL_ENDIAN) >> 8);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_RX_CTRL + 3, 1), 0x30);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_RX_CTRL + 2, 2), 0x0330);
	/* CTRL reads have no OLD-style side effect on the transmit status. */
	send_one(f, 0);
	assert_int_equal(rd(f, SEEQ_HPC3_TX_CTRL) & 0xff, 0x08);
	assert_int_equal(sread(f, 7), 0x08);
}

/*
 * "rx_gio / rx_dev (FIFO pointers) and the current buffer pointer and byte
 * count are read-only in normal operation" (hpc3-seeq-facts.md); a CRBDP
 * write does not move the receive channel.
 */
static void test_read_only_registers(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x08, 0x00 };
	const uint32_t ro[] = { SEEQ_HPC3_RX_CBP, SEEQ_HPC3_RX_BC, SEEQ_HPC3_RX_GIO, SEEQ_HPC3_RX_DEV,
				SEEQ_HPC3_TX_CBP, SEEQ_HPC3_TX_BC, SEEQ_HPC3_TX_GIO, SEEQ_HPC3_TX_DEV,
				SEEQ_HPC3_CRBDP };

	gmem_desc(f->m, 0x1000, 0x2000, SEEQ_DESC_OWN | 1584, 0x1010);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint32_t before = rd(f, ro[i]);

		wr(f, ro[i], 0x5000u + i);
		assert_int_equal(rd(f, ro[i]), before);
	}
	assert_int_equal(rd(f, SEEQ_HPC3_CRBDP), 0x1000);
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_memory_equal(f->m->mem + 0x2002, frame, sizeof(frame));
	assert_int_equal(rd(f, SEEQ_HPC3_CRBDP), 0x1010);
}

static void test_active_amask(void **state)
{
	struct nic_fx *f = *state;

	gmem_desc(f->m, 0x1000, 0x2000, SEEQ_DESC_OWN | 100, 0x1010);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_true(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	/* ACTIVE rising fetched the descriptor at NBDP. */
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CBP), 0x2000);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_BC), SEEQ_DESC_OWN | 100);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_NBDP), 0x1010);
	assert_int_equal(rd(f, SEEQ_HPC3_CRBDP), 0x1000);
	/* AMASK set: ACTIVE is kept whatever the value says. */
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_AMASK);
	assert_true(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_AMASK);
	wr(f, SEEQ_HPC3_RX_CTRL, 0);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_AMASK | SEEQ_CTRL_ACTIVE);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	/* Plain stored registers. */
	const uint32_t offs[] = { SEEQ_HPC3_DMACFG, SEEQ_HPC3_PIOCFG, SEEQ_HPC3_CPFXBDP, SEEQ_HPC3_PPFXBDP,
				  SEEQ_HPC3_TX_NBDP };
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		wr(f, offs[i], 0x1234500u + i);
		assert_int_equal(rd(f, offs[i]), 0x1234500u + i);
	}
	assert_int_equal(rd(f, 0x15010), 0);
}

static void test_reset_register(void **state)
{
	struct nic_fx *f = *state;
	uint8_t b[128];

	swrite(f, 7, SEEQ_TXC_BANK0);
	for (unsigned n = 0; n < 6; n++)
		swrite(f, n, (uint8_t)(0x40 + n));
	swrite(f, 7, SEEQ_TXC_BANK2 | SEEQ_TXC_GOOD);
	swrite(f, 3, 0x3f);
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_EOF);
	send_one(f, 0);
	assert_true(f->m->irq);
	gmem_desc(f->m, 0x1100, 0x2000, SEEQ_DESC_OWN | 100, 0x1110);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1100);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);

	/* Rising edge of bit 0 stops both channels; bit 2 is stored; bit 1 reads the line. */
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CHANNEL | SEEQ_RESET_LOOPBACK);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_false(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(rd(f, SEEQ_HPC3_RESET), SEEQ_RESET_CHANNEL | SEEQ_RESET_LOOPBACK | 2);
	/* Falling edge: statuses OLD, commands and control 0, station kept. */
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_LOOPBACK | SEEQ_RESET_CLRINT);
	assert_false(f->m->irq);
	assert_int_equal(rd(f, SEEQ_HPC3_RESET), SEEQ_RESET_LOOPBACK);
	snap(f, b);
	static const uint8_t station[6] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45 };
	assert_memory_equal(b + 8, station, 6);
	assert_int_equal(b[23], 0);   /* control */
	assert_int_equal(b[24], 0);   /* rx_cmd */
	assert_int_equal(b[25], 0x80);
	assert_int_equal(b[26], 0);   /* tx_cmd */
	assert_int_equal(b[27], 0x80);
	assert_int_equal(sread(f, 6), 0x80);
	assert_int_equal(sread(f, 7), 0x80);
}

static void test_clear_interrupt_strobe_sets_old(void **state)
{
	struct nic_fx *f = *state;

	swrite(f, 7, SEEQ_TXC_GOOD);
	send_one(f, 0);
	assert_true(f->m->irq);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	assert_false(f->m->irq);
	assert_int_equal(sread(f, 7), 0x88);
	/* The strobe is not stored. */
	assert_int_equal(rd(f, SEEQ_HPC3_RESET), 0);
	/* A new event raises the line again: a second rising edge. */
	send_one(f, 0);
	assert_true(f->m->irq);
	assert_int_equal(f->m->rises, 2);
}

static void test_narrow_writes(void **state)
{
	struct nic_fx *f = *state;

	swrite(f, 7, SEEQ_TXC_GOOD);
	send_one(f, 0);
	assert_true(f->m->irq);
	/* A byte write to another lane of RESET must not replay the pending bit as a strobe. */
	seeq_reg_write(f->s, SEEQ_HPC3_RESET + 2, 0, 1);
	assert_true(f->m->irq);
	seeq_reg_write(f->s, SEEQ_HPC3_RESET + 3, SEEQ_RESET_LOOPBACK | SEEQ_RESET_CLRINT, 1);
	assert_false(f->m->irq);
	assert_int_equal(rd(f, SEEQ_HPC3_RESET), SEEQ_RESET_LOOPBACK);
	/* A byte write of CTRL bits 15:8 with ACTIVE starts the channel and keeps the low byte. */
	gmem_desc(f->m, 0x1000, 0x2000, SEEQ_DESC_OWN | 100, 0x1010);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ENDIAN);
	seeq_reg_write(f->s, SEEQ_HPC3_RX_CTRL + 2, (SEEQ_CTRL_ACTIVE | SEEQ_CTRL_ENDIAN) >> 8, 1);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_CTRL_ACTIVE | SEEQ_CTRL_ENDIAN);
	assert_int_equal(rd(f, SEEQ_HPC3_CRBDP), 0x1000);
	/* A 16-bit write at +2 covers bits 15:0. */
	seeq_reg_write(f->s, SEEQ_HPC3_RX_CTRL + 2, SEEQ_CTRL_ACTIVE, 2);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_CTRL_ACTIVE);
	/* Byte writes to the upper lanes of a pointer register. */
	wr(f, SEEQ_HPC3_TX_NBDP, 0x00001010);
	seeq_reg_write(f->s, SEEQ_HPC3_TX_NBDP, 0xAB, 1);
	seeq_reg_write(f->s, SEEQ_HPC3_TX_NBDP + 3, 0x34, 1);
	assert_int_equal(rd(f, SEEQ_HPC3_TX_NBDP), 0xAB001034u);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_TX_NBDP + 1, 1), 0x00);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_TX_NBDP, 2), 0xAB00);
}

static void test_snapshot_round_trip(void **state)
{
	struct nic_fx *f = *state;
	size_t n = seeq_snapshot_size();
	uint8_t a[128], b[128], bad[128];

	assert_true(n <= sizeof(a));
	swrite(f, 7, SEEQ_TXC_BANK0);
	for (unsigned i = 0; i < 6; i++)
		swrite(f, i, (uint8_t)(0xa0 + i));
	swrite(f, 7, SEEQ_TXC_GOOD);
	swrite(f, 6, SEEQ_RXC_MATCH_MCAST | 0x1f);
	gmem_desc(f->m, 0x1100, 0x2000, SEEQ_DESC_OWN | 1584, 0x1110);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1100);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE | SEEQ_CTRL_ENDIAN);
	wr(f, SEEQ_HPC3_DMACFG, 0x12345);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_LOOPBACK);
	send_one(f, SEEQ_DESC_XIE);
	assert_true(f->m->irq);
	snap(f, a);

	struct gmem *m2 = gmem_new(1u << 20);
	seeq *s2 = seeq_new(&gmem_ops, m2, f->e);
	memcpy(m2->mem, f->m->mem, 1u << 20);
	assert_int_equal(seeq_snapshot_restore(s2, a, n), 0);
	assert_true(m2->irq); /* the line is re-announced */
	assert_int_equal(seeq_snapshot_save(s2, b, n), (long)n);
	assert_memory_equal(a, b, n);
	const uint32_t offs[] = { SEEQ_HPC3_RX_CTRL, SEEQ_HPC3_RX_CBP, SEEQ_HPC3_RX_NBDP, SEEQ_HPC3_RX_BC,
				  SEEQ_HPC3_CRBDP, SEEQ_HPC3_TX_CTRL, SEEQ_HPC3_DMACFG, SEEQ_HPC3_RESET,
				  SEEQ_HPC3_CPFXBDP, SEEQ_HPC3_TX_NBDP };
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		assert_int_equal(seeq_reg_read(s2, offs[i], 4), rd(f, offs[i]));

	/* The restored model receives for the same station address. */
	uint8_t frame[64] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 1, 2, 3, 4, 5, 6, 0x08, 0x00 };
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(s2).rx, SEEQ_RX_DELIVERED);
	assert_memory_equal(m2->mem + 0x2002, frame, sizeof(frame));

	/* Damaged snapshots are refused and change nothing; a newer format is "not supported". */
	memcpy(bad, a, n);
	bad[5] = 3;
	assert_int_equal(seeq_snapshot_restore(f->s, bad, n), -ENOTSUP);
	bad[5] = 1;
	assert_int_equal(seeq_snapshot_restore(f->s, bad, n), -EINVAL);
	memcpy(bad, a, n);
	bad[40] ^= 1;
	assert_int_equal(seeq_snapshot_restore(f->s, bad, n), -EINVAL);
	assert_int_equal(seeq_snapshot_restore(f->s, a, n - 1), -EINVAL);
	assert_int_equal(seeq_snapshot_restore(f->s, NULL, n), -EINVAL);
	assert_int_equal(seeq_snapshot_save(f->s, bad, n - 1), -ENOSPC);
	snap(f, b);
	assert_memory_equal(a, b, n);
	seeq_free(s2);
	gmem_free(m2);
}

static uint32_t t_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static void t_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Snapshot format 2 carries the 80C03 configuration register (byte 102); a
 * version-1 snapshot (written before it existed, ctrl words holding any
 * written bits) still loads, with configuration 0.
 */
static void test_snapshot_versions(void **state)
{
	struct nic_fx *f = *state;
	size_t n = seeq_snapshot_size();
	uint8_t a[128], v1[128], b[128];

	swrite(f, 7, SEEQ_TXC_BANK2);
	swrite(f, 4, SEEQ_CFG_TPA | SEEQ_CFG_GAM);
	swrite(f, 7, SEEQ_TXC_GOOD);
	snap(f, a);
	assert_int_equal(a[4] << 8 | a[5], 2);
	assert_int_equal(a[102], SEEQ_CFG_TPA | SEEQ_CFG_GAM);

	/* The same state as version 1 wrote it: no config byte, stray bits in the ctrl words. */
	memcpy(v1, a, n);
	v1[5] = 1;
	v1[102] = 0;
	t_put_be32(v1 + 42, SEEQ_CTRL_ENDIAN | 0x7F);
	t_put_be32(v1 + 70, 0x5A);
	t_put_be32(v1 + 106, t_crc32(v1, 106));
	assert_int_equal(seeq_snapshot_restore(f->s, v1, n), 0);
	snap(f, b);
	assert_int_equal(b[5], 2);
	assert_int_equal(b[102], 0);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_CTRL_ENDIAN | 0x80); /* copy taken from rx_stat */
	assert_int_equal(rd(f, SEEQ_HPC3_TX_CTRL), 0x80);
	/* Version 2 refuses unknown bits in a ctrl word. */
	memcpy(b, a, n);
	t_put_be32(b + 42, 0x1000);
	t_put_be32(b + 106, t_crc32(b, 106));
	assert_int_equal(seeq_snapshot_restore(f->s, b, n), -EINVAL);
	assert_int_equal(seeq_snapshot_restore(f->s, a, n), 0);
	snap(f, b);
	assert_memory_equal(a, b, n);
}

static void test_power_on_reset(void **state)
{
	struct nic_fx *f = *state;

	uint8_t b[128];

	swrite(f, 7, SEEQ_TXC_BANK2);
	swrite(f, 2, 0x5A); /* the inter-packet gap */
	swrite(f, 7, SEEQ_TXC_GOOD);
	send_one(f, 0);
	wr(f, SEEQ_HPC3_DMACFG, 7);
	assert_true(f->m->irq);
	seeq_reset(f->s);
	assert_false(f->m->irq);
	assert_int_equal(sread(f, 7), 0x80);
	assert_int_equal(rd(f, SEEQ_HPC3_DMACFG), 0xFFF);
	assert_int_equal(rd(f, SEEQ_HPC3_TX_CTRL), 0x80);
	/* the station address and the gap are 0 again, as a saved machine shows */
	snap(f, b);
	for (int i = 8; i <= 13; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(b[22], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_power_on_values, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_power_on_and_80c03_id, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_only_registers, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_register_banks, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_old_and_interrupt_rule, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_status_copy, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_active_amask, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_reset_register, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_clear_interrupt_strobe_sets_old, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_narrow_writes, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_round_trip, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_versions, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_power_on_reset, nic_fx_setup, nic_fx_teardown),
	};
	return cmocka_run_group_tests_name("nic-regs", tests, NULL, NULL);
}
