/* SPDX-License-Identifier: MIT */
/* test_nat_fwd6.c: IPv6 port forwards (nat_fwd6.c) through the public API, on real libslirp. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/checksum.h"
#include "engine_test.h"

#define ETH_HLEN 14
#define IP6_HLEN 40

/* a TCP port free on ::1 and on 127.0.0.1 (an IPv4 forward takes the same number in one test) */
static uint16_t free_port(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t al = sizeof(a);
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int v4 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	b.sin_port = a.sin6_port;
	assert_int_equal(bind(v4, (struct sockaddr *)&b, sizeof(b)), 0);
	close(v4);
	close(s);
	return ntohs(a.sin6_port);
}

/* a connected TCP socket to [::1]:@port, or -errno */
static int tcp6_open(uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : -errno;

	if (rc == 0)
		return s;
	close(s);
	return rc;
}

static int tcp6_connect(uint16_t port)
{
	int s = tcp6_open(port);

	if (s >= 0)
		close(s);
	return s >= 0 ? 0 : s;
}

static struct indynet_forward6 fw6(bool udp, uint16_t hport, const char *guest, uint16_t gport)
{
	struct indynet_forward6 fw = { .udp = udp, .host_port = hport, .guest_port = gport };

	assert_int_equal(inet_pton(AF_INET6, "::1", fw.host_addr), 1);
	if (guest)
		assert_int_equal(inet_pton(AF_INET6, guest, fw.guest_addr), 1);
	return fw;
}

static void add_fails(indynet_engine *e, const struct indynet_forward6 *fw, int rc, const char *why)
{
	char err[256] = "", want[320], spec[INDYNET_FORWARD6_TEXT_MAX];

	assert_int_equal(indynet_forward6_add(e, fw, err, sizeof(err)), rc);
	snprintf(want, sizeof(want), "forward '%s': %s", indynet_forward6_format(fw, spec, sizeof(spec)), why);
	assert_string_equal(err, want);
}

