/* SPDX-License-Identifier: MIT */
/* bridge_mac.c: MAC translation for bridging over Wi-Fi: the guest's frames leave with the host's MAC. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "backend/bridge_mac.h"
#include "core/arp.h"
#include "core/checksum.h"
#include "core/ipv4.h"
#include "core/log.h"

/*
 * Theory of operation
 *
 * A Wi-Fi client may only send frames with its own MAC: the access point
 * drops frames from a MAC that did not associate.  In host mode the guest
 * (and the phantom NFS host, the engine's other station on the LAN) hide
 * behind the host interface's MAC, as VirtualBox's bridged adapter does on
 * Wi-Fi: the LAN sees one MAC with several IPv4 addresses.
 *
 * Out (bridge_mac_tx): every frame's Ethernet source becomes the host's
 * MAC.  ARP: the sender hardware address too, so the LAN's caches map the
 * guest's address to the host's MAC; a probe (sender address 0) is
 * remembered by target, so that its answer, which comes to the host's MAC
 * with target address 0, can be routed back to the station that probed
 * (not one sent with the host's own MAC: its answer stays the host's).
 * DHCP client messages get the broadcast flag (RFC 2131 4.1): the server
 * then broadcasts its OFFER and ACK rather than sending them to the
 * guest's MAC, which is never on the wire; chaddr stays the guest's, so the
 * lease is the guest's own.  The guest's address is learned from the
 * sender of its ARP and the source of its IPv4 packets, never the host's
 * own: a frame claiming the host's address is refused (counted, logged).
 *
 * In (bridge_mac_rx): frames not for the host's MAC pass as they are
 * (broadcast, multicast, the phantom's).  At the host's MAC the frame is
 * the guest's when it is IPv4 to the guest's address, ARP whose target is
 * the guest's address, or a DHCP server reply of the guest's last
 * transaction; its destination (and ARP target hardware address) become
 * the guest's MAC.  Everything else at the host's MAC is the host's own
 * traffic: unmatched, the host keeps it (the capture only copies it).
 *
 * Not translated: IPv6 (neighbour discovery carries link-layer addresses
 * in checksummed options; the guest's IPv6 frames are dropped as
 * unmatched), and frames inside 802.1Q tags (only their source moves).
 */

#define ETHERTYPE_IPV6 0x86dd
#define ARP_SHA_OFF 8
#define ARP_THA_OFF 18
#define UDP_HLEN 8
#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FIXED_LEN 236 /* op .. file, the options follow */
#define DHCP_OP_REQUEST 1
#define DHCP_OP_REPLY 2
#define DHCP_XID_OFF 4
#define DHCP_FLAGS_OFF 10
#define DHCP_FLAG_BROADCAST 0x80 /* the first byte's top bit */

static uint16_t mac_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static enum bridge_mac_verdict mac_count(struct bridge_mac *m, enum bridge_mac_verdict v)
{
	m->translated += v == BRIDGE_MAC_REWRITTEN;
	m->unmatched += v == BRIDGE_MAC_UNMATCHED;
	m->refused += v == BRIDGE_MAC_REFUSED;
	return v;
}

void bridge_mac_init(struct bridge_mac *m)
{
	memset(m, 0, sizeof(*m));
}

void bridge_mac_set_host(struct bridge_mac *m, const uint8_t mac[ETH_ALEN], uint32_t ip)
{
	memcpy(m->host_mac, mac, ETH_ALEN);
	m->host_ip = ip;
	if (ip && m->guest_ip == ip)
		m->guest_ip = 0;
}

void bridge_mac_set_guest(struct bridge_mac *m, const uint8_t mac[ETH_ALEN])
{
	memcpy(m->guest_mac, mac, ETH_ALEN);
	m->guest_known = true;
}

/* an address a station may be learned at: not 0, not broadcast or multicast, not the host's */
static bool mac_learnable(const struct bridge_mac *m, uint32_t ip)
{
	uint8_t first = (uint8_t)(ntohl(ip) >> 24);

	return ip && ip != INADDR_BROADCAST && first < 224 && ip != m->host_ip;
}

static enum bridge_mac_verdict mac_refuse(struct bridge_mac *m, uint32_t ip)
{
	char text[INET_ADDRSTRLEN];

	m->refused++;
	if ((m->refused & (m->refused - 1)) == 0) { /* the 1st, 2nd, 4th ... */
		inet_ntop(AF_INET, &ip, text, sizeof(text));
		ilog(INDYNET_LOG_WARN, "bridge: the guest claimed the host's own address %s: refused (%llu so far)",
		     text, (unsigned long long)m->refused);
	}
	return BRIDGE_MAC_REFUSED;
}

