/* SPDX-License-Identifier: MIT */
/* nat_flow.c: the NAT's flow table: each guest flow that holds a host socket in libslirp, capped. */
#include <stdlib.h>
#include <string.h>

#include "backend/nat_flow.h"
#include "core/eth.h"
#include "core/ipv4.h"

/*
 * Theory of operation
 *
 * A flow is keyed as libslirp keys its socket: UDP by the guest's address
 * and port (one socket serves every destination), TCP by both ends, an
 * echo request by the remote address, identifier and sequence number.
 * Addresses are kept as IPv6 ones, an IPv4 address mapped (::ffff:a.b.c.d),
 * so one table counts both families: libslirp opens IPv6 UDP and TCP
 * sockets as it does IPv4 ones (it answers ICMPv6 itself, and drops
 * packets with extension headers, which therefore open nothing).
 * Each flow carries the moment libslirp would have closed its socket
 * (expire_ms): UDP 240 s after the last datagram either way, 10 s after a
 * DNS answer (libslirp's SO_EXPIRE and SO_EXPIREFAST); TCP never while
 * open, at once on a reset, 10 s after both FINs or an ICMP error about
 * it; an echo request 240 s after it was sent, at once on its reply.  The
 * estimate errs long, so the live count never falls below libslirp's.
 *
 * Lookups go through a chained hash (buckets a power of two, twice the
 * cap); entries live in one array with a free list.  nat_flows_expire()
 * scans the array, at most once per NF_SCAN_MS; admission scans first when
 * the earliest known expiry has passed.  Worked example, cap 64: a guest
 * sends UDP from 300 ports to the host; flows 1-64 are admitted, the other
 * 236 datagrams refused; 240 s later all 64 have idled out and new ports
 * are admitted again.
 */

#define NF_UDP_IDLE_MS 240000
#define NF_DNS_IDLE_MS 10000
#define NF_ECHO_MS 240000
#define NF_TCP_CLOSE_MS 10000
#define NF_SCAN_MS 1000
#define NF_NEVER INT64_MAX
#define NF_NONE UINT32_MAX
#define NF_FIN_GUEST 1u
#define NF_FIN_HOST 2u
#define NF_TCP_FIN 0x01
#define NF_TCP_SYN 0x02
#define NF_TCP_RST 0x04
#define NF_TCP_ACK 0x10
#define NF_ICMP_ECHO_REPLY 0
#define NF_ICMP_ECHO 8
#define NF_DNS_PORT 53
#define NF_DHCP_PORT 67
#define NF_DHCP6_PORT 547
#define NF_ETHERTYPE_IPV6 0x86dd
#define NF_IPV6_HLEN 40

struct nf_key {
	uint8_t guest[16], remote[16]; /* IPv6, or IPv4-mapped; UDP: remote 0; echo: guest 0 */
	uint16_t gport, rport;  /* echo: identifier, sequence */
	uint8_t proto;
	uint8_t pad[3];
};

struct nf_entry {
	struct nf_key k;
	int64_t expire_ms;
	uint32_t next;   /* hash chain, or the free list */
	uint8_t fins;
	bool dns;        /* UDP: the guest's last datagram went to port 53 */
	bool used;
};

struct nat_flows {
	unsigned cap, n;
	uint32_t mask;   /* buckets - 1 */
	uint32_t *heads;
	struct nf_entry *e;
	uint32_t free_head;
	int64_t next_expire_ms; /* no flow expires before this */
	int64_t next_scan_ms;
};

/* one IP packet's transport header, parsed from an untagged frame */
struct nf_pkt {
	const uint8_t *l4;
	size_t l4len;
	uint8_t src[16], dst[16]; /* IPv6, or IPv4-mapped */
	uint8_t proto;
	bool v6;
};

static uint16_t nf_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* @out = ::ffff:@v4 */
static void nf_map4(uint8_t out[16], const uint8_t *v4)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	memcpy(out, prefix, sizeof(prefix));
	memcpy(out + 12, v4, 4);
}

