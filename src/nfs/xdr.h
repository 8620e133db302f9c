/* SPDX-License-Identifier: MIT */
/* xdr.h: bounds-checked XDR (RFC 4506) decoding and encoding over flat buffers. */
#ifndef INDYNET_NFS_XDR_H
#define INDYNET_NFS_XDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A decoder or encoder never reads or writes outside its buffer.  The first
 * failure latches ->err; later calls return zero values / NULL and do
 * nothing, so a procedure decodes all its arguments and checks ->err once.
 */

struct xdr_dec {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	bool err;
};

struct xdr_enc {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	bool err;
};

/** xdr_pad() - bytes of padding after @n bytes of opaque data. */
static inline size_t xdr_pad(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/*
 * Big-endian words at a place already bounds-checked by the caller (a
 * reserved reply area, a handle, a verifier): the only byte-order code of
 * the NFS server.
 */

/** xdr_be32_get() - the big-endian 32-bit word at @p. */
static inline uint32_t xdr_be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/** xdr_be64_get() - the big-endian 64-bit word at @p. */
static inline uint64_t xdr_be64_get(const uint8_t *p)
{
	return (uint64_t)xdr_be32_get(p) << 32 | xdr_be32_get(p + 4);
}

/** xdr_be32_put() - store @v big-endian at @p; returns the byte after it. */
static inline uint8_t *xdr_be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

/** xdr_be64_put() - store @v big-endian at @p; returns the byte after it. */
static inline uint8_t *xdr_be64_put(uint8_t *p, uint64_t v)
{
	return xdr_be32_put(xdr_be32_put(p, (uint32_t)(v >> 32)), (uint32_t)v);
}

void xdr_dec_init(struct xdr_dec *d, const void *buf, size_t len);
uint32_t xdr_get_u32(struct xdr_dec *d);
uint64_t xdr_get_u64(struct xdr_dec *d);
bool xdr_get_bool(struct xdr_dec *d);
const uint8_t *xdr_get_fixed(struct xdr_dec *d, size_t n);
const uint8_t *xdr_get_opaque(struct xdr_dec *d, uint32_t max, uint32_t *len);
size_t xdr_dec_left(const struct xdr_dec *d);

void xdr_enc_init(struct xdr_enc *e, void *buf, size_t cap);
void xdr_put_u32(struct xdr_enc *e, uint32_t v);
void xdr_put_u64(struct xdr_enc *e, uint64_t v);
void xdr_put_bool(struct xdr_enc *e, bool v);
void xdr_put_fixed(struct xdr_enc *e, const void *p, size_t n);
void xdr_put_opaque(struct xdr_enc *e, const void *p, uint32_t n);
void xdr_put_string(struct xdr_enc *e, const char *s);
uint8_t *xdr_reserve(struct xdr_enc *e, size_t n);
size_t xdr_enc_left(const struct xdr_enc *e);

#endif /* INDYNET_NFS_XDR_H */
