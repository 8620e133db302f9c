/* SPDX-License-Identifier: MIT */
/* hpc3_dma.c: HPC3 Ethernet descriptor chains: TX gather to the engine, RX delivery into guest memory. */

/*
 * Theory of operation
 *
 * A descriptor is 16 big-endian bytes: +0 buffer, +4 count (bits 13:0) and
 * flags (OWN 0x4000, XIE, EOP, EOX), +8 next.  A channel works on the
 * descriptor at `cur`; a zero-count descriptor is a link to `next`, or the
 * end of the chain when it carries EOX.  A completed descriptor with EOX
 * ends the chain too: the channel drops ACTIVE.
 *
 * The descriptor is re-read from guest memory every time the channel needs
 * it, because drivers hand descriptors back (setting OWN) in memory without
 * touching a register while the channel runs.
 *
 * TX: buffers are gathered until EOP into the staging buffer (one
 * mem_read per descriptor) and the packet goes to indynet_guest_send().
 * Only then, and only in the packet's first descriptor (CPFXBDP), the
 * 16-bit word at +6 becomes 0x8000 (TXD set, bits 14:0 cleared) and
 * tx_stat becomes SUCCESS; the packet's later descriptors are never
 * written (HPC3 spec, descriptor table; hpc3-seeq-facts.md "TXD").  A
 * driver may reclaim every buffer of the packet as soon as it sees TXD,
 * because every byte has been read by then.  Worked example: D1 {20 bytes,
 * next D2}, D2 {44 bytes, EOP|EOX}: both buffers are read, 64 bytes go
 * out, then D1+6 := 0x8000; D2's word stays 0xC000002C.  A packet spans at
 * most SEEQ_TX_PKT_DESCS descriptors: a chain that never reaches EOP (a
 * descriptor linked to itself) faults the channel.
 *
 * RX: an accepted frame needs a descriptor with OWN; without one the frame
 * is refused and stays on the engine's ring.  Reaching the end of the
 * chain (a descriptor with EOX that cannot take the frame, or a zero-count
 * EOX) stops the channel and interrupts, as does completing a descriptor
 * with EOX (HPC3 spec 2.4.4.3).  The buffer receives, in one mem_write,
 * [0x00][0x00][frame][FCS if the 80C03's RXC is set][status 0x30], frames
 * under 60 bytes zero-padded as on the wire; every byte written comes from
 * this frame.  The word at +6 gets the remaining count, which clears OWN;
 * drivers compute length = size - remaining - 3.  rx_stat and the copy in
 * rx CTRL bits 7:0 become 0x30.  A frame larger than its buffer fills the
 * buffer (no status byte fits), leaves remaining 0, sets RBO in rx CTRL,
 * stops the channel and interrupts (RBO stays until rx CTRL is read).
 *
 * Any failed guest memory access stops the channel (dma_errors).
 */

#include "seeq_int.h"

#include <string.h>

static bool hpc3_mem_ok(const struct seeq *s, uint32_t paddr, size_t len)
{
	uint64_t end = (uint64_t)paddr + len;

	if (end > UINT64_C(0x100000000))
		return false;
	return s->mem_limit == 0 || end <= s->mem_limit;
}

/**
 * hpc3_mem_read() - read guest memory within the configured bound.
 * @s: model (locked)
 * @paddr: guest physical address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0 or -1.
 */
int hpc3_mem_read(struct seeq *s, uint32_t paddr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!hpc3_mem_ok(s, paddr, len) || s->ops.mem_read(s->opaque, paddr, buf, len) != 0)
		return -1;
	return 0;
}

/**
 * hpc3_mem_write() - write guest memory within the configured bound.
 * @s: model (locked)
 * @paddr: guest physical address
 * @buf: source
 * @len: bytes
 *
 * Return: 0 or -1.
 */
int hpc3_mem_write(struct seeq *s, uint32_t paddr, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!hpc3_mem_ok(s, paddr, len) || s->ops.mem_write(s->opaque, paddr, buf, len) != 0)
		return -1;
	return 0;
}

/**
 * hpc3_chan_stop() - drop ACTIVE.
 * @ch: channel
 */
