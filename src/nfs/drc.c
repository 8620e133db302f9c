/* SPDX-License-Identifier: MIT */
/* drc.c: the duplicate-request cache (bounded in entries and bytes, FIFO eviction). */
#include "nfs/drc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Theory of operation
 *
 * A non-idempotent call (REMOVE, RENAME, CREATE, WRITE, ...) is entered
 * before it runs (DRC_NEW, state "in progress") and completed with its
 * reply.  A retransmission that arrives while the original still runs is
 * dropped; one that arrives later is answered with the stored reply, so the
 * operation never applies twice.  Entries form a hash table for lookup and
 * a FIFO for eviction; the oldest completed entries go first when either
 * bound (entries, reply bytes) is reached.  In-progress entries are never
 * evicted.
 */

struct drc_entry {
	struct drc_key key;
	bool done;
	uint8_t *reply;
	size_t len;
	struct drc_entry *hnext;
	struct drc_entry *older, *newer;
};

struct drc {
	struct drc_entry **tab;
	size_t nbuckets;
	size_t count, bytes;
	size_t max_entries, max_bytes;
	struct drc_entry *oldest, *newest;
};

static bool drc_key_eq(const struct drc_key *a, const struct drc_key *b)
{
	return a->addr == b->addr && a->port == b->port && a->xid == b->xid && a->prog == b->prog &&
	       a->vers == b->vers && a->proc == b->proc;
}

static size_t drc_hash(const struct drc *c, const struct drc_key *k)
{
	uint64_t h = (uint64_t)k->xid * 0x9E3779B97F4A7C15ull;

	h ^= ((uint64_t)k->addr << 16 | k->port) * 0xC2B2AE3D27D4EB4Full;
	h ^= (uint64_t)(k->prog ^ k->vers << 24 ^ k->proc << 8) * 0x165667B19E3779F9ull;
	h ^= h >> 31;
	return (size_t)h & (c->nbuckets - 1);
}

/**
 * drc_new() - create a cache.
 * @max_entries: most entries held (at least 1)
 * @max_bytes: most reply bytes held
 *
 * Return: the cache or NULL.
 */
struct drc *drc_new(size_t max_entries, size_t max_bytes)
{
	struct drc *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max_entries = max_entries ? max_entries : 1;
	c->max_bytes = max_bytes;
	c->nbuckets = 64;
	while (c->nbuckets < c->max_entries)
		c->nbuckets *= 2;
	c->tab = calloc(c->nbuckets, sizeof(*c->tab));
	if (!c->tab) {
		free(c);
		return NULL;
	}
	return c;
}

static struct drc_entry *drc_find(struct drc *c, const struct drc_key *k)
{
	struct drc_entry *e;

	for (e = c->tab[drc_hash(c, k)]; e; e = e->hnext)
		if (drc_key_eq(&e->key, k))
			return e;
	return NULL;
}

static void drc_remove(struct drc *c, struct drc_entry *e)
{
	struct drc_entry **pp;

	for (pp = &c->tab[drc_hash(c, &e->key)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	c->count--;
	c->bytes -= e->len;
	free(e->reply);
	free(e);
}

/* Evict completed entries, oldest first, until @need_entries/@need_bytes fit. */
static void drc_make_room(struct drc *c, size_t need_entries, size_t need_bytes)
{
	struct drc_entry *e = c->oldest, *next;

	while (e && (c->count + need_entries > c->max_entries || c->bytes + need_bytes > c->max_bytes)) {
		next = e->newer;
		if (e->done)
			drc_remove(c, e);
		e = next;
	}
}

/**
 * drc_begin() - look a call up; enter it as in progress when new.
 * @c: cache
 * @k: the call's key
 * @reply: receives the cached reply on DRC_REPLAY
 * @len: receives its length on DRC_REPLAY
 *
 * Return: DRC_NEW (serve it; then drc_finish()), DRC_IN_PROGRESS (drop it)
 * or DRC_REPLAY (send *@reply).  When the cache cannot take the entry the
 * call is served uncached (DRC_NEW; drc_finish() then does nothing).
 */
enum drc_state drc_begin(struct drc *c, const struct drc_key *k, const uint8_t **reply, size_t *len)
{
	struct drc_entry *e = drc_find(c, k);
	size_t b;

	if (e) {
		if (!e->done)
			return DRC_IN_PROGRESS;
		*reply = e->reply;
		*len = e->len;
		return DRC_REPLAY;
	}
	drc_make_room(c, 1, 0);
	if (c->count >= c->max_entries)
		return DRC_NEW;
	e = calloc(1, sizeof(*e));
	if (!e)
		return DRC_NEW;
	e->key = *k;
	b = drc_hash(c, k);
	e->hnext = c->tab[b];
	c->tab[b] = e;
	e->older = c->newest;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->count++;
	return DRC_NEW;
}

/**
 * drc_finish() - store the reply of a call entered by drc_begin().
 * @c: cache
 * @k: the call's key
 * @reply: the reply (copied); NULL or @len 0 forgets the entry
 * @len: its length
 */
void drc_finish(struct drc *c, const struct drc_key *k, const uint8_t *reply, size_t len)
{
	struct drc_entry *e = drc_find(c, k);

	if (!e || e->done)
		return;
	if (!reply || !len || len > c->max_bytes) {
		drc_remove(c, e);
		return;
	}
	drc_make_room(c, 0, len);  /* skips @e: it is still in progress */
	e->done = true;
	e->reply = c->bytes + len <= c->max_bytes ? malloc(len) : NULL;
	if (!e->reply) {
		drc_remove(c, e);
		return;
	}
	memcpy(e->reply, reply, len);
	e->len = len;
	c->bytes += len;
}

/**
 * drc_count() - entries held (for tests and statistics).
 * @c: cache
 *
 * Return: the number of entries, in progress or done.
 */
size_t drc_count(const struct drc *c)
{
	return c->count;
}

/**
 * drc_free() - free a cache and its replies.
 * @c: cache, may be NULL
 */
void drc_free(struct drc *c)
{
	if (!c)
		return;
	while (c->oldest)
		drc_remove(c, c->oldest);
	free(c->tab);
	free(c);
}
