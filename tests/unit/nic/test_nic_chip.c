/* SPDX-License-Identifier: MIT */
/* test_nic_chip.c: the SEEQ 8003/80C03 + HPC3 model against the chip documents, one behaviour per test. */

/*
 * Each test quotes the line of /work/shared/reference/hpc3-seeq-facts.md
 * (the HPC3 specification and SEEQ data sheets restated) or of MAME's
 * 80C03 model that it checks.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "fake_engine.h"
#include "guestmem.h"
#include "nic_fixture.h"

static const uint8_t our_mac[6] = { 0x08, 0x00, 0x69, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t group_a[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }; /* CRC-32 0x264B3A01: hash bit 1 */

static uint8_t sread(struct nic_fx *f, unsigned n) { return (uint8_t)seeq_reg_read(f->s, SEEQ_HPC3_EDLC_REG(n), 1); }
static void swrite(struct nic_fx *f, unsigned n, uint8_t v) { seeq_reg_write(f->s, SEEQ_HPC3_EDLC_REG(n), v, 1); }
static uint32_t rd(struct nic_fx *f, uint32_t off) { return seeq_reg_read(f->s, off, 4); }
static void wr(struct nic_fx *f, uint32_t off, uint32_t v) { seeq_reg_write(f->s, off, v, 4); }

static void set_station(struct nic_fx *f, uint8_t rx_cmd)
{
	swrite(f, 7, SEEQ_TXC_BANK0);
	for (unsigned n = 0; n < 6; n++)
		swrite(f, n, our_mac[n]);
	swrite(f, 7, 0);
	swrite(f, 6, rx_cmd);
}

static void bank2(struct nic_fx *f, unsigned reg, uint8_t v)
{
	swrite(f, 7, SEEQ_TXC_BANK2);
	swrite(f, reg, v);
	swrite(f, 7, 0);
}

static size_t make_frame(uint8_t *buf, const uint8_t *dst, size_t len, uint8_t fill)
{
	memset(buf, fill, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, peer_mac, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	return len;
}

static void rx_ring(struct nic_fx *f)
{
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 1584, 0x1010);
	gmem_desc(f->m, 0x1010, 0x9000, SEEQ_DESC_OWN | 1584, 0x1000);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
}

static enum seeq_rx_result offer(struct nic_fx *f, const uint8_t *dst)
{
	uint8_t frame[64];

	make_frame(frame, dst, sizeof(frame), 0x33);
	fake_engine_push(f->e, frame, sizeof(frame));
	gmem_put_be32(f->m, 0x1004, SEEQ_DESC_OWN | 1584);
	gmem_put_be32(f->m, 0x1014, SEEQ_DESC_OWN | 1584);
	return seeq_pump(f->s).rx;
}