static void mac_probe_note(struct bridge_mac *m, uint32_t target, const uint8_t *mac)
{
	for (unsigned i = 0; i < BRIDGE_MAC_PROBES; i++) {
		if (m->probe[i].target == target) {
			memcpy(m->probe[i].mac, mac, ETH_ALEN);
			return;
		}
	}
	m->probe[m->probe_next].target = target;
	memcpy(m->probe[m->probe_next].mac, mac, ETH_ALEN);
	m->probe_next = (m->probe_next + 1) % BRIDGE_MAC_PROBES;
}

static const uint8_t *mac_probe_find(const struct bridge_mac *m, uint32_t target)
{
	for (unsigned i = 0; target && i < BRIDGE_MAC_PROBES; i++)
		if (m->probe[i].target == target)
			return m->probe[i].mac;
	return NULL;
}

/* ---- out: an inner station's frame for the wire (already copied to @out, source moved) ---- */

static enum bridge_mac_verdict mac_tx_arp(struct bridge_mac *m, uint8_t *out, size_t len, bool guest)
{
	struct arp_view a;
	uint8_t *body = out + ETH_HLEN;

	if (arp_parse(body, len - ETH_HLEN, &a) != 0)
		return BRIDGE_MAC_REWRITTEN; /* not Ethernet/IPv4 ARP: only the source moves */
	if (guest && m->host_ip && a.spa == m->host_ip)
		return mac_refuse(m, a.spa);
	if (memcmp(a.sha, out + ETH_ALEN, ETH_ALEN) == 0 || (guest && m->guest_known &&
							    memcmp(a.sha, m->guest_mac, ETH_ALEN) == 0))
		memcpy(body + ARP_SHA_OFF, m->host_mac, ETH_ALEN);
	return BRIDGE_MAC_REWRITTEN;
}

/* RFC 1624: the checksum after one 16-bit word changed from @old to @new (all as stored) */
static uint16_t mac_csum_adjust(uint16_t hc, uint16_t old, uint16_t new)
{
	uint16_t w[3] = { (uint16_t)~hc, (uint16_t)~old, new };
	uint16_t r = csum_fold(csum_add(0, w, sizeof(w)));

	return r ? r : 0xffff;
}

/* the DHCP client message (BOOTREQUEST, port 68 to 67) in the datagram @udp, or NULL */
static uint8_t *mac_dhcp_request(uint8_t *udp, size_t len)
{
	bool dhcp = len >= UDP_HLEN + DHCP_FIXED_LEN && mac_rd16(udp) == DHCP_CLIENT_PORT &&
		    mac_rd16(udp + 2) == DHCP_SERVER_PORT && udp[UDP_HLEN] == DHCP_OP_REQUEST;

	return dhcp ? udp + UDP_HLEN : NULL;
}

/* set the broadcast flag of the message @d carried by @udp; its checksum follows (0, none, stays) */
static void mac_dhcp_broadcast(uint8_t *udp, uint8_t *d)
{
	uint16_t old, new, sum;

	memcpy(&old, d + DHCP_FLAGS_OFF, 2);
	d[DHCP_FLAGS_OFF] |= DHCP_FLAG_BROADCAST;
	memcpy(&new, d + DHCP_FLAGS_OFF, 2);
	memcpy(&sum, udp + 6, 2);
	if (sum)
		sum = mac_csum_adjust(sum, old, new);
	memcpy(udp + 6, &sum, 2);
}

/* a DHCP client message: remember its transaction, set the broadcast flag */
static void mac_tx_dhcp(struct bridge_mac *m, uint8_t *udp, size_t len)
{
	uint8_t *d = mac_dhcp_request(udp, len);

	if (!d)
		return;
	memcpy(&m->dhcp_xid, d + DHCP_XID_OFF, 4);
	m->dhcp_known = true;
	if (!(d[DHCP_FLAGS_OFF] & DHCP_FLAG_BROADCAST))
		mac_dhcp_broadcast(udp, d);
}

static enum bridge_mac_verdict mac_tx_ipv4(struct bridge_mac *m, uint8_t *out, size_t len, bool guest)
{
	struct ipv4_view ip;
	uint8_t *pkt = out + ETH_HLEN;

	if (ipv4_parse(pkt, len - ETH_HLEN, &ip) != 0)
		return BRIDGE_MAC_REWRITTEN;
	if (guest && m->host_ip && ip.src == m->host_ip)
		return mac_refuse(m, ip.src);
	if (guest && mac_learnable(m, ip.src))
		m->guest_ip = ip.src;
	if (guest && ip.proto == IPPROTO_UDP && !ipv4_is_fragment(&ip))
		mac_tx_dhcp(m, pkt + ip.hlen, ip.payload_len);
	return BRIDGE_MAC_REWRITTEN;
}

