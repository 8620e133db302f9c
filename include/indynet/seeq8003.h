/* SPDX-License-Identifier: MIT */
/* seeq8003.h: SGI Indy Ethernet model (SEEQ 8003/80C03 EDLC behind the HPC3 DMA) on an indynet engine. */
#ifndef INDYNET_SEEQ8003_H
#define INDYNET_SEEQ8003_H

/*
 * Theory of operation
 *
 * The emulator owns guest memory, the interrupt line and the CPU; the model
 * owns the NIC's registers and DMA state.  The emulator forwards every
 * access to the HPC3 Ethernet register window to seeq_reg_read() /
 * seeq_reg_write(), and either calls seeq_pump() from its device thread or
 * lets seeq_start_thread() run a pump thread.  A pump runs the TX DMA
 * channel (descriptor chains -> indynet_guest_send()) and then drains the
 * engine's RX ring into the RX descriptor chain.
 *
 * Guest memory is reached only through struct seeq_host_ops; the model
 * copies whole buffers per call and does the big-endian byte order of the
 * descriptors itself.
 *
 * Threads: register accesses and pumps serialise on the model's lock, and
 * mem_read()/mem_write() run with it held (on the pump thread, or on the
 * thread calling seeq_pump()): they must not call back into seeq_*() nor
 * wait for a lock the emulator holds while it calls seeq_reg_*().
 * set_irq() runs without the model's lock, on the pump thread or inside
 * seeq_reg_*()/seeq_pump() on the caller's thread, once per change of the
 * line level; the last level it reports is always the current one.
 *
 * The model follows the HPC3 specification and the SEEQ 8003/80C03 data
 * sheets register by register (power-on values, the receive "frames of
 * interest", the rx control status copy and RBO, TXD only in a packet's
 * first descriptor, the 80C03 configuration register and multicast hash).
 * Where it departs on purpose, for an emulated guest's sake: a frame that
 * finds no receive descriptor waits on the engine's ring instead of being
 * lost, so the SEEQ receive FIFO never overflows.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <indynet/indynet.h>

#ifdef __cplusplus
extern "C" {
#endif

/* HPC3 register offsets (from the HPC3 base 0x1FB80000). */
#define SEEQ_HPC3_RX_CBP      0x14000u
#define SEEQ_HPC3_RX_NBDP     0x14004u
#define SEEQ_HPC3_RX_BC       0x15000u
#define SEEQ_HPC3_RX_CTRL     0x15004u
#define SEEQ_HPC3_RX_GIO      0x15008u
#define SEEQ_HPC3_RX_DEV      0x1500Cu
#define SEEQ_HPC3_RESET       0x15014u
#define SEEQ_HPC3_DMACFG      0x15018u
#define SEEQ_HPC3_PIOCFG      0x1501Cu
#define SEEQ_HPC3_TX_CBP      0x16000u
#define SEEQ_HPC3_TX_NBDP     0x16004u
#define SEEQ_HPC3_TX_BC       0x17000u
#define SEEQ_HPC3_TX_CTRL     0x17004u
#define SEEQ_HPC3_TX_GIO      0x17008u
#define SEEQ_HPC3_TX_DEV      0x1700Cu
#define SEEQ_HPC3_CRBDP       0x18000u
#define SEEQ_HPC3_CPFXBDP     0x1A000u
#define SEEQ_HPC3_PPFXBDP     0x1A004u
/**
 * SEEQ register n (0..7) is at SEEQ_HPC3_EDLC + 4 * n; the 8-bit register
 * answers on every byte lane of its word.  The window runs to
 * SEEQ_HPC3_EDLC_END and repeats the eight registers every 32 bytes (the
 * chip decodes three address bits).
 */
#define SEEQ_HPC3_EDLC        0x54000u
#define SEEQ_HPC3_EDLC_END    0x54500u
#define SEEQ_HPC3_EDLC_REG(n) (SEEQ_HPC3_EDLC + 4u * (uint32_t)(n))

