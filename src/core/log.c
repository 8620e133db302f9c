/* SPDX-License-Identifier: MIT */
/* log.c: leveled logging: each engine's own sink on its threads, else the process-wide sink (stderr by default). */

/*
 * Theory of operation
 *
 * An engine's messages must reach that engine's callback and no other, and
 * never after the engine is freed.  Modules call ilog() without naming an
 * engine, so the engine is found through the thread: an engine enters its
 * sink (ilog_scope_enter()) on its own thread for the thread's lifetime,
 * and on the caller's thread for the duration of the API calls that may
 * log; threads it starts inherit it (ilog_thread_create()).  Every such
 * thread is joined before the engine is freed, and every scope is left
 * before the API call returns, so a sink is never called afterwards.
 *
 * A thread outside any scope, and an engine that has no callback of its
 * own, use the process-wide sink set with indynet_set_log() (stderr when
 * none); no engine changes it.  Worked example: engines A (sink a) and B
 * (sink b) each log "subnet changed" on their threads: a sees A's line, b
 * sees B's; after indynet_engine_free(B), nothing can reach b.
 */

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t ilog_lock = PTHREAD_MUTEX_INITIALIZER;
static indynet_log_fn ilog_fn;
static void *ilog_opaque;
static _Atomic int ilog_max_level = INDYNET_LOG_INFO;
static _Thread_local const struct ilog_sink *ilog_scope;

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

void indynet_set_log(indynet_log_fn fn, void *opaque, enum indynet_log_level max_level)
{
	ilog_set_sink(fn, opaque, (int)max_level);
}

const struct ilog_sink *ilog_scope_enter(const struct ilog_sink *sink)
{
	const struct ilog_sink *prev = ilog_scope;

	ilog_scope = sink;
	return prev;
}

void ilog_scope_exit(const struct ilog_sink *prev)
{
	ilog_scope = prev;
}

bool ilog_enabled(int level)
{
	const struct ilog_sink *s = ilog_scope;

	if (s)
		return level <= s->max_level;
	return level <= atomic_load_explicit(&ilog_max_level, memory_order_relaxed);
}

/* The process-wide sink; held while delivering, so it is never called after it was replaced. */
static void ilog_global(int level, const char *msg)
{
	pthread_mutex_lock(&ilog_lock);
	if (ilog_fn)
		ilog_fn(ilog_opaque, (enum indynet_log_level)level, msg);
	else
		fprintf(stderr, "indynet: %s: %s\n", ilog_level_name(level), msg);
	pthread_mutex_unlock(&ilog_lock);
}

void vilog(int level, const char *fmt, va_list ap)
{
	const struct ilog_sink *s = ilog_scope;
	char msg[ILOG_MSG_MAX];

	if (!ilog_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (s && s->fn)
		s->fn(s->opaque, (enum indynet_log_level)level, msg);
	else
		ilog_global(level, msg);
}

void ilog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vilog(level, fmt, ap);
	va_end(ap);
}

struct ilog_start {
	void *(*fn)(void *);
	void *arg;
	const struct ilog_sink *sink;
};

static void *ilog_thread_main(void *p)
{
	struct ilog_start st = *(struct ilog_start *)p;

	free(p);
	ilog_scope = st.sink;
	return st.fn(st.arg);
}

int ilog_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	struct ilog_start *st = malloc(sizeof(*st));
	int rc;

	if (!st)
		return ENOMEM;
	*st = (struct ilog_start){ fn, arg, ilog_scope };
	rc = pthread_create(thread, NULL, ilog_thread_main, st);
	if (rc)
		free(st);
	return rc;
}
