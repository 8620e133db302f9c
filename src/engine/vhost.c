/* SPDX-License-Identifier: MIT */
/* vhost.c: virtual hosts: ARP answers, UDP demux to services, fragmenting replies, reassembling guest fragments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/arp.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/frag.h"
#include "core/icmp.h"
#include "core/ipv4.h"
#include "core/reasm.h"
#include "core/tcp.h"
#include "core/udp.h"
#include "engine/vhost.h"
#include "engine/vtcp.h"

/*
 * Theory of operation
 *
 * vhost_input() looks at each guest frame before the backend does.  ARP
 * requests for a host that answers ARP get a reply, and so do ICMP echo
 * requests for a host that answers ping.  An unfragmented IPv4 packet to a
 * host's address that carries UDP is served at once when a service owns
 * its port and otherwise handed back to the caller.
 *
 * NAT (the default): every guest IPv4 fragment, whatever its destination,
 * is held by the bounded reassembler (core/reasm.c: datagram, byte and age
 * limits, overlaps dropped, every drop counted).  A completed datagram is
 * served when it is UDP for a service; anything else goes to the backend
 * whole, in one frame that may exceed the MTU (libslirp takes it as it
 * is), so the backend never reassembles guest fragments itself.
 *
 * Bridged (vhost_set_bridged()): the backend puts frames on a LAN, which
 * carries nothing above its MTU.  Only fragments for a virtual host's
 * address are held; an incomplete one is never bridged.  The rest pass
 * untouched.  A completed datagram for a virtual host that nothing here
 * answers is cut to the MTU again (core/frag.c) on its way to the backend.
 *
 * A service writes its reply straight into the reply buffer behind room
 * for the Ethernet, IPv4 and UDP headers, so a reply that fits the guest
 * MTU leaves as one frame without a copy; a larger one is cut to the MTU
 * and each piece gets an Ethernet header.  Replies go to the MAC the
 * request came from.  A deferred service (the NFS server, whose calls run
 * on a worker thread) takes the datagram and where it came from, and
 * answers later with vhost_reply_udp(), which copies the answer into the
 * same buffer and sends it the same way.
 *
 * TCP: a segment for a host's address and a port a stream service listens
 * on (vhost_add_tcp()) is checked (tcp_parse(): offset, options,
 * checksum; a bad one is dropped and counted) and handed to the table's
 * TCP end (vtcp.c), which answers through vhost_tcp_emit() the same way.
 * Segments for other TCP ports are not ours: in NAT mode libslirp gets
 * them.
 */

struct vhost_host {
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	unsigned flags; /* VHOST_ANSWER_* */
};

struct vhost_svc {
	uint32_t ip;
	uint8_t proto;             /* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t port;
	vhost_udp_fn fn;           /* UDP: answers at once, or */
	vhost_udp_defer_fn defer;  /* answers later through vhost_reply_udp() */
	const struct vtcp_ops *tcp; /* TCP: the stream service */
	void *opaque;
	bool closed;               /* vhost_add_closed(): UDP dropped, TCP refused */
};

struct vhost_table {
	unsigned mtu;
	bool bridged;
	vhost_emit_fn to_guest;
	vhost_emit_fn to_backend;
	void *opaque;
	struct vhost_host hosts[VHOST_MAX_HOSTS];
	unsigned nhosts;
	struct vhost_svc svcs[VHOST_MAX_SERVICES];
	unsigned nsvcs;
	struct reasm *ra;
	struct vtcp *tcp;
	uint64_t now_ms;           /* of the frame being handled */
	uint16_t ip_id;
	/* the request being answered: where pieces go */
	const struct vhost_host *cur_host;
	uint8_t cur_dst[ETH_ALEN]; /* the MAC the answer being sent goes to */
	uint8_t req_src[ETH_ALEN]; /* the guest frame's source: replies go there */
	uint8_t req_dst[ETH_ALEN]; /* its destination: kept for a reassembled datagram */
	uint16_t req_ethertype;
	uint64_t drops[INDYNET_DROP__COUNT];
	uint8_t *reply; /* VHOST_FRAME_CAP: a reply frame under construction */
	uint8_t *frame; /* VHOST_FRAME_CAP: one reply piece, ARP reply or reassembled datagram */
};

