/* SPDX-License-Identifier: MIT */
/* fe_stream.h: the QEMU stream connection shared by the listening and connecting frontends. */
#ifndef INDYNETD_FE_STREAM_H
#define INDYNETD_FE_STREAM_H

#include "frontend.h"

/**
 * fe_stream_alloc() - allocate the framing buffers of a stream frontend.
 * @fe: frontend
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int fe_stream_alloc(struct frontend *fe, char *err, size_t errlen);

/**
 * fe_stream_on_data() - engine thread: read frames from the QEMU connection.
 * @opaque: the frontend
 * @fd: the connection
 * @revents: poll events
 */
void fe_stream_on_data(void *opaque, int fd, short revents);

/**
 * fe_stream_send() - send one frame with its length prefix (fe->lock held).
 * @fe: frontend
 * @frame: the frame
 * @len: its length
 *
 * Return: 0, FRAMING_TX_QUEUED (taken, output pending), -EAGAIN, or a
 * negative errno for a broken connection.
 */
int fe_stream_send(struct frontend *fe, const uint8_t *frame, size_t len);

/**
 * fe_stream_flush() - continue pending output (fe->lock held).
 * @fe: frontend
 *
 * Return: 0, -EAGAIN or a negative errno for a broken connection.
 */
int fe_stream_flush(struct frontend *fe);

#endif
