/* SPDX-License-Identifier: MIT */
/* test_nic_dma.c: HPC3 descriptor chains, RX filter and drain, and the Linux/NetBSD-style drivers, on a fake engine. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "drv_linux.h"
#include "drv_netbsd.h"
#include "fake_engine.h"
#include "guestmem.h"
#include "nic_fixture.h"

#define MEM_SIZE NIC_FX_MEM_SIZE

static const uint8_t our_mac[6] = { 0x08, 0x00, 0x69, 0x12, 0x34, 0x56 };
static const uint8_t other_mac[6] = { 0x08, 0x00, 0x69, 0x99, 0x99, 0x99 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static uint32_t rd(struct nic_fx *f, uint32_t off) { return seeq_reg_read(f->s, off, 4); }
static void wr(struct nic_fx *f, uint32_t off, uint32_t v) { seeq_reg_write(f->s, off, v, 4); }
static void swrite(struct nic_fx *f, unsigned n, uint8_t v) { seeq_reg_write(f->s, SEEQ_HPC3_EDLC_REG(n), v, 1); }
static uint16_t word6(struct nic_fx *f, uint32_t desc) { return (uint16_t)(gmem_be32(f->m, desc + 4) & 0xffff); }

static void set_station(struct nic_fx *f, uint8_t rx_cmd)
{
	swrite(f, 7, SEEQ_TXC_BANK0);
	for (unsigned n = 0; n < 6; n++)
		swrite(f, n, our_mac[n]);
	swrite(f, 7, SEEQ_TXC_GOOD);
	swrite(f, 6, rx_cmd);
}

static size_t make_frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, size_t len, uint8_t fill)
{
	memset(buf, fill, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	return len;
}

static void rx_start(struct nic_fx *f, uint32_t desc)
{
	wr(f, SEEQ_HPC3_RX_NBDP, desc);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE);
}

/* --- TX --- */

static void test_tx_single(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[60];
	const uint8_t *sent;
	size_t len;

	make_frame(frame, peer_mac, our_mac, sizeof(frame), 0x5a);
	memcpy(f->m->mem + 0x8000, frame, sizeof(frame));
	gmem_desc(f->m, 0x1000, 0x8000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX | SEEQ_DESC_XIE | 0x01000000, 0x1010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(f->e->tx_count, 0); /* nothing moves until a pump */
	struct seeq_pump_result r = seeq_pump(f->s);
	assert_int_equal(r.tx, 1);
	sent = fake_engine_tx(f->e, 0, &len);
	assert_non_null(sent);
	assert_int_equal(len, 60);
	assert_memory_equal(sent, frame, 60);
	/* 0x8000 in the 16-bit word at +6, upper half untouched. */
	assert_int_equal(gmem_be32(f->m, 0x1004),
			 SEEQ_DESC_EOP | SEEQ_DESC_EOX | SEEQ_DESC_XIE | 0x01000000 | SEEQ_DESC_TXD);
	assert_false(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(rd(f, SEEQ_HPC3_TX_CTRL) & 0xff, SEEQ_TXS_SUCCESS);
	assert_int_equal(rd(f, SEEQ_HPC3_CPFXBDP), 0x1000);
	assert_true(f->m->irq); /* XIE */
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_frames, 1);
	assert_int_equal(c.tx_bytes, 60);
}

static void test_tx_gather_links_and_two_packets(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];
	const uint8_t *sent;
	size_t len;

	make_frame(frame, peer_mac, our_mac, sizeof(frame), 0);
	for (unsigned i = 14; i < 64; i++)
		frame[i] = (uint8_t)i;
	memcpy(f->m->mem + 0x8000, frame, 20);
	memcpy(f->m->mem + 0x9000, frame + 20, 30);
	memcpy(f->m->mem + 0xA000, frame + 50, 14);
	/* 20 bytes, a zero-count link, 30 bytes, 14 bytes + EOP; then a second one-descriptor packet. */
	gmem_desc(f->m, 0x1000, 0x8000, 20, 0x1100);
	gmem_desc(f->m, 0x1100, 0, 0, 0x1200);
	gmem_desc(f->m, 0x1200, 0x9000, 30, 0x1300);
	gmem_desc(f->m, 0x1300, 0xA000, 14 | SEEQ_DESC_EOP, 0x1400);
	gmem_desc(f->m, 0x1400, 0x8000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1500);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 2);
	sent = fake_engine_tx(f->e, 0, &len);
	assert_int_equal(len, 64);
	assert_memory_equal(sent, frame, 64);
	sent = fake_engine_tx(f->e, 1, &len);
	assert_int_equal(len, 60);
	/* TXD only in each packet's first descriptor; the others keep their counts. */
	assert_int_equal(word6(f, 0x1000), 0x8000);
	assert_int_equal(word6(f, 0x1400), 0x8000);
	assert_int_equal(gmem_be32(f->m, 0x1204), 30);
	assert_int_equal(gmem_be32(f->m, 0x1304), 14 | SEEQ_DESC_EOP);
	assert_int_equal(word6(f, 0x1100), 0); /* links are not written */
	assert_int_equal(rd(f, SEEQ_HPC3_CPFXBDP), 0x1400);
	assert_int_equal(rd(f, SEEQ_HPC3_PPFXBDP), 0x1000);
	assert_false(f->m->irq); /* no XIE, no TX interrupt enabled */
}

