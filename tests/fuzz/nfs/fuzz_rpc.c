/* SPDX-License-Identifier: MIT */
/* fuzz_rpc.c: libFuzzer target: whole nfs_server_call() on arbitrary datagrams against a temporary export. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fuzz_export.h"
#include "nfs/fs.h"
#include "nfs/nfs.h"
#include "nfs/proc.h"

/*
 * Input: one selector byte, then the datagram.  Selector bits 0-1 pick the
 * port (111, 1234, 2049, 2049), bit 2 the read-only server.  Every aligned
 * 32-byte run in the datagram that starts with "RFH!" is replaced by the
 * export root's handle and one starting with "FFH!" by the handle of the
 * file "hello", so the fuzzer reaches past handle checks.  The export holds
 * symlinks "etc" and "up" to a folder outside it (fz_export_create()): a
 * reply carrying its secret, or any change to it, aborts.
 */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char export_dir[] = "/tmp/indynet-fuzz-nfs-XXXXXX";
static struct nfs_server *rw_srv, *ro_srv;
static uint8_t root_fh[FH_SIZE], file_fh[FH_SIZE];
static uint8_t reply[NFS_REPLY_MAX];

static void cleanup(void)
{
	nfs_server_free(rw_srv);
	nfs_server_free(ro_srv);
	fz_export_remove(export_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct nfs_server_config cfg = { .attr_model = NFS_ATTR_SQUASH };
	struct fs_node *n;
	char err[256];

	(void)argc;
	(void)argv;
	fz_export_create(export_dir);
	cfg.export_dir = export_dir;
	rw_srv = nfs_server_new(&cfg, err, sizeof(err));
	cfg.read_only = true;
	ro_srv = nfs_server_new(&cfg, err, sizeof(err));
	if (!rw_srv || !ro_srv)
		abort();
	fs_handle(nfs_server_fs(rw_srv), fs_root(nfs_server_fs(rw_srv)), root_fh);
	if (fs_lookup(nfs_server_fs(rw_srv), fs_root(nfs_server_fs(rw_srv)), (const uint8_t *)"hello", 5, &n) != FS_OK)
		abort();
	fs_handle(nfs_server_fs(rw_srv), n, file_fh);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { NFS_PORT_PORTMAP, NFS_PORT_MOUNT, NFS_PORT_NFS, NFS_PORT_NFS };
	const struct nfs_peer peer = { .addr = 0x0100007fu, .port = 700 };
	uint8_t *call;
	size_t len, i, out;

	if (size < 1)
		return 0;
	len = size - 1;
	call = malloc(len ? len : 1);
	if (!call)
		return 0;
	memcpy(call, data + 1, len);
	for (i = 0; i + FH_SIZE <= len; i += 4) {
		if (!memcmp(call + i, "RFH!", 4))
			memcpy(call + i, root_fh, FH_SIZE);
		else if (!memcmp(call + i, "FFH!", 4))
			memcpy(call + i, file_fh, FH_SIZE);
	}
	out = nfs_server_call(data[0] & 4 ? ro_srv : rw_srv, &peer, ports[data[0] & 3], call, len, reply,
			      sizeof(reply));
	if (out > sizeof(reply))
		abort();
	fz_outside_check(reply, out);
	free(call);
	return 0;
}
