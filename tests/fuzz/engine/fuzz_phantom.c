/* SPDX-License-Identifier: MIT */
/* fuzz_phantom.c: libFuzzer target: LAN and guest frames at bridge mode's phantom NFS host, through the whole engine. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz_export.h"
#include "../fuzz_netns.h"
#include "../fuzz_repair.h"
#include "backend/backend.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/log.h"
#include "engine/engine_sync.h"
#include "engine/phantom.h"
#include "indynet/indynet.h"

/*
 * The engine in bridge mode on a fake LAN backend (the seam of
 * tests/unit/engine/test_phantom.c: eng_new_with_backend()), its frames
 * processed on this thread: the LAN's frames enter where the capture hands
 * them over (backend_host.to_guest, so the phantom sees them first), the
 * guest's through eng_input_sync(), and eng_tick_sync() runs the timers on
 * a clock of the target's own (the RFC 5227 claim, fragments ageing out).
 * The LAN is 10.0.0.0/24 with the host at .1; the phantom claims .213.
 *
 * Input: one flags byte, then records of [kind][length, 2 bytes big-endian]
 * [frame] (the last may be cut short).  Flags bit 0: the phantom's claim
 * completes before the first record (else the records meet it probing).
 * Kind bit 0: from the LAN (else from the guest); bit 1: aimed: the
 * destination MAC becomes the phantom's and, for IPv4, the destination
 * address its address, checksums repaired; bit 2: the clock runs a second
 * after the frame.  Each input gets a fresh engine (NFS on a temporary
 * export), the guest's MAC known from an ARP of its own.
 *
 * Oracle: every frame for the guest is an Ethernet header to
 * INDYNET_FRAME_MAX long, and the phantom's go to the guest's MAC, to the
 * source of the guest's last frame (an answer) or to broadcast (unless the
 * LAN's frame just handed over came from the phantom's MAC: the LAN may
 * spoof it and the guest gets that frame as it is), and none carries the export's outside secret (fuzz_export.c);
 * every frame the engine puts on the LAN from the phantom's MAC is ARP
 * (its RPC and ping traffic stays between it and the guest).
 */

#define FZ_MAX_FRAMES 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t guest_mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static uint8_t guest_src[ETH_ALEN]; /* the source MAC of the guest's last frame: answers go there */
static bool lan_spoof; /* the LAN's last frame came from the phantom's MAC: it reaches the guest as it is */
static const uint8_t ph_mac[ETH_ALEN] = PHANTOM_MAC_INIT;
static const uint8_t ph_ip[4] = { 10, 0, 0, 213 };
static char export_dir[] = "/tmp/indynet-fuzz-phantom-XXXXXX";
static uint8_t frame[INDYNET_FRAME_MAX];

/* ---- the fake LAN ---- */

struct fz_lan {
	struct backend b;
	struct backend_host host;
};

static struct fz_lan *lan; /* the engine's, built by fz_lan_new() */

static void fz_lan_free(struct backend *b)
{
	free(b);
}

/* the guest's frames, bridged: whatever it sends (its source MAC included) is its own business */
static void fz_bridged(struct backend *b, const uint8_t *f, size_t len)
{
	(void)b;
	(void)f;
	(void)len;
}

/* the engine's own frames on the wire */
static void fz_inject(struct backend *b, const uint8_t *f, size_t len)
{
	(void)b;
	if (len >= ETH_HLEN && memcmp(f + ETH_ALEN, ph_mac, ETH_ALEN) == 0 && (f[12] != 0x08 || f[13] != 0x06))
		abort();
}

static void fz_lan_poll_fill(struct backend *b, struct poll_set *ps, int *timeout_ms)
{
	(void)b;
	(void)ps;
	(void)timeout_ms;
}

static void fz_lan_poll_done(struct backend *b, const struct poll_set *ps, bool poll_error)
{
	(void)b;
	(void)ps;
	(void)poll_error;
}

