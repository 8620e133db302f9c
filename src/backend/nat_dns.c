/* SPDX-License-Identifier: MIT */
/* nat_dns.c: DNS at the gateway: address rewrites between the guest's wire and libslirp. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "backend/nat_dns.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"

/*
 * Theory of operation
 *
 * The guest is told (DHCP option 6) that DNS lives at the gateway, as on
 * the original system.  libslirp cannot serve DNS at its own vhost address
 * (it would then send all gateway traffic to the host's resolver), so its
 * vnameserver is the subnet's broadcast address, which no guest sends
 * unicast traffic to and which libslirp accepts.  Three rewrites hide it:
 *
 *   guest -> libslirp: UDP/TCP to gateway:53 gets the hidden destination;
 *   libslirp -> guest: anything from the hidden address gets the gateway
 *   as its source (libslirp already does that for UDP replies itself);
 *   libslirp's DHCP replies: option 6 = hidden becomes the gateway;
 *   libslirp's ICMP errors about a relayed query quote the query as the
 *   guest sent it, to the gateway, so the guest's stack finds the socket
 *   they are about;
 *   an ICMP error's outer source is never a host-side address: libslirp
 *   passes on the offender the host's kernel reported (127.0.0.1 when the
 *   host's resolver, or any loopback port behind the gateway, is closed),
 *   which a guest drops as a martian.  An error about a packet to the
 *   gateway comes from the gateway, one from 127/8 from the address the
 *   guest sent to.  So "connection refused" reaches the guest at once.
 *
 * Guest packets to the hidden address itself are dropped: libslirp would
 * carry them, on any port, to the host's resolver.  DHCP replies offering
 * a non-host address are dropped too: libslirp's lease pool runs past the
 * end of a small subnet (a second guest on a /30 would get the broadcast
 * address).
 *
 * The hot path costs a few compares per frame; only DNS and DHCP frames
 * are copied and rewritten.  Address changes update the IPv4 and UDP/TCP
 * checksums incrementally (RFC 1624, eqn. 3); a DHCP reply, whose option
 * may sit at an odd offset, gets its UDP checksum recomputed.
 */

#define ND_IP ETH_HLEN            /* IPv4 header offset in an untagged frame */
#define ND_TCP_HLEN 20
#define ND_TCP_CSUM 16            /* checksum offset in the TCP header */
#define ND_UDP_CSUM 6
#define ND_DNS_PORT 53
#define ND_DHCP_SERVER 67
#define ND_DHCP_CLIENT 68
#define ND_DHCP_YIADDR 16         /* offsets in the BOOTP message */
#define ND_DHCP_MAGIC_OFF 236
#define ND_DHCP_OPTIONS 240
#define ND_DHCP_MAGIC 0x63825363u
#define ND_OPT_PAD 0
#define ND_OPT_DNS 6
#define ND_OPT_TYPE 53
#define ND_DHCP_OFFER 2
#define ND_DHCP_ACK 5
#define ND_ICMP_HLEN 8
#define ND_OPT_END 255

/* the bounds of one IPv4 packet inside a frame */
struct nd_pkt {
	size_t ihl;   /* header length */
	size_t end;   /* frame offset where the packet ends (padding excluded) */
	uint8_t proto;
	bool first;   /* offset 0: carries the transport header */
	bool whole;   /* not a fragment */
};

static uint16_t nd_rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

static uint32_t nd_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* an untagged Ethernet frame carrying a plausible IPv4 header */
static bool nd_ipv4(const uint8_t *f, size_t len, struct nd_pkt *p)
{
	size_t tot;
	uint16_t frag;

	if (len < ND_IP + IPV4_HLEN || nd_rd16(f + 12) != ETHERTYPE_IPV4 || (f[ND_IP] >> 4) != 4)
		return false;
	p->ihl = (size_t)(f[ND_IP] & 0x0f) * 4;
	tot = nd_rd16(f + ND_IP + 2);
	if (p->ihl < IPV4_HLEN || tot < p->ihl || ND_IP + tot > len)
		return false;
	p->end = ND_IP + tot;
	p->proto = f[ND_IP + 9];
	frag = nd_rd16(f + ND_IP + 6);
	p->first = (frag & IPV4_OFFSET_MASK) == 0;
	p->whole = p->first && !(frag & IPV4_FLAG_MF);
	return true;
}