static void tx_one(struct nic_fx *f, uint32_t buf, uint32_t cnt)
{
	gmem_desc(f->m, 0x3000, buf, cnt | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x3010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x3000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	seeq_pump(f->s);
}

/*
 * "the multicast hash filter applies when the control register selects
 * it" (hpc3-seeq-facts.md, 80C03; MAME edlc.cpp: bit CRC-32(address) & 63
 * of the 64-bit filter, bank 1 registers 0-5 then bank 2 registers 0-1).
 */
static void test_80c03_multicast_hash(void **state)
{
	struct nic_fx *f = *state;
	static const uint8_t group_b[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x02 };
	struct seeq_counters c;

	set_station(f, SEEQ_RXC_MATCH_MCAST | SEEQ_RXC_GOOD);
	rx_ring(f);
	/* Without MHF every group address passes (8003 behaviour). */
	assert_int_equal(offer(f, group_a), SEEQ_RX_DELIVERED);
	assert_int_equal(offer(f, group_b), SEEQ_RX_DELIVERED);
	/* MHF with an empty hash: group frames are filtered, station and broadcast still pass. */
	bank2(f, 3, SEEQ_CTL_MHF);
	assert_int_equal(offer(f, group_a), SEEQ_RX_FILTERED);
	assert_int_equal(offer(f, our_mac), SEEQ_RX_DELIVERED);
	/* Hash bit 1 (bank 1 register 0, bit 1) lets group A in, not group B. */
	swrite(f, 7, SEEQ_TXC_BANK1);
	swrite(f, 0, 0x02);
	swrite(f, 7, 0);
	assert_int_equal(offer(f, group_a), SEEQ_RX_DELIVERED);
	assert_int_equal(offer(f, group_b), SEEQ_RX_FILTERED);
	/* Mode 0x80 never takes group frames, hash or not. */
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	assert_int_equal(offer(f, group_a), SEEQ_RX_FILTERED);
	seeq_counters(f->s, &c);
	assert_int_equal(c.rx_filtered, 3);
}

/*
 * #21: the chip reset (channel reset released) clears the multicast hash
 * with the other 80C03 registers: a driver that turns MHF on again without
 * reloading the hash takes no group frames.
 */
static void test_chip_reset_clears_multicast_hash(void **state)
{
	struct nic_fx *f = *state;

	set_station(f, SEEQ_RXC_MATCH_MCAST | SEEQ_RXC_GOOD);
	rx_ring(f);
	bank2(f, 3, SEEQ_CTL_MHF);
	swrite(f, 7, SEEQ_TXC_BANK1);
	swrite(f, 0, 0x02); /* hash bit 1: group A */
	swrite(f, 7, 0);
	assert_int_equal(offer(f, group_a), SEEQ_RX_DELIVERED);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CHANNEL);
	wr(f, SEEQ_HPC3_RESET, 0);
	set_station(f, SEEQ_RXC_MATCH_MCAST | SEEQ_RXC_GOOD);
	rx_ring(f);
	bank2(f, 3, SEEQ_CTL_MHF);
	assert_int_equal(offer(f, group_a), SEEQ_RX_FILTERED);
	assert_int_equal(offer(f, our_mac), SEEQ_RX_DELIVERED); /* the receiver itself works */
}

/* MAME's 80C03 CFG_GAM: "station address match" on 5 bytes and the high nibble of the sixth. */
static void test_80c03_group_address_match(void **state)
{
	struct nic_fx *f = *state;
	uint8_t near[6];

	memcpy(near, our_mac, 6);
	near[5] ^= 0x0F;
	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	rx_ring(f);
	assert_int_equal(offer(f, near), SEEQ_RX_FILTERED);
	bank2(f, 4, SEEQ_CFG_GAM);
	assert_int_equal(offer(f, near), SEEQ_RX_DELIVERED);
	near[5] ^= 0x10;
	assert_int_equal(offer(f, near), SEEQ_RX_FILTERED);
}

/* 80C03 configuration "automatic padding of short transmit frames" (TPA) and "transmit no CRC" (TNC). */
static void test_80c03_transmit_config(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];
	const uint8_t *sent;
	size_t len;

	make_frame(frame, peer_mac, sizeof(frame), 0x44);
	memset(f->m->mem + 0x8000, 0xEE, 128);
	memcpy(f->m->mem + 0x8000, frame, 42);
	tx_one(f, 0x8000, 42);
	sent = fake_engine_tx(f->e, 0, &len);
	assert_int_equal(len, 42);
	bank2(f, 4, SEEQ_CFG_TPA);
	tx_one(f, 0x8000, 42);
	sent = fake_engine_tx(f->e, 1, &len);
	assert_int_equal(len, 60);
	assert_memory_equal(sent, frame, 42);
	for (unsigned i = 42; i < 60; i++)
		assert_int_equal(sent[i], 0);
	/* TNC: the buffer ends with the guest's own FCS, which does not reach the engine. */
	bank2(f, 4, SEEQ_CFG_TNC);
	memcpy(f->m->mem + 0x8000, frame, 64);
	tx_one(f, 0x8000, 64);
	sent = fake_engine_tx(f->e, 2, &len);
	assert_int_equal(len, 60);
	assert_memory_equal(sent, frame, 60);
	/* TNC on a packet shorter than an FCS leaves nothing of it: with TPA, 60 bytes of padding. */
	bank2(f, 4, SEEQ_CFG_TNC | SEEQ_CFG_TPA);
	tx_one(f, 0x8000, 3);
	sent = fake_engine_tx(f->e, 3, &len);
	assert_int_equal(len, 60);
	for (unsigned i = 0; i < 60; i++)
		assert_int_equal(sent[i], 0);
}