void hpc3_chan_stop(struct seeq_chan *ch)
{
	ch->ctrl &= ~SEEQ_CTRL_ACTIVE;
}

static void hpc3_dma_fault(struct seeq *s, struct seeq_chan *ch)
{
	s->ctr.dma_errors++;
	hpc3_chan_stop(ch);
}

/* Read the descriptor at ch->cur into @d and the CBP/BC/NBDP registers. */
static int hpc3_chan_load(struct seeq *s, struct seeq_chan *ch, struct seeq_desc *d)
{
	uint8_t raw[12];

	if (hpc3_mem_read(s, ch->cur, raw, sizeof(raw)) != 0) {
		hpc3_dma_fault(s, ch);
		return -1;
	}
	d->buf = seeq_be32(raw);
	d->cnt = seeq_be32(raw + 4);
	d->next = seeq_be32(raw + 8);
	ch->cbp = d->buf;
	ch->bc = d->cnt;
	ch->nbdp = d->next;
	return 0;
}

/**
 * hpc3_chan_start() - ACTIVE rose: fetch the descriptor at NBDP.
 * @s: model (locked)
 * @ch: channel
 */
void hpc3_chan_start(struct seeq *s, struct seeq_chan *ch)
{
	struct seeq_desc d;

	ch->cur = ch->nbdp;
	(void)hpc3_chan_load(s, ch, &d);
}

/*
 * Load the current descriptor, following zero-count links.
 * 0: @d has a count; 1: the chain ended (zero count with EOX), stopped; -1: DMA fault, stopped.
 */
static int hpc3_chan_walk(struct seeq *s, struct seeq_chan *ch, struct seeq_desc *d)
{
	for (unsigned hop = 0;; hop++) {
		if (hpc3_chan_load(s, ch, d) != 0)
			return -1;
		if (d->cnt & SEEQ_DESC_BCNT)
			return 0;
		if (d->cnt & SEEQ_DESC_EOX) {
			hpc3_chan_stop(ch);
			return 1;
		}
		if (hop == SEEQ_LINK_HOPS) {
			hpc3_dma_fault(s, ch);
			return -1;
		}
		ch->cur = d->next;
	}
}

/* Finish a descriptor: XIE interrupt, EOX stop or advance to the next. */
static void hpc3_chan_advance(struct seeq *s, struct seeq_chan *ch, const struct seeq_desc *d)
{
	if (d->cnt & SEEQ_DESC_XIE)
		s->dma_irq = true;
	if (d->cnt & SEEQ_DESC_EOX)
		hpc3_chan_stop(ch);
	else
		ch->cur = d->next;
}

static int hpc3_desc_writeback(struct seeq *s, uint32_t desc, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return hpc3_mem_write(s, desc + 6u, b, sizeof(b));
}

/* The packet being gathered by one hpc3_tx_run(). */
struct hpc3_tx_pkt {
	size_t used;    /* bytes in the staging buffer */
	unsigned descs; /* descriptors with a count taken so far; 0 = between packets */
	bool too_long;  /* more than SEEQ_TX_MAX bytes: dropped at EOP */
};

/* The 80C03 configuration applied to a gathered packet: TNC strips the guest's FCS, TPA pads. */
static size_t hpc3_tx_finish(struct seeq *s, size_t len)
{
	if (s->config & SEEQ_CFG_TNC)
		len = len >= 4 ? len - 4 : 0;
	if ((s->config & SEEQ_CFG_TPA) && len < SEEQ_RX_PAD) {
		memset(s->stage + len, 0, SEEQ_RX_PAD - len);
		len = SEEQ_RX_PAD;
	}
	return len;
}

/* Hand the gathered packet to the engine; then TXD into its first descriptor.  -1: DMA fault. */
static int hpc3_tx_send(struct seeq *s, const struct hpc3_tx_pkt *p)
{
	size_t len = hpc3_tx_finish(s, p->used);

	if (p->too_long) {
		s->ctr.tx_errors++;
	} else if (indynet_guest_send(s->engine, s->stage, len) < 0) {
		s->ctr.tx_dropped++;
	} else {
		s->ctr.tx_frames++;
		s->ctr.tx_bytes += len;
	}
	s->tx_stat = SEEQ_TXS_SUCCESS;
	return hpc3_desc_writeback(s, s->cpfx, SEEQ_DESC_TXD);
}

