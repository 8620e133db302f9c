/* SPDX-License-Identifier: MIT */
/* dlog.c: indynetd's logging to stderr with a level filter. */
#include "dlog.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static _Atomic int dlog_level = INDYNET_LOG_INFO;

static const char *const dlog_names[] = { "error", "warn", "info", "debug" };

void dlog_set_level(enum indynet_log_level level)
{
	atomic_store(&dlog_level, (int)level);
}

static void dlog_write(enum indynet_log_level level, const char *msg)
{
	unsigned idx = (unsigned)level < 4 ? (unsigned)level : 3;

	/* One fprintf per line keeps lines from both threads whole. */
	fprintf(stderr, "indynetd: %s: %s\n", dlog_names[idx], msg);
}

void dlog(enum indynet_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if ((int)level > atomic_load(&dlog_level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dlog_write(level, msg);
}

void dlog_engine(void *opaque, enum indynet_log_level level, const char *msg)
{
	(void)opaque;
	if ((int)level > atomic_load(&dlog_level))
		return;
	dlog_write(level, msg);
}
