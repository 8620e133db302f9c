/* SPDX-License-Identifier: MIT */
/* ring.h: lock-free single-producer/single-consumer ring of variable-size frames. */
#ifndef INDYNET_CORE_RING_H
#define INDYNET_CORE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Theory of operation
 *
 * The ring holds a power-of-two number of slots.  Each slot owns a buffer
 * that only ever grows (to the largest frame it has carried), so once the
 * ring is warm pushing and popping allocate nothing.
 *
 * head counts frames published by the producer, tail frames released by the
 * consumer; both run freely and are reduced modulo the slot count.  The
 * producer writes the slot, then publishes it with a release store of head;
 * the consumer acquires head, reads the slot, and hands it back with a
 * release store of tail.  Each side caches the other's index and re-reads it
 * only when the cached value says full (producer) or empty (consumer), so the
 * shared cache lines bounce only when they must.
 *
 * Exactly one thread may call the producer functions (ring_push,
 * ring_reserve, ring_commit) and exactly one the consumer functions
 * (ring_peek, ring_pop); ring_count may be called from anywhere.
 */

#define RING_CACHELINE 64

struct ring_slot {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

struct frame_ring {
	_Alignas(RING_CACHELINE) _Atomic unsigned head; /* written by the producer */
	unsigned prod_tail_cache;
	_Alignas(RING_CACHELINE) _Atomic unsigned tail; /* written by the consumer */
	unsigned cons_head_cache;
	_Alignas(RING_CACHELINE) struct ring_slot *slots;
	unsigned mask;
};

/**
 * ring_init() - set up an empty ring.
 * @r: ring
 * @slots: number of slots, a power of two (at least 1)
 *
 * Return: 0, -EINVAL when @slots is not a power of two, or -ENOMEM.
 */
int ring_init(struct frame_ring *r, unsigned slots);

/**
 * ring_destroy() - free every slot buffer; the ring must be idle.
 * @r: ring (initialised, or zero-filled)
 */
void ring_destroy(struct frame_ring *r);

/**
 * ring_push() - copy one frame onto the ring (producer).
 * @r: ring
 * @frame: frame bytes
 * @len: frame length
 *
 * Return: false when the ring is full (or a slot buffer could not grow).
 */
bool ring_push(struct frame_ring *r, const void *frame, size_t len);

/**
 * ring_reserve() - get the next free slot's buffer, at least @len bytes (producer).
 * @r: ring
 * @len: bytes the caller will write
 *
 * Nothing is visible to the consumer until ring_commit().
 *
 * Return: the buffer, or NULL when the ring is full (or out of memory).
 */
uint8_t *ring_reserve(struct frame_ring *r, size_t len);

/**
 * ring_commit() - publish the slot obtained from ring_reserve() (producer).
 * @r: ring
 * @len: bytes actually written, at most what was reserved
 */
void ring_commit(struct frame_ring *r, size_t len);

/**
 * ring_peek() - look at the oldest frame without removing it (consumer).
 * @r: ring
 * @frame: receives a pointer valid until ring_pop()
 * @len: receives the frame length
 *
 * Return: false when the ring is empty.
 */
bool ring_peek(struct frame_ring *r, const uint8_t **frame, size_t *len);

/**
 * ring_pop() - release the oldest frame (consumer); no-op on an empty ring.
 * @r: ring
 */
void ring_pop(struct frame_ring *r);

/**
 * ring_count() - frames currently queued (a snapshot when called concurrently).
 * @r: ring
 *
 * Return: the number of frames.
 */
unsigned ring_count(const struct frame_ring *r);

/**
 * ring_capacity() - number of slots.
 * @r: ring
 *
 * Return: the slot count given to ring_init().
 */
unsigned ring_capacity(const struct frame_ring *r);

#endif /* INDYNET_CORE_RING_H */