/* 80C03 configuration "receive CRC": the FCS reaches memory, least significant byte first. */
static void test_80c03_receive_crc(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[42];

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	bank2(f, 4, SEEQ_CFG_RXC);
	rx_ring(f);
	/* A 42-byte frame of zeros after its header: padded to 60, then its FCS. */
	make_frame(frame, our_mac, sizeof(frame), 0);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	uint8_t padded[60] = { 0 };
	memcpy(padded, frame, sizeof(frame));
	uint32_t c = 0xFFFFFFFFu;
	for (unsigned i = 0; i < 60; i++) {
		c ^= padded[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	c = ~c;
	const uint8_t *buf = f->m->mem + 0x8000;
	assert_memory_equal(buf + 2, padded, 60);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(buf[62 + i], (uint8_t)(c >> (8 * i)));
	assert_int_equal(buf[66], SEEQ_RXS_GOOD | SEEQ_RXS_END);
	assert_int_equal(gmem_be32(f->m, 0x1004) & SEEQ_DESC_BCNT, 1584 - 67);
}

/*
 * "IPG, transmit: inter-packet gap byte, copied into the 8003's extended
 * register 2 only when DMA config bit 12 wr_ctrl is set" (descriptor table).
 */
static void test_ipg_byte_with_wr_ctrl(void **state)
{
	struct nic_fx *f = *state;
	uint8_t snap[128];

	memset(f->m->mem + 0x8000, 0x11, 60);
	bank2(f, 2, 0x07);
	tx_one(f, 0x8000, 60 | 0x005A0000u);
	assert_int_equal(seeq_snapshot_save(f->s, snap, sizeof(snap)), (long)seeq_snapshot_size());
	assert_int_equal(snap[22], 0x07); /* wr_ctrl clear: the gap register keeps its value */
	wr(f, SEEQ_HPC3_DMACFG, SEEQ_DMACFG_WRCTL);
	tx_one(f, 0x8000, 60 | 0x005A0000u);
	assert_int_equal(seeq_snapshot_save(f->s, snap, sizeof(snap)), (long)seeq_snapshot_size());
	assert_int_equal(snap[22], 0x5A);
	assert_int_equal(f->e->tx_count, 2);
}

/* The EDLC decodes three address bits: its eight registers repeat across 0x54000-0x544FF. */
static void test_edlc_window_aliases(void **state)
{
	struct nic_fx *f = *state;

	swrite(f, 7, SEEQ_TXC_GOOD);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_EDLC + 0x20 + 4 * 5, 1), 0x01);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_EDLC_END - 4, 4), 0x80); /* register 7 */
	/* A write through an alias reaches the register: the RX command at 0x544F8. */
	seeq_reg_write(f->s, SEEQ_HPC3_EDLC_END - 8, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD, 4);
	rx_ring(f);
	swrite(f, 7, SEEQ_TXC_BANK0);
	for (unsigned n = 0; n < 6; n++)
		seeq_reg_write(f->s, SEEQ_HPC3_EDLC + 0x100 + 4 * n + 3, our_mac[n], 1);
	swrite(f, 7, 0);
	assert_int_equal(offer(f, our_mac), SEEQ_RX_DELIVERED);
	/* Reading an alias of register 6 sets OLD like the register itself. */
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_EDLC + 0x40 + 4 * 6, 1), 0x30);
	assert_int_equal(sread(f, 6), 0xB0);
	/* Past the window nothing answers. */
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_EDLC_END + 4 * 5, 1), 0);
}

/*
 * "The receiver interrupts the CPU ... the channel reached a descriptor
 * with EOX ... In all three the channel clears its active bit" (spec
 * 2.4.4.3): completing an EOX descriptor, or meeting one it cannot use.
 */
