/* SPDX-License-Identifier: MIT */
/* seeq.c: SEEQ 8003 model lifecycle and the register window (HPC3 offsets, access sizes, locking). */

#include "seeq_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

seeq *seeq_new(const struct seeq_host_ops *ops, void *opaque, indynet_engine *engine)
{
	struct seeq *s;

	if (!ops || !ops->mem_read || !ops->mem_write || !engine) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ops = *ops;
	s->opaque = opaque;
	s->engine = engine;
	s->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->kick_fd < 0) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->irq_lock, NULL);
	seeq_edlc_power_on(s);
	hpc3_power_on(s);
	return s;
}

void seeq_free(seeq *s)
{
	if (!s)
		return;
	seeq_stop_thread(s);
	close(s->kick_fd);
	pthread_mutex_destroy(&s->irq_lock);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void seeq_set_mem_limit(seeq *s, uint32_t limit)
{
	pthread_mutex_lock(&s->lock);
	s->mem_limit = limit;
	pthread_mutex_unlock(&s->lock);
}

void seeq_reset(seeq *s)
{
	pthread_mutex_lock(&s->lock);
	seeq_edlc_power_on(s);
	hpc3_power_on(s);
	seeq_irq_update(s);
	pthread_mutex_unlock(&s->lock);
	seeq_irq_report(s);
}

static bool seeq_is_edlc(uint32_t off)
{
	return off >= SEEQ_HPC3_EDLC && off < SEEQ_HPC3_EDLC_END;
}

/* The SEEQ decodes three address bits: the window repeats its eight registers. */
static unsigned seeq_edlc_reg(uint32_t off)
{
	return ((off - SEEQ_HPC3_EDLC) >> 2) & 7u;
}

/* Shift that moves the big-endian lane of a @size-byte access at @off to bit 0. */
static unsigned seeq_lane_shift(uint32_t off, unsigned size)
{
	unsigned end = (off & 3u) + size;

	return end > 4 ? 0 : (4u - end) * 8u;
}

static uint32_t seeq_lane_mask(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8u)) - 1u;
}

uint32_t seeq_reg_read(seeq *s, uint32_t hpc3_offset, unsigned size)
{
	uint32_t v;

	pthread_mutex_lock(&s->lock);
	if (seeq_is_edlc(hpc3_offset)) {
		v = seeq_edlc_read(s, seeq_edlc_reg(hpc3_offset));
	} else {
		v = hpc3_reg_read(s, hpc3_offset & ~3u, false);
		v = (v >> seeq_lane_shift(hpc3_offset, size)) & seeq_lane_mask(size);
	}
	pthread_mutex_unlock(&s->lock);
	seeq_irq_report(s);
	return v;
}

void seeq_reg_write(seeq *s, uint32_t hpc3_offset, uint32_t value, unsigned size)
{
	bool kick;

	pthread_mutex_lock(&s->lock);
	if (seeq_is_edlc(hpc3_offset)) {
		kick = seeq_edlc_write(s, seeq_edlc_reg(hpc3_offset), (uint8_t)value);
	} else {
		uint32_t off = hpc3_offset & ~3u;
		unsigned shift = seeq_lane_shift(hpc3_offset, size);
		uint32_t mask = seeq_lane_mask(size) << shift;
		uint32_t v = (hpc3_reg_read(s, off, true) & ~mask) | ((value << shift) & mask);

		if (size >= 4)
			v = value;
		kick = hpc3_reg_write(s, off, v);
	}
	pthread_mutex_unlock(&s->lock);
	seeq_irq_report(s);
	if (kick)
		seeq_kick(s);
}

void seeq_counters(seeq *s, struct seeq_counters *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->ctr;
	pthread_mutex_unlock(&s->lock);
}

bool seeq_irq_level(seeq *s)
{
	pthread_mutex_lock(&s->lock);
	bool level = s->irq_level;
	pthread_mutex_unlock(&s->lock);
	return level;
}
