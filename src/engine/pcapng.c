/* SPDX-License-Identifier: MIT */
/* pcapng.c: pcapng writer (SHB, one Ethernet IDB, an EPB with direction flag per frame). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "engine/pcapng.h"

/*
 * The file is written in host byte order (the Section Header's byte-order
 * magic tells readers which).  Blocks go through a stdio buffer; the engine
 * flushes it at the end of every poll-loop round that wrote something, so
 * a reader (tshark) sees whole blocks while we run and after we stop.
 */

#define PCAPNG_SNAPLEN 65536u

struct pcapng {
	FILE *f;
	bool dirty;
	bool failed;
};

static bool pcapng_put(struct pcapng *pc, const void *data, size_t len)
{
	if (pc->failed)
		return false;
	if (fwrite(data, 1, len, pc->f) != len) {
		pc->failed = true;
		ilog(INDYNET_LOG_ERROR, "capture: write failed: %s; capture stopped", strerror(errno));
		return false;
	}
	pc->dirty = true;
	return true;
}

/* append a host-order u16 / u32 to a block under construction */
static uint8_t *put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

static bool pcapng_headers(struct pcapng *pc)
{
	uint8_t shb[28], idb[32], *p;

	p = put32(shb, PCAPNG_BT_SHB);
	p = put32(p, sizeof(shb));
	p = put32(p, PCAPNG_BYTE_ORDER_MAGIC);
	p = put16(p, 1); /* major */
	p = put16(p, 0); /* minor */
	p = put32(p, 0xFFFFFFFFu); /* section length: unknown (-1) */
	p = put32(p, 0xFFFFFFFFu);
	put32(p, sizeof(shb));

	p = put32(idb, PCAPNG_BT_IDB);
	p = put32(p, sizeof(idb));
	p = put16(p, PCAPNG_LINKTYPE_ETHERNET);
	p = put16(p, 0); /* reserved */
	p = put32(p, PCAPNG_SNAPLEN);
	p = put16(p, PCAPNG_OPT_IF_TSRESOL);
	p = put16(p, 1);
	*p++ = 6; /* if_tsresol: 10^-6 s, then 3 bytes of padding */
	*p++ = 0;
	*p++ = 0;
	*p++ = 0;
	p = put16(p, PCAPNG_OPT_ENDOFOPT);
	p = put16(p, 0);
	put32(p, sizeof(idb));
	return pcapng_put(pc, shb, sizeof(shb)) && pcapng_put(pc, idb, sizeof(idb));
}

struct pcapng *pcapng_open(const char *path, char *err, size_t errlen)
{
	struct pcapng *pc = calloc(1, sizeof(*pc));

	if (!pc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pc->f = fopen(path, "wbe");
	if (!pc->f) {
		snprintf(err, errlen, "capture file '%s': %s", path, strerror(errno));
		free(pc);
		return NULL;
	}
	if (!pcapng_headers(pc) || fflush(pc->f) != 0) {
		snprintf(err, errlen, "capture file '%s': cannot write", path);
		fclose(pc->f);
		free(pc);
		return NULL;
	}
	pc->dirty = false;
	return pc;
}

void pcapng_write(struct pcapng *pc, const uint8_t *frame, size_t len, enum pcapng_dir dir, int64_t ts_us)
{
	static const uint8_t zeros[4];
	size_t cap = len > PCAPNG_SNAPLEN ? PCAPNG_SNAPLEN : len;
	size_t pad = (4 - cap % 4) % 4;
	uint32_t total = (uint32_t)(28 + cap + pad + 12 + 4);
	uint64_t ts = (uint64_t)ts_us;
	uint8_t head[28], tail[16], *p;

	p = put32(head, PCAPNG_BT_EPB);
	p = put32(p, total);
	p = put32(p, 0); /* interface 0 */
	p = put32(p, (uint32_t)(ts >> 32));
	p = put32(p, (uint32_t)ts);
	p = put32(p, (uint32_t)cap);
	put32(p, (uint32_t)len);
	p = put16(tail, PCAPNG_OPT_EPB_FLAGS);
	p = put16(p, 4);
	p = put32(p, (uint32_t)dir);
	p = put16(p, PCAPNG_OPT_ENDOFOPT);
	p = put16(p, 0);
	put32(p, total);

	if (pcapng_put(pc, head, sizeof(head)) && pcapng_put(pc, frame, cap) && pcapng_put(pc, zeros, pad))
		pcapng_put(pc, tail, sizeof(tail));
}

void pcapng_flush(struct pcapng *pc)
{
	if (!pc->dirty || pc->failed)
		return;
	pc->dirty = false;
	if (fflush(pc->f) != 0) {
		pc->failed = true;
		ilog(INDYNET_LOG_ERROR, "capture: flush failed: %s; capture stopped", strerror(errno));
	}
}

void pcapng_close(struct pcapng *pc)
{
	if (!pc)
		return;
	pcapng_flush(pc);
	fclose(pc->f);
	free(pc);
}
