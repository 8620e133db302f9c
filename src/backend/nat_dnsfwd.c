/* SPDX-License-Identifier: MIT */
/* nat_dnsfwd.c: --dns ADDR: the gateway's DNS relayed to a chosen resolver instead of the host's resolv.conf. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "backend/nat_dnsfwd.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"

#define NDF_PORT 53
#define NDF_HDR 12               /* DNS header */
#define NDF_TC 0x02              /* in the header's third byte */
#define NDF_ETHERTYPE_IPV6 0x86dd
#define NDF_IPV6_HLEN 40
#define NDF_HOP_LIMIT 64
#define NDF_QUERY_MAX 4096      /* a stub resolver's query is far smaller */

static uint16_t ndf_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void ndf_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int nat_dnsfwd_open(struct nat_dnsfwd *d, const struct sockaddr *server, socklen_t len, unsigned mtu, char *err,
		    size_t errlen)
{
	*d = (struct nat_dnsfwd){ .fd = -1, .idx = -1, .mtu = mtu };
	if (getrandom(&d->gen, sizeof(d->gen), GRND_NONBLOCK) < 0)
		d->gen = (uint16_t)getpid();
	d->fd = socket(server->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || connect(d->fd, server, len) < 0) {
		int e = errno;
		char host[NI_MAXHOST] = "?";

		getnameinfo(server, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
		snprintf(err, errlen, "DNS resolver '%s': cannot reach it: %s", host, strerror(e));
		nat_dnsfwd_close(d);
		return -e;
	}
	return 0;
}

void nat_dnsfwd_close(struct nat_dnsfwd *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* a query's UDP payload in @f, filled into @q; NULL when @f is no UDP datagram to port 53 of the server */
static const uint8_t *ndf_query4(uint32_t gw, const uint8_t *f, size_t len, struct nat_dnsfwd_query *q,
				 size_t *plen)
{
	struct eth_view e;
	struct ipv4_view ip;
	struct udp_view u;

	if (eth_parse(f, len, &e) < 0 || e.ethertype != ETHERTYPE_IPV4 || ipv4_parse(e.payload, e.payload_len, &ip) < 0 ||
	    ip.proto != IPPROTO_UDP || ip.dst != gw || ipv4_is_fragment(&ip) || udp_parse(&ip, false, &u) < 0 ||
	    u.dport != NDF_PORT)
		return NULL;
	*q = (struct nat_dnsfwd_query){ .guest_port = u.sport };
	memcpy(q->guest_ip, &ip.src, 4);
	memcpy(q->server_ip, &gw, 4);
	*plen = u.payload_len;
	return u.payload;
}

/* the same for IPv6 to [dns6]:53 (no extension headers: a stub resolver sends none) */
static const uint8_t *ndf_query6(const uint8_t dns6[16], const uint8_t *f, size_t len, struct nat_dnsfwd_query *q,
				 size_t *plen)
{
	const uint8_t *h = f + ETH_HLEN, *udp = h + NDF_IPV6_HLEN;
	size_t pl;

	if (!dns6 || len < ETH_HLEN + NDF_IPV6_HLEN + UDP_HLEN || ndf_rd16(f + 12) != NDF_ETHERTYPE_IPV6 ||
	    (h[0] >> 4) != 6 || h[6] != IPPROTO_UDP || memcmp(h + 24, dns6, 16) != 0 || ndf_rd16(udp + 2) != NDF_PORT)
		return NULL;
	pl = ndf_rd16(h + 4);
	if (pl > len - ETH_HLEN - NDF_IPV6_HLEN || pl < UDP_HLEN || ndf_rd16(udp + 4) != pl)
		return NULL;
	*q = (struct nat_dnsfwd_query){ .guest_port = ndf_rd16(udp), .v6 = true };
	memcpy(q->guest_ip, h + 8, 16);
	memcpy(q->server_ip, dns6, 16);
	*plen = pl - UDP_HLEN;
	return udp + UDP_HLEN;
}

/* a free slot (or one whose query timed out); -1 when all are busy */
static int ndf_slot(const struct nat_dnsfwd *d, int64_t now_ms)
{
	for (unsigned i = 0; i < NAT_DNSFWD_SLOTS; i++)
		if (d->q[i].expire_ms <= now_ms)
			return (int)i;
	return -1;
}

enum nat_dnsfwd_verdict nat_dnsfwd_guest(struct nat_dnsfwd *d, uint32_t gw, const uint8_t dns6[16],
					 const uint8_t *frame, size_t len, int64_t now_ms)
{
	uint8_t msg[NDF_QUERY_MAX];
	struct nat_dnsfwd_query q;
	const uint8_t *p;
	size_t plen;
	int slot;

	if (d->fd < 0)
		return NAT_DNSFWD_NOT_MINE;
	p = ndf_query4(gw, frame, len, &q, &plen);
	if (!p)
		p = ndf_query6(dns6, frame, len, &q, &plen);
	if (!p)
		return NAT_DNSFWD_NOT_MINE;
	slot = ndf_slot(d, now_ms);
	if (plen < NDF_HDR || plen > sizeof(msg) || slot < 0)
		return NAT_DNSFWD_DROPPED;
	memcpy(q.guest_mac, frame + 6, 6);
	memcpy(q.gw_mac, frame, 6);
	q.guest_id = ndf_rd16(p);
	q.up_id = (uint16_t)(d->gen++ << NAT_DNSFWD_SLOT_BITS | (unsigned)slot);
	q.expire_ms = now_ms + NAT_DNSFWD_TIMEOUT_MS;
	memcpy(msg, p, plen);
	ndf_wr16(msg, q.up_id);
	if (send(d->fd, msg, plen, 0) < 0)
		return NAT_DNSFWD_DROPPED;
	d->q[slot] = q;
	return NAT_DNSFWD_SENT;
}

void nat_dnsfwd_poll_fill(struct nat_dnsfwd *d, struct poll_set *ps)
{
	d->idx = d->fd >= 0 ? poll_set_add(ps, d->fd, POLLIN) : -1;
}

/* the end of the question section of @m (@len bytes), 0 when it is malformed */
static size_t ndf_question_end(const uint8_t *m, size_t len)
{
	size_t at = NDF_HDR;

	for (unsigned n = ndf_rd16(m + 4); n > 0; n--) {
		while (at < len && m[at] != 0) {
			if (m[at] & 0xc0)
				return 0; /* a compressed name in a question: not worth following */
			at += (size_t)m[at] + 1;
		}
		at += 1 + 4; /* the root label, type and class */
		if (at > len)
			return 0;
	}
	return at;
}

/* fit the answer into @room bytes: whole, or its header and question with TC; 0 when it cannot be */
static size_t ndf_fit(uint8_t *m, size_t len, size_t room)
{
	size_t q;

	if (len <= room)
		return len;
	q = ndf_question_end(m, len);
	if (!q || q > room)
		return 0;
	m[2] |= NDF_TC;
	memset(m + 6, 0, 6); /* no answer, authority or additional records */
	return q;
}

/* Ethernet + IPv4 + UDP in front of the @plen-byte answer already at its place */
static size_t ndf_frame4(const struct nat_dnsfwd_query *q, uint8_t *f, size_t plen)
{
	uint32_t src, dst;
	size_t off = eth_build(f, q->guest_mac, q->gw_mac, ETHERTYPE_IPV4);

	memcpy(&src, q->server_ip, 4);
	memcpy(&dst, q->guest_ip, 4);
	ipv4_build(f + off, src, dst, IPPROTO_UDP, q->up_id, UDP_HLEN + plen);
	udp_build(f + off + IPV4_HLEN, src, dst, NDF_PORT, q->guest_port, plen);
	return off + IPV4_HLEN + UDP_HLEN + plen;
}

/* the same over IPv6 (the UDP checksum over the IPv6 pseudo-header) */
static size_t ndf_frame6(const struct nat_dnsfwd_query *q, uint8_t *f, size_t plen)
{
	uint8_t *h = f + ETH_HLEN, *u = h + NDF_IPV6_HLEN, pseudo[40] = { 0 };
	size_t ulen = UDP_HLEN + plen;
	uint32_t sum;
	uint16_t c;

	eth_build(f, q->guest_mac, q->gw_mac, NDF_ETHERTYPE_IPV6);
	memset(h, 0, NDF_IPV6_HLEN);
	h[0] = 0x60;
	ndf_wr16(h + 4, (uint16_t)ulen);
	h[6] = IPPROTO_UDP;
	h[7] = NDF_HOP_LIMIT;
	memcpy(h + 8, q->server_ip, 16);
	memcpy(h + 24, q->guest_ip, 16);
	ndf_wr16(u, NDF_PORT);
	ndf_wr16(u + 2, q->guest_port);
	ndf_wr16(u + 4, (uint16_t)ulen);
	ndf_wr16(u + 6, 0);
	memcpy(pseudo, h + 8, 32);
	ndf_wr16(pseudo + 34, (uint16_t)ulen); /* the 32-bit length's low half */
	pseudo[39] = IPPROTO_UDP;
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), u, ulen);
	c = csum_fold(sum);
	if (c == 0)
		c = 0xffff; /* UDP sends a computed 0 as all ones */
	memcpy(u + 6, &c, 2);
	return ETH_HLEN + NDF_IPV6_HLEN + ulen;
}

