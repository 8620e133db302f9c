/* SPDX-License-Identifier: MIT */
/* test_impair.c: --impair: the parser, the seeded verdicts, loss/dup/reorder/delay on the link, the engine's use of it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_sync.h"
#include "engine/impair.h"
#include "engine_test.h"

/* ---- the parser ---- */

static void parse_ok(const char *spec, struct indynet_impair *c)
{
	char err[256] = "";

	if (indynet_impair_parse(spec, c, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", spec, err);
}

static void parse_bad(const char *spec, const char *needle)
{
	struct indynet_impair c;
	char err[256] = "";

	assert_int_equal(indynet_impair_parse(spec, &c, err, sizeof(err)), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' does not name '%s'", spec, err, needle);
}

static void test_parse(void **state)
{
	struct indynet_impair c;

	(void)state;
	parse_ok("loss=5%,dup=1%,reorder=1%,delay=20,seed=42", &c);
	assert_int_equal(c.loss_ppm, 50000);
	assert_int_equal(c.dup_ppm, 10000);
	assert_int_equal(c.reorder_ppm, 10000);
	assert_int_equal(c.delay_ms, 20);
	assert_true(c.seed == 42);
	parse_ok("delay=0", &c); /* every field optional, the rest zero, seed 1 */
	assert_int_equal(c.loss_ppm + c.dup_ppm + c.reorder_ppm + c.delay_ms, 0);
	assert_true(c.seed == 1);
	parse_ok("reorder=0.0001,loss=100,dup=12.5%", &c); /* any order, "%" optional, 4 decimals */
	assert_int_equal(c.reorder_ppm, 1);
	assert_int_equal(c.loss_ppm, 1000000);
	assert_int_equal(c.dup_ppm, 125000);
	parse_ok("seed=18446744073709551615,delay=10000", &c);
	assert_true(c.seed == UINT64_MAX);
	assert_int_equal(c.delay_ms, 10000);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_bad("loss=101%", "loss: '101%'");
	parse_bad("loss=5,dup=100.0001", "dup: '100.0001'");
	parse_bad("reorder=0.00001", "reorder: '0.00001'");
	parse_bad("loss=.5", "loss: '.5'");
	parse_bad("loss=5.", "loss: '5.'");
	parse_bad("loss=5%%", "loss: '5%%'");
	parse_bad("loss=-1", "loss: '-1'");
	parse_bad("loss=99999999999999999999", "loss:");
	parse_bad("delay=10001", "delay: '10001'");
	parse_bad("delay=5ms", "delay: '5ms'");
	parse_bad("seed=18446744073709551616", "seed: '18446744073709551616'");
	parse_bad("seed=", "seed: no value");
	parse_bad("loss", "loss: no value");
	parse_bad("loss=1,jitter=5", "'jitter' is not a field");
	parse_bad("loss=1,loss=2", "loss: given twice");
	parse_bad("", "empty");
}

/* ---- the verdicts ---- */

static void verdicts(const struct indynet_impair *c, unsigned dir, unsigned *out, size_t n)
{
	uint64_t rng = impair_seed(c->seed, dir);

	for (size_t i = 0; i < n; i++)
		out[i] = impair_decide(c, &rng);
}

#define NV 200000

static unsigned va[NV], vb[NV];

static void test_verdicts_seeded(void **state)
{
	struct indynet_impair c = { .loss_ppm = 50000, .dup_ppm = 10000, .reorder_ppm = 10000, .seed = 7 };
	size_t lost = 0, dup = 0, held = 0, same = 0;

	(void)state;
	verdicts(&c, IMPAIR_TX, va, NV);
	verdicts(&c, IMPAIR_TX, vb, NV);
	assert_memory_equal(va, vb, sizeof(va)); /* the same seed, the same verdicts */
	for (size_t i = 0; i < NV; i++) {
		lost += va[i] == IMPAIR_LOSE;
		dup += (va[i] & IMPAIR_DUP) != 0;
		held += (va[i] & IMPAIR_REORDER) != 0;
	}
	/* 5 %, 1 %, 1 % of 200,000 (dup and reorder drawn on the frames not lost): within 5 sigma */
	assert_in_range(lost, 10000 - 490, 10000 + 490);
	assert_in_range(dup, 1900 - 220, 1900 + 220);
	assert_in_range(held, 1900 - 220, 1900 + 220);
	c.seed = 8; /* another seed: another sequence */
	verdicts(&c, IMPAIR_TX, vb, NV);
	for (size_t i = 0; i < NV; i++)
		same += va[i] == vb[i] && va[i] != 0;
	assert_true(same < lost); /* agreement on non-trivial verdicts only by chance */
	c.seed = 7; /* the other direction draws its own sequence */
	verdicts(&c, IMPAIR_RX, vb, NV);
	assert_memory_not_equal(va, vb, sizeof(va));
}

static void test_verdicts_extremes(void **state)
{
	struct indynet_impair none = { .seed = 3 }, all = { .loss_ppm = 1000000, .seed = 3 };
	struct indynet_impair dup = { .dup_ppm = 1000000, .reorder_ppm = 1000000, .seed = 3 };

	(void)state;
	verdicts(&none, IMPAIR_TX, va, 10000);
	verdicts(&all, IMPAIR_RX, vb, 10000);
	for (size_t i = 0; i < 10000; i++) {
		assert_int_equal(va[i], 0);
		assert_int_equal(vb[i], IMPAIR_LOSE);
	}
	verdicts(&dup, IMPAIR_TX, va, 100);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(va[i], IMPAIR_DUP | IMPAIR_REORDER);
}

/* ---- the link ---- */

struct sink {
	unsigned n[IMPAIR__DIRS];
	uint8_t first[IMPAIR__DIRS][64]; /* the first byte of each frame that came out, in order */
};

static void sink_add(struct sink *s, unsigned dir, const uint8_t *f)
{
	if (s->n[dir] < 64)
		s->first[dir][s->n[dir]] = f[0];
	s->n[dir]++;
}

static void out_tx(void *opaque, const uint8_t *f, size_t len)
{
	assert_int_equal(len, 60);
	sink_add(opaque, IMPAIR_TX, f);
}

static void out_rx(void *opaque, const uint8_t *f, size_t len)
{
	assert_int_equal(len, 60);
	sink_add(opaque, IMPAIR_RX, f);
}

static struct impair *link_new(const struct indynet_impair *c, struct sink *s)
{
	static impair_out_fn *const out[IMPAIR__DIRS] = { out_tx, out_rx };
	struct impair *im;

	memset(s, 0, sizeof(*s));
	im = impair_new(c, out, s);
	assert_non_null(im);
	return im;
}

static void put(struct impair *im, unsigned dir, uint8_t tag, uint64_t now)
{
	uint8_t f[60] = { tag };

	impair_input(im, dir, f, sizeof(f), now);
}

/* every verdict applied as impair_decide() says, in both directions independently */
static void test_link_follows_verdicts(void **state)
{
	struct indynet_impair c = { .loss_ppm = 200000, .dup_ppm = 100000, .reorder_ppm = 100000, .seed = 11 };
	struct indynet_impair_stats st;
	struct sink s;
	struct impair *im = link_new(&c, &s);
	unsigned lost = 0, dup = 0, want = 0;

	(void)state;
	verdicts(&c, IMPAIR_TX, va, 50);
	for (unsigned i = 0; i < 50; i++) {
		put(im, IMPAIR_TX, (uint8_t)i, 1000);
		lost += va[i] == IMPAIR_LOSE;
		dup += (va[i] & IMPAIR_DUP) != 0;
		want += va[i] == IMPAIR_LOSE ? 0 : (va[i] & IMPAIR_DUP) ? 2 : 1;
	}
	impair_stats(im, &st);
	assert_int_equal(st.dropped, lost);
	assert_int_equal(st.duplicated, dup);
	assert_true(st.reordered > 0);
	assert_int_equal(s.n[IMPAIR_RX], 0); /* nothing crossed into the other direction */
	impair_run(im, 1000 + IMPAIR_HOLD_MS); /* a frame still held goes on its timer */
	assert_int_equal(s.n[IMPAIR_TX], want);
	impair_stats(im, &st);
	assert_int_equal(st.queued, 0);
	impair_free(im);
}

/* reorder: the held frame goes right after the next one; alone, after IMPAIR_HOLD_MS */
static void test_link_reorder(void **state)
{
	struct indynet_impair c = { .reorder_ppm = 1000000, .seed = 1 };
	struct indynet_impair_stats st;
	struct sink s;
	struct impair *im = link_new(&c, &s);

	(void)state;
	put(im, IMPAIR_RX, 1, 100); /* held */
	assert_int_equal(s.n[IMPAIR_RX], 0);
	assert_int_equal(impair_deadline(im), 100 + IMPAIR_HOLD_MS);
	put(im, IMPAIR_RX, 2, 105); /* drawn to be held too, but the slot is taken: goes, then 1 */
	assert_int_equal(s.n[IMPAIR_RX], 2);
	assert_int_equal(s.first[IMPAIR_RX][0], 2);
	assert_int_equal(s.first[IMPAIR_RX][1], 1);
	put(im, IMPAIR_RX, 3, 200); /* held, and nothing follows */
	impair_run(im, 200 + IMPAIR_HOLD_MS - 1);
	assert_int_equal(s.n[IMPAIR_RX], 2);
	impair_run(im, 200 + IMPAIR_HOLD_MS);
	assert_int_equal(s.n[IMPAIR_RX], 3);
	assert_int_equal(s.first[IMPAIR_RX][2], 3);
	assert_int_equal(impair_deadline(im), UINT64_MAX);
	impair_stats(im, &st);
	assert_int_equal(st.reordered, 2);
	assert_int_equal(s.n[IMPAIR_TX], 0);
	put(im, IMPAIR_TX, 9, 300); /* held in the TX slot; freed with the link, not leaked */
	impair_free(im);
}

/* delay: every frame waits delay_ms, in order; duplicates too */
static void test_link_delay(void **state)
{
	struct indynet_impair c = { .dup_ppm = 1000000, .delay_ms = 50, .seed = 1 };
	struct indynet_impair_stats st;
	struct sink s;
	struct impair *im = link_new(&c, &s);

	(void)state;
	put(im, IMPAIR_TX, 1, 1000);
	put(im, IMPAIR_TX, 2, 1010);
	assert_int_equal(impair_deadline(im), 1050);
	impair_run(im, 1049);
	assert_int_equal(s.n[IMPAIR_TX], 0);
	impair_run(im, 1050);
	assert_int_equal(s.n[IMPAIR_TX], 2); /* frame 1 and its copy */
	assert_int_equal(impair_deadline(im), 1060);
	impair_run(im, 1100);
	assert_int_equal(s.n[IMPAIR_TX], 4);
	assert_memory_equal(s.first[IMPAIR_TX], ((uint8_t[]){ 1, 1, 2, 2 }), 4);
	impair_stats(im, &st);
	assert_int_equal(st.delayed, 4);
	assert_int_equal(st.duplicated, 2);
	assert_int_equal(st.queued, 0);
	impair_free(im);
}

/* the frames waiting are bounded: past IMPAIR_QUEUE_BYTES they are lost, counted */
static void test_link_bounded(void **state)
{
	struct indynet_impair c = { .delay_ms = 10, .seed = 1 };
	struct indynet_impair_stats st;
	struct sink s;
	struct impair *im = link_new(&c, &s);
	unsigned fit = IMPAIR_QUEUE_BYTES / 60;

	(void)state;
	for (unsigned i = 0; i < fit + 100; i++)
		put(im, IMPAIR_RX, 0, 0);
	impair_stats(im, &st);
	assert_int_equal(st.queued, fit);
	assert_int_equal(st.overflow, 100);
	impair_run(im, 10);
	assert_int_equal(s.n[IMPAIR_RX], fit);
	put(im, IMPAIR_RX, 0, 10); /* room again */
	impair_stats(im, &st);
	assert_int_equal(st.overflow, 100);
	impair_free(im);
}

/* ---- the engine: cfg.impair ---- */

static void test_engine_config(void **state)
{
	struct indynet_config cfg;
	struct indynet_impair_stats st;
	indynet_engine *e = NULL;
	char err[256] = "";

	(void)state;
	indynet_config_init(&cfg);
	cfg.impair = "loss=5,jitter=1";
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "impair: 'jitter' is not a field"))
		fail_msg("error '%s'", err);
	cfg.impair = NULL;
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_impair_stats_get(e, &st), -ENOENT);
	indynet_engine_free(e);
}

