/* SPDX-License-Identifier: MIT */
/* handle.c: encode and check the 32-byte file handle (stable across server restarts). */
#include "nfs/handle.h"

#include <stdbool.h>
#include <string.h>

#include "nfs/xdr.h"

/*
 * Two layouts, both 32 bytes (big-endian), told apart by byte 2:
 *
 *   layout 1   "IN" 1 type | export id (4) | inode (8) | parent inode (8) |
 *              generation (4) | check (4, over bytes 0..27)
 *   layout 2   "IN" 2 type | export id (4) | inode (8) | generation (4) |
 *              kernel handle type (1) | its length (1, 1..8) | its bytes (8,
 *              zero padded) | check (2, over bytes 0..29)
 *
 * Layout 2 carries the kernel's own handle (name_to_handle_at) of the
 * object when it is a directory, else of the directory holding it, so a
 * server without the object in its cache reopens that directory with
 * open_by_handle_at() instead of searching the export (see fs.c).  It is
 * issued whenever the filesystem's kernel handles fit; layout 1 (what
 * earlier versions issued, and what filesystems with longer kernel
 * handles still get) is accepted forever, so a client holding an old
 * handle across an upgrade keeps working.  The check word only separates
 * our handles from garbage (BADHANDLE); it is not a secret.  Containment
 * does not rely on it (fs.c proves every object it reaches is below the
 * export root).
 */

#define FH_MAGIC0 'I'
#define FH_MAGIC1 'N'
#define FH_LAYOUT1 1u
#define FH_LAYOUT2 2u

static uint32_t fh_check(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/**
 * fh_export_id() - the export id stored in every handle.
 * @dev: st_dev of the export root
 * @ino: st_ino of the export root
 *
 * Return: a 32-bit hash of both, stable across restarts.
 */
uint32_t fh_export_id(uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9E3779B97F4A7C15ull) ^ (ino + 0x632BE59BD9B4E019ull);

	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

/**
 * fh_encode() - build the wire form of a handle.
 * @fh: contents
 * @out: receives FH_SIZE bytes
 */
void fh_encode(const struct fh_data *fh, uint8_t out[FH_SIZE])
{
	uint32_t c;

	out[0] = FH_MAGIC0;
	out[1] = FH_MAGIC1;
	out[2] = fh->kfh_len ? FH_LAYOUT2 : FH_LAYOUT1;
	out[3] = fh->type;
	xdr_be32_put(out + 4, fh->export_id);
	xdr_be64_put(out + 8, fh->ino);
	if (!fh->kfh_len) {
		xdr_be64_put(out + 16, fh->parent);
		xdr_be32_put(out + 24, fh->gen);
		xdr_be32_put(out + 28, fh_check(out, 28));
		return;
	}
	xdr_be32_put(out + 16, fh->gen);
	out[20] = fh->kfh_type;
	out[21] = fh->kfh_len;
	memset(out + 22, 0, FH_KFH_MAX);
	memcpy(out + 22, fh->kfh, fh->kfh_len <= FH_KFH_MAX ? fh->kfh_len : FH_KFH_MAX);
	c = fh_check(out, 30);
	out[30] = (uint8_t)((c ^ c >> 16) >> 8);
	out[31] = (uint8_t)(c ^ c >> 16);
}

/* Layout 2: the check word and a kernel handle length that fits. */
static bool fh_layout2_ok(const uint8_t *buf)
{
	uint32_t c = fh_check(buf, 30);

	return buf[21] >= 1 && buf[21] <= FH_KFH_MAX && buf[30] == (uint8_t)((c ^ c >> 16) >> 8) &&
	       buf[31] == (uint8_t)(c ^ c >> 16);
}

/**
 * fh_decode() - check and decode a handle received from a client.
 * @buf: handle bytes
 * @len: their length (must be FH_SIZE)
 * @export_id: this export's id
 * @fh: receives the contents on FH_OK
 *
 * Return: FH_OK, FH_BADHANDLE (malformed) or FH_STALE (another export's).
 */
enum fh_status fh_decode(const uint8_t *buf, size_t len, uint32_t export_id, struct fh_data *fh)
{
	if (len != FH_SIZE || buf[0] != FH_MAGIC0 || buf[1] != FH_MAGIC1)
		return FH_BADHANDLE;
	if (buf[2] == FH_LAYOUT1 ? xdr_be32_get(buf + 28) != fh_check(buf, 28) : buf[2] != FH_LAYOUT2 || !fh_layout2_ok(buf))
		return FH_BADHANDLE;
	memset(fh, 0, sizeof(*fh));
	fh->type = buf[3];
	fh->export_id = xdr_be32_get(buf + 4);
	fh->ino = xdr_be64_get(buf + 8);
	if (buf[2] == FH_LAYOUT1) {
		fh->parent = xdr_be64_get(buf + 16);
		fh->gen = xdr_be32_get(buf + 24);
	} else {
		fh->gen = xdr_be32_get(buf + 16);
		fh->kfh_type = buf[20];
		fh->kfh_len = buf[21];
		memcpy(fh->kfh, buf + 22, fh->kfh_len);
	}
	if (fh->export_id != export_id)
		return FH_STALE;
	return FH_OK;
}