long nat_dnsfwd_answer(struct nat_dnsfwd *d, const struct poll_set *ps, uint8_t *frame, size_t cap,
		       int64_t now_ms)
{
	size_t hl = ETH_HLEN + NDF_IPV6_HLEN + UDP_HLEN, plen, room;
	struct nat_dnsfwd_query *q;
	ssize_t r;

	if (d->fd < 0 || d->idx < 0 || (unsigned)d->idx >= ps->n || !(ps->fds[d->idx].revents & POLLIN) ||
	    cap <= hl)
		return -1;
	r = recv(d->fd, frame + hl, cap - hl, 0);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if ((size_t)r < NDF_HDR)
		return 0;
	q = &d->q[ndf_rd16(frame + hl) & (NAT_DNSFWD_SLOTS - 1)];
	if (q->expire_ms <= now_ms || q->up_id != ndf_rd16(frame + hl))
		return 0; /* late, or never asked */
	q->expire_ms = 0;
	room = d->mtu - (q->v6 ? NDF_IPV6_HLEN : IPV4_HLEN) - UDP_HLEN;
	plen = ndf_fit(frame + hl, (size_t)r, room);
	if (!plen)
		return 0;
	ndf_wr16(frame + hl, q->guest_id);
	if (q->v6)
		return (long)ndf_frame6(q, frame, plen);
	memmove(frame + ETH_HLEN + IPV4_HLEN + UDP_HLEN, frame + hl, plen);
	return (long)ndf_frame4(q, frame, plen);
}
