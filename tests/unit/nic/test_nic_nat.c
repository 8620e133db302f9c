/* SPDX-License-Identifier: MIT */
/* test_nic_nat.c: the model on a real NAT engine: DHCP, ARP and ICMP echo to the gateway through the drivers. */

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "drv_linux.h"
#include "drv_netbsd.h"
#include "guestmem.h"
#include "netpkt.h"

#define MEM_SIZE (1u << 20)
#define WAIT_MS 3000

static const uint8_t guest_mac[6] = { 0x08, 0x00, 0x69, 0x0e, 0xaf, 0x01 };

struct fx {
	indynet_engine *e;
	struct gmem *m;
	seeq *s;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct indynet_config cfg;
	char err[256] = "";

	indynet_config_init(&cfg);
	assert_int_equal(indynet_engine_new(&cfg, &f->e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(f->e), 0);
	f->m = gmem_new(MEM_SIZE);
	f->s = seeq_new(&gmem_ops, f->m, f->e);
	assert_non_null(f->s);
	seeq_set_mem_limit(f->s, MEM_SIZE);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	seeq_free(f->s);
	indynet_engine_free(f->e);
	gmem_free(f->m);
	free(f);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef bool (*match_fn)(const uint8_t *f, size_t len, void *arg);

/*
 * Service the Linux-style driver until a received frame matches: either
 * pumping the model here, or (@threaded) leaving the DMA to the library's
 * pump thread and only taking the interrupts.
 */
static bool lnx_wait_mode(struct fx *f, struct lnx_drv *d, bool threaded, match_fn match, void *arg)
{
	uint8_t buf[LNX_BUFSZ];
	int64_t end = now_ms() + WAIT_MS;

	while (now_ms() < end) {
		struct pollfd p = { .fd = indynet_rx_fd(f->e), .events = POLLIN };
		struct timespec tick = { 0, 100000 };
		size_t len;

		if (threaded) {
			if (gmem_irq(f->m))
				lnx_interrupt(d);
		} else {
			indynet_rx_fd_clear(f->e);
			lnx_service(d);
		}
		while ((len = lnx_take(d, buf, sizeof(buf))) != 0)
			if (match(buf, len, arg))
				return true;
		if (threaded)
			nanosleep(&tick, NULL);
		else
			(void)poll(&p, 1, 20);
	}
	return false;
}

static bool lnx_wait(struct fx *f, struct lnx_drv *d, match_fn match, void *arg)
{
	return lnx_wait_mode(f, d, false, match, arg);
}

struct dhcp_arg {
	uint32_t xid;
	struct np_dhcp r;
};

static bool match_dhcp(const uint8_t *fr, size_t len, void *arg)
{
	struct dhcp_arg *a = arg;

	return np_dhcp_parse(fr, len, a->xid, &a->r);
}

struct arp_arg {
	uint32_t ip;
	uint8_t mac[6];
};

static bool match_arp(const uint8_t *fr, size_t len, void *arg)
{
	struct arp_arg *a = arg;

	return np_arp_reply(fr, len, a->ip, a->mac);
}

struct icmp_arg {
	uint32_t ip;
	uint16_t id, seq;
};

static bool match_icmp(const uint8_t *fr, size_t len, void *arg)
{
	struct icmp_arg *a = arg;

	return np_icmp_reply(fr, len, a->ip, a->id, a->seq, 56);
}

struct icmp_len_arg {
	struct icmp_arg ia;
	size_t payload;
};

static bool match_icmp_any(const uint8_t *fr, size_t len, void *arg)
{
	struct icmp_len_arg *a = arg;

	return np_icmp_reply(fr, len, a->ia.ip, a->ia.id, a->ia.seq, a->payload);
}

static void test_linux_driver_dhcp_and_ping(void **state)
{
	struct fx *f = *state;
	struct lnx_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[600];
	struct dhcp_arg da = { .xid = 0x5eed0001 };
	size_t n;

	lnx_open(d, f->s, f->m, 0x10000, guest_mac, SEEQ_RXC_MATCH_BCAST);

	n = np_dhcp_build(frame, guest_mac, NP_DHCP_DISCOVER, da.xid, 0, 0);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait(f, d, match_dhcp, &da));
	assert_int_equal(da.r.type, NP_DHCP_OFFER);
	assert_int_equal(da.r.yiaddr, 0xC0A80002u); /* 192.168.0.2 */
	uint32_t ip = da.r.yiaddr, server = da.r.server, gw = da.r.router;
	assert_int_equal(gw, 0xC0A80001u);

	da.xid++;
	n = np_dhcp_build(frame, guest_mac, NP_DHCP_REQUEST, da.xid, ip, server);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait(f, d, match_dhcp, &da));
	assert_int_equal(da.r.type, NP_DHCP_ACK);
	assert_int_equal(da.r.yiaddr, ip);