static void test_tx_stops_and_faults(void **state)
{
	struct nic_fx *f = *state;
	struct seeq_counters c;

	/* A zero-count descriptor with EOX: nothing sent, channel stops. */
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_EOX | SEEQ_DESC_TXD, 0x1010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	assert_false(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);

	/* A cycle of zero-count links is a broken chain, not a hang. */
	gmem_desc(f->m, 0x1000, 0, 0, 0x1010);
	gmem_desc(f->m, 0x1010, 0, 0, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	assert_false(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 1);

	/* The chain ends (EOX) before EOP: the partial packet is an error. */
	gmem_desc(f->m, 0x1000, 0x8000, 40 | SEEQ_DESC_EOX, 0x1010);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_errors, 1);

	/* Buffers outside guest memory: bus error, channel stops, nothing sent. */
	gmem_desc(f->m, 0x1000, MEM_SIZE - 10, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1010);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	assert_int_equal(f->e->tx_count, 0);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 2);
	/* With a limit the model does not even ask for memory beyond it. */
	seeq_set_mem_limit(f->s, 0x4000);
	unsigned oob = f->m->oob;
	gmem_desc(f->m, 0x1000, 0x8000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1010);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	seeq_pump(f->s);
	assert_int_equal(f->m->oob, oob);
	assert_int_equal(f->e->tx_count, 0);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 3);

	/* The engine refusing a frame still completes the descriptor. */
	seeq_set_mem_limit(f->s, 0);
	f->e->tx_result = -ENOBUFS;
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 1);
	assert_int_equal(word6(f, 0x1000), 0x8000);
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_dropped, 1);
}

static void test_tx_budget_and_oversize(void **state)
{
	struct nic_fx *f = *state;
	struct seeq_counters c;

	/* 300 packets in one chain: a pump sends 256 and says there is more. */
	for (unsigned i = 0; i < 300; i++)
		gmem_desc(f->m, 0x10000 + i * 16, 0x8000, 60 | SEEQ_DESC_EOP | (i == 299 ? SEEQ_DESC_EOX : 0),
			  0x10000 + (i + 1) * 16);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x10000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	struct seeq_pump_result r = seeq_pump(f->s);
	assert_int_equal(r.tx, 256);
	assert_true(r.again);
	assert_true(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);
	r = seeq_pump(f->s);
	assert_int_equal(r.tx, 44);
	assert_false(r.again);
	assert_int_equal(f->e->tx_count, 300);

	/* A packet gathered beyond 16 KiB is dropped, its first descriptor still completed. */
	gmem_desc(f->m, 0x1000, 0x20000, 10000, 0x1010);
	gmem_desc(f->m, 0x1010, 0x30000, 10000 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1020);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 1);
	assert_int_equal(f->e->tx_count, 300);
	assert_int_equal(word6(f, 0x1000), 0x8000);
	assert_int_equal(gmem_be32(f->m, 0x1014), 10000 | SEEQ_DESC_EOP | SEEQ_DESC_EOX);
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_errors, 1);
}

/* A descriptor linked to itself without EOP or EOX never ends a packet:
 * after SEEQ_TX_PKT_DESCS descriptors the chain counts as broken and the
 * channel faults; the pump must not spin, and no TXD is written. */
static void test_tx_loop_without_eop_faults(void **state)
{
	struct nic_fx *f = *state;
	struct seeq_counters c;

	alarm(20); /* a hang fails the test instead of blocking the suite */
	gmem_desc(f->m, 0x1000, 0x8000, 100, 0x1000);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	alarm(0);
	assert_false(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(f->e->tx_count, 0);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 1);
	assert_int_equal(c.tx_errors, 1);
	assert_int_equal(gmem_be32(f->m, 0x1004), 100);
}

/*
 * Guest memory whose writes to watched descriptor words run a "driver"
 * that reuses buffers at once: what a guest CPU running beside the pump
 * may do the moment it sees TXD.
 */
struct reuse_mem {
	struct gmem *m;
	indynet_engine *e;
	uint32_t watch[2];     /* descriptor +6 words that trigger a reuse */
	uint32_t reuse[2][2];  /* buffers (address, length) overwritten by each */
	unsigned sent_at[2];   /* frames the engine had when the trigger fired */
	unsigned fired;
};

static int reuse_read(void *opaque, uint32_t paddr, void *buf, size_t len)
{
	struct reuse_mem *r = opaque;

	return gmem_ops.mem_read(r->m, paddr, buf, len);
}

static int reuse_write(void *opaque, uint32_t paddr, const void *buf, size_t len)
{
	struct reuse_mem *r = opaque;
	int rc = gmem_ops.mem_write(r->m, paddr, buf, len);

	for (unsigned i = 0; i < 2; i++) {
		if (paddr != r->watch[i])
			continue;
		r->sent_at[i] = r->e->tx_count;
		r->fired++;
		memset(r->m->mem + r->reuse[i][0], 0xEE, r->reuse[i][1]);
	}
	return rc;
}

static const struct seeq_host_ops reuse_ops = { .mem_read = reuse_read, .mem_write = reuse_write };

/*
 * The TXD write-back (hpc3-seeq-facts.md, "Descriptors": "TXD is written
 * only into the first descriptor of a packet, and only after the whole
 * packet has been transmitted ... the byte counts of a packet's second and
 * later descriptors stay as the driver wrote them"): two packets over 2
 * and 3 descriptors; the driver reuses every later buffer of a packet when
 * TXD appears in its first descriptor.
 */
