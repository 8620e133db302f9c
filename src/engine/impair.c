/* SPDX-License-Identifier: MIT */
/* impair.c: a deliberately bad link between the guest and the engine (loss, duplication, reordering, delay). */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/impair.h"

/*
 * Theory of operation
 *
 * A test and diagnosis aid (cfg.impair, indynetd --impair): the engine puts
 * this module between the guest and everything else, at the two places all
 * frontends pass through (a guest frame before the engine processes it, a
 * frame for the guest before it is delivered or queued), so QEMU's stream
 * and dgram, TAP and the public API (the SEEQ model) see the same link.
 *
 * Each direction has its own generator (splitmix64, seeded from the seed
 * and the direction) and draws three numbers per frame: lost?  duplicated?
 * held back?  Three draws whatever the verdict, so the verdict on the Nth
 * frame of a direction depends on the seed and N only, never on timing or
 * on the other direction: a run is repeatable as far as the guest is.
 *
 * A frame held back waits in its direction's one slot until the next frame
 * of that direction has gone (then it follows it: the two swap places) or
 * IMPAIR_HOLD_MS have passed (then it goes alone: nothing is lost by being
 * held).  A frame drawn to be held while the slot is taken goes on.  With
 * delay_ms, every frame that goes (duplicates and held frames included)
 * waits in its direction's FIFO until delay_ms after it went; the engine's
 * poll loop sleeps until impair_deadline() and calls impair_run().  All
 * waiting frames together hold at most IMPAIR_QUEUE_BYTES; a frame that
 * would exceed it is lost and counted as overflow.
 *
 * A frame is taken off its queue or slot before it is handed on, so a
 * handler that sends more frames (an answer for the other direction) finds
 * the queues consistent.
 */

#define IMPAIR_PPM 1000000u
#define IMPAIR_FIELDS "loss, dup, reorder, delay, seed"

struct impair_frame {
	struct impair_frame *next;
	uint64_t due;
	size_t len;
	uint8_t data[];
};

struct impair_line {
	uint64_t rng;
	struct impair_frame *held;
	struct impair_frame *head, **tail; /* the delay FIFO */
};

struct impair {
	struct indynet_impair cfg;
	struct impair_line line[IMPAIR__DIRS];
	impair_out_fn *out[IMPAIR__DIRS];
	void *opaque;
	size_t bytes;    /* waiting, both directions */
	uint32_t frames; /* waiting, both directions */
	_Atomic uint64_t dropped, duplicated, reordered, delayed, overflow;
	_Atomic uint32_t queued;
};

/* ---- parsing ---- */

/* "12", "12.5", "0.0001", with an optional "%": parts per million; -1 when not a percentage of 0-100 */
static long impair_pct(const char *v)
{
	long n = 0, scale = 10000;
	bool point = false;
	const char *p = v;

	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !point && p > v); p++) {
		if (*p == '.') {
			point = true;
			continue;
		}
		if (point && scale == 1)
			return -1; /* a fifth decimal */
		scale /= point ? 10 : 1;
		n = n * 10 + (*p - '0');
		if (n > (long)IMPAIR_PPM)
			return -1;
	}
	if (p == v || p[-1] == '.')
		return -1;
	p += *p == '%';
	return *p || n * scale > (long)IMPAIR_PPM ? -1 : n * scale;
}

