/* SPDX-License-Identifier: MIT */
/* ring.c: lock-free SPSC frame ring with grow-only slot buffers (see ring.h). */
#include "core/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Slot buffers start at this size, so small frames never cause a regrowth. */
#define RING_MIN_SLOT_BYTES 2048u

int ring_init(struct frame_ring *r, unsigned slots)
{
	memset(r, 0, sizeof(*r));
	if (slots == 0 || (slots & (slots - 1)) != 0)
		return -EINVAL;
	r->slots = calloc(slots, sizeof(*r->slots));
	if (!r->slots)
		return -ENOMEM;
	r->mask = slots - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void ring_destroy(struct frame_ring *r)
{
	if (r->slots) {
		for (unsigned i = 0; i <= r->mask; i++)
			free(r->slots[i].buf);
		free(r->slots);
	}
	r->slots = NULL;
	r->mask = 0;
}

static bool ring_slot_grow(struct ring_slot *s, size_t len)
{
	size_t cap = s->cap ? s->cap : RING_MIN_SLOT_BYTES;

	while (cap < len) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	/* The old contents are dead: free + malloc avoids realloc's copy. */
	uint8_t *nb = malloc(cap);

	if (!nb)
		return false;
	free(s->buf);
	s->buf = nb;
	s->cap = cap;
	return true;
}

uint8_t *ring_reserve(struct frame_ring *r, size_t len)
{
	unsigned head = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (head - r->prod_tail_cache > r->mask) {
		r->prod_tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head - r->prod_tail_cache > r->mask)
			return NULL;
	}
	struct ring_slot *s = &r->slots[head & r->mask];

	if (s->cap < len && !ring_slot_grow(s, len))
		return NULL;
	return s->buf;
}

void ring_commit(struct frame_ring *r, size_t len)
{
	unsigned head = atomic_load_explicit(&r->head, memory_order_relaxed);

	r->slots[head & r->mask].len = len;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

bool ring_push(struct frame_ring *r, const void *frame, size_t len)
{
	uint8_t *dst = ring_reserve(r, len);

	if (!dst)
		return false;
	if (len)
		memcpy(dst, frame, len);
	ring_commit(r, len);
	return true;
}

bool ring_peek(struct frame_ring *r, const uint8_t **frame, size_t *len)
{
	unsigned tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (tail == r->cons_head_cache) {
		r->cons_head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		if (tail == r->cons_head_cache)
			return false;
	}
	const struct ring_slot *s = &r->slots[tail & r->mask];

	*frame = s->buf;
	*len = s->len;
	return true;
}

void ring_pop(struct frame_ring *r)
{
	unsigned tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (tail == r->cons_head_cache) {
		r->cons_head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		if (tail == r->cons_head_cache)
			return;
	}
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

unsigned ring_count(const struct frame_ring *r)
{
	unsigned tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	unsigned head = atomic_load_explicit(&r->head, memory_order_acquire);

	return head - tail;
}

unsigned ring_capacity(const struct frame_ring *r)
{
	return r->slots ? r->mask + 1 : 0;
}
