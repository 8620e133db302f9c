/* SPDX-License-Identifier: MIT */
/* dlog.h: indynetd's logging to stderr with a level filter and a rate limit on repeated lines. */
#ifndef INDYNETD_DLOG_H
#define INDYNETD_DLOG_H

#include <stdint.h>

#include <indynet/indynet.h>

/** Lines one kind of message may print per window; the rest are counted. */
#define DLOG_BURST 5
/** The window of the rate limit, in ms. */
#define DLOG_WINDOW_MS 10000
/** Kinds of message tracked at once (the least recent one gives way). */
#define DLOG_SLOTS 32

/**
 * dlog_set_level() - set the most verbose level that is printed.
 * @level: level
 */
void dlog_set_level(enum indynet_log_level level);

/**
 * dlog() - print one message to stderr when @level passes the filter and the rate limit.
 * @level: level of the message
 * @fmt: printf format; messages of one format are one kind for the rate limit
 */
void dlog(enum indynet_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * dlog_engine() - indynet_log_fn adapter for the engine's messages.
 * @opaque: unused
 * @level: level of the message
 * @msg: the message; messages equal but for their digits are one kind
 */
void dlog_engine(void *opaque, enum indynet_log_level level, const char *msg);

/**
 * dlog_flush() - print the summary of each kind whose window ended with lines suppressed.
 */
void dlog_flush(void);

/**
 * dlog_deadline_ms() - how long until dlog_flush() has a summary to print.
 *
 * Return: ms (0: now), or -1 when no line is suppressed.
 */
int dlog_deadline_ms(void);

/**
 * dlog_reset() - print every pending summary and forget all kinds (shutdown, tests).
 */
void dlog_reset(void);

/**
 * dlog_set_clock() - replace the monotonic clock of the rate limit (tests).
 * @now_ms: returns the time in ms, or NULL for CLOCK_MONOTONIC
 */
void dlog_set_clock(int64_t (*now_ms)(void));

#endif
