/* SPDX-License-Identifier: MIT */
/* bridge_host.c: bridge mode's host reach: the guest's frames for the host's own address go to its stack through a private libslirp. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/bridge_hflow.h"
#include "backend/bridge_host.h"
#include "backend/bridge_stack.h"
#include "backend/nat.h"
#include "core/arp.h"
#include "core/checksum.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/log.h"

/*
 * Theory of operation
 *
 * A frame injected with libpcap leaves on the wire and never climbs the
 * host's own stack, so a bridged guest reaches every machine on the LAN
 * but the one it runs on.  This path takes the guest's frames for the
 * host's address (H, with the host's MAC on the captured interface, both
 * learned from the interface on each open and once a second) before they
 * are injected, and hands them to a libslirp instance of their own: a NAT
 * backend (nat.c) whose virtual subnet is a private one nobody uses
 * (BH_NET_A, or BH_NET_B when the LAN itself is there).  H is outside that
 * subnet, so libslirp treats it as any remote address: a guest connection
 * to H:port becomes a host socket connected to H:port, which the kernel
 * delivers locally: to the host's own services bound to H or to any
 * address, just as a LAN peer would reach them.  No privilege is needed
 * and nothing reaches the wire.
 *
 * What comes back from libslirp carries its gateway MAC as source: it is
 * rewritten to the host's MAC, so that the guest sees one host H at one
 * MAC, whichever path a frame took.  The guest's ARP requests for H are
 * answered here with the host's MAC (the host never sees them: they are
 * injected).  libslirp learns the guest's MAC only from ARP, so the
 * guest's address and MAC are told to it as a gratuitous ARP whenever
 * they change, and again when libslirp asks for the guest (its ARP
 * request is never shown to the guest: it names libslirp's own address).
 *
 * Only TCP, UDP and ICMP to H are taken; anything else to the host's MAC
 * is injected as before.
 *
 * The other direction: the host's stack connects to the guest's LAN
 * address G.  Its frames leave on the captured interface and the capture
 * shows them to the guest (on their way out), but nothing the guest sends
 * back climbs the host's stack: neither its ARP reply nor its answers.  So
 * (Linux, bridge_stack.c) the host gets a permanent neighbour entry for G
 * at the guest's MAC on the captured interface, as soon as the guest's ARP
 * names G (and moved with a switch, removed with the path, not made while
 * the guest's frames carry the host's MAC); and the guest's packets to H
 * that answer the host's stack (bridge_hflow.c tells them from libslirp's
 * flows by what the capture saw H send) are handed to that stack unchanged
 * on a raw socket, source address G kept, as if they had come in on the
 * wire.  Without CAP_NET_RAW (the raw socket) or CAP_NET_ADMIN (the
 * neighbour entry), which a capture holds anyway, that direction stays
 * unreached and the log says why.
 */

#define BH_NET_A 0xc6120000u /* 198.18.0.0/24 (RFC 2544 benchmarking range) */
#define BH_NET_B 0xc6130000u /* 198.19.0.0/24, when the LAN is 198.18.0.0/24 */
#define BH_PREFIX 24u
#define BH_MASK 0xffffff00u
#define BH_BUF (ETH_HLEN + 4 + IPV4_MAX_LEN)

struct bridge_host {
	struct backend *nat;
	struct backend_host host; /* the bridge's: where the host's answers go */
	unsigned mtu;
	uint32_t net;             /* the private subnet in use, host order */
	bool lan_known;
	uint32_t host_ip;         /* network order */
	uint8_t host_mac[ETH_ALEN];
	uint32_t guest_ip;        /* told to libslirp (network order), 0 = not yet */
	uint8_t guest_mac[ETH_ALEN];
	bool reseed;              /* libslirp asked for the guest: tell it again */
	uint32_t lan_net, lan_mask; /* the captured LAN (network order) */
	unsigned ifindex;         /* the captured interface, 0 = none */
	bool translated;          /* the guest's frames carry the host's MAC: no neighbour entry */
	int raw_fd;               /* bridge_stack_open(), -1 = the host's connections stay unreached */
	struct bridge_hflow flows; /* the host's stack's flows to the guest */
	uint32_t lan_ip;          /* the guest's LAN address, from its ARP (network order), 0 = not yet */
	uint8_t lan_mac[ETH_ALEN];
	struct { unsigned ifindex; uint32_t ip; } neigh; /* the entry installed, ifindex 0 = none */
	struct bridge_host_counts n;
	uint8_t *buf;
	uint8_t *seen_buf;        /* bridge_host_seen()'s copy with the checksum completed */
};

/* ---- from libslirp to the guest ---- */

