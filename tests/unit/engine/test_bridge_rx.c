/* SPDX-License-Identifier: MIT */
/* test_bridge_rx.c: the bridge backend's receive path on a real capture ("lo" of a private network namespace; root). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/bridge.h"
#include "core/checksum.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine_test.h"

/*
 * The LAN is the loopback interface of a network namespace of our own: a
 * packet socket injects the LAN's frames there, the engine captures them
 * (libpcap sees each frame on "lo" once, as received), and what reaches
 * the guest is read from its RX ring.  A frame that must not reach the
 * guest is followed by a "fence" frame that must: the capture keeps the
 * order, so the fence arriving first proves the other was dropped.
 */

#define MTU 1500u
#define ETYPE_TEST 0x88b5 /* IEEE local experimental */

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t lan_mac[6] = { 0x02, 0x77, 0, 0, 0, 1 };
static const uint8_t other_mac[6] = { 0x02, 0x77, 0, 0, 0, 9 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static int lan_fd = -1, lo_index;
static uint8_t out[ETH_HLEN + 65535], in[ETH_HLEN + 65535];

/* an Ethernet frame @dst <- @src of @len bytes (type ETYPE_TEST, VLAN 7 priority 1 when @vlan), filled with @mark */
static size_t frame(const uint8_t dst[6], const uint8_t src[6], size_t len, uint8_t mark, bool vlan)
{
	memset(out, mark, len);
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	memcpy(out + 12, vlan ? (uint8_t[]){ 0x81, 0x00, 0x20, 0x07, 0x88, 0xb5 } : (uint8_t[]){ 0x88, 0xb5 },
	       vlan ? 6 : 2);
	return len;
}

static void lan_send(size_t len)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_ifindex = lo_index, .sll_halen = 6 };

	assert_int_equal(sendto(lan_fd, out, len, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)len);
}

/* the next frame the guest gets: its length, 0 when none comes within a second */
static size_t guest_next(indynet_engine *e)
{
	uint64_t end = clock_mono_ms() + 1000;
	ssize_t n;

	while ((n = indynet_guest_recv(e, in, sizeof(in))) <= 0 && clock_mono_ms() < end)
		usleep(2000);
	return n > 0 ? (size_t)n : 0;
}

/* the guest gets @mark's frame of @len bytes next */
static void expect_next(indynet_engine *e, uint8_t mark, size_t len)
{
	assert_int_equal(guest_next(e), len);
	assert_int_equal(in[len - 1], mark);
}

/* the status once its frame count reaches @frames (asserts it does within two seconds) */
static struct indynet_capture_status status_at(indynet_engine *e, uint64_t frames)
{
	struct indynet_capture_status st;
	uint64_t end = clock_mono_ms() + 2000;

	do {
		assert_int_equal(indynet_capture_status_get(e, &st), 0);
	} while (st.frames < frames && clock_mono_ms() < end && usleep(2000) == 0);
	assert_true(st.frames >= frames);
	return st;
}

static indynet_engine *start_bridge(void)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;
	char err[256] = "";
	struct indynet_capture_status st;

	indynet_config_init(&cfg);
	cfg.mode = INDYNET_MODE_BRIDGE;
	cfg.bridge_interface = "lo";
	cfg.mtu = MTU;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(indynet_capture_status_get(e, &st), 0);
	assert_int_equal(st.state, INDYNET_CAPTURE_ACTIVE);
	return e;
}

/* the guest speaks (a broadcast): the bridge learns its MAC; its echo comes back on "lo" and is dropped */
static void guest_speaks(indynet_engine *e)
{
	struct indynet_capture_status st;

	assert_int_equal(indynet_guest_send(e, out, frame(bcast, guest_mac, 60, 0x5a, false)), 0);
	st = status_at(e, 1);
	assert_int_equal(st.own_frames, 1);
	lan_send(frame(bcast, lan_mac, 60, 0xf0, false));
	expect_next(e, 0xf0, 60); /* not the echo */
}

/* Before the guest's MAC is known no unicast reaches it (counted); broadcast and multicast do. */
static void test_rx_before_mac(void **state)
{
	indynet_engine *e = start_bridge();
	struct indynet_capture_status st;

	(void)state;
	lan_send(frame(guest_mac, lan_mac, 100, 1, false));
	lan_send(frame(bcast, lan_mac, 101, 2, false));
	lan_send(frame(mcast, lan_mac, 102, 3, false));
	expect_next(e, 2, 101);
	expect_next(e, 3, 102);
	st = status_at(e, 3);
	assert_int_equal(st.not_for_guest, 1);
	assert_int_equal(st.own_frames + st.shed + st.oversized, 0);
	indynet_engine_free(e);
}

