/* SPDX-License-Identifier: MIT */
/* frontend.c: the part of every frontend shared between the engine and main threads. */
#include "frontend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "dlog.h"

int64_t frontend_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct frontend_ops *frontend_pick(enum frontend_kind kind)
{
	switch (kind) {
	case FE_QEMU_STREAM:
		return &fe_stream_listen_ops;
	case FE_QEMU_STREAM_CONNECT:
		return &fe_stream_connect_ops;
	case FE_QEMU_DGRAM:
		return &fe_dgram_ops;
	case FE_TAP:
		return &fe_tap_ops;
	case FE_NONE:
		break;
	}
	return NULL;
}

int frontend_new(const struct daemon_opts *opts, struct frontend **out, char *err, size_t errlen)
{
	struct frontend *fe = calloc(1, sizeof(*fe));

	if (!fe) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fe->ops = frontend_pick(opts->frontend);
	fe->opts = opts;
	fe->data_fd = -1;
	fe->out_fd = -1;
	fe->aux_fd = -1;
	fe->tx_fd = -1;
	pthread_mutex_init(&fe->lock, NULL);
	fe->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!fe->ops || fe->wake_fd < 0) {
		snprintf(err, errlen, "cannot set up the frontend: %s",
			 fe->ops ? strerror(errno) : "no frontend");
		frontend_free(fe);
		return -1;
	}
	if (fe->ops->open(fe, err, errlen)) {
		frontend_free(fe);
		return -1;
	}
	*out = fe;
	return 0;
}

int frontend_start(struct frontend *fe, indynet_engine *eng)
{
	int rc;

	fe->eng = eng;
	if (fe->data_fd < 0)
		return 0;
	rc = indynet_watch_fd(eng, fe->data_fd, POLLIN, fe->ops->on_data, fe);
	if (rc < 0) {
		dlog(INDYNET_LOG_ERROR, "%s: cannot watch the descriptor: %s", fe->label,
		     strerror(-rc));
		return rc;
	}
	fe->data_watched = true;
	return 0;
}

