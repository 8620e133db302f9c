/* SPDX-License-Identifier: MIT */
/* handle.c: encode and check the 32-byte file handle (stable across server restarts). */
#include "nfs/handle.h"

#include <string.h>

/*
 * Layout (big-endian): "IN" magic, layout version 1, object type,
 * export id (4), inode (8), parent inode hint (8), generation (4), and a
 * check word over the first 28 bytes.  The check word only separates our
 * handles from garbage (BADHANDLE); it is not a secret.  Containment does
 * not rely on it: a handle resolves only through the server's index of
 * objects found by walking the export (see fs.c).
 */

#define FH_MAGIC0 'I'
#define FH_MAGIC1 'N'
#define FH_LAYOUT 1u

static void fh_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t fh_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fh_put64(uint8_t *p, uint64_t v)
{
	fh_put32(p, (uint32_t)(v >> 32));
	fh_put32(p + 4, (uint32_t)v);
}

static uint64_t fh_get64(const uint8_t *p)
{
	return (uint64_t)fh_get32(p) << 32 | fh_get32(p + 4);
}

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
	out[0] = FH_MAGIC0;
	out[1] = FH_MAGIC1;
	out[2] = FH_LAYOUT;
	out[3] = fh->type;
	fh_put32(out + 4, fh->export_id);
	fh_put64(out + 8, fh->ino);
	fh_put64(out + 16, fh->parent);
	fh_put32(out + 24, fh->gen);
	fh_put32(out + 28, fh_check(out, 28));
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
	if (len != FH_SIZE || buf[0] != FH_MAGIC0 || buf[1] != FH_MAGIC1 || buf[2] != FH_LAYOUT)
		return FH_BADHANDLE;
	if (fh_get32(buf + 28) != fh_check(buf, 28))
		return FH_BADHANDLE;
	memset(fh, 0, sizeof(*fh));
	fh->type = buf[3];
	fh->export_id = fh_get32(buf + 4);
	fh->ino = fh_get64(buf + 8);
	fh->parent = fh_get64(buf + 16);
	fh->gen = fh_get32(buf + 24);
	if (fh->export_id != export_id)
		return FH_STALE;
	return FH_OK;
}
