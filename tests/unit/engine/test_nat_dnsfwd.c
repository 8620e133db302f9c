/* SPDX-License-Identifier: MIT */
/* test_nat_dnsfwd.c: --dns: the relay of the gateway's DNS to a chosen resolver (a UDP socket on 127.0.0.1 plays it). */
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "backend/nat_dnsfwd.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };

#define GW t_ip(10, 0, 2, 2)
#define GUEST t_ip(10, 0, 2, 15)

struct fix {
	struct nat_dnsfwd d;
	int server;                /* the resolver */
	struct sockaddr_in peer;   /* the relay's address, as the resolver sees it */
	struct poll_set ps;
};

/* the resolver on 127.0.0.1 (a free port) and the relay connected to it */
static void fix_open(struct fix *f, unsigned mtu)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = { .s_addr = htonl(INADDR_LOOPBACK) } };
	socklen_t len = sizeof(a);
	char err[128];

	memset(f, 0, sizeof(*f));
	f->server = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(bind(f->server, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(f->server, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(nat_dnsfwd_open(&f->d, (struct sockaddr *)&a, sizeof(a), mtu, err, sizeof(err)), 0);
}

static void fix_close(struct fix *f)
{
	nat_dnsfwd_close(&f->d);
	close(f->server);
	poll_set_free(&f->ps);
}

/* a query for "a.test" A with id @id from the guest's port @sport to @dst:53 */
static size_t query(uint8_t *fr, uint32_t dst, uint16_t sport, uint16_t id)
{
	uint8_t q[] = { 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };

	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	return t_udp_frame(fr, gw_mac, guest_mac, GUEST, dst, sport, 53, q, sizeof(q), 1);
}

/* the resolver reads a query: returns its length, @msg holds it */
static ssize_t serve_read(struct fix *f, uint8_t *msg, size_t cap)
{
	socklen_t len = sizeof(f->peer);

	return recvfrom(f->server, msg, cap, 0, (struct sockaddr *)&f->peer, &len);
}

/* the relay's next answer frame (0: dropped, -1: nothing) after the resolver sent one */
static long answer(struct fix *f, uint8_t *fr, size_t cap)
{
	f->ps.n = 0;
	nat_dnsfwd_poll_fill(&f->d, &f->ps);
	assert_int_equal(poll(f->ps.fds, f->ps.n, 2000), 1);
	return nat_dnsfwd_answer(&f->d, &f->ps, fr, cap, 1000);
}

static void test_round_trip(void **state)
{
	struct fix f;
	uint8_t fr[2048], msg[2048];
	size_t len;
	ssize_t n;
	long got;
	struct eth_view e;
	struct ipv4_view ip;
	struct udp_view u;

	(void)state;
	fix_open(&f, 1500);
	len = query(fr, GW, 40000, 0x1234);
	assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr, len, 1000), NAT_DNSFWD_SENT);
	n = serve_read(&f, msg, sizeof(msg));
	assert_int_equal(n, 24);
	assert_int_not_equal(msg[0] << 8 | msg[1], 0x1234); /* the relay's own id */
	msg[2] |= 0x80;                                      /* QR: an answer */
	assert_int_equal(sendto(f.server, msg, (size_t)n, 0, (struct sockaddr *)&f.peer, sizeof(f.peer)), n);
	got = answer(&f, fr, sizeof(fr));
	assert_true(got > 0);
	assert_int_equal(eth_parse(fr, (size_t)got, &e), 0);
	assert_memory_equal(e.dst, guest_mac, 6);
	assert_memory_equal(e.src, gw_mac, 6);
	assert_int_equal(ipv4_parse(e.payload, e.payload_len, &ip), 0);
	assert_int_equal(ip.src, GW);
	assert_int_equal(ip.dst, GUEST);
	assert_int_equal(udp_parse(&ip, true, &u), 0); /* checksum right */
	assert_int_equal(u.sport, 53);
	assert_int_equal(u.dport, 40000);
	assert_int_equal(u.payload_len, 24);
	assert_int_equal(u.payload[0] << 8 | u.payload[1], 0x1234);
	/* the same answer again: its query was answered, so it is dropped */
	assert_int_equal(sendto(f.server, msg, (size_t)n, 0, (struct sockaddr *)&f.peer, sizeof(f.peer)), n);
	assert_int_equal(answer(&f, fr, sizeof(fr)), 0);
	fix_close(&f);
}

