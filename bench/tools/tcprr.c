/* SPDX-License-Identifier: MIT */
/* tcprr.c: TCP request/response latency probe (small ping-pong over one connection) for bench/nat.sh. */

/*
 * Usage:
 *   tcprr server ADDR PORT              serve one connection: echo every byte back,
 *                                       exit when the client closes
 *   tcprr client ADDR PORT COUNT [SIZE] send SIZE bytes (default 1), wait for them to
 *                                       come back, COUNT times after a warm-up of
 *                                       COUNT/10 + 10 rounds; print one line:
 *                                       count= min_us= p50_us= p90_us= p99_us= max_us=
 *                                       mean_us= tps=
 * Both ends set TCP_NODELAY.  Built by bench/nat.sh with the system cc.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RR_MAX_SIZE 65536

static unsigned char rr_buf[RR_MAX_SIZE];

static double rr_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void rr_die(const char *what)
{
	fprintf(stderr, "tcprr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long rr_number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "tcprr: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static struct sockaddr_in rr_addr(const char *addr, const char *port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)rr_number(port, 1, 65535, "port"));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "tcprr: bad IPv4 address '%s'\n", addr);
		exit(2);
	}
	return sa;
}

static void rr_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		rr_die("TCP_NODELAY");
}

/* Read exactly @len bytes; 0 on success, -1 on EOF or error. */
static int rr_read_full(int fd, unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int rr_write_full(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int rr_server(const char *addr, const char *port)
{
	struct sockaddr_in sa = rr_addr(addr, port);
	int one = 1, ls, fd;
	ssize_t n;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		rr_die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rr_die("bind");
	if (listen(ls, 1) < 0)
		rr_die("listen");
	fd = accept(ls, NULL, NULL);
	if (fd < 0)
		rr_die("accept");
	rr_nodelay(fd);
	for (;;) {
		n = read(fd, rr_buf, sizeof(rr_buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (rr_write_full(fd, rr_buf, (size_t)n) < 0)
			break;
	}
	close(fd);
	close(ls);
	return 0;
}

static int rr_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int rr_client(const char *addr, const char *port, long count, size_t size)
{
	struct sockaddr_in sa = rr_addr(addr, port);
	long warm = count / 10 + 10, i;
	double *rtt, t0, start = 0, total, sum = 0;
	int fd;

	rtt = calloc((size_t)count, sizeof(*rtt));
	if (!rtt)
		rr_die("calloc");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		rr_die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rr_die("connect");
	rr_nodelay(fd);
	memset(rr_buf, 'r', size);
	for (i = -warm; i < count; i++) {
		if (i == 0)
			start = rr_now_us();
		t0 = rr_now_us();
		if (rr_write_full(fd, rr_buf, size) < 0)
			rr_die("write");
		if (rr_read_full(fd, rr_buf, size) < 0) {
			fprintf(stderr, "tcprr: connection closed after %ld rounds\n", i + warm);
			return 1;
		}
		if (i >= 0)
			rtt[i] = rr_now_us() - t0;
	}
	total = rr_now_us() - start;
	close(fd);
	for (i = 0; i < count; i++)
		sum += rtt[i];
	qsort(rtt, (size_t)count, sizeof(*rtt), rr_cmp);
	printf("count=%ld size=%zu min_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f tps=%.0f\n",
	       count, size, rtt[0], rtt[count / 2], rtt[count * 9 / 10], rtt[count * 99 / 100], rtt[count - 1],
	       sum / (double)count, (double)count / (total / 1e6));
	free(rtt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "server"))
		return rr_server(argv[2], argv[3]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "client"))
		return rr_client(argv[2], argv[3], rr_number(argv[4], 1, 10000000, "count"),
				 argc == 6 ? (size_t)rr_number(argv[5], 1, RR_MAX_SIZE, "size") : 1);
	fprintf(stderr, "usage: tcprr server ADDR PORT | tcprr client ADDR PORT COUNT [SIZE]\n");
	return 2;
}