static void test_tx_txd_first_descriptor_after_send(void **state)
{
	struct nic_fx *f = *state;
	struct reuse_mem r = { .m = f->m, .e = f->e,
			       .watch = { 0x1006, 0x1206 },
			       .reuse = { { 0x9000, 44 }, { 0xB000, 0x2000 } } };
	uint8_t a[64], b[60];
	const uint8_t *sent;
	size_t len;

	seeq_free(f->s);
	f->s = seeq_new(&reuse_ops, &r, f->e);
	make_frame(a, peer_mac, our_mac, sizeof(a), 0x11);
	make_frame(b, peer_mac, our_mac, sizeof(b), 0x22);
	memcpy(f->m->mem + 0x8000, a, 20);
	memcpy(f->m->mem + 0x9000, a + 20, 44);
	memcpy(f->m->mem + 0xA000, b, 14);
	memcpy(f->m->mem + 0xB000, b + 14, 30);
	memcpy(f->m->mem + 0xC000, b + 44, 16);
	gmem_desc(f->m, 0x1000, 0x8000, 20, 0x1100);
	gmem_desc(f->m, 0x1100, 0x9000, 44 | SEEQ_DESC_EOP, 0x1200);
	gmem_desc(f->m, 0x1200, 0xA000, 14, 0x1300);
	gmem_desc(f->m, 0x1300, 0xB000, 30, 0x1400);
	gmem_desc(f->m, 0x1400, 0xC000, 16 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1500);
	wr(f, SEEQ_HPC3_RESET, 0);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 2);
	sent = fake_engine_tx(f->e, 0, &len);
	assert_int_equal(len, sizeof(a));
	assert_memory_equal(sent, a, sizeof(a));
	sent = fake_engine_tx(f->e, 1, &len);
	assert_int_equal(len, sizeof(b));
	assert_memory_equal(sent, b, sizeof(b));
	/* TXD was written after each packet had gone to the engine. */
	assert_int_equal(r.fired, 2);
	assert_int_equal(r.sent_at[0], 1);
	assert_int_equal(r.sent_at[1], 2);
	assert_int_equal(gmem_be32(f->m, 0x1004), SEEQ_DESC_TXD);
	assert_int_equal(gmem_be32(f->m, 0x1104), 44 | SEEQ_DESC_EOP);
	assert_int_equal(gmem_be32(f->m, 0x1204), SEEQ_DESC_TXD);
	assert_int_equal(gmem_be32(f->m, 0x1304), 30);
	assert_int_equal(gmem_be32(f->m, 0x1404), 16 | SEEQ_DESC_EOP | SEEQ_DESC_EOX);
	assert_int_equal(rd(f, SEEQ_HPC3_CPFXBDP), 0x1200);
	assert_int_equal(rd(f, SEEQ_HPC3_PPFXBDP), 0x1000);
}

/* A TX buffer crossing 2^32 is a bus error: guest memory is never asked for a wrapped address. */
static void test_tx_buffer_wrap_refused(void **state)
{
	struct nic_fx *f = *state;
	struct seeq_counters c;
	unsigned oob = f->m->oob;

	gmem_desc(f->m, 0x1000, 0xFFFFFFF0u, 0x20 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	assert_int_equal(f->m->oob, oob);
	assert_int_equal(f->e->tx_count, 0);
	assert_false(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 1);
}

static void test_rx_dma_faults(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];
	struct seeq_counters c;

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 0);
	/* NBDP outside memory: the fetch on ACTIVE fails, the channel does not start. */
	rx_start(f, MEM_SIZE + 0x1000);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	/* A buffer outside memory: refused, channel stopped, the frame kept. */
	gmem_desc(f->m, 0x1000, MEM_SIZE - 8, SEEQ_DESC_OWN | 1584, 0x1010);
	rx_start(f, 0x1000);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(f->e->rx_count, 1);
	assert_int_equal(gmem_be32(f->m, 0x1004), SEEQ_DESC_OWN | 1584);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 2);
	/* A descriptor straddling the top of the 32-bit space is refused without a wrap. */
	unsigned reads = f->m->reads;
	rx_start(f, 0xFFFFFFF8u);
	assert_int_equal(f->m->reads, reads);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 3);
	/* seeq_new() needs memory callbacks and an engine. */
	struct seeq_host_ops none = { 0 };
	assert_null(seeq_new(&none, NULL, f->e));
	assert_int_equal(errno, EINVAL);
	assert_null(seeq_new(&gmem_ops, f->m, NULL));
}

/* --- RX --- */

static void test_rx_layout_and_writeback(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[100];
	struct seeq_counters c;

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_EOF);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | SEEQ_DESC_EOP | 1584, 0x1010);
	gmem_desc(f->m, 0x1010, 0x9000, SEEQ_DESC_OWN | SEEQ_DESC_EOP | SEEQ_DESC_EOX | 1584, 0x1000);
	memset(f->m->mem + 0x8000, 0xee, 1584);
	rx_start(f, 0x1000);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 0x77);
	fake_engine_push(f->e, frame, sizeof(frame));
	struct seeq_pump_result r = seeq_pump(f->s);
	assert_int_equal(r.rx, SEEQ_RX_DELIVERED);
	assert_int_equal(f->e->rx_count, 0);
	const uint8_t *buf = f->m->mem + 0x8000;
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 0);
	assert_memory_equal(buf + 2, frame, sizeof(frame));
	assert_int_equal(buf[102], 0x30);
	assert_int_equal(buf[103], 0xee); /* nothing beyond */
	/* Remaining count in the word at +6, OWN cleared, flags kept. */
	uint32_t cnt = gmem_be32(f->m, 0x1004);
	assert_int_equal(cnt, SEEQ_DESC_EOP | (1584 - 103));
	assert_int_equal(1584 - (cnt & SEEQ_DESC_BCNT) - 3, sizeof(frame));
	assert_true(f->m->irq); /* EOF enabled, status 0x30 */
	assert_int_equal(rd(f, SEEQ_HPC3_CRBDP), 0x1010);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL) & 0xBF, 0x30);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_EDLC_REG(6), 1), 0x30);
	assert_false(f->m->irq);

	/* A 42-byte frame is padded to 60 as on the wire. */
	uint8_t arp[42];
	make_frame(arp, bcast_mac, peer_mac, sizeof(arp), 0x11);
	fake_engine_push(f->e, arp, sizeof(arp));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_memory_equal(f->m->mem + 0x9002, arp, sizeof(arp));
	for (unsigned i = 44; i < 62; i++)
		assert_int_equal(f->m->mem[0x9000 + i], 0);
	assert_int_equal(f->m->mem[0x9000 + 62], 0x30);
	assert_int_equal(word6(f, 0x1010), 1584 - 63);
	/* That descriptor had EOX: the channel stopped after it. */
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	seeq_counters(f->s, &c);
	assert_int_equal(c.rx_delivered, 2);
	assert_int_equal(c.rx_bytes, 142);
}

