/* SPDX-License-Identifier: MIT */
/* framing.h: QEMU stream netdev framing (4-byte big-endian length before each frame). */
#ifndef INDYNETD_FRAMING_H
#define INDYNETD_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <indynet/indynet.h>

/*
 * Theory of operation
 *
 * QEMU's stream netdev (and its older socket netdev) writes each frame as a
 * 32-bit big-endian length followed by the frame.  A stream socket delivers
 * any split of that: half a prefix, three frames and a half, ...
 *
 * Receive side: the caller reads into framing_rx_space() and commits the
 * byte count; framing_rx_next() then hands out complete frames in place
 * (no copy) until only a partial one is left, which framing_rx_compact()
 * moves to the front of the buffer.  A prefix larger than FRAMING_MAX_LEN
 * means the stream is desynchronised (or hostile): the caller closes it.
 *
 * Send side: framing_tx_send() writes prefix and frame with one writev()
 * when nothing is pending; whatever the socket does not take is copied to
 * the pending buffer, and framing_tx_flush() continues it when the socket
 * is writable again.  A frame is accepted whole or not at all.  The caller
 * must wait for writability whenever output is pending (FRAMING_TX_QUEUED):
 * if it waited only for its next frame instead, the tail of a burst would
 * sit in the buffer until the guest happened to send something.
 */

/** Largest frame length accepted in a stream prefix. */
#define FRAMING_MAX_LEN 65536u
/** Receive buffer: room for at least two maximal frames. */
#define FRAMING_RX_CAP (2u * (4u + FRAMING_MAX_LEN))
/** framing_tx_send(): the frame was taken, but part of the output waits for the socket. */
#define FRAMING_TX_QUEUED 1
/** Pending send buffer. */
#define FRAMING_TX_CAP (4u * (4u + FRAMING_MAX_LEN))

struct framing_rx {
	size_t head; /* first unconsumed byte */
	size_t tail; /* end of the data */
	uint8_t buf[FRAMING_RX_CAP];
};

struct framing_tx {
	size_t head;
	size_t tail;
	uint8_t buf[FRAMING_TX_CAP];
};

/**
 * framing_rx_reset() - forget all buffered input.
 * @rx: receive state
 */
void framing_rx_reset(struct framing_rx *rx);

/**
 * framing_rx_space() - where the next read goes.
 * @rx: receive state
 * @room: receives the number of bytes free there (never 0)
 *
 * Return: pointer into the buffer.
 */
uint8_t *framing_rx_space(struct framing_rx *rx, size_t *room);

/**
 * framing_rx_commit() - account for @n bytes read into framing_rx_space().
 * @rx: receive state
 * @n: bytes read
 */
void framing_rx_commit(struct framing_rx *rx, size_t n);

/**
 * framing_rx_next() - take the next complete frame.
 * @rx: receive state
 * @frame: receives a pointer into the buffer, valid until the next rx call
 * @len: receives the frame length (may be below 14: the engine counts it)
 *
 * Return: 1 for a frame, 0 when more input is needed, -EPROTO when the
 * length prefix exceeds FRAMING_MAX_LEN.
 */
int framing_rx_next(struct framing_rx *rx, const uint8_t **frame, size_t *len);

/**
 * framing_rx_compact() - move a trailing partial frame to the buffer start.
 * @rx: receive state
 */
void framing_rx_compact(struct framing_rx *rx);

/**
 * framing_tx_reset() - drop all pending output.
 * @tx: send state
 */
void framing_tx_reset(struct framing_tx *tx);

/**
 * framing_tx_pending() - whether output is waiting for the socket.
 * @tx: send state
 *
 * Return: true when bytes are pending.
 */
bool framing_tx_pending(const struct framing_tx *tx);

/**
 * framing_tx_send() - send one frame with its length prefix.
 * @tx: send state
 * @fd: non-blocking stream socket
 * @frame: the frame
 * @len: its length, at most FRAMING_MAX_LEN
 *
 * Return: 0 when the frame was written whole, FRAMING_TX_QUEUED when it was
 * taken but output is pending (poll for writability, then framing_tx_flush()),
 * -EAGAIN when there is no room for it (nothing was taken: retry after
 * framing_tx_flush()), or another negative errno when the connection failed.
 */
int framing_tx_send(struct framing_tx *tx, int fd, const void *frame, size_t len);

/**
 * framing_tx_flush() - write pending output.
 * @tx: send state
 * @fd: non-blocking stream socket
 *
 * Return: 0 when everything was written, -EAGAIN when some is still
 * pending, or another negative errno when the connection failed.
 */
int framing_tx_flush(struct framing_tx *tx, int fd);

#endif
