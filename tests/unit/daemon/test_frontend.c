/* SPDX-License-Identifier: MIT */
/* test_frontend.c: QEMU stream/dgram frontends on a real NAT engine (DHCP DISCOVER -> OFFER). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/dlog.h"
#include "daemon/frontend.h"
#include "daemon/usock.h"

struct fixture {
	struct daemon_opts opts;
	struct frontend *fe;
	indynet_engine *eng;
	char path[108];
	int netns_fd;  /* TAP test: the guest namespace, 0 when none */
};

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A broadcast DHCP DISCOVER from guest_mac; returns its length. */
static size_t build_discover(uint8_t *f)
{
	uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
	size_t blen = 240 + 4, ulen = 8 + blen, ilen = 20 + ulen;
	uint16_t sum;

	memset(f, 0, 14 + ilen);
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ilen >> 8);
	ip[3] = (uint8_t)ilen;
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	sum = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	bootp[0] = 1;
	bootp[1] = 1;
	bootp[2] = 6;
	bootp[4] = 0x12;
	bootp[5] = 0x34;
	memcpy(bootp + 28, guest_mac, 6);
	memcpy(bootp + 236, "\x63\x82\x53\x63", 4);
	memcpy(bootp + 240, "\x35\x01\x01\xff", 4);
	return 14 + ilen;
}

/* Check @f is a DHCP OFFER of 192.168.0.2 for guest_mac (unicast or broadcast). */
static void assert_offer(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *udp, *bootp;
	size_t ihl;
	bool found = false;

	assert_true(len > 14 + 20 + 8 + 240);
	assert_true(memcmp(f, guest_mac, 6) == 0 || memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0);
	assert_int_equal(f[12] << 8 | f[13], 0x0800);
	ihl = (size_t)(ip[0] & 15) * 4;
	assert_int_equal(ip[9], 17);
	udp = ip + ihl;
	bootp = udp + 8;
	assert_int_equal(udp[0] << 8 | udp[1], 67);
	assert_int_equal(udp[2] << 8 | udp[3], 68);
	assert_int_equal(bootp[0], 2);
	assert_memory_equal(bootp + 16, "\xc0\xa8\x00\x02", 4);
	assert_memory_equal(bootp + 28, guest_mac, 6);
	for (size_t i = 240; bootp + i + 2 < f + len && bootp[i] != 0xff; i += 2u + bootp[i + 1]) {
		if (bootp[i] == 53) {
			assert_int_equal(bootp[i + 2], 2);
			found = true;
		}
	}
	assert_true(found);
}

/* Run the daemon's main-thread part of the frontend for @ms milliseconds. */
static void pump(struct frontend *fe, int ms)
{
	int64_t end = frontend_now_ms() + ms;

	for (int64_t now = frontend_now_ms(); now < end; now = frontend_now_ms()) {
		struct pollfd pfds[8];
		size_t n = 0;
		int timeout = (int)(end - now);

		frontend_poll_fill(fe, pfds, &n, &timeout);
		if (timeout < 0 || timeout > end - now)
			timeout = (int)(end - now);
		assert_true(poll(pfds, n, timeout) >= 0);
		frontend_poll_handle(fe, pfds, n);
	}
}

/* Open the frontend described by fx->opts and attach it to a started NAT engine. */
static void fixture_start(struct fixture *fx)
{
	struct indynet_config cfg;
	char err[256];

	assert_int_equal(frontend_new(&fx->opts, &fx->fe, err, sizeof(err)), 0);
	indynet_config_init(&cfg);
	cfg.mtu = fx->opts.mtu;
	cfg.log_level = INDYNET_LOG_ERROR;
	cfg.log = dlog_engine;
	cfg.rx_notify = frontend_rx_notify;
	cfg.rx_deliver = frontend_rx_deliver;
	cfg.rx_notify_opaque = fx->fe;
	assert_int_equal(indynet_engine_new(&cfg, &fx->eng, err, sizeof(err)), 0);
	assert_int_equal(frontend_start(fx->fe, fx->eng), 0);
	assert_int_equal(indynet_engine_start(fx->eng), 0);
}

