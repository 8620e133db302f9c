/* SPDX-License-Identifier: MIT */
/* test_phantom.c: the bridge-mode phantom NFS host through the engine's synchronous path, on a fake LAN backend. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "core/arp.h"
#include "core/checksum.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/frag.h"
#include "core/icmp.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine/engine_sync.h"
#include "engine/phantom.h"
#include "engine_test.h"

#define MAXF 64

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t ph_mac[6] = PHANTOM_MAC_INIT;
static const uint8_t lan_mac[6] = { 0x02, 0x42, 0x0a, 0x00, 0x00, 0x07 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- a fake bridge backend: a LAN that the test controls ---- */

struct frames {
	uint8_t *f[MAXF];
	size_t len[MAXF];
	unsigned n;
};

struct fake {
	struct backend b;
	struct backend_host host;
	bool lan_up;
	struct backend_lan lan;
	struct frames input;  /* guest frames bridged */
	struct frames inject; /* the engine's own frames on the wire */
};

static struct fake *fk; /* the one the factory built last */

static void frames_add(struct frames *c, const uint8_t *f, size_t len)
{
	assert_true(c->n < MAXF);
	c->f[c->n] = malloc(len);
	memcpy(c->f[c->n], f, len);
	c->len[c->n++] = len;
}

static void frames_clear(struct frames *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->f[i]);
	c->n = 0;
}

static void fake_free(struct backend *b)
{
	struct fake *f = (struct fake *)b;

	frames_clear(&f->input);
	frames_clear(&f->inject);
	free(f);
}

static void fake_input(struct backend *b, const uint8_t *frame, size_t len)
{
	frames_add(&((struct fake *)b)->input, frame, len);
}

static void fake_inject(struct backend *b, const uint8_t *frame, size_t len)
{
	frames_add(&((struct fake *)b)->inject, frame, len);
}

static void fake_poll_fill(struct backend *b, struct poll_set *ps, int *timeout_ms)
{
	(void)b;
	(void)ps;
	(void)timeout_ms;
}

static void fake_poll_done(struct backend *b, const struct poll_set *ps, bool poll_error)
{
	(void)b;
	(void)ps;
	(void)poll_error;
}

static int fake_lan(struct backend *b, struct backend_lan *out)
{
	struct fake *f = (struct fake *)b;

	if (!f->lan_up)
		return -ENOENT;
	*out = f->lan;
	return 0;
}

static const struct backend_ops fake_ops = {
	.name = "fake-lan",
	.free = fake_free,
	.input = fake_input,
	.poll_fill = fake_poll_fill,
	.poll_done = fake_poll_done,
	.lan = fake_lan,
	.inject = fake_inject,
};

static int fake_new(const struct backend_params *p, const struct backend_host *host, struct backend **out,
		    char *err, size_t errlen)
{
	(void)p;
	(void)err;
	(void)errlen;
	fk = calloc(1, sizeof(*fk));
	fk->b.ops = &fake_ops;
	fk->host = *host;
	snprintf(fk->lan.ifname, sizeof(fk->lan.ifname), "lan0");
	fk->lan.host_ip = t_ip(10, 0, 0, 1);
	fk->lan.net = t_ip(10, 0, 0, 0);
	fk->lan.prefix = 24;
	fk->lan_up = true;
	*out = &fk->b;
	return 0;
}

/* a frame from the LAN towards the guest, as the capture hands it over */
static void lan_sends(const uint8_t *f, size_t len)
{
	fk->host.to_guest(fk->host.opaque, f, len);
}

/* ---- fixture ---- */

struct fx {
	indynet_engine *e;
	char dir[32];
	uint64_t now;
};

static int setup_ip(void **state, const char *ip)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct indynet_config cfg;
	char err[256] = "";

	strcpy(x->dir, "/tmp/indynet-ph-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	indynet_config_init(&cfg);
	cfg.mode = INDYNET_MODE_BRIDGE;
	cfg.export_dir = x->dir;
	cfg.nfs_bridge_ip = ip;
	assert_int_equal(eng_new_with_backend(&cfg, fake_new, &x->e, err, sizeof(err)), 0);
	x->now = clock_mono_ms();
	*state = x;
	return 0;
}

