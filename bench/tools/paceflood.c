/* SPDX-License-Identifier: MIT */
/* paceflood.c: a LAN flood at an even rate (a batch every millisecond), for bench/bridge.sh's busy LAN. */
/*
 * Usage: paceflood IFNAME uni|bc PPS [BURST_PPS]
 *
 *   uni  UDP/IPv4 10.77.3.200 -> 10.77.3.201 to 250 MACs nobody on the LAN has
 *        (02:be:ef:00:01:01 .. :fa, in turn): a switch flooding unknown unicast;
 *   bc   broadcast ARP requests for 10.77.3.98 from 10.77.3.97 (02:be:ef:00:00:03).
 *
 * Sends PPS frames a second on IFNAME through an AF_PACKET socket (qdisc
 * bypassed) until SIGINT or SIGTERM, as PPS/1000 frames every millisecond
 * (sendmmsg), so the rate holds over any 1 ms window.  trafgen's -b, the
 * generator used before, sends a second's budget as fast as it can and then
 * sleeps: "-b 20000pps" is 20,000 frames in about 130 ms each second, a burst of
 * ~150 kpps, not 20 kpps.  A tick missed (the sender descheduled) is not made
 * up in a burst: at most two ticks' frames are owed.  With BURST_PPS, each
 * second's PPS frames go out at BURST_PPS from the start of the second, then
 * nothing until the next (trafgen's pattern, made repeatable).  Prints the
 * frames sent at exit.
 *
 * Worked example: PPS 20000 -> 20 frames each tick; woken 3 ms late, it owes
 * 60, sends 40 (two ticks) and forgets the rest.  PPS 20000, BURST_PPS 150000:
 * 150 frames each tick for the first 133 ms of every second, then none.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define PF_FRAME 60
#define PF_BATCH 256
#define PF_TICK_NS 1000000L

static volatile sig_atomic_t pf_stop;

static void pf_on_signal(int sig)
{
	(void)sig;
	pf_stop = 1;
}

/* the unicast flood's frame for destination MAC number @i (1..250) */
static void pf_uni(uint8_t *f, unsigned i)
{
	static const uint8_t head[] = { 0x02, 0xbe, 0xef, 0x00, 0x01, 0x00, 0x02, 0xbe, 0xef, 0x00, 0x00, 0x02, 0x08, 0x00,
					0x45, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
					10, 77, 3, 200, 10, 77, 3, 201 };

	memset(f, 0, PF_FRAME);
	memcpy(f, head, sizeof(head));
	f[5] = (uint8_t)i;
}

static void pf_bc(uint8_t *f)
{
	static const uint8_t arp[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xbe, 0xef, 0x00, 0x00, 0x03, 0x08, 0x06,
				       0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xbe, 0xef, 0x00, 0x00, 0x03,
				       10, 77, 3, 97, 0, 0, 0, 0, 0, 0, 10, 77, 3, 98 };

	memset(f, 0, PF_FRAME);
	memcpy(f, arp, sizeof(arp));
}

static int pf_socket(const char *ifname, struct sockaddr_ll *to)
{
	int one = 1;
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_ifindex = (int)if_nametoindex(ifname);
	to->sll_halen = ETH_ALEN;
	if (s < 0 || to->sll_ifindex == 0)
		return -1;
	setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	return s;
}

static uint64_t pf_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* send @n frames, PF_BATCH at a time (the same PF_BATCH frames again); returns the number sent */
static uint64_t pf_send(int s, struct mmsghdr *msgs, uint64_t n)
{
	uint64_t sent = 0;

	while (sent < n && !pf_stop) {
		unsigned want = n - sent < PF_BATCH ? (unsigned)(n - sent) : PF_BATCH;
		int k = sendmmsg(s, msgs, want, 0);

		if (k <= 0)
			break;
		sent += (unsigned)k;
	}
	return sent;
}

static void pf_setup(struct mmsghdr *msgs, struct iovec *iov, uint8_t (*frames)[PF_FRAME], struct sockaddr_ll *to,
		     int uni)
{
	memset(msgs, 0, sizeof(*msgs) * PF_BATCH);
	for (unsigned i = 0; i < PF_BATCH; i++) {
		if (uni)
			pf_uni(frames[i], 1 + i % 250);
		else
			pf_bc(frames[i]);
		iov[i].iov_base = frames[i];
		iov[i].iov_len = PF_FRAME;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = to;
		msgs[i].msg_hdr.msg_namelen = sizeof(*to);
	}
}

/* frames due @ns after the start: @pps a second, each second's sent at @burst from its start (0: evenly) */
static uint64_t pf_due(uint64_t ns, uint64_t pps, uint64_t burst)
{
	uint64_t in_sec;

	if (!burst)
		return ns * pps / 1000000000u;
	in_sec = (ns % 1000000000u) * burst / 1000000000u;
	return ns / 1000000000u * pps + (in_sec < pps ? in_sec : pps);
}

/* the pacing loop: until a signal, frames owed by the clock, at most two ticks' worth at once */
static uint64_t pf_run(int s, struct mmsghdr *msgs, uint64_t pps, uint64_t burst)
{
	uint64_t t0 = pf_now_ns(), owed_base = 0, sent = 0, cap = 2 * (burst ? burst : pps) / 1000 + 1;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!pf_stop) {
		uint64_t due = pf_due(pf_now_ns() - t0, pps, burst) - owed_base;

		if (due > sent + cap)
			owed_base += due - sent - cap, due = sent + cap;
		sent += pf_send(s, msgs, due - sent);
		next.tv_nsec += PF_TICK_NS;
		if (next.tv_nsec >= 1000000000L)
			next.tv_sec++, next.tv_nsec -= 1000000000L;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return sent;
}

int main(int argc, char **argv)
{
	static uint8_t frames[PF_BATCH][PF_FRAME];
	static struct mmsghdr msgs[PF_BATCH];
	static struct iovec iov[PF_BATCH];
	struct sockaddr_ll to;
	int s;

	if (argc < 4 || argc > 5 || (strcmp(argv[2], "uni") != 0 && strcmp(argv[2], "bc") != 0) || atol(argv[3]) <= 0 ||
	    (argc == 5 && atol(argv[4]) < atol(argv[3]))) {
		fprintf(stderr, "usage: paceflood IFNAME uni|bc PPS [BURST_PPS >= PPS]\n");
		return 2;
	}
	s = pf_socket(argv[1], &to);
	if (s < 0) {
		perror("paceflood: AF_PACKET socket on the interface");
		return 1;
	}
	pf_setup(msgs, iov, frames, &to, strcmp(argv[2], "uni") == 0);
	signal(SIGINT, pf_on_signal);
	signal(SIGTERM, pf_on_signal);
	printf("paceflood: %llu frames sent\n", (unsigned long long)pf_run(s, msgs, (uint64_t)atol(argv[3]), argc == 5 ? (uint64_t)atol(argv[4]) : 0));
	return 0;
}