static void format_is(const char *spec, const char *want)
{
	struct indynet_forward6 fw, back;
	char err[256] = "", text[INDYNET_FORWARD6_TEXT_MAX];

	assert_int_equal(indynet_forward6_parse(spec, &fw, err, sizeof(err)), 0);
	assert_string_equal(indynet_forward6_format(&fw, text, sizeof(text)), want);
	assert_int_equal(indynet_forward6_parse(text, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &fw, sizeof(fw));
}

static void parse_fails(const char *spec, const char *want)
{
	struct indynet_forward6 fw;
	char err[256] = "";

	assert_int_equal(indynet_forward6_parse(spec, &fw, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

/* the spec written back: canonical addresses, the guest address only when there is one */
static void test_format(void **state)
{
	struct indynet_forward6 fw = fw6(true, 65535, "fd00:1111:2222:3333:4444:5555:6666:7777", 65535);
	struct indynet_forward v4 = { .udp = true, .host_port = 5353, .guest_port = 53, .any = true };
	char text[INDYNET_FORWARD6_TEXT_MAX], small[12];

	(void)state;
	format_is("TCP:[0:0::1]:8080:80", "tcp:[::1]:8080:80");
	format_is("udp:[::]:5353:[FD00::15]:53", "udp:[::]:5353:[fd00::15]:53");
	format_is("tcp:[fe80::1]:1:[fd00:0:0:0:0:0:0:9]:65535", "tcp:[fe80::1]:1:[fd00::9]:65535");
	memset(fw.host_addr, 0xab, 16);
	indynet_forward6_format(&fw, text, sizeof(text));
	assert_string_equal(text, "udp:[abab:abab:abab:abab:abab:abab:abab:abab]:65535:"
				  "[fd00:1111:2222:3333:4444:5555:6666:7777]:65535");
	assert_ptr_equal(indynet_forward6_format(&fw, small, sizeof(small)), small);
	assert_string_equal(small, "udp:[abab:a");
	assert_string_equal(indynet_forward_format(&v4, text, sizeof(text)), "udp:5353:53:any");
	v4 = (struct indynet_forward){ .host_port = 8080, .guest_port = 80, .guest_addr = htonl(0x0a00020f) };
	assert_string_equal(indynet_forward_format(&v4, text, sizeof(text)), "tcp:8080:10.0.2.15:80");
}

/* every refusal of the parser names the part that is wrong */
static void test_parse_errors(void **state)
{
	(void)state;
	parse_fails("tcp:[::1]:65536:80", "forward 'tcp:[::1]:65536:80': host port 65536 is out of range (1-65535)");
	parse_fails("tcp:[::1]:80:[fd00::5]:0", "forward 'tcp:[::1]:80:[fd00::5]:0': guest port 0 is out of range (1-65535)");
	parse_fails("udp:[::1:80:53", "forward 'udp:[::1:80:53': host address '[::1:80:53' is not an IPv6 address in brackets");
	parse_fails("udp:::1]:80:53", "forward 'udp:::1]:80:53': host address '::1]' is not an IPv6 address in brackets");
	parse_fails("udp:[::1]:80:[fd00::5:53",
		    "forward 'udp:[::1]:80:[fd00::5:53': guest address '[fd00::5:53' is not an IPv6 unicast address");
	parse_fails("udp:[::1]:80:[fd00::5]53",
		    "forward 'udp:[::1]:80:[fd00::5]53': guest address '[fd00::5]' is not an IPv6 unicast address");
}

/* add, list, the same host socket twice, removal naming the whole forward */
static void test_add_list_remove(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_port();
	struct indynet_forward6 fw = fw6(false, port, NULL, 80), other, list[4];
	struct indynet_forward v4 = { .host_port = port, .guest_port = 80 };
	char err[256] = "", why[80];

	(void)state;
	assert_int_equal(tcp6_connect(port), -ECONNREFUSED);
	assert_int_equal(indynet_forward6_add(e, &fw, err, sizeof(err)), 0);
	assert_int_equal(tcp6_connect(port), 0);
	assert_int_equal(indynet_forward6_list(e, list, 4), 1);
	assert_memory_equal(&list[0], &fw, sizeof(fw));
	snprintf(why, sizeof(why), "host port %u is already forwarded", port);
	other = fw6(false, port, "fd00::9", 81);
	add_fails(e, &other, -EEXIST, why);
	/* UDP on the same number is another socket, and so is IPv4's (the IPv6 one is V6ONLY) */
	other.udp = true;
	assert_int_equal(indynet_forward6_add(e, &other, err, sizeof(err)), 0);
	assert_int_equal(indynet_forward_add(e, &v4, err, sizeof(err)), 0);
	assert_int_equal(indynet_forward6_list(e, NULL, 0), 2);

	other = fw;
	other.guest_port = 81;
	assert_int_equal(indynet_forward6_remove(e, &other), -ENOENT);
	other = fw6(false, port, "fd00::9", 80);
	assert_int_equal(indynet_forward6_remove(e, &other), -ENOENT);
	other = fw;
	other.host_addr[15] = 0;
	assert_int_equal(indynet_forward6_remove(e, &other), -ENOENT);
	assert_int_equal(tcp6_connect(port), 0);

	assert_int_equal(indynet_forward6_remove(e, &fw), 0);
	assert_int_equal(tcp6_connect(port), -ECONNREFUSED);
	assert_int_equal(indynet_forward6_remove(e, &fw), -ENOENT);
	assert_int_equal(indynet_forward6_list(e, list, 4), 1);
	assert_true(list[0].udp);
	indynet_engine_free(e);
}

/* a forward on every address ([::]) leaves the IPv4 port of the same number free */
static void test_v6only(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_port();
	struct indynet_forward6 fw = fw6(false, port, NULL, 80);
	struct indynet_forward v4 = { .host_port = port, .guest_port = 80 };
	char err[256] = "";

	(void)state;
	memset(fw.host_addr, 0, 16);
	assert_int_equal(indynet_forward6_add(e, &fw, err, sizeof(err)), 0);
	assert_int_equal(indynet_forward_add(e, &v4, err, sizeof(err)), 0);
	assert_int_equal(tcp6_connect(port), 0);
	indynet_engine_free(e);
}

/* a guest address must be a host of the prefix; UDP must name one; ports 1-65535 */
static void test_add_refusals(void **state)
{
	static const char *const not_host[] = { "fd01::5", "fd00::", "fd00::2", "fd00::3", "fe80::5" };
	static const char prefix_why[] = "guest address is not a host of the NAT's IPv6 prefix";
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_port();
	struct indynet_forward6 fw;
	char err[256] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(not_host) / sizeof(not_host[0]); i++) {
		fw = fw6(false, port, not_host[i], 80);
		add_fails(e, &fw, -EINVAL, prefix_why);
	}
	fw = fw6(true, port, NULL, 53);
	add_fails(e, &fw, -EINVAL, "an IPv6 UDP forward needs the guest address "
				   "(libslirp follows the guest's address for TCP only)");
	fw = fw6(false, 0, NULL, 80);
	add_fails(e, &fw, -EINVAL, "ports must be 1-65535");
	fw = fw6(true, port, "fd00::15", 0);
	add_fails(e, &fw, -EINVAL, "ports must be 1-65535");
	assert_int_equal(indynet_forward6_list(e, NULL, 0), 0);
	assert_int_equal(tcp6_connect(port), -ECONNREFUSED);

	/* hosts of the prefix, ::2 and ::3 only in the last byte with the rest zero */
	fw = fw6(false, port, "fd00::1:2", 80);
	assert_int_equal(indynet_forward6_add(e, &fw, err, sizeof(err)), 0);
	fw = fw6(true, port, "fd00::4", 53);
	assert_int_equal(indynet_forward6_add(e, &fw, err, sizeof(err)), 0);
	assert_int_equal(indynet_forward6_list(e, NULL, 0), 2);
	indynet_engine_free(e);
}

/* the host port is taken by someone else; IPv6 off */
static void test_add_bind_errors(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_port();
	struct indynet_forward6 fw = fw6(false, port, NULL, 80);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct indynet_config cfg;
	char why[64], err[256] = "";

	(void)state;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 1), 0);
	snprintf(why, sizeof(why), "host port %u is in use", port);
	add_fails(e, &fw, -EADDRINUSE, why);
	assert_int_equal(indynet_forward6_list(e, NULL, 0), 0);
	close(s);
	indynet_engine_free(e);

	indynet_config_init(&cfg);
	cfg.nat_ipv6 = false;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(e), 0);
	add_fails(e, &fw, -EOPNOTSUPP, "IPv6 is off in this NAT");
	indynet_engine_free(e);
}