static int setup(void **state)
{
	return setup_ip(state, "10.0.0.213");
}

static int setup_noip(void **state)
{
	return setup_ip(state, NULL);
}

static int teardown(void **state)
{
	struct fx *x = *state;

	indynet_engine_free(x->e);
	rmdir(x->dir);
	free(x);
	return 0;
}

/* advance the fake clock by @ms in 100 ms steps, running the engine's timers */
static void run_for(struct fx *x, uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += 100) {
		x->now += 100;
		eng_tick_sync(x->e, x->now);
	}
}

static enum indynet_phantom_state ph_state(struct fx *x, struct indynet_phantom_status *st)
{
	indynet_phantom_get(x->e, st);
	return st->state;
}

static void drain_guest(struct fx *x)
{
	uint8_t buf[2048];

	while (indynet_guest_recv(x->e, buf, sizeof(buf)) > 0)
		;
}

/* the guest's ARP request for @ip; true when the phantom answered it with its MAC */
static bool guest_arp_answered(struct fx *x, uint32_t ip)
{
	uint8_t f[64], r[2048];
	ssize_t n;
	struct eth_view eth;
	struct arp_view a;

	drain_guest(x);
	assert_int_equal(eng_input_sync(x->e, f, t_arp_request(f, guest_mac, t_ip(10, 0, 0, 50), ip)), 0);
	n = indynet_guest_recv(x->e, r, sizeof(r));
	if (n <= 0)
		return false;
	assert_int_equal(eth_parse(r, (size_t)n, &eth), 0);
	assert_int_equal(arp_parse(eth.payload, eth.payload_len, &a), 0);
	assert_int_equal(a.op, ARP_OP_REPLY);
	assert_int_equal(a.spa, ip);
	assert_memory_equal(a.sha, ph_mac, 6);
	assert_memory_equal(eth.dst, guest_mac, 6);
	return true;
}

/* count ARP probes for @ip among @c's frames */
static unsigned probes_for(const struct frames *c, uint32_t ip)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->n; i++) {
		struct eth_view eth;
		struct arp_view a;

		if (eth_parse(c->f[i], c->len[i], &eth) || eth.ethertype != ETHERTYPE_ARP ||
		    arp_parse(eth.payload, eth.payload_len, &a))
			continue;
		n += a.op == ARP_OP_REQUEST && a.spa == 0 && a.tpa == ip && !memcmp(a.sha, ph_mac, 6) &&
		     eth_is_broadcast(eth.dst);
	}
	return n;
}

/* an ARP packet on the LAN from lan_mac */
static size_t lan_arp(uint8_t *f, const uint8_t *dst, uint16_t op, uint32_t spa, uint32_t tpa)
{
	static const uint8_t zero[6];

	return arp_build(f, ETH_ZLEN, dst, op, lan_mac, spa, zero, tpa);
}

/* ---- tests ---- */

static void test_claim_probes_then_serves(void **state)
{
	struct fx *x = *state;
	struct indynet_phantom_status st;

	/* before the capture's LAN is known: waiting; the guest's ARP for it goes to the wire */
	fk->lan_up = false;
	eng_tick_sync(x->e, x->now);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_WAITING);
	assert_int_equal(st.ip, t_ip(10, 0, 0, 213));
	assert_memory_equal(st.mac, ph_mac, 6);
	assert_false(guest_arp_answered(x, t_ip(10, 0, 0, 213)));
	assert_int_equal(fk->input.n, 1);
	fk->lan_up = true;
	eng_tick_sync(x->e, x->now);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_PROBING);
	run_for(x, 2500);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_PROBING);
	assert_false(guest_arp_answered(x, t_ip(10, 0, 0, 213))); /* not before the claim */
	run_for(x, 5000);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_ACTIVE);
	assert_string_equal(st.error, "");
	/* three probes on the wire, and the same three to the guest (it is on the segment too) */
	assert_int_equal(probes_for(&fk->inject, t_ip(10, 0, 0, 213)), 3);
	assert_int_equal(fk->inject.n, 3);
	assert_true(guest_arp_answered(x, t_ip(10, 0, 0, 213)));
}

