/* SPDX-License-Identifier: MIT */
/* fe_stream.c: a QEMU stream connection (length-prefixed frames) on the engine thread. */
#include "fe_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dlog.h"

/* Reads per wake-up: bounded so one busy guest cannot starve the engine loop. */
#define FE_STREAM_READS 8

int fe_stream_alloc(struct frontend *fe, char *err, size_t errlen)
{
	fe->rx = malloc(sizeof(*fe->rx));
	fe->tx = malloc(sizeof(*fe->tx));
	if (!fe->rx || !fe->tx) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	framing_rx_reset(fe->rx);
	framing_tx_reset(fe->tx);
	return 0;
}

/* Hand every complete frame to the engine; false when the stream is desynchronised. */
static bool fe_stream_deliver_all(struct frontend *fe)
{
	const uint8_t *frame;
	size_t len;
	int rc;

	while ((rc = framing_rx_next(fe->rx, &frame, &len)) == 1)
		frontend_deliver(fe, frame, len);
	if (rc < 0) {
		dlog(INDYNET_LOG_WARN, "%s: frame length prefix exceeds %u bytes: closing the connection",
		     fe->label, FRAMING_MAX_LEN);
		return false;
	}
	framing_rx_compact(fe->rx);
	return true;
}

void fe_stream_on_data(void *opaque, int fd, short revents)
{
	struct frontend *fe = opaque;

	/* Until the main thread closes a failed connection, poll keeps reporting it. */
	if (frontend_is_dead(fe))
		return;
	for (int i = 0; i < FE_STREAM_READS; i++) {
		size_t room;
		uint8_t *space = framing_rx_space(fe->rx, &room);
		ssize_t n = recv(fd, space, room, MSG_DONTWAIT);

		if (n == 0) {
			dlog(INDYNET_LOG_INFO, "%s: connection closed by QEMU", fe->label);
			frontend_mark_dead(fe);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			dlog(INDYNET_LOG_WARN, "%s: read failed: %s", fe->label, strerror(errno));
			frontend_mark_dead(fe);
			return;
		}
		framing_rx_commit(fe->rx, (size_t)n);
		if (!fe_stream_deliver_all(fe)) {
			frontend_mark_dead(fe);
			return;
		}
		if ((size_t)n < room)
			return;
	}
	if (revents & (POLLERR | POLLNVAL))
		frontend_mark_dead(fe);
}

int fe_stream_send(struct frontend *fe, const uint8_t *frame, size_t len)
{
	return framing_tx_send(fe->tx, fe->data_fd, frame, len);
}

int fe_stream_flush(struct frontend *fe)
{
	return framing_tx_flush(fe->tx, fe->data_fd);
}