static void test_not_mine(void **state)
{
	struct fix f;
	uint8_t fr[256];
	struct nat_dnsfwd off = { .fd = -1, .idx = -1 };

	(void)state;
	fix_open(&f, 1500);
	/* to another address, to another port: libslirp's */
	assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr, query(fr, t_ip(192, 0, 2, 1), 40000, 1), 0),
			 NAT_DNSFWD_NOT_MINE);
	assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr,
					  t_udp_frame(fr, gw_mac, guest_mac, GUEST, GW, 40000, 54, "0123456789ab", 12, 1),
					  0),
			 NAT_DNSFWD_NOT_MINE);
	/* too short for a DNS header: dropped */
	assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr,
					  t_udp_frame(fr, gw_mac, guest_mac, GUEST, GW, 40000, 53, "x", 1, 1), 0),
			 NAT_DNSFWD_DROPPED);
	/* without --dns nothing is the relay's */
	assert_int_equal(nat_dnsfwd_guest(&off, GW, NULL, fr, query(fr, GW, 40000, 1), 0), NAT_DNSFWD_NOT_MINE);
	fix_close(&f);
}

static void test_slots_and_timeout(void **state)
{
	struct fix f;
	uint8_t fr[256];

	(void)state;
	fix_open(&f, 1500);
	for (unsigned i = 0; i < NAT_DNSFWD_SLOTS; i++)
		assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr, query(fr, GW, 40000, (uint16_t)i), 1000),
				 NAT_DNSFWD_SENT);
	assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr, query(fr, GW, 40000, 99), 1000), NAT_DNSFWD_DROPPED);
	/* after NAT_DNSFWD_TIMEOUT_MS the slots are free again */
	assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr, query(fr, GW, 40000, 99), 1000 + NAT_DNSFWD_TIMEOUT_MS),
			 NAT_DNSFWD_SENT);
	fix_close(&f);
}

static void test_truncated_to_mtu(void **state)
{
	struct fix f;
	uint8_t fr[4096], msg[2048];
	struct eth_view e;
	struct ipv4_view ip;
	struct udp_view u;
	ssize_t n;
	long got;

	(void)state;
	fix_open(&f, 576);
	assert_int_equal(nat_dnsfwd_guest(&f.d, GW, NULL, fr, query(fr, GW, 40001, 0x4321), 1000), NAT_DNSFWD_SENT);
	n = serve_read(&f, msg, sizeof(msg));
	assert_int_equal(n, 24);
	msg[2] |= 0x80;
	msg[7] = 1;                     /* one answer record ... */
	memset(msg + 24, 0xab, 1000);   /* ... of 1000 bytes: more than 576 - 28 allow */
	assert_int_equal(sendto(f.server, msg, 1024, 0, (struct sockaddr *)&f.peer, sizeof(f.peer)), 1024);
	got = answer(&f, fr, sizeof(fr));
	assert_true(got > 0);
	assert_int_equal(eth_parse(fr, (size_t)got, &e), 0);
	assert_int_equal(ipv4_parse(e.payload, e.payload_len, &ip), 0);
	assert_int_equal(udp_parse(&ip, true, &u), 0);
	assert_int_equal(u.payload_len, 24);        /* header and question only */
	assert_true(u.payload[2] & 0x02);           /* TC */
	assert_int_equal(u.payload[7], 0);          /* no answer records */
	assert_int_equal(u.payload[0] << 8 | u.payload[1], 0x4321);
	fix_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_not_mine),
		cmocka_unit_test(test_slots_and_timeout),
		cmocka_unit_test(test_truncated_to_mtu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