/* the forwards are bound again on the instance a subnet change makes */
static void test_kept_across_subnet_change(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_port();
	struct indynet_forward6 fw = fw6(false, port, "fd00::15", 80), list[2];
	char err[256] = "";

	(void)state;
	assert_int_equal(indynet_forward6_add(e, &fw, err, sizeof(err)), 0);
	assert_int_equal(indynet_set_nat_subnet(e, "10.9.0.0/24", err, sizeof(err)), 0);
	assert_int_equal(indynet_forward6_list(e, list, 2), 1);
	assert_memory_equal(&list[0], &fw, sizeof(fw));
	assert_int_equal(tcp6_connect(port), 0);
	assert_int_equal(indynet_forward6_remove(e, &fw), 0);
	assert_int_equal(tcp6_connect(port), -ECONNREFUSED);
	indynet_engine_free(e);
}

/* Ethernet + IPv6 from the guest's MAC and @src to @dst_mac/@dst, ICMPv6 @icmp (@len bytes) checksummed */
static size_t guest_icmp6(uint8_t *f, const uint8_t dst_mac[6], const char *src, const char *dst,
			  const uint8_t *icmp, size_t len)
{
	static const uint8_t mac[6] = T_GUEST_MAC;
	uint8_t *ip = f + ETH_HLEN, *l4 = ip + IP6_HLEN, pseudo[8] = { 0, 0, 0, (uint8_t)len, 0, 0, 0, 58 };
	uint16_t sum;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x86, f[13] = 0xdd;
	memset(ip, 0, IP6_HLEN);
	ip[0] = 0x60, ip[5] = (uint8_t)len, ip[6] = 58, ip[7] = 255;
	assert_int_equal(inet_pton(AF_INET6, src, ip + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, ip + 24), 1);
	memcpy(l4, icmp, len);
	sum = csum_fold(csum_add(csum_add(csum_add(0, ip + 8, 32), pseudo, 8), l4, len));
	memcpy(l4 + 2, &sum, 2);
	return ETH_HLEN + IP6_HLEN + len;
}