static void test_rx_refused_frame_and_eox_stop(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[80];
	struct seeq_counters c;

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 1);
	/* Channel not started: refused, the frame stays at the head. */
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_int_equal(f->e->rx_count, 1);

	/* A descriptor without OWN and without EOX: refused, the channel keeps running. */
	gmem_desc(f->m, 0x1000, 0x8000, 1584, 0x1010);
	rx_start(f, 0x1000);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_int_equal(f->e->rx_count, 1);
	assert_true(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	/* The driver hands it over in memory only: the next pump delivers. */
	gmem_put_be32(f->m, 0x1004, SEEQ_DESC_OWN | 1584);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_int_equal(f->e->rx_count, 0);

	/* Without OWN but with EOX: refused and the channel goes inactive. */
	gmem_desc(f->m, 0x1010, 0x9000, SEEQ_DESC_EOX | 1584, 0x1000);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(f->e->rx_count, 1);
	seeq_counters(f->s, &c);
	assert_int_equal(c.rx_refused, 3);
	/* Zero-count EOX descriptor: the chain's end, refused too. */
	gmem_desc(f->m, 0x1010, 0x9000, SEEQ_DESC_EOX, 0x1000);
	rx_start(f, 0x1010);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	/* Restart on a good descriptor (through a link): delivered. */
	gmem_desc(f->m, 0x1020, 0, 0, 0x1030);
	gmem_desc(f->m, 0x1030, 0xA000, SEEQ_DESC_OWN | 1584, 0x1040);
	rx_start(f, 0x1020);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_memory_equal(f->m->mem + 0xA002, frame, sizeof(frame));
}

/*
 * RBO (HPC3 spec 2.4.4.3 and the rx register list; hpc3-seeq-facts.md
 * "Receive channel"): "a packet was larger than its buffer (RBO) ... the
 * channel clears its active bit" and interrupts; "rbo: read-only, set by
 * the chip; cleared by reading the control register" (writing 1 clears it
 * too); "clrint: writing 1 clears every Ethernet interrupt except RBO".
 */
static void test_rx_buffer_overflow_rbo(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[1514];
	struct seeq_counters c;

	set_station(f, SEEQ_RXC_MATCH_ALL | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 200, 0x1010);
	gmem_desc(f->m, 0x1010, 0x9000, SEEQ_DESC_OWN | 2, 0x1020);
	memset(f->m->mem + 0x8000 + 200, 0xcc, 16);
	rx_start(f, 0x1000);
	make_frame(frame, other_mac, peer_mac, sizeof(frame), 9);
	fake_engine_push(f->e, frame, sizeof(frame));
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	/* The buffer holds as much of the frame as fits; nothing beyond it is written. */
	assert_int_equal(word6(f, 0x1000), 0);
	assert_memory_equal(f->m->mem + 0x8002, frame, 198);
	assert_int_equal(f->m->mem[0x8000 + 200], 0xcc);
	/* RBO, channel stopped, interrupt; the SEEQ itself saw a good frame. */
	assert_true(f->m->irq);
	/* The stopped channel shows where it stopped: the buffer's end, no byte left, the CPU's own again. */
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CBP), 0x8000 + 200);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_BC) & (SEEQ_DESC_BCNT | SEEQ_DESC_OWN), 0);
	assert_int_equal(rd(f, SEEQ_HPC3_RESET) & SEEQ_RESET_CLRINT, SEEQ_RESET_CLRINT);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	assert_true(f->m->irq); /* CLRINT leaves RBO */
	wr(f, SEEQ_HPC3_RX_CTRL, 0); /* a write of 0 leaves it too */
	assert_true(f->m->irq);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_CTRL_RBO | SEEQ_RXS_GOOD | SEEQ_RXS_END);
	assert_false(f->m->irq); /* the read cleared it */
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_RXS_GOOD | SEEQ_RXS_END);
	assert_int_equal(rd(f, SEEQ_HPC3_CRBDP), 0x1000);
	/* The second frame waits while the channel is stopped; restarted, a 2-byte buffer gets 2 bytes. */
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	rx_start(f, 0x1010);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_int_equal(f->m->mem[0x9000], 0);
	assert_int_equal(f->m->mem[0x9001], 0);
	assert_int_equal(f->m->mem[0x9002], 0);
	/* Writing CTRL with RBO set clears it as well. */
	seeq_reg_read(f->s, SEEQ_HPC3_EDLC_REG(6), 1); /* the SEEQ's own interrupt for the frame */
	assert_true(f->m->irq);
	wr(f, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_RBO);
	assert_false(f->m->irq);
	assert_int_equal(rd(f, SEEQ_HPC3_RX_CTRL), SEEQ_RXS_GOOD | SEEQ_RXS_END);
	seeq_counters(f->s, &c);
	assert_int_equal(c.rx_truncated, 2);
}

/* Every match mode x {unicast to us, unicast to another, broadcast, multicast}. */
static void test_rx_match_modes(void **state)
{
	struct nic_fx *f = *state;
	static const uint8_t modes[4] = { SEEQ_RXC_MATCH_OFF, SEEQ_RXC_MATCH_ALL, SEEQ_RXC_MATCH_BCAST, SEEQ_RXC_MATCH_MCAST };
	const uint8_t *dsts[4] = { our_mac, other_mac, bcast_mac, mcast_mac };
	static const bool want[4][4] = {
		{ false, false, false, false }, /* receiver off */
		{ true, true, true, true },     /* promiscuous */
		{ true, false, true, false },   /* station or broadcast */
		{ true, false, true, true },    /* station, broadcast, multicast */
	};
	uint8_t frame[64];

	for (unsigned m = 0; m < 4; m++) {
		for (unsigned k = 0; k < 4; k++) {
			set_station(f, modes[m] | SEEQ_RXC_GOOD);
			gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 1584, 0x1000);
			rx_start(f, 0x1000);
			make_frame(frame, dsts[k], peer_mac, sizeof(frame), (uint8_t)(m * 4 + k));
			fake_engine_push(f->e, frame, sizeof(frame));
			struct seeq_pump_result r = seeq_pump(f->s);
			if (want[m][k]) {
				assert_int_equal(r.rx, SEEQ_RX_DELIVERED);
				assert_memory_equal(f->m->mem + 0x8002, frame, sizeof(frame));
			} else {
				assert_int_equal(r.rx, SEEQ_RX_FILTERED);
				assert_int_equal(r.filtered, 1);
			}
			assert_int_equal(f->e->rx_count, 0);
			wr(f, SEEQ_HPC3_RX_CTRL, 0);
		}
	}
	/* Frames under 6 bytes never pass, even promiscuous. */
	set_station(f, SEEQ_RXC_MATCH_ALL | SEEQ_RXC_GOOD);
	rx_start(f, 0x1000);
	fake_engine_push(f->e, bcast_mac, 5);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_FILTERED);
	/* An empty ring is "nothing". */
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_NOTHING);
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.rx_filtered, 8);
	assert_int_equal(c.rx_delivered, 9);
	assert_true(c.rx_nothing >= 1);
}

