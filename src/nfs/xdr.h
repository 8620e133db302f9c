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