/* what an ARP frame teaches before it is rewritten: the guest's address, a probe's prober */
static void mac_tx_arp_learn(struct bridge_mac *m, const uint8_t *f, size_t len, bool guest)
{
	struct arp_view a;

	if (arp_parse(f + ETH_HLEN, len - ETH_HLEN, &a) != 0)
		return;
	if (a.spa == 0 && a.op == ARP_OP_REQUEST && memcmp(f + ETH_ALEN, m->host_mac, ETH_ALEN) != 0)
		mac_probe_note(m, a.tpa, f + ETH_ALEN); /* an inner station's; one posing as the host gets none */
	else if (guest && mac_learnable(m, a.spa))
		m->guest_ip = a.spa;
}

enum bridge_mac_verdict bridge_mac_tx(struct bridge_mac *m, const uint8_t *f, size_t len, uint8_t *out,
				      bool guest)
{
	uint16_t type = mac_rd16(f + 2 * ETH_ALEN);
	enum bridge_mac_verdict v = BRIDGE_MAC_REWRITTEN;

	if (type == ETHERTYPE_IPV6)
		return mac_count(m, BRIDGE_MAC_UNMATCHED);
	memcpy(out, f, len);
	if (type == ETHERTYPE_ARP)
		v = mac_tx_arp(m, out, len, guest);
	else if (type == ETHERTYPE_IPV4)
		v = mac_tx_ipv4(m, out, len, guest);
	if (v == BRIDGE_MAC_REWRITTEN && type == ETHERTYPE_ARP)
		mac_tx_arp_learn(m, f, len, guest);
	memcpy(out + ETH_ALEN, m->host_mac, ETH_ALEN);
	return v == BRIDGE_MAC_REFUSED ? v : mac_count(m, v);
}

/* ---- in: a LAN frame at the host's MAC ---- */

static const uint8_t *mac_guest(const struct bridge_mac *m, uint32_t ip)
{
	return m->guest_known && m->guest_ip && ip == m->guest_ip ? m->guest_mac : NULL;
}

static const uint8_t *mac_rx_arp(const struct bridge_mac *m, const uint8_t *body, size_t len)
{
	struct arp_view a;

	if (arp_parse(body, len, &a) != 0)
		return NULL;
	if (a.op == ARP_OP_REPLY && a.tpa == 0)
		return mac_probe_find(m, a.spa);
	return mac_guest(m, a.tpa);
}

/* a DHCP server reply of the guest's last transaction */
static bool mac_rx_dhcp(const struct bridge_mac *m, const struct ipv4_view *ip)
{
	const uint8_t *udp = ip->payload, *d = udp + UDP_HLEN;

	return m->dhcp_known && ip->proto == IPPROTO_UDP && !ipv4_is_fragment(ip) &&
	       ip->payload_len >= UDP_HLEN + DHCP_FIXED_LEN && mac_rd16(udp) == DHCP_SERVER_PORT &&
	       mac_rd16(udp + 2) == DHCP_CLIENT_PORT && d[0] == DHCP_OP_REPLY &&
	       memcmp(d + DHCP_XID_OFF, &m->dhcp_xid, 4) == 0;
}

static const uint8_t *mac_rx_ipv4(const struct bridge_mac *m, const uint8_t *pkt, size_t len)
{
	struct ipv4_view ip;

	if (ipv4_parse(pkt, len, &ip) != 0 || (m->host_ip && ip.dst == m->host_ip))
		return NULL;
	if (mac_rx_dhcp(m, &ip))
		return m->guest_known ? m->guest_mac : NULL;
	return mac_guest(m, ip.dst);
}

enum bridge_mac_verdict bridge_mac_rx(struct bridge_mac *m, const uint8_t *f, size_t len, uint8_t *out)
{
	uint16_t type = mac_rd16(f + 2 * ETH_ALEN);
	const uint8_t *inner = NULL;

	if (memcmp(f, m->host_mac, ETH_ALEN) != 0)
		return BRIDGE_MAC_PASS;
	if (type == ETHERTYPE_ARP)
		inner = mac_rx_arp(m, f + ETH_HLEN, len - ETH_HLEN);
	else if (type == ETHERTYPE_IPV4)
		inner = mac_rx_ipv4(m, f + ETH_HLEN, len - ETH_HLEN);
	if (!inner)
		return mac_count(m, BRIDGE_MAC_UNMATCHED);
	memcpy(out, f, len);
	memcpy(out, inner, ETH_ALEN);
	if (type == ETHERTYPE_ARP && memcmp(out + ETH_HLEN + ARP_THA_OFF, m->host_mac, ETH_ALEN) == 0)
		memcpy(out + ETH_HLEN + ARP_THA_OFF, inner, ETH_ALEN);
	return mac_count(m, BRIDGE_MAC_REWRITTEN);
}