/* a decimal number of at most @max; false when it is not */
static bool impair_num(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (!*v)
		return false;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (max - (uint64_t)(*v - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	*out = n;
	return *v == '\0';
}

static const char *const impair_keys[] = { "loss", "dup", "reorder", "delay", "seed" };

/* the value of field @k (an index of impair_keys) into @out */
static int impair_value(unsigned k, const char *val, struct indynet_impair *out, char *err, size_t errlen)
{
	uint32_t *pct[] = { &out->loss_ppm, &out->dup_ppm, &out->reorder_ppm };
	long ppm;
	uint64_t n;

	if (k == 3 && impair_num(val, IMPAIR_DELAY_MAX_MS, &n)) {
		out->delay_ms = (uint32_t)n;
		return 0;
	}
	if (k == 4 && impair_num(val, UINT64_MAX, &out->seed))
		return 0;
	ppm = k < 3 ? impair_pct(val) : -1;
	if (ppm >= 0) {
		*pct[k] = (uint32_t)ppm;
		return 0;
	}
	snprintf(err, errlen, "%s: '%s' is not %s", impair_keys[k], val,
		 k == 3 ? "a number of milliseconds from 0 to 10000"
		 : k == 4 ? "a decimal number below 2^64" : "a percentage from 0 to 100 (at most 4 decimals)");
	return -EINVAL;
}

/* one "key=value" into @out; @seen marks the fields given so far */
static int impair_field(char *kv, struct indynet_impair *out, unsigned *seen, char *err, size_t errlen)
{
	char *val = strchr(kv, '=');
	unsigned k;

	if (val)
		*val++ = '\0';
	for (k = 0; k < 5 && strcmp(kv, impair_keys[k]) != 0; k++)
		;
	if (k == 5) {
		snprintf(err, errlen, "'%s' is not a field (" IMPAIR_FIELDS ")", kv);
		return -EINVAL;
	}
	if (!val || !*val) {
		snprintf(err, errlen, "%s: no value (%s=VALUE)", kv, kv);
		return -EINVAL;
	}
	if (*seen & (1u << k)) {
		snprintf(err, errlen, "%s: given twice", kv);
		return -EINVAL;
	}
	*seen |= 1u << k;
	return impair_value(k, val, out, err, errlen);
}

int indynet_impair_parse(const char *spec, struct indynet_impair *out, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *kv;
	unsigned seen = 0;
	int rc = 0;

	if (!spec || !*spec || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "%s (FIELD=VALUE,... of " IMPAIR_FIELDS ")",
			 spec && *spec ? "too long" : "empty");
		return -EINVAL;
	}
	*out = (struct indynet_impair){ .seed = 1 };
	snprintf(buf, sizeof(buf), "%s", spec);
	for (kv = strtok_r(buf, ",", &save); kv && rc == 0; kv = strtok_r(NULL, ",", &save))
		rc = impair_field(kv, out, &seen, err, errlen);
	return rc;
}

/* ---- decisions ---- */

/* splitmix64: one step */
static uint64_t impair_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* true with probability @ppm / 10^6 */
static bool impair_draw(uint64_t *rng, uint32_t ppm)
{
	return (impair_next(rng) >> 11) % IMPAIR_PPM < ppm;
}

uint64_t impair_seed(uint64_t seed, unsigned dir)
{
	uint64_t s = seed ^ (0xa0761f6b2f4c8a35ull * (dir + 1));

	return impair_next(&s);
}

unsigned impair_decide(const struct indynet_impair *c, uint64_t *rng)
{
	bool lose = impair_draw(rng, c->loss_ppm);
	bool dup = impair_draw(rng, c->dup_ppm);
	bool hold = impair_draw(rng, c->reorder_ppm);

	if (lose)
		return IMPAIR_LOSE;
	return (dup ? IMPAIR_DUP : 0u) | (hold ? IMPAIR_REORDER : 0u);
}

/* ---- the link ---- */

static void impair_count(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

static void impair_publish(struct impair *im)
{
	atomic_store_explicit(&im->queued, im->frames, memory_order_relaxed);
}

/* a waiting copy of @frame, due at @due; NULL (counted as overflow) past the bound or out of memory */
static struct impair_frame *impair_copy(struct impair *im, const uint8_t *frame, size_t len, uint64_t due)
{
	struct impair_frame *f = NULL;

	if (im->bytes + len <= IMPAIR_QUEUE_BYTES)
		f = malloc(sizeof(*f) + len);
	if (!f) {
		impair_count(&im->overflow);
		return NULL;
	}
	f->next = NULL;
	f->due = due;
	f->len = len;
	memcpy(f->data, frame, len);
	im->bytes += len;
	im->frames++;
	impair_publish(im);
	return f;
}

static void impair_release(struct impair *im, struct impair_frame *f)
{
	im->bytes -= f->len;
	im->frames--;
	impair_publish(im);
	free(f);
}

/* a frame leaves the impairment: now, or after delay_ms */
static void impair_send(struct impair *im, unsigned dir, const uint8_t *frame, size_t len, uint64_t now)
{
	struct impair_line *l = &im->line[dir];
	struct impair_frame *f;

	if (!im->cfg.delay_ms) {
		im->out[dir](im->opaque, frame, len);
		return;
	}
	f = impair_copy(im, frame, len, now + im->cfg.delay_ms);
	if (!f)
		return;
	impair_count(&im->delayed);
	*l->tail = f;
	l->tail = &f->next;
}

/* the held frame of @dir, if any, goes (after the frame that just went, or alone on its timer) */
static void impair_unhold(struct impair *im, unsigned dir, uint64_t now)
{
	struct impair_frame *f = im->line[dir].held;

	if (!f)
		return;
	im->line[dir].held = NULL;
	impair_send(im, dir, f->data, f->len, now);
	impair_release(im, f);
}

void impair_input(struct impair *im, unsigned dir, const uint8_t *frame, size_t len, uint64_t now)
{
	struct impair_line *l = &im->line[dir];
	unsigned v = impair_decide(&im->cfg, &l->rng);

	if (v & IMPAIR_LOSE) {
		impair_count(&im->dropped);
		return;
	}
	if (v & IMPAIR_DUP) {
		impair_count(&im->duplicated);
		impair_send(im, dir, frame, len, now);
	}
	if ((v & IMPAIR_REORDER) && !l->held) {
		l->held = impair_copy(im, frame, len, now + IMPAIR_HOLD_MS);
		if (l->held)
			impair_count(&im->reordered);
		return;
	}
	impair_send(im, dir, frame, len, now);
	impair_unhold(im, dir, now);
}

uint64_t impair_deadline(const struct impair *im)
{
	uint64_t due = UINT64_MAX;

	for (unsigned d = 0; d < IMPAIR__DIRS; d++) {
		const struct impair_line *l = &im->line[d];

		if (l->held && l->held->due < due)
			due = l->held->due;
		if (l->head && l->head->due < due)
			due = l->head->due;
	}
	return due;
}

/* the delayed frames of @dir that are due */
static void impair_run_queue(struct impair *im, unsigned dir, uint64_t now)
{
	struct impair_line *l = &im->line[dir];
	struct impair_frame *f;

	while ((f = l->head) && f->due <= now) {
		l->head = f->next;
		if (!l->head)
			l->tail = &l->head;
		im->out[dir](im->opaque, f->data, f->len);
		impair_release(im, f);
	}
}

void impair_run(struct impair *im, uint64_t now)
{
	for (unsigned d = 0; d < IMPAIR__DIRS; d++) {
		if (im->line[d].held && im->line[d].held->due <= now)
			impair_unhold(im, d, now);
		impair_run_queue(im, d, now);
	}
}

struct impair *impair_new(const struct indynet_impair *c, impair_out_fn *const out[IMPAIR__DIRS], void *opaque)
{
	struct impair *im = calloc(1, sizeof(*im));

	if (!im)
		return NULL;
	im->cfg = *c;
	im->opaque = opaque;
	for (unsigned d = 0; d < IMPAIR__DIRS; d++) {
		im->out[d] = out[d];
		im->line[d].rng = impair_seed(c->seed, d);
		im->line[d].tail = &im->line[d].head;
	}
	return im;
}

void impair_free(struct impair *im)
{
	struct impair_frame *f, *next;

	if (!im)
		return;
	for (unsigned d = 0; d < IMPAIR__DIRS; d++) {
		free(im->line[d].held);
		for (f = im->line[d].head; f; f = next) {
			next = f->next;
			free(f);
		}
	}
	free(im);
}

void impair_stats(const struct impair *im, struct indynet_impair_stats *st)
{
	st->dropped = atomic_load_explicit(&im->dropped, memory_order_relaxed);
	st->duplicated = atomic_load_explicit(&im->duplicated, memory_order_relaxed);
	st->reordered = atomic_load_explicit(&im->reordered, memory_order_relaxed);
	st->delayed = atomic_load_explicit(&im->delayed, memory_order_relaxed);
	st->overflow = atomic_load_explicit(&im->overflow, memory_order_relaxed);
	st->queued = atomic_load_explicit(&im->queued, memory_order_relaxed);
}