/* offset of the L4 checksum field when the transport header is present, else 0 */
static size_t nd_l4_csum(const struct nd_pkt *p)
{
	size_t l4 = ND_IP + p->ihl;

	if (!p->first)
		return 0;
	if (p->proto == IPPROTO_UDP && l4 + UDP_HLEN <= p->end)
		return l4 + ND_UDP_CSUM;
	if (p->proto == IPPROTO_TCP && l4 + ND_TCP_HLEN <= p->end)
		return l4 + ND_TCP_CSUM;
	return 0;
}

/* RFC 1624 eqn. 3 for a 32-bit field changing from @from to @to (raw values) */
static void nd_csum_replace(uint8_t *field, uint32_t from, uint32_t to)
{
	uint16_t c, f[2], t[2];
	uint32_t sum;

	memcpy(&c, field, 2);
	memcpy(f, &from, 4);
	memcpy(t, &to, 4);
	sum = (uint32_t)(uint16_t)~c + (uint16_t)~f[0] + (uint16_t)~f[1] + t[0] + t[1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	memcpy(field, &c, 2);
}

/* change the address at frame offset @at (source or destination) and fix the checksums */
static void nd_readdress(uint8_t *f, const struct nd_pkt *p, size_t at, uint32_t to)
{
	uint32_t from = nd_rd32(f + at);
	size_t l4c = nd_l4_csum(p);

	nd_csum_replace(f + ND_IP + 10, from, to);
	if (l4c && p->proto == IPPROTO_UDP) {
		if (nd_rd16(f + l4c) != 0) { /* 0 = the sender sent no checksum */
			nd_csum_replace(f + l4c, from, to);
			if (nd_rd16(f + l4c) == 0)
				memset(f + l4c, 0xff, 2);
		}
	} else if (l4c) {
		nd_csum_replace(f + l4c, from, to);
	}
	memcpy(f + at, &to, 4);
}

void nat_dns_map_init(struct nat_dns_map *m, uint32_t net, unsigned prefix)
{
	m->mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
	m->net = net & m->mask;
	m->gw = htonl(ntohl(m->net) + 1);
	m->hidden = m->net | ~m->mask;
	m->relay_from = 0;
}

enum nat_dns_verdict nat_dns_guest_verdict(const struct nat_dns_map *m, const uint8_t *frame, size_t len)
{
	struct nd_pkt p;
	uint32_t dst;
	size_t l4;

	if (!nd_ipv4(frame, len, &p))
		return NAT_DNS_PASS;
	dst = nd_rd32(frame + ND_IP + 16);
	if (dst == m->hidden)
		return NAT_DNS_DROP;
	if (dst != m->gw || !p.whole || !nd_l4_csum(&p))
		return NAT_DNS_PASS;
	l4 = ND_IP + p.ihl;
	return nd_rd16(frame + l4 + 2) == ND_DNS_PORT ? NAT_DNS_REWRITE : NAT_DNS_PASS;
}

void nat_dns_guest_rewrite(const struct nat_dns_map *m, uint8_t *frame, size_t len)
{
	struct nd_pkt p;

	if (nd_ipv4(frame, len, &p) && nd_rd32(frame + ND_IP + 16) == m->gw)
		nd_readdress(frame, &p, ND_IP + 16, m->hidden);
}

/* the BOOTP message of a whole UDP packet from @gw:67 to port 68, or NULL */
static const uint8_t *nd_dhcp(const struct nat_dns_map *m, const uint8_t *f, const struct nd_pkt *p,
			      size_t *blen)
{
	size_t l4 = ND_IP + p->ihl;

	if (nd_rd32(f + ND_IP + 12) != m->gw || p->proto != IPPROTO_UDP || !p->whole || l4 + UDP_HLEN > p->end ||
	    nd_rd16(f + l4) != ND_DHCP_SERVER || nd_rd16(f + l4 + 2) != ND_DHCP_CLIENT)
		return NULL;
	*blen = p->end - l4 - UDP_HLEN;
	return f + l4 + UDP_HLEN;
}

/*
 * Walk the options of a BOOTP message of @blen bytes: @fn sees each option
 * (code, value offset, value length) until it returns false.
 */
static void nd_dhcp_walk(const uint8_t *b, size_t blen, bool (*fn)(void *arg, uint8_t code, size_t at, size_t l),
			 void *arg)
{
	size_t o = ND_DHCP_OPTIONS;

	if (blen < ND_DHCP_OPTIONS || nd_rd32(b + ND_DHCP_MAGIC_OFF) != htonl(ND_DHCP_MAGIC))
		return;
	while (o < blen && b[o] != ND_OPT_END) {
		if (b[o] == ND_OPT_PAD) {
			o++;
			continue;
		}
		if (o + 2 > blen || o + 2 + b[o + 1] > blen || !fn(arg, b[o], o + 2, b[o + 1]))
			return;
		o += 2u + b[o + 1];
	}
}

struct nd_type_arg {
	const uint8_t *b;
	int type;
};

static bool nd_type_fn(void *arg, uint8_t code, size_t at, size_t l)
{
	struct nd_type_arg *a = arg;

	if (code != ND_OPT_TYPE || l != 1)
		return true;
	a->type = a->b[at];
	return false;
}

/* the DHCP message type (option 53), 0 when there is none */
static int nd_dhcp_type(const uint8_t *b, size_t blen)
{
	struct nd_type_arg a = { .b = b };

	nd_dhcp_walk(b, blen, nd_type_fn, &a);
	return a.type;
}

/* ICMP types that quote the packet they are about (RFC 792) */
static bool nd_icmp_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/*
 * The frame offset of the packet quoted by an ICMP error, with its header
 * within the frame; 0 when the frame is not such an error.
 */
static size_t nd_icmp_quote(const uint8_t *f, const struct nd_pkt *p)
{
	size_t icmp = ND_IP + p->ihl, q = icmp + ND_ICMP_HLEN;

	if (p->proto != IPPROTO_ICMP || !p->whole || q + IPV4_HLEN > p->end || !nd_icmp_is_error(f[icmp]) ||
	    (f[q] >> 4) != 4 || q + (size_t)(f[q] & 0x0f) * 4 > p->end || (f[q] & 0x0f) * 4 < IPV4_HLEN)
		return 0;
	return q;
}

static bool nd_loopback(uint32_t a)
{
	return (ntohl(a) >> 24) == 127;
}

/*
 * An ICMP error about a packet the guest sent to the gateway (or that
 * libslirp relayed to the hidden address) must come from the gateway, and
 * one from a host loopback address from the address the guest talked to:
 * libslirp passes on the offender the host's kernel names (127.0.0.1 when
 * the host's resolver or a loopback port is closed), which a guest drops
 * as a martian and so waits for its timeout.
 */
static bool nd_icmp_wrong_source(const struct nat_dns_map *m, const uint8_t *f, size_t q)
{
	uint32_t src = nd_rd32(f + ND_IP + 12), qdst = nd_rd32(f + q + 16);

	if (nd_loopback(src))
		return true;
	return (qdst == m->gw || qdst == m->hidden) && src != m->gw;
}

/* point the packet quoted at @q back at the gateway, then checksum the ICMP message again */
static void nd_icmp_unquote(const struct nat_dns_map *m, uint8_t *f, const struct nd_pkt *p, size_t q)
{
	size_t qihl = (size_t)(f[q] & 0x0f) * 4, icmp = ND_IP + p->ihl, at = 0;
	uint16_t c;

	if (!(nd_rd16(f + q + 6) & IPV4_OFFSET_MASK)) {
		if (f[q + 9] == IPPROTO_UDP && q + qihl + UDP_HLEN <= p->end && nd_rd16(f + q + qihl + ND_UDP_CSUM))
			at = q + qihl + ND_UDP_CSUM;
		else if (f[q + 9] == IPPROTO_TCP && q + qihl + ND_TCP_CSUM + 2 <= p->end)
			at = q + qihl + ND_TCP_CSUM;
	}
	if (at)
		nd_csum_replace(f + at, m->hidden, m->gw);
	nd_csum_replace(f + q + 10, m->hidden, m->gw);
	memcpy(f + q + 16, &m->gw, 4);
	memset(f + icmp + 2, 0, 2);
	c = csum_fold(csum_add(0, f + icmp, p->end - icmp));
	memcpy(f + icmp + 2, &c, 2);
}

/* a packet from libslirp's DNS relay: from the hidden address, or a relay map's DNS answer */
static bool nd_from_relay(const struct nat_dns_map *m, const uint8_t *f, const struct nd_pkt *p)
{
	uint32_t src = nd_rd32(f + ND_IP + 12);

	if (src == m->hidden)
		return true;
	return m->relay_from && src == m->relay_from && nd_l4_csum(p) &&
	       nd_rd16(f + ND_IP + p->ihl) == ND_DNS_PORT;
}

static bool nd_is_host(const struct nat_dns_map *m, uint32_t a)
{
	return (a & m->mask) == m->net && a != m->net && a != m->hidden;
}

enum nat_dns_verdict nat_dns_slirp_verdict(const struct nat_dns_map *m, const uint8_t *frame, size_t len)
{
	struct nd_pkt p;
	const uint8_t *b;
	size_t blen, q;
	uint32_t yi;
	int type;

	if (!nd_ipv4(frame, len, &p))
		return NAT_DNS_PASS;
	q = nd_icmp_quote(frame, &p);
	if (nd_from_relay(m, frame, &p) ||
	    (q && (nd_rd32(frame + q + 16) == m->hidden || nd_icmp_wrong_source(m, frame, q))))
		return NAT_DNS_REWRITE;
	b = nd_dhcp(m, frame, &p, &blen);
	if (!b || blen < ND_DHCP_OPTIONS)
		return NAT_DNS_PASS;
	yi = nd_rd32(b + ND_DHCP_YIADDR);
	type = nd_dhcp_type(b, blen);
	if ((type == ND_DHCP_OFFER || type == ND_DHCP_ACK) && !nd_is_host(m, yi))
		return NAT_DNS_DROP;
	return NAT_DNS_REWRITE;
}

uint32_t nat_dns_lease(const struct nat_dns_map *m, const uint8_t *frame, size_t len)
{
	struct nd_pkt p;
	const uint8_t *b;
	size_t blen;
	uint32_t yi;

	if (!nd_ipv4(frame, len, &p) || !(b = nd_dhcp(m, frame, &p, &blen)) || blen < ND_DHCP_OPTIONS ||
	    nd_dhcp_type(b, blen) != ND_DHCP_ACK)
		return 0;
	yi = nd_rd32(b + ND_DHCP_YIADDR);
	return nd_is_host(m, yi) ? yi : 0;
}

struct nd_dns_arg {
	const struct nat_dns_map *m;
	uint8_t *b;
	bool changed;
};

static bool nd_dns_fn(void *arg, uint8_t code, size_t at, size_t l)
{
	struct nd_dns_arg *a = arg;

	for (size_t i = 0; code == ND_OPT_DNS && i + 4 <= l; i += 4) {
		if (nd_rd32(a->b + at + i) == a->m->hidden) {
			memcpy(a->b + at + i, &a->m->gw, 4);
			a->changed = true;
		}
	}
	return true;
}

/* option 6 addresses equal to the hidden one become the gateway; true when any did */
static bool nd_dhcp_options(const struct nat_dns_map *m, uint8_t *b, size_t blen)
{
	struct nd_dns_arg a = { .m = m, .b = b };

	nd_dhcp_walk(b, blen, nd_dns_fn, &a);
	return a.changed;
}

void nat_dns_slirp_rewrite(const struct nat_dns_map *m, uint8_t *frame, size_t len)
{
	struct nd_pkt p;
	uint8_t *b;
	size_t blen, l4, ulen, q;
	uint16_t c;

	if (!nd_ipv4(frame, len, &p))
		return;
	if (nd_from_relay(m, frame, &p))
		nd_readdress(frame, &p, ND_IP + 12, m->gw);
	q = nd_icmp_quote(frame, &p);
	if (q) {
		if (nd_rd32(frame + q + 16) == m->hidden)
			nd_icmp_unquote(m, frame, &p, q);
		if (nd_icmp_wrong_source(m, frame, q))
			nd_readdress(frame, &p, ND_IP + 12, nd_rd32(frame + q + 16));
		return;
	}
	b = (uint8_t *)nd_dhcp(m, frame, &p, &blen);
	if (!b)
		return;
	l4 = ND_IP + p.ihl;
	ulen = nd_rd16(frame + l4 + 4);
	if (ulen < UDP_HLEN || l4 + ulen > p.end || !nd_dhcp_options(m, b, ulen - UDP_HLEN))
		return;
	memset(frame + l4 + ND_UDP_CSUM, 0, 2);
	c = l4_csum_ipv4(nd_rd32(frame + ND_IP + 12), nd_rd32(frame + ND_IP + 16), IPPROTO_UDP, frame + l4, ulen);
	if (c == 0)
		c = 0xffff;
	memcpy(frame + l4 + ND_UDP_CSUM, &c, 2);
}