static int setup_kind(void **state, enum frontend_kind kind)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	dlog_set_level(INDYNET_LOG_ERROR);
	snprintf(fx->path, sizeof(fx->path), "/tmp/indynetd-fe-%d.sock", (int)getpid());
	unlink(fx->path);
	opts_init(&fx->opts);
	fx->opts.frontend = kind;
	fx->opts.frontend_arg = strdup(fx->path);
	fixture_start(fx);
	*state = fx;
	return 0;
}

static int setup_stream(void **state)
{
	return setup_kind(state, FE_QEMU_STREAM);
}

static int setup_dgram(void **state)
{
	return setup_kind(state, FE_QEMU_DGRAM);
}

static int setup_connect(void **state)
{
	return setup_kind(state, FE_QEMU_STREAM_CONNECT);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	frontend_stop(fx->fe);
	indynet_engine_free(fx->eng);
	frontend_free(fx->fe);
	/* Sockets the frontend bound are gone after shutdown. */
	if (fx->opts.frontend != FE_QEMU_STREAM_CONNECT)
		assert_int_equal(access(fx->path, F_OK), -1);
	unlink(fx->path);
	opts_free(&fx->opts);
	if (fx->netns_fd > 0)
		close(fx->netns_fd);
	free(fx);
	return 0;
}

static int connect_client(const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = usock_addr(path, &sa);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void send_framed(int fd, const uint8_t *frame, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			   (uint8_t)len };

	assert_int_equal(send(fd, hdr, 4, 0), 4);
	if (len)
		assert_int_equal(send(fd, frame, len, 0), (ssize_t)len);
}

/* Read exactly @len bytes within 3 s, or fail. */
static void read_exact(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&p, 1, 3000), 1);
		n = recv(fd, buf + got, len - got, 0);
		assert_true(n > 0);
		got += (size_t)n;
	}
}

static size_t read_framed(int fd, uint8_t *buf, size_t cap)
{
	uint8_t hdr[4];
	size_t len;

	read_exact(fd, hdr, 4);
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	assert_true(len <= cap);
	read_exact(fd, buf, len);
	return len;
}

/* True when the peer closed @fd within @ms while the main thread runs. */
static bool sees_eof(struct frontend *fe, int fd, int ms)
{
	uint8_t b[4096];

	for (int i = 0; i < ms / 10; i++) {
		ssize_t n;

		pump(fe, 10);
		n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0)
			return true;
	}
	return false;
}

static void dhcp_over_stream(int fd)
{
	uint8_t frame[1024], reply[INDYNET_FRAME_MAX];

	send_framed(fd, frame, build_discover(frame));
	assert_offer(reply, read_framed(fd, reply, sizeof(reply)));
}

static void test_stream_dhcp(void **state)
{
	struct fixture *fx = *state;
	uint8_t frame[1024];
	size_t len = build_discover(frame);
	uint8_t reply[INDYNET_FRAME_MAX];
	int fd = connect_client(fx->path);

	pump(fx->fe, 50);
	/* The DISCOVER split across writes, with the next prefix in the same write. */
	send_framed(fd, NULL, 0); /* a zero-length frame: dropped and counted */
	assert_int_equal(send(fd, "\0\0", 2, 0), 2);
	assert_int_equal(send(fd, (uint8_t[]){ (uint8_t)(len >> 8), (uint8_t)len }, 2, 0), 2);
	assert_int_equal(send(fd, frame, 100, 0), 100);
	usleep(20000);
	assert_int_equal(send(fd, frame + 100, len - 100, 0), (ssize_t)(len - 100));
	assert_offer(reply, read_framed(fd, reply, sizeof(reply)));
	close(fd);
}