#define VHOST_FRAME_CAP (ETH_HLEN + IPV4_MAX_LEN)
#define VHOST_REPLY_OFF (IPV4_HLEN + UDP_HLEN)

static struct vhost_host *vhost_find_host(struct vhost_table *vt, uint32_t ip);
static void vhost_reply_ip(struct vhost_table *vt, const uint8_t *dst_mac, uint32_t src_ip, size_t len);

/* vtcp_emit_fn: a segment of one of our hosts' connections, to the guest */
static void vhost_tcp_emit(void *opaque, const uint8_t mac[6], uint32_t src_ip, const uint8_t *pkt, size_t len)
{
	struct vhost_table *vt = opaque;

	if (!vhost_find_host(vt, src_ip) || len > IPV4_MAX_LEN) {
		vt->drops[INDYNET_DROP_NO_SERVICE]++; /* the host moved or went away */
		return;
	}
	memcpy(vt->reply + ETH_HLEN, pkt, len);
	vhost_reply_ip(vt, mac, src_ip, len);
}

struct vhost_table *vhost_new(unsigned mtu, vhost_emit_fn to_guest, vhost_emit_fn to_backend, void *opaque)
{
	struct vhost_table *vt = calloc(1, sizeof(*vt));

	if (!vt)
		return NULL;
	vt->mtu = mtu;
	vt->to_guest = to_guest;
	vt->to_backend = to_backend;
	vt->opaque = opaque;
	vt->ra = reasm_new();
	vt->tcp = vtcp_new(mtu, vhost_tcp_emit, vt);
	vt->reply = malloc(VHOST_FRAME_CAP);
	vt->frame = malloc(VHOST_FRAME_CAP);
	if (!vt->ra || !vt->tcp || !vt->reply || !vt->frame) {
		vhost_free(vt);
		return NULL;
	}
	return vt;
}

void vhost_free(struct vhost_table *vt)
{
	if (!vt)
		return;
	reasm_free(vt->ra);
	vtcp_free(vt->tcp);
	free(vt->reply);
	free(vt->frame);
	free(vt);
}

static struct vhost_host *vhost_find_host(struct vhost_table *vt, uint32_t ip)
{
	for (unsigned i = 0; i < vt->nhosts; i++)
		if (vt->hosts[i].ip == ip)
			return &vt->hosts[i];
	return NULL;
}

static struct vhost_svc *vhost_find_svc(struct vhost_table *vt, uint32_t ip, uint8_t proto, uint16_t port)
{
	for (unsigned i = 0; i < vt->nsvcs; i++)
		if (vt->svcs[i].ip == ip && vt->svcs[i].proto == proto && vt->svcs[i].port == port)
			return &vt->svcs[i];
	return NULL;
}

void vhost_set_bridged(struct vhost_table *vt, bool bridged)
{
	vt->bridged = bridged;
}

int vhost_add_host(struct vhost_table *vt, uint32_t ip, const uint8_t mac[6], unsigned flags)
{
	if (vhost_find_host(vt, ip))
		return -EEXIST;
	if (vt->nhosts == VHOST_MAX_HOSTS)
		return -ENOSPC;
	vt->hosts[vt->nhosts].ip = ip;
	memcpy(vt->hosts[vt->nhosts].mac, mac, ETH_ALEN);
	vt->hosts[vt->nhosts].flags = flags;
	vt->nhosts++;
	return 0;
}

int vhost_remove_host(struct vhost_table *vt, uint32_t ip)
{
	struct vhost_host *h = vhost_find_host(vt, ip);
	unsigned kept = 0;

	if (!h)
		return -ENOENT;
	*h = vt->hosts[--vt->nhosts];
	for (unsigned i = 0; i < vt->nsvcs; i++)
		if (vt->svcs[i].ip != ip)
			vt->svcs[kept++] = vt->svcs[i];
	vt->nsvcs = kept;
	return 0;
}

