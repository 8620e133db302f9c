/* SPDX-License-Identifier: MIT */
/* fuzz_seeq.c: libFuzzer target: register sequences, descriptor chains and RX frames against a bounded fake memory. */

/*
 * The input is a little program.  Each step starts with an opcode byte:
 *   0 write a register    (selector, 4-byte value, size)
 *   1 read a register     (selector, size)
 *   2 poke guest memory   (2-byte address, length, bytes)
 *   3 write a descriptor  (2-byte address, buffer, count/flags, next: 4 bytes each)
 *   4 queue an RX frame   (destination kind, 2-byte length, fill byte)
 *   5 pump
 *   6 snapshot round trip (and a restore of a damaged copy)
 *   7 restore from the next 110 input bytes
 * The model is told the memory is MEM_SIZE bytes; the memory callbacks
 * abort() if it ever asks for anything outside, and ASan/UBSan watch the
 * rest.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <indynet/seeq8003.h>

#include "../../unit/nic/fake_engine.h"

#define MEM_SIZE 0x10000u

static uint8_t mem[MEM_SIZE];

static int fz_read(void *opaque, uint32_t paddr, void *buf, size_t len)
{
	(void)opaque;
	if (paddr >= MEM_SIZE || len > MEM_SIZE - paddr)
		abort();
	memcpy(buf, mem + paddr, len);
	return 0;
}

static int fz_write(void *opaque, uint32_t paddr, const void *buf, size_t len)
{
	(void)opaque;
	if (paddr >= MEM_SIZE || len > MEM_SIZE - paddr)
		abort();
	memcpy(mem + paddr, buf, len);
	return 0;
}

static void fz_irq(void *opaque, bool level)
{
	(void)opaque;
	(void)level;
}

static const struct seeq_host_ops fz_ops = { fz_read, fz_write, fz_irq };

static const uint32_t fz_regs[] = {
	SEEQ_HPC3_RX_CBP, SEEQ_HPC3_RX_NBDP, SEEQ_HPC3_RX_BC, SEEQ_HPC3_RX_CTRL, SEEQ_HPC3_RX_GIO,
	SEEQ_HPC3_RX_DEV, SEEQ_HPC3_RESET, SEEQ_HPC3_DMACFG, SEEQ_HPC3_PIOCFG, SEEQ_HPC3_TX_CBP,
	SEEQ_HPC3_TX_NBDP, SEEQ_HPC3_TX_BC, SEEQ_HPC3_TX_CTRL, SEEQ_HPC3_TX_GIO, SEEQ_HPC3_TX_DEV,
	SEEQ_HPC3_CRBDP, SEEQ_HPC3_CPFXBDP, SEEQ_HPC3_PPFXBDP,
	SEEQ_HPC3_EDLC_REG(0), SEEQ_HPC3_EDLC_REG(1), SEEQ_HPC3_EDLC_REG(2), SEEQ_HPC3_EDLC_REG(3),
	SEEQ_HPC3_EDLC_REG(4), SEEQ_HPC3_EDLC_REG(5), SEEQ_HPC3_EDLC_REG(6), SEEQ_HPC3_EDLC_REG(7),
	0x15010, 0x54020,
};

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct fz_in *in, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

static uint32_t fz_reg(struct fz_in *in)
{
	uint32_t sel = take(in, 1);
	uint32_t off = fz_regs[sel % (sizeof(fz_regs) / sizeof(fz_regs[0]))];

	return (sel & 0x80) ? off + (sel >> 5 & 3u) : off;
}

static unsigned fz_size(struct fz_in *in)
{
	static const unsigned sizes[4] = { 4, 1, 2, 4 };

	return sizes[take(in, 1) & 3u];
}

static void fz_frame(indynet_engine *e, struct fz_in *in)
{
	static uint8_t frame[2048];
	static const uint8_t dsts[4][6] = {
		{ 0x08, 0x00, 0x69, 0x01, 0x02, 0x03 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	uint32_t kind = take(in, 1);
	size_t len = take(in, 2) % sizeof(frame);

	memset(frame, (int)take(in, 1), len);
	memcpy(frame, dsts[kind & 3u], len < 6 ? len : 6);
	fake_engine_push(e, frame, len);
}

static void fz_snapshot(seeq *s, struct fz_in *in)
{
	uint8_t buf[256];
	size_t n = seeq_snapshot_size();

	if (n > sizeof(buf) || seeq_snapshot_save(s, buf, sizeof(buf)) != (long)n)
		abort();
	if (seeq_snapshot_restore(s, buf, n) != 0)
		abort();
	buf[take(in, 1) % n] ^= (uint8_t)(1u + take(in, 1) % 255u);
	if (seeq_snapshot_restore(s, buf, n) == 0)
		abort(); /* the checksum must catch a flipped byte */
}

static void fz_step(seeq *s, indynet_engine *e, struct fz_in *in)
{
	uint32_t a, v;
	unsigned size;

	switch (take(in, 1) & 7u) {
	case 0:
		a = fz_reg(in);
		v = take(in, 4);
		size = fz_size(in);
		seeq_reg_write(s, a, v, size);
		break;
	case 1:
		a = fz_reg(in);
		(void)seeq_reg_read(s, a, fz_size(in));
		break;
	case 2:
		a = take(in, 2);
		v = take(in, 1);
		for (uint32_t i = 0; i < v && a + i < MEM_SIZE; i++)
			mem[a + i] = (uint8_t)take(in, 1);
		break;
	case 3:
		a = take(in, 2) & ~3u;
		for (uint32_t i = 0; i < 12 && a + i + 4 <= MEM_SIZE; i += 4) {
			v = take(in, 4);
			mem[a + i] = (uint8_t)(v >> 24);
			mem[a + i + 1] = (uint8_t)(v >> 16);
			mem[a + i + 2] = (uint8_t)(v >> 8);
			mem[a + i + 3] = (uint8_t)v;
		}
		break;
	case 4:
		fz_frame(e, in);
		break;
	case 5:
		(void)seeq_pump(s);
		break;
	case 6:
		fz_snapshot(s, in);
		break;
	default: {
		uint8_t buf[128] = { 0 };
		size_t n = seeq_snapshot_size();

		for (size_t i = 0; i < n && i < sizeof(buf); i++)
			buf[i] = (uint8_t)take(in, 1);
		(void)seeq_snapshot_restore(s, buf, n);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	indynet_engine *e = fake_engine_new();
	seeq *s = seeq_new(&fz_ops, NULL, e);
	struct fz_in in = { data, size };

	memset(mem, 0, sizeof(mem));
	seeq_set_mem_limit(s, MEM_SIZE);
	for (unsigned steps = 0; in.n && steps < 4096; steps++)
		fz_step(s, e, &in);
	seeq_pump(s);
	seeq_free(s);
	fake_engine_free(e);
	return 0;
}
