/* SPDX-License-Identifier: MIT */
/* bridge_host.c: bridge mode's host reach: the guest's frames for the host's own address go to its stack through a private libslirp. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bridge_host.h"
#include "backend/nat.h"
#include "core/arp.h"
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
 * is injected as before.  Connections the host opens to the guest are not
 * helped: the guest's answers to them would reach libslirp, which knows no
 * such connection (the host's stack sees an injected frame no more than
 * before).
 */

#define BH_NET_A 0xc6120000u /* 198.18.0.0/24 (RFC 2544 benchmarking range) */
#define BH_NET_B 0xc6130000u /* 198.19.0.0/24, when the LAN is 198.18.0.0/24 */
#define BH_PREFIX 24u
#define BH_MASK 0xffffff00u
#define BH_BUF (ETH_HLEN + 4 + IPV4_MAX_LEN)

struct bridge_host {
	struct backend *nat;
	struct backend_host host; /* the bridge's: where the host's answers go */
	uint32_t net;             /* the private subnet in use, host order */
	bool lan_known;
	uint32_t host_ip;         /* network order */
	uint8_t host_mac[ETH_ALEN];
	uint32_t guest_ip;        /* told to libslirp (network order), 0 = not yet */
	uint8_t guest_mac[ETH_ALEN];
	bool reseed;              /* libslirp asked for the guest: tell it again */
	struct bridge_host_counts n;
	uint8_t *buf;
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

	if (!h || !(h->buf = malloc(BH_BUF))) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->host = *host;
	h->net = BH_NET_A;
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
	free(h->buf);
	free(h);
}

/* the private subnet must not hold H, or libslirp would take H for one of its own aliases */
static void bh_keep_clear(struct bridge_host *h)
{
	char err[128];
	uint32_t other = h->net == BH_NET_A ? BH_NET_B : BH_NET_A;

	if ((ntohl(h->host_ip) & BH_MASK) != h->net)
		return;
	if (backend_set_subnet(h->nat, htonl(other), BH_PREFIX, err, sizeof(err)) < 0) {
		ilog(INDYNET_LOG_WARN, "bridge: host reach: %s", err);
		return;
	}
	h->net = other;
	h->guest_ip = 0; /* a new libslirp instance: tell it the guest again */
}

void bridge_host_lan(struct bridge_host *h, const struct backend_lan *lan)
{
	bool same = lan && h->lan_known && lan->host_ip == h->host_ip &&
		    memcmp(lan->host_mac, h->host_mac, ETH_ALEN) == 0;

	if (same || (!lan && !h->lan_known))
		return;
	h->lan_known = lan != NULL;
	if (!lan) {
		ilog(INDYNET_LOG_INFO, "bridge: host reach: no host address (capture closed)");
		return;
	}
	h->host_ip = lan->host_ip;
	memcpy(h->host_mac, lan->host_mac, ETH_ALEN);
	bh_keep_clear(h);
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

/* an ARP request for H: answered with the host's MAC */
static bool bh_arp(struct bridge_host *h, const struct eth_view *e)
{
	struct arp_view a;
	uint8_t f[ETH_ZLEN];
	size_t n;

	if (arp_parse(e->payload, e->payload_len, &a) < 0 || a.op != ARP_OP_REQUEST || a.tpa != h->host_ip)
		return false;
	n = arp_build_reply(f, sizeof(f), h->host_mac, h->host_ip, &a);
	if (!n)
		return false;
	h->n.arp++;
	h->host.to_guest(h->host.opaque, f, n);
	return true;
}

/* TCP, UDP or ICMP to H at the host's MAC: to libslirp */
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