int vhost_set_host_ip(struct vhost_table *vt, uint32_t old_ip, uint32_t new_ip, const uint8_t *new_mac)
{
	struct vhost_host *h = vhost_find_host(vt, old_ip);

	if (!h)
		return -ENOENT;
	if (old_ip != new_ip && vhost_find_host(vt, new_ip))
		return -EEXIST;
	h->ip = new_ip;
	if (new_mac)
		memcpy(h->mac, new_mac, ETH_ALEN);
	for (unsigned i = 0; i < vt->nsvcs; i++)
		if (vt->svcs[i].ip == old_ip)
			vt->svcs[i].ip = new_ip;
	return 0;
}

static int vhost_add_svc(struct vhost_table *vt, const struct vhost_svc *svc)
{
	if (!vhost_find_host(vt, svc->ip))
		return -ENOENT;
	if (vhost_find_svc(vt, svc->ip, svc->proto, svc->port))
		return -EEXIST;
	if (vt->nsvcs == VHOST_MAX_SERVICES)
		return -ENOSPC;
	vt->svcs[vt->nsvcs++] = *svc;
	return 0;
}

int vhost_add_udp(struct vhost_table *vt, uint32_t ip, uint16_t port, vhost_udp_fn fn, void *opaque)
{
	return vhost_add_svc(vt, &(struct vhost_svc){ .ip = ip, .proto = IPPROTO_UDP, .port = port, .fn = fn,
						      .opaque = opaque });
}

int vhost_add_udp_deferred(struct vhost_table *vt, uint32_t ip, uint16_t port, vhost_udp_defer_fn fn, void *opaque)
{
	return vhost_add_svc(vt, &(struct vhost_svc){ .ip = ip, .proto = IPPROTO_UDP, .port = port, .defer = fn,
						      .opaque = opaque });
}

int vhost_add_tcp(struct vhost_table *vt, uint32_t ip, uint16_t port, const struct vtcp_ops *ops, void *opaque)
{
	return vhost_add_svc(vt, &(struct vhost_svc){ .ip = ip, .proto = IPPROTO_TCP, .port = port, .tcp = ops,
						      .opaque = opaque });
}

/* vtcp_ops.open of a closed port: every SYN is refused (RST, counted); no connection ever opens */
static void *vhost_closed_open(void *opaque, uint32_t id, const struct vhost_dgram *ends)
{
	(void)opaque;
	(void)id;
	(void)ends;
	return NULL;
}

static const struct vtcp_ops vhost_closed_ops = { .open = vhost_closed_open };

int vhost_add_closed(struct vhost_table *vt, uint32_t ip, uint8_t proto, uint16_t port)
{
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return -EINVAL;
	return vhost_add_svc(vt, &(struct vhost_svc){ .ip = ip, .proto = proto, .port = port,
						      .tcp = proto == IPPROTO_TCP ? &vhost_closed_ops : NULL,
						      .closed = true });
}

struct vtcp *vhost_tcp(struct vhost_table *vt)
{
	return vt->tcp;
}

/* frag_emit_fn: put one IPv4 piece of a reply in an Ethernet frame for the guest */
static void vhost_emit_piece(void *opaque, const uint8_t *pkt, size_t len)
{
	struct vhost_table *vt = opaque;

	eth_build(vt->frame, vt->cur_dst, vt->cur_host->mac, ETHERTYPE_IPV4);
	memcpy(vt->frame + ETH_HLEN, pkt, len);
	vt->to_guest(vt->opaque, vt->frame, ETH_HLEN + len);
}