static void test_guest_saw_the_probes(void **state)
{
	struct fx *x = *state;
	uint8_t r[2048];
	struct frames got = { 0 };
	ssize_t n;

	eng_tick_sync(x->e, x->now);
	run_for(x, 8000);
	while ((n = indynet_guest_recv(x->e, r, sizeof(r))) > 0)
		frames_add(&got, r, (size_t)n);
	assert_int_equal(probes_for(&got, t_ip(10, 0, 0, 213)), 3);
	frames_clear(&got);
}

/* an RPC call (portmap GETPORT NFS v3 UDP) to the phantom: answered towards the guest, nothing on the wire */
static void test_portmap_ping_and_bridging(void **state)
{
	struct fx *x = *state;
	const uint32_t call[] = { 0x50484e31, 0, 2, 100000, 2, 3, 0, 0, 0, 0, 100003, 3, 17, 0 };
	uint32_t wire[sizeof(call) / 4];
	uint8_t f[2048], r[2048];
	struct eth_view eth;
	struct ipv4_view ip;
	struct udp_view u;
	struct icmp_view ic;
	uint32_t port;
	uint16_t sum;
	ssize_t n;

	eng_tick_sync(x->e, x->now);
	run_for(x, 8000);
	drain_guest(x);
	fk->input.n = 0;
	for (size_t i = 0; i < sizeof(call) / 4; i++)
		wire[i] = htonl(call[i]);
	n = (ssize_t)t_udp_frame(f, ph_mac, guest_mac, t_ip(10, 0, 0, 50), t_ip(10, 0, 0, 213), 800, 111, wire,
				 sizeof(wire), 3);
	assert_int_equal(eng_input_sync(x->e, f, (size_t)n), 0);
	n = indynet_guest_recv(x->e, r, sizeof(r));
	assert_true(n > 0);
	assert_int_equal(eth_parse(r, (size_t)n, &eth), 0);
	assert_memory_equal(eth.src, ph_mac, 6);
	assert_memory_equal(eth.dst, guest_mac, 6);
	assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
	assert_int_equal(ip.src, t_ip(10, 0, 0, 213));
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.sport, 111);
	memcpy(&port, u.payload + 24, 4);
	assert_int_equal(ntohl(port), 2049);
	/* ping */
	eth_build(f, ph_mac, guest_mac, ETHERTYPE_IPV4);
	memset(f + ETH_HLEN + IPV4_HLEN, 0, ICMP_HLEN + 32);
	f[ETH_HLEN + IPV4_HLEN] = ICMP_ECHO_REQUEST;
	f[ETH_HLEN + IPV4_HLEN + 7] = 5;
	sum = csum_fold(csum_add(0, f + ETH_HLEN + IPV4_HLEN, ICMP_HLEN + 32));
	memcpy(f + ETH_HLEN + IPV4_HLEN + 2, &sum, 2);
	ipv4_build(f + ETH_HLEN, t_ip(10, 0, 0, 50), t_ip(10, 0, 0, 213), IPPROTO_ICMP, 9, ICMP_HLEN + 32);
	assert_int_equal(eng_input_sync(x->e, f, ETH_HLEN + IPV4_HLEN + ICMP_HLEN + 32), 0);
	n = indynet_guest_recv(x->e, r, sizeof(r));
	assert_true(n > 0);
	assert_int_equal(eth_parse(r, (size_t)n, &eth), 0);
	assert_int_equal(ipv4_parse(eth.payload, eth.payload_len, &ip), 0);
	assert_int_equal(icmp_parse(ip.payload, ip.payload_len, true, &ic), 0);
	assert_int_equal(ic.type, ICMP_ECHO_REPLY);
	assert_int_equal(ic.seq, 5);
	/* none of that reached the wire; a port nobody serves there is bridged */
	assert_int_equal(fk->input.n, 0);
	n = (ssize_t)t_udp_frame(f, ph_mac, guest_mac, t_ip(10, 0, 0, 50), t_ip(10, 0, 0, 213), 800, 9999, "x", 1, 4);
	assert_int_equal(eng_input_sync(x->e, f, (size_t)n), 0);
	assert_int_equal(fk->input.n, 1);
}

