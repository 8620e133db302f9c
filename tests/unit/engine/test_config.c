/* SPDX-License-Identifier: MIT */
/* test_config.c: subnet and forward (IPv4 and IPv6) parsers, their exact error texts, config defaults. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "engine_test.h"
#include "indynet-build.h"

static void subnet_ok(const char *text, uint32_t want_net, unsigned want_prefix)
{
	char err[200] = "";
	uint32_t net = 0;
	unsigned prefix = 0;

	assert_int_equal(indynet_subnet_parse(text, &net, &prefix, err, sizeof(err)), 0);
	assert_int_equal(net, want_net);
	assert_int_equal(prefix, want_prefix);
}

static void subnet_bad(const char *text, const char *want)
{
	char err[200] = "";
	uint32_t net = 0x12345678;
	unsigned prefix = 99;

	assert_int_equal(indynet_subnet_parse(text, &net, &prefix, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(net, 0x12345678); /* untouched on error */
	assert_int_equal(prefix, 99);
}

static void test_subnet_valid(void **state)
{
	(void)state;
	subnet_ok("192.168.0.0/24", t_ip(192, 168, 0, 0), 24);
	subnet_ok("10.0.2.0/24", t_ip(10, 0, 2, 0), 24);
	subnet_ok("10.0.0.4/30", t_ip(10, 0, 0, 4), 30);
	subnet_ok("172.16.0.0/12", t_ip(172, 16, 0, 0), 12);
	subnet_ok("10.0.0.0/8", t_ip(10, 0, 0, 0), 8);
}

