/* SPDX-License-Identifier: MIT */
/* drv_common.h: what the Linux-like and NetBSD-like test drivers share (frame queue, TX padding, service loop). */
#ifndef NIC_TEST_DRV_COMMON_H
#define NIC_TEST_DRV_COMMON_H

/*
 * Header-only on purpose: bench/seeq builds drv_linux.c on its own, so the
 * shared part must not need another source file.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guestmem.h"

#define DRV_RXQ 64u
#define DRV_FRAME_MAX 2048u
#define DRV_MIN_FRAME 60u /* Ethernet minimum without the FCS */
#define DRV_SERVICE_GUARD 4096u

/** struct drv_rxq - frames a driver passed up the stack, oldest first. */
struct drv_rxq {
	uint8_t frame[DRV_RXQ][DRV_FRAME_MAX];
	size_t len[DRV_RXQ];
	unsigned n;
};

/* Queue a received frame; it is dropped when the queue is full or it does not fit a slot. */
static inline void drv_rxq_push(struct drv_rxq *q, const uint8_t *frame, size_t len)
{
	if (q->n >= DRV_RXQ || len > DRV_FRAME_MAX)
		return;
	memcpy(q->frame[q->n], frame, len);
	q->len[q->n++] = len;
}

/* Take the oldest frame (copied to @buf, at most @cap bytes); 0 when none. */
static inline size_t drv_rxq_take(struct drv_rxq *q, uint8_t *buf, size_t cap)
{
	size_t len;

	if (!q->n)
		return 0;
	len = q->len[0] < cap ? q->len[0] : cap;
	memcpy(buf, q->frame[0], len);
	q->n--;
	memmove(q->frame[0], q->frame[1], q->n * sizeof(q->frame[0]));
	memmove(q->len, q->len + 1, q->n * sizeof(q->len[0]));
	return len;
}

/* Copy a frame to the guest buffer at @buf, zero-padded to the minimum; returns the length to send. */
static inline size_t drv_tx_copy(struct gmem *m, uint32_t buf, const void *frame, size_t len)
{
	memset(gmem_ptr(m, buf), 0, DRV_MIN_FRAME);
	memcpy(gmem_ptr(m, buf), frame, len);
	return len < DRV_MIN_FRAME ? DRV_MIN_FRAME : len;
}

/* Pump the model until idle, calling @intr(@drv) whenever the interrupt line is up. */
static inline void drv_service(seeq *s, struct gmem *m, void (*intr)(void *drv), void *drv)
{
	for (unsigned guard = 0; guard < DRV_SERVICE_GUARD; guard++) {
		struct seeq_pump_result r = seeq_pump(s);

		if (gmem_irq(m))
			intr(drv);
		else if (!r.again)
			break;
	}
}

#endif
