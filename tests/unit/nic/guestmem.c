/* SPDX-License-Identifier: MIT */
/* guestmem.c: fake big-endian guest memory and interrupt line for the NIC tests. */

#include "guestmem.h"

#include <stdlib.h>
#include <string.h>

struct gmem *gmem_new(size_t size)
{
	return gmem_new_at(size, 0);
}

struct gmem *gmem_new_at(size_t size, uint32_t base)
{
	struct gmem *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	m->mem = calloc(1, size);
	if (!m->mem)
		abort();
	m->size = size;
	m->base = base;
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void gmem_free(struct gmem *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->mem);
	free(m);
}

static bool gmem_in(const struct gmem *m, uint32_t paddr, size_t len)
{
	return paddr >= m->base && paddr - m->base <= m->size && len <= m->size - (paddr - m->base);
}

uint8_t *gmem_ptr(struct gmem *m, uint32_t addr)
{
	return m->mem + (addr - m->base);
}

/* Take the bus lock for @len bytes at @paddr; outside memory: counted, unlocked again, false. */
static bool gmem_lock_in(struct gmem *m, uint32_t paddr, size_t len)
{
	pthread_mutex_lock(&m->lock);
	if (gmem_in(m, paddr, len))
		return true;
	m->oob++;
	pthread_mutex_unlock(&m->lock);
	return false;
}

static int gmem_read(void *opaque, uint32_t paddr, void *buf, size_t len)
{
	struct gmem *m = opaque;

	if (!gmem_lock_in(m, paddr, len))
		return -1;
	memcpy(buf, gmem_ptr(m, paddr), len);
	m->reads++;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static int gmem_write(void *opaque, uint32_t paddr, const void *buf, size_t len)
{
	struct gmem *m = opaque;

	if (!gmem_lock_in(m, paddr, len))
		return -1;
	memcpy(gmem_ptr(m, paddr), buf, len);
	m->writes++;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static void gmem_set_irq(void *opaque, bool level)
{
	struct gmem *m = opaque;

	pthread_mutex_lock(&m->lock);
	if (level && !m->irq)
		m->rises++;
	if (!level && m->irq)
		m->falls++;
	m->irq = level;
	pthread_mutex_unlock(&m->lock);
}

const struct seeq_host_ops gmem_ops = {
	.mem_read = gmem_read,
	.mem_write = gmem_write,
	.set_irq = gmem_set_irq,
};

uint32_t gmem_be32(struct gmem *m, uint32_t addr)
{
	const uint8_t *p = gmem_ptr(m, addr);

	pthread_mutex_lock(&m->lock);
	uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	pthread_mutex_unlock(&m->lock);
	return v;
}

void gmem_put_be32(struct gmem *m, uint32_t addr, uint32_t v)
{
	uint8_t *p = gmem_ptr(m, addr);

	pthread_mutex_lock(&m->lock);
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	pthread_mutex_unlock(&m->lock);
}

void gmem_desc(struct gmem *m, uint32_t addr, uint32_t buf, uint32_t cnt, uint32_t next)
{
	gmem_put_be32(m, addr, buf);
	gmem_put_be32(m, addr + 4, cnt);
	gmem_put_be32(m, addr + 8, next);
	gmem_put_be32(m, addr + 12, 0);
}

bool gmem_irq(struct gmem *m)
{
	pthread_mutex_lock(&m->lock);
	bool v = m->irq;
	pthread_mutex_unlock(&m->lock);
	return v;
}