static void test_rx_eox_interrupts(void **state)
{
	struct nic_fx *f = *state;

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | SEEQ_DESC_EOX | 1584, 0x1010);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	uint8_t frame[64];
	make_frame(frame, our_mac, sizeof(frame), 1);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	sread(f, 6); /* the SEEQ's own interrupt is acknowledged: the HPC3's stays */
	assert_true(f->m->irq);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	assert_false(f->m->irq);
	/* A descriptor the driver has not handed back, with EOX: stop and interrupt; the frame waits. */
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_EOX | 1584, 0x1010);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_true(f->m->irq);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(f->e->rx_count, 1);
	/* Without EOX the channel keeps waiting, silently. */
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	gmem_desc(f->m, 0x1000, 0x8000, 1584, 0x1010);
	wr(f, SEEQ_HPC3_RX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_false(f->m->irq);
	assert_true(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
}

/* Issue 21: writing an interrupt enable recomputes the line at once, both ways. */
static void test_irq_follows_enable_writes(void **state)
{
	struct nic_fx *f = *state;

	memset(f->m->mem + 0x8000, 0x11, 60);
	tx_one(f, 0x8000, 60);
	assert_int_equal(f->e->tx_count, 1);
	assert_false(f->m->irq); /* status SUCCESS is new, but not enabled */
	swrite(f, 7, SEEQ_TXC_GOOD);
	assert_true(f->m->irq);
	swrite(f, 7, SEEQ_TXC_COLL);
	assert_false(f->m->irq);
	/* The same for the receive enables (bit 5 included). */
	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_EOF);
	rx_ring(f);
	assert_int_equal(offer(f, our_mac), SEEQ_RX_DELIVERED);
	assert_true(f->m->irq);
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_SHORT);
	assert_false(f->m->irq);
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	assert_true(f->m->irq);
}

/* Issue 21 / "Transmit command: ... all cleared by chip reset": no enable and bank 0 after reset. */
static void test_tx_command_cleared_by_reset(void **state)
{
	struct nic_fx *f = *state;
	uint8_t snap[128];

	swrite(f, 7, SEEQ_TXC_BANK2 | SEEQ_TXC_GOOD);
	swrite(f, 3, 0x3f);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CHANNEL);
	wr(f, SEEQ_HPC3_RESET, 0);
	assert_int_equal(sread(f, 7), 0x80);
	memset(f->m->mem + 0x8000, 0x11, 60);
	tx_one(f, 0x8000, 60);
	assert_int_equal(f->e->tx_count, 1);
	assert_false(f->m->irq); /* the GOOD enable is gone */
	/* Register 0 is the station address again (bank 0), not the multicast hash (bank 2). */
	swrite(f, 0, 0x42);
	assert_int_equal(seeq_snapshot_save(f->s, snap, sizeof(snap)), (long)seeq_snapshot_size());
	assert_int_equal(snap[8], 0x42);
	assert_int_equal(snap[20], 0);
	assert_int_equal(snap[23], 0); /* 80C03 control cleared */
}

/* Issue 21: a change of the receive command wakes the pump thread. */
static void test_mode_change_wakes_pump(void **state)
{
	struct nic_fx *f = *state;
	struct timespec ms = { 0, 1000000 };
	uint8_t frame[64];

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	rx_ring(f);
	assert_int_equal(seeq_start_thread(f->s), 0);
	nanosleep(&(struct timespec){ 0, 50000000 }, NULL); /* its first pass is over */
	/* A frame on the ring the pump was not told about: it sleeps on. */
	make_frame(frame, peer_mac, sizeof(frame), 7);
	fake_engine_push_quiet(f->e, frame, sizeof(frame));
	nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	pthread_mutex_lock(&f->e->lock);
	unsigned waiting = f->e->rx_count;
	pthread_mutex_unlock(&f->e->lock);
	assert_int_equal(waiting, 1);
	assert_true(gmem_be32(f->m, 0x1004) & SEEQ_DESC_OWN);
	/* Promiscuous mode takes it, and the write alone wakes the pump. */
	swrite(f, 6, SEEQ_RXC_MATCH_ALL | SEEQ_RXC_GOOD);
	for (int i = 0; i < 2000 && (gmem_be32(f->m, 0x1004) & SEEQ_DESC_OWN); i++)
		nanosleep(&ms, NULL);
	seeq_stop_thread(f->s);
	assert_false(gmem_be32(f->m, 0x1004) & SEEQ_DESC_OWN);
	assert_memory_equal(f->m->mem + 0x8002, frame, sizeof(frame));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_80c03_multicast_hash, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_80c03_group_address_match, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_chip_reset_clears_multicast_hash, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_80c03_transmit_config, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_80c03_receive_crc, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_ipg_byte_with_wr_ctrl, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_edlc_window_aliases, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_eox_interrupts, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_irq_follows_enable_writes, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_command_cleared_by_reset, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mode_change_wakes_pump, nic_fx_setup, nic_fx_teardown),
	};
	return cmocka_run_group_tests_name("nic-chip", tests, NULL, NULL);
}