static void test_rx_busy_ring(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 1584, 0x1010);
	gmem_desc(f->m, 0x1010, 0x9000, SEEQ_DESC_OWN | 1584, 0x1000);
	rx_start(f, 0x1000);
	for (unsigned i = 0; i < 255; i++) {
		make_frame(frame, other_mac, peer_mac, sizeof(frame), (uint8_t)i);
		assert_true(fake_engine_push(f->e, frame, sizeof(frame)));
	}
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 0xaa);
	assert_true(fake_engine_push(f->e, frame, sizeof(frame)));
	struct seeq_pump_result r = seeq_pump(f->s);
	assert_int_equal(r.rx, SEEQ_RX_DELIVERED);
	assert_int_equal(r.filtered, 255);
	assert_int_equal(f->e->rx_count, 0);
	assert_memory_equal(f->m->mem + 0x8002, frame, sizeof(frame));

	/* 256 foreign frames fill one pump's budget; the guest's frame comes next pump. */
	for (unsigned i = 0; i < 256; i++) {
		make_frame(frame, other_mac, peer_mac, sizeof(frame), (uint8_t)i);
		assert_true(fake_engine_push(f->e, frame, sizeof(frame)));
		if (i == 200)
			seeq_pump(f->s); /* drains 201 */
	}
	assert_int_equal(f->e->rx_count, 55);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 0xbb);
	fake_engine_push(f->e, frame, sizeof(frame));
	r = seeq_pump(f->s);
	assert_int_equal(r.rx, SEEQ_RX_DELIVERED);
	assert_int_equal(r.filtered, 55);
	assert_memory_equal(f->m->mem + 0x9002, frame, sizeof(frame));
	/* At most one accepted frame per pump. */
	gmem_put_be32(f->m, 0x1004, SEEQ_DESC_OWN | 1584);
	gmem_put_be32(f->m, 0x1014, SEEQ_DESC_OWN | 1584);
	fake_engine_push(f->e, frame, sizeof(frame));
	fake_engine_push(f->e, frame, sizeof(frame));
	r = seeq_pump(f->s);
	assert_int_equal(r.rx, SEEQ_RX_DELIVERED);
	assert_true(r.again);
	assert_int_equal(f->e->rx_count, 1);
}

static void test_rx_filter_budget(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 1584, 0x1000);
	rx_start(f, 0x1000);
	make_frame(frame, other_mac, peer_mac, sizeof(frame), 0);
	for (unsigned i = 0; i < 256; i++)
		fake_engine_push(f->e, frame, sizeof(frame));
	struct seeq_pump_result r = seeq_pump(f->s);
	assert_int_equal(r.rx, SEEQ_RX_FILTERED);
	assert_int_equal(r.filtered, 256);
	assert_true(r.again);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 0);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
}

static void test_rx_interrupt_edges(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_EOF);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 1584, 0x1010);
	gmem_desc(f->m, 0x1010, 0x9000, SEEQ_DESC_OWN | SEEQ_DESC_XIE | 1584, 0x1020);
	gmem_desc(f->m, 0x1020, 0xA000, SEEQ_DESC_OWN | 1584, 0x1000);
	rx_start(f, 0x1000);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 0);
	for (int i = 0; i < 3; i++)
		fake_engine_push(f->e, frame, sizeof(frame));
	seeq_pump(f->s);
	assert_int_equal(f->m->rises, 1);
	/* A second frame while the line is up is no new edge. */
	seeq_pump(f->s);
	assert_int_equal(f->m->rises, 1);
	assert_int_equal(f->m->falls, 0);
	/* Reading the RX status sets OLD, but the XIE descriptor keeps the line up. */
	seeq_reg_read(f->s, SEEQ_HPC3_EDLC_REG(6), 1);
	assert_true(f->m->irq);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	assert_false(f->m->irq);
	assert_int_equal(f->m->falls, 1);
	seeq_pump(f->s);
	assert_int_equal(f->m->rises, 2);
	/*
	 * "bits 0-5 each enable an interrupt and mark a frame kind as a frame
	 * of interest ... 4 end of frame, 5 good frames" (8003 data sheet
	 * p. 1-6): with both off a good frame is discarded, not delivered.
	 */
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT);
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_SHORT | SEEQ_RXC_CRC);
	gmem_put_be32(f->m, 0x1004, SEEQ_DESC_OWN | 1584);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_FILTERED);
	assert_false(f->m->irq);
	assert_int_equal(f->e->rx_count, 0);
	assert_int_equal(gmem_be32(f->m, 0x1004), SEEQ_DESC_OWN | 1584);
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.irq_edges, 4);
	assert_int_equal(c.rx_discarded, 1);
	/* Bit 5 alone keeps good frames and interrupts on them (the mask is 0x3F, not 0x1F). */
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_true(f->m->irq);
	assert_int_equal(seeq_reg_read(f->s, SEEQ_HPC3_EDLC_REG(6), 1), SEEQ_RXS_GOOD | SEEQ_RXS_END);
	assert_false(f->m->irq);
}