static void test_stream_short_frame_counted(void **state)
{
	struct fixture *fx = *state;
	struct indynet_stats before, after;
	const uint8_t runt[10] = { 0 };
	int fd = connect_client(fx->path);

	pump(fx->fe, 50);
	indynet_stats_get(fx->eng, &before);
	send_framed(fd, runt, sizeof(runt));
	dhcp_over_stream(fd); /* the connection survives it */
	indynet_stats_get(fx->eng, &after);
	assert_int_equal(after.drops[INDYNET_DROP_TRUNCATED], before.drops[INDYNET_DROP_TRUNCATED] + 1);
	close(fd);
}

/* Complete frames in @buf[0..len) (prefix + frame each); *used gets their bytes. */
static int count_framed(const uint8_t *buf, size_t len, size_t *used)
{
	int frames = 0;

	*used = 0;
	while (len - *used >= 4) {
		const uint8_t *h = buf + *used;
		size_t flen = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];

		if (len - *used < 4 + flen)
			break;
		assert_offer(h + 4, flen);
		*used += 4 + flen;
		frames++;
	}
	return frames;
}

/*
 * A burst larger than the socket buffer: the part the socket refused is
 * pending, and it must reach QEMU once the socket drains, without waiting
 * for the guest to send anything else (a stalled tail costs an NFS client a
 * retransmission timeout).
 */
static void test_stream_burst_tail_flushed(void **state)
{
	enum { BURST = 64 };
	struct fixture *fx = *state;
	static uint8_t in[BURST * 1024];
	uint8_t frame[1024];
	size_t flen = build_discover(frame), have = 0, used = 0;
	int one = 1, fd = connect_client(fx->path), frames = 0;

	pump(fx->fe, 50);
	assert_true(fx->fe->data_fd >= 0);
	assert_int_equal(setsockopt(fx->fe->data_fd, SOL_SOCKET, SO_SNDBUF, &one, sizeof(one)), 0);
	for (int i = 0; i < BURST; i++)
		send_framed(fd, frame, flen);
	pump(fx->fe, 200); /* the engine answers while nobody reads: output piles up */
	for (int i = 0; i < 300 && frames < BURST; i++) {
		ssize_t n = recv(fd, in + have, sizeof(in) - have, MSG_DONTWAIT);

		if (n > 0)
			have += (size_t)n;
		frames = count_framed(in, have, &used);
		pump(fx->fe, 10);
	}
	assert_int_equal(frames, BURST);
	assert_int_equal(used, have);
	close(fd);
}

static void test_stream_oversize_prefix_closes(void **state)
{
	struct fixture *fx = *state;
	const uint8_t bad[4] = { 0x00, 0x01, 0x00, 0x01 }; /* 65537 */
	int fd = connect_client(fx->path);

	pump(fx->fe, 50);
	assert_int_equal(send(fd, bad, 4, 0), 4);
	assert_true(sees_eof(fx->fe, fd, 2000));
	close(fd);
	/* The daemon keeps listening: a new connection works. */
	fd = connect_client(fx->path);
	pump(fx->fe, 50);
	dhcp_over_stream(fd);
	close(fd);
}

static void test_stream_new_connection_replaces(void **state)
{
	struct fixture *fx = *state;
	int a = connect_client(fx->path), b;

	pump(fx->fe, 50);
	dhcp_over_stream(a);
	b = connect_client(fx->path);
	pump(fx->fe, 50);
	assert_true(sees_eof(fx->fe, a, 2000));
	dhcp_over_stream(b);
	close(a);
	close(b);
}

/* QEMU stops reading until the RX ring overflows, then reconnects: a lease within a second. */
static void test_stream_full_ring_then_reconnect(void **state)
{
	struct fixture *fx = *state;
	uint8_t frame[1024];
	size_t len = build_discover(frame);
	struct indynet_stats st = { 0 };
	int a = connect_client(fx->path), b;
	int64_t t0;

	pump(fx->fe, 50);
	for (int i = 0; i < 100 && st.drops[INDYNET_DROP_RX_RING_FULL] == 0; i++) {
		for (int j = 0; j < 50; j++)
			send_framed(a, frame, len);
		pump(fx->fe, 5);
		indynet_stats_get(fx->eng, &st);
	}
	assert_true(st.drops[INDYNET_DROP_RX_RING_FULL] > 0);
	close(a);
	b = connect_client(fx->path);
	pump(fx->fe, 50);
	t0 = frontend_now_ms();
	dhcp_over_stream(b);
	assert_true(frontend_now_ms() - t0 < 1000);
	indynet_stats_get(fx->eng, &st);
	assert_true(st.drops[INDYNET_DROP_RX_FLUSHED] > 0);
	close(b);
}

