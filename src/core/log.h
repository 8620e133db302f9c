/* SPDX-License-Identifier: MIT */
/* log.h: process-wide leveled logging with a replaceable sink. */
#ifndef INDYNET_CORE_LOG_H
#define INDYNET_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "indynet/indynet.h"

/** Longest message handed to a sink (longer ones are truncated). */
#define ILOG_MSG_MAX 1024

/**
 * ilog_set_sink() - route every later ilog() call.
 * @fn: sink, or NULL for the default (stderr with a level prefix)
 * @opaque: passed to @fn
 * @max_level: most verbose level passed on (an enum indynet_log_level)
 *
 * Safe to call from any thread; a message is delivered to either the old or
 * the new sink, never to a mix of the two.  A sink must not call ilog().
 */
void ilog_set_sink(indynet_log_fn fn, void *opaque, int max_level);

/**
 * ilog_enabled() - whether a message at @level would be delivered.
 * @level: an enum indynet_log_level
 *
 * Return: true when @level is within the sink's max level.
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
