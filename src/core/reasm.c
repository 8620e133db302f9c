/* SPDX-License-Identifier: MIT */
/* reasm.c: bounded IPv4 reassembly with overlap rejection and age-out. */
#include "core/reasm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/checksum.h"
#include "core/ipv4.h"

/*
 * Theory of operation
 *
 * Each datagram in progress owns a slot (at most REASM_MAX_DATAGRAMS).  A
 * slot keeps a copy of every fragment in arrival order in an arena (the
 * first fragment's header and every payload build the datagram; a held
 * fragment's bytes tell an exact duplicate) and a bitmap with one bit per
 * 8-byte block of payload (8192 blocks cover 65535 bytes).  Every fragment
 * but the last carries a multiple of 8 bytes at an offset that is a multiple
 * of 8, so a fragment overlaps an earlier one exactly when one of its blocks
 * is already set: the check costs O(fragment length / 8) and the whole
 * datagram O(8192), whatever order or size the fragments come in.
 *
 * A fragment whose blocks are all taken by an earlier fragment with the
 * same offset, length, MF flag and bytes is a duplicate and is ignored;
 * any other overlap drops the datagram (RFC 5722 applied to IPv4: overlaps
 * are only ever produced by attacks).
 *
 * The datagram is complete once the last fragment (MF clear) fixed its
 * length and the payload bytes received reach it: with no overlaps that
 * means every byte is covered.  The completed datagram is copied to the
 * table's output buffer with the first fragment's header, fixed up, and
 * its slot is released at once.
 *
 * Memory is bounded by counting every byte copied into arenas against
 * REASM_MAX_BYTES.  Arenas are reused by later datagrams; an arena grown
 * past REASM_KEEP_ARENA is freed when its datagram ends.
 */

#define REASM_BLOCKS ((IPV4_MAX_LEN + 7) / 8)
#define REASM_KEEP_ARENA (96u * 1024u)

struct reasm_rec {
	uint32_t pkt_len;     /* bytes of the fragment copy that follows */
	uint16_t hlen;
	uint16_t pad;
	uint32_t off;         /* payload offset in bytes */
	uint32_t payload_len;
	uint8_t mf;
	uint8_t pad2[3];
};

struct reasm_slot {
	bool used;
	bool have_first;
	bool have_last;
	uint8_t proto;
	uint16_t id;
	uint16_t first_hlen;
	uint32_t src;
	uint32_t dst;
	uint64_t first_ms;
	uint32_t total;       /* payload length, known once the last fragment came */
	uint32_t received;    /* payload bytes held */
	uint32_t max_end;     /* highest payload end seen */
	uint8_t *arena;
	size_t arena_len;
	size_t arena_cap;
	uint64_t bitmap[(REASM_BLOCKS + 63) / 64];
};

struct reasm {
	struct reasm_slot slots[REASM_MAX_DATAGRAMS];
	unsigned used;
	size_t bytes;
	uint64_t drops[INDYNET_DROP__COUNT];
	uint8_t out[IPV4_MAX_LEN];
};

struct reasm *reasm_new(void)
{
	return calloc(1, sizeof(struct reasm));
}

void reasm_free(struct reasm *ra)
{
	if (!ra)
		return;
	for (unsigned i = 0; i < REASM_MAX_DATAGRAMS; i++)
		free(ra->slots[i].arena);
	free(ra);
}

static void reasm_release(struct reasm *ra, struct reasm_slot *s)
{
	ra->bytes -= s->arena_len;
	ra->used--;
	s->used = false;
	s->arena_len = 0;
	if (s->arena_cap > REASM_KEEP_ARENA) {
		free(s->arena);
		s->arena = NULL;
		s->arena_cap = 0;
	}
}

static void reasm_drop(struct reasm *ra, struct reasm_slot *s, enum indynet_drop_reason why)
{
	ra->drops[why]++;
	reasm_release(ra, s);
}

void reasm_expire(struct reasm *ra, uint64_t now_ms)
{
	for (unsigned i = 0; i < REASM_MAX_DATAGRAMS && ra->used; i++) {
		struct reasm_slot *s = &ra->slots[i];

		if (s->used && now_ms >= s->first_ms && now_ms - s->first_ms >= REASM_TIMEOUT_MS)
			reasm_drop(ra, s, INDYNET_DROP_FRAG_TIMEOUT);
	}
}

