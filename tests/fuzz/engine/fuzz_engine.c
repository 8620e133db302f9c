/* SPDX-License-Identifier: MIT */
/* fuzz_engine.c: libFuzzer target: arbitrary guest frames through a whole NAT engine (vhosts, NFS, libslirp). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../fuzz_export.h"
#include "../fuzz_netns.h"
#include "../fuzz_repair.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine/engine_sync.h"
#include "indynet/indynet.h"

/*
 * Input: one flags byte, then frames, each as a 2-byte big-endian length
 * and that many bytes (the last one may be cut short).  Flags bit 0 repairs
 * the IPv4 header checksum and the UDP/TCP/ICMP checksum of every frame
 * that looks like IPv4, so mutations reach past checksum checks; bit 1
 * picks a /30 subnet instead of the default /24.
 *
 * Each input gets a fresh engine (NAT, NFS export in a temporary folder) and
 * its frames are processed synchronously on this thread by eng_input_sync();
 * frames for the guest are drained after each one and checked against the
 * containment oracle (fz_outside_check(): symlinks "etc" and "up" lead out
 * of the export).  libslirp turns guest
 * traffic into real sockets, so the process first moves into a private
 * network namespace (only its own loopback) and refuses to run otherwise.
 */

#define FZ_MAX_FRAMES 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char export_dir[] = "/tmp/indynet-fuzz-engine-XXXXXX";
static uint8_t frame[INDYNET_FRAME_MAX];

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
	fz_private_net("fuzz_engine");
	return 0;
}

static indynet_engine *fz_engine(bool slash30)
{
	struct indynet_config cfg;
	indynet_engine *e = NULL;

	indynet_config_init(&cfg);
	cfg.export_dir = export_dir;
	cfg.nat_subnet = slash30 ? "10.0.2.0/30" : NULL;
	cfg.log = fz_quiet;
	cfg.log_level = INDYNET_LOG_ERROR;
	if (indynet_engine_new(&cfg, &e, NULL, 0) != 0)
		abort();
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	indynet_engine *e;
	const uint8_t *f;
	size_t off = 1, flen;

	if (size < 1)
		return 0;
	e = fz_engine(data[0] & 2);
	for (unsigned n = 0; n < FZ_MAX_FRAMES && off + 2 <= size; n++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (len > size - off)
			len = size - off;
		memcpy(frame, data + off, len);
		off += len;
		if (data[0] & 1)
			fz_repair(frame, len);
		eng_input_sync(e, frame, len);
		while (indynet_rx_peek(e, &f, &flen)) {
			if (flen > INDYNET_FRAME_MAX)
				abort();
			fz_outside_check(f, flen);
			indynet_rx_pop(e);
		}
	}
	indynet_engine_free(e);
	fz_outside_check(NULL, 0);
	return 0;
}
