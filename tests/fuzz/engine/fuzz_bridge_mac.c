/* SPDX-License-Identifier: MIT */
/* fuzz_bridge_mac.c: libFuzzer target: MAC translation (bridge_mac.c) of guest and LAN frames, both ways. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bridge_mac.h"
#include "core/ipv4.h"
#include "core/udp.h"

/*
 * Input: records of [flags][length, 2 bytes big-endian][frame]; flags bit 0:
 * the frame comes from the LAN (else from an inner station), bit 1: it is
 * the guest's (else the engine's own).  One translator lives through the
 * whole input, so what a record teaches (the guest's address, a DHCP
 * transaction, a probe) meets the records after it.
 *
 * Checked: a rewritten frame keeps its length and its ethertype; one going
 * out carries the host's MAC as source, one coming in carries an inner
 * station's MAC as destination; an IPv4/UDP packet with a good checksum
 * still has one after the rewrite.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t host_mac[6] = { 0x02, 0xaa, 0xaa, 0xaa, 0xaa, 0x01 };
static const uint8_t guest_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static uint8_t out[65536 + 18];

/* true when @f carries IPv4/UDP with a checksum that verifies */
static bool udp_good(const uint8_t *f, size_t len)
{
	struct ipv4_view ip;
	struct udp_view u;

	return len > ETH_HLEN && f[12] == 0x08 && f[13] == 0x00 && ipv4_parse(f + ETH_HLEN, len - ETH_HLEN, &ip) == 0 &&
	       ip.proto == 17 && !ipv4_is_fragment(&ip) && udp_parse(&ip, true, &u) == 0;
}

static void one(struct bridge_mac *m, uint8_t flags, const uint8_t *f, size_t len)
{
	bool lan = flags & 1, good = udp_good(f, len);
	enum bridge_mac_verdict v = lan ? bridge_mac_rx(m, f, len, out) : bridge_mac_tx(m, f, len, out, flags & 2);

	if (v != BRIDGE_MAC_REWRITTEN)
		return;
	if (memcmp(out + 12, f + 12, 2) != 0 || (!lan && memcmp(out + 6, host_mac, 6) != 0) ||
	    (lan && memcmp(out, host_mac, 6) == 0) || (good && !udp_good(out, len)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bridge_mac m;

	bridge_mac_init(&m);
	bridge_mac_set_host(&m, host_mac, 0x0201090a); /* 10.9.1.2 */
	bridge_mac_set_guest(&m, guest_mac);
	while (size >= 3) {
		size_t len = (size_t)data[1] << 8 | data[2];

		if (len > size - 3)
			len = size - 3;
		if (len >= ETH_HLEN)
			one(&m, data[0], data + 3, len);
		data += 3 + len;
		size -= 3 + len;
	}
	return 0;
}