static void test_channel_reset_stops_dma(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 1584, 0x1000);
	rx_start(f, 0x1000);
	gmem_desc(f->m, 0x2000, 0x9000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x2010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x2000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	wr(f, SEEQ_HPC3_RESET, SEEQ_RESET_CHANNEL);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 0);
	fake_engine_push(f->e, frame, sizeof(frame));
	/* In reset: nothing transmitted, the receiver is off (frames are dropped). */
	struct seeq_pump_result r = seeq_pump(f->s);
	assert_int_equal(r.tx, 0);
	assert_int_equal(r.rx, SEEQ_RX_FILTERED);
	assert_int_equal(f->e->tx_count, 0);
	wr(f, SEEQ_HPC3_RESET, 0);
	/* After reset the receiver is off until the driver sets a mode again. */
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_FILTERED);
	swrite(f, 6, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	rx_start(f, 0x1000);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED); /* station address was kept */
}

/* --- Issue 21: chains at real addresses, faults mid-chain, staging buffer --- */

/* A real Indy's RAM starts at 0x08000000: both driver replays run there, nothing below is touched. */
static void test_drivers_at_indy_ram(void **state)
{
	struct nic_fx *f = *state;
	const uint32_t ram = 0x08000000u;
	struct gmem *m = gmem_new_at(NIC_FX_MEM_SIZE, ram);
	seeq *s = seeq_new(&gmem_ops, m, f->e);
	struct lnx_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[1514], got[1600];

	seeq_set_mem_limit(s, ram + NIC_FX_MEM_SIZE);
	lnx_open(d, s, m, ram + 0x10000, our_mac, SEEQ_RXC_MATCH_BCAST);
	for (unsigned i = 0; i < 24; i++) {
		size_t len = make_frame(frame, our_mac, peer_mac, 60 + i * 50, (uint8_t)i);
		fake_engine_push(f->e, frame, len);
	}
	lnx_service(d);
	for (unsigned i = 0; i < 24; i++) {
		assert_int_equal(lnx_take(d, got, sizeof(got)), 60 + i * 50);
		assert_int_equal(got[20], (uint8_t)i);
	}
	for (unsigned i = 0; i < 24; i++) {
		make_frame(frame, peer_mac, our_mac, 100 + i, (uint8_t)(0x80 + i));
		if (!lnx_xmit(d, frame, 100 + i)) {
			lnx_service(d);
			assert_true(lnx_xmit(d, frame, 100 + i));
		}
	}
	lnx_service(d);
	assert_int_equal(f->e->tx_count, 24);
	assert_int_equal(d->tx_packets, 24);
	size_t len;
	assert_int_equal(fake_engine_tx(f->e, 23, &len)[20], 0x80 + 23);
	assert_int_equal(len, 123);
	assert_int_equal(m->oob, 0);
	/* A descriptor below RAM is a bus error: no access, channel stopped. */
	struct seeq_counters c;
	seeq_reg_write(s, SEEQ_HPC3_TX_NBDP, ram - 16, 4);
	seeq_reg_write(s, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE, 4);
	assert_false(seeq_reg_read(s, SEEQ_HPC3_TX_CTRL, 4) & SEEQ_CTRL_ACTIVE);
	seeq_counters(s, &c);
	assert_int_equal(c.dma_errors, 1);
	assert_int_equal(m->oob, 1);
	free(d);
	seeq_free(s);
	gmem_free(m);
}

/* A fetch that fails in the middle of a chain stops the channel: nothing half-read is sent or marked. */
static void test_fault_mid_chain(void **state)
{
	struct nic_fx *f = *state;
	struct seeq_counters c;
	uint8_t frame[64];

	memset(f->m->mem + 0x8000, 0x5a, 64);
	/* TX: the second descriptor of a packet lies outside memory. */
	gmem_desc(f->m, 0x1000, 0x8000, 20, MEM_SIZE + 0x100);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	assert_int_equal(f->e->tx_count, 0);
	assert_int_equal(gmem_be32(f->m, 0x1004), 20);
	assert_false(rd(f, SEEQ_HPC3_TX_CTRL) & SEEQ_CTRL_ACTIVE);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 1);
	assert_int_equal(c.tx_errors, 1);
	/* TX: the second descriptor's buffer lies outside memory. */
	gmem_desc(f->m, 0x1000, 0x8000, 20, 0x1010);
	gmem_desc(f->m, 0x1010, MEM_SIZE - 4, 44 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1020);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 0);
	assert_int_equal(f->e->tx_count, 0);
	assert_int_equal(gmem_be32(f->m, 0x1004), 20);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 2);
	/* RX: a link to a descriptor outside memory; the frame waits for a good chain. */
	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x2000, 0, 0, MEM_SIZE + 0x100);
	rx_start(f, 0x2000);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 3);
	fake_engine_push(f->e, frame, sizeof(frame));
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_REFUSED);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(f->e->rx_count, 1);
	seeq_counters(f->s, &c);
	assert_int_equal(c.dma_errors, 3);
	gmem_desc(f->m, 0x2000, 0x9000, SEEQ_DESC_OWN | 1584, 0x2010);
	rx_start(f, 0x2000);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_memory_equal(f->m->mem + 0x9002, frame, sizeof(frame));
}

/* No byte of an earlier frame reaches a later one, in either direction. */
static void test_no_stale_staging_bytes(void **state)
{
	struct nic_fx *f = *state;
	uint8_t big[1500], small[42];
	const uint8_t *sent;
	size_t len;

	make_frame(big, peer_mac, our_mac, sizeof(big), 0xAA);
	make_frame(small, peer_mac, our_mac, sizeof(small), 0x42);
	memcpy(f->m->mem + 0x8000, big, sizeof(big));
	memcpy(f->m->mem + 0xA000, small, sizeof(small));
	gmem_desc(f->m, 0x1000, 0x8000, sizeof(big) | SEEQ_DESC_EOP, 0x1010);
	gmem_desc(f->m, 0x1010, 0xA000, sizeof(small) | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1020);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 2);
	sent = fake_engine_tx(f->e, 1, &len);
	assert_int_equal(len, sizeof(small));
	assert_memory_equal(sent, small, sizeof(small));
	/* RX: a long frame, then a short one into a buffer full of 0xEE. */
	set_station(f, SEEQ_RXC_MATCH_ALL | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x2000, 0xC000, SEEQ_DESC_OWN | 1584, 0x2010);
	gmem_desc(f->m, 0x2010, 0xD000, SEEQ_DESC_OWN | 1584, 0x2000);
	memset(f->m->mem + 0xD000, 0xEE, 1584);
	rx_start(f, 0x2000);
	fake_engine_push(f->e, big, sizeof(big));
	fake_engine_push(f->e, small, sizeof(small));
	seeq_pump(f->s);
	seeq_pump(f->s);
	const uint8_t *b = f->m->mem + 0xD000;
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 0);
	assert_memory_equal(b + 2, small, sizeof(small));
	for (unsigned i = 2 + sizeof(small); i < 62; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(b[62], SEEQ_RXS_GOOD | SEEQ_RXS_END);
	assert_int_equal(b[63], 0xEE);
}