/* Once it is known: the guest's unicast and the group frames arrive byte for byte, nothing else. */
static void test_rx_unicast(void **state)
{
	indynet_engine *e = start_bridge();
	uint8_t sent[200];

	(void)state;
	guest_speaks(e);
	lan_send(frame(other_mac, lan_mac, 90, 4, false));
	memcpy(sent, out, frame(guest_mac, lan_mac, 200, 5, false));
	lan_send(200);
	assert_int_equal(guest_next(e), 200);
	assert_memory_equal(in, sent, 200);
	lan_send(frame(mcast, lan_mac, 64, 6, false));
	expect_next(e, 6, 64);
	indynet_engine_free(e);
}

/* Frames of the MTU (+4 with a VLAN tag) pass; one byte more, not being TCP, is dropped and counted. */
static void test_rx_mtu(void **state)
{
	indynet_engine *e = start_bridge();
	struct indynet_capture_status st;

	(void)state;
	guest_speaks(e);
	lan_send(frame(guest_mac, lan_mac, ETH_HLEN + MTU, 7, false));
	expect_next(e, 7, ETH_HLEN + MTU);
	lan_send(frame(guest_mac, lan_mac, ETH_HLEN + 4 + MTU, 8, true));
	expect_next(e, 8, ETH_HLEN + 4 + MTU);
	lan_send(frame(guest_mac, lan_mac, ETH_HLEN + MTU + 1, 9, false));
	lan_send(frame(guest_mac, lan_mac, ETH_HLEN + 4 + MTU + 1, 10, true));
	lan_send(frame(guest_mac, lan_mac, 80, 11, false));
	expect_next(e, 11, 80);
	st = status_at(e, 7);
	assert_int_equal(st.oversized, 2);
	assert_int_equal(st.resegmented, 0);
	indynet_engine_free(e);
}

/* #21: the VLAN allowance is for a tag (type 0x8100), not for any type sharing a byte with it (IPv4 0x0800) */
static void test_rx_mtu_untagged_ipv4(void **state)
{
	indynet_engine *e = start_bridge();
	struct indynet_capture_status st;
	size_t len;

	(void)state;
	guest_speaks(e);
	len = frame(guest_mac, lan_mac, ETH_HLEN + MTU + 2, 12, false);
	out[12] = 0x08; /* IPv4, and not TCP: not re-segmented */
	out[13] = 0x00;
	lan_send(len);
	lan_send(frame(guest_mac, lan_mac, 80, 13, false));
	expect_next(e, 13, 80);
	st = status_at(e, 4);
	assert_int_equal(st.oversized, 1);
	indynet_engine_free(e);
}

/* a GRO super-frame to the guest: 20-byte IP, 20-byte TCP, @dlen payload bytes (i & 0xff) */
static size_t super_frame(size_t dlen)
{
	uint8_t *ip = out + ETH_HLEN, *tcp = ip + IPV4_HLEN;
	uint16_t c;

	memset(out, 0, ETH_HLEN + IPV4_HLEN + 20);
	memcpy(out, guest_mac, 6);
	memcpy(out + 6, lan_mac, 6);
	out[12] = 0x08;
	ipv4_build(ip, t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 6, 0x2000, 20 + dlen);
	tcp[1] = 80;
	tcp[3] = 99;
	tcp[12] = 5 << 4;
	tcp[13] = 0x18; /* PSH|ACK */
	tcp[14] = 0xff;
	for (size_t i = 0; i < dlen; i++)
		tcp[20 + i] = (uint8_t)i;
	c = l4_csum_ipv4(t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 6, tcp, 20 + dlen);
	memcpy(tcp + 16, &c, 2);
	return ETH_HLEN + IPV4_HLEN + 20 + dlen;
}

