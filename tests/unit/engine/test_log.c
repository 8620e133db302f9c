/* SPDX-License-Identifier: MIT */
/* test_log.c: one log sink per engine: two engines each see only their own messages, none after it is freed. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <indynet/indynet.h>

struct seen {
	unsigned calls;
	char last[256];
};

static void sink(void *opaque, enum indynet_log_level level, const char *msg)
{
	struct seen *s = opaque;

	(void)level;
	s->calls++;
	snprintf(s->last, sizeof(s->last), "%s", msg);
}

static indynet_engine *start(indynet_log_fn fn, struct seen *s)
{
	struct indynet_config cfg;
	indynet_engine *e;
	char err[256];

	indynet_config_init(&cfg);
	cfg.log = fn;
	cfg.log_opaque = s;
	cfg.log_level = INDYNET_LOG_INFO;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(e), 0);
	return e;
}

static void subnet(indynet_engine *e, const char *cidr)
{
	char err[256];

	assert_int_equal(indynet_set_nat_subnet(e, cidr, err, sizeof(err)), 0);
}

static void test_two_engines_two_sinks(void **state)
{
	(void)state;
	struct seen global = { 0 }, a = { 0 };
	struct seen *b = calloc(1, sizeof(*b)); /* freed with its engine: a late call is a use-after-free */
	indynet_engine *ea, *eb, *ec;

	indynet_set_log(sink, &global, INDYNET_LOG_INFO);
	ea = start(sink, &a);
	eb = start(sink, b);
	subnet(ea, "10.1.0.0/24");
	assert_int_equal(a.calls, 1);
	assert_non_null(strstr(a.last, "10.1.0.0/24"));
	assert_int_equal(b->calls, 0);
	subnet(eb, "10.2.0.0/24");
	assert_int_equal(b->calls, 1);
	assert_non_null(strstr(b->last, "10.2.0.0/24"));
	assert_int_equal(a.calls, 1);
	/* Creating B did not take the process-wide sink, nor A's. */
	assert_int_equal(global.calls, 0);

	indynet_engine_free(eb);
	free(b);
	subnet(ea, "10.3.0.0/24");
	assert_int_equal(a.calls, 2);
	assert_non_null(strstr(a.last, "10.3.0.0/24"));

	/* An engine without a callback of its own uses the process-wide sink. */
	ec = start(NULL, NULL);
	subnet(ec, "10.4.0.0/24");
	assert_int_equal(global.calls, 1);
	assert_non_null(strstr(global.last, "10.4.0.0/24"));
	assert_int_equal(a.calls, 2);
	indynet_engine_free(ec);
	indynet_engine_free(ea);
	indynet_set_log(NULL, NULL, INDYNET_LOG_INFO);
	assert_int_equal(a.calls, 2);
	assert_int_equal(global.calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_engines_two_sinks),
	};
	return cmocka_run_group_tests_name("engine-log", tests, NULL, NULL);
}
