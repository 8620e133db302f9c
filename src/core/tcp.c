/* SPDX-License-Identifier: MIT */
/* tcp.c: TCP header parse with offset/option/checksum checks, and build (RFC 9293). */
#include <errno.h>
#include <string.h>

#include "core/checksum.h"
#include "core/tcp.h"

#define TCP_OPT_END 0u
#define TCP_OPT_NOP 1u
#define TCP_OPT_MSS 2u
#define TCP_OPT_WS 3u

static uint16_t tcp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t tcp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void tcp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void tcp_put32(uint8_t *p, uint32_t v)
{
	tcp_put16(p, (uint16_t)(v >> 16));
	tcp_put16(p + 2, (uint16_t)v);
}

/* One option of @len bytes at @o that we read: MSS and window scale (a shift over 14 counts as 14). */
static void tcp_option(const uint8_t *o, struct tcp_view *t)
{
	if (o[0] == TCP_OPT_MSS && o[1] == 4)
		t->mss = tcp_get16(o + 2);
	if (o[0] == TCP_OPT_WS && o[1] == 3) {
		t->ws = true;
		t->wscale = o[2] < TCP_WSCALE_MAX ? o[2] : TCP_WSCALE_MAX;
	}
}

/* Walk the options in @o (@len bytes) into @t; -EINVAL when one overruns. */
static int tcp_options(const uint8_t *o, size_t len, struct tcp_view *t)
{
	size_t i = 0;

	t->mss = 0;
	t->ws = false;
	t->wscale = 0;
	while (i < len && o[i] != TCP_OPT_END) {
		if (o[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || o[i + 1] > len - i)
			return -EINVAL;
		tcp_option(o + i, t);
		i += o[i + 1];
	}
	return 0;
}

int tcp_parse(const struct ipv4_view *ip, struct tcp_view *t)
{
	const uint8_t *p = ip->payload;
	size_t off;

	if (ip->proto != IPPROTO_TCP)
		return -EINVAL;
	if (ip->payload_len < TCP_HLEN)
		return -EMSGSIZE;
	off = (size_t)(p[12] >> 4) * 4;
	if (off < TCP_HLEN)
		return -EINVAL;
	if (off > ip->payload_len)
		return -EMSGSIZE;
	if (l4_csum_ipv4(ip->src, ip->dst, IPPROTO_TCP, p, ip->payload_len) != 0 ||
	    tcp_options(p + TCP_HLEN, off - TCP_HLEN, t) < 0)
		return -EINVAL;
	t->sport = tcp_get16(p);
	t->dport = tcp_get16(p + 2);
	t->seq = tcp_get32(p + 4);
	t->ack = tcp_get32(p + 8);
	t->flags = p[13] & (TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK);
	t->win = tcp_get16(p + 14);
	t->payload = p + off;
	t->payload_len = ip->payload_len - off;
	return 0;
}

/* MSS, then NOP + window scale (keeps the header a multiple of 4). */
static void tcp_put_options(uint8_t *o, const struct tcp_seg *s)
{
	if (s->mss) {
		o[0] = TCP_OPT_MSS;
		o[1] = 4;
		tcp_put16(o + 2, s->mss);
		o += 4;
	}
	if (s->ws) {
		o[0] = TCP_OPT_NOP;
		o[1] = TCP_OPT_WS;
		o[2] = 3;
		o[3] = s->wscale;
	}
}

size_t tcp_hlen(const struct tcp_seg *s)
{
	return TCP_HLEN + (s->mss ? 4u : 0u) + (s->ws ? 4u : 0u);
}

size_t tcp_build(uint8_t *buf, uint32_t src, uint32_t dst, const struct tcp_seg *s, size_t payload_len)
{
	size_t hlen = tcp_hlen(s);
	uint16_t sum;

	if (payload_len > IPV4_MAX_LEN - IPV4_HLEN - hlen)
		return 0;
	tcp_put16(buf, s->sport);
	tcp_put16(buf + 2, s->dport);
	tcp_put32(buf + 4, s->seq);
	tcp_put32(buf + 8, s->ack);
	buf[12] = (uint8_t)(hlen / 4 << 4);
	buf[13] = s->flags;
	tcp_put16(buf + 14, s->win);
	memset(buf + 16, 0, 4); /* checksum, urgent pointer */
	tcp_put_options(buf + TCP_HLEN, s);
	sum = l4_csum_ipv4(src, dst, IPPROTO_TCP, buf, hlen + payload_len);
	memcpy(buf + 16, &sum, 2);
	return hlen;
}