/* a 20000-byte TCP super-frame reaches the guest cut to the MTU, its bytes in order (and frees @e) */
static void expect_resegmented(indynet_engine *e)
{
	struct indynet_capture_status st;
	size_t got = 0, n;

	guest_speaks(e);
	lan_send(super_frame(20000));
	while (got < 20000) {
		n = guest_next(e);
		assert_true(n > ETH_HLEN + IPV4_HLEN + 20 && n <= ETH_HLEN + MTU);
		for (size_t k = ETH_HLEN + IPV4_HLEN + 20; k < n; k++, got++)
			assert_int_equal(in[k], (uint8_t)got);
	}
	assert_int_equal(got, 20000);
	st = status_at(e, 3);
	assert_int_equal(st.resegmented, 1);
	assert_int_equal(st.oversized, 0);
	indynet_engine_free(e);
}

/* A TCP super-frame above the MTU reaches the guest cut to the MTU, its bytes in order. */
static void test_rx_resegment(void **state)
{
	(void)state;
	expect_resegmented(start_bridge());
}

static void lo_mtu(int mtu)
{
	struct ifreq ifr = { .ifr_name = "lo", .ifr_mtu = mtu };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(s >= 0);
	assert_int_equal(ioctl(s, SIOCSIFMTU, &ifr), 0);
	close(s);
}

/*
 * The ring's slots hold the interface's MTU (here 1500: the capture opens
 * while lo has it); a super-frame longer than a slot still arrives whole,
 * from the socket's queue, and is re-segmented, not cut and counted.
 */
static void test_rx_super_frame_beyond_slot(void **state)
{
	indynet_engine *e;

	(void)state;
	lo_mtu((int)MTU);
	e = start_bridge();
	lo_mtu(65536);
	expect_resegmented(e);
}

/* A broadcast storm leaves BRIDGE_RX_RESERVE slots of the guest's RX ring for its unicast. */
static void test_rx_shed(void **state)
{
	indynet_engine *e = start_bridge();
	struct indynet_capture_status st;
	unsigned got = 0, storm = INDYNET_RX_RING_FRAMES + 50;
	size_t n;

	(void)state;
	guest_speaks(e);
	for (unsigned i = 0; i < storm; i++) {
		lan_send(frame(bcast, lan_mac, 60, 12, false));
		if (i % 16 == 15)
			status_at(e, 2 + i + 1); /* paced: the capture buffer must not overflow */
	}
	st = status_at(e, 2 + storm);
	assert_int_equal(st.shed, storm - (INDYNET_RX_RING_FRAMES - BRIDGE_RX_RESERVE));
	lan_send(frame(guest_mac, lan_mac, 70, 13, false));
	status_at(e, 3 + storm);
	while ((n = guest_next(e)) == 60 && in[59] == 12)
		got++;
	assert_int_equal(got, INDYNET_RX_RING_FRAMES - BRIDGE_RX_RESERVE);
	assert_int_equal(n, 70); /* the unicast behind the storm */
	assert_int_equal(in[69], 13);
	indynet_engine_free(e);
}

/* ---- the backend driven round by round on this thread (the seam of fuzz_bridge_rx) ---- */

#define DRAIN_FRAMES 3000u /* more than BRIDGE_DRAIN_CAP, far fewer than a 32 MiB ring of 1500-byte slots holds */
#define KEPT 4u            /* frames kept whole */

static uint16_t drained[DRAIN_FRAMES + 1];
static uint8_t kept[KEPT][128];
static unsigned n_drained, n_sent, room_now, feed;

/* @n more frames for the guest onto the LAN, numbered on from n_sent (DRAIN_FRAMES in all at most) */
static void send_numbered(unsigned n)
{
	for (unsigned end = n_sent + n; n_sent < end && n_sent < DRAIN_FRAMES; n_sent++) {
		frame(guest_mac, lan_mac, 60, 0, false);
		out[14] = (uint8_t)(n_sent >> 8);
		out[15] = (uint8_t)n_sent;
		lan_send(60);
	}
}

/* the guest's RX ring, as the engine would fill it: each frame's bytes 14-15 (a sequence number) in arrival order */
static void direct_to_guest(void *opaque, const uint8_t *f, size_t len)
{
	(void)opaque;
	assert_true(n_drained <= DRAIN_FRAMES && len <= sizeof(kept[0]));
	if (n_drained < KEPT)
		memcpy(kept[n_drained], f, len);
	drained[n_drained++] = (uint16_t)(f[14] << 8 | f[15]);
}

static void direct_drop(void *opaque, enum indynet_drop_reason reason)
{
	(void)opaque;
	fail_msg("drop %d", (int)reason);
}

