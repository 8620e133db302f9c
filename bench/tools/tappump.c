/* SPDX-License-Identifier: MIT */
/* tappump.c: an emulator's network thread in miniature: copies frames between two TAP devices, for bench/bridge.sh's kernel-bridge peer. */
/*
 * Usage: tappump TAP_A TAP_B
 *
 * Creates (or attaches to) both TAP devices in the current network
 * namespace, prints "ready" once both are open, then copies every frame
 * read from one to the other until killed.  bench/bridge.sh joins TAP_A to
 * a Linux bridge with the LAN's veth and moves TAP_B into the guest
 * namespace: the guest then reaches the LAN through the kernel bridge and
 * one user-space hop, the path QEMU's "-netdev tap" on a bridge gives,
 * against which indynetd's pcap bridge (also one user-space hop) is
 * compared.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tap_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* copy the frames waiting on @from to @to (at most 64, so the other way gets its turn) */
static void pump(int from, int to)
{
	static unsigned char buf[65536 + 64];

	for (int i = 0; i < 64; i++) {
		ssize_t n = read(from, buf, sizeof(buf));

		if (n <= 0)
			return;
		if (write(to, buf, (size_t)n) < 0)
			continue; /* the other side is down or full: the frame is lost, as on a wire */
	}
}

int main(int argc, char **argv)
{
	struct pollfd p[2];

	if (argc != 3) {
		fprintf(stderr, "usage: tappump TAP_A TAP_B\n");
		return 2;
	}
	p[0].fd = tap_open(argv[1]);
	p[1].fd = tap_open(argv[2]);
	if (p[0].fd < 0 || p[1].fd < 0) {
		perror("tappump: TUNSETIFF");
		return 1;
	}
	fcntl(p[0].fd, F_SETFL, O_NONBLOCK);
	fcntl(p[1].fd, F_SETFL, O_NONBLOCK);
	p[0].events = p[1].events = POLLIN;
	printf("ready\n");
	fflush(stdout);
	while (poll(p, 2, -1) >= 0) {
		if (p[0].revents & POLLIN)
			pump(p[0].fd, p[1].fd);
		if (p[1].revents & POLLIN)
			pump(p[1].fd, p[0].fd);
	}
	return 1;
}