/* the IPv4 packet of @len bytes at vt->reply + ETH_HLEN, from host @src_ip to the guest at @dst_mac */
static void vhost_reply_ip(struct vhost_table *vt, const uint8_t *dst_mac, uint32_t src_ip, size_t len)
{
	uint8_t *pkt = vt->reply + ETH_HLEN;

	vt->cur_host = vhost_find_host(vt, src_ip);
	memmove(vt->cur_dst, dst_mac, ETH_ALEN);
	if (len <= vt->mtu) {
		/* fits: the frame is already in place behind room for its Ethernet header */
		eth_build(vt->reply, vt->cur_dst, vt->cur_host->mac, ETHERTYPE_IPV4);
		vt->to_guest(vt->opaque, vt->reply, ETH_HLEN + len);
		return;
	}
	if (frag_ipv4(pkt, len, vt->mtu, vhost_emit_piece, vt) < 0)
		vt->drops[INDYNET_DROP_OVERSIZED]++;
}

/* the UDP answer of @rlen bytes at vt->reply behind room for its headers, to where @to came from */
static void vhost_reply_dgram(struct vhost_table *vt, const struct vhost_dgram *to, size_t rlen)
{
	uint8_t *pkt = vt->reply + ETH_HLEN;

	udp_build(pkt + IPV4_HLEN, to->dst_ip, to->src_ip, to->dport, to->sport, rlen);
	ipv4_build(pkt, to->dst_ip, to->src_ip, IPPROTO_UDP, vt->ip_id++, UDP_HLEN + rlen);
	vhost_reply_ip(vt, to->mac, to->dst_ip, VHOST_REPLY_OFF + rlen);
}

int vhost_reply_udp(struct vhost_table *vt, const struct vhost_dgram *to, const uint8_t *payload, size_t len)
{
	if (len > IPV4_MAX_LEN - VHOST_REPLY_OFF)
		return -EMSGSIZE;
	if (!vhost_find_host(vt, to->dst_ip))
		return -ENOENT;
	memcpy(vt->reply + ETH_HLEN + VHOST_REPLY_OFF, payload, len);
	vhost_reply_dgram(vt, to, len);
	return 0;
}

static void vhost_serve(struct vhost_table *vt, const struct vhost_svc *svc, const struct ipv4_view *ip,
			const struct udp_view *u)
{
	struct vhost_dgram from = { .src_ip = ip->src, .dst_ip = ip->dst, .sport = u->sport, .dport = u->dport };
	size_t rlen;

	memcpy(from.mac, vt->req_src, ETH_ALEN);
	if (svc->closed) {
		vt->drops[INDYNET_DROP_NO_SERVICE]++;
		return;
	}
	if (svc->defer) {
		svc->defer(svc->opaque, &from, u->payload, u->payload_len);
		return;
	}
	rlen = svc->fn(svc->opaque, ip->src, u->sport, ip->dst, u->dport, u->payload, u->payload_len,
		       vt->reply + ETH_HLEN + VHOST_REPLY_OFF, IPV4_MAX_LEN - VHOST_REPLY_OFF);
	if (rlen == 0)
		return;
	if (rlen > IPV4_MAX_LEN - VHOST_REPLY_OFF)
		rlen = IPV4_MAX_LEN - VHOST_REPLY_OFF; /* a service overran its cap: never trust it */
	vhost_reply_dgram(vt, &from, rlen);
}

static void vhost_tcp_segment(struct vhost_table *vt, const struct vhost_svc *svc, const struct ipv4_view *ip,
			      const struct tcp_view *t)
{
	struct vhost_dgram ends = { .src_ip = ip->src, .dst_ip = ip->dst, .sport = t->sport, .dport = t->dport };

	memcpy(ends.mac, vt->req_src, ETH_ALEN);
	vtcp_input(vt->tcp, &ends, t, svc->tcp, svc->opaque, vt->now_ms);
}

/*
 * An ICMP message for a host that answers ping: an echo request is
 * answered (same identifier, sequence and data), one with a bad checksum
 * is dropped and counted; any other type is not ours (false).
 */
