/* SPDX-License-Identifier: MIT */
/* test_config_version.c: indynet_config versions: a version-1 caller keeps working, others are refused by name. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arp.h"
#include "core/eth.h"
#include "engine_test.h"

/* indynet_config exactly as the version-1 header declared it (rx_deliver came later) */
struct config_v1 {
	unsigned version;
	enum indynet_mode mode;
	const char *nat_subnet;
	unsigned mtu;
	const char *export_dir;
	enum indynet_nfs_version nfs_version;
	bool read_only;
	enum indynet_attr_model attr_model;
	uint32_t nfs_uid, nfs_gid;
	const char *capture_file;
	enum indynet_log_level log_level;
	indynet_log_fn log;
	void *log_opaque;
	indynet_notify_fn rx_notify;
	void *rx_notify_opaque;
};

static const uint8_t guest_mac[6] = T_GUEST_MAC;

static void on_rx(void *opaque)
{
	atomic_fetch_add((atomic_int *)opaque, 1);
}

static int match_arp_reply(const uint8_t *f, size_t len, void *arg)
{
	struct eth_view eth;
	struct arp_view a;

	(void)arg;
	return eth_parse(f, len, &eth) == 0 && eth.ethertype == ETHERTYPE_ARP &&
	       arp_parse(eth.payload, eth.payload_len, &a) == 0 && a.op == ARP_OP_REPLY;
}

/*
 * A version-1 caller's struct is smaller than today's: it is allocated at
 * exactly its size so that ASan sees any read of a later field.  Its subnet
 * and its rx_notify must be honoured.
 */
static void test_version1_caller(void **state)
{
	static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 1 };
	struct config_v1 *v1 = calloc(1, sizeof(*v1));
	atomic_int notified = 0;
	indynet_engine *e = NULL;
	uint8_t f[64], r[2048];
	struct eth_view eth;
	char err[256] = "";
	size_t n;

	(void)state;
	assert_non_null(v1);
	*v1 = (struct config_v1){ .version = 1, .nat_subnet = "10.0.2.0/24", .log_level = INDYNET_LOG_WARN,
				  .rx_notify = on_rx, .rx_notify_opaque = &notified };
	assert_int_equal(indynet_engine_new((const struct indynet_config *)v1, &e, err, sizeof(err)), 0);
	free(v1); /* the engine keeps its own copy */
	assert_int_equal(indynet_engine_start(e), 0);
	n = t_arp_request(f, guest_mac, t_ip(10, 0, 2, 2), t_ip(10, 0, 2, 1));
	assert_int_equal(indynet_guest_send(e, f, n), 0);
	n = t_wait_frame(e, r, sizeof(r), 2000, match_arp_reply, NULL);
	assert_true(n > 0);
	assert_int_equal(eth_parse(r, n, &eth), 0);
	assert_memory_equal(eth.src, gw_mac, 6);
	indynet_engine_stop(e);
	assert_true(atomic_load(&notified) >= 1);
	indynet_engine_free(e);
}

static void refused(unsigned version)
{
	struct indynet_config cfg;
	indynet_engine *e = (indynet_engine *)1;
	char err[256] = "", want[256];

	indynet_config_init(&cfg);
	cfg.version = version;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), -EINVAL);
	assert_null(e);
	snprintf(want, sizeof(want), "configuration version %u is not supported (this library accepts 1 to %u)",
		 version, INDYNET_CONFIG_VERSION_MAX);
	assert_string_equal(err, want);
}

static void test_out_of_range_refused(void **state)
{
	(void)state;
	refused(0);
	refused(INDYNET_CONFIG_VERSION_MAX + 1);
	refused(99);
}

/* every version in the range is accepted; indynet_config_init() gives the newest */
static void test_range_accepted(void **state)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;

	(void)state;
	indynet_config_init(&cfg);
	assert_int_equal(cfg.version, INDYNET_CONFIG_VERSION_MAX);
	for (unsigned v = INDYNET_CONFIG_VERSION_MIN; v <= INDYNET_CONFIG_VERSION_MAX; v++) {
		cfg.version = v;
		assert_int_equal(indynet_engine_new(&cfg, &e, NULL, 0), 0);
		indynet_engine_free(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version1_caller),
		cmocka_unit_test(test_out_of_range_refused),
		cmocka_unit_test(test_range_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
