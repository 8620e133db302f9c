/* SPDX-License-Identifier: MIT */
/* log.c: process-wide log sink; stderr with a level prefix by default. */
#include "core/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t ilog_lock = PTHREAD_MUTEX_INITIALIZER;
static indynet_log_fn ilog_fn;
static void *ilog_opaque;
static _Atomic int ilog_max_level = INDYNET_LOG_INFO;

static const char *ilog_level_name(int level)
{
	switch (level) {
	case INDYNET_LOG_ERROR:
		return "error";
	case INDYNET_LOG_WARN:
		return "warn";
	case INDYNET_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void ilog_set_sink(indynet_log_fn fn, void *opaque, int max_level)
{
	pthread_mutex_lock(&ilog_lock);
	ilog_fn = fn;
	ilog_opaque = opaque;
	atomic_store(&ilog_max_level, max_level);
	pthread_mutex_unlock(&ilog_lock);
}

bool ilog_enabled(int level)
{
	return level <= atomic_load_explicit(&ilog_max_level, memory_order_relaxed);
}

void vilog(int level, const char *fmt, va_list ap)
{
	char msg[ILOG_MSG_MAX];

	if (!ilog_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Held while delivering, so a sink is never called after it was replaced. */
	pthread_mutex_lock(&ilog_lock);
	if (ilog_fn)
		ilog_fn(ilog_opaque, (enum indynet_log_level)level, msg);
	else
		fprintf(stderr, "indynet: %s: %s\n", ilog_level_name(level), msg);
	pthread_mutex_unlock(&ilog_lock);
}

void ilog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vilog(level, fmt, ap);
	va_end(ap);
}
