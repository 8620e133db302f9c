/* SPDX-License-Identifier: MIT */
/* seeq_bench.c: frames per second through the SEEQ/HPC3 descriptor path (TX and RX), against an in-process engine stand-in. */

/*
 * Usage: seeq-bench [runs] [frames-per-run]
 *
 * Measures the model, not slirp: the five engine calls the model makes are
 * provided here by a stand-in (guest_send copies the frame once, as the
 * engine's TX queue does; the RX ring always holds one more frame).
 * Guest memory is a flat array.  Single thread, pinned to one CPU.
 *
 * TX: a chain of 256 one-descriptor packets (EOP each, EOX on the last) is
 * armed, NBDP written, CTRL set ACTIVE and one pump sends all of it.
 * RX: a circular chain of 256 OWN descriptors; each pump delivers one frame;
 * the "driver" hands the 256 descriptors back (sets OWN) after each lap.
 * The re-arming writes of the driver are inside the timed loop.
 */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <indynet/seeq8003.h>

#define RING 256u
#define BUFSZ 2048u
#define DESC_BASE 0x1000u
#define BUF_BASE 0x10000u
#define MEM_SIZE (BUF_BASE + RING * BUFSZ)
#define MAX_RUNS 31

static uint8_t mem[MEM_SIZE];
static uint8_t rx_frame[1514];
static size_t rx_len;
static uint8_t tx_copy[INDYNET_FRAME_MAX];
static uint64_t sent, sent_bytes, popped;

struct indynet_engine {
	int unused;
};

int indynet_guest_send(indynet_engine *e, const void *frame, size_t len)
{
	(void)e;
	memcpy(tx_copy, frame, len);
	sent++;
	sent_bytes += len;
	return 0;
}

bool indynet_rx_peek(indynet_engine *e, const uint8_t **frame, size_t *len)
{
	(void)e;
	*frame = rx_frame;
	*len = rx_len;
	return true;
}

void indynet_rx_pop(indynet_engine *e)
{
	(void)e;
	popped++;
}

int indynet_rx_fd(indynet_engine *e)
{
	(void)e;
	return -1;
}

void indynet_rx_fd_clear(indynet_engine *e)
{
	(void)e;
}

static int mem_read(void *opaque, uint32_t paddr, void *buf, size_t len)
{
	(void)opaque;
	if (paddr >= MEM_SIZE || len > MEM_SIZE - paddr)
		return -1;
	memcpy(buf, mem + paddr, len);
	return 0;
}

static int mem_write(void *opaque, uint32_t paddr, const void *buf, size_t len)
{
	(void)opaque;
	if (paddr >= MEM_SIZE || len > MEM_SIZE - paddr)
		return -1;
	memcpy(mem + paddr, buf, len);
	return 0;
}

static void set_irq(void *opaque, bool level)
{
	(void)opaque;
	(void)level;
}

static void put32(uint32_t addr, uint32_t v)
{
	mem[addr] = (uint8_t)(v >> 24);
	mem[addr + 1] = (uint8_t)(v >> 16);
	mem[addr + 2] = (uint8_t)(v >> 8);
	mem[addr + 3] = (uint8_t)v;
}

