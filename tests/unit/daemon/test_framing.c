/* SPDX-License-Identifier: MIT */
/* test_framing.c: the QEMU stream framing encoder and decoder. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/framing.h"

static struct framing_rx rx;
static struct framing_tx tx;

static void feed(const uint8_t *data, size_t len)
{
	size_t room;
	uint8_t *p = framing_rx_space(&rx, &room);

	assert_true(room >= len);
	memcpy(p, data, len);
	framing_rx_commit(&rx, len);
}

static size_t put_frame(uint8_t *out, uint32_t len, uint8_t fill)
{
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	memset(out + 4, fill, len);
	return 4 + len;
}

static void test_rx_one_byte_at_a_time(void **state)
{
	uint8_t wire[4 + 60];
	const uint8_t *frame;
	size_t len, n = put_frame(wire, 60, 0xab);

	(void)state;
	framing_rx_reset(&rx);
	for (size_t i = 0; i < n - 1; i++) {
		feed(wire + i, 1);
		assert_int_equal(framing_rx_next(&rx, &frame, &len), 0);
		framing_rx_compact(&rx);
	}
	feed(wire + n - 1, 1);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 1);
	assert_int_equal(len, 60);
	assert_int_equal(frame[0], 0xab);
	assert_int_equal(frame[59], 0xab);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 0);
}

static void test_rx_split_and_batched(void **state)
{
	static uint8_t wire[3 * (4 + 1514)];
	const uint8_t *frame;
	size_t len, n = 0;

	(void)state;
	framing_rx_reset(&rx);
	n += put_frame(wire + n, 1514, 1);
	n += put_frame(wire + n, 42, 2);
	n += put_frame(wire + n, 1000, 3);
	/* First read: frame 1 whole, frame 2 whole, 2 bytes of frame 3's prefix. */
	feed(wire, 4 + 1514 + 4 + 42 + 2);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 1);
	assert_int_equal(len, 1514);
	assert_int_equal(frame[1513], 1);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 1);
	assert_int_equal(len, 42);
	assert_int_equal(frame[0], 2);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 0);
	framing_rx_compact(&rx);
	/* Second read: the rest of the prefix and half the payload. */
	feed(wire + 4 + 1514 + 4 + 42 + 2, 2 + 500);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 0);
	framing_rx_compact(&rx);
	feed(wire + n - 500, 500);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 1);
	assert_int_equal(len, 1000);
	assert_int_equal(frame[0], 3);
	assert_int_equal(frame[999], 3);
}

static void test_rx_limits(void **state)
{
	static uint8_t wire[4 + FRAMING_MAX_LEN];
	const uint8_t over[4] = { 0x00, 0x01, 0x00, 0x01 }; /* 65537 */
	const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
	const uint8_t empty[4] = { 0, 0, 0, 0 };
	const uint8_t *frame;
	size_t len;

	(void)state;
	framing_rx_reset(&rx);
	feed(wire, put_frame(wire, FRAMING_MAX_LEN, 7));
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 1);
	assert_int_equal(len, FRAMING_MAX_LEN);
	framing_rx_compact(&rx);
	/* A zero-length frame is handed on: the engine counts it as truncated. */
	feed(empty, 4);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), 1);
	assert_int_equal(len, 0);
	feed(over, 4);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), -EPROTO);
	framing_rx_reset(&rx);
	feed(huge, 4);
	assert_int_equal(framing_rx_next(&rx, &frame, &len), -EPROTO);
}

static void make_pair(int sv[2], int sndbuf)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	if (sndbuf)
		assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
}

static void test_tx_encoding(void **state)
{
	const uint8_t frame[5] = { 1, 2, 3, 4, 5 };
	const uint8_t want[18] = { 0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0, 5, 1, 2, 3, 4, 5 };
	uint8_t got[32];
	int sv[2];

	(void)state;
	make_pair(sv, 0);
	framing_tx_reset(&tx);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame, sizeof(frame)), 0);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame, sizeof(frame)), 0);
	assert_false(framing_tx_pending(&tx));
	assert_int_equal(recv(sv[1], got, sizeof(got), MSG_DONTWAIT), (ssize_t)sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(framing_tx_send(&tx, sv[0], frame, FRAMING_MAX_LEN + 1), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

/* Drain the peer while decoding; returns the frames seen (frame i is filled with byte i). */
static int read_back(int fd, int first, int expect_frames)
{
	static uint8_t buf[65536];
	const uint8_t *frame;
	size_t len;
	int frames = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		feed(buf, (size_t)n);
		while (framing_rx_next(&rx, &frame, &len) == 1) {
			assert_int_equal(len, 9000);
			assert_int_equal(frame[0], (uint8_t)(first + frames));
			assert_int_equal(frame[len - 1], (uint8_t)(first + frames));
			frames++;
		}
		framing_rx_compact(&rx);
	}
	assert_true(frames <= expect_frames);
	return frames;
}

static void test_tx_partial_writes(void **state)
{
	static uint8_t frame[9000];
	int sv[2], sent = 0, seen = 0, queued = 0, rc;

	(void)state;
	make_pair(sv, 4096);
	framing_tx_reset(&tx);
	framing_rx_reset(&rx);
	/* Fill the socket and the pending buffer until a frame is refused whole. */
	for (;;) {
		memset(frame, sent, sizeof(frame));
		rc = framing_tx_send(&tx, sv[0], frame, sizeof(frame));
		if (rc == -EAGAIN)
			break;
		/* Taken: QUEUED exactly when part of it waits for the socket. */
		assert_true(rc == 0 || rc == FRAMING_TX_QUEUED);
		assert_int_equal(rc == FRAMING_TX_QUEUED, framing_tx_pending(&tx));
		queued += rc == FRAMING_TX_QUEUED;
		sent++;
		assert_true(sent < 1000);
	}
	assert_true(queued > 0);
	assert_true(framing_tx_pending(&tx));
	/* Alternate reading and flushing: every frame arrives whole and in order. */
	for (int rounds = 0; rounds < 10000 && seen < sent; rounds++) {
		seen += read_back(sv[1], seen, sent - seen);
		rc = framing_tx_flush(&tx, sv[0]);
		assert_true(rc == 0 || rc == -EAGAIN);
	}
	assert_int_equal(seen, sent);
	assert_false(framing_tx_pending(&tx));
	close(sv[0]);
	close(sv[1]);
}

static void test_tx_broken_peer(void **state)
{
	const uint8_t frame[64] = { 0 };
	int sv[2];

	(void)state;
	make_pair(sv, 0);
	framing_tx_reset(&tx);
	close(sv[1]);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame, sizeof(frame)), -EPIPE);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_one_byte_at_a_time),
		cmocka_unit_test(test_rx_split_and_batched),
		cmocka_unit_test(test_rx_limits),
		cmocka_unit_test(test_tx_encoding),
		cmocka_unit_test(test_tx_partial_writes),
		cmocka_unit_test(test_tx_broken_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