static void collect_piece(void *opaque, const uint8_t *pkt, size_t len)
{
	struct frames *c = opaque;
	uint8_t f[2048];

	eth_build(f, ph_mac, guest_mac, ETHERTYPE_IPV4);
	memcpy(f + ETH_HLEN, pkt, len);
	frames_add(c, f, ETH_HLEN + len);
}

/* fragments for the phantom are held (an incomplete one never bridged); others pass as they are */
static void test_fragments(void **state)
{
	struct fx *x = *state;
	static uint8_t data[3000], f[ETH_HLEN + 4000];
	struct frames pieces = { 0 };
	size_t n;

	eng_tick_sync(x->e, x->now);
	run_for(x, 8000);
	fk->input.n = 0;
	n = t_udp_frame(f, ph_mac, guest_mac, t_ip(10, 0, 0, 50), t_ip(10, 0, 0, 213), 800, 2049, data,
			sizeof(data), 77);
	assert_int_equal(frag_ipv4(f + ETH_HLEN, n - ETH_HLEN, 1500, collect_piece, &pieces), 3);
	assert_int_equal(eng_input_sync(x->e, pieces.f[0], pieces.len[0]), 0);
	assert_int_equal(eng_input_sync(x->e, pieces.f[1], pieces.len[1]), 0);
	run_for(x, 7000); /* the datagram ages out */
	assert_int_equal(fk->input.n, 0);
	frames_clear(&pieces);
	n = t_udp_frame(f, lan_mac, guest_mac, t_ip(10, 0, 0, 50), t_ip(10, 0, 0, 9), 800, 2049, data, sizeof(data),
			78);
	assert_int_equal(frag_ipv4(f + ETH_HLEN, n - ETH_HLEN, 1500, collect_piece, &pieces), 3);
	for (unsigned i = 0; i < pieces.n; i++)
		assert_int_equal(eng_input_sync(x->e, pieces.f[i], pieces.len[i]), 0);
	assert_int_equal(fk->input.n, 3); /* bridged one by one, untouched */
	for (unsigned i = 0; i < 3; i++)
		assert_memory_equal(fk->input.f[i], pieces.f[i], pieces.len[i]);
	frames_clear(&pieces);
}

static void test_taken_refused_with_mac(void **state)
{
	struct fx *x = *state;
	struct indynet_phantom_status st;
	uint8_t f[ETH_ZLEN], r[2048];
	ssize_t n;

	eng_tick_sync(x->e, x->now);
	run_for(x, 1100); /* the first probe is out */
	assert_int_equal(probes_for(&fk->inject, t_ip(10, 0, 0, 213)), 1);
	drain_guest(x);
	/* the owner answers, unicast to the phantom's MAC as Linux does: the guest never sees it */
	lan_sends(f, lan_arp(f, ph_mac, ARP_OP_REPLY, t_ip(10, 0, 0, 213), 0));
	n = indynet_guest_recv(x->e, r, sizeof(r));
	assert_int_equal(n, -EAGAIN);
	run_for(x, 8000);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_REFUSED);
	assert_true(st.conflict);
	assert_memory_equal(st.conflict_mac, lan_mac, 6);
	assert_non_null(strstr(st.error, "10.0.0.213 is in use on lan0 by 02:42:0a:00:00:07"));
	assert_false(guest_arp_answered(x, t_ip(10, 0, 0, 213)));
}

