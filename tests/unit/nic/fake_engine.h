/* SPDX-License-Identifier: MIT */
/* fake_engine.h: test stand-in for the five engine calls the NIC model uses (RX ring + guest_send). */
#ifndef NIC_TEST_FAKE_ENGINE_H
#define NIC_TEST_FAKE_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <indynet/indynet.h>

#define FAKE_TX_KEEP 64u

struct indynet_engine {
	pthread_mutex_t lock; /* the pump thread consumes while a test produces */
	/* RX ring towards the guest (INDYNET_RX_RING_FRAMES deep, like the engine's). */
	uint8_t *rx_frame[INDYNET_RX_RING_FRAMES];
	size_t rx_len[INDYNET_RX_RING_FRAMES];
	unsigned rx_head, rx_count;
	int rx_fd;
	/* Frames the guest sent (the last FAKE_TX_KEEP kept). */
	uint8_t *tx_frame[FAKE_TX_KEEP];
	size_t tx_len[FAKE_TX_KEEP];
	unsigned tx_count;
	int tx_result;  /* what indynet_guest_send() returns */
};

indynet_engine *fake_engine_new(void);
void fake_engine_free(indynet_engine *e);
/* Queue a frame for the guest; false when the ring is full. */
bool fake_engine_push(indynet_engine *e, const void *frame, size_t len);
/* The same without signalling the RX descriptor (a frame the pump was not told about). */
bool fake_engine_push_quiet(indynet_engine *e, const void *frame, size_t len);
/* The i-th frame sent by the guest (0 = first), or NULL. */
const uint8_t *fake_engine_tx(const indynet_engine *e, unsigned i, size_t *len);

#endif