static bool nf_parse4(const uint8_t *f, size_t len, struct nf_pkt *p)
{
	size_t ihl, tot;

	if (len < ETH_HLEN + IPV4_HLEN || (f[ETH_HLEN] >> 4) != 4)
		return false;
	ihl = (size_t)(f[ETH_HLEN] & 0x0f) * 4;
	tot = nf_rd16(f + ETH_HLEN + 2);
	if (ihl < IPV4_HLEN || tot < ihl || ETH_HLEN + tot > len || (nf_rd16(f + ETH_HLEN + 6) & IPV4_OFFSET_MASK))
		return false;
	p->l4 = f + ETH_HLEN + ihl;
	p->l4len = tot - ihl;
	p->proto = f[ETH_HLEN + 9];
	nf_map4(p->src, f + ETH_HLEN + 12);
	nf_map4(p->dst, f + ETH_HLEN + 16);
	p->v6 = false;
	return true;
}

/* an IPv6 packet whose next header is the transport one (libslirp drops the rest) */
static bool nf_parse6(const uint8_t *f, size_t len, struct nf_pkt *p)
{
	size_t plen;

	if (len < ETH_HLEN + NF_IPV6_HLEN || (f[ETH_HLEN] >> 4) != 6)
		return false;
	plen = nf_rd16(f + ETH_HLEN + 4);
	if (ETH_HLEN + NF_IPV6_HLEN + plen > len)
		return false;
	p->l4 = f + ETH_HLEN + NF_IPV6_HLEN;
	p->l4len = plen;
	p->proto = f[ETH_HLEN + 6];
	memcpy(p->src, f + ETH_HLEN + 8, 16);
	memcpy(p->dst, f + ETH_HLEN + 24, 16);
	p->v6 = true;
	return true;
}

static bool nf_parse(const uint8_t *f, size_t len, struct nf_pkt *p)
{
	if (len < ETH_HLEN)
		return false;
	switch (nf_rd16(f + 12)) {
	case ETHERTYPE_IPV4:
		return nf_parse4(f, len, p);
	case NF_ETHERTYPE_IPV6:
		return nf_parse6(f, len, p);
	default:
		return false;
	}
}

static uint32_t nf_hash(const struct nat_flows *t, const struct nf_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h & t->mask;
}

static uint32_t nf_find(const struct nat_flows *t, const struct nf_key *k)
{
	for (uint32_t i = t->heads[nf_hash(t, k)]; i != NF_NONE; i = t->e[i].next)
		if (memcmp(&t->e[i].k, k, sizeof(*k)) == 0)
			return i;
	return NF_NONE;
}

static void nf_remove(struct nat_flows *t, uint32_t idx)
{
	uint32_t *p = &t->heads[nf_hash(t, &t->e[idx].k)];

	while (*p != idx)
		p = &t->e[*p].next;
	*p = t->e[idx].next;
	t->e[idx].used = false;
	t->e[idx].next = t->free_head;
	t->free_head = idx;
	t->n--;
}

static void nf_set_expire(struct nat_flows *t, uint32_t idx, int64_t when)
{
	t->e[idx].expire_ms = when;
	if (when < t->next_expire_ms)
		t->next_expire_ms = when;
}

static void nf_scan(struct nat_flows *t, int64_t now_ms)
{
	int64_t next = NF_NEVER;

	for (uint32_t i = 0; i < t->cap; i++) {
		if (!t->e[i].used)
			continue;
		if (t->e[i].expire_ms <= now_ms)
			nf_remove(t, i);
		else if (t->e[i].expire_ms < next)
			next = t->e[i].expire_ms;
	}
	t->next_expire_ms = next;
	t->next_scan_ms = now_ms + NF_SCAN_MS;
}

/* a new flow, expiring at @expire; NF_NONE when the table is full of live flows */
static uint32_t nf_insert(struct nat_flows *t, const struct nf_key *k, int64_t now_ms, int64_t expire)
{
	uint32_t idx, h;

	if (t->n == t->cap && now_ms >= t->next_expire_ms)
		nf_scan(t, now_ms); /* the oldest idle flows make room */
	if (t->n == t->cap)
		return NF_NONE;
	idx = t->free_head;
	t->free_head = t->e[idx].next;
	h = nf_hash(t, k);
	t->e[idx] = (struct nf_entry){ .k = *k, .next = t->heads[h], .used = true };
	t->heads[h] = idx;
	t->n++;
	nf_set_expire(t, idx, expire);
	return idx;
}