/* Jumbo frames meet the 16 KiB staging buffer: exactly 16384 bytes pass, more are dropped or cut. */
static void test_jumbo_frames_and_staging(void **state)
{
	struct nic_fx *f = *state;
	static uint8_t jumbo[16400];
	const uint8_t *sent;
	size_t len;
	struct seeq_counters c;

	for (size_t i = 0; i < sizeof(jumbo); i++)
		jumbo[i] = (uint8_t)(i * 7);
	memcpy(jumbo, peer_mac, 6);
	memcpy(f->m->mem + 0x20000, jumbo, sizeof(jumbo));
	/* TX 8192 + 8192 = 16384: intact. */
	gmem_desc(f->m, 0x1000, 0x20000, 8192, 0x1010);
	gmem_desc(f->m, 0x1010, 0x22000, 8192 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1020);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 1);
	sent = fake_engine_tx(f->e, 0, &len);
	assert_int_equal(len, 16384);
	assert_memory_equal(sent, jumbo, 16384);
	/* TX 8192 + 8193: one byte too many, dropped and counted. */
	gmem_desc(f->m, 0x1000, 0x20000, 8192, 0x1010);
	gmem_desc(f->m, 0x1010, 0x22000, 8193 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x1020);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x1000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_pump(f->s).tx, 1);
	assert_int_equal(f->e->tx_count, 1);
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_errors, 1);
	/* RX 16000 bytes into the largest buffer (16383): intact, status after it. */
	set_station(f, SEEQ_RXC_MATCH_ALL | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x2000, 0x40000, SEEQ_DESC_OWN | 16383, 0x2010);
	gmem_desc(f->m, 0x2010, 0x48000, SEEQ_DESC_OWN | 16383, 0x2020);
	memset(f->m->mem + 0x40000, 0xEE, 0x10000);
	rx_start(f, 0x2000);
	fake_engine_push(f->e, jumbo, 16000);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_memory_equal(f->m->mem + 0x40002, jumbo, 16000);
	assert_int_equal(f->m->mem[0x40000 + 16002], SEEQ_RXS_GOOD | SEEQ_RXS_END);
	assert_int_equal(word6(f, 0x2000), 16383 - 16003);
	/* RX 16400 bytes: the buffer is filled, not one byte beyond; RBO. */
	fake_engine_push(f->e, jumbo, 16400);
	assert_int_equal(seeq_pump(f->s).rx, SEEQ_RX_DELIVERED);
	assert_memory_equal(f->m->mem + 0x48002, jumbo, 16381);
	assert_int_equal(f->m->mem[0x48000 + 16383], 0xEE);
	assert_int_equal(word6(f, 0x2010), 0);
	assert_true(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_RBO);
}

/* --- Driver replays --- */

static void test_linux_driver(void **state)
{
	struct nic_fx *f = *state;
	struct lnx_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[1514], got[1600];

	lnx_open(d, f->s, f->m, 0x10000, our_mac, SEEQ_RXC_MATCH_BCAST);
	assert_true(d->is_edlc);
	/* 40 frames, more than the 16-descriptor ring, of varying size; one is our own echo. */
	for (unsigned i = 0; i < 40; i++) {
		size_t len = 60 + (i * 37) % 1455;
		make_frame(frame, i % 3 ? our_mac : bcast_mac, i == 7 ? our_mac : peer_mac, len, (uint8_t)i);
		frame[14] = (uint8_t)i;
		fake_engine_push(f->e, frame, len);
	}
	/* Interrupts held off: the ring fills, the EOR descriptor stops the channel. */
	for (unsigned i = 0; i < 20; i++)
		seeq_pump(f->s);
	assert_false(rd(f, SEEQ_HPC3_RX_CTRL) & SEEQ_CTRL_ACTIVE);
	assert_int_equal(f->e->rx_count, 40 - LNX_NRX);
	assert_true(f->m->irq);
	lnx_service(d);
	assert_int_equal(f->e->rx_count, 0);
	assert_int_equal(d->echoes, 1);
	assert_int_equal(d->rx_errors, 0);
	assert_true(d->restarts > 0); /* the ring filled up and was restarted */
	for (unsigned i = 0; i < 40; i++) {
		if (i == 7)
			continue;
		size_t len = lnx_take(d, got, sizeof(got));
		assert_int_equal(len, 60 + (i * 37) % 1455);
		assert_int_equal(got[14], i);
	}
	assert_int_equal(lnx_take(d, got, sizeof(got)), 0);

	/* TX: 40 frames through the 16-entry ring with moving EOX marks and reclaim. */
	for (unsigned i = 0; i < 40; i++) {
		size_t len = 42 + i * 30;
		make_frame(frame, peer_mac, our_mac, len, (uint8_t)i);
		if (!lnx_xmit(d, frame, len)) {
			lnx_service(d);
			assert_true(lnx_xmit(d, frame, len));
		}
		if (i % 4 == 3)
			lnx_service(d);
	}
	lnx_service(d);
	assert_int_equal(f->e->tx_count, 40);
	assert_int_equal(d->tx_packets, 40);
	assert_int_equal(d->tx_old, d->tx_new);
	for (unsigned i = 0; i < 40; i++) {
		size_t len;
		const uint8_t *p = fake_engine_tx(f->e, i, &len);
		assert_int_equal(len, (42 + i * 30) < 60 ? 60 : 42 + i * 30);
		assert_int_equal(p[20], i);
	}
	free(d);
}

