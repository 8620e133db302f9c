/* SPDX-License-Identifier: MIT */
/* dlog.h: indynetd's logging to stderr with a level filter. */
#ifndef INDYNETD_DLOG_H
#define INDYNETD_DLOG_H

#include <indynet/indynet.h>

/**
 * dlog_set_level() - set the most verbose level that is printed.
 * @level: level
 */
void dlog_set_level(enum indynet_log_level level);

/**
 * dlog() - print one message to stderr when @level passes the filter.
 * @level: level of the message
 * @fmt: printf format
 */
void dlog(enum indynet_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * dlog_engine() - indynet_log_fn adapter for the engine's messages.
 * @opaque: unused
 * @level: level of the message
 * @msg: the message
 */
void dlog_engine(void *opaque, enum indynet_log_level level, const char *msg);

#endif
