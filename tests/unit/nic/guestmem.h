/* SPDX-License-Identifier: MIT */
/* guestmem.h: fake big-endian guest memory and interrupt line for the NIC tests. */
#ifndef NIC_TEST_GUESTMEM_H
#define NIC_TEST_GUESTMEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <indynet/seeq8003.h>

/*
 * Guest memory is shared with the model's pump thread in the thread tests;
 * every access goes through @lock, like a coherent memory bus (drivers
 * then touch a buffer only after seeing its descriptor handed back).
 */
struct gmem {
	pthread_mutex_t lock;
	uint8_t *mem;
	uint32_t base;         /* guest physical address of mem[0] */
	size_t size;
	unsigned oob;          /* accesses outside [0, size) refused */
	unsigned reads, writes;
	bool irq;              /* current line */
	unsigned rises, falls; /* edges seen */
};

struct gmem *gmem_new(size_t size);
/* Guest memory at guest physical [base, base + size), as a real Indy's RAM from 0x08000000. */
struct gmem *gmem_new_at(size_t size, uint32_t base);
/* Host pointer to guest physical address @addr (inside the memory). */
uint8_t *gmem_ptr(struct gmem *m, uint32_t addr);
void gmem_free(struct gmem *m);
extern const struct seeq_host_ops gmem_ops;

uint32_t gmem_be32(struct gmem *m, uint32_t addr);
bool gmem_irq(struct gmem *m);
void gmem_put_be32(struct gmem *m, uint32_t addr, uint32_t v);
/* Write a descriptor: buffer, count/flags, next. */
void gmem_desc(struct gmem *m, uint32_t addr, uint32_t buf, uint32_t cnt, uint32_t next);

#endif