static void test_netbsd_driver(void **state)
{
	struct nic_fx *f = *state;
	struct nbsd_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[1514], got[2048];

	nbsd_attach(d, f->s, f->m, 0x20000, our_mac, true);
	assert_true(d->is_80c03);
	assert_int_equal(rd(f, SEEQ_HPC3_DMACFG), NBSD_DMACFG);
	assert_int_equal(rd(f, SEEQ_HPC3_PIOCFG), NBSD_PIOCFG);
	/* Unicast, broadcast, multicast (allmulti) for us, one for another host; 150 > 64 descriptors. */
	unsigned want = 0;
	for (unsigned i = 0; i < 150; i++) {
		const uint8_t *dst = (i % 4 == 0) ? our_mac : (i % 4 == 1) ? bcast_mac : (i % 4 == 2) ? mcast_mac : other_mac;
		size_t len = 60 + (i * 53) % 1455;
		make_frame(frame, dst, peer_mac, len, (uint8_t)i);
		fake_engine_push(f->e, frame, len);
		want += i % 4 != 3;
		if (i % 50 == 49)
			nbsd_service(d);
	}
	nbsd_service(d);
	assert_int_equal(d->ierrors, 0);
	assert_int_equal(d->unexpected_intr, 0);
	unsigned n = 0;
	size_t len;
	while ((len = nbsd_take(d, got, sizeof(got))) != 0) {
		n++;
		assert_true(len >= 60);
	}
	/* The driver's own queue keeps 64; the rest were passed up in order before. */
	assert_true(n > 0);
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.rx_delivered, want);
	assert_int_equal(c.rx_filtered, 150 - want);

	for (unsigned i = 0; i < 100; i++) {
		make_frame(frame, peer_mac, our_mac, 100, (uint8_t)i);
		frame[20] = (uint8_t)i;
		if (!nbsd_start(d, frame, 100)) {
			nbsd_service(d);
			assert_true(nbsd_start(d, frame, 100));
		}
		if (i % 7 == 6)
			nbsd_service(d);
	}
	nbsd_service(d);
	assert_int_equal(f->e->tx_count, 100);
	assert_int_equal(d->opackets, 100);
	assert_int_equal(d->nfreetx, NBSD_NTX);
	for (unsigned i = 0; i < 100; i++) {
		const uint8_t *p = fake_engine_tx(f->e, i, &len);
		if (p)
			assert_int_equal(p[20], (uint8_t)i);
	}
	free(d);
}

static void test_pump_thread(void **state)
{
	struct nic_fx *f = *state;
	uint8_t frame[64];

	set_station(f, SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD);
	gmem_desc(f->m, 0x1000, 0x8000, SEEQ_DESC_OWN | 1584, 0x1010);
	gmem_desc(f->m, 0x1010, 0x9000, 1584, 0x1000);
	rx_start(f, 0x1000);
	/* TX started before the thread exists is picked up by its first pass. */
	gmem_desc(f->m, 0x3000, 0x9000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x3010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x3000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	assert_int_equal(seeq_start_thread(f->s), 0);
	assert_int_equal(seeq_start_thread(f->s), -EALREADY);
	struct timespec ms = { 0, 1000000 };
	for (int i = 0; i < 2000 && word6(f, 0x3000) != 0x8000; i++)
		nanosleep(&ms, NULL);
	assert_int_equal(word6(f, 0x3000), 0x8000);
	make_frame(frame, our_mac, peer_mac, sizeof(frame), 3);
	/* The ring belongs to the pump thread now: fill it before it runs, via the fd. */
	fake_engine_push(f->e, frame, sizeof(frame));
	fake_engine_push(f->e, frame, sizeof(frame));
	for (int i = 0; i < 2000 && (gmem_be32(f->m, 0x1004) & SEEQ_DESC_OWN); i++)
		nanosleep(&ms, NULL);
	assert_false(gmem_be32(f->m, 0x1004) & SEEQ_DESC_OWN);
	/* The second frame waits for a descriptor; handing one over in memory is enough. */
	gmem_put_be32(f->m, 0x1014, SEEQ_DESC_OWN | 1584);
	for (int i = 0; i < 2000 && (gmem_be32(f->m, 0x1014) & SEEQ_DESC_OWN); i++)
		nanosleep(&ms, NULL);
	assert_false(gmem_be32(f->m, 0x1014) & SEEQ_DESC_OWN);
	/* TX is kicked by the CTRL write. */
	gmem_desc(f->m, 0x2000, 0x9000, 60 | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0x2010);
	wr(f, SEEQ_HPC3_TX_NBDP, 0x2000);
	wr(f, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE);
	for (int i = 0; i < 2000 && word6(f, 0x2000) != 0x8000; i++)
		nanosleep(&ms, NULL);
	assert_int_equal(word6(f, 0x2000), 0x8000);
	seeq_stop_thread(f->s);
	seeq_stop_thread(f->s);
	assert_int_equal(f->e->tx_count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tx_single, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_gather_links_and_two_packets, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_stops_and_faults, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_budget_and_oversize, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_loop_without_eop_faults, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_buffer_wrap_refused, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_txd_first_descriptor_after_send, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_dma_faults, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_layout_and_writeback, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_refused_frame_and_eox_stop, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_buffer_overflow_rbo, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_match_modes, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_busy_ring, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_filter_budget, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rx_interrupt_edges, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_channel_reset_stops_dma, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_drivers_at_indy_ram, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_mid_chain, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_stale_staging_bytes, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_jumbo_frames_and_staging, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_linux_driver, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_netbsd_driver, nic_fx_setup, nic_fx_teardown),
		cmocka_unit_test_setup_teardown(test_pump_thread, nic_fx_setup, nic_fx_teardown),
	};
	return cmocka_run_group_tests_name("nic-dma", tests, NULL, NULL);
}