	struct arp_arg aa = { .ip = gw };
	n = np_arp_request(frame, guest_mac, ip, gw);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait(f, d, match_arp, &aa));

	for (uint16_t seq = 1; seq <= 3; seq++) {
		struct icmp_arg ia = { .ip = gw, .id = 0x4242, .seq = seq };
		n = np_icmp_echo(frame, guest_mac, aa.mac, ip, gw, ia.id, seq, 56);
		assert_true(lnx_xmit(d, frame, n));
		assert_true(lnx_wait(f, d, match_icmp, &ia));
	}
	assert_int_equal(d->rx_errors, 0);
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_frames, 6);
	assert_true(c.rx_delivered >= 6);
	assert_int_equal(c.dma_errors, 0);
	free(d);
}

/* 300 pings of growing size through the pump thread: no lost wake-up, nothing dropped. */
static void test_linux_driver_thread_ping_run(void **state)
{
	struct fx *f = *state;
	struct lnx_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[1600];
	const uint32_t ip = 0xC0A80002u, gw = 0xC0A80001u;
	struct arp_arg aa = { .ip = gw };
	size_t n;

	lnx_open(d, f->s, f->m, 0x10000, guest_mac, SEEQ_RXC_MATCH_BCAST);
	assert_int_equal(seeq_start_thread(f->s), 0);
	n = np_arp_request(frame, guest_mac, ip, gw);
	assert_true(lnx_xmit(d, frame, n));
	assert_true(lnx_wait_mode(f, d, true, match_arp, &aa));
	for (uint16_t seq = 1; seq <= 300; seq++) {
		struct icmp_arg ia = { .ip = gw, .id = 0x7777, .seq = seq };
		size_t payload = 56 + (seq * 5u) % 1400u;

		n = np_icmp_echo(frame, guest_mac, aa.mac, ip, gw, ia.id, seq, payload);
		assert_true(lnx_xmit(d, frame, n));
		ia.seq = seq;
		assert_true(lnx_wait_mode(f, d, true, match_icmp_any, &(struct icmp_len_arg){ ia, payload }));
	}
	seeq_stop_thread(f->s);
	struct seeq_counters c;
	seeq_counters(f->s, &c);
	assert_int_equal(c.tx_frames, 301);
	assert_int_equal(c.rx_truncated, 0);
	assert_int_equal(c.dma_errors, 0);
	assert_int_equal(d->rx_errors, 0);
	free(d);
}

/* NetBSD-style driver with the library's pump thread doing the DMA. */
static void test_netbsd_driver_thread_dhcp(void **state)
{
	struct fx *f = *state;
	struct nbsd_drv *d = calloc(1, sizeof(*d));
	uint8_t frame[600], buf[NBSD_BUFSZ];
	struct dhcp_arg da = { .xid = 0x5eed0100 };
	bool got = false;
	size_t n;

	nbsd_attach(d, f->s, f->m, 0x40000, guest_mac, false);
	assert_true(d->is_80c03);
	assert_int_equal(seeq_start_thread(f->s), 0);
	n = np_dhcp_build(frame, guest_mac, NP_DHCP_DISCOVER, da.xid, 0, 0);
	assert_true(nbsd_start(d, frame, n));
	for (int64_t end = now_ms() + WAIT_MS; !got && now_ms() < end;) {
		if (seeq_irq_level(f->s))
			nbsd_intr(d);
		while (!got && (n = nbsd_take(d, buf, sizeof(buf))) != 0)
			got = match_dhcp(buf, n, &da);
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	seeq_stop_thread(f->s);
	assert_true(got);
	assert_int_equal(da.r.type, NP_DHCP_OFFER);
	assert_int_equal(d->opackets, 1);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_driver_dhcp_and_ping, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_linux_driver_thread_ping_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_netbsd_driver_thread_dhcp, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name("nic-nat", tests, NULL, NULL);
}
