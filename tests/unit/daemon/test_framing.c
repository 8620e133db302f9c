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
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/framing.h"

static struct framing_rx rx;
static struct framing_tx tx;

/*
 * A stingy socket: the writes to stingy_fd take at most stingy_budget bytes
 * in all (-1: no limit; 0: the socket is full, EAGAIN), whichever call the
 * framing uses.  It makes the kernel's partial writes happen at a chosen byte.
 */
static int stingy_fd = -1;
static long stingy_budget = -1;

/* Trim @iov to the budget in @out; -1 with EAGAIN when the budget is spent. */
static int stingy_trim(int fd, const struct iovec *iov, int cnt, struct iovec *out)
{
	long left = fd == stingy_fd ? stingy_budget : -1;
	int i;

	if (left == 0) {
		errno = EAGAIN;
		return -1;
	}
	for (i = 0; i < cnt && i < 8; i++) {
		out[i] = iov[i];
		if (left >= 0 && out[i].iov_len > (size_t)left)
			out[i].iov_len = (size_t)left;
		if (left >= 0)
			left -= (long)out[i].iov_len;
	}
	return i;
}

/* errno is unspecified after a success: leave EINTR there, as a libc may after retrying. */
static ssize_t stingy_spent(int fd, ssize_t n)
{
	if (fd == stingy_fd && stingy_budget > 0 && n > 0)
		stingy_budget -= n;
	if (fd == stingy_fd && n >= 0)
		errno = EINTR;
	return n;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct iovec iov[8];
	struct msghdr m = *msg;
	int cnt = stingy_trim(fd, msg->msg_iov, (int)msg->msg_iovlen, iov);

	if (cnt < 0)
		return -1;
	m.msg_iov = iov;
	m.msg_iovlen = (size_t)cnt;
	return stingy_spent(fd, syscall(SYS_sendmsg, fd, &m, flags));
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct iovec one = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &one, .msg_iovlen = 1 };

	return sendmsg(fd, &m, flags);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	struct iovec v[8];
	int n = stingy_trim(fd, iov, cnt, v);

	return n < 0 ? -1 : stingy_spent(fd, syscall(SYS_writev, fd, v, n));
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct iovec one = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };

	return writev(fd, &one, 1);
}

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

/* Read as a frontend does (as much as the free room takes): the room is never more than is free. */
static void test_rx_room_is_free_space(void **state)
{
	static const uint32_t sizes[] = { 65536, 1, 65536, 300, 65536, 65536, 7, 65536, 1514, 65535 };
	static uint8_t wire[sizeof(sizes) / sizeof(sizes[0]) * (4 + 65536)];
	size_t total = 0, fed = 0, used = 0, room, len;
	const uint8_t *frame;
	unsigned i, got = 0;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		total += put_frame(wire + total, sizes[i], (uint8_t)(i + 1));
	framing_rx_reset(&rx);
	while (fed < total) {
		uint8_t *p = framing_rx_space(&rx, &room);
		size_t n = total - fed < room ? total - fed : room;

		assert_true(room > 0);
		assert_true(room <= FRAMING_RX_CAP - (fed - used));
		memcpy(p, wire + fed, n);
		framing_rx_commit(&rx, n);
		fed += n;
		while ((rc = framing_rx_next(&rx, &frame, &len)) == 1) {
			assert_int_equal(len, sizes[got]);
			if (len) {
				assert_int_equal(frame[0], got + 1);
				assert_int_equal(frame[len - 1], got + 1);
			}
			used += 4 + len;
			got++;
		}
		assert_int_equal(rc, 0);
		if (fed - used > FRAMING_RX_CAP / 2)
			continue; /* leave the compaction to framing_rx_space() */
		framing_rx_compact(&rx);
	}
	assert_int_equal(got, sizeof(sizes) / sizeof(sizes[0]));
}

