/* SPDX-License-Identifier: MIT */
/* test_engine.c: engine life cycle, drop counters, learning, watched fds, rx_notify, pcapng capture. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arp.h"
#include "core/clock.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine/engine_sync.h"
#include "engine/pcapng.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;

static indynet_engine *new_engine(struct indynet_config *cfg)
{
	indynet_engine *e = NULL;
	char err[256] = "";

	assert_int_equal(indynet_engine_new(cfg, &e, err, sizeof(err)), 0);
	assert_non_null(e);
	return e;
}

static indynet_engine *new_default(void)
{
	struct indynet_config cfg;

	indynet_config_init(&cfg);
	return new_engine(&cfg);
}

static void test_new_errors(void **state)
{
	struct indynet_config cfg;
	indynet_engine *e = (indynet_engine *)1;
	char err[256];

	(void)state;
	indynet_config_init(&cfg);
	cfg.nat_subnet = "192.168.0.5/24";
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), -EINVAL);
	assert_null(e);
	assert_string_equal(err, "192.168.0.5/24 is not the network address for /24 (did you mean 192.168.0.0/24?)");
	indynet_config_init(&cfg);
	cfg.mtu = 100;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "MTU 100 is out of range (576-65520)");
	indynet_config_init(&cfg);
	cfg.version = 99;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), -EINVAL);
	indynet_config_init(&cfg);
	cfg.capture_file = "/nonexistent-dir/x.pcapng";
	assert_int_equal(indynet_engine_new(&cfg, &e, NULL, 0), -EIO);
}

static void test_start_stop(void **state)
{
	indynet_engine *e = new_default();
	struct indynet_stats st;

	(void)state;
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(indynet_engine_start(e), -EALREADY);
	usleep(20000);
	indynet_engine_stop(e);
	indynet_engine_stop(e); /* idempotent */
	indynet_stats_get(e, &st);
	assert_int_equal(st.tx_frames, 0);
	assert_false(st.guest_mac_known);
	assert_int_equal(st.last_activity_ms, 0);
	/* start again after a stop */
	assert_int_equal(indynet_engine_start(e), 0);
	indynet_engine_free(e);
	indynet_engine_free(NULL);
}

/* frames queued before the engine runs are processed when it stops at the latest */
static void send_and_settle(indynet_engine *e, const uint8_t *f, size_t len, int want_rc)
{
	assert_int_equal(indynet_guest_send(e, f, len), want_rc);
}

static void test_drop_counters(void **state)
{
	indynet_engine *e = new_default();
	struct indynet_stats st;
	uint8_t f[2000] = { 0 };
	size_t n;

	(void)state;
	memcpy(f + 6, guest_mac, 6);
	/* too short for Ethernet, too long for the MTU */
	send_and_settle(e, f, 5, -EMSGSIZE);
	send_and_settle(e, f, 14 + 4 + 1500 + 1, -EMSGSIZE);
	/* IPv4 with a zero header: malformed */
	f[12] = 0x08;
	f[13] = 0x00;
	send_and_settle(e, f, 60, 0);
	/* IPv4 whose total length exceeds the frame: truncated */
	n = t_udp_frame(f, guest_mac, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 1, 2, "abcdefgh", 8, 1);
	send_and_settle(e, f, n - 4, 0);
	/* ARP cut short */
	n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	send_and_settle(e, f, ETH_HLEN + 10, 0);
	/* ARP with a wrong hardware type: malformed */
	f[ETH_HLEN + 1] = 9;
	send_and_settle(e, f, n, 0);
	assert_int_equal(indynet_engine_start(e), 0);
	indynet_engine_stop(e);
	indynet_stats_get(e, &st);
	assert_int_equal(st.drops[INDYNET_DROP_TRUNCATED], 3);
	assert_int_equal(st.drops[INDYNET_DROP_OVERSIZED], 1);
	assert_int_equal(st.drops[INDYNET_DROP_MALFORMED], 2);
	assert_int_equal(st.tx_frames, 0);
	indynet_engine_free(e);
}

static void test_tx_ring_full(void **state)
{
	indynet_engine *e = new_default();
	struct indynet_stats st;
	uint8_t f[64];
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	int i, rc = 0;

	(void)state;
	for (i = 0; i < 1000 && (rc = indynet_guest_send(e, f, n)) == 0; i++)
		;
	assert_int_equal(rc, -ENOBUFS);
	assert_true(i >= 255 && i <= 256);
	indynet_stats_get(e, &st);
	assert_int_equal(st.drops[INDYNET_DROP_TX_RING_FULL], 1);
	indynet_engine_free(e);
}