static uint32_t desc(unsigned i)
{
	return DESC_BASE + (i % RING) * SEEQ_DESC_SIZE;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void tx_arm(size_t len)
{
	for (unsigned i = 0; i < RING; i++)
		put32(desc(i) + 4, (uint32_t)len | SEEQ_DESC_EOP | (i == RING - 1 ? SEEQ_DESC_EOX : 0));
}

static double bench_tx(seeq *s, size_t len, uint64_t frames)
{
	for (unsigned i = 0; i < RING; i++) {
		put32(desc(i), BUF_BASE + i * BUFSZ);
		put32(desc(i) + 8, desc(i + 1));
		memset(mem + BUF_BASE + i * BUFSZ, (int)i, len);
	}
	sent = 0;
	sent_bytes = 0;
	double t0 = now_s();
	while (sent < frames) {
		tx_arm(len);
		seeq_reg_write(s, SEEQ_HPC3_TX_NBDP, DESC_BASE, 4);
		seeq_reg_write(s, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE, 4);
		seeq_pump(s);
	}
	double fps = (double)sent / (now_s() - t0);
	return sent_bytes == sent * len && tx_copy[len - 1] == (uint8_t)((sent - 1) % RING) ? fps : -1.0;
}

static double bench_rx(seeq *s, size_t len, uint64_t frames)
{
	uint64_t done = 0;

	memset(rx_frame, 0x5a, sizeof(rx_frame));
	memset(rx_frame, 0xff, 6);
	rx_len = len;
	for (unsigned i = 0; i < RING; i++) {
		put32(desc(i), BUF_BASE + i * BUFSZ);
		put32(desc(i) + 4, SEEQ_DESC_OWN | SEEQ_DESC_EOP | BUFSZ);
		put32(desc(i) + 8, desc(i + 1));
	}
	seeq_reg_write(s, SEEQ_HPC3_EDLC_REG(6), SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_GOOD, 1);
	seeq_reg_write(s, SEEQ_HPC3_RX_NBDP, DESC_BASE, 4);
	seeq_reg_write(s, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE, 4);
	popped = 0;
	double t0 = now_s();
	while (done < frames) {
		for (unsigned i = 0; i < RING; i++)
			seeq_pump(s);
		for (unsigned i = 0; i < RING; i++)
			put32(desc(i) + 4, SEEQ_DESC_OWN | SEEQ_DESC_EOP | BUFSZ);
		done += RING;
	}
	double fps = (double)popped / (now_s() - t0);
	const uint8_t *last = mem + BUF_BASE + (RING - 1) * BUFSZ;
	bool ok = popped == done && last[0] == 0 && last[2] == 0xff && last[2 + len] == SEEQ_RXS_GOOD + SEEQ_RXS_END;
	return ok ? fps : -1.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *name, double (*fn)(seeq *, size_t, uint64_t), seeq *s, size_t len,
		   unsigned runs, uint64_t frames)
{
	double v[MAX_RUNS];

	for (unsigned r = 0; r < runs; r++) {
		v[r] = fn(s, len, frames);
		if (v[r] < 0) {
			fprintf(stderr, "seeq-bench: %s %zu: frames lost or corrupted\n", name, len);
			exit(1);
		}
	}
	qsort(v, runs, sizeof(v[0]), cmp_double);
	printf("%-3s %5zu B  median %10.0f fps  (min %10.0f, max %10.0f, %u runs of %llu frames)  %7.1f MB/s\n",
	       name, len, v[runs / 2], v[0], v[runs - 1], runs, (unsigned long long)frames,
	       v[runs / 2] * (double)len / 1e6);
}

int main(int argc, char **argv)
{
	unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	uint64_t frames = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
	static const struct seeq_host_ops ops = { mem_read, mem_write, set_irq };
	static struct indynet_engine engine;
	cpu_set_t cpu;
	seeq *s;

	if (runs < 1 || runs > MAX_RUNS || frames < RING) {
		fprintf(stderr, "usage: seeq-bench [runs 1..%d] [frames-per-run >= %u]\n", MAX_RUNS, RING);
		return 2;
	}
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	(void)sched_setaffinity(0, sizeof(cpu), &cpu);
	s = seeq_new(&ops, NULL, &engine);
	if (!s)
		return 1;
	seeq_reg_write(s, SEEQ_HPC3_RESET, 0, 4); /* out of the power-on channel reset */
	printf("seeq-bench: SEEQ 8003/HPC3 model, descriptor path, one core (target >= 1000000 fps at 64 B)\n");
	report("TX", bench_tx, s, 64, runs, frames);
	report("TX", bench_tx, s, 1514, runs, frames / 4);
	report("RX", bench_rx, s, 64, runs, frames);
	report("RX", bench_rx, s, 1514, runs, frames / 4);
	seeq_free(s);
	return 0;
}