static void test_bad_addresses(void **state)
{
	struct fx *x = *state;
	char err[256];

	eng_tick_sync(x->e, x->now);
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.1.5", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "10.0.1.5 is not a host address on lan0's subnet 10.0.0.0/24");
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.0.255", err, sizeof(err)), -EINVAL);
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.0.1", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "10.0.0.1 is lan0's own address");
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.0", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'10.0.0' is not an IPv4 address (A.B.C.D)");
	/* the guest's own address, once learned */
	assert_true(!guest_arp_answered(x, t_ip(10, 0, 0, 7)));
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.0.50", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "10.0.0.50 is the guest's own address");
}

static void test_live_change(void **state)
{
	struct fx *x = *state;
	struct indynet_phantom_status st;
	char err[256];
	uint8_t f[ETH_ZLEN];

	eng_tick_sync(x->e, x->now);
	run_for(x, 8000);
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.0.214", err, sizeof(err)), 0);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_ACTIVE);
	assert_int_equal(st.probing_ip, t_ip(10, 0, 0, 214));
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.0.215", err, sizeof(err)), -EBUSY);
	assert_true(guest_arp_answered(x, t_ip(10, 0, 0, 213))); /* the old one serves meanwhile */
	run_for(x, 8000);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_ACTIVE);
	assert_int_equal(st.ip, t_ip(10, 0, 0, 214));
	assert_int_equal(st.probing_ip, 0);
	assert_true(guest_arp_answered(x, t_ip(10, 0, 0, 214)));
	assert_false(guest_arp_answered(x, t_ip(10, 0, 0, 213)));
	/* a change to a taken address keeps the old one */
	assert_int_equal(indynet_set_nfs_bridge_ip(x->e, "10.0.0.215", err, sizeof(err)), 0);
	run_for(x, 1100);
	lan_sends(f, lan_arp(f, bcast, ARP_OP_REQUEST, t_ip(10, 0, 0, 215), t_ip(10, 0, 0, 1)));
	run_for(x, 8000);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_ACTIVE);
	assert_int_equal(st.ip, t_ip(10, 0, 0, 214));
	assert_non_null(strstr(st.error, "10.0.0.215 is in use on lan0 by 02:42:0a:00:00:07"));
	assert_true(guest_arp_answered(x, t_ip(10, 0, 0, 214)));
	assert_false(guest_arp_answered(x, t_ip(10, 0, 0, 215)));
}

static void test_defends_and_notices(void **state)
{
	struct fx *x = *state;
	struct indynet_phantom_status st;
	uint8_t f[ETH_ZLEN];
	struct eth_view eth;
	struct arp_view a;

	eng_tick_sync(x->e, x->now);
	run_for(x, 8000);
	frames_clear(&fk->inject);
	/* another host probes for our address: it gets an answer, unicast */
	lan_sends(f, lan_arp(f, bcast, ARP_OP_REQUEST, 0, t_ip(10, 0, 0, 213)));
	assert_int_equal(fk->inject.n, 1);
	assert_int_equal(eth_parse(fk->inject.f[0], fk->inject.len[0], &eth), 0);
	assert_memory_equal(eth.dst, lan_mac, 6);
	assert_memory_equal(eth.src, ph_mac, 6);
	assert_int_equal(arp_parse(eth.payload, eth.payload_len, &a), 0);
	assert_int_equal(a.op, ARP_OP_REPLY);
	assert_int_equal(a.spa, t_ip(10, 0, 0, 213));
	/* an ordinary request for it is not answered on the wire; a host using it is noticed */
	lan_sends(f, lan_arp(f, bcast, ARP_OP_REQUEST, t_ip(10, 0, 0, 9), t_ip(10, 0, 0, 213)));
	assert_int_equal(fk->inject.n, 1);
	indynet_phantom_get(x->e, &st);
	assert_false(st.conflict);
	lan_sends(f, lan_arp(f, bcast, ARP_OP_REQUEST, t_ip(10, 0, 0, 213), t_ip(10, 0, 0, 1)));
	indynet_phantom_get(x->e, &st);
	assert_true(st.conflict);
	assert_int_equal(st.state, INDYNET_PHANTOM_ACTIVE);
}

