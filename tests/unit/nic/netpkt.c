/* SPDX-License-Identifier: MIT */
/* netpkt.c: minimal DHCP / ARP / ICMP / TCP frame builders and parsers for the NIC's NAT tests. */

#include "netpkt.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

uint16_t np_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth(uint8_t *b, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put16(b + 12, type);
}

/* IPv4 header at @b for @plen payload bytes. */
static void ip4(uint8_t *b, uint8_t proto, uint32_t src, uint32_t dst, size_t plen)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + plen));
	b[8] = 64;
	b[9] = proto;
	put32(b + 12, src);
	put32(b + 16, dst);
	put16(b + 10, np_csum(b, 20));
}

size_t np_dhcp_build(uint8_t *buf, const uint8_t mac[6], int type, uint32_t xid, uint32_t req_ip, uint32_t server)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *bootp = buf + 42, *o;
	size_t blen;

	memset(buf, 0, 42 + 300);
	bootp[0] = 1;
	bootp[1] = 1;
	bootp[2] = 6;
	put32(bootp + 4, xid);
	memcpy(bootp + 28, mac, 6);
	put32(bootp + 236, 0x63825363);
	o = bootp + 240;
	*o++ = 53; *o++ = 1; *o++ = (uint8_t)type;
	if (req_ip) {
		*o++ = 50; *o++ = 4; put32(o, req_ip); o += 4;
	}
	if (server) {
		*o++ = 54; *o++ = 4; put32(o, server); o += 4;
	}
	*o++ = 55; *o++ = 3; *o++ = 1; *o++ = 3; *o++ = 6;
	*o++ = 255;
	blen = 300;
	eth(buf, bcast, mac, 0x0800);
	put16(buf + 34, 68);
	put16(buf + 36, 67);
	put16(buf + 38, (uint16_t)(8 + blen));
	ip4(buf + 14, 17, 0, 0xffffffffu, 8 + blen);
	return 42 + blen;
}

static void dhcp_options(const uint8_t *o, const uint8_t *end, struct np_dhcp *out)
{
	while (o < end && *o != 255) {
		if (*o == 0) {
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + o[1] > end)
			return;
		if (o[0] == 53 && o[1] == 1)
			out->type = o[2];
		else if (o[0] == 54 && o[1] == 4)
			out->server = get32(o + 2);
		else if (o[0] == 3 && o[1] >= 4)
			out->router = get32(o + 2);
		o += 2 + o[1];
	}
}

bool np_dhcp_parse(const uint8_t *f, size_t len, uint32_t xid, struct np_dhcp *out)
{
	size_t ihl;
	const uint8_t *bootp;

	memset(out, 0, sizeof(*out));
	if (len < 14 + 20 || get16(f + 12) != 0x0800 || f[23] != 17)
		return false;
	ihl = (f[14] & 0x0fu) * 4u;
	if (len < 14 + ihl + 8 + 240)
		return false;
	if (get16(f + 14 + ihl) != 67 || get16(f + 14 + ihl + 2) != 68)
		return false;
	bootp = f + 14 + ihl + 8;
	if (bootp[0] != 2 || get32(bootp + 4) != xid || get32(bootp + 236) != 0x63825363)
		return false;
	out->yiaddr = get32(bootp + 16);
	dhcp_options(bootp + 240, f + len, out);
	return out->type != 0;
}

size_t np_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t sip, uint32_t tip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = buf + 14;

	eth(buf, bcast, mac, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, mac, 6);
	put32(a + 14, sip);
	memset(a + 18, 0, 6);
	put32(a + 24, tip);
	return 42;
}

bool np_arp_reply(const uint8_t *f, size_t len, uint32_t tip, uint8_t mac[6])
{
	const uint8_t *a = f + 14;

	if (len < 42 || get16(f + 12) != 0x0806 || get16(a + 6) != 2 || get32(a + 14) != tip)
		return false;
	memcpy(mac, a + 8, 6);
	return true;
}