/* Take one TX descriptor's buffer into the staging buffer.  -1: DMA fault or runaway packet. */
static int hpc3_tx_gather(struct seeq *s, const struct seeq_desc *d, struct hpc3_tx_pkt *p)
{
	size_t cnt = d->cnt & SEEQ_DESC_BCNT;

	if (p->descs++ == 0) {
		s->ppfx = s->cpfx;
		s->cpfx = s->tx.cur;
		if (s->dmacfg & SEEQ_DMACFG_WRCTL)
			s->gap = (uint8_t)((d->cnt & SEEQ_DESC_IPG) >> 16);
	}
	if (p->descs > SEEQ_TX_PKT_DESCS)
		return -1;
	if (p->used + cnt > SEEQ_TX_MAX)
		p->too_long = true;
	else if (hpc3_mem_read(s, d->buf, s->stage + p->used, cnt) != 0)
		return -1;
	else
		p->used += cnt;
	s->tx.cbp = d->buf + (uint32_t)cnt;
	return 0;
}

/* Gather one descriptor and send the packet at its EOP.  -1: DMA fault. */
static int hpc3_tx_step(struct seeq *s, const struct seeq_desc *d, struct hpc3_tx_pkt *p, unsigned *sent)
{
	if (hpc3_tx_gather(s, d, p) != 0)
		return -1;
	if (!(d->cnt & SEEQ_DESC_EOP))
		return 0;
	if (hpc3_tx_send(s, p) != 0)
		return -1;
	*p = (struct hpc3_tx_pkt){ 0 };
	(*sent)++;
	return 0;
}

/**
 * hpc3_tx_run() - send every complete packet of the TX chain (up to the budget).
 * @s: model (locked)
 * @more: set when the budget ran out with the channel still active
 *
 * Return: packets sent (or dropped) this run.
 */
unsigned hpc3_tx_run(struct seeq *s, bool *more)
{
	struct seeq_chan *ch = &s->tx;
	struct hpc3_tx_pkt p = { 0 };
	unsigned sent = 0;
	struct seeq_desc d;

	*more = false;
	while (ch->ctrl & SEEQ_CTRL_ACTIVE) {
		if (sent == SEEQ_TX_BUDGET) {
			*more = true;
			break;
		}
		if (hpc3_chan_walk(s, ch, &d) != 0)
			break;
		if (hpc3_tx_step(s, &d, &p, &sent) != 0) {
			hpc3_dma_fault(s, ch);
			break;
		}
		hpc3_chan_advance(s, ch, &d);
	}
	if (p.descs)
		s->ctr.tx_errors++;
	seeq_irq_update(s);
	return sent;
}

/* The receive buffer being composed in the staging buffer, bounded by the descriptor's count. */
struct hpc3_rx_out {
	uint8_t *p;
	size_t n, cap;
	size_t need; /* bytes the whole frame needs */
};

/* Append @len bytes of @src (NULL: zeros), as far as the buffer goes. */
static void hpc3_rx_put(struct hpc3_rx_out *o, const void *src, size_t len)
{
	size_t k = len < o->cap - o->n ? len : o->cap - o->n;

	if (src)
		memcpy(o->p + o->n, src, k);
	else
		memset(o->p + o->n, 0, k);
	o->n += k;
	o->need += len;
}

/* The FCS of the frame zero-padded to @pad bytes, least significant byte first (80C03 RXC). */
static void hpc3_rx_put_fcs(struct hpc3_rx_out *o, const uint8_t *frame, size_t len, size_t pad)
{
	static const uint8_t zeros[SEEQ_RX_PAD];
	uint8_t fcs[4];
	uint32_t c = seeq_crc32_update(0, frame, len);

	c = seeq_crc32_update(c, zeros, pad - len);
	for (unsigned i = 0; i < 4; i++)
		fcs[i] = (uint8_t)(c >> (8 * i));
	hpc3_rx_put(o, fcs, sizeof(fcs));
}