/* A bound datagram socket for the test's QEMU at @fx->path.qemu; returns it. */
static int dgram_peer(struct fixture *fx, char *mypath, size_t cap)
{
	struct sockaddr_un me;
	socklen_t melen;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	snprintf(mypath, cap, "%s.qemu", fx->path);
	unlink(mypath);
	melen = usock_addr(mypath, &me);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, melen), 0);
	return fd;
}

/* The DHCP xid of OFFER @f (the DISCOVER's, which carries its sequence number). */
static uint32_t offer_xid(const uint8_t *f, size_t len)
{
	const uint8_t *bootp = f + 14 + (size_t)(f[14] & 15) * 4 + 8;

	assert_offer(f, len);
	return (uint32_t)bootp[4] << 24 | (uint32_t)bootp[5] << 16 | (uint32_t)bootp[6] << 8 | bootp[7];
}

/* Fill the main thread's poll set until the frontend waits for POLLOUT (3 s at most). */
static size_t fill_until_blocked(struct frontend *fe, struct pollfd *pfds, int *timeout)
{
	for (int i = 0; i < 300; i++) {
		size_t n = 0;

		*timeout = -1;
		frontend_poll_fill(fe, pfds, &n, timeout);
		/* Settled: blocked, and no wake-up left to handle. */
		if ((pfds[n - 1].events & POLLOUT) && poll(pfds, n, 0) == 0)
			return n;
		pump(fe, 10);
	}
	fail_msg("the frontend never waited for POLLOUT");
	return 0;
}

/*
 * QEMU's socket holds net.unix.max_dgram_qlen datagrams (10 by default): the
 * frontend must wait for it with no timer (not poll on a backoff), be woken
 * by the kernel as soon as QEMU reads one, and deliver every frame in order.
 */
static void test_dgram_full_peer_woken_in_order(void **state)
{
	struct fixture *fx = *state;
	uint8_t frame[1024], reply[INDYNET_FRAME_MAX];
	struct sockaddr_un daemon;
	socklen_t dlen = usock_addr(fx->path, &daemon);
	struct pollfd pfds[8];
	char mypath[128];
	size_t len = build_discover(frame), n;
	int qlen = 10, timeout, fd = dgram_peer(fx, mypath, sizeof(mypath)), total;
	FILE *f = fopen("/proc/sys/net/unix/max_dgram_qlen", "r");
	uint32_t next = 0;
	ssize_t got;

	if (f) {
		assert_int_equal(fscanf(f, "%d", &qlen), 1);
		fclose(f);
	}
	if (qlen > 200)
		skip(); /* the peer's queue would hold more than the 256-frame ring */
	total = qlen + 20;
	for (int i = 0; i < total; i++) {
		frame[14 + 20 + 8 + 7] = (uint8_t)i; /* the xid's low byte */
		assert_int_equal(sendto(fd, frame, len, 0, (struct sockaddr *)&daemon, dlen), (ssize_t)len);
	}
	n = fill_until_blocked(fx->fe, pfds, &timeout);
	assert_int_equal(timeout, -1); /* no timer: only QEMU reading wakes the frontend */
	assert_int_equal(poll(pfds, n, 300), 0);
	got = recv(fd, reply, sizeof(reply), 0);
	assert_true(got > 0);
	assert_int_equal(offer_xid(reply, (size_t)got) & 0xff, next++);
	assert_int_equal(poll(pfds, n, 1000), 1); /* the read alone makes room: POLLOUT */
	assert_true(pfds[n - 1].revents & POLLOUT);
	frontend_poll_handle(fx->fe, pfds, n);
	for (int i = 0; i < 300 && next < (uint32_t)total; i++) {
		got = recv(fd, reply, sizeof(reply), MSG_DONTWAIT);
		if (got > 0)
			assert_int_equal(offer_xid(reply, (size_t)got) & 0xff, next++);
		else
			pump(fx->fe, 10);
	}
	assert_int_equal(next, total);
	close(fd);
	unlink(mypath);
}