static bool vhost_icmp(struct vhost_table *vt, const struct ipv4_view *ip)
{
	uint8_t *pkt = vt->reply + ETH_HLEN, *msg = pkt + IPV4_HLEN;
	struct icmp_view v;
	uint16_t sum;

	if (icmp_parse(ip->payload, ip->payload_len, false, &v) != 0 || v.type != ICMP_ECHO_REQUEST)
		return false;
	if (icmp_parse(ip->payload, ip->payload_len, true, &v) != 0) {
		vt->drops[INDYNET_DROP_MALFORMED]++;
		return true;
	}
	memcpy(msg, ip->payload, ip->payload_len); /* id, sequence and data as they came */
	msg[0] = ICMP_ECHO_REPLY;
	msg[1] = 0;
	msg[2] = msg[3] = 0;
	sum = csum_fold(csum_add(0, msg, ip->payload_len));
	memcpy(msg + 2, &sum, 2);
	ipv4_build(pkt, ip->dst, ip->src, IPPROTO_ICMP, vt->ip_id++, ip->payload_len);
	vhost_reply_ip(vt, vt->req_src, ip->dst, IPV4_HLEN + ip->payload_len);
	return true;
}

static bool vhost_arp(struct vhost_table *vt, const struct eth_view *eth)
{
	struct arp_view a;
	struct vhost_host *h;
	size_t n;

	if (arp_parse(eth->payload, eth->payload_len, &a) != 0 || a.op != ARP_OP_REQUEST)
		return false;
	h = vhost_find_host(vt, a.tpa);
	if (!h || !(h->flags & VHOST_ANSWER_ARP))
		return false;
	/* to the MAC the request came from; the ARP target is its sender */
	n = arp_build(vt->frame, VHOST_FRAME_CAP, vt->req_src, ARP_OP_REPLY, h->mac, h->ip, a.sha, a.spa);
	if (n)
		vt->to_guest(vt->opaque, vt->frame, n);
	return true;
}

/*
 * A whole UDP datagram for one of our hosts; false = no service owns the
 * port (or it does not even parse): the backend judges it.  The checksum
 * is only verified for datagrams we serve.
 */
static bool vhost_udp(struct vhost_table *vt, const struct ipv4_view *ip)
{
	struct udp_view u;
	const struct vhost_svc *svc;
	int rc;

	if (udp_parse(ip, false, &u) != 0)
		return false;
	svc = vhost_find_svc(vt, ip->dst, IPPROTO_UDP, u.dport);
	if (!svc)
		return false;
	rc = udp_parse(ip, true, &u);
	if (rc != 0) {
		vt->drops[rc == -EMSGSIZE ? INDYNET_DROP_TRUNCATED : INDYNET_DROP_MALFORMED]++;
		return true;
	}
	vhost_serve(vt, svc, ip, &u);
	return true;
}

/* A TCP segment for one of our hosts; false = no stream service listens on the port. */
static bool vhost_tcp_in(struct vhost_table *vt, const struct ipv4_view *ip)
{
	const struct vhost_svc *svc;
	struct tcp_view t;
	int rc;

	if (ip->payload_len < 4)
		return false;
	svc = vhost_find_svc(vt, ip->dst, IPPROTO_TCP, (uint16_t)(ip->payload[2] << 8 | ip->payload[3]));
	if (!svc)
		return false;
	rc = tcp_parse(ip, &t);
	if (rc != 0) {
		vt->drops[rc == -EMSGSIZE ? INDYNET_DROP_TRUNCATED : INDYNET_DROP_MALFORMED]++;
		return true;
	}
	vhost_tcp_segment(vt, svc, ip, &t);
	return true;
}

/* an unfragmented (or reassembled) IPv4 packet: served when it is UDP or TCP for one of our services or a ping */
static bool vhost_plain(struct vhost_table *vt, const struct ipv4_view *ip)
{
	const struct vhost_host *h = vhost_find_host(vt, ip->dst);

	if (!h)
		return false;
	if (ip->proto == IPPROTO_ICMP)
		return (h->flags & VHOST_ANSWER_ICMP) && vhost_icmp(vt, ip);
	if (ip->proto == IPPROTO_TCP)
		return vhost_tcp_in(vt, ip);
	return ip->proto == IPPROTO_UDP && vhost_udp(vt, ip);
}