/* SEEQ registers 6 and 7. */
#define SEEQ_REG_RX 6u
#define SEEQ_REG_TX 7u

/*
 * RX command and status bits.  Bits 0-5 of the command each enable an
 * interrupt and make that kind of frame a "frame of interest"; a frame of
 * no interest is discarded (the frames the model receives are good, so
 * they need SEEQ_RXC_EOF or SEEQ_RXC_GOOD).
 */
#define SEEQ_RXC_OVERFLOW 0x01u
#define SEEQ_RXC_CRC      0x02u
#define SEEQ_RXC_DRIBBLE  0x04u
#define SEEQ_RXC_SHORT    0x08u
#define SEEQ_RXC_EOF      0x10u
#define SEEQ_RXC_GOOD     0x20u
#define SEEQ_RXC_MATCH_MASK  0xC0u
#define SEEQ_RXC_MATCH_OFF   0x00u /* receiver off */
#define SEEQ_RXC_MATCH_ALL   0x40u /* promiscuous */
#define SEEQ_RXC_MATCH_BCAST 0x80u /* station or broadcast */
#define SEEQ_RXC_MATCH_MCAST 0xC0u /* station, broadcast or any group address */
#define SEEQ_RXS_OLD      0x80u
#define SEEQ_RXS_GOOD     0x20u
#define SEEQ_RXS_END      0x10u
#define SEEQ_RXS_SHORT    0x08u
#define SEEQ_RXS_DRIBBLE  0x04u
#define SEEQ_RXS_CRC      0x02u
#define SEEQ_RXS_OVERFLOW 0x01u

/* TX command and status bits; bank select is tx_cmd & 0x60. */
#define SEEQ_TXC_UNDERFLOW 0x01u
#define SEEQ_TXC_COLL      0x02u
#define SEEQ_TXC_16TRY     0x04u
#define SEEQ_TXC_GOOD      0x08u
#define SEEQ_TXC_BANK_MASK 0x60u
#define SEEQ_TXC_BANK0     0x00u /* station address */
#define SEEQ_TXC_BANK1     0x20u /* multicast hash, low bytes */
#define SEEQ_TXC_BANK2     0x40u /* hash high, packet gap, control, 80C03 config */
#define SEEQ_TXS_OLD       0x80u
#define SEEQ_TXS_LATECOL   0x10u
#define SEEQ_TXS_SUCCESS   0x08u
#define SEEQ_TXS_16TRY     0x04u
#define SEEQ_TXS_COLL      0x02u
#define SEEQ_TXS_UNDERFLOW 0x01u

/* 80C03 control register (bank 2, register 3) and configuration register (bank 2, register 4). */
#define SEEQ_CTL_MHF 0x08u /* multicast hash filter in match mode 0xC0 */
#define SEEQ_CFG_GAM 0x01u /* station match ignores the low 4 bits of byte 5 */
#define SEEQ_CFG_TPA 0x02u /* transmit pads short frames to 60 bytes */
#define SEEQ_CFG_TNC 0x10u /* transmit no CRC: the buffer's last 4 bytes are its FCS */
#define SEEQ_CFG_RXC 0x40u /* receive CRC: the FCS reaches memory */

/*
 * HPC3 channel control bits.  RX bits 7:0 read a copy of the SEEQ receive
 * status taken when the last frame ended; RBO is set by the chip when a
 * frame did not fit its buffer and cleared by reading the register (or
 * writing it with RBO set); AMASK is write-only.
 */
#define SEEQ_CTRL_ENDIAN 0x100u
#define SEEQ_CTRL_ACTIVE 0x200u
#define SEEQ_CTRL_AMASK  0x400u
#define SEEQ_CTRL_RBO    0x800u

/* HPC3 Ethernet DMA configuration: write each TX packet's IPG byte to the gap register. */
#define SEEQ_DMACFG_WRCTL 0x1000u

