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

/*
 * Theory of operation
 *
 * indynetd receives on the socket it binds at PATH, from whoever sends
 * (QEMU's local.path), and answers the last sender.  It does not answer
 * from PATH: Linux holds at most net.unix.max_dgram_qlen datagrams (10 by
 * default) on QEMU's socket, and an unconnected sender hitting that limit
 * gets EAGAIN with nothing to wait for (its POLLOUT says only that its own
 * send buffer has room).  Frames for the guest leave instead on tx_fd, an
 * unbound socket connect()ed to the sender: when QEMU's queue is full its
 * send fails with EAGAIN too, but its POLLOUT then comes when QEMU has read
 * (the kernel's peer_wait), so frontend.c sleeps on fe->out_fd until QEMU
 * can take the next frame, frames wait in order on the engine's RX ring
 * meanwhile (bounded; overflow counted as rx_ring_full), and nothing polls
 * on a timer.  tx_fd is connected again when the sender changes and after
 * the sender's socket went away (ECONNREFUSED: QEMU restarted on the same
 * path).  A sender whose socket is connect()ed itself refuses tx_fd
 * (EPERM); one connected to PATH is answered from PATH, where its queue
 * limit does not apply (Linux skips it for a receiver connected to the
 * sender), so POLLOUT on PATH is then the right thing to wait for.
 */

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
	fe->tx_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fe->tx_fd < 0) {
		snprintf(err, errlen, "cannot create a datagram socket: %s", strerror(errno));
		return -1;
	}
	fe->data_fd = usock_bind(fe->opts->frontend_arg, SOCK_DGRAM, fe->opts->socket_mode, err, errlen);
	fe->bound = fe->data_fd >= 0;
	return fe->bound ? 0 : -1;
}

/*
 * fe->lock held: connect tx_fd to the sender, so that its POLLOUT says when
 * the sender's queue has room.  A sender connected elsewhere refuses (EPERM):
 * it is answered from PATH.  Return: 0, or a negative errno (the peer is gone).
 */
static int fe_dgram_link(struct frontend *fe)
{
	if (connect(fe->tx_fd, (const struct sockaddr *)&fe->peer, fe->peer_len) == 0) {
		fe->tx_linked = true;
		fe->out_fd = fe->tx_fd;
		return 0;
	}
	if (errno != EPERM)
		return -errno;
	fe->tx_refused = true;
	fe->out_fd = -1;
	dlog(INDYNET_LOG_INFO, "%s: QEMU's socket is connected: answering from the bound socket",
	     fe->label);
	return 0;
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
	fe->tx_linked = false;
	fe->tx_refused = false;
	fe_dgram_link(fe);
	/* A frontend blocked on the previous sender polls tx_fd again, now for this one. */
	if (fe->blocked)
		frontend_wake(fe);
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

/* fe->lock held: a send failed with @err; -EAGAIN to wait for POLLOUT, else 0: dropped. */
static int fe_dgram_failed(struct frontend *fe, size_t len, int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK)
		return -EAGAIN;
	/* The sender's socket is gone (QEMU restarting): connect again for the next frame. */
	if (err == ECONNREFUSED || err == ENOTCONN)
		fe->tx_linked = false;
	dlog(INDYNET_LOG_DEBUG, "%s: frame of %zu bytes dropped: %s", fe->label, len, strerror(err));
	return 0;
}

/* fe->lock held: send one frame to the sender; -1 with errno set when it fails. */
static ssize_t fe_dgram_put(struct frontend *fe, const uint8_t *frame, size_t len)
{
	int rc;

	if (!fe->tx_linked && !fe->tx_refused && (rc = fe_dgram_link(fe)) < 0) {
		errno = -rc;
		return -1;
	}
	if (!fe->tx_linked)
		return sendto(fe->data_fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL,
			      (const struct sockaddr *)&fe->peer, fe->peer_len);
	return send(fe->tx_fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int fe_dgram_send(struct frontend *fe, const uint8_t *frame, size_t len)
{
	ssize_t n;

	if (fe->peer_len == 0)
		return 0; /* nobody to send to yet: the guest has not spoken */
	n = fe_dgram_put(fe, frame, len);
	/* The socket tx_fd was connected to is gone (QEMU restarted on the same path): once more. */
	if (n < 0 && fe->tx_linked && (errno == ECONNREFUSED || errno == ENOTCONN)) {
		fe->tx_linked = false;
		n = fe_dgram_put(fe, frame, len);
	}
	return n >= 0 ? 0 : fe_dgram_failed(fe, len, errno);
}

static void fe_dgram_close(struct frontend *fe)
{
	if (fe->data_fd >= 0) {
		close(fe->data_fd);
		fe->data_fd = -1;
	}
	if (fe->tx_fd >= 0) {
		close(fe->tx_fd);
		fe->tx_fd = -1;
	}
	if (fe->bound)
		unlink(fe->opts->frontend_arg);
}

const struct frontend_ops fe_dgram_ops = {
	.open = fe_dgram_open,
	.on_data = fe_dgram_on_data,
	.send = fe_dgram_send,
	.close = fe_dgram_close,
};
