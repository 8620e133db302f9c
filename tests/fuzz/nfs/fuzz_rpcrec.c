/* SPDX-License-Identifier: MIT */
/* fuzz_rpcrec.c: libFuzzer target: RPC record reassembly, whole stream against the same stream in pieces. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/rpcrec.h"

/*
 * Input: a limit byte (record limit = 1 + byte * 64), a piece-size byte
 * (1..256), then the stream.  The stream is reassembled twice, fed whole
 * and fed in pieces of that size; both must yield the same records (each
 * within the limit, never more bytes than arrived) and end the same way.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_OUT (1u << 20)

struct fz_run {
	uint8_t *out;          /* records, back to back */
	size_t out_len, nrec;
	enum rpcrec_status end;
};

static void fz_take(struct rpcrec *r, size_t max, struct fz_run *run)
{
	size_t rl;
	const uint8_t *rec = rpcrec_record(r, &rl);

	if (!rec || rl == 0 || rl > max || run->out_len + rl > FZ_MAX_OUT)
		abort();
	memcpy(run->out + run->out_len, rec, rl);
	run->out_len += rl;
	run->nrec++;
}

static void fz_run(const uint8_t *s, size_t len, size_t max, size_t piece, struct fz_run *run)
{
	struct rpcrec *r = rpcrec_new(max);
	size_t pos = 0, used;

	run->end = RPCREC_MORE;
	while (r && pos < len && run->end <= RPCREC_RECORD) {
		size_t n = len - pos < piece ? len - pos : piece;

		run->end = rpcrec_feed(r, s + pos, n, &used);
		if (used > n || (run->end == RPCREC_MORE && used != n))
			abort();
		pos += used;
		if (run->end == RPCREC_RECORD)
			fz_take(r, max, run);
	}
	rpcrec_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t a_out[FZ_MAX_OUT], b_out[FZ_MAX_OUT];
	struct fz_run a = { .out = a_out }, b = { .out = b_out };
	size_t max, piece;

	if (size < 2)
		return 0;
	max = 1 + (size_t)data[0] * 64;
	piece = 1 + (size_t)data[1];
	fz_run(data + 2, size - 2, max, size, &a);
	fz_run(data + 2, size - 2, max, piece, &b);
	if (a.out_len > size || a.nrec != b.nrec || a.out_len != b.out_len || memcmp(a.out, b.out, a.out_len))
		abort();
	if ((a.end >= RPCREC_TOO_BIG) != (b.end >= RPCREC_TOO_BIG))
		abort();
	return 0;
}
