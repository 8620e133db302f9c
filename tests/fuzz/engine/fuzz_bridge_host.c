/* SPDX-License-Identifier: MIT */
/* fuzz_bridge_host.c: libFuzzer target: arbitrary guest frames through bridge mode's host reach (bridge_host.c and its libslirp). */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../fuzz_netns.h"
#include "backend/bridge_host.h"
#include "core/arp.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"

/*
 * Input: one flags byte, then frames, each as a 2-byte big-endian length
 * and that many bytes (the last one may be cut short).  Flags bit 0 aims
 * every frame at the host: the destination MAC becomes the host's and, for
 * a frame long enough, the IPv4 destination the host's address, so that
 * mutations get past the first checks.  Bit 1 also shows every frame to
 * bridge_host_seen() first, unchecked, as the capture would (so a frame
 * from the host's MAC and address marks a flow of the host's stack and
 * the guest's answers on it take the raw path).
 *
 * Only what the engine would hand a backend gets through (eng_check and the
 * reassembler in engine.c/vhost.c): an ARP frame that parses, an IPv4 frame
 * whose header parses with its checksum and that is not a fragment, any other
 * type.  An aimed IPv4 header gets its checksum again.
 *
 * Each input gets a fresh path (host 10.77.0.2 at HOST_MAC); after each
 * frame one poll round runs.  Oracle: every frame sent towards the guest is
 * at least an Ethernet header long, and IPv4 ones leave from the host's MAC.
 * libslirp opens real sockets towards the host's address, so the process
 * first moves into a private network namespace (only its own loopback).
 */

#define FZ_MAX_FRAMES 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t host_mac[ETH_ALEN] = { 0x02, 0x48, 0x4f, 0x53, 0x54, 0x01 };
static const uint32_t host_ip = 0x02004d0au; /* 10.77.0.2, network order on little-endian */
static uint8_t frame[65536];

static void fz_to_guest(void *opaque, const uint8_t *f, size_t len)
{
	(void)opaque;
	if (len < ETH_HLEN)
		abort();
	if (f[12] == 0x08 && f[13] == 0x00 && memcmp(f + ETH_ALEN, host_mac, ETH_ALEN) != 0)
		abort();
}

static void fz_drop(void *opaque, enum indynet_drop_reason reason)
{
	(void)opaque;
	(void)reason;
}

static unsigned fz_room(void *opaque)
{
	(void)opaque;
	return 256;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_private_net("fuzz_bridge_host");
	return 0;
}

static void fz_round(struct bridge_host *h, struct poll_set *ps)
{
	int tmo = 0;

	ps->n = 0;
	bridge_host_poll_fill(h, ps, &tmo);
	poll(ps->fds, ps->n, 0);
	bridge_host_poll_done(h, ps, false);
}

static void fz_aim(size_t len)
{
	size_t hlen = (size_t)(frame[ETH_HLEN] & 0x0f) * 4;
	uint16_t sum;

	memcpy(frame, host_mac, ETH_ALEN);
	if (len < ETH_HLEN + IPV4_HLEN || frame[12] != 0x08 || frame[13] != 0x00)
		return;
	memcpy(frame + ETH_HLEN + 16, &host_ip, 4);
	if (hlen < IPV4_HLEN || ETH_HLEN + hlen > len)
		return;
	frame[ETH_HLEN + 10] = frame[ETH_HLEN + 11] = 0;
	sum = ipv4_header_csum(frame + ETH_HLEN, hlen);
	memcpy(frame + ETH_HLEN + 10, &sum, 2);
}

/* would the engine hand this frame to the backend? (eng_check, then whole datagrams only) */
static bool fz_engine_passes(size_t len)
{
	struct eth_view e;
	struct arp_view a;
	struct ipv4_view ip;

	if (eth_parse(frame, len, &e) < 0)
		return false;
	if (e.ethertype == ETHERTYPE_ARP)
		return arp_parse(e.payload, e.payload_len, &a) == 0;
	if (e.ethertype == ETHERTYPE_IPV4)
		return ipv4_parse(e.payload, e.payload_len, &ip) == 0 && !ipv4_is_fragment(&ip);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct backend_host cb = { .to_guest = fz_to_guest, .drop = fz_drop, .rx_room = fz_room };
	struct backend_lan lan = { .ifname = "fz0", .host_ip = host_ip, .net = host_ip & 0x00ffffffu, .prefix = 24 };
	struct poll_set ps = { 0 };
	struct bridge_host *h;
	char err[128];
	size_t off = 1;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	h = bridge_host_new(1500, &cb, err, sizeof(err));
	if (!h)
		return 0;
	memcpy(lan.host_mac, host_mac, ETH_ALEN);
	bridge_host_lan(h, &lan, false);
	fz_round(h, &ps); /* libslirp reads its clock in a poll round, as in the engine */
	for (int n = 0; n < FZ_MAX_FRAMES && off + 2 <= size; n++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (len > size - off)
			len = size - off;
		memcpy(frame, data + off, len);
		off += len;
		if (len < ETH_HLEN)
			continue; /* the engine never hands the backend less */
		if (flags & 1)
			fz_aim(len);
		if (flags & 2)
			bridge_host_seen(h, frame, len); /* as captured (unchecked): the host's own frames mark its flows */
		if (!fz_engine_passes(len))
			continue;
		bridge_host_input(h, frame, len);
		fz_round(h, &ps);
	}
	poll_set_free(&ps);
	bridge_host_free(h);
	return 0;
}