size_t np_icmp_echo(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6], uint32_t sip, uint32_t dip,
		    uint16_t id, uint16_t seq, size_t payload)
{
	uint8_t *ic = buf + 34;

	eth(buf, dst, src, 0x0800);
	memset(ic, 0, 8);
	ic[0] = 8;
	put16(ic + 4, id);
	put16(ic + 6, seq);
	for (size_t i = 0; i < payload; i++)
		ic[8 + i] = (uint8_t)(i * 7 + seq);
	put16(ic + 2, np_csum(ic, 8 + payload));
	ip4(buf + 14, 1, sip, dip, 8 + payload);
	return 34 + 8 + payload;
}

bool np_icmp_reply(const uint8_t *f, size_t len, uint32_t sip, uint16_t id, uint16_t seq, size_t payload)
{
	size_t ihl;
	const uint8_t *ic;

	if (len < 34 || get16(f + 12) != 0x0800 || f[23] != 1 || get32(f + 26) != sip)
		return false;
	ihl = (f[14] & 0x0fu) * 4u;
	if (len < 14 + ihl + 8 + payload)
		return false;
	ic = f + 14 + ihl;
	if (ic[0] != 0 || get16(ic + 4) != id || get16(ic + 6) != seq || np_csum(ic, 8 + payload) != 0)
		return false;
	for (size_t i = 0; i < payload; i++)
		if (ic[8 + i] != (uint8_t)(i * 7 + seq))
			return false;
	return true;
}

/* TCP checksum over the pseudo-header and the segment at @tcp of @tlen bytes. */
static uint16_t tcp_csum(uint32_t src, uint32_t dst, const uint8_t *tcp, size_t tlen)
{
	uint8_t ph[12];
	uint32_t sum;

	put32(ph, src);
	put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, (uint16_t)tlen);
	sum = (uint16_t)~np_csum(ph, sizeof(ph)) + (uint32_t)(uint16_t)~np_csum(tcp, tlen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t np_tcp_build(uint8_t *buf, const struct np_tcp *t, const uint8_t src[6], const uint8_t dst[6])
{
	uint8_t *tcp = buf + 34;

	eth(buf, dst, src, 0x0800);
	ip4(buf + 14, 6, t->sip, t->dip, 20 + t->len);
	memset(tcp, 0, 20);
	put16(tcp, t->sport);
	put16(tcp + 2, t->dport);
	put32(tcp + 4, t->seq);
	put32(tcp + 8, t->ack);
	tcp[12] = 5 << 4;
	tcp[13] = t->flags;
	put16(tcp + 14, 65535);
	if (t->len)
		memcpy(tcp + 20, t->data, t->len);
	put16(tcp + 16, tcp_csum(t->sip, t->dip, tcp, 20 + t->len));
	return 34 + 20 + t->len;
}

bool np_tcp_parse(const uint8_t *f, size_t len, struct np_tcp *t)
{
	size_t ihl, tot, doff;

	if (len < 54 || get16(f + 12) != 0x0800 || f[23] != 6)
		return false;
	ihl = (size_t)(f[14] & 0x0f) * 4;
	tot = get16(f + 16);
	if (ihl < 20 || tot < ihl + 20 || 14 + tot > len || np_csum(f + 14, ihl) != 0)
		return false;
	t->sip = get32(f + 26);
	t->dip = get32(f + 30);
	const uint8_t *tcp = f + 14 + ihl;
	size_t tlen = tot - ihl;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || doff > tlen || tcp_csum(t->sip, t->dip, tcp, tlen) != 0)
		return false;
	t->sport = get16(tcp);
	t->dport = get16(tcp + 2);
	t->seq = get32(tcp + 4);
	t->ack = get32(tcp + 8);
	t->flags = tcp[13];
	t->data = tcp + doff;
	t->len = tlen - doff;
	return true;
}
