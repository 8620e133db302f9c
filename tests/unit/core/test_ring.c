/* SPDX-License-Identifier: MIT */
/* test_ring.c: SPSC frame ring: wrap-around, full ring, zero copy, growth, two threads. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ring.h"

static void fill(uint8_t *p, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 31 + i);
}

static void check(const uint8_t *p, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seq * 31 + i))
			fail_msg("frame %u byte %zu differs", seq, i);
}

static void test_init_rejects_non_power_of_two(void **state)
{
	(void)state;
	struct frame_ring r;

	assert_int_equal(ring_init(&r, 0), -EINVAL);
	assert_int_equal(ring_init(&r, 3), -EINVAL);
	assert_int_equal(ring_init(&r, 255), -EINVAL);
	assert_int_equal(ring_init(&r, 256), 0);
	assert_int_equal(ring_capacity(&r), 256);
	assert_int_equal(ring_count(&r), 0);
	ring_destroy(&r);
}

static void test_empty_ring(void **state)
{
	(void)state;
	struct frame_ring r;
	const uint8_t *f;
	size_t len;

	assert_int_equal(ring_init(&r, 4), 0);
	assert_false(ring_peek(&r, &f, &len));
	ring_pop(&r); /* no-op */
	assert_int_equal(ring_count(&r), 0);
	assert_true(ring_push(&r, "ab", 2));
	assert_int_equal(ring_count(&r), 1);
	ring_destroy(&r);
}

/* Push/pop many times the slot count, with the fill level wandering 0..slots. */
static void test_wrap_around(void **state)
{
	(void)state;
	struct frame_ring r;
	uint8_t buf[1600];
	uint32_t in = 0, out = 0;

	assert_int_equal(ring_init(&r, 8), 0);
	for (int round = 0; round < 500; round++) {
		unsigned burst = (unsigned)(round * 7 % 9);

		for (unsigned i = 0; i < burst; i++) {
			size_t len = 14 + (in * 97) % 1500;

			fill(buf, len, in);
			if (!ring_push(&r, buf, len)) {
				assert_int_equal(ring_count(&r), 8);
				break;
			}
			in++;
		}
		unsigned take = (unsigned)(round * 5 % 8);

		for (unsigned i = 0; i < take; i++) {
			const uint8_t *f;
			size_t len;

			if (!ring_peek(&r, &f, &len)) {
				assert_int_equal(in, out);
				break;
			}
			assert_int_equal(len, 14 + (out * 97) % 1500);
			check(f, len, out);
			ring_pop(&r);
			out++;
		}
		assert_int_equal(ring_count(&r), in - out);
	}
	assert_true(in > 8 * 100);
	ring_destroy(&r);
}

static void test_full_ring(void **state)
{
	(void)state;
	struct frame_ring r;
	uint8_t b[64] = { 0 };
	const uint8_t *f;
	size_t len;

	assert_int_equal(ring_init(&r, 256), 0);
	for (uint32_t i = 0; i < 256; i++) {
		fill(b, sizeof(b), i);
		assert_true(ring_push(&r, b, sizeof(b)));
	}
	assert_int_equal(ring_count(&r), 256);
	assert_false(ring_push(&r, b, sizeof(b)));
	assert_null(ring_reserve(&r, 10));
	assert_true(ring_peek(&r, &f, &len));
	check(f, len, 0);
	ring_pop(&r);
	assert_true(ring_push(&r, b, sizeof(b)));
	assert_false(ring_push(&r, b, sizeof(b)));
	ring_destroy(&r);
}

static void test_reserve_commit(void **state)
{
	(void)state;
	struct frame_ring r;
	const uint8_t *f;
	size_t len;

	assert_int_equal(ring_init(&r, 2), 0);
	for (uint32_t i = 0; i < 10; i++) {
		uint8_t *p = ring_reserve(&r, 9000);

		assert_non_null(p);
		/* Nothing is visible before the commit. */
		assert_false(ring_peek(&r, &f, &len));
		fill(p, 1000 + i, i);
		ring_commit(&r, 1000 + i);
		assert_true(ring_peek(&r, &f, &len));
		assert_int_equal(len, 1000 + i);
		check(f, len, i);
		ring_pop(&r);
	}
	ring_destroy(&r);
}

/* Frames growing from 14 bytes to 64 KiB land intact; buffers only grow. */
static void test_growing_frames(void **state)
{
	(void)state;
	struct frame_ring r;
	uint8_t *b = malloc(65536);
	const uint8_t *f;
	size_t len;
	uint32_t seq = 0;

	assert_non_null(b);
	assert_int_equal(ring_init(&r, 4), 0);
	for (size_t sz = 14; sz <= 65536; sz = sz * 3 / 2 + 1) {
		fill(b, sz, seq);
		assert_true(ring_push(&r, b, sz));
		assert_true(ring_peek(&r, &f, &len));
		assert_int_equal(len, sz);
		check(f, len, seq);
		ring_pop(&r);
		seq++;
	}
	fill(b, 65536, seq);
	assert_true(ring_push(&r, b, 65536));
	assert_true(ring_peek(&r, &f, &len));
	assert_int_equal(len, 65536);
	check(f, len, seq);
	ring_pop(&r);
	/* Steady state: a slot that held a big frame keeps its buffer for a small one. */
	for (unsigned i = 0; i < 4; i++)
		assert_true(ring_push(&r, b, 65536));
	uint8_t *slot_bufs[4];

	for (unsigned i = 0; i < 4; i++) {
		assert_true(ring_peek(&r, &f, &len));
		slot_bufs[i] = (uint8_t *)(uintptr_t)f;
		ring_pop(&r);
	}
	for (unsigned i = 0; i < 4; i++) {
		assert_ptr_equal(ring_reserve(&r, 60), slot_bufs[i]);
		ring_commit(&r, 60);
	}
	ring_destroy(&r);
	free(b);
}

#define STRESS_FRAMES 400000u

static void *stress_producer(void *arg)
{
	struct frame_ring *r = arg;
	uint8_t b[2100];

	for (uint32_t seq = 0; seq < STRESS_FRAMES;) {
		size_t len = 14 + (seq * 131) % 2048;

		if (seq % 2) {
			uint8_t *p = ring_reserve(r, len);

			if (!p) {
				sched_yield();
				continue;
			}
			memcpy(p, &seq, 4);
			fill(p + 4, len - 4, seq);
			ring_commit(r, len);
		} else {
			memcpy(b, &seq, 4);
			fill(b + 4, len - 4, seq);
			if (!ring_push(r, b, len)) {
				sched_yield();
				continue;
			}
		}
		seq++;
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	(void)state;
	struct frame_ring r;
	pthread_t t;
	uint32_t expect = 0;

	assert_int_equal(ring_init(&r, 256), 0);
	assert_int_equal(pthread_create(&t, NULL, stress_producer, &r), 0);
	while (expect < STRESS_FRAMES) {
		const uint8_t *f;
		size_t len;
		uint32_t seq;

		if (!ring_peek(&r, &f, &len)) {
			sched_yield();
			continue;
		}
		memcpy(&seq, f, 4);
		if (seq != expect)
			fail_msg("got frame %u, expected %u", seq, expect);
		if (len != 14 + (seq * 131) % 2048)
			fail_msg("frame %u has length %zu", seq, len);
		check(f + 4, len - 4, seq);
		ring_pop(&r);
		expect++;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(ring_count(&r), 0);
	ring_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects_non_power_of_two),
		cmocka_unit_test(test_empty_ring),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_full_ring),
		cmocka_unit_test(test_reserve_commit),
		cmocka_unit_test(test_growing_frames),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
