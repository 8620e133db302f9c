/* SPDX-License-Identifier: MIT */
/* seeq_int.h: internal state of the SEEQ 8003 + HPC3 Ethernet model, shared by src/nic files. */
#ifndef INDYNET_NIC_SEEQ_INT_H
#define INDYNET_NIC_SEEQ_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <indynet/seeq8003.h>

/* Largest packet the TX channel gathers; larger ones are dropped. */
#define SEEQ_TX_MAX 16384u
/* Descriptors one TX packet may span; beyond it the chain counts as broken. */
#define SEEQ_TX_PKT_DESCS 1024u
/* Staging buffer: a TX packet, or [0][0][frame][status] of at most BCNT bytes. */
#define SEEQ_STAGE_SIZE SEEQ_TX_MAX
/* 8003/80C03 receive status of every frame the model receives (no CRC or FIFO errors). */
#define SEEQ_RX_STATUS (SEEQ_RXS_GOOD | SEEQ_RXS_END)
/* Zero-count link descriptors followed before the chain counts as broken. */
#define SEEQ_LINK_HOPS 64u
/* Per pump: filtered RX frames popped, TX packets sent. */
#define SEEQ_RX_FILTER_BUDGET 256u
#define SEEQ_TX_BUDGET 256u
/* Shortest frame the receiver takes; shorter frames are padded to 60 bytes. */
#define SEEQ_RX_MIN 6u
#define SEEQ_RX_PAD 60u

/* One HPC3 DMA channel. */
struct seeq_chan {
	uint32_t cbp;   /* current buffer pointer */
	uint32_t nbdp;  /* next descriptor pointer */
	uint32_t bc;    /* count and flags of the current descriptor */
	uint32_t ctrl;  /* ENDIAN, ACTIVE, RBO; RX bits 7:0 = status copy */
	uint32_t gio;   /* GIO FIFO pointer (stored) */
	uint32_t dev;   /* device FIFO pointer (stored) */
	uint32_t cur;   /* address of the current descriptor (CRBDP for RX) */
};

/* A descriptor as read from guest memory. */
struct seeq_desc {
	uint32_t buf;
	uint32_t cnt;
	uint32_t next;
};

struct seeq {
	pthread_mutex_t lock;
	struct seeq_host_ops ops;
	void *opaque;
	indynet_engine *engine;
	uint32_t mem_limit;

	/* SEEQ EDLC */
	uint8_t station[6];
	uint8_t mcast[8];
	uint8_t gap;
	uint8_t control;   /* 80C03 bank 2 register 3 */
	uint8_t config;    /* 80C03 bank 2 register 4 */
	uint8_t rx_cmd, rx_stat;
	uint8_t tx_cmd, tx_stat;

	/* HPC3 Ethernet */
	struct seeq_chan rx, tx;
	uint32_t reset;    /* stored CHANNEL and LOOPBACK bits */
	uint32_t dmacfg, piocfg;
	uint32_t cpfx, ppfx;
	bool dma_irq;      /* XIE descriptor done, or the RX channel stopped at EOX */
	bool irq_level;    /* the computed line */

	/* Reporting of irq_level to the emulator, in order. */
	pthread_mutex_t irq_lock;
	atomic_bool irq_dirty;
	bool irq_reported;

	struct seeq_counters ctr;

	/* Pump thread. */
	pthread_t thread;
	bool thread_running;
	atomic_bool thread_stop;
	atomic_bool kick_wanted;
	int kick_fd;

	uint8_t stage[SEEQ_STAGE_SIZE];
};

/* seeq_regs.c */
void seeq_edlc_power_on(struct seeq *s);
void seeq_edlc_chip_reset(struct seeq *s);
void seeq_irq_update(struct seeq *s);
void seeq_irq_report(struct seeq *s);
bool seeq_rx_accept(const struct seeq *s, const uint8_t *frame, size_t len);
bool seeq_rx_of_interest(const struct seeq *s, uint8_t status);
uint32_t seeq_crc32_update(uint32_t crc, const uint8_t *p, size_t n);
uint8_t seeq_edlc_read(struct seeq *s, unsigned reg);
bool seeq_edlc_write(struct seeq *s, unsigned reg, uint8_t v);

/* hpc3_regs.c */
uint32_t hpc3_reg_read(struct seeq *s, uint32_t off, bool raw);
bool hpc3_reg_write(struct seeq *s, uint32_t off, uint32_t v);
void hpc3_power_on(struct seeq *s);

/* hpc3_dma.c */
int hpc3_mem_read(struct seeq *s, uint32_t paddr, void *buf, size_t len);
int hpc3_mem_write(struct seeq *s, uint32_t paddr, const void *buf, size_t len);
void hpc3_chan_start(struct seeq *s, struct seeq_chan *ch);
void hpc3_chan_stop(struct seeq_chan *ch);
unsigned hpc3_tx_run(struct seeq *s, bool *more);
enum seeq_rx_result hpc3_rx_deliver(struct seeq *s, const uint8_t *frame, size_t len);

/* seeq_pump.c */
void seeq_kick(struct seeq *s);

static inline uint32_t seeq_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void seeq_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* INDYNET_NIC_SEEQ_INT_H */
