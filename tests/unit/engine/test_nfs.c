/* SPDX-License-Identifier: MIT */
/* test_nfs.c: the in-core NFS server answers at the NAT gateway; other gateway ports still reach slirp. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 192, 168, 0, 1 };

struct reply_match {
	uint16_t sport, dport;
	uint32_t xid;
	uint32_t words[7]; /* the reply: 28 bytes, host order */
};

static int match_rpc_reply(const uint8_t *f, size_t len, void *arg)
{
	struct reply_match *m = arg;
	struct eth_view eth;
	struct ipv4_view ip;
	struct udp_view u;

	if (eth_parse(f, len, &eth) || eth.ethertype != ETHERTYPE_IPV4 || memcmp(eth.src, gw_mac, 6) ||
	    memcmp(eth.dst, guest_mac, 6) || ipv4_parse(eth.payload, eth.payload_len, &ip) ||
	    ip.proto != IPPROTO_UDP || udp_parse(&ip, true, &u) || ip.src != t_ip(192, 168, 0, 1) ||
	    u.sport != m->sport || u.dport != m->dport || u.payload_len < sizeof(m->words))
		return 0;
	for (int i = 0; i < 7; i++) {
		uint32_t w;

		memcpy(&w, u.payload + 4 * i, 4);
		m->words[i] = ntohl(w);
	}
	return m->words[0] == m->xid;
}

static indynet_engine *start_with_export(char *dir)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;
	char err[256] = "";

	assert_non_null(mkdtemp(dir));
	indynet_config_init(&cfg);
	cfg.export_dir = dir;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(e), 0);
	return e;
}

static void test_portmap_getport_at_gateway(void **state)
{
	char dir[] = "/tmp/indynet-export-XXXXXX";
	indynet_engine *e = start_with_export(dir);
	/* portmap v2 GETPORT(NFS 100003, v2, UDP) with AUTH_NULL */
	const uint32_t call[] = { 0x4e465331, 0, 2, 100000, 2, 3, 0, 0, 0, 0, 100003, 2, 17, 0 };
	uint32_t wire[sizeof(call) / 4];
	uint8_t f[256], r[2048];
	struct reply_match m = { .sport = 111, .dport = 800, .xid = 0x4e465331 };
	struct indynet_stats st;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(call) / 4; i++)
		wire[i] = htonl(call[i]);
	n = t_udp_frame(f, gw_mac, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 800, 111, wire,
			sizeof(wire), 3);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_true(t_wait_frame(e, r, sizeof(r), 2000, match_rpc_reply, &m) > 0);
	assert_int_equal(m.words[1], 1); /* REPLY */
	assert_int_equal(m.words[2], 0); /* MSG_ACCEPTED */
	assert_int_equal(m.words[5], 0); /* SUCCESS */
	assert_int_equal(m.words[6], 2049);
	indynet_stats_get(e, &st);
	assert_int_equal(st.tx_frames, 1);
	indynet_engine_free(e);
	rmdir(dir);
}

static void test_other_gateway_ports_reach_host(void **state)
{
	char dir[] = "/tmp/indynet-export-XXXXXX";
	indynet_engine *e = start_with_export(dir);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	struct pollfd p = { .fd = s, .events = POLLIN };
	uint8_t f[256], r[2048];
	char buf[16];
	size_t n;

	(void)state;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	n = t_arp_request(f, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1));
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	n = t_udp_frame(f, gw_mac, guest_mac, t_ip(192, 168, 0, 2), t_ip(192, 168, 0, 1), 900, ntohs(a.sin_port),
			"plain", 5, 4);
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(recv(s, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "plain", 5);
	close(s);
	while (indynet_guest_recv(e, r, sizeof(r)) > 0)
		;
	indynet_engine_free(e);
	rmdir(dir);
}

static void test_bad_export_refused(void **state)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;
	char err[256] = "";

	(void)state;
	indynet_config_init(&cfg);
	cfg.export_dir = "/nonexistent/indynet-export";
	assert_true(indynet_engine_new(&cfg, &e, err, sizeof(err)) < 0);
	assert_null(e);
	assert_true(strlen(err) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_portmap_getport_at_gateway),
		cmocka_unit_test(test_other_gateway_ports_reach_host),
		cmocka_unit_test(test_bad_export_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
