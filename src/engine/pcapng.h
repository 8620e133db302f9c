/* SPDX-License-Identifier: MIT */
/* pcapng.h: capture of guest frames, both directions, to a pcapng file. */
#ifndef INDYNET_ENGINE_PCAPNG_H
#define INDYNET_ENGINE_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

/* epb_flags direction values (pcapng draft, section "Enhanced Packet Block"). */
enum pcapng_dir {
	PCAPNG_INBOUND = 1,  /* towards the guest */
	PCAPNG_OUTBOUND = 2, /* sent by the guest */
};

/* Block types and option codes the writer uses (and the tests check). */
#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define PCAPNG_LINKTYPE_ETHERNET 1u
#define PCAPNG_OPT_ENDOFOPT 0u
#define PCAPNG_OPT_IF_TSRESOL 9u
#define PCAPNG_OPT_EPB_FLAGS 2u

struct pcapng;

/**
 * pcapng_open() - create (truncate) @path and write the section and interface headers.
 * @path: file to write
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the writer, or NULL with @err filled.
 */
struct pcapng *pcapng_open(const char *path, char *err, size_t errlen);

/**
 * pcapng_write() - append one frame as an Enhanced Packet Block.
 * @pc: writer
 * @frame: the Ethernet frame
 * @len: its length
 * @dir: direction seen from the guest's interface
 * @ts_us: wall-clock time in microseconds
 *
 * Buffered; pcapng_flush() makes it visible to readers.  After a write
 * error the writer logs once and stops writing.
 */
void pcapng_write(struct pcapng *pc, const uint8_t *frame, size_t len, enum pcapng_dir dir, int64_t ts_us);

/**
 * pcapng_flush() - hand buffered blocks to the kernel.
 * @pc: writer
 */
void pcapng_flush(struct pcapng *pc);

/**
 * pcapng_close() - flush and close.
 * @pc: writer, may be NULL
 */
void pcapng_close(struct pcapng *pc);

#endif /* INDYNET_ENGINE_PCAPNG_H */
