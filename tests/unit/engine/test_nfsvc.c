/* SPDX-License-Identifier: MIT */
/* test_nfsvc.c: the NFS service's worker: calls queued off the frame path, bounded queue, in-progress retransmissions. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine/nfsvc.h"
#include "engine/vhost.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };

struct fx {
	char dir[64];
	struct vhost_table *vt;
	struct nfsvc *svc;
	unsigned answers;
	uint32_t last_xid;
};

static void to_guest(void *opaque, const uint8_t *f, size_t len)
{
	struct fx *x = opaque;
	struct eth_view eth;
	struct ipv4_view ip;
	struct udp_view u;
	uint32_t xid;

	assert_int_equal(eth_parse(f, len, &eth), 0);
	assert_memory_equal(eth.dst, guest_mac, 6);
	assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_true(u.payload_len >= 4);
	memcpy(&xid, u.payload, 4);
	x->last_xid = ntohl(xid);
	x->answers++;
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct indynet_config cfg;
	char err[256] = "";

	snprintf(x->dir, sizeof(x->dir), "/tmp/indynet-nfsvc-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	indynet_config_init(&cfg);
	cfg.export_dir = x->dir;
	x->vt = vhost_new(1500, to_guest, NULL, x);
	assert_non_null(x->vt);
	assert_int_equal(vhost_add_host(x->vt, t_ip(192, 168, 0, 1), gw_mac, false), 0);
	assert_int_equal(nfsvc_attach(x->vt, t_ip(192, 168, 0, 1), &cfg, &x->svc, err, sizeof(err)), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	char cmd[128];

	nfsvc_free(x->svc);
	vhost_free(x->vt);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
	assert_int_equal(system(cmd), 0);
	free(x);
	return 0;
}

/* One RPC call (AUTH_NULL) from the guest's port 800 to @port; @args words follow the header. */
static void send_call(struct fx *x, uint16_t port, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
		      const uint32_t *args, size_t nargs)
{
	uint32_t w[64] = { htonl(xid), 0, htonl(2), htonl(prog), htonl(vers), htonl(proc), 0, 0, 0, 0 };
	uint8_t f[1024];
	size_t n;

	for (size_t i = 0; i < nargs; i++)
		w[10 + i] = htonl(args[i]);
	n = t_udp_frame(f, gw_mac, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 800, port, w,
			4 * (10 + nargs), (uint16_t)xid);
	assert_true(vhost_input(x->vt, f, n, 0));
}

/* Wait until the worker has posted answers (the eventfd is readable). */
static void wait_answers(struct fx *x)
{
	struct pollfd p = { .fd = nfsvc_fd(x->svc), .events = POLLIN };

	assert_int_equal(poll(&p, 1, 5000), 1);
}

static void test_inline_before_start(void **state)
{
	struct fx *x = *state;

	send_call(x, 2049, 41, 100003, 3, 0, NULL, 0);
	assert_int_equal(x->answers, 1);  /* no worker: answered inside vhost_input() */
	assert_int_equal(x->last_xid, 41);
}

static void test_worker_answers_later(void **state)
{
	struct fx *x = *state;
	struct indynet_nfs_stats st;

	assert_int_equal(nfsvc_start(x->svc), 0);
	send_call(x, 2049, 42, 100003, 3, 0, NULL, 0);
	assert_int_equal(x->answers, 0);  /* queued, not run on the frame path */
	wait_answers(x);
	nfsvc_deliver(x->svc);
	assert_int_equal(x->answers, 1);
	assert_int_equal(x->last_xid, 42);
	nfsvc_stats(x->svc, &st);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.queue_drops, 0);
	nfsvc_stop(x->svc);
}

/* Answers hold their slot until delivered: the 129th call in flight is dropped and counted. */
static void test_queue_bound(void **state)
{
	struct fx *x = *state;
	struct indynet_nfs_stats st;
	unsigned i;

	assert_int_equal(nfsvc_start(x->svc), 0);
	for (i = 0; i < 200; i++)
		send_call(x, 2049, 1000 + i, 100003, 3, 0, NULL, 0);
	nfsvc_stats(x->svc, &st);
	assert_int_equal(st.queue_drops, 200 - st.queue_max);
	for (i = 0; i < 500 && st.calls < st.queue_max; i++) {
		usleep(10000);
		nfsvc_stats(x->svc, &st);
	}
	assert_int_equal(st.calls, st.queue_max);
	nfsvc_deliver(x->svc);
	assert_int_equal(x->answers, st.queue_max);
	/* room again */
	send_call(x, 2049, 5000, 100003, 3, 0, NULL, 0);
	wait_answers(x);
	nfsvc_deliver(x->svc);
	assert_int_equal(x->last_xid, 5000);
	nfsvc_stop(x->svc);
}

/* A REMOVE sent twice with one xid: the copy never runs a second time. */
static void test_retransmission_while_queued(void **state)
{
	struct fx *x = *state;
	struct indynet_nfs_stats st;
	uint32_t args[11] = { 0 };  /* a handle of zeros (BADHANDLE: answered STALE), name "victim" */
	int i;

	args[8] = 6;
	args[9] = 0x76696374;
	args[10] = 0x696d0000;
	assert_int_equal(nfsvc_start(x->svc), 0);
	send_call(x, 2049, 78, 100003, 2, 10, args, 11);
	send_call(x, 2049, 78, 100003, 2, 10, args, 11);
	nfsvc_stats(x->svc, &st);
	for (i = 0; i < 500 && st.calls < 1; i++) {
		usleep(10000);
		nfsvc_stats(x->svc, &st);
	}
	usleep(50000);
	nfsvc_stats(x->svc, &st);
	assert_int_equal(st.calls, 1);
	/* dropped while the original was queued or running, or answered from the cache */
	assert_int_equal(st.drc_inprogress_drops + st.drc_replays, 1);
	wait_answers(x);
	nfsvc_deliver(x->svc);
	send_call(x, 2049, 78, 100003, 2, 10, args, 11);  /* finished: replayed on the frame path */
	nfsvc_stats(x->svc, &st);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.drc_inprogress_drops + st.drc_replays, 2);
	assert_int_equal(x->last_xid, 78);
	nfsvc_stop(x->svc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inline_before_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_answers_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retransmission_while_queued, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