/* Send a DISCOVER from @fd to the frontend and check an OFFER comes back within 3 s. */
static void dgram_dhcp(struct fixture *fx, int fd)
{
	uint8_t frame[1024], reply[INDYNET_FRAME_MAX];
	struct sockaddr_un daemon;
	socklen_t dlen = usock_addr(fx->path, &daemon);
	size_t len = build_discover(frame);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	assert_int_equal(sendto(fd, frame, len, 0, (struct sockaddr *)&daemon, dlen), (ssize_t)len);
	assert_int_equal(poll(&p, 1, 3000), 1);
	n = recv(fd, reply, sizeof(reply), 0);
	assert_true(n > 0);
	assert_offer(reply, (size_t)n);
}

static void test_dgram_dhcp(void **state)
{
	char mypath[128];
	int fd = dgram_peer(*state, mypath, sizeof(mypath));

	dgram_dhcp(*state, fd);
	close(fd);
	unlink(mypath);
}

/* QEMU restarted on the same path: its first frame is answered (the old socket is gone). */
static void test_dgram_peer_restarted_same_path(void **state)
{
	struct fixture *fx = *state;
	char mypath[128];
	int fd = dgram_peer(fx, mypath, sizeof(mypath));

	dgram_dhcp(fx, fd);
	close(fd);
	fd = dgram_peer(fx, mypath, sizeof(mypath));
	dgram_dhcp(fx, fd);
	close(fd);
	unlink(mypath);
}

/* A QEMU socket connect()ed to PATH refuses a second socket: it is answered from PATH, all of a burst. */
static void test_dgram_connected_peer_answered(void **state)
{
	struct fixture *fx = *state;
	uint8_t frame[1024], reply[INDYNET_FRAME_MAX];
	struct sockaddr_un daemon;
	socklen_t dlen = usock_addr(fx->path, &daemon);
	size_t len = build_discover(frame);
	char mypath[128];
	int fd = dgram_peer(fx, mypath, sizeof(mypath)), got = 0;

	assert_int_equal(connect(fd, (struct sockaddr *)&daemon, dlen), 0);
	for (int i = 0; i < 30; i++)
		assert_int_equal(send(fd, frame, len, 0), (ssize_t)len);
	for (int i = 0; i < 300 && got < 30; i++) {
		ssize_t n = recv(fd, reply, sizeof(reply), MSG_DONTWAIT);

		if (n > 0)
			assert_offer(reply, (size_t)n);
		got += n > 0;
		if (n <= 0)
			pump(fx->fe, 10);
	}
	assert_int_equal(got, 30);
	close(fd);
	unlink(mypath);
}

/* Wait up to 3 s for the frontend to connect to QEMU's listener, run DHCP over it, close it. */
static void accept_and_dhcp(struct frontend *fe, int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	for (int i = 0; i < 300 && poll(&p, 1, 0) == 0; i++)
		pump(fe, 10);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	pump(fe, 20);
	dhcp_over_stream(fd);
	close(fd);
}

static void test_connect_retries_until_qemu_listens(void **state)
{
	struct fixture *fx = *state;
	char err[256];
	int lfd;

	/* No listener yet: the frontend keeps retrying (100 ms, 200 ms, ...). */
	pump(fx->fe, 350);
	lfd = usock_bind(fx->path, SOCK_STREAM, 0600, err, sizeof(err));
	assert_true(lfd >= 0);
	accept_and_dhcp(fx->fe, lfd);
	/* QEMU restarts (accept_and_dhcp closed the connection): the frontend reconnects. */
	accept_and_dhcp(fx->fe, lfd);
	close(lfd);
}

