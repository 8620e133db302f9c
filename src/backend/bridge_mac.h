/* SPDX-License-Identifier: MIT */
/* bridge_mac.h: MAC translation for bridging over Wi-Fi: the guest's frames leave with the host's MAC. */
#ifndef INDYNET_BACKEND_BRIDGE_MAC_H
#define INDYNET_BACKEND_BRIDGE_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eth.h"

/* Outstanding ARP probes (RFC 5227, sender address 0) whose answers are routed back by target. */
#define BRIDGE_MAC_PROBES 4

/** What bridge_mac_tx() and bridge_mac_rx() decided. */
enum bridge_mac_verdict {
	BRIDGE_MAC_PASS = 0,   /* send / deliver the frame as it is */
	BRIDGE_MAC_REWRITTEN,  /* send / deliver the rewritten copy in the scratch buffer */
	BRIDGE_MAC_UNMATCHED,  /* no inner station to map it to (or IPv6 from the guest): dropped */
	BRIDGE_MAC_REFUSED,    /* the guest claimed the host's own IPv4 address: dropped */
};

/** One translator: the host's identity on the wire and the stations behind it. */
struct bridge_mac {
	uint8_t host_mac[ETH_ALEN];
	uint32_t host_ip;            /* network order, 0 = none */
	uint8_t guest_mac[ETH_ALEN];
	bool guest_known;
	uint32_t guest_ip;           /* learned from the guest's ARP and IPv4 sources, 0 = not yet */
	uint32_t dhcp_xid;           /* the guest's last DHCP transaction (as on the wire) */
	bool dhcp_known;
	struct {
		uint32_t target;     /* probed address, 0 = free slot */
		uint8_t mac[ETH_ALEN]; /* the inner station that probed */
	} probe[BRIDGE_MAC_PROBES];
	unsigned probe_next;
	uint64_t translated, unmatched, refused;
};

/**
 * bridge_mac_init() - an empty translator (no host identity yet: set it before use).
 * @m: translator
 */
void bridge_mac_init(struct bridge_mac *m);

/**
 * bridge_mac_set_host() - the capture interface's own MAC and IPv4 address.
 * @m: translator
 * @mac: its MAC
 * @ip: its address, network order; 0 when it has none
 */
void bridge_mac_set_host(struct bridge_mac *m, const uint8_t mac[ETH_ALEN], uint32_t ip);

/**
 * bridge_mac_set_guest() - the guest's MAC (what frames for it are re-addressed to).
 * @m: translator
 * @mac: its MAC
 */
void bridge_mac_set_guest(struct bridge_mac *m, const uint8_t mac[ETH_ALEN]);

/**
 * bridge_mac_tx() - rewrite an inner station's frame for the wire.
 * @m: translator
 * @f: the frame (the guest's, or the phantom NFS host's)
 * @len: its length (at least ETH_HLEN)
 * @out: scratch buffer of at least @len bytes: receives the rewritten frame
 * @guest: true for the guest's frames (its address is learned, a claim of
 *         the host's address refused); false for the engine's own
 *
 * The Ethernet source becomes the host's MAC; an ARP sender hardware
 * address that is the frame's source becomes it too; a DHCP client
 * message gets the broadcast flag (UDP checksum adjusted), its chaddr kept.
 * IPv6 is not translated (its neighbour discovery carries link-layer
 * addresses inside checksummed options): it is unmatched.
 *
 * Return: BRIDGE_MAC_REWRITTEN (send @out), BRIDGE_MAC_UNMATCHED or
 * BRIDGE_MAC_REFUSED (drop); each counted.
 */
enum bridge_mac_verdict bridge_mac_tx(struct bridge_mac *m, const uint8_t *f, size_t len, uint8_t *out,
				      bool guest);

/**
 * bridge_mac_rx() - map a LAN frame the capture took to the inner station it is for.
 * @m: translator
 * @f: the frame
 * @len: its length (at least ETH_HLEN)
 * @out: scratch buffer of at least @len bytes: receives the rewritten frame
 *
 * Broadcast, multicast and frames for another MAC pass as they are.
 * Unicast frames for the host's MAC are the guest's when they are ARP for
 * its address, IPv4 to its address, or a DHCP server reply of its
 * transaction; an ARP answer to a probe (target address 0) goes to the
 * station that probed.  Those are re-addressed (Ethernet destination, ARP
 * target hardware address); everything else at the host's MAC is the
 * host's own traffic, never the guest's, whatever the guest claims.
 *
 * Return: BRIDGE_MAC_PASS, BRIDGE_MAC_REWRITTEN (deliver @out) or
 * BRIDGE_MAC_UNMATCHED (not for an inner station: counted).
 */
enum bridge_mac_verdict bridge_mac_rx(struct bridge_mac *m, const uint8_t *f, size_t len, uint8_t *out);

#endif /* INDYNET_BACKEND_BRIDGE_MAC_H */