/* Compose [0][0][frame, zero-padded to 60][FCS if RXC][status], cut at the buffer's end. */
static void hpc3_rx_compose(struct seeq *s, struct hpc3_rx_out *o, const uint8_t *frame, size_t len)
{
	static const uint8_t status = SEEQ_RX_STATUS;
	size_t pad = len < SEEQ_RX_PAD ? SEEQ_RX_PAD : len;

	hpc3_rx_put(o, NULL, 2);
	hpc3_rx_put(o, frame, len);
	hpc3_rx_put(o, NULL, pad - len);
	if (s->config & SEEQ_CFG_RXC)
		hpc3_rx_put_fcs(o, frame, len, pad);
	hpc3_rx_put(o, &status, 1);
}

/* The channel reached the end of its chain: stop and interrupt (HPC3 spec 2.4.4.3). */
static void hpc3_rx_eox(struct seeq *s)
{
	hpc3_chan_stop(&s->rx);
	s->dma_irq = true;
	seeq_irq_update(s);
}

/* A frame ended in descriptor @d: status copy, then RBO (stop) or the usual XIE/EOX handling. */
static void hpc3_rx_done(struct seeq *s, const struct seeq_desc *d, bool rbo)
{
	struct seeq_chan *ch = &s->rx;

	s->rx_stat = SEEQ_RX_STATUS;
	ch->ctrl = (ch->ctrl & ~0xFFu) | SEEQ_RX_STATUS;
	if (rbo) {
		ch->ctrl |= SEEQ_CTRL_RBO;
		hpc3_chan_stop(ch);
		s->ctr.rx_truncated++;
	} else {
		hpc3_chan_advance(s, ch, d);
		if (d->cnt & SEEQ_DESC_EOX)
			s->dma_irq = true;
	}
	seeq_irq_update(s);
}

/* Write the frame into the descriptor's buffer and its remaining count at +6. */
static enum seeq_rx_result hpc3_rx_fill(struct seeq *s, const struct seeq_desc *d, const uint8_t *frame, size_t len)
{
	struct seeq_chan *ch = &s->rx;
	struct hpc3_rx_out o = { .p = s->stage, .cap = d->cnt & SEEQ_DESC_BCNT };

	hpc3_rx_compose(s, &o, frame, len);
	if (hpc3_mem_write(s, d->buf, s->stage, o.n) != 0 ||
	    hpc3_desc_writeback(s, ch->cur, (uint16_t)(o.cap - o.n)) != 0) {
		hpc3_dma_fault(s, ch);
		return SEEQ_RX_REFUSED;
	}
	ch->cbp = d->buf + (uint32_t)o.n;
	ch->bc = (d->cnt & ~SEEQ_DESC_BCNT & ~SEEQ_DESC_OWN) | (uint32_t)(o.cap - o.n);
	hpc3_rx_done(s, d, o.need > o.cap);
	s->ctr.rx_delivered++;
	s->ctr.rx_bytes += len;
	return SEEQ_RX_DELIVERED;
}

/**
 * hpc3_rx_deliver() - write one accepted frame into the RX chain.
 * @s: model (locked)
 * @frame: the frame (no FCS)
 * @len: its length, at least SEEQ_RX_MIN
 *
 * Return: SEEQ_RX_DELIVERED, or SEEQ_RX_REFUSED (the frame stays on the ring).
 */
enum seeq_rx_result hpc3_rx_deliver(struct seeq *s, const uint8_t *frame, size_t len)
{
	struct seeq_chan *ch = &s->rx;
	struct seeq_desc d;
	int w;

	if (!(ch->ctrl & SEEQ_CTRL_ACTIVE))
		return SEEQ_RX_REFUSED;
	w = hpc3_chan_walk(s, ch, &d);
	if (w > 0)
		hpc3_rx_eox(s);
	if (w != 0)
		return SEEQ_RX_REFUSED;
	if (!(d.cnt & SEEQ_DESC_OWN)) {
		if (d.cnt & SEEQ_DESC_EOX)
			hpc3_rx_eox(s);
		return SEEQ_RX_REFUSED;
	}
	return hpc3_rx_fill(s, &d, frame, len);
}