static int match_arp_reply(const uint8_t *f, size_t len, void *arg)
{
	struct eth_view eth;
	struct arp_view a;

	(void)arg;
	return eth_parse(f, len, &eth) == 0 && eth.ethertype == ETHERTYPE_ARP &&
	       arp_parse(eth.payload, eth.payload_len, &a) == 0 && a.op == ARP_OP_REPLY;
}

static void test_learn_and_slirp_arp(void **state)
{
	indynet_engine *e = new_default();
	struct indynet_stats st;
	uint8_t f[64], r[2048];
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };
	struct eth_view eth;
	int64_t before = clock_real_ms();

	(void)state;
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	n = t_wait_frame(e, r, sizeof(r), 2000, match_arp_reply, NULL);
	assert_true(n > 0);
	assert_int_equal(eth_parse(r, n, &eth), 0);
	assert_memory_equal(eth.src, gw_mac, 6); /* libslirp's gateway MAC */
	assert_memory_equal(eth.dst, guest_mac, 6);
	indynet_stats_get(e, &st);
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(st.tx_bytes, 60);
	assert_true(st.rx_frames >= 1);
	assert_true(st.guest_mac_known);
	assert_memory_equal(st.guest_mac, guest_mac, 6);
	assert_int_equal(st.guest_ip, t_ip(192, 168, 0, 2));
	assert_true(st.last_activity_ms >= before);
	indynet_engine_free(e);
}

/* ---- watched fd + rx_notify: guest_send on the engine thread ---- */

struct watch_ctx {
	indynet_engine *e;
	int pipe_rd;
	atomic_int calls;
	atomic_int notifies;
	atomic_int send_rc;
	pthread_t cb_thread;
};

static void on_readable(void *opaque, int fd, short revents)
{
	struct watch_ctx *w = opaque;
	uint8_t f[64];
	char c;
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));

	assert_true(revents & POLLIN);
	assert_int_equal(read(fd, &c, 1), 1);
	w->cb_thread = pthread_self();
	atomic_store(&w->send_rc, indynet_guest_send(w->e, f, n));
	atomic_fetch_add(&w->calls, 1);
}

static void on_rx(void *opaque)
{
	atomic_fetch_add(&((struct watch_ctx *)opaque)->notifies, 1);
}

static void test_watch_fd_and_notify(void **state)
{
	struct watch_ctx w = { 0 };
	struct indynet_config cfg;
	int p[2];
	uint8_t r[2048];
	struct indynet_stats st;

	(void)state;
	indynet_config_init(&cfg);
	cfg.rx_notify = on_rx;
	cfg.rx_notify_opaque = &w;
	w.e = new_engine(&cfg);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(indynet_engine_start(w.e), 0);
	assert_int_equal(indynet_watch_fd(w.e, p[0], POLLIN, on_readable, &w), 0);
	assert_int_equal(indynet_watch_fd(w.e, p[0], POLLIN, on_readable, &w), -EEXIST);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_true(t_wait_frame(w.e, r, sizeof(r), 2000, match_arp_reply, NULL) > 0);
	assert_int_equal(atomic_load(&w.calls), 1);
	assert_int_equal(atomic_load(&w.send_rc), 0);
	assert_false(pthread_equal(w.cb_thread, pthread_self()));
	/* the frame may be taken before the end-of-round notification: wait for it */
	for (int i = 0; i < 200 && atomic_load(&w.notifies) == 0; i++)
		usleep(10000);
	assert_true(atomic_load(&w.notifies) >= 1);
	indynet_stats_get(w.e, &st);
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(indynet_unwatch_fd(w.e, p[0]), 0);
	assert_int_equal(indynet_unwatch_fd(w.e, p[0]), -ENOENT);
	/* no longer watched: writing does not call back */
	assert_int_equal(write(p[1], "y", 1), 1);
	usleep(100000);
	assert_int_equal(atomic_load(&w.calls), 1);
	indynet_engine_free(w.e);
	close(p[0]);
	close(p[1]);
}

/* ---- rx_deliver: the consumer's fast path ---- */

struct deliver_ctx {
	atomic_bool accept;
	atomic_int offered;
};

static bool on_deliver(void *opaque, const uint8_t *frame, size_t len)
{
	struct deliver_ctx *d = opaque;

	assert_true(len >= ETH_HLEN && frame != NULL);
	atomic_fetch_add(&d->offered, 1);
	return atomic_load(&d->accept);
}

