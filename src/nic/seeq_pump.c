/* SPDX-License-Identifier: MIT */
/* seeq_pump.c: the pump (TX channel, then RX drain of the engine ring) and the optional pump thread. */

/*
 * Theory of operation
 *
 * One pump: run the TX chain, then look at the head of the engine's RX
 * ring.  Frames the address filter rejects, and frames the receive command
 * marks as of no interest, are popped and dropped (up to 256 per pump, so
 * a busy LAN cannot starve the guest); the first accepted
 * frame is offered to the RX chain: delivered (popped) or refused (it stays
 * at the head).  At most one frame is delivered per pump.
 *
 * The pump thread sleeps in poll() on the engine's RX descriptor and on an
 * eventfd that register writes kick (a channel started, reset, RX mode
 * changed).  It pumps until there is nothing left to do now.  Only while a
 * frame is refused - the guest returns descriptors by setting OWN in
 * memory, which no register write announces - it re-polls, after 200 us
 * and backing off to 6.4 ms while nothing moves.
 */

#include "seeq_int.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* Retry while a frame is refused: 200 us, doubling up to 6.4 ms while nothing moves. */
#define SEEQ_RETRY_MIN_NS 200000L
#define SEEQ_RETRY_MAX_NS 6400000L

/* Drop a frame the chip would not take: the address filter (rx_filtered) or no interest (rx_discarded). */
static bool seeq_rx_drops(struct seeq *s, const uint8_t *frame, size_t len)
{
	if (!seeq_rx_accept(s, frame, len))
		s->ctr.rx_filtered++;
	else if (!seeq_rx_of_interest(s, SEEQ_RX_STATUS))
		s->ctr.rx_discarded++;
	else
		return false;
	return true;
}

static enum seeq_rx_result seeq_rx_drain(struct seeq *s, unsigned *filtered, bool *again)
{
	const uint8_t *frame;
	size_t len;
	enum seeq_rx_result r;

	*filtered = 0;
	*again = false;
	while (indynet_rx_peek(s->engine, &frame, &len)) {
		if (seeq_rx_drops(s, frame, len)) {
			indynet_rx_pop(s->engine);
			if (++*filtered == SEEQ_RX_FILTER_BUDGET) {
				*again = true;
				return SEEQ_RX_FILTERED;
			}
			continue;
		}
		r = hpc3_rx_deliver(s, frame, len);
		if (r == SEEQ_RX_DELIVERED) {
			indynet_rx_pop(s->engine);
			*again = true;
		} else {
			s->ctr.rx_refused++;
		}
		return r;
	}
	if (*filtered)
		return SEEQ_RX_FILTERED;
	s->ctr.rx_nothing++;
	return SEEQ_RX_NOTHING;
}

struct seeq_pump_result seeq_pump(seeq *s)
{
	struct seeq_pump_result r = { 0 };
	bool tx_more, rx_again;

	pthread_mutex_lock(&s->lock);
	r.tx = hpc3_tx_run(s, &tx_more);
	r.rx = seeq_rx_drain(s, &r.filtered, &rx_again);
	r.again = tx_more || rx_again;
	pthread_mutex_unlock(&s->lock);
	seeq_irq_report(s);
	return r;
}

/**
 * seeq_kick() - wake the pump thread, if one runs.
 * @s: model (not locked)
 */
void seeq_kick(struct seeq *s)
{
	uint64_t one = 1;

	if (atomic_load(&s->kick_wanted))
		(void)!write(s->kick_fd, &one, sizeof(one));
}

/* Sleep until kicked, a frame arrives, or (@retry_ns > 0) the retry time passes. */
static void seeq_thread_wait(struct seeq *s, int rx_fd, long retry_ns)
{
	struct pollfd fds[2] = {
		{ .fd = s->kick_fd, .events = POLLIN },
		{ .fd = rx_fd, .events = POLLIN },
	};
	struct timespec retry = { 0, retry_ns };
	uint64_t n;

	(void)ppoll(fds, 2, retry_ns > 0 ? &retry : NULL, NULL);
	if (fds[0].revents & POLLIN)
		(void)!read(s->kick_fd, &n, sizeof(n));
}

static void *seeq_thread_main(void *arg)
{
	struct seeq *s = arg;
	int rx_fd = indynet_rx_fd(s->engine);
	struct seeq_pump_result r = { 0 };
	long retry_ns = 0;
	bool moved;

	while (!atomic_load(&s->thread_stop)) {
		seeq_thread_wait(s, rx_fd, retry_ns);
		indynet_rx_fd_clear(s->engine);
		moved = false;
		do {
			r = seeq_pump(s);
			moved |= r.tx > 0 || r.rx == SEEQ_RX_DELIVERED;
		} while (r.again && !atomic_load(&s->thread_stop));
		if (r.rx != SEEQ_RX_REFUSED)
			retry_ns = 0;
		else if (moved || retry_ns == 0)
			retry_ns = SEEQ_RETRY_MIN_NS;
		else if (retry_ns < SEEQ_RETRY_MAX_NS)
			retry_ns *= 2;
	}
	return NULL;
}

int seeq_start_thread(seeq *s)
{
	int err;

	if (s->thread_running)
		return -EALREADY;
	if (indynet_rx_fd(s->engine) < 0)
		return -ENOTSUP;
	atomic_store(&s->thread_stop, false);
	atomic_store(&s->kick_wanted, true);
	seeq_kick(s); /* the first pass picks up work queued before the start */
	err = pthread_create(&s->thread, NULL, seeq_thread_main, s);
	if (err) {
		atomic_store(&s->kick_wanted, false);
		return -err;
	}
	s->thread_running = true;
	return 0;
}

void seeq_stop_thread(seeq *s)
{
	uint64_t one = 1;

	if (!s->thread_running)
		return;
	atomic_store(&s->thread_stop, true);
	(void)!write(s->kick_fd, &one, sizeof(one));
	pthread_join(s->thread, NULL);
	atomic_store(&s->kick_wanted, false);
	s->thread_running = false;
}
