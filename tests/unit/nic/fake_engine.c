/* SPDX-License-Identifier: MIT */
/* fake_engine.c: test stand-in for the engine's RX ring and guest_send (no threads, no backend). */

#include "fake_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

indynet_engine *fake_engine_new(void)
{
	indynet_engine *e = calloc(1, sizeof(*e));

	if (!e)
		abort();
	e->rx_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&e->lock, NULL);
	return e;
}

void fake_engine_free(indynet_engine *e)
{
	if (!e)
		return;
	while (e->rx_count)
		indynet_rx_pop(e);
	for (unsigned i = 0; i < FAKE_TX_KEEP; i++)
		free(e->tx_frame[i]);
	close(e->rx_fd);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

bool fake_engine_push(indynet_engine *e, const void *frame, size_t len)
{
	uint64_t one = 1;

	if (!fake_engine_push_quiet(e, frame, len))
		return false;
	(void)!write(e->rx_fd, &one, sizeof(one));
	return true;
}

bool fake_engine_push_quiet(indynet_engine *e, const void *frame, size_t len)
{
	unsigned slot;

	pthread_mutex_lock(&e->lock);
	if (e->rx_count == INDYNET_RX_RING_FRAMES) {
		pthread_mutex_unlock(&e->lock);
		return false;
	}
	slot = (e->rx_head + e->rx_count) % INDYNET_RX_RING_FRAMES;
	e->rx_frame[slot] = malloc(len ? len : 1);
	memcpy(e->rx_frame[slot], frame, len);
	e->rx_len[slot] = len;
	e->rx_count++;
	pthread_mutex_unlock(&e->lock);
	return true;
}

const uint8_t *fake_engine_tx(const indynet_engine *e, unsigned i, size_t *len)
{
	if (i >= e->tx_count || e->tx_count - i > FAKE_TX_KEEP)
		return NULL;
	*len = e->tx_len[i % FAKE_TX_KEEP];
	return e->tx_frame[i % FAKE_TX_KEEP];
}

int indynet_guest_send(indynet_engine *e, const void *frame, size_t len)
{
	unsigned slot;

	if (e->tx_result)
		return e->tx_result;
	if (len < 14 || len > INDYNET_FRAME_MAX)
		return -EMSGSIZE;
	pthread_mutex_lock(&e->lock);
	slot = e->tx_count % FAKE_TX_KEEP;
	free(e->tx_frame[slot]);
	e->tx_frame[slot] = malloc(len);
	memcpy(e->tx_frame[slot], frame, len);
	e->tx_len[slot] = len;
	e->tx_count++;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

bool indynet_rx_peek(indynet_engine *e, const uint8_t **frame, size_t *len)
{
	bool any;

	pthread_mutex_lock(&e->lock);
	any = e->rx_count != 0;
	if (any) {
		*frame = e->rx_frame[e->rx_head];
		*len = e->rx_len[e->rx_head];
	}
	pthread_mutex_unlock(&e->lock);
	return any;
}

void indynet_rx_pop(indynet_engine *e)
{
	pthread_mutex_lock(&e->lock);
	if (e->rx_count) {
		free(e->rx_frame[e->rx_head]);
		e->rx_frame[e->rx_head] = NULL;
		e->rx_head = (e->rx_head + 1) % INDYNET_RX_RING_FRAMES;
		e->rx_count--;
	}
	pthread_mutex_unlock(&e->lock);
}

int indynet_rx_fd(indynet_engine *e)
{
	return e->rx_fd;
}

void indynet_rx_fd_clear(indynet_engine *e)
{
	uint64_t n;

	(void)!read(e->rx_fd, &n, sizeof(n));
}