/* every guest frame crosses the link: 100 % loss lets none reach the engine's counters */
static void test_engine_loses(void **state)
{
	struct indynet_config cfg;
	struct indynet_impair_stats st;
	struct indynet_stats es;
	indynet_engine *e = NULL;
	uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x08, 0x06 };
	char err[256] = "";

	(void)state;
	indynet_config_init(&cfg);
	cfg.impair = "loss=100%";
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(eng_input_sync(e, f, sizeof(f)), 0);
	indynet_stats_get(e, &es);
	assert_int_equal(es.tx_frames, 0);
	assert_int_equal(indynet_impair_stats_get(e, &st), 0);
	assert_int_equal(st.dropped, 5);
	indynet_engine_free(e);
}

/* an emulator's thread (the SEEQ model's path): frames go through the TX ring and still cross the link */
static void test_engine_ring_path(void **state)
{
	struct indynet_config cfg;
	struct indynet_impair_stats st = { 0 };
	struct indynet_stats es;
	indynet_engine *e = NULL;
	uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x08, 0x06 };
	char err[256] = "";

	(void)state;
	indynet_config_init(&cfg);
	cfg.impair = "loss=100%";
	assert_int_equal(indynet_engine_new(&cfg, &e, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(e), 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(indynet_guest_send(e, f, sizeof(f)), 0);
	for (int i = 0; i < 200 && st.dropped < 7; i++) {
		usleep(10000);
		assert_int_equal(indynet_impair_stats_get(e, &st), 0);
	}
	assert_int_equal(st.dropped, 7);
	indynet_stats_get(e, &es);
	assert_int_equal(es.tx_frames, 0);
	indynet_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_verdicts_seeded),
		cmocka_unit_test(test_verdicts_extremes),
		cmocka_unit_test(test_link_follows_verdicts),
		cmocka_unit_test(test_link_reorder),
		cmocka_unit_test(test_link_delay),
		cmocka_unit_test(test_link_bounded),
		cmocka_unit_test(test_engine_config),
		cmocka_unit_test(test_engine_loses),
		cmocka_unit_test(test_engine_ring_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
