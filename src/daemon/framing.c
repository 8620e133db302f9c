/* SPDX-License-Identifier: MIT */
/* framing.c: QEMU stream netdev framing (4-byte big-endian length before each frame). */
#include "framing.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

void framing_rx_reset(struct framing_rx *rx)
{
	rx->head = 0;
	rx->tail = 0;
}

uint8_t *framing_rx_space(struct framing_rx *rx, size_t *room)
{
	if (rx->tail == sizeof(rx->buf))
		framing_rx_compact(rx);
	*room = sizeof(rx->buf) - rx->tail;
	return rx->buf + rx->tail;
}

void framing_rx_commit(struct framing_rx *rx, size_t n)
{
	rx->tail += n;
}

int framing_rx_next(struct framing_rx *rx, const uint8_t **frame, size_t *len)
{
	size_t avail = rx->tail - rx->head;
	const uint8_t *p = rx->buf + rx->head;
	uint32_t flen;

	if (avail < 4)
		return 0;
	flen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (flen > FRAMING_MAX_LEN)
		return -EPROTO;
	if (avail - 4 < flen)
		return 0;
	*frame = p + 4;
	*len = flen;
	rx->head += 4 + flen;
	return 1;
}

void framing_rx_compact(struct framing_rx *rx)
{
	size_t avail = rx->tail - rx->head;

	if (rx->head == 0)
		return;
	memmove(rx->buf, rx->buf + rx->head, avail);
	rx->head = 0;
	rx->tail = avail;
}

void framing_tx_reset(struct framing_tx *tx)
{
	tx->head = 0;
	tx->tail = 0;
}

bool framing_tx_pending(const struct framing_tx *tx)
{
	return tx->tail != tx->head;
}

static void framing_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Copy bytes [skip, 4 + len) of prefix+frame to the pending buffer. */
static void framing_tx_keep(struct framing_tx *tx, const uint8_t hdr[4], const void *frame,
			    size_t len, size_t skip)
{
	if (tx->head == tx->tail) {
		tx->head = 0;
		tx->tail = 0;
	} else if (tx->head > 0) {
		memmove(tx->buf, tx->buf + tx->head, tx->tail - tx->head);
		tx->tail -= tx->head;
		tx->head = 0;
	}
	if (skip < 4) {
		memcpy(tx->buf + tx->tail, hdr + skip, 4 - skip);
		tx->tail += 4 - skip;
		skip = 4;
	}
	memcpy(tx->buf + tx->tail, (const uint8_t *)frame + (skip - 4), len - (skip - 4));
	tx->tail += len - (skip - 4);
}

int framing_tx_flush(struct framing_tx *tx, int fd)
{
	while (tx->head < tx->tail) {
		ssize_t n = send(fd, tx->buf + tx->head, tx->tail - tx->head, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		tx->head += (size_t)n;
	}
	tx->head = 0;
	tx->tail = 0;
	return 0;
}

int framing_tx_send(struct framing_tx *tx, int fd, const void *frame, size_t len)
{
	uint8_t hdr[4];
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;
	int rc;

	if (len > FRAMING_MAX_LEN)
		return -EMSGSIZE;
	framing_put_be32(hdr, (uint32_t)len);
	if (framing_tx_pending(tx)) {
		rc = framing_tx_flush(tx, fd);
		if (rc == -EAGAIN) {
			if (sizeof(tx->buf) - (tx->tail - tx->head) < 4 + len)
				return -EAGAIN;
			framing_tx_keep(tx, hdr, frame, len, 0);
			return FRAMING_TX_QUEUED;
		}
		if (rc < 0)
			return rc;
	}
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = 4 };
	iov[1] = (struct iovec){ .iov_base = (void *)(uintptr_t)frame, .iov_len = len };
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		n = 0;
	}
	if ((size_t)n == 4 + len)
		return 0;
	framing_tx_keep(tx, hdr, frame, len, (size_t)n);
	return FRAMING_TX_QUEUED;
}
