/* SPDX-License-Identifier: MIT */
/* rpcrec.c: RPC record marking (RFC 5531 §11): whole records out of stream bytes, bounded. */
#include <stdlib.h>
#include <string.h>

#include "nfs/rpcrec.h"

/*
 * Theory of operation
 *
 * The reassembler is a two-state machine fed with whatever bytes the
 * stream delivered: "header" collects the 4 bytes of a fragment header
 * (they may arrive one at a time), "body" copies the fragment's bytes into
 * the record buffer.  When a fragment marked last ends, the record is
 * complete and rpcrec_feed() stops right behind it, so the caller can hand
 * the record on before feeding the rest of the segment.
 *
 * Bounds: a header whose length would take the record past max_record is
 * refused before a byte of it is stored (the stream is then dead), and the
 * buffer only grows to hold bytes that really arrived, so a peer that
 * announces 1 MiB and sends 10 bytes costs 4 KiB.
 *
 * Worked example (max_record 1 MiB): the segment
 *   00 00 00 04  'a' 'b' 'c' 'd'  80 00 00 02  'e' 'f'  80 00 00 01  'g'
 * carries a record "abcdef" in two fragments and the start of a second
 * record "g...".  rpcrec_feed() takes 14 bytes and returns RPCREC_RECORD
 * ("abcdef", 6 bytes); the next call takes the last 5 bytes, completes
 * "g" and returns RPCREC_RECORD again.  Had the third header been
 * 80 10 00 01 (1 MiB + 1), that call would have returned RPCREC_TOO_BIG.
 */

#define RPCREC_BUF_MIN 4096u

struct rpcrec {
	size_t max;
	uint8_t *buf;
	size_t cap, len;            /* record bytes stored so far */
	uint8_t hdr[RPCREC_HDR_LEN];
	unsigned hdr_have;          /* header bytes collected */
	uint32_t frag_left;         /* body bytes of the current fragment still to come */
	bool in_body, last;         /* in a fragment's body; it ends the record */
	bool done;                  /* a record was returned: release it on the next feed */
	enum rpcrec_status dead;    /* RPCREC_MORE while the stream is usable */
};

struct rpcrec *rpcrec_new(size_t max_record)
{
	struct rpcrec *r = calloc(1, sizeof(*r));

	if (r)
		r->max = max_record ? max_record : 1;
	return r;
}

void rpcrec_free(struct rpcrec *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

/* Room for @need record bytes, growing by doubling; false = out of memory. */
static bool rpcrec_reserve(struct rpcrec *r, size_t need)
{
	size_t cap = r->cap ? r->cap : RPCREC_BUF_MIN;
	uint8_t *nb;

	if (need <= r->cap)
		return true;
	while (cap < need)
		cap *= 2;
	if (cap > r->max)
		cap = r->max;
	nb = realloc(r->buf, cap);
	if (!nb)
		return false;
	r->buf = nb;
	r->cap = cap;
	return true;
}

/* Collect header bytes; a whole header opens the fragment's body. */
static size_t rpcrec_header(struct rpcrec *r, const uint8_t *data, size_t len)
{
	size_t n = RPCREC_HDR_LEN - r->hdr_have;
	uint32_t v;

	if (n > len)
		n = len;
	memcpy(r->hdr + r->hdr_have, data, n);
	r->hdr_have += (unsigned)n;
	if (r->hdr_have < RPCREC_HDR_LEN)
		return n;
	v = (uint32_t)r->hdr[0] << 24 | (uint32_t)r->hdr[1] << 16 | (uint32_t)r->hdr[2] << 8 | r->hdr[3];
	r->hdr_have = 0;
	r->frag_left = v & ~RPCREC_LAST;
	r->last = (v & RPCREC_LAST) != 0;
	r->in_body = true;
	if (r->frag_left > r->max - r->len)
		r->dead = RPCREC_TOO_BIG;
	return n;
}

/* Copy body bytes into the record. */
static size_t rpcrec_body(struct rpcrec *r, const uint8_t *data, size_t len)
{
	size_t n = len < r->frag_left ? len : r->frag_left;

	if (!rpcrec_reserve(r, r->len + n)) {
		r->dead = RPCREC_NOMEM;
		return 0;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	r->frag_left -= (uint32_t)n;
	return n;
}

/* A fragment's body ended: true when that completed a (non-empty) record. */
static bool rpcrec_frag_end(struct rpcrec *r)
{
	r->in_body = false;
	if (!r->last)
		return false;
	if (r->len == 0)
		return false; /* an empty record carries no message: skip it */
	r->done = true;
	return true;
}

enum rpcrec_status rpcrec_feed(struct rpcrec *r, const uint8_t *data, size_t len, size_t *used)
{
	size_t pos = 0;

	if (r->done) {
		r->done = false;
		r->len = 0;
	}
	while (!r->dead && (pos < len || (r->in_body && r->frag_left == 0))) {
		if (r->in_body && r->frag_left == 0) {
			if (rpcrec_frag_end(r))
				break;
			continue;
		}
		pos += r->in_body ? rpcrec_body(r, data + pos, len - pos) : rpcrec_header(r, data + pos, len - pos);
	}
	*used = pos;
	if (r->dead)
		return r->dead;
	return r->done ? RPCREC_RECORD : RPCREC_MORE;
}

const uint8_t *rpcrec_record(const struct rpcrec *r, size_t *len)
{
	if (!r->done)
		return NULL;
	*len = r->len;
	return r->buf;
}

bool rpcrec_between(const struct rpcrec *r)
{
	return r->done || (!r->in_body && r->hdr_have == 0 && r->len == 0);
}

void rpcrec_mark(uint8_t hdr[RPCREC_HDR_LEN], size_t len)
{
	uint32_t v = RPCREC_LAST | (uint32_t)len;

	hdr[0] = (uint8_t)(v >> 24);
	hdr[1] = (uint8_t)(v >> 16);
	hdr[2] = (uint8_t)(v >> 8);
	hdr[3] = (uint8_t)v;
}