/* a frame of libslirp's: IPv4 leaves from the host's MAC; its ARP for the guest is answered by a reseed */
static void bh_from_slirp(void *opaque, const uint8_t *frame, size_t len)
{
	struct bridge_host *h = opaque;
	uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);

	if (type == ETHERTYPE_ARP) {
		h->reseed = true;
		return;
	}
	if (type != ETHERTYPE_IPV4 || len > BH_BUF) {
		h->host.drop(h->host.opaque, INDYNET_DROP_BACKEND);
		return;
	}
	memcpy(h->buf, frame, len);
	memcpy(h->buf + ETH_ALEN, h->host_mac, ETH_ALEN);
	h->n.from_host++;
	h->host.to_guest(h->host.opaque, h->buf, len);
}

static void bh_drop(void *opaque, enum indynet_drop_reason reason)
{
	struct bridge_host *h = opaque;

	h->host.drop(h->host.opaque, reason);
}

static unsigned bh_rx_room(void *opaque)
{
	struct bridge_host *h = opaque;

	return h->host.rx_room(h->host.opaque);
}

/* ---- the host's neighbour entry for the guest ---- */

static void bh_neigh_drop(struct bridge_host *h)
{
	if (!h->neigh.ifindex)
		return;
	bridge_stack_neigh(h->neigh.ifindex, h->neigh.ip, NULL);
	h->neigh.ifindex = 0;
}

static bool bh_on_lan(const struct bridge_host *h, uint32_t ip)
{
	return ip && ip != h->host_ip && (ip & h->lan_mask) == h->lan_net;
}

/* the entry the host should have: the guest's LAN address at its MAC, on the captured interface */
static void bh_neigh_sync(struct bridge_host *h)
{
	bool want = h->lan_known && h->ifindex && !h->translated && h->raw_fd >= 0 && bh_on_lan(h, h->lan_ip);
	int rc;

	if (want && h->neigh.ifindex == h->ifindex && h->neigh.ip == h->lan_ip)
		return;
	bh_neigh_drop(h);
	if (!want)
		return;
	rc = bridge_stack_neigh(h->ifindex, h->lan_ip, h->lan_mac);
	if (rc < 0) {
		ilog(INDYNET_LOG_WARN, "bridge: host reach: no neighbour entry for the guest: %s", strerror(-rc));
		return;
	}
	h->neigh.ifindex = h->ifindex;
	h->neigh.ip = h->lan_ip;
	h->n.neigh++;
	ilog(INDYNET_LOG_INFO, "bridge: host reach: the host reaches the guest %s at its MAC (neighbour entry)",
	     inet_ntoa((struct in_addr){ .s_addr = h->lan_ip }));
}

/* the guest's ARP names its LAN address */
static void bh_guest_arp(struct bridge_host *h, const struct arp_view *a)
{
	if (!bh_on_lan(h, a->spa) || (a->spa == h->lan_ip && memcmp(a->sha, h->lan_mac, ETH_ALEN) == 0))
		return;
	h->lan_ip = a->spa;
	memcpy(h->lan_mac, a->sha, ETH_ALEN);
	bh_neigh_drop(h); /* the MAC or the address changed: replaced */
	bh_neigh_sync(h);
}

/* ---- lifetime ---- */

static struct backend *bh_nat_new(struct bridge_host *h, unsigned mtu, char *err, size_t errlen)
{
	struct backend_params p = {
		.mode = INDYNET_MODE_NAT, .mtu = mtu, .net = htonl(h->net), .prefix = BH_PREFIX,
	};
	struct backend_host cb = { .to_guest = bh_from_slirp, .drop = bh_drop, .rx_room = bh_rx_room, .opaque = h };

	return nat_new(&p, &cb, err, errlen);
}

struct bridge_host *bridge_host_new(unsigned mtu, const struct backend_host *host, char *err, size_t errlen)
{
	struct bridge_host *h = calloc(1, sizeof(*h));

