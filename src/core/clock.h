/* SPDX-License-Identifier: MIT */
/* clock.h: monotonic and wall clocks in the units the engine uses. */
#ifndef INDYNET_CORE_CLOCK_H
#define INDYNET_CORE_CLOCK_H

#include <stdint.h>

/**
 * clock_mono_ms() - CLOCK_MONOTONIC in milliseconds.
 *
 * Return: milliseconds since an arbitrary fixed point.
 */
uint64_t clock_mono_ms(void);

/**
 * clock_mono_ns() - CLOCK_MONOTONIC in nanoseconds.
 *
 * Return: nanoseconds since an arbitrary fixed point.
 */
uint64_t clock_mono_ns(void);

/**
 * clock_real_ms() - CLOCK_REALTIME in milliseconds since the Unix epoch.
 *
 * Return: milliseconds since 1970-01-01 UTC.
 */
int64_t clock_real_ms(void);

#endif /* INDYNET_CORE_CLOCK_H */