/* HPC3 Ethernet RESET (misc) register bits; CHANNEL is 1 after power-on. */
#define SEEQ_RESET_CHANNEL  0x01u
#define SEEQ_RESET_CLRINT   0x02u /* write: clear every interrupt but RBO; read: interrupt pending */
#define SEEQ_RESET_LOOPBACK 0x04u

/* Descriptor: +0 buffer, +4 count/flags, +8 next, +12 filler (all big-endian). */
#define SEEQ_DESC_SIZE  16u
#define SEEQ_DESC_BCNT  0x00003FFFu
#define SEEQ_DESC_OWN   0x00004000u /* RX: the hardware owns it */
#define SEEQ_DESC_TXD   0x00008000u /* TX: written into a packet's first descriptor once sent */
#define SEEQ_DESC_IPG   0x00FF0000u /* TX: inter-packet gap byte (see SEEQ_DMACFG_WRCTL) */
#define SEEQ_DESC_XIE   0x20000000u
#define SEEQ_DESC_EOP   0x40000000u
#define SEEQ_DESC_EOX   0x80000000u

/** Emulator callbacks.  Guest physical memory is big-endian. */
struct seeq_host_ops {
	/* Return 0, or nonzero when [paddr, paddr+len) is not memory. */
	int (*mem_read)(void *opaque, uint32_t paddr, void *buf, size_t len);
	int (*mem_write)(void *opaque, uint32_t paddr, const void *buf, size_t len);
	/*
	 * New level of the HPC3 Ethernet interrupt (on an Indy: local
	 * interrupt 0, bit 3 of the INT2/INT3 controller).
	 */
	void (*set_irq)(void *opaque, bool level);
};

/** What one pump did with the RX ring. */
enum seeq_rx_result {
	SEEQ_RX_NOTHING = 0,  /* ring empty */
	SEEQ_RX_FILTERED,     /* only frames the address filter rejected (popped) */
	SEEQ_RX_REFUSED,      /* an accepted frame found no descriptor; it stays */
	SEEQ_RX_DELIVERED,    /* one frame written to guest memory */
};

struct seeq_pump_result {
	enum seeq_rx_result rx;
	unsigned filtered;    /* frames popped by the address filter */
	unsigned tx;          /* frames transmitted */
	bool again;           /* more work is ready now: pump again */
};

struct seeq_counters {
	uint64_t tx_frames;    /* packets handed to the engine */
	uint64_t tx_bytes;
	uint64_t tx_dropped;   /* engine refused them (ring full, bad size) */
	uint64_t tx_errors;    /* packet too long or chain ended without EOP */
	uint64_t rx_nothing;   /* pumps that found the ring empty */
	uint64_t rx_filtered;  /* frames dropped by the address filter */
	uint64_t rx_refused;   /* pumps that found no RX descriptor */
	uint64_t rx_delivered; /* frames written to guest memory */
	uint64_t rx_bytes;
	uint64_t rx_truncated; /* frames cut to the descriptor's buffer */
	uint64_t dma_errors;   /* guest memory access failed: channel stopped */
	uint64_t irq_edges;    /* changes of the interrupt level */
	uint64_t rx_discarded; /* frames the receive command marks as of no interest */
};

typedef struct seeq seeq;

/**
 * seeq_new() - create a NIC model in its power-on state (channel reset held).
 * @ops: guest memory and interrupt callbacks (copied)
 * @opaque: passed to every callback
 * @engine: the engine frames go to and come from; must outlive the model
 *
 * Return: the model, or NULL (errno set).
 */
INDYNET_API seeq *seeq_new(const struct seeq_host_ops *ops, void *opaque, indynet_engine *engine);

/**
 * seeq_free() - stop the pump thread if any and release the model.
 * @s: model, may be NULL
 */
INDYNET_API void seeq_free(seeq *s);

/**
 * seeq_set_mem_limit() - bound guest DMA to [0, @limit).
 * @s: model
 * @limit: size of guest physical memory; 0 = no bound (the default)
 *
 * Accesses beyond the bound are treated as bus errors without calling the
 * memory callbacks: the channel stops and dma_errors counts it.
 */