	if (!h || !(h->buf = malloc(BH_BUF)) || !(h->seen_buf = malloc(BH_BUF))) {
		if (h)
			free(h->buf);
		free(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->host = *host;
	h->mtu = mtu;
	h->net = BH_NET_A;
	h->raw_fd = bridge_stack_open();
	if (h->raw_fd < 0)
		ilog(INDYNET_LOG_WARN, "bridge: host reach: the host's own connections to the guest stay unreached: %s",
		     strerror(-h->raw_fd));
	h->nat = bh_nat_new(h, mtu, err, errlen);
	if (!h->nat) {
		bridge_host_free(h);
		return NULL;
	}
	return h;
}

void bridge_host_free(struct bridge_host *h)
{
	if (!h)
		return;
	if (h->nat)
		h->nat->ops->free(h->nat);
	bh_neigh_drop(h);
	if (h->raw_fd >= 0)
		close(h->raw_fd);
	free(h->buf);
	free(h->seen_buf);
	free(h);
}

/*
 * the private subnet must not hold H, or libslirp would take H for one of its
 * own aliases: a new instance in the other one.  Not backend_set_subnet():
 * that holds guests still in the old subnet (nat_stale.c), which here is the
 * guest's own LAN, so that nothing of the guest's would reach H.
 */
static void bh_keep_clear(struct bridge_host *h)
{
	char err[128];
	uint32_t was = h->net;
	struct backend *nat;

	if ((ntohl(h->host_ip) & BH_MASK) != h->net)
		return;
	h->net = was == BH_NET_A ? BH_NET_B : BH_NET_A;
	nat = bh_nat_new(h, h->mtu, err, sizeof(err));
	if (!nat) {
		h->net = was;
		ilog(INDYNET_LOG_WARN, "bridge: host reach: %s", err);
		return;
	}
	h->nat->ops->free(h->nat);
	h->nat = nat;
	h->guest_ip = 0; /* a new libslirp instance: tell it the guest again */
}

static uint32_t bh_mask(unsigned prefix)
{
	return prefix ? htonl(0xffffffffu << (32u - (prefix > 32u ? 32u : prefix))) : 0;
}

void bridge_host_lan(struct bridge_host *h, const struct backend_lan *lan, bool translated)
{
	bool same = lan && h->lan_known && lan->host_ip == h->host_ip && translated == h->translated &&
		    memcmp(lan->host_mac, h->host_mac, ETH_ALEN) == 0 && if_nametoindex(lan->ifname) == h->ifindex;

	if (same || (!lan && !h->lan_known))
		return;
	h->lan_known = lan != NULL;
	h->translated = translated;
	if (!lan) {
		bh_neigh_sync(h);
		ilog(INDYNET_LOG_INFO, "bridge: host reach: no host address (capture closed)");
		return;
	}
	h->host_ip = lan->host_ip;
	memcpy(h->host_mac, lan->host_mac, ETH_ALEN);
	h->ifindex = if_nametoindex(lan->ifname);
	h->lan_mask = bh_mask(lan->prefix);
	h->lan_net = lan->host_ip & h->lan_mask;
	bh_keep_clear(h);
	bh_neigh_sync(h);
	ilog(INDYNET_LOG_INFO, "bridge: host reach: the host is %s at %02x:%02x:%02x:%02x:%02x:%02x on %s",
	     inet_ntoa((struct in_addr){ .s_addr = h->host_ip }), h->host_mac[0], h->host_mac[1], h->host_mac[2],
	     h->host_mac[3], h->host_mac[4], h->host_mac[5], lan->ifname);
}

/* ---- from the guest ---- */

/* tell libslirp the guest's address and MAC (a gratuitous ARP: the only way it learns them) */
static void bh_seed(struct bridge_host *h)
{
	uint8_t f[ETH_ZLEN];
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t none[ETH_ALEN];
	size_t n = arp_build(f, sizeof(f), bcast, ARP_OP_REQUEST, h->guest_mac, h->guest_ip, none, h->guest_ip);

	h->reseed = false;
	h->nat->ops->input(h->nat, f, n);
}

static void bh_learn(struct bridge_host *h, const uint8_t mac[ETH_ALEN], uint32_t ip)
{
	if (ip == h->guest_ip && memcmp(mac, h->guest_mac, ETH_ALEN) == 0 && !h->reseed)
		return;
	h->guest_ip = ip;
	memcpy(h->guest_mac, mac, ETH_ALEN);
	bh_seed(h);
}

/* the guest's ARP: its address learned; a request for H answered with the host's MAC */
static bool bh_arp(struct bridge_host *h, const struct eth_view *e)
{
	struct arp_view a;
	uint8_t f[ETH_ZLEN];
	size_t n;

	if (arp_parse(e->payload, e->payload_len, &a) < 0)
		return false;
	bh_guest_arp(h, &a);
	if (a.op != ARP_OP_REQUEST || a.tpa != h->host_ip)
		return false;
	n = arp_build_reply(f, sizeof(f), h->host_mac, h->host_ip, &a);
	if (!n)
		return false;
	h->n.arp++;
	h->host.to_guest(h->host.opaque, f, n);
	return true;
}

/* the guest's answer on a flow of the host's stack: handed to that stack as it is */
static void bh_direct(struct bridge_host *h, const struct eth_view *e)
{
	size_t tot = (size_t)(e->payload[2] << 8 | e->payload[3]);
	int rc = bridge_stack_send(h->raw_fd, e->payload, tot < e->payload_len ? tot : e->payload_len);

	if (rc < 0) {
		h->host.drop(h->host.opaque, INDYNET_DROP_BACKEND);
		return;
	}
	h->n.direct++;
}

/* TCP, UDP or ICMP to H at the host's MAC: to the host's stack if it answers it, else to libslirp */
static bool bh_ipv4(struct bridge_host *h, const uint8_t *frame, size_t len, const struct eth_view *e)
{
	const uint8_t *ip = e->payload;
	uint32_t src, dst;
	uint8_t proto;

	if (e->payload_len < IPV4_HLEN || memcmp(e->dst, h->host_mac, ETH_ALEN) != 0)
		return false;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	proto = ip[9];
	if (dst != h->host_ip || (proto != 6 && proto != 17 && proto != 1) || src == 0)
		return false;
	if (h->raw_fd >= 0 && bridge_hflow_guest(&h->flows, ip, e->payload_len, clock_mono_ms())) {
		bh_direct(h, e);
		return true;
	}
	bh_learn(h, e->src, src);
	h->n.to_host++;
	h->nat->ops->input(h->nat, frame, len);
	return true;
}

bool bridge_host_input(struct bridge_host *h, const uint8_t *frame, size_t len)
{
	struct eth_view e;

	if (!h->lan_known || eth_parse(frame, len, &e) < 0)
		return false;
	if (e.ethertype == ETHERTYPE_ARP)
		return bh_arp(h, &e);
	if (e.ethertype == ETHERTYPE_IPV4)
		return bh_ipv4(h, frame, len, &e);
	return false;
}

/*
 * the host's TCP or UDP in a copy with its checksum completed: a frame the
 * capture sees leaving carries a partial one where the interface offloads
 * it; @frame itself when it is not whole (fragment, cut, too long)
 */
static const uint8_t *bh_seen_csum(struct bridge_host *h, const uint8_t *frame, size_t len, size_t hl)
{
	const uint8_t *ip = frame + ETH_HLEN;
	size_t tot = (size_t)(ip[2] << 8 | ip[3]), off = ip[9] == 6 ? 16u : 6u;
	uint32_t src, dst;
	uint8_t *l4;
	uint16_t sum;

	if ((ip[9] != 6 && ip[9] != 17) || (ip[6] & 0x3f) || ip[7] || tot < hl + off + 2 || tot > len - ETH_HLEN)
		return frame;
	memcpy(h->seen_buf, frame, ETH_HLEN + tot);
	l4 = h->seen_buf + ETH_HLEN + hl;
	memset(l4 + off, 0, 2);
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	sum = l4_csum_ipv4(src, dst, ip[9], l4, tot - hl);
	memcpy(l4 + off, &(uint16_t){ sum || ip[9] == 6 ? sum : 0xffff }, 2);
	return h->seen_buf;
}

const uint8_t *bridge_host_seen(struct bridge_host *h, const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + ETH_HLEN;
	size_t hl;

	if (!h->lan_known || h->raw_fd < 0 || len < ETH_HLEN + IPV4_HLEN || len > BH_BUF ||
	    memcmp(frame + ETH_ALEN, h->host_mac, ETH_ALEN) || eth_is_multicast(frame) ||
	    frame[12] != (ETHERTYPE_IPV4 >> 8) || frame[13] != (ETHERTYPE_IPV4 & 0xff))
		return frame;
	hl = (size_t)(ip[0] & 0x0f) * 4u;
	if ((ip[0] >> 4) != 4 || hl < IPV4_HLEN || hl > len - ETH_HLEN || memcmp(ip + 12, &h->host_ip, 4) != 0)
		return frame;
	bridge_hflow_host(&h->flows, ip, len - ETH_HLEN, clock_mono_ms());
	return bh_seen_csum(h, frame, len, hl);
}

/* ---- polling ---- */

void bridge_host_poll_fill(struct bridge_host *h, struct poll_set *ps, int *timeout_ms)
{
	if (h->reseed && h->guest_ip)
		bh_seed(h);
	h->nat->ops->poll_fill(h->nat, ps, timeout_ms);
}

void bridge_host_poll_done(struct bridge_host *h, const struct poll_set *ps, bool poll_error)
{
	h->nat->ops->poll_done(h->nat, ps, poll_error);
}

struct bridge_host_counts bridge_host_counts(const struct bridge_host *h)
{
	return h->n;
}
