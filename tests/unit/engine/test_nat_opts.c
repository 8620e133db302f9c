/* SPDX-License-Identifier: MIT */
/* test_nat_opts.c: the NAT options of struct indynet_config (version 5): defaults, each check, errors naming the value. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/nat_opts.h"
#include "engine_test.h"

static int parse(struct indynet_config *c, struct backend_nat_opts *o, char *err)
{
	return nat_opts_parse(c, o, err, 256);
}

static void test_defaults(void **state)
{
	struct indynet_config c;
	struct backend_nat_opts o;
	struct in6_addr want;
	char err[256];

	(void)state;
	indynet_config_init(&c);
	assert_int_equal(parse(&c, &o, err), 0);
	assert_true(o.ipv6);
	inet_pton(AF_INET6, "fd00::", &want);
	assert_memory_equal(&o.prefix6, &want, 16);
	assert_false(o.no_host_loopback);
	assert_false(o.restrict_guest);
	assert_null(o.hostname);
	assert_null(o.search[0]);
	assert_int_equal(o.outbound, 0);
	c.version = 4; /* a version 4 caller's fields after nat_max_flows are zero: IPv6 stays off */
	memset(&c.nat_ipv6, 0, sizeof(c) - offsetof(struct indynet_config, nat_ipv6));
	assert_int_equal(parse(&c, &o, err), 0);
	assert_false(o.ipv6);
}

static void expect_error(struct indynet_config *c, const char *needle)
{
	struct backend_nat_opts o;
	char err[256] = "";

	assert_int_equal(parse(c, &o, err), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not name '%s'", err, needle);
}

static void test_prefix6(void **state)
{
	struct indynet_config c;
	struct backend_nat_opts o;
	struct in6_addr want;
	char err[256];

	(void)state;
	indynet_config_init(&c);
	c.nat_prefix6 = "fd42:1:2:3::/64";
	assert_int_equal(parse(&c, &o, err), 0);
	inet_pton(AF_INET6, "fd42:1:2:3::", &want);
	assert_memory_equal(&o.prefix6, &want, 16);
	const char *bad[] = { "fd00::", "fd00::/48", "fd00::1/64", "nonsense/64", "fd00::/64x", "/64" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.nat_prefix6 = bad[i];
		expect_error(&c, bad[i]);
	}
}

static void test_names(void **state)
{
	struct indynet_config c;
	struct backend_nat_opts o;
	char err[256], long_label[80];

	(void)state;
	indynet_config_init(&c);
	c.nat_hostname = "indy-1.lab";
	c.nat_dns_search = "lab.example,indynet.test";
	assert_int_equal(parse(&c, &o, err), 0);
	assert_string_equal(o.hostname, "indy-1.lab");
	assert_string_equal(o.search[0], "lab.example");
	assert_string_equal(o.search[1], "indynet.test");
	assert_null(o.search[2]);
	const char *bad_hosts[] = { "", "-indy", "indy-", "in dy", "a..b", ".a", "a_b" };
	for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
		c.nat_hostname = bad_hosts[i];
		expect_error(&c, "hostname");
	}
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	c.nat_hostname = long_label; /* a label of 64 */
	expect_error(&c, long_label);
	c.nat_hostname = NULL;
	c.nat_dns_search = "a.example,b_x";
	expect_error(&c, "'b_x'");
	c.nat_dns_search = "a,b,c,d,e,f,g,h,i";
	expect_error(&c, "more than 8");
}

static void test_dns(void **state)
{
	struct indynet_config c;
	struct backend_nat_opts o;
	char err[256];
	const char *bad[] = { "10.0.0.300", "0.0.0.0", "::", "resolver.example", "127.0.0.1:53", "" };

	(void)state;
	indynet_config_init(&c);
	assert_int_equal(parse(&c, &o, err), 0);
	assert_int_equal(o.dns_len, 0); /* the host's resolv.conf */
	c.nat_dns = "127.0.0.3";
	assert_int_equal(parse(&c, &o, err), 0);
	assert_int_equal(o.dns.ss_family, AF_INET);
	assert_int_equal(((struct sockaddr_in *)&o.dns)->sin_addr.s_addr, htonl(0x7f000003u));
	assert_int_equal(ntohs(((struct sockaddr_in *)&o.dns)->sin_port), 53);
	c.nat_dns = "fd00::53";
	assert_int_equal(parse(&c, &o, err), 0);
	assert_int_equal(o.dns.ss_family, AF_INET6);
	assert_int_equal(o.dns_len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&o.dns)->sin6_port), 53);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		c.nat_dns = bad[i];
		snprintf(want, sizeof(want), "DNS resolver '%s'", bad[i]);
		expect_error(&c, want);
	}
}

static void test_outbound(void **state)
{
	struct indynet_config c;
	struct backend_nat_opts o;
	char err[256];

	(void)state;
	indynet_config_init(&c);
	c.nat_outbound_addr = "127.0.0.1";
	assert_int_equal(parse(&c, &o, err), 0);
	assert_int_equal(o.outbound, htonl(0x7f000001));
	c.nat_outbound_addr = "lo"; /* an interface: its first IPv4 address */
	assert_int_equal(parse(&c, &o, err), 0);
	assert_int_equal(o.outbound, htonl(0x7f000001));
	c.nat_outbound_addr = "no-such-if0";
	expect_error(&c, "no-such-if0");
	c.nat_outbound_addr = "0.0.0.0";
	expect_error(&c, "0.0.0.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_prefix6),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_outbound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
