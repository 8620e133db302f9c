/* SPDX-License-Identifier: MIT */
/* fe_stream_listen.c: --qemu-stream: listen on a unix stream socket, QEMU connects. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dlog.h"
#include "fe_stream.h"
#include "usock.h"

static int fe_listen_open(struct frontend *fe, char *err, size_t errlen)
{
	fe->label = "qemu-stream";
	if (fe_stream_alloc(fe, err, errlen))
		return -1;
	fe->aux_fd = usock_bind(fe->opts->frontend_arg, SOCK_STREAM, fe->opts->socket_mode, err, errlen);
	fe->bound = fe->aux_fd >= 0;
	return fe->bound ? 0 : -1;
}

/* A new connection replaces the current one: QEMU restarted or reconnected. */
static void fe_listen_accept(struct frontend *fe)
{
	bool replacing = fe->data_fd >= 0;
	int fd = usock_accept(fe->aux_fd, &fe->aux_gate, fe->label, NULL, NULL, frontend_now_ms());

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED && !fe->aux_gate.failed)
			dlog(INDYNET_LOG_WARN, "%s: accept failed: %s", fe->label, strerror(errno));
		return;
	}
	if (frontend_set_data(fe, fd) == 0)
		dlog(INDYNET_LOG_INFO, "%s: QEMU connected on %s%s", fe->label,
		     fe->opts->frontend_arg, replacing ? " (replacing the previous connection)" : "");
}

static void fe_listen_lost(struct frontend *fe, int64_t now_ms)
{
	(void)now_ms;
	dlog(INDYNET_LOG_DEBUG, "%s: waiting for QEMU to connect on %s", fe->label,
	     fe->opts->frontend_arg);
}

static void fe_listen_close(struct frontend *fe)
{
	if (fe->aux_fd >= 0) {
		close(fe->aux_fd);
		fe->aux_fd = -1;
	}
	if (fe->bound)
		unlink(fe->opts->frontend_arg);
}

const struct frontend_ops fe_stream_listen_ops = {
	.open = fe_listen_open,
	.on_data = fe_stream_on_data,
	.send = fe_stream_send,
	.flush = fe_stream_flush,
	.aux_ready = fe_listen_accept,
	.lost = fe_listen_lost,
	.close = fe_listen_close,
};