/* the guest's free room (room_now), asked before each batch: @feed frames arrive at that moment */
static unsigned direct_room(void *opaque)
{
	(void)opaque;
	send_numbered(feed);
	return room_now;
}

/* a bridge backend on lo in MAC mode @mac, knowing the guest's MAC; its ring's slots of 1500 bytes */
static struct backend *direct_open(enum indynet_bridge_mac mac)
{
	const struct backend_params p = { .mode = INDYNET_MODE_BRIDGE, .mtu = MTU, .interface = "lo",
					  .capture_buffer = INDYNET_CAPTURE_BUFFER_DEFAULT, .bridge_mac = mac };
	const struct backend_host cb = { .to_guest = direct_to_guest, .drop = direct_drop, .rx_room = direct_room };
	struct backend *bk;
	char err[256];

	lo_mtu((int)MTU);
	assert_int_equal(bridge_new(&p, &cb, &bk, err, sizeof(err)), 0);
	lo_mtu(65536);
	backend_guest_mac(bk, guest_mac);
	n_drained = n_sent = feed = 0;
	room_now = 2 * DRAIN_FRAMES; /* never the limit unless a test says so */
	return bk;
}

/* one loop round as the engine runs it, without waiting; returns whether the capture was readable */
static bool direct_round(struct backend *bk, struct poll_set *ps)
{
	int tmo = -1;

	ps->n = 0;
	bk->ops->poll_fill(bk, ps, &tmo);
	assert_int_equal(ps->n, 1);
	assert_true(poll(ps->fds, ps->n, 0) >= 0);
	bk->ops->poll_done(bk, ps, false);
	return (ps->fds[0].revents & POLLIN) != 0;
}