/* ---- TAP in another network namespace (needs root; skipped otherwise) ---- */

#define TAP_NAME "idtest0"
#define TAP_MTU 1400

struct ns_job {
	int netns_fd;    /* in: namespace to enter, or -1 to make a new one (then out) */
	bool del;        /* in: delete TAP_NAME there (ip link del) instead of probing it */
	int packet_fd;   /* out: AF_PACKET socket on TAP_NAME inside it */
	int mtu;         /* out */
	short flags;     /* out */
};

/* ip link del TAP_NAME, in the calling thread's namespace, by rtnetlink. */
static void ns_delete_tap(void)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = { .nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_DELLINK,
			  .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		  .ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)if_nametoindex(TAP_NAME) } };
	char ack[256];
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (s < 0)
		return;
	if (send(s, &req, sizeof(req), 0) == (ssize_t)sizeof(req))
		(void)recv(s, ack, sizeof(ack), 0);
	close(s);
}

/* Runs on its own thread: setns/unshare affect only this thread. */
static void *ns_thread(void *arg)
{
	struct ns_job *job = arg;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct ifreq ifr = { 0 };
	int s;

	if (job->netns_fd < 0) {
		if (unshare(CLONE_NEWNET) == 0)
			job->netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		return NULL;
	}
	if (setns(job->netns_fd, CLONE_NEWNET) != 0)
		return NULL;
	if (job->del) {
		ns_delete_tap();
		return NULL;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAP_NAME);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s >= 0 && ioctl(s, SIOCGIFMTU, &ifr) == 0)
		job->mtu = ifr.ifr_mtu;
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
		job->flags = ifr.ifr_flags;
	if (s >= 0)
		close(s);
	sll.sll_ifindex = (int)if_nametoindex(TAP_NAME);
	job->packet_fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (job->packet_fd >= 0 && bind(job->packet_fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		close(job->packet_fd);
		job->packet_fd = -1;
	}
	return NULL;
}

static void ns_run(struct ns_job *job)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, ns_thread, job), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

static int setup_tap(void **state)
{
	struct ns_job job = { .netns_fd = -1, .packet_fd = -1 };
	struct fixture *fx;
	char nspath[64];

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0)
		return 0; /* the test skips */
	ns_run(&job);
	if (job.netns_fd < 0)
		return 0;
	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	dlog_set_level(INDYNET_LOG_ERROR);
	fx->netns_fd = job.netns_fd;
	snprintf(nspath, sizeof(nspath), "/proc/self/fd/%d", job.netns_fd);
	opts_init(&fx->opts);
	fx->opts.frontend = FE_TAP;
	fx->opts.frontend_arg = strdup(TAP_NAME);
	fx->opts.tap_netns = strdup(nspath);
	fx->opts.mtu = TAP_MTU;
	fixture_start(fx);
	*state = fx;
	return 0;
}

static int teardown_tap(void **state)
{
	return *state ? teardown(state) : 0;
}

/* Wait up to 3 s for a DHCP reply (UDP 67 -> 68) on the packet socket. */
static size_t recv_dhcp_reply(int fd, uint8_t *buf, size_t cap)
{
	int64_t end = frontend_now_ms() + 3000;

	while (frontend_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) != 1)
			continue;
		n = recv(fd, buf, cap, 0);
		if (n > 14 + 20 + 8 && buf[12] == 0x08 && buf[13] == 0 && buf[14 + 9] == 17 &&
		    buf[14 + 20 + 1] == 67 && buf[14 + 20 + 3] == 68)
			return (size_t)n;
	}
	fail_msg("no DHCP reply on " TAP_NAME);
	return 0;
}

