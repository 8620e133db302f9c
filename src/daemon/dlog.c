/* SPDX-License-Identifier: MIT */
/* dlog.c: indynetd's logging to stderr with a level filter and a rate limit on repeated lines. */

/*
 * Theory of operation
 *
 * Whatever a guest or a local process can trigger at will (a datagram, a
 * connection, a failed accept) must not turn into a log line per event, so
 * every line passes one rate limit here instead of each call site counting
 * for itself.  A line's kind is its format for dlog() and, for the
 * engine's lines (which arrive formatted), its text with the digits left
 * out.  Each kind may print DLOG_BURST lines per DLOG_WINDOW_MS window;
 * further lines in the window are counted and the last one kept.  Once
 * the window is over, one summary is printed: the last suppressed line
 * with "(suppressed N similar lines in 10 s)".  It is printed by the next
 * line of that kind, or by dlog_flush(), which the main loop calls when
 * dlog_deadline_ms() says so, so a flood that stops is still summarised.
 *
 * DLOG_SLOTS kinds are tracked; a new kind takes the slot whose window
 * started first, summarising it first.  Worked example: a guest alternates
 * two senders, 1,000 datagrams a second: "QEMU is at %s" prints 5 lines,
 * then one summary per 10 s saying "suppressed 9995".  Both threads log,
 * so the table is behind a mutex, held while printing (lines stay whole
 * and in order).
 */
#include "dlog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DLOG_MSG_MAX 1024

struct dlog_slot {
	uint64_t key;         /* 0: free */
	int64_t start_ms;     /* start of the current window */
	unsigned printed;     /* lines printed in the window */
	unsigned long suppressed;
	enum indynet_log_level level;
	char last[DLOG_MSG_MAX]; /* the last suppressed line */
};

static _Atomic int dlog_level = INDYNET_LOG_INFO;
static pthread_mutex_t dlog_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dlog_slot dlog_slots[DLOG_SLOTS];
static int64_t (*dlog_clock)(void);

static const char *const dlog_names[] = { "error", "warn", "info", "debug" };

void dlog_set_level(enum indynet_log_level level)
{
	atomic_store(&dlog_level, (int)level);
}

void dlog_set_clock(int64_t (*now_ms)(void))
{
	dlog_clock = now_ms;
}

static int64_t dlog_now_ms(void)
{
	struct timespec ts;

	if (dlog_clock)
		return dlog_clock();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a over @s, digits skipped when @digits is false; never 0 (a free slot). */
static uint64_t dlog_hash(const char *s, bool digits)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++) {
		if (!digits && *s >= '0' && *s <= '9')
			continue;
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	}
	return h ? h : 1;
}

static void dlog_write(enum indynet_log_level level, const char *msg)
{
	unsigned idx = (unsigned)level < 4 ? (unsigned)level : 3;

	/* One fprintf per line keeps lines whole. */
	fprintf(stderr, "indynetd: %s: %s\n", dlog_names[idx], msg);
}

/* dlog_lock held: print @s's summary if it has one, and start a new window at @now. */
static void dlog_slot_renew(struct dlog_slot *s, int64_t now)
{
	if (s->suppressed) {
		unsigned idx = (unsigned)s->level < 4 ? (unsigned)s->level : 3;

		fprintf(stderr, "indynetd: %s: %s (suppressed %lu similar lines in %d s)\n",
			dlog_names[idx], s->last, s->suppressed, DLOG_WINDOW_MS / 1000);
	}
	s->start_ms = now;
	s->printed = 0;
	s->suppressed = 0;
}

/* dlog_lock held: the slot of @key, taking the one whose window started first when new. */
static struct dlog_slot *dlog_slot_get(uint64_t key, int64_t now)
{
	struct dlog_slot *oldest = &dlog_slots[0];

	for (size_t i = 0; i < DLOG_SLOTS; i++) {
		struct dlog_slot *s = &dlog_slots[i];

		if (s->key == key)
			return s;
		if (s->key == 0 || (oldest->key != 0 && s->start_ms < oldest->start_ms))
			oldest = s;
	}
	dlog_slot_renew(oldest, now);
	oldest->key = key;
	return oldest;
}

/* Print @msg unless its kind (@key) used up its window's lines. */
static void dlog_emit(uint64_t key, enum indynet_log_level level, const char *msg)
{
	int64_t now = dlog_now_ms();
	struct dlog_slot *s;

	pthread_mutex_lock(&dlog_lock);
	s = dlog_slot_get(key, now);
	if (now - s->start_ms >= DLOG_WINDOW_MS)
		dlog_slot_renew(s, now);
	if (s->printed < DLOG_BURST) {
		s->printed++;
		dlog_write(level, msg);
	} else {
		s->suppressed++;
		s->level = level;
		snprintf(s->last, sizeof(s->last), "%s", msg);
	}
	pthread_mutex_unlock(&dlog_lock);
}

void dlog(enum indynet_log_level level, const char *fmt, ...)
{
	char msg[DLOG_MSG_MAX];
	va_list ap;

	if ((int)level > atomic_load(&dlog_level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dlog_emit(dlog_hash(fmt, true), level, msg);
}

void dlog_engine(void *opaque, enum indynet_log_level level, const char *msg)
{
	(void)opaque;
	if ((int)level > atomic_load(&dlog_level))
		return;
	dlog_emit(dlog_hash(msg, false), level, msg);
}

void dlog_flush(void)
{
	int64_t now = dlog_now_ms();

	pthread_mutex_lock(&dlog_lock);
	for (size_t i = 0; i < DLOG_SLOTS; i++) {
		struct dlog_slot *s = &dlog_slots[i];

		if (s->suppressed && now - s->start_ms >= DLOG_WINDOW_MS)
			dlog_slot_renew(s, now);
	}
	pthread_mutex_unlock(&dlog_lock);
}

int dlog_deadline_ms(void)
{
	int64_t now = dlog_now_ms(), best = -1;

	pthread_mutex_lock(&dlog_lock);
	for (size_t i = 0; i < DLOG_SLOTS; i++) {
		int64_t left = dlog_slots[i].start_ms + DLOG_WINDOW_MS - now;

		if (dlog_slots[i].suppressed && (best < 0 || left < best))
			best = left < 0 ? 0 : left;
	}
	pthread_mutex_unlock(&dlog_lock);
	return (int)best;
}

void dlog_reset(void)
{
	pthread_mutex_lock(&dlog_lock);
	for (size_t i = 0; i < DLOG_SLOTS; i++) {
		dlog_slot_renew(&dlog_slots[i], 0);
		dlog_slots[i].key = 0;
	}
	pthread_mutex_unlock(&dlog_lock);
}