static void test_rx_limits(void **state)
{
	static uint8_t wire[4 + FRAMING_MAX_LEN];
	const uint8_t over[4] = { 0x00, 0x01, 0x00, 0x01 }; /* 65537 */
	const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
	const uint8_t high[4 + 64] = { 0x01, 0x00, 0x00, 0x40 }; /* 16 M + 64, its 64 bytes following */
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
	/* only the top byte is off: the low bytes would make a valid 64-byte frame */
	framing_rx_reset(&rx);
	feed(high, sizeof(high));
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

/* Decode what the peer received; frame i must be @lens[i] bytes of (i + 1). */
static unsigned drain(int fd, const size_t *lens, unsigned want)
{
	static uint8_t buf[65536];
	const uint8_t *frame;
	size_t len;
	unsigned got = 0;
	ssize_t n;

	framing_rx_reset(&rx);
	for (int rounds = 0; rounds < 100000 && got < want; rounds++) {
		int rc = framing_tx_flush(&tx, stingy_fd);

		assert_true(rc == 0 || rc == -EAGAIN);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		feed(buf, (size_t)n);
		while (framing_rx_next(&rx, &frame, &len) == 1) {
			assert_true(got < want);
			assert_int_equal(len, lens[got]);
			assert_int_equal(frame[0], got + 1);
			assert_int_equal(frame[len - 1], got + 1);
			got++;
		}
		framing_rx_compact(&rx);
	}
	assert_false(framing_tx_pending(&tx));
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	return got;
}

static void stingy_pair(int sv[2])
{
	make_pair(sv, 0);
	stingy_fd = sv[0];
	stingy_budget = -1;
	framing_tx_reset(&tx);
}

static void stingy_close(int sv[2])
{
	stingy_fd = -1;
	close(sv[0]);
	close(sv[1]);
}

/* The socket takes 0..5 bytes of a frame: the rest follows, prefix and all, and the next frame after it. */
static void test_tx_split_in_prefix(void **state)
{
	static uint8_t frame[3][100];
	const size_t lens[3] = { 100, 100, 100 };
	int sv[2];

	(void)state;
	for (int i = 0; i < 3; i++)
		memset(frame[i], i + 1, sizeof(frame[i]));
	for (long k = 0; k <= 5; k++) {
		stingy_pair(sv);
		stingy_budget = k;
		assert_int_equal(framing_tx_send(&tx, sv[0], frame[0], 100), FRAMING_TX_QUEUED);
		assert_true(framing_tx_pending(&tx));
		stingy_budget = 0;
		assert_int_equal(framing_tx_send(&tx, sv[0], frame[1], 100), FRAMING_TX_QUEUED);
		/* the socket drains: the next send writes what waited, then itself */
		stingy_budget = -1;
		assert_int_equal(framing_tx_send(&tx, sv[0], frame[2], 100), 0);
		assert_false(framing_tx_pending(&tx));
		assert_int_equal(drain(sv[1], lens, 3), 3);
		stingy_close(sv);
	}
}

/* A frame that exactly fills the free pending space is taken; one byte more is refused whole. */
static void test_tx_exact_fit(void **state)
{
	static uint8_t frame[5][FRAMING_MAX_LEN];
	/*
	 * 4 * (4 + 65536) bytes of room: the first four frames leave 536 of it,
	 * and one byte more once the socket has taken the first byte.
	 */
	const size_t lens[5] = { FRAMING_MAX_LEN, FRAMING_MAX_LEN, FRAMING_MAX_LEN, 65000, 533 };
	int sv[2];

	(void)state;
	for (int i = 0; i < 5; i++)
		memset(frame[i], i + 1, FRAMING_MAX_LEN);
	stingy_pair(sv);
	stingy_budget = 0;
	for (int i = 0; i < 4; i++)
		assert_int_equal(framing_tx_send(&tx, sv[0], frame[i], lens[i]), FRAMING_TX_QUEUED);
	stingy_budget = 1;
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[4], lens[4] + 1), -EAGAIN);
	assert_int_equal(stingy_budget, 0);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[4], lens[4]), FRAMING_TX_QUEUED);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[4], 1), -EAGAIN);
	stingy_budget = -1;
	assert_int_equal(drain(sv[1], lens, 5), 5);
	stingy_close(sv);
}

/* New frames queue behind output that was partly flushed: nothing is lost, duplicated or reordered. */
static void test_tx_queue_after_partial_flush(void **state)
{
	static uint8_t frame[6][FRAMING_MAX_LEN];
	const size_t lens[6] = { FRAMING_MAX_LEN, FRAMING_MAX_LEN, FRAMING_MAX_LEN, FRAMING_MAX_LEN, 1000, 3 };
	int sv[2];

	(void)state;
	for (int i = 0; i < 6; i++)
		memset(frame[i], i + 1, FRAMING_MAX_LEN);
	stingy_pair(sv);
	stingy_budget = 0;
	for (int i = 0; i < 4; i++)
		assert_int_equal(framing_tx_send(&tx, sv[0], frame[i], lens[i]), FRAMING_TX_QUEUED);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[4], lens[4]), -EAGAIN);
	/* The socket takes most of the first two frames; the rest moves up for the new ones. */
	stingy_budget = 2 * (4 + FRAMING_MAX_LEN) - 10;
	assert_int_equal(framing_tx_flush(&tx, sv[0]), -EAGAIN);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[4], lens[4]), FRAMING_TX_QUEUED);
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[5], lens[5]), FRAMING_TX_QUEUED);
	stingy_budget = -1;
	assert_int_equal(drain(sv[1], lens, 6), 6);
	stingy_close(sv);
}

/* A reset drops what waited: nothing pending, and the peer then gets only the frames sent after it. */
static void test_tx_reset_and_broken_peer_while_pending(void **state)
{
	static uint8_t frame[2][100];
	const size_t lens[1] = { 100 };
	int sv[2];

	(void)state;
	memset(frame[0], 9, sizeof(frame[0]));
	memset(frame[1], 1, sizeof(frame[1]));
	stingy_pair(sv);
	stingy_budget = 0;
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[0], 100), FRAMING_TX_QUEUED);
	framing_tx_reset(&tx);
	assert_false(framing_tx_pending(&tx));
	stingy_budget = -1;
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[1], 100), 0);
	assert_int_equal(drain(sv[1], lens, 1), 1);
	/* output waits, then the peer goes: the flush reports the broken pipe, not "try again" */
	stingy_budget = 0;
	assert_int_equal(framing_tx_send(&tx, sv[0], frame[1], 100), FRAMING_TX_QUEUED);
	close(sv[1]);
	stingy_budget = -1;
	assert_int_equal(framing_tx_flush(&tx, sv[0]), -EPIPE);
	stingy_fd = -1;
	close(sv[0]);
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
		cmocka_unit_test(test_rx_room_is_free_space),
		cmocka_unit_test(test_rx_limits),
		cmocka_unit_test(test_tx_encoding),
		cmocka_unit_test(test_tx_partial_writes),
		cmocka_unit_test(test_tx_split_in_prefix),
		cmocka_unit_test(test_tx_exact_fit),
		cmocka_unit_test(test_tx_queue_after_partial_flush),
		cmocka_unit_test(test_tx_reset_and_broken_peer_while_pending),
		cmocka_unit_test(test_tx_broken_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
