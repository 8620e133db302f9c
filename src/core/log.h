/* SPDX-License-Identifier: MIT */
/* log.h: leveled logging to the current engine's sink, else the process-wide one. */
#ifndef INDYNET_CORE_LOG_H
#define INDYNET_CORE_LOG_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

#include "indynet/indynet.h"

/** Longest message handed to a sink (longer ones are truncated). */
#define ILOG_MSG_MAX 1024

/** struct ilog_sink - one engine's log callback (fn NULL: the process-wide sink) and level. */
struct ilog_sink {
	indynet_log_fn fn;
	void *opaque;
	int max_level;
};

/**
 * ilog_scope_enter() - route this thread's messages to @sink until ilog_scope_exit().
 * @sink: the sink (must outlive the scope), or NULL for the process-wide sink
 *
 * Return: the previous scope, to pass to ilog_scope_exit().
 */
const struct ilog_sink *ilog_scope_enter(const struct ilog_sink *sink);

/**
 * ilog_scope_exit() - leave a scope entered with ilog_scope_enter().
 * @prev: what ilog_scope_enter() returned
 */
void ilog_scope_exit(const struct ilog_sink *prev);

/**
 * ilog_thread_create() - pthread_create() whose thread logs to the caller's current sink.
 * @thread: receives the thread
 * @fn: thread function
 * @arg: its argument
 *
 * Return: 0 or an errno value (as pthread_create()).
 */
int ilog_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg);

/**
 * ilog_set_sink() - the process-wide sink (what indynet_set_log() sets).
 * @fn: sink, or NULL for the default (stderr with a level prefix)
 * @opaque: passed to @fn
 * @max_level: most verbose level passed on (an enum indynet_log_level)
 *
 * Used by threads outside an engine's scope and by engines without a log
 * callback of their own.  Safe to call from any thread; a message is
 * delivered to either the old or the new sink, never to a mix of the two.
 * A sink must not call ilog().
 */
void ilog_set_sink(indynet_log_fn fn, void *opaque, int max_level);

/**
 * ilog_enabled() - whether a message at @level would be delivered on this thread.
 * @level: an enum indynet_log_level
 *
 * Return: true when @level is within the current sink's max level.
 */
bool ilog_enabled(int level);

/**
 * ilog() - format and log one message (no trailing newline needed).
 * @level: an enum indynet_log_level
 * @fmt: printf format
 */
void ilog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * vilog() - ilog() with a va_list.
 * @level: an enum indynet_log_level
 * @fmt: printf format
 * @ap: arguments
 */
void vilog(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif /* INDYNET_CORE_LOG_H */