INDYNET_API void seeq_set_mem_limit(seeq *s, uint32_t limit);

/**
 * seeq_reg_read() - read an HPC3 Ethernet or SEEQ register.
 * @s: model
 * @hpc3_offset: offset from the HPC3 base
 * @size: access size in bytes (1, 2 or 4); narrow reads take big-endian lanes
 *
 * Reading SEEQ register 6 or 7 sets OLD in that status afterwards.
 *
 * Return: the value; unknown registers read 0.
 */
INDYNET_API uint32_t seeq_reg_read(seeq *s, uint32_t hpc3_offset, unsigned size);

/**
 * seeq_reg_write() - write an HPC3 Ethernet or SEEQ register.
 * @s: model
 * @hpc3_offset: offset from the HPC3 base
 * @value: the value (the low @size bytes)
 * @size: access size in bytes (1, 2 or 4)
 */
INDYNET_API void seeq_reg_write(seeq *s, uint32_t hpc3_offset, uint32_t value, unsigned size);

/**
 * seeq_pump() - run the TX channel, then drain the RX ring once.
 * @s: model
 *
 * Per pump: every complete TX packet of the chain (up to 256) is sent; up to
 * 256 frames the address filter rejects are popped and dropped; at most one
 * accepted frame is delivered.
 *
 * Return: what happened.
 */
INDYNET_API struct seeq_pump_result seeq_pump(seeq *s);

/**
 * seeq_start_thread() - pump on a library thread.
 * @s: model
 *
 * The thread sleeps until the engine's RX descriptor is readable or a
 * register write kicks it (TX or RX channel started, reset, mode change).
 * While a frame waits for the guest to hand back a descriptor (drivers do
 * that in memory only) it retries after 200 microseconds, backing off to
 * 6.4 ms while nothing moves.
 *
 * Return: 0, -EALREADY, -ENOTSUP (engine has no RX descriptor) or -errno.
 */
INDYNET_API int seeq_start_thread(seeq *s);

/**
 * seeq_stop_thread() - stop and join the pump thread; idempotent.
 * @s: model
 */
INDYNET_API void seeq_stop_thread(seeq *s);

/**
 * seeq_reset() - power-on reset: registers and DMA state to their initial values.
 * @s: model
 */
INDYNET_API void seeq_reset(seeq *s);

/**
 * seeq_counters() - copy the counters.
 * @s: model
 * @out: receives them
 */
INDYNET_API void seeq_counters(seeq *s, struct seeq_counters *out);

/**
 * seeq_irq_level() - the current interrupt level.
 * @s: model
 *
 * Return: true while the interrupt is asserted.
 */
INDYNET_API bool seeq_irq_level(seeq *s);

/**
 * seeq_snapshot_size() - bytes seeq_snapshot_save() writes.
 *
 * Return: the size (fixed per format version).
 */
INDYNET_API size_t seeq_snapshot_size(void);

/**
 * seeq_snapshot_save() - save registers and DMA state (versioned, big-endian).
 * @s: model
 * @buf: destination
 * @cap: its size
 *
 * Return: bytes written, or -ENOSPC.
 */
INDYNET_API long seeq_snapshot_save(seeq *s, void *buf, size_t cap);

/**
 * seeq_snapshot_restore() - load a state saved by seeq_snapshot_save().
 * @s: model
 * @buf: the snapshot
 * @len: its length
 *
 * The snapshot is validated (magic, version, length, checksum, field
 * ranges) before anything changes.  The interrupt line is re-announced
 * when its level differs.
 *
 * Snapshots of every earlier format version load.
 *
 * Return: 0; -EINVAL for a damaged snapshot; -ENOTSUP for one written by a
 * newer library (a format version this one does not know).  On error the
 * model is unchanged.
 */
INDYNET_API int seeq_snapshot_restore(seeq *s, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* INDYNET_SEEQ8003_H */