static void test_tap_in_netns_dhcp(void **state)
{
	struct fixture *fx = *state;
	struct ns_job job = { .packet_fd = -1 };
	uint8_t frame[1024], reply[INDYNET_FRAME_MAX];
	size_t len = build_discover(frame);

	if (!fx)
		skip();
	/* The device is not in our namespace ... */
	assert_int_equal(if_nametoindex(TAP_NAME), 0);
	/* ... but in the guest's, up, with the configured MTU and no address needed. */
	job.netns_fd = fx->netns_fd;
	ns_run(&job);
	assert_true(job.packet_fd >= 0);
	assert_int_equal(job.mtu, TAP_MTU);
	assert_true(job.flags & IFF_UP);
	/* The guest's DISCOVER, sent on the TAP's kernel side, gets an OFFER back. */
	assert_int_equal(send(job.packet_fd, frame, len, 0), (ssize_t)len);
	assert_offer(reply, recv_dhcp_reply(job.packet_fd, reply, sizeof(reply)));
	close(job.packet_fd);
}

/* Send stderr to a temporary file; returns the saved descriptor. */
static int stderr_capture(FILE **tmp)
{
	int saved;

	*tmp = tmpfile();
	assert_non_null(*tmp);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(*tmp), 2) == 2);
	return saved;
}

/* Put stderr back; returns how many captured lines contain @needle. */
static int stderr_restore(int saved, FILE *tmp, const char *needle)
{
	char line[1024];
	int count = 0;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp))
		count += strstr(line, needle) != NULL;
	fclose(tmp);
	return count;
}

/* The device vanishes: one line, the link closed, the device made again, DHCP works on it. */
static void test_tap_deleted_is_recreated(void **state)
{
	struct fixture *fx = *state;
	struct ns_job job = { .packet_fd = -1 };
	uint8_t frame[1024], reply[INDYNET_FRAME_MAX];
	size_t len = build_discover(frame);
	FILE *tmp;
	int saved;

	if (!fx)
		skip();
	dlog_set_level(INDYNET_LOG_INFO);
	saved = stderr_capture(&tmp);
	job.netns_fd = fx->netns_fd;
	job.del = true;
	ns_run(&job);
	pump(fx->fe, 500);
	assert_int_equal(stderr_restore(saved, tmp, "tap: device " TAP_NAME " failed"), 1);
	assert_false(frontend_failed(fx->fe));
	job.del = false;
	ns_run(&job);
	assert_true(job.packet_fd >= 0);
	assert_int_equal(job.mtu, TAP_MTU);
	assert_true(job.flags & IFF_UP);
	assert_int_equal(send(job.packet_fd, frame, len, 0), (ssize_t)len);
	assert_offer(reply, recv_dhcp_reply(job.packet_fd, reply, sizeof(reply)));
	close(job.packet_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_dhcp, setup_stream, teardown),
		cmocka_unit_test_setup_teardown(test_stream_short_frame_counted, setup_stream, teardown),
		cmocka_unit_test_setup_teardown(test_stream_burst_tail_flushed, setup_stream, teardown),
		cmocka_unit_test_setup_teardown(test_stream_oversize_prefix_closes, setup_stream,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_new_connection_replaces, setup_stream,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_full_ring_then_reconnect, setup_stream,
						teardown),
		cmocka_unit_test_setup_teardown(test_dgram_dhcp, setup_dgram, teardown),
		cmocka_unit_test_setup_teardown(test_dgram_full_peer_woken_in_order, setup_dgram,
						teardown),
		cmocka_unit_test_setup_teardown(test_dgram_peer_restarted_same_path, setup_dgram,
						teardown),
		cmocka_unit_test_setup_teardown(test_dgram_connected_peer_answered, setup_dgram,
						teardown),
		cmocka_unit_test_setup_teardown(test_connect_retries_until_qemu_listens, setup_connect,
						teardown),
		cmocka_unit_test_setup_teardown(test_tap_in_netns_dhcp, setup_tap, teardown_tap),
		cmocka_unit_test_setup_teardown(test_tap_deleted_is_recreated, setup_tap, teardown_tap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