static void test_interface_switch(void **state)
{
	struct fx *x = *state;
	struct indynet_phantom_status st;

	eng_tick_sync(x->e, x->now);
	run_for(x, 8000);
	/* the same subnet on another interface: probed again, serving meanwhile */
	snprintf(fk->lan.ifname, sizeof(fk->lan.ifname), "lan1");
	eng_tick_sync(x->e, x->now);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_ACTIVE);
	assert_int_equal(st.probing_ip, t_ip(10, 0, 0, 213));
	run_for(x, 8000);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_ACTIVE);
	assert_int_equal(st.probing_ip, 0);
	/* another subnet: refused, and it stops answering */
	fk->lan.net = t_ip(10, 1, 0, 0);
	fk->lan.host_ip = t_ip(10, 1, 0, 1);
	eng_tick_sync(x->e, x->now);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_REFUSED);
	assert_string_equal(st.error, "10.0.0.213 is not a host address on lan1's subnet 10.1.0.0/24");
	assert_false(guest_arp_answered(x, t_ip(10, 0, 0, 213)));
}

static void test_off_without_address(void **state)
{
	struct fx *x = *state;
	struct indynet_phantom_status st;
	char out[16], err[256];

	eng_tick_sync(x->e, x->now);
	run_for(x, 8000);
	assert_int_equal(ph_state(x, &st), INDYNET_PHANTOM_OFF);
	assert_int_equal(fk->inject.n, 0);
	assert_int_equal(indynet_suggest_nfs_ip(x->e, out, sizeof(out), err, sizeof(err)), -EAGAIN);
	assert_string_equal(indynet_phantom_state_name(INDYNET_PHANTOM_REFUSED), "refused");
}

