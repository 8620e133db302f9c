/* SPDX-License-Identifier: MIT */
/* seeq_rtt.c: ICMP echo round trip guest -> SEEQ model (pump thread) -> NAT engine -> gateway and back. */

/*
 * Usage: seeq-rtt [pings]
 *
 * A Linux-sgiseeq-style driver (tests/unit/nic/drv_linux.c) on a flat guest
 * memory sends echo requests to the NAT gateway; the library's pump thread
 * moves the frames; the "guest CPU" here waits for the interrupt line on a
 * condition variable, as an emulator's CPU thread would notice its IRQ.
 * Prints the median, 90th and 99th percentile and the range of the round
 * trip, which is what the original's 1 ms device poll used to add to.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <indynet/indynet.h>
#include <indynet/seeq8003.h>

#include "../../tests/unit/nic/drv_linux.h"
#include "../../tests/unit/nic/netpkt.h"

#define MEM_SIZE (1u << 20)
#define MAX_PINGS 100000u

static const uint8_t mac[6] = { 0x08, 0x00, 0x69, 0x0e, 0xaf, 0x77 };

struct irq_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool level;
	struct gmem *m;
	const struct seeq_host_ops *inner;
};

static struct irq_wait iw = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, NULL, NULL };

static int rtt_read(void *opaque, uint32_t pa, void *buf, size_t len)
{
	return iw.inner->mem_read(opaque, pa, buf, len);
}

static int rtt_write(void *opaque, uint32_t pa, const void *buf, size_t len)
{
	return iw.inner->mem_write(opaque, pa, buf, len);
}

static void rtt_irq(void *opaque, bool level)
{
	iw.inner->set_irq(opaque, level);
	pthread_mutex_lock(&iw.lock);
	iw.level = level;
	pthread_cond_signal(&iw.cond);
	pthread_mutex_unlock(&iw.lock);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/* Take interrupts until the ARP reply (@gwmac set) or echo reply @seq arrives, or @deadline passes. */
static bool wait_reply(struct lnx_drv *d, double deadline, uint16_t seq, uint8_t *gwmac)
{
	uint8_t buf[LNX_BUFSZ];
	size_t len;

	while (now_us() < deadline) {
		pthread_mutex_lock(&iw.lock);
		if (!iw.level) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 10000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&iw.cond, &iw.lock, &ts);
		}
		bool up = iw.level;
		pthread_mutex_unlock(&iw.lock);
		if (up)
			lnx_interrupt(d);
		while ((len = lnx_take(d, buf, sizeof(buf))) != 0) {
			if (gwmac && np_arp_reply(buf, len, 0xC0A80001u, gwmac))
				return true;
			if (!gwmac && np_icmp_reply(buf, len, 0xC0A80001u, 0x5151, seq, 56))
				return true;
		}
	}
	return false;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned pings = argc > 1 ? (unsigned)atoi(argv[1]) : 2000;
	static const struct seeq_host_ops ops = { rtt_read, rtt_write, rtt_irq };
	struct indynet_config cfg;
	indynet_engine *e;
	struct lnx_drv *d = calloc(1, sizeof(*d));
	double *rtt = calloc(pings ? pings : 1, sizeof(double));
	uint8_t frame[200], gw[6];
	char err[256] = "";
	seeq *s;

	if (pings < 1 || pings > MAX_PINGS || !d || !rtt) {
		fprintf(stderr, "usage: seeq-rtt [pings 1..%u]\n", MAX_PINGS);
		return 2;
	}
	iw.m = gmem_new(MEM_SIZE);
	iw.inner = &gmem_ops;
	indynet_config_init(&cfg);
	if (indynet_engine_new(&cfg, &e, err, sizeof(err)) != 0 || indynet_engine_start(e) != 0) {
		fprintf(stderr, "seeq-rtt: engine: %s\n", err);
		return 1;
	}
	s = seeq_new(&ops, iw.m, e);
	lnx_open(d, s, iw.m, 0x10000, mac, SEEQ_RXC_MATCH_BCAST);
	if (seeq_start_thread(s) != 0)
		return 1;
	lnx_xmit(d, frame, np_arp_request(frame, mac, 0xC0A80002u, 0xC0A80001u));
	if (!wait_reply(d, now_us() + 3e6, 0, gw)) {
		fprintf(stderr, "seeq-rtt: no ARP reply from the gateway\n");
		return 1;
	}
	for (unsigned i = 0; i < pings; i++) {
		uint16_t seq = (uint16_t)(i + 1);
		size_t n = np_icmp_echo(frame, mac, gw, 0xC0A80002u, 0xC0A80001u, 0x5151, seq, 56);
		double t0 = now_us();

		lnx_xmit(d, frame, n);
		if (!wait_reply(d, t0 + 3e6, seq, NULL)) {
			fprintf(stderr, "seeq-rtt: ping %u lost\n", seq);
			return 1;
		}
		rtt[i] = now_us() - t0;
	}
	seeq_stop_thread(s);
	qsort(rtt, pings, sizeof(rtt[0]), cmp_double);
	printf("seeq-rtt: %u ICMP echoes to the NAT gateway through the SEEQ model's pump thread\n", pings);
	printf("RTT median %.1f us, p90 %.1f us, p99 %.1f us (min %.1f, max %.1f)\n", rtt[pings / 2],
	       rtt[pings * 9 / 10], rtt[pings * 99 / 100], rtt[0], rtt[pings - 1]);
	seeq_free(s);
	indynet_engine_free(e);
	gmem_free(iw.m);
	free(rtt);
	free(d);
	return 0;
}
