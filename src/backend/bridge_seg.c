/* SPDX-License-Identifier: MIT */
/* bridge_seg.c: cutting GRO/LRO TCP/IPv4 super-frames from the capture back to the guest's MTU. */
#include <string.h>

#include "backend/bridge_seg.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"

/*
 * Theory of operation
 *
 * A NIC with LRO, or the kernel's GRO, merges consecutive TCP segments of
 * one flow into one large packet before the packet taps see it, so a
 * capture on such an interface hands us frames far above the guest's MTU.
 * The guest cannot take them; dropping them would stall its TCP.  We undo
 * the merge: the payload is cut into pieces of MSS = MTU - IP header - TCP
 * header bytes and each piece gets copies of the headers, fixed up the way
 * TCP segmentation offload would have done it on the sender.
 *
 * Worked example: MTU 1500, a GRO frame with 20-byte IP and 32-byte TCP
 * headers (timestamps), seq 1000, 4000 payload bytes, PSH set.  MSS is
 * 1500 - 20 - 32 = 1448: segments of 1448, 1448 and 1104 bytes at seq
 * 1000, 2448 and 3896, IP ids id, id+1, id+2, PSH on the third only.
 */

#define TCP_HLEN_MIN 20u
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_CWR 0x80
#define IPPROTO_TCP_NUM 6

struct seg_src {
	const uint8_t *eth;   /* Ethernet header */
	struct ipv4_view ip;
	size_t thlen;         /* TCP header length */
	const uint8_t *data;  /* TCP payload */
	size_t dlen;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* a whole, unfragmented TCP/IPv4 packet with sane header lengths; -1 otherwise */
static int seg_parse(const uint8_t *frame, size_t len, struct seg_src *s)
{
	struct eth_view eth;
	const uint8_t *tcp;

	if (eth_parse(frame, len, &eth) < 0 || eth.ethertype != ETHERTYPE_IPV4 ||
	    ipv4_parse(eth.payload, eth.payload_len, &s->ip) < 0 || s->ip.proto != IPPROTO_TCP_NUM ||
	    ipv4_is_fragment(&s->ip) || s->ip.payload_len < TCP_HLEN_MIN)
		return -1;
	tcp = s->ip.payload;
	s->thlen = (size_t)(tcp[12] >> 4) * 4;
	if (s->thlen < TCP_HLEN_MIN || s->thlen > s->ip.payload_len)
		return -1;
	s->eth = frame;
	s->data = tcp + s->thlen;
	s->dlen = s->ip.payload_len - s->thlen;
	return 0;
}

/* build segment @i (payload @off..@off+@n) in @buf; returns its length */
static size_t seg_build(const struct seg_src *s, unsigned i, size_t off, size_t n, uint8_t *buf)
{
	size_t hlen = s->ip.hlen;
	uint8_t *ip = buf + ETH_HLEN, *tcp = ip + hlen;
	bool last = off + n == s->dlen;

	memcpy(buf, s->eth, ETH_HLEN);
	memcpy(ip, s->ip.hdr, hlen);
	memcpy(tcp, s->ip.payload, s->thlen);
	memcpy(tcp + s->thlen, s->data + off, n);
	wr16(ip + 2, (uint16_t)(hlen + s->thlen + n));
	wr16(ip + 4, (uint16_t)(s->ip.id + i));
	wr16(ip + 10, 0);
	memcpy(ip + 10, &(uint16_t){ ipv4_header_csum(ip, hlen) }, 2);
	wr32(tcp + 4, rd32(s->ip.payload + 4) + (uint32_t)off);
	if (!last)
		tcp[13] &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
	if (i > 0)
		tcp[13] &= (uint8_t)~TCP_FLAG_CWR;
	wr16(tcp + 16, 0);
	memcpy(tcp + 16, &(uint16_t){ l4_csum_ipv4(s->ip.src, s->ip.dst, IPPROTO_TCP_NUM, tcp, s->thlen + n) },
	       2);
	return ETH_HLEN + hlen + s->thlen + n;
}

int bridge_seg_tcp(const uint8_t *frame, size_t len, unsigned mtu, uint8_t *buf, bridge_seg_emit_fn emit,
		   void *opaque)
{
	struct seg_src s;
	size_t mss, off = 0;
	unsigned i = 0;

	if (seg_parse(frame, len, &s) < 0 || s.ip.hlen + s.thlen >= mtu)
		return -1;
	mss = mtu - s.ip.hlen - s.thlen;
	do {
		size_t n = s.dlen - off < mss ? s.dlen - off : mss;

		emit(opaque, buf, seg_build(&s, i, off, n, buf));
		off += n;
		i++;
	} while (off < s.dlen);
	return (int)i;
}