static void test_rx_deliver(void **state)
{
	struct deliver_ctx d = { 0 };
	struct indynet_config cfg;
	indynet_engine *e;
	struct indynet_stats st;
	uint8_t f[64], r[2048];
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	const uint8_t *head;
	size_t hlen;

	(void)state;
	indynet_config_init(&cfg);
	cfg.rx_deliver = on_deliver;
	cfg.rx_notify_opaque = &d;
	e = new_engine(&cfg);
	assert_int_equal(indynet_engine_start(e), 0);
	/* accepted: counted as received, never queued */
	atomic_store(&d.accept, true);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	for (int i = 0; i < 200 && atomic_load(&d.offered) == 0; i++)
		usleep(10000);
	assert_int_equal(atomic_load(&d.offered), 1);
	assert_false(indynet_rx_peek(e, &head, &hlen));
	indynet_stats_get(e, &st);
	assert_int_equal(st.rx_frames, 1);
	/* refused: queued on the ring as usual */
	atomic_store(&d.accept, false);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_true(t_wait_frame(e, r, sizeof(r), 2000, match_arp_reply, NULL) > 0);
	assert_int_equal(atomic_load(&d.offered), 2);
	/* while a frame waits on the ring, the fast path is not offered (order is kept) */
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	for (int i = 0; i < 200 && !indynet_rx_peek(e, &head, &hlen); i++)
		usleep(10000);
	atomic_store(&d.accept, true);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	for (int i = 0; i < 200; i++) {
		indynet_stats_get(e, &st);
		if (st.rx_frames == 4)
			break;
		usleep(10000);
	}
	assert_int_equal(st.rx_frames, 4);
	assert_int_equal(atomic_load(&d.offered), 3);
	indynet_engine_free(e);
}

static void test_rx_fd_signals(void **state)
{
	indynet_engine *e = new_default();
	uint8_t f[64], r[2048];
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	struct pollfd p = { .fd = indynet_rx_fd(e), .events = POLLIN };

	(void)state;
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(indynet_guest_send(e, f, n), 0);
		assert_int_equal(poll(&p, 1, 2000), 1);
		indynet_rx_fd_clear(e);
		assert_true(indynet_guest_recv(e, r, sizeof(r)) > 0);
		assert_int_equal(indynet_guest_recv(e, r, sizeof(r)), -EAGAIN);
		assert_int_equal(poll(&p, 1, 0), 0); /* cleared and drained: quiet */
	}
	indynet_engine_free(e);
}

static void test_recv_api(void **state)
{
	indynet_engine *e = new_default();
	uint8_t f[64], small[10];
	const uint8_t *peek;
	size_t plen, n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	uint64_t t_end;

	(void)state;
	assert_int_equal(indynet_guest_recv(e, f, sizeof(f)), -EAGAIN);
	assert_false(indynet_rx_peek(e, &peek, &plen));
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	t_end = clock_mono_ms() + 2000;
	while (!indynet_rx_peek(e, &peek, &plen) && clock_mono_ms() < t_end)
		usleep(1000);
	assert_true(indynet_rx_peek(e, &peek, &plen));
	assert_true(plen >= 42 && plen <= 64); /* an ARP reply, maybe padded */
	assert_int_equal(indynet_guest_recv(e, small, sizeof(small)), -EMSGSIZE);
	assert_true(indynet_rx_peek(e, &peek, &plen)); /* still there */
	indynet_rx_pop(e);
	assert_false(indynet_rx_peek(e, &peek, &plen));
	indynet_engine_free(e);
}

