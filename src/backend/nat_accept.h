/* SPDX-License-Identifier: MIT */
/* nat_accept.h: libslirp's forward listeners paused while their accept fails (no descriptors). */
#ifndef INDYNET_BACKEND_NAT_ACCEPT_H
#define INDYNET_BACKEND_NAT_ACCEPT_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"

#define NAT_ACCEPT_MAX 64          /* listeners tracked: forwards are capped lower */
#define NAT_ACCEPT_MIN_MS 100u     /* first pause, doubling ... */
#define NAT_ACCEPT_MAX_MS 2000u    /* ... to this */
#define NAT_ACCEPT_REMIND_MS 10000 /* a failing streak is logged again this often */

struct nat_accept_entry {
	int fd;
	int idx;                  /* this round's poll index, -1: not polled */
	int64_t until_ms;         /* paused until */
	unsigned backoff_ms;      /* 0: not failing */
	unsigned long failed;
	int64_t logged_ms;
};

/** struct nat_accept - the forward listeners seen in the current poll round and their pauses. */
struct nat_accept {
	struct nat_accept_entry e[NAT_ACCEPT_MAX];
	unsigned n;
};

/**
 * nat_accept_filter() - slirp_pollfds_fill(): whether to poll @fd now.
 * @a: state
 * @fd: descriptor libslirp asks for
 * @slirp_events: its SLIRP_POLL_* mask (IN|HUP|ERR alone marks a listener)
 * @now_ms: CLOCK_MONOTONIC ms
 *
 * Return: false while @fd is a paused listener (then it is left out).
 */
bool nat_accept_filter(struct nat_accept *a, int fd, int slirp_events, int64_t now_ms);

/**
 * nat_accept_polled() - record the poll index nat_accept_filter()'s listener got.
 * @a: state
 * @fd: the descriptor just added
 * @idx: its index in the poll set
 */
void nat_accept_polled(struct nat_accept *a, int fd, int idx);

/**
 * nat_accept_check() - after slirp_pollfds_poll(): a listener still readable failed its accept.
 * @a: state
 * @ps: the round's poll set
 * @now_ms: CLOCK_MONOTONIC ms
 *
 * libslirp ignores a failed accept(); the connection stays queued and the
 * socket readable, so it would be retried at every loop round (a spin at
 * the descriptor limit).  Such a listener is paused, 100 ms doubling to 2 s,
 * logged at the start of the streak and every 10 s; its first success after
 * a streak is logged too.
 */
void nat_accept_check(struct nat_accept *a, const struct poll_set *ps, int64_t now_ms);

/**
 * nat_accept_timeout() - lower @tmo_ms to the end of the earliest pause.
 * @a: state
 * @now_ms: CLOCK_MONOTONIC ms
 * @tmo_ms: poll timeout in ms (UINT32_MAX: none)
 */
void nat_accept_timeout(const struct nat_accept *a, int64_t now_ms, uint32_t *tmo_ms);

#endif