static int fz_lan_lan(struct backend *b, struct backend_lan *out)
{
	(void)b;
	*out = (struct backend_lan){ .ifname = "lan0", .prefix = 24, .host_mac = { 0x02, 0x42, 0, 0, 0, 1 } };
	memcpy(&out->host_ip, (const uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(&out->net, (const uint8_t[]){ 10, 0, 0, 0 }, 4);
	return 0;
}

static const struct backend_ops fz_lan_ops = {
	.name = "fuzz-lan",
	.free = fz_lan_free,
	.input = fz_bridged,
	.poll_fill = fz_lan_poll_fill,
	.poll_done = fz_lan_poll_done,
	.lan = fz_lan_lan,
	.inject = fz_inject,
};

static int fz_lan_new(const struct backend_params *p, const struct backend_host *host, struct backend **out,
		      char *err, size_t errlen)
{
	(void)p;
	if (!(lan = calloc(1, sizeof(*lan)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	lan->b.ops = &fz_lan_ops;
	lan->host = *host;
	*out = &lan->b;
	return 0;
}

/* ---- the target ---- */

static void fz_quiet(void *opaque, enum indynet_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	(void)msg;
}

static void fz_cleanup(void)
{
	fz_export_remove(export_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_export_create(export_dir);
	atexit(fz_cleanup);
	fz_private_net("fuzz_phantom");
	ilog_set_sink(fz_quiet, NULL, INDYNET_LOG_ERROR); /* the phantom's messages outside the engine's scope */
	return 0;
}

/* the guest's frames so far: checked and dropped */
static void fz_guest_drain(indynet_engine *e)
{
	const uint8_t *f;
	size_t len;

	while (indynet_rx_peek(e, &f, &len)) {
		if (len < ETH_HLEN || len > INDYNET_FRAME_MAX)
			abort();
		if (!lan_spoof && memcmp(f + ETH_ALEN, ph_mac, ETH_ALEN) == 0 && memcmp(f, guest_mac, ETH_ALEN) != 0 &&
		    memcmp(f, guest_src, ETH_ALEN) != 0 && !eth_is_broadcast(f))
			abort();
		fz_outside_check(f, len);
		indynet_rx_pop(e);
	}
}

/* a fresh engine, the guest's MAC known (its ARP for the host), the claim complete when @claimed */
static indynet_engine *fz_engine(uint64_t *now, bool claimed)
{
	static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
					 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
					 10, 0, 0, 50, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1 };
	struct indynet_phantom_status st;
	struct indynet_config cfg;
	indynet_engine *e = NULL;

	indynet_config_init(&cfg);
	cfg.mode = INDYNET_MODE_BRIDGE;
	cfg.export_dir = export_dir;
	cfg.nfs_bridge_ip = "10.0.0.213";
	cfg.log = fz_quiet;
	cfg.log_level = INDYNET_LOG_ERROR;
	if (eng_new_with_backend(&cfg, fz_lan_new, &e, NULL, 0) != 0)
		abort();
	memcpy(guest_src, guest_mac, ETH_ALEN);
	eng_input_sync(e, arp, sizeof(arp));
	for (int t = 0; t < (claimed ? 20 : 1); t++) /* 10 s: probes, announcements */
		eng_tick_sync(e, *now += 500);
	indynet_phantom_get(e, &st);
	if (claimed && st.state != INDYNET_PHANTOM_ACTIVE)
		abort(); /* nobody on the LAN answered: the claim must complete */
	fz_guest_drain(e);
	return e;
}

/* aim the frame at the phantom: its MAC and, for IPv4, its address; checksums repaired */
static void fz_aim(size_t len)
{
	memcpy(frame, ph_mac, ETH_ALEN);
	if (len >= ETH_HLEN + IPV4_HLEN && frame[12] == 0x08 && frame[13] == 0x00)
		memcpy(frame + ETH_HLEN + 16, ph_ip, 4);
	fz_repair(frame, len);
}

static void fz_one(indynet_engine *e, uint8_t kind, size_t len, uint64_t *now)
{
	if (kind & 2)
		fz_aim(len);
	lan_spoof = (kind & 1) && memcmp(frame + ETH_ALEN, ph_mac, ETH_ALEN) == 0;
	if (kind & 1) {
		lan->host.to_guest(lan->host.opaque, frame, len);
	} else {
		memcpy(guest_src, frame + ETH_ALEN, ETH_ALEN);
		eng_input_sync(e, frame, len);
	}
	if (kind & 4)
		eng_tick_sync(e, *now += 1000);
	fz_guest_drain(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t now = clock_mono_ms(); /* the claim's deadlines are on the engine's clock */
	indynet_engine *e;
	size_t off = 1;

	if (size < 1)
		return 0;
	e = fz_engine(&now, data[0] & 1);
	for (int n = 0; n < FZ_MAX_FRAMES && off + 3 <= size; n++) {
		uint8_t kind = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];

		off += 3;
		if (len > size - off)
			len = size - off;
		if (len > sizeof(frame))
			len = sizeof(frame);
		memcpy(frame, data + off, len);
		off += len;
		if (len >= ETH_HLEN) /* the capture and the engine hand nothing shorter on */
			fz_one(e, kind, len, &now);
	}
	indynet_engine_free(e);
	fz_outside_check(NULL, 0);
	return 0;
}