/* ---- hostile input ---- */

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* mutate valid frames (ARP, DHCP, UDP to the gateway, big UDP) at random; every frame is accounted for */
static void test_random_frames_accounted(void **state)
{
	struct indynet_config cfg;
	indynet_engine *e;
	static uint8_t base[4][1600], f[1600], r[65536];
	size_t blen[4];
	struct indynet_stats st;
	uint32_t seed = 0x2545f491;
	uint64_t sent = 0, sum = 0;

	(void)state;
	indynet_config_init(&cfg);
	e = new_engine(&cfg);
	blen[0] = t_arp_request(base[0], guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	blen[1] = t_dhcp_frame(base[1], guest_mac, DHCP_DISCOVER, 9, 0, 0);
	blen[2] = t_udp_frame(base[2], guest_mac, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 5, 9,
			      "0123456789abcdef", 16, 1);
	memset(f, 0x33, sizeof(f));
	blen[3] = t_udp_frame(base[3], guest_mac, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 3), 5, 53, f,
			      1400, 2);
	assert_int_equal(indynet_engine_start(e), 0);
	for (int i = 0; i < 20000; i++) {
		unsigned k = rng_next(&seed) % 4;
		size_t len = blen[k];
		unsigned flips = rng_next(&seed) % 6;

		memcpy(f, base[k], len);
		for (unsigned j = 0; j < flips; j++)
			f[ETH_HLEN + rng_next(&seed) % (len - ETH_HLEN)] ^= (uint8_t)(1u << (rng_next(&seed) % 8));
		if (rng_next(&seed) % 4 == 0)
			len = rng_next(&seed) % (len + 1);
		while (sent++, indynet_guest_send(e, f, len) == -ENOBUFS)
			usleep(100); /* the engine is behind: counted, then sent again */
		if (i % 64 == 0)
			while (indynet_guest_recv(e, r, sizeof(r)) > 0)
				;
	}
	indynet_engine_stop(e);
	indynet_stats_get(e, &st);
	sum = st.tx_frames + st.drops[INDYNET_DROP_TRUNCATED] + st.drops[INDYNET_DROP_MALFORMED] +
	      st.drops[INDYNET_DROP_OVERSIZED] + st.drops[INDYNET_DROP_TX_RING_FULL];
	assert_int_equal(sum, sent);
	assert_true(st.tx_frames > 1000);
	assert_true(st.drops[INDYNET_DROP_TRUNCATED] > 100);
	assert_true(st.drops[INDYNET_DROP_MALFORMED] > 100);
	indynet_engine_free(e);
}

/* a fragment whose end lies past 65535 never reaches libslirp, which would crash on it */
static void test_fragment_past_64k_dropped(void **state)
{
	indynet_engine *e = new_default();
	static uint8_t f[1600], r[65536];
	struct indynet_stats st;
	uint8_t payload[1000];
	uint16_t c;
	size_t n;

	(void)state;
	memset(payload, 'b', sizeof(payload));
	n = t_udp_frame(f, guest_mac, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 1000, 9, payload,
			sizeof(payload), 8);
	/* last fragment at offset 65528: 65528 + 1008 bytes of UDP is past the limit */
	f[ETH_HLEN + 6] = 0x1f;
	f[ETH_HLEN + 7] = 0xff;
	f[ETH_HLEN + 10] = 0;
	f[ETH_HLEN + 11] = 0;
	c = ipv4_header_csum(f + ETH_HLEN, IPV4_HLEN);
	memcpy(f + ETH_HLEN + 10, &c, 2);
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	/* the engine still answers: an ARP request for the gateway gets its reply */
	n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_true(t_wait_frame(e, r, sizeof(r), 2000, match_arp_reply, NULL) > 0);
	indynet_engine_stop(e);
	indynet_stats_get(e, &st);
	assert_int_equal(st.drops[INDYNET_DROP_FRAG_TOO_BIG], 1);
	indynet_engine_free(e);
}

/* eng_input_sync(): the frame is processed on this thread, before the engine starts */
static void test_input_sync(void **state)
{
	indynet_engine *e = new_default();
	uint8_t f[64], r[2048];
	struct indynet_stats st;
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	ssize_t got;

	(void)state;
	assert_int_equal(indynet_guest_recv(e, r, sizeof(r)), -EAGAIN);
	assert_int_equal(eng_input_sync(e, f, n), 0);
	got = indynet_guest_recv(e, r, sizeof(r));
	assert_true(got > 0);
	assert_true(match_arp_reply(r, (size_t)got, NULL));
	assert_int_equal(eng_input_sync(e, f, 5), -EMSGSIZE);
	indynet_stats_get(e, &st);
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(st.drops[INDYNET_DROP_TRUNCATED], 1);
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(eng_input_sync(e, f, n), -EBUSY);
	indynet_engine_stop(e);
	assert_int_equal(eng_input_sync(e, f, n), 0);
	indynet_engine_free(e);
}

/* indynet_rx_flush(): the ring empties, the frames are counted, the names are stable */
static void test_rx_flush(void **state)
{
	indynet_engine *e = new_default();
	uint8_t f[64];
	const uint8_t *peek;
	struct indynet_stats st;
	size_t plen, n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));

	(void)state;
	assert_int_equal(indynet_rx_flush(e), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(eng_input_sync(e, f, n), 0);
	assert_int_equal(indynet_rx_flush(e), 3);
	assert_false(indynet_rx_peek(e, &peek, &plen));
	indynet_stats_get(e, &st);
	assert_int_equal(st.drops[INDYNET_DROP_RX_FLUSHED], 3);
	assert_int_equal(st.drops[INDYNET_DROP_RX_RING_FULL], 0);
	assert_string_equal(indynet_drop_reason_name(INDYNET_DROP_RX_FLUSHED), "rx_flushed");
	/* the ring takes frames again */
	assert_int_equal(eng_input_sync(e, f, n), 0);
	assert_true(indynet_rx_peek(e, &peek, &plen));
	indynet_engine_free(e);
}