/* frag_emit_fn: one piece of a datagram for the backend, cut to the MTU again (bridged) */
static void vhost_emit_backend_piece(void *opaque, const uint8_t *pkt, size_t len)
{
	struct vhost_table *vt = opaque;

	eth_build(vt->frame, vt->req_dst, vt->req_src, vt->req_ethertype);
	memcpy(vt->frame + ETH_HLEN, pkt, len);
	vt->to_backend(vt->opaque, vt->frame, ETH_HLEN + len);
}

/* a reassembled datagram: served, or handed to the backend whole */
static void vhost_complete(struct vhost_table *vt, const uint8_t *pkt, size_t len)
{
	struct ipv4_view ip;

	if (ipv4_parse(pkt, len, &ip) != 0) {
		vt->drops[INDYNET_DROP_MALFORMED]++;
		return;
	}
	if (vhost_plain(vt, &ip))
		return;
	if (!vt->to_backend) {
		vt->drops[INDYNET_DROP_NO_SERVICE]++;
		return;
	}
	if (vt->bridged) {
		if (frag_ipv4(pkt, len, vt->mtu, vhost_emit_backend_piece, vt) < 0)
			vt->drops[INDYNET_DROP_OVERSIZED]++;
		return;
	}
	eth_build(vt->frame, vt->req_dst, vt->req_src, vt->req_ethertype);
	memcpy(vt->frame + ETH_HLEN, pkt, len);
	vt->to_backend(vt->opaque, vt->frame, ETH_HLEN + len);
}

static bool vhost_ipv4(struct vhost_table *vt, const struct eth_view *eth, uint64_t now_ms)
{
	struct ipv4_view ip;
	const uint8_t *whole;
	size_t whole_len;

	if (ipv4_parse(eth->payload, eth->payload_len, &ip) != 0)
		return false;
	if (!ipv4_is_fragment(&ip))
		return vhost_plain(vt, &ip);
	if (vt->bridged && !vhost_find_host(vt, ip.dst))
		return false;
	switch (reasm_input(vt->ra, eth->payload, eth->payload_len, now_ms, &whole, &whole_len)) {
	case REASM_COMPLETE:
		vhost_complete(vt, whole, whole_len);
		break;
	case REASM_NOT_FRAGMENT:
		return vhost_plain(vt, &ip);
	case REASM_HELD:
	case REASM_DROPPED:
		break;
	}
	return true;
}

bool vhost_input(struct vhost_table *vt, const uint8_t *frame, size_t len, uint64_t now_ms)
{
	struct eth_view eth;

	vt->now_ms = now_ms;
	if (eth_parse(frame, len, &eth) != 0)
		return false;
	memcpy(vt->req_src, eth.src, ETH_ALEN);
	memcpy(vt->req_dst, eth.dst, ETH_ALEN);
	vt->req_ethertype = eth.ethertype;
	switch (eth.ethertype) {
	case ETHERTYPE_ARP:
		return vt->nhosts && vhost_arp(vt, &eth);
	case ETHERTYPE_IPV4:
		return vhost_ipv4(vt, &eth, now_ms);
	default:
		return false;
	}
}

void vhost_tick(struct vhost_table *vt, uint64_t now_ms)
{
	reasm_expire(vt->ra, now_ms);
	vtcp_tick(vt->tcp, now_ms);
}

uint64_t vhost_deadline(const struct vhost_table *vt)
{
	return vtcp_deadline(vt->tcp);
}

void vhost_counters(const struct vhost_table *vt, uint64_t drops[INDYNET_DROP__COUNT])
{
	for (unsigned i = 0; i < INDYNET_DROP__COUNT; i++)
		drops[i] += vt->drops[i];
	reasm_counters(vt->ra, drops);
}
