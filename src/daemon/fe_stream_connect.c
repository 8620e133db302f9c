/* SPDX-License-Identifier: MIT */
/* fe_stream_connect.c: --qemu-stream-connect: QEMU listens, indynetd connects and reconnects. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dlog.h"
#include "fe_stream.h"
#include "usock.h"

/* Reconnect backoff: 100 ms doubling to 2 s, back to 100 ms once connected. */
#define FE_CONNECT_BACKOFF_MIN_MS 100u
#define FE_CONNECT_BACKOFF_MAX_MS 2000u

static int fe_connect_open(struct frontend *fe, char *err, size_t errlen)
{
	fe->label = "qemu-stream-connect";
	fe->backoff_ms = FE_CONNECT_BACKOFF_MIN_MS;
	fe->next_try_ms = 0;
	return fe_stream_alloc(fe, err, errlen);
}

static void fe_connect_schedule(struct frontend *fe, int64_t now_ms)
{
	fe->next_try_ms = now_ms + fe->backoff_ms;
	fe->backoff_ms *= 2;
	if (fe->backoff_ms > FE_CONNECT_BACKOFF_MAX_MS)
		fe->backoff_ms = FE_CONNECT_BACKOFF_MAX_MS;
}

/* One connection attempt; a unix connect completes (or fails) at once. */
static void fe_connect_try(struct frontend *fe, int64_t now_ms)
{
	struct sockaddr_un sa;
	socklen_t salen = usock_addr(fe->opts->frontend_arg, &sa);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, salen) == 0) {
		if (frontend_set_data(fe, fd) == 0) {
			dlog(INDYNET_LOG_INFO, "%s: connected to QEMU at %s", fe->label,
			     fe->opts->frontend_arg);
			fe->backoff_ms = FE_CONNECT_BACKOFF_MIN_MS;
			return;
		}
	} else {
		/* The first failure in a row is news; the retries are not. */
		dlog(fe->backoff_ms == FE_CONNECT_BACKOFF_MIN_MS ? INDYNET_LOG_INFO : INDYNET_LOG_DEBUG,
		     "%s: connect %s: %s; retrying in %u ms", fe->label,
		     fe->opts->frontend_arg, strerror(errno), fe->backoff_ms);
		if (fd >= 0)
			close(fd);
	}
	fe_connect_schedule(fe, now_ms);
}

static void fe_connect_tick(struct frontend *fe, int64_t now_ms, int *timeout_ms)
{
	int64_t wait;

	if (!fe->eng || fe->data_fd >= 0)
		return;
	if (now_ms >= fe->next_try_ms)
		fe_connect_try(fe, now_ms);
	if (fe->data_fd >= 0)
		return;
	wait = fe->next_try_ms - now_ms;
	if (wait < 0)
		wait = 0;
	if (*timeout_ms < 0 || wait < *timeout_ms)
		*timeout_ms = (int)wait;
}

static void fe_connect_lost(struct frontend *fe, int64_t now_ms)
{
	dlog(INDYNET_LOG_INFO, "%s: connection to %s lost; reconnecting", fe->label,
	     fe->opts->frontend_arg);
	fe->backoff_ms = FE_CONNECT_BACKOFF_MIN_MS;
	fe_connect_schedule(fe, now_ms);
}

const struct frontend_ops fe_stream_connect_ops = {
	.open = fe_connect_open,
	.on_data = fe_stream_on_data,
	.send = fe_stream_send,
	.flush = fe_stream_flush,
	.tick = fe_connect_tick,
	.lost = fe_connect_lost,
};
