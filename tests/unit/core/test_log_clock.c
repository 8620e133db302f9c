/* SPDX-License-Identifier: MIT */
/* test_log_clock.c: log sink routing and level filter; clock monotonicity and units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/log.h"

struct capture {
	int calls;
	enum indynet_log_level level;
	char msg[ILOG_MSG_MAX];
};

static void capture_sink(void *opaque, enum indynet_log_level level, const char *msg)
{
	struct capture *c = opaque;

	c->calls++;
	c->level = level;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

static void test_sink_and_levels(void **state)
{
	(void)state;
	struct capture c = { 0 };

	ilog_set_sink(capture_sink, &c, INDYNET_LOG_WARN);
	ilog(INDYNET_LOG_ERROR, "port %d: %s", 2049, "busy");
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.level, INDYNET_LOG_ERROR);
	assert_string_equal(c.msg, "port 2049: busy");
	ilog(INDYNET_LOG_INFO, "filtered");
	assert_int_equal(c.calls, 1);
	assert_true(ilog_enabled(INDYNET_LOG_WARN));
	assert_false(ilog_enabled(INDYNET_LOG_DEBUG));
	ilog(INDYNET_LOG_WARN, "w");
	assert_int_equal(c.calls, 2);
	assert_string_equal(c.msg, "w");

	/* Long messages are truncated, not overflowed. */
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ilog(INDYNET_LOG_ERROR, "%s", big);
	assert_int_equal(strlen(c.msg), ILOG_MSG_MAX - 1);

	ilog_set_sink(NULL, NULL, INDYNET_LOG_ERROR);
	ilog(INDYNET_LOG_ERROR, "to stderr");
	assert_int_equal(c.calls, 3);
}

static void test_clocks(void **state)
{
	(void)state;
	uint64_t ns0 = clock_mono_ns();
	uint64_t ms0 = clock_mono_ms();
	struct timespec d = { 0, 20 * 1000 * 1000 };

	nanosleep(&d, NULL);
	uint64_t ns1 = clock_mono_ns();
	uint64_t ms1 = clock_mono_ms();

	assert_true(ns1 - ns0 >= 20u * 1000 * 1000);
	assert_true(ms1 - ms0 >= 19);
	assert_true(ms1 - ms0 < 5000);
	/* Wall clock in ms since the epoch: after 2020, agreeing with time(). */
	int64_t real = clock_real_ms();

	assert_true(real > 1577836800000LL);
	assert_true(real / 1000 - (int64_t)time(NULL) <= 1);
	assert_true((int64_t)time(NULL) - real / 1000 <= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_and_levels),
		cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