static struct reasm_slot *reasm_find(struct reasm *ra, const struct ipv4_view *v)
{
	for (unsigned i = 0; i < REASM_MAX_DATAGRAMS; i++) {
		struct reasm_slot *s = &ra->slots[i];

		if (s->used && s->src == v->src && s->dst == v->dst && s->id == v->id && s->proto == v->proto)
			return s;
	}
	return NULL;
}

static struct reasm_slot *reasm_open(struct reasm *ra, const struct ipv4_view *v, uint64_t now_ms)
{
	for (unsigned i = 0; i < REASM_MAX_DATAGRAMS; i++) {
		struct reasm_slot *s = &ra->slots[i];

		if (s->used)
			continue;
		s->used = true;
		s->have_first = false;
		s->have_last = false;
		s->src = v->src;
		s->dst = v->dst;
		s->id = v->id;
		s->proto = v->proto;
		s->first_ms = now_ms;
		s->total = 0;
		s->received = 0;
		s->max_end = 0;
		s->arena_len = 0;
		memset(s->bitmap, 0, sizeof(s->bitmap));
		ra->used++;
		return s;
	}
	return NULL;
}

static size_t reasm_rec_size(size_t pkt_len)
{
	return (sizeof(struct reasm_rec) + pkt_len + 3) & ~(size_t)3;
}

static bool reasm_blocks_free(const struct reasm_slot *s, uint32_t off, size_t len)
{
	for (size_t b = off / 8; b < (off + len + 7) / 8; b++)
		if (s->bitmap[b / 64] & (1ull << (b % 64)))
			return false;
	return true;
}

static void reasm_blocks_set(struct reasm_slot *s, uint32_t off, size_t len)
{
	for (size_t b = off / 8; b < (off + len + 7) / 8; b++)
		s->bitmap[b / 64] |= 1ull << (b % 64);
}

/* Walk the records of a slot: call with *pos = 0; returns NULL at the end. */
static const struct reasm_rec *reasm_next(const struct reasm_slot *s, size_t *pos, const uint8_t **pkt)
{
	if (*pos >= s->arena_len)
		return NULL;
	const struct reasm_rec *r = (const struct reasm_rec *)(const void *)(s->arena + *pos);

	*pkt = s->arena + *pos + sizeof(*r);
	*pos += reasm_rec_size(r->pkt_len);
	return r;
}

static bool reasm_is_duplicate(const struct reasm_slot *s, const struct ipv4_view *v)
{
	const struct reasm_rec *r;
	const uint8_t *pkt;
	size_t pos = 0;

	while ((r = reasm_next(s, &pos, &pkt)) != NULL) {
		if (r->off == v->frag_off && r->payload_len == v->payload_len && r->mf == v->mf)
			return memcmp(pkt + r->hlen, v->payload, v->payload_len) == 0;
	}
	return false;
}

static bool reasm_store(struct reasm_slot *s, const struct ipv4_view *v)
{
	size_t need = s->arena_len + reasm_rec_size(v->total_len);

	if (need > s->arena_cap) {
		size_t cap = s->arena_cap ? s->arena_cap : 4096;

		while (cap < need)
			cap *= 2;
		uint8_t *na = realloc(s->arena, cap);

		if (!na)
			return false;
		s->arena = na;
		s->arena_cap = cap;
	}
	struct reasm_rec r = {
		.pkt_len = v->total_len,
		.hlen = (uint16_t)v->hlen,
		.off = v->frag_off,
		.payload_len = (uint32_t)v->payload_len,
		.mf = v->mf,
	};

	memcpy(s->arena + s->arena_len, &r, sizeof(r));
	memcpy(s->arena + s->arena_len + sizeof(r), v->hdr, v->total_len);
	s->arena_len = need;
	return true;
}

/* Write the whole datagram to ra->out; false when it would exceed 65535 bytes. */
static bool reasm_build(struct reasm *ra, const struct reasm_slot *s, size_t *out_len)
{
	size_t total = (size_t)s->first_hlen + s->total;
	const struct reasm_rec *r;
	const uint8_t *pkt;
	size_t pos = 0;
	uint16_t sum;

	if (total > IPV4_MAX_LEN)
		return false;
	while ((r = reasm_next(s, &pos, &pkt)) != NULL) {
		if (r->off == 0)
			memcpy(ra->out, pkt, r->hlen);
		memcpy(ra->out + s->first_hlen + r->off, pkt + r->hlen, r->payload_len);
	}
	uint8_t *h = ra->out;

	h[2] = (uint8_t)(total >> 8);
	h[3] = (uint8_t)total;
	h[6] &= (uint8_t)(IPV4_FLAG_DF >> 8); /* keep DF, clear MF and the offset */
	h[7] = 0;
	h[10] = 0;
	h[11] = 0;
	sum = ipv4_header_csum(h, s->first_hlen);
	memcpy(h + 10, &sum, 2);
	*out_len = total;
	return true;
}