void nat_flows_clear(struct nat_flows *t)
{
	for (uint32_t i = 0; i <= t->mask; i++)
		t->heads[i] = NF_NONE;
	for (uint32_t i = 0; i < t->cap; i++)
		t->e[i] = (struct nf_entry){ .next = i + 1 < t->cap ? i + 1 : NF_NONE };
	t->free_head = 0;
	t->n = 0;
	t->next_expire_ms = NF_NEVER;
}

struct nat_flows *nat_flows_new(unsigned cap)
{
	struct nat_flows *t = calloc(1, sizeof(*t));
	uint32_t buckets = 1;

	if (!t)
		return NULL;
	while (buckets < 2 * cap)
		buckets <<= 1;
	t->cap = cap;
	t->mask = buckets - 1;
	t->heads = malloc(buckets * sizeof(*t->heads));
	t->e = malloc(cap * sizeof(*t->e));
	if (!t->heads || !t->e) {
		nat_flows_free(t);
		return NULL;
	}
	nat_flows_clear(t);
	return t;
}

void nat_flows_free(struct nat_flows *t)
{
	if (!t)
		return;
	free(t->heads);
	free(t->e);
	free(t);
}

/* a guest UDP datagram: refresh its flow or open one */
static bool nf_guest_udp(struct nat_flows *t, const struct nf_pkt *p, int64_t now_ms)
{
	struct nf_key k = { .gport = nf_rd16(p->l4), .proto = IPPROTO_UDP };
	uint16_t dport = nf_rd16(p->l4 + 2);
	uint32_t idx;

	if (dport == (p->v6 ? NF_DHCP6_PORT : NF_DHCP_PORT))
		return true; /* libslirp's DHCP servers: no socket */
	memcpy(k.guest, p->src, 16);
	idx = nf_find(t, &k);
	if (idx == NF_NONE)
		idx = nf_insert(t, &k, now_ms, now_ms + NF_UDP_IDLE_MS);
	if (idx == NF_NONE)
		return false;
	t->e[idx].dns = dport == NF_DNS_PORT;
	nf_set_expire(t, idx, now_ms + NF_UDP_IDLE_MS);
	return true;
}

/* a TCP segment either way: a guest SYN opens, a reset ends, two FINs close */
static bool nf_tcp(struct nat_flows *t, const struct nf_key *k, uint8_t flags, uint8_t fin_bit, int64_t now_ms)
{
	uint32_t idx = nf_find(t, k);

	if (idx == NF_NONE && fin_bit == NF_FIN_GUEST && (flags & (NF_TCP_SYN | NF_TCP_ACK)) == NF_TCP_SYN)
		return nf_insert(t, k, now_ms, NF_NEVER) != NF_NONE;
	if (idx == NF_NONE)
		return true;
	if (flags & NF_TCP_RST) {
		nf_remove(t, idx);
		return true;
	}
	if (flags & NF_TCP_FIN)
		t->e[idx].fins |= fin_bit;
	if (t->e[idx].fins == (NF_FIN_GUEST | NF_FIN_HOST) && t->e[idx].expire_ms == NF_NEVER)
		nf_set_expire(t, idx, now_ms + NF_TCP_CLOSE_MS);
	return true;
}

static struct nf_key nf_echo_key(const uint8_t remote[16], const uint8_t *icmp)
{
	struct nf_key k = { .gport = nf_rd16(icmp + 4), .rport = nf_rd16(icmp + 6), .proto = IPPROTO_ICMP };

	memcpy(k.remote, remote, 16);
	return k;
}

/* the TCP key of a segment from @guest:@gport to @remote:@rport */
static struct nf_key nf_tcp_key(const uint8_t guest[16], uint16_t gport, const uint8_t remote[16], uint16_t rport)
{
	struct nf_key k = { .gport = gport, .rport = rport, .proto = IPPROTO_TCP };

	memcpy(k.guest, guest, 16);
	memcpy(k.remote, remote, 16);
	return k;
}

/* an IPv4 echo request to the outside (libslirp answers the gateway itself) */
static bool nf_is_echo_out(const struct nf_pkt *p, uint32_t gw)
{
	return !p->v6 && p->proto == IPPROTO_ICMP && p->l4len >= 8 && p->l4[0] == NF_ICMP_ECHO &&
	       memcmp(p->dst + 12, &gw, 4) != 0;
}