static void test_nat_mode_and_config_errors(void **state)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;
	char err[256], dir[] = "/tmp/indynet-ph-XXXXXX";
	struct indynet_phantom_status st;

	(void)state;
	indynet_config_init(&cfg);
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_set_nfs_bridge_ip(e, "192.168.0.213", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bridge mode only"));
	indynet_phantom_get(e, &st);
	assert_int_equal(st.state, INDYNET_PHANTOM_OFF);
	indynet_engine_free(e);
	cfg.mode = INDYNET_MODE_BRIDGE;
	cfg.nfs_bridge_ip = "10.0.0.300";
	assert_int_equal(eng_new_with_backend(&cfg, fake_new, &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "NFS bridge address '10.0.0.300' is not an IPv4 address (A.B.C.D)");
	cfg.nfs_bridge_ip = "10.0.0.213";
	assert_int_equal(eng_new_with_backend(&cfg, fake_new, &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "an NFS bridge address needs an export directory to serve");
	cfg.nfs_bridge_ip = NULL;
	assert_int_equal(eng_new_with_backend(&cfg, fake_new, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_set_nfs_bridge_ip(e, "10.0.0.213", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no export to serve: the phantom NFS host needs an export directory");
	indynet_engine_free(e);
	assert_non_null(mkdtemp(dir));
	rmdir(dir);
	cfg.export_dir = dir; /* gone */
	assert_int_equal(eng_new_with_backend(&cfg, fake_new, &e, err, sizeof(err)), -EINVAL);
}

/* ---- the phantom module alone: suggestions ---- */

static struct frames sugg_lan, sugg_guest;

static void sugg_to_lan(void *opaque, const uint8_t *f, size_t len)
{
	(void)opaque;
	frames_add(&sugg_lan, f, len);
}

static void sugg_to_guest(void *opaque, const uint8_t *f, size_t len)
{
	(void)opaque;
	frames_add(&sugg_guest, f, len);
}

/* run @ph's probe to its end on a fake clock from @now; returns the job's rc and address */
static int sugg_finish(struct phantom *ph, uint64_t now, uint32_t *ip, char *err, size_t errlen)
{
	int rc = 0;

	for (int i = 0; i < 100 && !phantom_job(ph, &rc, ip, err, errlen); i++)
		phantom_tick(ph, now += 100);
	return rc;
}

static void test_suggest_skips_answered(void **state)
{
	struct vhost_table *vt = vhost_new(1500, sugg_to_guest, sugg_to_lan, NULL);
	const struct phantom_io io = { .to_lan = sugg_to_lan, .to_guest = sugg_to_guest };
	struct phantom *ph = phantom_new(vt, NULL, &io);
	struct phantom_lan lan = { .ifname = "lan0", .host_ip = t_ip(10, 0, 0, 213), .net = t_ip(10, 0, 0, 0),
				   .prefix = 24 };
	uint8_t f[ETH_ZLEN];
	char err[256] = "";
	uint32_t ip = 0;

	(void)state;
	assert_memory_equal(phantom_mac(ph), ph_mac, 6);
	assert_int_equal(phantom_suggest(ph, 0, 1000, err, sizeof(err)), -ENETDOWN);
	phantom_set_lan(ph, &lan, t_ip(10, 0, 0, 214), 1000);
	assert_int_equal(phantom_suggest(ph, t_ip(10, 0, 0, 214), 1000, err, sizeof(err)), 0);
	assert_int_equal(phantom_suggest(ph, 0, 1000, err, sizeof(err)), -EBUSY);
	phantom_tick(ph, 2000);
	/* all 16 candidates probed at once, never the host's (.213) or the guest's (.214) */
	assert_int_equal(sugg_lan.n, 16);
	assert_int_equal(probes_for(&sugg_lan, t_ip(10, 0, 0, 213)), 0);
	assert_int_equal(probes_for(&sugg_lan, t_ip(10, 0, 0, 214)), 0);
	assert_int_equal(probes_for(&sugg_lan, t_ip(10, 0, 0, 215)), 1);
	assert_int_equal(probes_for(&sugg_guest, t_ip(10, 0, 0, 215)), 1);
	/* a LAN host answers for .215 */
	assert_false(phantom_from_lan(ph, f, lan_arp(f, bcast, ARP_OP_REPLY, t_ip(10, 0, 0, 215), 0)));
	assert_int_equal(sugg_finish(ph, 2000, &ip, err, sizeof(err)), 0);
	assert_int_equal(ip, t_ip(10, 0, 0, 216));
	/* a /31 has no candidates */
	lan.prefix = 31;
	phantom_set_lan(ph, &lan, 0, 9000);
	assert_int_equal(phantom_suggest(ph, 0, 9000, err, sizeof(err)), -EADDRNOTAVAIL);
	assert_string_equal(err, "10.0.0.0/31 (lan0) has no candidate addresses");
	/* a /30 with its one candidate answered */
	lan.prefix = 30;
	lan.host_ip = t_ip(10, 0, 0, 1);
	phantom_set_lan(ph, &lan, 0, 9000);
	assert_int_equal(phantom_suggest(ph, 0, 9000, err, sizeof(err)), 0);
	phantom_tick(ph, 10000);
	phantom_from_lan(ph, f, lan_arp(f, bcast, ARP_OP_REQUEST, t_ip(10, 0, 0, 2), t_ip(10, 0, 0, 1)));
	assert_int_equal(sugg_finish(ph, 10000, &ip, err, sizeof(err)), -EADDRNOTAVAIL);
	assert_string_equal(err, "every candidate address on 10.0.0.0/30 (lan0) answered our ARP probe");
	phantom_free(ph);
	vhost_free(vt);
	frames_clear(&sugg_lan);
	frames_clear(&sugg_guest);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_claim_probes_then_serves),
		T(test_guest_saw_the_probes),
		T(test_portmap_ping_and_bridging),
		T(test_fragments),
		T(test_taken_refused_with_mac),
		T(test_bad_addresses),
		T(test_live_change),
		T(test_defends_and_notices),
		T(test_interface_switch),
		cmocka_unit_test_setup_teardown(test_off_without_address, setup_noip, teardown),
		cmocka_unit_test(test_nat_mode_and_config_errors),
		cmocka_unit_test(test_suggest_skips_answered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