/* the guest got frames 0 .. @n - 1, in order; the status counts @rounds capped rounds */
static void expect_drained(struct backend *bk, unsigned n, uint64_t rounds)
{
	struct indynet_capture_status st;

	assert_int_equal(n_drained, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(drained[i], i);
	assert_int_equal(backend_status(bk, &st), 0);
	assert_int_equal(st.frames, n);
	assert_int_equal(st.drained_rounds, rounds);
}

/*
 * #21: 3000 frames queued at once: a round reads BRIDGE_DRAIN_CAP of them
 * and counts a capped round; the rest stays readable, so the next round
 * comes at once and reads it; nothing is lost, the order is kept, and a
 * wake-up that finds nothing returns at once.  (With lo's MTU of 65536
 * the ring's slots would hold 256 frames.)
 */
static void test_rx_drain_cap(void **state)
{
	struct backend *bk = direct_open(INDYNET_BRIDGE_MAC_GUEST);
	struct poll_set ps = { 0 };

	(void)state;
	send_numbered(DRAIN_FRAMES);
	assert_true(direct_round(bk, &ps));
	expect_drained(bk, BRIDGE_DRAIN_CAP, 1);
	assert_true(direct_round(bk, &ps)); /* readable at once: no wait for the rest */
	expect_drained(bk, DRAIN_FRAMES, 1);
	ps.fds[0].revents = POLLIN; /* a wake-up with nothing to read */
	bk->ops->poll_done(bk, &ps, false);
	assert_false(direct_round(bk, &ps));
	expect_drained(bk, DRAIN_FRAMES, 1);
	poll_set_free(&ps);
	bk->ops->free(bk);
}

/*
 * #21: frames that keep arriving while a round reads (54 before each
 * batch, fewer than a batch takes, so that batches come short and the cap
 * falls inside one): the round still stops at BRIDGE_DRAIN_CAP, and the
 * next takes the rest.
 */
static void test_rx_drain_cap_while_arriving(void **state)
{
	struct backend *bk = direct_open(INDYNET_BRIDGE_MAC_GUEST);
	struct poll_set ps = { 0 };

	(void)state;
	feed = 54;
	send_numbered(feed);
	assert_true(direct_round(bk, &ps));
	expect_drained(bk, BRIDGE_DRAIN_CAP, 1);
	assert_true(n_sent > BRIDGE_DRAIN_CAP);
	feed = 0;
	assert_true(direct_round(bk, &ps));
	expect_drained(bk, n_sent, 1);
	poll_set_free(&ps);
	bk->ops->free(bk);
}

/*
 * #21: a burst read in one batch while the guest's ring is nearly full:
 * the room is counted down frame by frame, so only the room above
 * BRIDGE_RX_RESERVE goes to broadcast, the rest is shed (counted), and the
 * guest's unicast behind it still arrives.
 */
static void test_rx_room_within_batch(void **state)
{
	struct backend *bk = direct_open(INDYNET_BRIDGE_MAC_GUEST);
	struct poll_set ps = { 0 };
	struct indynet_capture_status st;

	(void)state;
	room_now = BRIDGE_RX_RESERVE + 10;
	for (unsigned i = 0; i < 40; i++) {
		frame(bcast, lan_mac, 60, 0, false);
		out[15] = (uint8_t)i;
		lan_send(60);
	}
	frame(guest_mac, lan_mac, 60, 0, false);
	out[15] = 40;
	lan_send(60);
	assert_true(direct_round(bk, &ps));
	assert_int_equal(n_drained, 11);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(drained[i], i);
	assert_int_equal(drained[10], 40);
	assert_int_equal(backend_status(bk, &st), 0);
	assert_int_equal(st.shed, 30);
	poll_set_free(&ps);
	bk->ops->free(bk);
}

/* an IPv4 frame @dst <- @src from @sip to @dip (protocol 253, 8 bytes of @mark after bytes 14-15 of the frame) */
static size_t ip_frame(const uint8_t dst[6], const uint8_t src[6], uint32_t sip, uint32_t dip, uint8_t mark)
{
	memset(out, mark, ETH_HLEN + IPV4_HLEN + 8);
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	out[12] = 0x08;
	out[13] = 0x00;
	ipv4_build(out + ETH_HLEN, sip, dip, 253, 0, 8);
	return ETH_HLEN + IPV4_HLEN + 8;
}

/*
 * #21: in host MAC mode (bridging over Wi-Fi) the LAN sends the guest's
 * IPv4 to the host interface's MAC (lo's: all zero); it reaches the guest
 * addressed to the guest's own MAC, the rest unchanged.  IPv4 at that MAC
 * for another address is the host's own and stays there; a broadcast
 * reaches the guest as it is.
 */
static void test_rx_host_mode(void **state)
{
	static const uint8_t lo_mac[6] = { 0 };
	struct backend *bk = direct_open(INDYNET_BRIDGE_MAC_HOST);
	struct poll_set ps = { 0 };
	uint8_t sent[ETH_HLEN + IPV4_HLEN + 8];

	(void)state;
	bk->ops->input(bk, out, ip_frame(lan_mac, guest_mac, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1), 0x21));
	while (direct_round(bk, &ps))
		continue; /* its own frame, sent with lo's MAC, is not given back */
	assert_int_equal(n_drained, 0);
	lan_send(ip_frame(lo_mac, lan_mac, t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 9), 0x22));
	memcpy(sent, out, ip_frame(lo_mac, lan_mac, t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 0x23));
	lan_send(sizeof(sent));
	lan_send(frame(bcast, lan_mac, 60, 0x24, false));
	while (direct_round(bk, &ps))
		continue;
	assert_int_equal(n_drained, 2);
	assert_memory_equal(kept[0], guest_mac, 6);
	assert_memory_equal(kept[0] + 6, sent + 6, sizeof(sent) - 6);
	assert_memory_equal(kept[1], out, 60);
	poll_set_free(&ps);
	bk->ops->free(bk);
}

/* lo up in a namespace of our own, and a packet socket on it; false when not root */
static bool lan_setup(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0)
		return false;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	lo_index = (int)if_nametoindex("lo");
	lan_fd = socket(AF_PACKET, SOCK_RAW, 0);
	return lo_index > 0 && lan_fd >= 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_before_mac), cmocka_unit_test(test_rx_unicast),
		cmocka_unit_test(test_rx_mtu),        cmocka_unit_test(test_rx_resegment),
		cmocka_unit_test(test_rx_shed),       cmocka_unit_test(test_rx_drain_cap),
		cmocka_unit_test(test_rx_drain_cap_while_arriving), cmocka_unit_test(test_rx_room_within_batch),
		cmocka_unit_test(test_rx_host_mode),  cmocka_unit_test(test_rx_super_frame_beyond_slot),
		cmocka_unit_test(test_rx_mtu_untagged_ipv4),
	};

	if (!lan_setup()) {
		printf("skip: needs root for a network namespace (%s)\n", strerror(errno));
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
