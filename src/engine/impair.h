/* SPDX-License-Identifier: MIT */
/* impair.h: a deliberately bad link between the guest and the engine (loss, duplication, reordering, delay). */
#ifndef INDYNET_ENGINE_IMPAIR_H
#define INDYNET_ENGINE_IMPAIR_H

#include <stddef.h>
#include <stdint.h>

#include "indynet/indynet.h"

#define IMPAIR_HOLD_MS 20u            /* a frame held back goes after this long if no other follows */
#define IMPAIR_QUEUE_BYTES (8u << 20) /* bytes waiting (delayed or held) at most, both directions */
#define IMPAIR_DELAY_MAX_MS 10000u

enum impair_dir { IMPAIR_TX, IMPAIR_RX, IMPAIR__DIRS }; /* guest to network, network to guest */

/* the verdict on one frame (impair_decide()) */
enum impair_verdict {
	IMPAIR_LOSE = 1,
	IMPAIR_DUP = 2,
	IMPAIR_REORDER = 4,
};

/* where a frame goes once the impairment lets it through */
typedef void impair_out_fn(void *opaque, const uint8_t *frame, size_t len);

struct impair;

/**
 * impair_decide() - the verdict on the next frame of one direction.
 * @c: the impairment
 * @rng: that direction's generator state (seeded by impair_seed())
 *
 * Draws exactly three numbers whatever the verdict, so the verdict on the
 * Nth frame of a direction depends on the seed and N only.
 *
 * Return: a set of enum impair_verdict bits (IMPAIR_LOSE alone when lost).
 */
unsigned impair_decide(const struct indynet_impair *c, uint64_t *rng);

/**
 * impair_seed() - the generator state of direction @dir for seed @seed.
 * @seed: the configured seed
 * @dir: enum impair_dir
 *
 * Return: the initial state (the two directions draw independent sequences).
 */
uint64_t impair_seed(uint64_t seed, unsigned dir);

/**
 * impair_new() - an impaired link.
 * @c: the impairment (copied)
 * @out: where each direction's frames go, indexed by enum impair_dir
 * @opaque: passed to @out
 *
 * Return: the link, or NULL when out of memory.
 */
struct impair *impair_new(const struct indynet_impair *c, impair_out_fn *const out[IMPAIR__DIRS], void *opaque);

/**
 * impair_free() - free @im and the frames it still holds (NULL is fine).
 * @im: link
 */
void impair_free(struct impair *im);

/**
 * impair_input() - one frame into direction @dir of the link (engine thread).
 * @im: link
 * @dir: enum impair_dir
 * @frame: the frame (copied when it has to wait)
 * @len: its length
 * @now: monotonic milliseconds
 */
void impair_input(struct impair *im, unsigned dir, const uint8_t *frame, size_t len, uint64_t now);

/**
 * impair_deadline() - when impair_run() has work next.
 * @im: link
 *
 * Return: monotonic milliseconds, UINT64_MAX when nothing waits.
 */
uint64_t impair_deadline(const struct impair *im);

/**
 * impair_run() - send the frames whose time has come (engine thread).
 * @im: link
 * @now: monotonic milliseconds
 */
void impair_run(struct impair *im, uint64_t now);

/**
 * impair_stats() - the link's counters (any thread).
 * @im: link
 * @st: receives them
 */
void impair_stats(const struct impair *im, struct indynet_impair_stats *st);

#endif /* INDYNET_ENGINE_IMPAIR_H */