static void test_subnet_errors(void **state)
{
	(void)state;
	subnet_bad("192.168.0.0/31", "prefix /31 is too small (minimum /30)");
	subnet_bad("192.168.0.0/32", "prefix /32 is too small (minimum /30)");
	subnet_bad("192.168.0.5/24", "192.168.0.5/24 is not the network address for /24 (did you mean 192.168.0.0/24?)");
	subnet_bad("10.1.2.3/8", "10.1.2.3/8 is not the network address for /8 (did you mean 10.0.0.0/8?)");
	subnet_bad("10.0.0.2/30", "10.0.0.2/30 is not the network address for /30 (did you mean 10.0.0.0/30?)");
	subnet_bad("abc", "'abc' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("", "'' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("192.168.0.0", "'192.168.0.0' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("192.168.0.0/", "'192.168.0.0/' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("192.168.0/24", "'192.168.0/24' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("192.168.0.0.0/24", "'192.168.0.0.0/24' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("256.0.0.0/8", "'256.0.0.0/8' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("192.168.0.0/33", "'192.168.0.0/33' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("192.168.0.0/-1", "'192.168.0.0/-1' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad(" 192.168.0.0/24", "' 192.168.0.0/24' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("192.168.0.0/24x", "'192.168.0.0/24x' is not an IPv4 subnet (expected A.B.C.D/P)");
	subnet_bad("0.0.0.0/0", "prefix /0 is too large (maximum /8)");
	subnet_bad(NULL, "'' is not an IPv4 subnet (expected A.B.C.D/P)");
}

static void fwd_ok(const char *spec, bool udp, uint16_t hp, uint16_t gp, bool any)
{
	char err[200] = "";
	struct indynet_forward fw;

	memset(&fw, 0xa5, sizeof(fw));
	assert_int_equal(indynet_forward_parse(spec, &fw, err, sizeof(err)), 0);
	assert_int_equal(fw.udp, udp);
	assert_int_equal(fw.host_port, hp);
	assert_int_equal(fw.guest_port, gp);
	assert_int_equal(fw.any, any);
	assert_int_equal(fw.guest_addr, 0);
}

static void fwd_addr_ok(const char *spec, uint16_t hp, uint32_t addr, uint16_t gp, bool any)
{
	char err[200] = "";
	struct indynet_forward fw;

	assert_int_equal(indynet_forward_parse(spec, &fw, err, sizeof(err)), 0);
	assert_int_equal(fw.host_port, hp);
	assert_int_equal(fw.guest_addr, addr);
	assert_int_equal(fw.guest_port, gp);
	assert_int_equal(fw.any, any);
	assert_int_equal(fw.target, 0);
}

static void fwd_bad(const char *spec, const char *want)
{
	char err[200] = "";
	struct indynet_forward fw;

	assert_int_equal(indynet_forward_parse(spec, &fw, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

static void test_forward_valid(void **state)
{
	(void)state;
	fwd_ok("tcp:8080:80", false, 8080, 80, false);
	fwd_ok("udp:5353:53:any", true, 5353, 53, true);
	fwd_ok("TCP:2323:23:localhost", false, 2323, 23, false);
	fwd_ok("udp:11177:177", true, 11177, 177, false);
	fwd_ok("tcp:65535:1", false, 65535, 1, false);
	/* with an explicit guest address */
	fwd_addr_ok("tcp:8080:192.168.0.50:80", 8080, htonl(0xc0a80032u), 80, false);
	fwd_addr_ok("udp:5353:10.0.2.15:53:any", 5353, htonl(0x0a00020fu), 53, true);
	fwd_addr_ok("tcp:2323:10.0.2.15:23:localhost", 2323, htonl(0x0a00020fu), 23, false);
}

static void fwd6_ok(const char *spec, bool udp, const char *host, uint16_t hport, const char *guest, uint16_t gport)
{
	char err[200] = "";
	struct indynet_forward6 fw;
	uint8_t want_host[16], want_guest[16] = { 0 };

	assert_int_equal(inet_pton(AF_INET6, host, want_host), 1);
	if (guest)
		assert_int_equal(inet_pton(AF_INET6, guest, want_guest), 1);
	assert_int_equal(indynet_forward6_parse(spec, &fw, err, sizeof(err)), 0);
	assert_int_equal(fw.udp, udp);
	assert_int_equal(fw.host_port, hport);
	assert_int_equal(fw.guest_port, gport);
	assert_memory_equal(fw.host_addr, want_host, 16);
	assert_memory_equal(fw.guest_addr, want_guest, 16);
}

static void fwd6_bad(const char *spec, const char *want)
{
	char err[200] = "";
	struct indynet_forward6 fw;

	assert_int_equal(indynet_forward6_parse(spec, &fw, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

static void test_forward6(void **state)
{
	(void)state;
	fwd6_ok("tcp:[::1]:8080:80", false, "::1", 8080, NULL, 80);
	fwd6_ok("UDP:[::]:5353:[fd00::15]:53", true, "::", 5353, "fd00::15", 53);
	fwd6_ok("tcp:[fd00:1::9]:1:[fd42:1:2:3:abcd:ef01:2345:6789]:65535", false, "fd00:1::9", 1,
		"fd42:1:2:3:abcd:ef01:2345:6789", 65535);
	fwd6_bad("sctp:[::1]:1:2", "forward 'sctp:[::1]:1:2': protocol 'sctp' is not tcp or udp");
	fwd6_bad("tcp:[::1x]:1:2", "forward 'tcp:[::1x]:1:2': host address '[::1x]' is not an IPv6 address in brackets");
	fwd6_bad("tcp:::1:8080:80", "forward 'tcp:::1:8080:80': host address '::1:8080:80' is not an IPv6 address in brackets");
	fwd6_bad("tcp:[::1:8080:80", "forward 'tcp:[::1:8080:80': host address '[::1:8080:80' is not an IPv6 address in brackets");
	fwd6_bad("tcp:[::1]8080:80", "forward 'tcp:[::1]8080:80': host address '[::1]' is not an IPv6 address in brackets");
	fwd6_bad("tcp:[::1]:0:80", "forward 'tcp:[::1]:0:80': host port 0 is out of range (1-65535)");
	fwd6_bad("tcp:[::1]:80", "forward 'tcp:[::1]:80': expected proto:[host_addr]:host_port:[[guest_addr]:]guest_port");
	fwd6_bad("tcp:[::1]:80:x", "forward 'tcp:[::1]:80:x': guest port 'x' is not a number");
	fwd6_bad("tcp:[::1]:80:[::]:80", "forward 'tcp:[::1]:80:[::]:80': guest address '[::]' is not an IPv6 unicast address");
	fwd6_bad("tcp:[::1]:80:[ff02::1]:80",
		 "forward 'tcp:[::1]:80:[ff02::1]:80': guest address '[ff02::1]' is not an IPv6 unicast address");
	fwd6_bad("tcp:[::1]:80:[10.0.0.1]:80",
		 "forward 'tcp:[::1]:80:[10.0.0.1]:80': guest address '[10.0.0.1]' is not an IPv6 unicast address");
	fwd6_bad("tcp:[::1]:80:[fd00::5]:80:any", "forward 'tcp:[::1]:80:[fd00::5]:80:any': guest port '80:any' is not a number");
	fwd6_bad(NULL, "forward '': protocol '' is not tcp or udp");
}

static void test_forward_errors(void **state)
{
	(void)state;
	fwd_bad("tcp:99999:80", "forward 'tcp:99999:80': host port 99999 is out of range (1-65535)");
	fwd_bad("tcp:0:80", "forward 'tcp:0:80': host port 0 is out of range (1-65535)");
	fwd_bad("tcp:80:70000", "forward 'tcp:80:70000': guest port 70000 is out of range (1-65535)");
	fwd_bad("tcp:abc:80", "forward 'tcp:abc:80': host port 'abc' is not a number");
	fwd_bad("tcp:80:", "forward 'tcp:80:': guest port '' is not a number");
	fwd_bad("icmp:1:2", "forward 'icmp:1:2': protocol 'icmp' is not tcp or udp");
	fwd_bad("tcp:1:2:all", "forward 'tcp:1:2:all': bind 'all' is not 'any' or 'localhost'");
	fwd_bad("tcp:8080", "forward 'tcp:8080': expected proto:host_port:[guest_addr:]guest_port[:any]");
	fwd_bad("tcp:1:2:any:x", "forward 'tcp:1:2:any:x': guest address '2' is not an IPv4 host address");
	fwd_bad("tcp:1:2:any:x:y:z",
		"forward 'tcp:1:2:any:x:y:z': expected proto:host_port:[guest_addr:]guest_port[:any]");
	fwd_bad("", "forward '': expected proto:host_port:[guest_addr:]guest_port[:any]");
	fwd_bad("tcp:80:192.168.0.300:80",
		"forward 'tcp:80:192.168.0.300:80': guest address '192.168.0.300' is not an IPv4 host address");
	fwd_bad("tcp:80:0.0.0.0:80", "forward 'tcp:80:0.0.0.0:80': guest address '0.0.0.0' is not an IPv4 host address");
	fwd_bad("tcp:80:10.0.0.5:", "forward 'tcp:80:10.0.0.5:': guest port '' is not a number");
	fwd_bad("tcp:80:10.0.0.5:80:all", "forward 'tcp:80:10.0.0.5:80:all': bind 'all' is not 'any' or 'localhost'");
	fwd_bad("tcp:-1:80", "forward 'tcp:-1:80': host port '-1' is not a number");
	fwd_bad("tcp:12345678901234:80", "forward 'tcp:12345678901234:80': host port '12345678901234' is not a number");
}

static void test_defaults_and_names(void **state)
{
	struct indynet_config cfg;

	(void)state;
	memset(&cfg, 0x5a, sizeof(cfg));
	indynet_config_init(&cfg);
	assert_int_equal(cfg.version, INDYNET_CONFIG_VERSION);
	assert_int_equal(cfg.mode, INDYNET_MODE_NAT);
	assert_int_equal(cfg.mtu, 1500);
	assert_null(cfg.nat_subnet);
	assert_null(cfg.export_dir);
	assert_null(cfg.capture_file);
	assert_null(cfg.rx_notify);
	assert_string_equal(indynet_drop_reason_name(INDYNET_DROP_TRUNCATED), "truncated");
	assert_string_equal(indynet_drop_reason_name(INDYNET_DROP_RX_RING_FULL), "rx_ring_full");
	assert_string_equal(indynet_drop_reason_name(INDYNET_DROP__COUNT), "unknown");
	for (int r = 0; r < INDYNET_DROP__COUNT; r++)
		assert_non_null(indynet_drop_reason_name((enum indynet_drop_reason)r));
	assert_string_equal(indynet_version(), INDYNET_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subnet_valid),
		cmocka_unit_test(test_subnet_errors),
		cmocka_unit_test(test_forward_valid),
		cmocka_unit_test(test_forward_errors),
		cmocka_unit_test(test_forward6),
		cmocka_unit_test(test_defaults_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