bool nat_flows_guest(struct nat_flows *t, uint32_t gw, const uint8_t *frame, size_t len, int64_t now_ms)
{
	struct nf_pkt p;
	struct nf_key k;

	if (!nf_parse(frame, len, &p))
		return true;
	if (p.proto == IPPROTO_UDP && p.l4len >= 8)
		return nf_guest_udp(t, &p, now_ms);
	if (p.proto == IPPROTO_TCP && p.l4len >= 20) {
		k = nf_tcp_key(p.src, nf_rd16(p.l4), p.dst, nf_rd16(p.l4 + 2));
		return nf_tcp(t, &k, p.l4[13], NF_FIN_GUEST, now_ms);
	}
	if (nf_is_echo_out(&p, gw)) {
		k = nf_echo_key(p.dst, p.l4);
		return nf_find(t, &k) != NF_NONE || nf_insert(t, &k, now_ms, now_ms + NF_ECHO_MS) != NF_NONE;
	}
	return true;
}

/* an ICMP error for the guest about one of its TCP connections: libslirp drops it */
static void nf_icmp_error(struct nat_flows *t, const struct nf_pkt *p, int64_t now_ms)
{
	const uint8_t *q = p->l4 + 8;
	size_t qihl;
	struct nf_key k = { .proto = IPPROTO_TCP };
	uint32_t idx;

	if (p->l4len < 8 + IPV4_HLEN || (q[0] >> 4) != 4 || q[9] != IPPROTO_TCP)
		return;
	qihl = (size_t)(q[0] & 0x0f) * 4;
	if (qihl < IPV4_HLEN || p->l4len < 8 + qihl + 4)
		return;
	nf_map4(k.guest, q + 12);
	nf_map4(k.remote, q + 16);
	k.gport = nf_rd16(q + qihl);
	k.rport = nf_rd16(q + qihl + 2);
	idx = nf_find(t, &k);
	if (idx != NF_NONE && t->e[idx].expire_ms > now_ms + NF_TCP_CLOSE_MS)
		nf_set_expire(t, idx, now_ms + NF_TCP_CLOSE_MS);
}

static void nf_slirp_udp(struct nat_flows *t, const struct nf_pkt *p, int64_t now_ms)
{
	struct nf_key k = { .gport = nf_rd16(p->l4 + 2), .proto = IPPROTO_UDP };
	uint32_t idx;

	memcpy(k.guest, p->dst, 16);
	idx = nf_find(t, &k);

	if (idx != NF_NONE)
		nf_set_expire(t, idx, now_ms + (t->e[idx].dns ? NF_DNS_IDLE_MS : NF_UDP_IDLE_MS));
}

void nat_flows_slirp(struct nat_flows *t, const uint8_t *frame, size_t len, int64_t now_ms)
{
	struct nf_pkt p;
	struct nf_key k;
	uint32_t idx;

	if (!t->n || !nf_parse(frame, len, &p))
		return;
	if (p.proto == IPPROTO_UDP && p.l4len >= 8) {
		nf_slirp_udp(t, &p, now_ms);
	} else if (p.proto == IPPROTO_TCP && p.l4len >= 20) {
		k = nf_tcp_key(p.dst, nf_rd16(p.l4 + 2), p.src, nf_rd16(p.l4));
		nf_tcp(t, &k, p.l4[13], NF_FIN_HOST, now_ms);
	} else if (p.v6) {
		return; /* ICMPv6 opens no socket */
	} else if (p.proto == IPPROTO_ICMP && p.l4len >= 8 && p.l4[0] == NF_ICMP_ECHO_REPLY) {
		k = nf_echo_key(p.src, p.l4);
		idx = nf_find(t, &k);
		if (idx != NF_NONE)
			nf_remove(t, idx);
	} else if (p.proto == IPPROTO_ICMP && p.l4len >= 8 && (p.l4[0] == 3 || p.l4[0] == 11)) {
		nf_icmp_error(t, &p, now_ms);
	}
}

void nat_flows_expire(struct nat_flows *t, int64_t now_ms)
{
	if (now_ms >= t->next_scan_ms && now_ms >= t->next_expire_ms)
		nf_scan(t, now_ms);
}

unsigned nat_flows_count(const struct nat_flows *t, unsigned *cap)
{
	*cap = t->cap;
	return t->n;
}
