/* SPDX-License-Identifier: MIT */
/* test_dlog.c: indynetd's log path: level filter and the rate limit of repeated lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/dlog.h"

static int64_t fake_now;
static FILE *captured;
static int saved_stderr = -1;

static int64_t fake_clock(void)
{
	return fake_now;
}

/* stderr goes to a temporary file for each test; text() returns what was written since. */
static int setup(void **state)
{
	(void)state;
	fflush(stderr);
	captured = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	if (!captured || saved_stderr < 0 || dup2(fileno(captured), STDERR_FILENO) < 0)
		return -1;
	fake_now = 1000000;
	dlog_set_clock(fake_clock);
	dlog_reset();
	dlog_set_level(INDYNET_LOG_INFO);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dlog_reset();
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fclose(captured);
	return 0;
}

static char *text(void)
{
	static char buf[65536];
	size_t n;

	fflush(stderr);
	rewind(captured);
	n = fread(buf, 1, sizeof(buf) - 1, captured);
	buf[n] = '\0';
	return buf;
}

static unsigned count_lines(const char *s, const char *needle)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_level_filter(void **state)
{
	(void)state;
	dlog(INDYNET_LOG_DEBUG, "hidden %d", 1);
	dlog(INDYNET_LOG_WARN, "shown %d", 2);
	assert_string_equal(text(), "indynetd: warn: shown 2\n");
}

/* A flood of one call site prints DLOG_BURST lines, then one summary per window. */
static void test_flood_is_summarised(void **state)
{
	char *t;

	(void)state;
	for (int i = 0; i < 100000; i++)
		dlog(INDYNET_LOG_WARN, "accept failed: attempt %d", i);
	t = text();
	assert_int_equal(count_lines(t, "\n"), DLOG_BURST);
	assert_int_equal(dlog_deadline_ms(), DLOG_WINDOW_MS);
	fake_now += DLOG_WINDOW_MS - 1;
	dlog_flush();
	assert_int_equal(count_lines(text(), "\n"), DLOG_BURST);
	fake_now += 1;
	dlog_flush();
	t = text();
	assert_int_equal(count_lines(t, "\n"), DLOG_BURST + 1);
	assert_non_null(strstr(t, "indynetd: warn: accept failed: attempt 99999 (suppressed 99995 "
				  "similar lines in 10 s)\n"));
	assert_int_equal(dlog_deadline_ms(), -1);
	/* the next window prints again */
	dlog(INDYNET_LOG_WARN, "accept failed: attempt %d", 7);
	assert_int_equal(count_lines(text(), "attempt 7\n"), 1);
}

/* Two call sites alternating do not share a budget; a summary is due when a new message arrives late. */
static void test_keys_are_separate(void **state)
{
	char *t;

	(void)state;
	for (int i = 0; i < 50; i++) {
		dlog(INDYNET_LOG_INFO, "QEMU is at %s", i % 2 ? "/a" : "/b");
		dlog(INDYNET_LOG_INFO, "other %d", i);
	}
	t = text();
	assert_int_equal(count_lines(t, "QEMU is at"), DLOG_BURST);
	assert_int_equal(count_lines(t, "other"), DLOG_BURST);
	fake_now += DLOG_WINDOW_MS;
	dlog(INDYNET_LOG_INFO, "QEMU is at %s", "/c");
	t = text();
	assert_non_null(strstr(t, "QEMU is at /a (suppressed 45 similar lines in 10 s)\n"));
	assert_non_null(strstr(t, "QEMU is at /c\n"));
}

/* The engine's messages arrive formatted: lines differing only in numbers are one key. */
static void test_engine_messages(void **state)
{
	char msg[64];
	char *t;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(msg, sizeof(msg), "nat: flow %d.%d refused", i, i * 7);
		dlog_engine(NULL, INDYNET_LOG_WARN, msg);
	}
	dlog_engine(NULL, INDYNET_LOG_WARN, "tap: something else");
	dlog_engine(NULL, INDYNET_LOG_DEBUG, "below the level");
	t = text();
	assert_int_equal(count_lines(t, "nat: flow"), DLOG_BURST);
	assert_int_equal(count_lines(t, "something else"), 1);
	assert_null(strstr(t, "below the level"));
}

/* More keys than slots: an evicted key with suppressed lines is summarised, not lost. */
static void test_many_keys(void **state)
{
	char msg[64];
	char *t;

	(void)state;
	for (int k = 0; k < 3 * DLOG_SLOTS; k++) {
		for (int i = 0; i < DLOG_BURST + 2; i++) {
			snprintf(msg, sizeof(msg), "key %c%c", 'a' + k % 26, 'a' + k / 26);
			dlog_engine(NULL, INDYNET_LOG_INFO, msg);
		}
	}
	dlog_reset();
	t = text();
	assert_int_equal(count_lines(t, "(suppressed 2 similar"), 3 * DLOG_SLOTS);
	assert_int_equal(count_lines(t, "\n"), 3 * DLOG_SLOTS * (DLOG_BURST + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_level_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_is_summarised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