/* ---- pcapng ---- */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* the epb_flags value of an EPB, 0 if absent */
static uint32_t epb_flags(const uint8_t *b, uint32_t blen)
{
	uint32_t cap = rd32(b + 20);
	uint32_t o = 28 + ((cap + 3) & ~3u);

	while (o + 4 <= blen - 4) {
		uint16_t code = rd16(b + o), len = rd16(b + o + 2);

		if (code == PCAPNG_OPT_ENDOFOPT)
			break;
		if (code == PCAPNG_OPT_EPB_FLAGS && len == 4)
			return rd32(b + o + 4);
		o += 4 + ((len + 3u) & ~3u);
	}
	return 0;
}

static void test_pcapng_capture(void **state)
{
	char path[] = "/tmp/indynet-test-XXXXXX";
	int fd = mkstemp(path);
	struct indynet_config cfg;
	indynet_engine *e;
	uint8_t f[64], r[2048], *buf;
	size_t n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	long size;
	FILE *fp;
	unsigned epbs = 0, out = 0, in = 0;
	int64_t t0 = clock_real_ms();

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	indynet_config_init(&cfg);
	cfg.capture_file = path;
	e = new_engine(&cfg);
	assert_int_equal(indynet_engine_start(e), 0);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_true(t_wait_frame(e, r, sizeof(r), 2000, match_arp_reply, NULL) > 0);
	indynet_engine_free(e);

	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	unlink(path);

	/* SHB then IDB (Ethernet, microseconds) */
	assert_true(size >= 60);
	assert_int_equal(rd32(buf), PCAPNG_BT_SHB);
	assert_int_equal(rd32(buf + 8), PCAPNG_BYTE_ORDER_MAGIC);
	assert_int_equal(rd16(buf + 12), 1);
	assert_int_equal(rd32(buf + 4), rd32(buf + rd32(buf + 4) - 4));
	{
		const uint8_t *idb = buf + rd32(buf + 4);

		assert_int_equal(rd32(idb), PCAPNG_BT_IDB);
		assert_int_equal(rd16(idb + 8), PCAPNG_LINKTYPE_ETHERNET);
		assert_int_equal(rd16(idb + 16), PCAPNG_OPT_IF_TSRESOL);
		assert_int_equal(idb[20], 6);
	}
	/* walk every block: lengths agree, EPBs carry the frames and a direction */
	for (long o = 0; o < size;) {
		const uint8_t *b = buf + o;
		uint32_t blen = rd32(b + 4);

		assert_true(blen >= 12 && blen % 4 == 0 && o + (long)blen <= size);
		assert_int_equal(rd32(b + blen - 4), blen);
		if (rd32(b) == PCAPNG_BT_EPB) {
			uint64_t ts = (uint64_t)rd32(b + 12) << 32 | rd32(b + 16);
			uint32_t flags = epb_flags(b, blen);

			assert_int_equal(rd32(b + 8), 0);
			assert_int_equal(rd32(b + 20), rd32(b + 24));
			assert_true(ts / 1000 >= (uint64_t)t0 - 1000 && ts / 1000 <= (uint64_t)clock_real_ms());
			if (epbs == 0) {
				assert_int_equal(flags, PCAPNG_OUTBOUND);
				assert_int_equal(rd32(b + 20), n);
				assert_memory_equal(b + 28, f, n);
			}
			out += flags == PCAPNG_OUTBOUND;
			in += flags == PCAPNG_INBOUND;
			epbs++;
		}
		o += blen;
	}
	assert_int_equal(out, 1);
	assert_true(in >= 1);
	assert_int_equal(epbs, out + in);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_errors),
		cmocka_unit_test(test_start_stop),
		cmocka_unit_test(test_drop_counters),
		cmocka_unit_test(test_tx_ring_full),
		cmocka_unit_test(test_learn_and_slirp_arp),
		cmocka_unit_test(test_watch_fd_and_notify),
		cmocka_unit_test(test_rx_deliver),
		cmocka_unit_test(test_rx_fd_signals),
		cmocka_unit_test(test_recv_api),
		cmocka_unit_test(test_random_frames_accounted),
		cmocka_unit_test(test_fragment_past_64k_dropped),
		cmocka_unit_test(test_input_sync),
		cmocka_unit_test(test_rx_flush),
		cmocka_unit_test(test_pcapng_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
