/* SPDX-License-Identifier: MIT */
/* nat_restrict.c: the restricted NAT guest (--restrict): which of its frames may reach libslirp. */
#include <string.h>

#include "backend/nat_restrict.h"
#include "core/eth.h"
#include "core/ipv4.h"

#define NR_ETHERTYPE_IPV6 0x86dd
#define NR_IPV6_HLEN 40u
#define NR_TCP_SYN 0x02
#define NR_TCP_ACK 0x10
#define NR_PORT_DNS 53
#define NR_PORT_DHCP 67
#define NR_PORT_DHCP6 547
#define NR_PORT_TFTP 69
#define NR_ICMP_ECHO 8
#define NR_ICMP6_ECHO 128

/* one transport header, whichever the family */
struct nr_pkt {
	const uint8_t *l4;
	size_t l4len;
	uint8_t proto;
	bool to_gw;  /* addressed to the gateway */
	bool to_dns; /* addressed to DNS at the gateway */
};

static uint16_t nr_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* the guest answers a UDP forward: its source port is one's guest port */
static bool nr_forward_port(const struct nat_restrict *r, uint16_t sport)
{
	for (size_t i = 0; i < r->nfwd; i++)
		if (r->fwd[i].udp && r->fwd[i].guest_port == sport)
			return true;
	for (size_t i = 0; i < r->nfwd6; i++)
		if (r->fwd6[i].udp && r->fwd6[i].guest_port == sport)
			return true;
	return false;
}

static bool nr_udp(const struct nat_restrict *r, const struct nr_pkt *p)
{
	uint16_t dport;

	if (p->l4len < 8)
		return false;
	dport = nr_rd16(p->l4 + 2);
	return dport == NR_PORT_DHCP || dport == NR_PORT_DHCP6 || (p->to_dns && dport == NR_PORT_DNS) ||
	       (p->to_gw && dport == NR_PORT_TFTP) || nr_forward_port(r, nr_rd16(p->l4));
}

static bool nr_tcp(const struct nr_pkt *p)
{
	if (p->l4len < 20)
		return false;
	if ((p->l4[13] & (NR_TCP_SYN | NR_TCP_ACK)) != NR_TCP_SYN)
		return true;
	return p->to_dns && nr_rd16(p->l4 + 2) == NR_PORT_DNS;
}

static bool nr_judge(const struct nat_restrict *r, const struct nr_pkt *p)
{
	switch (p->proto) {
	case IPPROTO_UDP:
		return nr_udp(r, p);
	case IPPROTO_TCP:
		return nr_tcp(p);
	case IPPROTO_ICMP:
		return p->l4len >= 8 && (p->l4[0] != NR_ICMP_ECHO || p->to_gw);
	case IPPROTO_ICMPV6:
		return p->l4len >= 8 && (p->l4[0] != NR_ICMP6_ECHO || p->to_gw);
	default:
		return false;
	}
}

static bool nr_ipv4(const struct nat_restrict *r, const struct eth_view *e)
{
	struct ipv4_view v;
	struct nr_pkt p;

	if (ipv4_parse(e->payload, e->payload_len, &v) < 0)
		return false;
	if (v.frag_off)
		return true; /* judged with its first fragment, which carries the ports */
	p = (struct nr_pkt){ .l4 = v.payload, .l4len = v.payload_len, .proto = v.proto, .to_gw = v.dst == r->gw,
			     .to_dns = v.dst == r->gw };
	return nr_judge(r, &p);
}

static bool nr_ipv6(const struct nat_restrict *r, const struct eth_view *e)
{
	const uint8_t *h = e->payload;
	struct nr_pkt p;
	size_t plen;

	if (e->payload_len < NR_IPV6_HLEN || (h[0] >> 4) != 6)
		return false;
	plen = nr_rd16(h + 4);
	if (plen > e->payload_len - NR_IPV6_HLEN)
		return false;
	p = (struct nr_pkt){ .l4 = h + NR_IPV6_HLEN, .l4len = plen, .proto = h[6],
			     .to_gw = memcmp(h + 24, &r->gw6, 16) == 0, .to_dns = memcmp(h + 24, &r->dns6, 16) == 0 };
	return nr_judge(r, &p);
}

bool nat_restrict_allows(const struct nat_restrict *r, const uint8_t *frame, size_t len)
{
	struct eth_view e;

	if (eth_parse(frame, len, &e) < 0)
		return false;
	if (e.ethertype == ETHERTYPE_IPV4)
		return nr_ipv4(r, &e);
	if (e.ethertype == NR_ETHERTYPE_IPV6)
		return nr_ipv6(r, &e);
	return true;
}
