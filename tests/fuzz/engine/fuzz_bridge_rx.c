/* SPDX-License-Identifier: MIT */
/* fuzz_bridge_rx.c: libFuzzer target: arbitrary LAN frames through bridge mode's receive path (bridge.c on a real capture). */
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../fuzz_netns.h"
#include "backend/bridge.h"
#include "core/eth.h"
#include "core/log.h"
#include "engine/phantom.h"

/*
 * The LAN is the loopback interface of a network namespace of the target's
 * own (the seam of tests/unit/engine/test_bridge_rx.c): a packet socket
 * sends the LAN's frames there and two bridge backends (bridge_new(), as
 * the engine builds them) capture them, one translating nothing, one in
 * host MAC mode (bridging over Wi-Fi: the station on the wire is lo's own
 * MAC).  Both know the guest's MAC and the phantom NFS host's, and the
 * first has host reach, so every captured frame is shown to bridge_host
 * too.  The backends' poll rounds run on this thread.
 *
 * Input: one flags byte, then frames, each as a 2-byte big-endian length
 * and that many bytes (the last one may be cut short).  Flags bits 0-1
 * aim every frame's destination MAC (as it is, the guest's, broadcast,
 * lo's); bits 2-7 times 5 is the RX ring's free room the backends see
 * (0..315, so that broadcast shedding below BRIDGE_RX_RESERVE is reached).
 * A frame longer than the guest's MTU is a GRO super-frame to re-segment.
 *
 * Oracle, on every frame handed towards the guest: at least an Ethernet
 * header and at most the MTU plus header and 802.1Q tag; its destination
 * the guest's MAC, the phantom's or a group address; its source not the
 * station's own (the guest's echoes); no group frame while the room seen
 * was at or below the reserve.  Frames and their answers are matched by
 * draining the capture after each input until it is empty (on lo the
 * sender's softirq queues a frame before sendto() returns).
 */

#define FZ_MTU 1500u
#define FZ_MAX_FRAMES 64
#define FZ_MAX_ROUNDS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t guest_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t ph_mac[ETH_ALEN] = PHANTOM_MAC_INIT;
static const uint8_t lo_mac[ETH_ALEN] = { 0 };
static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* one backend under test and what its oracle needs */
struct fz_side {
	struct backend *bk;
	const uint8_t *station; /* the MAC on the wire: the guest's, or lo's in host mode */
	unsigned room;          /* what rx_room() said for the batch being read */
};

static struct fz_side sides[2];
static unsigned fz_room_now;
static int lan_fd = -1, lo_index;
static uint8_t frame[65536];

static void fz_to_guest(void *opaque, const uint8_t *f, size_t len)
{
	const struct fz_side *s = opaque;
	bool group = len >= ETH_HLEN && eth_is_multicast(f);

	if (len < ETH_HLEN || len > ETH_HLEN + 4 + FZ_MTU)
		abort();
	if (!group && memcmp(f, guest_mac, ETH_ALEN) != 0 && memcmp(f, ph_mac, ETH_ALEN) != 0)
		abort();
	if (memcmp(f + ETH_ALEN, s->station, ETH_ALEN) == 0 || (group && s->room <= BRIDGE_RX_RESERVE))
		abort();
}

static void fz_drop(void *opaque, enum indynet_drop_reason reason)
{
	(void)opaque;
	(void)reason;
}

static unsigned fz_room(void *opaque)
{
	struct fz_side *s = opaque;

	s->room = fz_room_now;
	return fz_room_now;
}

static void fz_quiet(void *opaque, enum indynet_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	(void)msg;
}

static void fz_open(struct fz_side *s, enum indynet_bridge_mac mode)
{
	const struct backend_params p = { .mode = INDYNET_MODE_BRIDGE, .mtu = FZ_MTU, .interface = "lo",
					  .capture_buffer = 4u << 20, .bridge_mac = mode,
					  .host_reach = mode == INDYNET_BRIDGE_MAC_GUEST };
	const struct backend_host cb = { .to_guest = fz_to_guest, .drop = fz_drop, .rx_room = fz_room, .opaque = s };
	struct indynet_capture_status st;
	char err[256];

	s->station = mode == INDYNET_BRIDGE_MAC_HOST ? lo_mac : guest_mac;
	if (bridge_new(&p, &cb, &s->bk, err, sizeof(err)) < 0 || backend_status(s->bk, &st) < 0 ||
	    st.state != INDYNET_CAPTURE_ACTIVE) {
		fprintf(stderr, "fuzz_bridge_rx: no capture on lo: %s\n", err);
		abort();
	}
	backend_guest_mac(s->bk, guest_mac);
	backend_extra_mac(s->bk, ph_mac);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_private_net("fuzz_bridge_rx");
	ilog_set_sink(fz_quiet, NULL, INDYNET_LOG_ERROR);
	lo_index = (int)if_nametoindex("lo");
	lan_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: sends only */
	if (lo_index == 0 || lan_fd < 0) {
		perror("fuzz_bridge_rx: packet socket on lo");
		abort();
	}
	fz_open(&sides[0], INDYNET_BRIDGE_MAC_GUEST);
	fz_open(&sides[1], INDYNET_BRIDGE_MAC_HOST);
	return 0;
}

/* one poll round of both backends; true when either capture had frames to read */
static bool fz_round(struct poll_set *ps)
{
	bool busy = false;
	int tmo = 0;

	ps->n = 0;
	for (int i = 0; i < 2; i++)
		sides[i].bk->ops->poll_fill(sides[i].bk, ps, &tmo);
	poll(ps->fds, ps->n, 0);
	for (unsigned i = 0; i < ps->n; i++)
		busy |= (ps->fds[i].revents & POLLIN) != 0;
	for (int i = 0; i < 2; i++)
		sides[i].bk->ops->poll_done(sides[i].bk, ps, false);
	return busy;
}

static void fz_send(size_t len, uint8_t aim)
{
	static const uint8_t *const dst[4] = { NULL, guest_mac, bcast, lo_mac };
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_ifindex = lo_index, .sll_halen = ETH_ALEN };

	if (dst[aim])
		memcpy(frame, dst[aim], ETH_ALEN);
	sendto(lan_fd, frame, len, 0, (struct sockaddr *)&sa, sizeof(sa)); /* lo refuses what it must */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct poll_set ps;
	size_t off = 1;
	int rounds = 0;

	if (size < 1)
		return 0;
	fz_room_now = (unsigned)(data[0] >> 2) * 5;
	for (int n = 0; n < FZ_MAX_FRAMES && off + 2 <= size; n++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (len > size - off)
			len = size - off;
		memcpy(frame, data + off, len);
		off += len;
		if (len >= ETH_HLEN)
			fz_send(len, data[0] & 3);
	}
	while (rounds++ < FZ_MAX_ROUNDS && fz_round(&ps))
		continue; /* until both captures are empty */
	return 0;
}
