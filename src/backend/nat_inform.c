/* SPDX-License-Identifier: MIT */
/* nat_inform.c: DHCPINFORM answered by the NAT itself (router, DNS, mask; no lease). */
#include <arpa/inet.h>
#include <string.h>

#include "backend/nat_inform.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"

/* RFC 2131 message layout */
#define NI_SERVER_PORT 67
#define NI_CLIENT_PORT 68
#define NI_BOOTP_LEN 300u /* the minimum BOOTP message (RFC 1542 2.1) */
#define NI_MAGIC_OFF 236
#define NI_OPTIONS 240
#define NI_OP_REQUEST 1
#define NI_OP_REPLY 2
#define NI_HTYPE_ETHER 1
#define NI_CIADDR 12
#define NI_YIADDR 16
#define NI_CHADDR 28
#define NI_OPT_PAD 0
#define NI_OPT_MASK 1
#define NI_OPT_ROUTER 3
#define NI_OPT_DNS 6
#define NI_OPT_TYPE 53
#define NI_OPT_SERVER_ID 54
#define NI_OPT_END 255
#define NI_DHCPACK 5
#define NI_DHCPINFORM 8

static const uint8_t ni_magic[4] = { 99, 130, 83, 99 };

/* the message type (option 53) of a BOOTP message of @len bytes; 0 when absent or malformed */
static uint8_t ni_type(const uint8_t *b, size_t len)
{
	size_t o = NI_OPTIONS;

	while (o < len && b[o] != NI_OPT_END) {
		if (b[o] == NI_OPT_PAD) {
			o++;
			continue;
		}
		if (o + 2 > len || o + 2u + b[o + 1] > len)
			return 0;
		if (b[o] == NI_OPT_TYPE)
			return b[o + 1] == 1 ? b[o + 2] : 0;
		o += 2u + b[o + 1];
	}
	return 0;
}

/* the UDP view of a whole datagram from port 68 to 67 of the gateway or the limited broadcast */
static bool ni_request(const struct nat_dns_map *m, const uint8_t *f, size_t len, struct ipv4_view *ip,
		       struct udp_view *u)
{
	struct eth_view eth;
	size_t l4 = ETH_HLEN + (size_t)(f[ETH_HLEN] & 0x0f) * 4;

	/* every guest frame passes here: a few compares before the checked parse */
	if (len < ETH_HLEN + IPV4_HLEN + UDP_HLEN || f[ETH_HLEN + 9] != IPPROTO_UDP || l4 + UDP_HLEN > len ||
	    f[l4 + 2] != 0 || f[l4 + 3] != NI_SERVER_PORT)
		return false;
	return eth_parse(f, len, &eth) == 0 && eth.ethertype == ETHERTYPE_IPV4 &&
	       ipv4_parse(eth.payload, eth.payload_len, ip) == 0 && ip->proto == IPPROTO_UDP &&
	       !ipv4_is_fragment(ip) && (ip->dst == m->gw || ip->dst == 0xffffffffu) &&
	       udp_parse(ip, true, u) == 0 && u->dport == NI_SERVER_PORT && u->sport == NI_CLIENT_PORT;
}

/* a DHCPINFORM from a host of the subnet: its address, else 0 */
static uint32_t ni_client(const struct nat_dns_map *m, const struct ipv4_view *ip, const uint8_t *b, size_t len)
{
	uint32_t ci;

	if (len < NI_OPTIONS || b[0] != NI_OP_REQUEST || b[1] != NI_HTYPE_ETHER || b[2] != ETH_ALEN ||
	    memcmp(b + NI_MAGIC_OFF, ni_magic, 4) != 0 || ni_type(b, len) != NI_DHCPINFORM)
		return 0;
	memcpy(&ci, b + NI_CIADDR, 4);
	if (!ci)
		ci = ip->src;
	if ((ci & m->mask) != m->net || ci == m->net || ci == m->hidden || ci == m->gw)
		return 0;
	return ci;
}

static size_t ni_opt_addr(uint8_t *o, uint8_t code, uint32_t a)
{
	o[0] = code;
	o[1] = 4;
	memcpy(o + 2, &a, 4);
	return 6;
}

/* the DHCPACK for request @req into @b (NI_BOOTP_LEN bytes) */
static void ni_ack(const struct nat_dns_map *m, const uint8_t *req, uint8_t *b)
{
	size_t o = NI_OPTIONS;

	memset(b, 0, NI_BOOTP_LEN);
	b[0] = NI_OP_REPLY;
	b[1] = NI_HTYPE_ETHER;
	b[2] = ETH_ALEN;
	memcpy(b + 4, req + 4, 4);                  /* xid */
	memcpy(b + 10, req + 10, 2);                /* flags */
	memcpy(b + NI_CIADDR, req + NI_CIADDR, 4);  /* ciaddr; yiaddr stays 0: no lease */
	memcpy(b + 24, req + 24, 4);                /* giaddr */
	memcpy(b + NI_CHADDR, req + NI_CHADDR, 16); /* chaddr */
	memcpy(b + NI_MAGIC_OFF, ni_magic, 4);
	b[o++] = NI_OPT_TYPE;
	b[o++] = 1;
	b[o++] = NI_DHCPACK;
	o += ni_opt_addr(b + o, NI_OPT_SERVER_ID, m->gw);
	o += ni_opt_addr(b + o, NI_OPT_MASK, m->mask);
	o += ni_opt_addr(b + o, NI_OPT_ROUTER, m->gw);
	o += ni_opt_addr(b + o, NI_OPT_DNS, m->gw);
	b[o] = NI_OPT_END;
}

size_t nat_inform_reply(const struct nat_dns_map *m, const uint8_t *frame, size_t len, uint8_t *out, size_t cap)
{
	struct ipv4_view ip;
	struct udp_view u;
	uint8_t gw_mac[ETH_ALEN] = { 0x52, 0x55 };
	uint8_t *udp = out + ETH_HLEN + IPV4_HLEN;
	uint32_t client;

	if (cap < NAT_INFORM_FRAME_MAX || !ni_request(m, frame, len, &ip, &u))
		return 0;
	client = ni_client(m, &ip, u.payload, u.payload_len);
	if (!client)
		return 0;
	ni_ack(m, u.payload, udp + UDP_HLEN);
	udp_build(udp, m->gw, client, NI_SERVER_PORT, NI_CLIENT_PORT, NI_BOOTP_LEN);
	ipv4_build(out + ETH_HLEN, m->gw, client, IPPROTO_UDP, 0, UDP_HLEN + NI_BOOTP_LEN);
	memcpy(gw_mac + 2, &m->gw, 4);
	eth_build(out, frame + ETH_ALEN, gw_mac, ETHERTYPE_IPV4);
	return NAT_INFORM_FRAME_MAX;
}