void frontend_wake(struct frontend *fe)
{
	uint64_t one = 1;

	if (write(fe->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		dlog(INDYNET_LOG_DEBUG, "frontend wake-up failed: %s", strerror(errno));
}

/*
 * fe->lock held: hand one frame to the guest.  False when the guest side
 * would block (the frame must wait); true when it was taken (written, or
 * kept for the socket: then the main thread polls for writability and
 * flushes, so the tail of a burst never waits for the next frame), or
 * discarded because the connection is gone.
 */
static bool frontend_send_locked(struct frontend *fe, const uint8_t *frame, size_t len)
{
	int rc;

	if (fe->data_fd < 0 || fe->dead)
		return true;
	rc = fe->ops->send(fe, frame, len);
	if (rc == -EAGAIN) {
		fe->blocked = true;
		frontend_wake(fe);
		return false;
	}
	if (rc == 1) {
		if (!fe->out_pending) {
			fe->out_pending = true;
			frontend_wake(fe);
		}
		return true;
	}
	if (rc < 0) {
		dlog(INDYNET_LOG_WARN, "%s: write failed: %s", fe->label, strerror(-rc));
		fe->dead = true;
		frontend_wake(fe);
	}
	return true;
}

/* fe->lock held: move frames from the RX ring to the guest until it would block. */
static void frontend_drain_locked(struct frontend *fe)
{
	const uint8_t *frame;
	size_t len;

	while (!fe->blocked && indynet_rx_peek(fe->eng, &frame, &len) && frontend_send_locked(fe, frame, len))
		indynet_rx_pop(fe->eng);
}

void frontend_rx_notify(void *opaque)
{
	struct frontend *fe = opaque;

	pthread_mutex_lock(&fe->lock);
	frontend_drain_locked(fe);
	pthread_mutex_unlock(&fe->lock);
}

bool frontend_rx_deliver(void *opaque, const uint8_t *frame, size_t len)
{
	struct frontend *fe = opaque;
	bool done;

	pthread_mutex_lock(&fe->lock);
	done = !fe->blocked && frontend_send_locked(fe, frame, len);
	pthread_mutex_unlock(&fe->lock);
	return done;
}

void frontend_mark_dead(struct frontend *fe)
{
	pthread_mutex_lock(&fe->lock);
	if (!fe->dead) {
		fe->dead = true;
		frontend_wake(fe);
	}
	pthread_mutex_unlock(&fe->lock);
}

bool frontend_is_dead(struct frontend *fe)
{
	bool dead;

	pthread_mutex_lock(&fe->lock);
	dead = fe->dead;
	pthread_mutex_unlock(&fe->lock);
	return dead;
}

bool frontend_has_peer(void *opaque)
{
	struct frontend *fe = opaque;
	bool peer;

	pthread_mutex_lock(&fe->lock);
	peer = fe->data_fd >= 0 && !fe->dead;
	pthread_mutex_unlock(&fe->lock);
	return peer;
}

bool frontend_failed(const struct frontend *fe)
{
	return fe->failed;
}

void frontend_deliver(struct frontend *fe, const uint8_t *frame, size_t len)
{
	int rc = indynet_guest_send(fe->eng, frame, len);

	if (rc < 0)
		dlog(INDYNET_LOG_DEBUG, "%s: guest frame of %zu bytes dropped: %s", fe->label, len,
		     strerror(-rc));
}

int frontend_set_data(struct frontend *fe, int fd)
{
	int old = fe->data_fd;
	size_t flushed = 0;
	int rc;

	if (fe->data_watched) {
		indynet_unwatch_fd(fe->eng, old);
		fe->data_watched = false;
	}
	pthread_mutex_lock(&fe->lock);
	/* Frames queued for the old peer are stale, and a full ring would starve the new one. */
	if (fe->eng)
		flushed = indynet_rx_flush(fe->eng);
	fe->data_fd = fd;
	fe->dead = false;
	fe->blocked = false;
	fe->out_pending = false;
	if (fe->rx)
		framing_rx_reset(fe->rx);
	if (fe->tx)
		framing_tx_reset(fe->tx);
	pthread_mutex_unlock(&fe->lock);
	if (old >= 0)
		close(old);
	if (flushed)
		dlog(INDYNET_LOG_DEBUG, "%s: %zu frames for the previous connection dropped", fe->label,
		     flushed);
	if (fd < 0 || !fe->eng)
		return 0;
	rc = indynet_watch_fd(fe->eng, fd, POLLIN, fe->ops->on_data, fe);
	if (rc < 0) {
		dlog(INDYNET_LOG_ERROR, "%s: cannot watch the descriptor: %s", fe->label,
		     strerror(-rc));
		pthread_mutex_lock(&fe->lock);
		fe->data_fd = -1;
		pthread_mutex_unlock(&fe->lock);
		close(fd);
		return rc;
	}
	fe->data_watched = true;
	return 0;
}

void frontend_poll_fill(struct frontend *fe, struct pollfd *pfds, size_t *n, int *timeout_ms)
{
	int out = -1;

	pfds[(*n)++] = (struct pollfd){ .fd = fe->wake_fd, .events = POLLIN };
	if (fe->aux_fd >= 0 && usock_gate_open(&fe->aux_gate, frontend_now_ms(), timeout_ms))
		pfds[(*n)++] = (struct pollfd){ .fd = fe->aux_fd, .events = POLLIN };
	pthread_mutex_lock(&fe->lock);
	if ((fe->blocked || fe->out_pending) && !fe->dead && fe->data_fd >= 0)
		out = fe->out_fd >= 0 ? fe->out_fd : fe->data_fd;
	pthread_mutex_unlock(&fe->lock);
	if (out >= 0)
		pfds[(*n)++] = (struct pollfd){ .fd = out, .events = POLLOUT };
	if (fe->ops->tick)
		fe->ops->tick(fe, frontend_now_ms(), timeout_ms);
}

/* Main thread: the guest side can take output again. */
static void frontend_writable(struct frontend *fe)
{
	int rc = 0;

	pthread_mutex_lock(&fe->lock);
	if (fe->ops->flush && fe->data_fd >= 0 && !fe->dead)
		rc = fe->ops->flush(fe);
	if (rc == 0) {
		fe->blocked = false;
		fe->out_pending = false;
		frontend_drain_locked(fe);
	} else if (rc != -EAGAIN) {
		dlog(INDYNET_LOG_WARN, "%s: write failed: %s", fe->label, strerror(-rc));
		fe->dead = true;
	}
	pthread_mutex_unlock(&fe->lock);
}

/* Main thread: close a failed data descriptor and let the frontend react. */
static void frontend_reap(struct frontend *fe)
{
	uint64_t v;
	bool dead;

	if (read(fe->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&fe->lock);
	dead = fe->dead && fe->data_fd >= 0;
	pthread_mutex_unlock(&fe->lock);
	if (!dead)
		return;
	frontend_set_data(fe, -1);
	if (fe->ops->lost)
		fe->ops->lost(fe, frontend_now_ms());
}

void frontend_poll_handle(struct frontend *fe, const struct pollfd *pfds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!pfds[i].revents)
			continue;
		if (pfds[i].fd == fe->wake_fd)
			continue;
		if (pfds[i].fd == fe->aux_fd && fe->ops->aux_ready)
			fe->ops->aux_ready(fe);
		else if (pfds[i].events & POLLOUT)
			frontend_writable(fe);
	}
	/* Always last: a write failure above must be reaped in this round too. */
	frontend_reap(fe);
	if (fe->ops->tick) {
		int unused = -1;

		fe->ops->tick(fe, frontend_now_ms(), &unused);
	}
}

void frontend_stop(struct frontend *fe)
{
	if (fe && fe->eng)
		frontend_set_data(fe, -1);
}

void frontend_free(struct frontend *fe)
{
	if (!fe)
		return;
	if (fe->ops && fe->ops->close)
		fe->ops->close(fe);
	if (fe->data_fd >= 0)
		close(fe->data_fd);
	if (fe->aux_fd >= 0)
		close(fe->aux_fd);
	if (fe->wake_fd >= 0)
		close(fe->wake_fd);
	pthread_mutex_destroy(&fe->lock);
	free(fe->rx);
	free(fe->tx);
	free(fe->buf);
	free(fe);
}