/* an unsolicited neighbour advertisement from the guest: "@addr is at T_GUEST_MAC" */
static size_t guest_na(uint8_t *f, const char *addr)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 }, mac[6] = T_GUEST_MAC;
	uint8_t icmp[32] = { 136, 0, 0, 0, 0x20 }; /* neighbour advertisement, override */

	assert_int_equal(inet_pton(AF_INET6, addr, icmp + 8), 1);
	icmp[24] = 2, icmp[25] = 1; /* target link-layer address */
	memcpy(icmp + 26, mac, 6);
	return guest_icmp6(f, all_nodes_mac, addr, "ff02::1", icmp, sizeof(icmp));
}

/* a router solicitation from @addr (a booting guest sends one from its link-local address) */
static size_t guest_rs(uint8_t *f, const char *addr)
{
	static const uint8_t all_routers_mac[6] = { 0x33, 0x33, 0, 0, 0, 2 }, mac[6] = T_GUEST_MAC;
	uint8_t icmp[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1 }; /* source link-layer address */

	memcpy(icmp + 10, mac, 6);
	return guest_icmp6(f, all_routers_mac, addr, "ff02::2", icmp, sizeof(icmp));
}

/* the SYN a forwarded connection opens towards the guest */
struct syn6 {
	uint8_t dst[16];
	uint16_t sport; /* the host client's port, which libslirp keeps */
};

static int match_syn6(const uint8_t *f, size_t len, void *arg)
{
	const struct syn6 *want = arg;
	const uint8_t *ip = f + ETH_HLEN, *tcp = ip + IP6_HLEN;

	return len >= ETH_HLEN + IP6_HLEN + 20 && f[12] == 0x86 && f[13] == 0xdd && ip[6] == 6 &&
	       memcmp(ip + 24, want->dst, 16) == 0 && (tcp[0] << 8 | tcp[1]) == want->sport &&
	       (tcp[2] << 8 | tcp[3]) == 80 && (tcp[13] & 0x12) == 0x02;
}

/* a connection to the forward's host port arrives at @guest:80 */
static void syn_reaches(indynet_engine *e, uint16_t port, const char *guest)
{
	struct sockaddr_in6 me;
	socklen_t ml = sizeof(me);
	struct syn6 want;
	uint8_t frame[2048];
	int s = tcp6_open(port);

	assert_true(s >= 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&me, &ml), 0);
	want.sport = ntohs(me.sin6_port);
	assert_int_equal(inet_pton(AF_INET6, guest, want.dst), 1);
	assert_true(t_wait_frame(e, frame, sizeof(frame), 3000, match_syn6, &want) > 0);
	close(s);
}

/*
 * A TCP forward without a guest address goes to the guest's address as
 * libslirp learns it from neighbour discovery: the first one it learns
 * (ndp_table.guest_in6_addr), kept when the guest announces another.
 */
static void test_tcp_goes_to_learnt_guest(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_port();
	struct indynet_forward6 fw = fw6(false, port, NULL, 80);
	char err[256] = "";
	uint8_t f[128];

	(void)state;
	assert_int_equal(indynet_forward6_add(e, &fw, err, sizeof(err)), 0);
	assert_int_equal(indynet_guest_send(e, f, guest_na(f, "fd00::1234")), 0);
	syn_reaches(e, port, "fd00::1234");
	assert_int_equal(indynet_guest_send(e, f, guest_na(f, "fd00::5678")), 0);
	syn_reaches(e, port, "fd00::1234");
	indynet_engine_free(e);
}

/* a booting guest solicits a router from its link-local address first: that is the address kept */
static void test_tcp_goes_to_link_local(void **state)
{
	indynet_engine *e = t_start_nat(NULL);
	uint16_t port = free_port();
	struct indynet_forward6 fw = fw6(false, port, NULL, 80);
	char err[256] = "";
	uint8_t f[128];

	(void)state;
	assert_int_equal(indynet_forward6_add(e, &fw, err, sizeof(err)), 0);
	assert_int_equal(indynet_guest_send(e, f, guest_rs(f, "fe80::11")), 0);
	assert_int_equal(indynet_guest_send(e, f, guest_na(f, "fd00::1234")), 0);
	syn_reaches(e, port, "fe80::11");
	indynet_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_add_list_remove),
		cmocka_unit_test(test_v6only),
		cmocka_unit_test(test_add_refusals),
		cmocka_unit_test(test_add_bind_errors),
		cmocka_unit_test(test_kept_across_subnet_change),
		cmocka_unit_test(test_tcp_goes_to_learnt_guest),
		cmocka_unit_test(test_tcp_goes_to_link_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
