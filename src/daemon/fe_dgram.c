/* SPDX-License-Identifier: MIT */
/* fe_dgram.c: --qemu-dgram: one frame per unix datagram; replies go to the last sender. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlog.h"
#include "frontend.h"
#include "usock.h"

/* Datagrams per wake-up: bounded so one busy guest cannot starve the engine loop. */
#define FE_DGRAM_BATCH 64

static int fe_dgram_open(struct frontend *fe, char *err, size_t errlen)
{
	fe->label = "qemu-dgram";
	/* One byte more than the largest frame, so an oversized one is seen as such. */
	fe->buf = malloc(INDYNET_FRAME_MAX + 1);
	if (!fe->buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fe->data_fd = usock_bind(fe->opts->frontend_arg, SOCK_DGRAM, fe->opts->socket_mode, err, errlen);
	fe->bound = fe->data_fd >= 0;
	return fe->bound ? 0 : -1;
}

/* Remember who sent the last datagram: replies go there (QEMU's local path). */
static void fe_dgram_note_peer(struct frontend *fe, const struct sockaddr_un *from, socklen_t len)
{
	if (len <= (socklen_t)offsetof(struct sockaddr_un, sun_path) || from->sun_path[0] == '\0') {
		dlog(INDYNET_LOG_DEBUG, "%s: datagram from an unnamed socket: cannot reply",
		     fe->label);
		return;
	}
	/* Only this thread writes fe->peer, so it may compare without the lock. */
	if (len == fe->peer_len && memcmp(from, &fe->peer, (size_t)len) == 0)
		return;
	pthread_mutex_lock(&fe->lock);
	memcpy(&fe->peer, from, (size_t)len);
	fe->peer_len = len;
	pthread_mutex_unlock(&fe->lock);
	dlog(INDYNET_LOG_INFO, "%s: QEMU is at %.*s", fe->label,
	     (int)(len - (socklen_t)offsetof(struct sockaddr_un, sun_path)), from->sun_path);
}

/* A pending socket error (POLLERR) is read and cleared, so it is reported once, not per round. */
static void fe_dgram_clear_error(struct frontend *fe, int fd)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr)
		dlog(INDYNET_LOG_DEBUG, "%s: socket error: %s", fe->label, strerror(soerr));
}

static void fe_dgram_on_data(void *opaque, int fd, short revents)
{
	struct frontend *fe = opaque;

	if (revents & POLLERR)
		fe_dgram_clear_error(fe, fd);
	if (!(revents & POLLIN))
		return;
	for (int i = 0; i < FE_DGRAM_BATCH; i++) {
		struct sockaddr_un from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, fe->buf, INDYNET_FRAME_MAX + 1, MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fromlen);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				dlog(INDYNET_LOG_WARN, "%s: receive failed: %s", fe->label,
				     strerror(errno));
			return;
		}
		fe_dgram_note_peer(fe, &from, fromlen);
		frontend_deliver(fe, fe->buf, (size_t)n);
	}
}

static int fe_dgram_send(struct frontend *fe, const uint8_t *frame, size_t len)
{
	ssize_t n;

	if (fe->peer_len == 0)
		return 0; /* nobody to send to yet: the guest has not spoken */
	n = sendto(fe->data_fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)&fe->peer, fe->peer_len);
	if (n >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return -EAGAIN;
	/* QEMU gone or restarting: drop the frame, keep the socket. */
	dlog(INDYNET_LOG_DEBUG, "%s: frame of %zu bytes dropped: %s", fe->label, len,
	     strerror(errno));
	return 0;
}

static void fe_dgram_close(struct frontend *fe)
{
	if (fe->data_fd >= 0) {
		close(fe->data_fd);
		fe->data_fd = -1;
	}
	if (fe->bound)
		unlink(fe->opts->frontend_arg);
}

const struct frontend_ops fe_dgram_ops = {
	.open = fe_dgram_open,
	.on_data = fe_dgram_on_data,
	.send = fe_dgram_send,
	.close = fe_dgram_close,
	.retry_poll = true,
};