/* Consistency of a fragment's extent with what the datagram already knows. */
static bool reasm_extent_ok(const struct reasm_slot *s, const struct ipv4_view *v)
{
	uint32_t end = v->frag_off + (uint32_t)v->payload_len;

	if (!v->mf)
		return (!s->have_last || s->total == end) && s->max_end <= end;
	return !s->have_last || end <= s->total;
}

static enum reasm_result reasm_add(struct reasm *ra, struct reasm_slot *s, const struct ipv4_view *v,
				   const uint8_t **out, size_t *out_len)
{
	uint32_t end = v->frag_off + (uint32_t)v->payload_len;

	if (!reasm_blocks_free(s, v->frag_off, v->payload_len)) {
		if (reasm_is_duplicate(s, v))
			return REASM_HELD;
		reasm_drop(ra, s, INDYNET_DROP_FRAG_OVERLAP);
		return REASM_DROPPED;
	}
	if (v->payload_len == 0 && s->have_last && s->total == end)
		return REASM_HELD; /* a repeated empty last fragment */
	if (!reasm_extent_ok(s, v)) {
		reasm_drop(ra, s, INDYNET_DROP_MALFORMED);
		return REASM_DROPPED;
	}
	if (ra->bytes + reasm_rec_size(v->total_len) > REASM_MAX_BYTES || !reasm_store(s, v)) {
		reasm_drop(ra, s, INDYNET_DROP_FRAG_LIMIT);
		return REASM_DROPPED;
	}
	ra->bytes += reasm_rec_size(v->total_len);
	reasm_blocks_set(s, v->frag_off, v->payload_len);
	s->received += (uint32_t)v->payload_len;
	if (end > s->max_end)
		s->max_end = end;
	if (v->frag_off == 0) {
		s->have_first = true;
		s->first_hlen = (uint16_t)v->hlen;
	}
	if (!v->mf) {
		s->have_last = true;
		s->total = end;
	}
	if (!s->have_last || s->received != s->total || !s->have_first)
		return REASM_HELD;
	if (!reasm_build(ra, s, out_len)) {
		reasm_drop(ra, s, INDYNET_DROP_FRAG_TOO_BIG);
		return REASM_DROPPED;
	}
	reasm_release(ra, s);
	*out = ra->out;
	return REASM_COMPLETE;
}

enum reasm_result reasm_input(struct reasm *ra, const uint8_t *ip_pkt, size_t len, uint64_t now_ms,
			      const uint8_t **out, size_t *out_len)
{
	struct ipv4_view v;
	int err;

	reasm_expire(ra, now_ms);
	err = ipv4_parse(ip_pkt, len, &v);
	if (err) {
		ra->drops[err == -EMSGSIZE ? INDYNET_DROP_TRUNCATED : INDYNET_DROP_MALFORMED]++;
		return REASM_DROPPED;
	}
	if (!ipv4_is_fragment(&v))
		return REASM_NOT_FRAGMENT;

	struct reasm_slot *s = reasm_find(ra, &v);

	if (v.mf && (v.payload_len == 0 || v.payload_len % 8 != 0)) {
		ra->drops[INDYNET_DROP_MALFORMED]++;
		return REASM_DROPPED;
	}
	if (v.frag_off + v.payload_len + IPV4_HLEN > IPV4_MAX_LEN) {
		if (s)
			reasm_drop(ra, s, INDYNET_DROP_FRAG_TOO_BIG);
		else
			ra->drops[INDYNET_DROP_FRAG_TOO_BIG]++;
		return REASM_DROPPED;
	}
	if (!s) {
		s = reasm_open(ra, &v, now_ms);
		if (!s) {
			ra->drops[INDYNET_DROP_FRAG_LIMIT]++;
			return REASM_DROPPED;
		}
	}
	return reasm_add(ra, s, &v, out, out_len);
}

void reasm_counters(const struct reasm *ra, uint64_t drops[INDYNET_DROP__COUNT])
{
	for (unsigned i = 0; i < INDYNET_DROP__COUNT; i++)
		drops[i] += ra->drops[i];
}

unsigned reasm_pending(const struct reasm *ra)
{
	return ra->used;
}

size_t reasm_bytes_held(const struct reasm *ra)
{
	return ra->bytes;
}
