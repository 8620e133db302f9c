/* SPDX-License-Identifier: MIT */
/* xdr.c: bounds-checked XDR (RFC 4506) decoding and encoding over flat buffers. */
#include "nfs/xdr.h"

#include <string.h>

/**
 * xdr_dec_init() - start decoding @len bytes at @buf.
 * @d: decoder
 * @buf: data (not copied; must outlive the decoder)
 * @len: its length
 */
void xdr_dec_init(struct xdr_dec *d, const void *buf, size_t len)
{
	d->buf = buf;
	d->len = len;
	d->pos = 0;
	d->err = false;
}

/**
 * xdr_dec_left() - bytes not yet consumed.
 * @d: decoder
 *
 * Return: remaining bytes (0 once an error latched).
 */
size_t xdr_dec_left(const struct xdr_dec *d)
{
	return d->err ? 0 : d->len - d->pos;
}

/**
 * xdr_get_fixed() - take @n bytes of fixed-length opaque data plus padding.
 * @d: decoder
 * @n: data length
 *
 * Return: pointer to the data inside the buffer, or NULL (error latched).
 */
const uint8_t *xdr_get_fixed(struct xdr_dec *d, size_t n)
{
	size_t total = n + xdr_pad(n);
	const uint8_t *p;

	if (d->err || n > d->len || total > d->len - d->pos) {
		d->err = true;
		return NULL;
	}
	p = d->buf + d->pos;
	d->pos += total;
	return p;
}

/**
 * xdr_get_u32() - decode an unsigned int.
 * @d: decoder
 *
 * Return: the value, 0 on error.
 */
uint32_t xdr_get_u32(struct xdr_dec *d)
{
	const uint8_t *p = xdr_get_fixed(d, 4);

	if (!p)
		return 0;
	return xdr_be32_get(p);
}

/**
 * xdr_get_u64() - decode an unsigned hyper.
 * @d: decoder
 *
 * Return: the value, 0 on error.
 */
uint64_t xdr_get_u64(struct xdr_dec *d)
{
	uint64_t hi = xdr_get_u32(d);

	return hi << 32 | xdr_get_u32(d);
}

/**
 * xdr_get_bool() - decode a bool; anything but 0 or 1 is an error.
 * @d: decoder
 *
 * Return: the value, false on error.
 */
bool xdr_get_bool(struct xdr_dec *d)
{
	uint32_t v = xdr_get_u32(d);

	if (v > 1)
		d->err = true;
	return v == 1;
}

/**
 * xdr_get_opaque() - decode variable-length opaque data or a string.
 * @d: decoder
 * @max: largest length accepted (longer is a decoding error)
 * @len: receives the length
 *
 * Return: pointer to the (unterminated) data in the buffer, or NULL.  A
 * zero-length item returns a valid non-NULL pointer.
 */
const uint8_t *xdr_get_opaque(struct xdr_dec *d, uint32_t max, uint32_t *len)
{
	uint32_t n = xdr_get_u32(d);
	const uint8_t *p;

	*len = 0;
	if (d->err || n > max) {
		d->err = true;
		return NULL;
	}
	p = xdr_get_fixed(d, n);
	if (p)
		*len = n;
	return p;
}

/**
 * xdr_enc_init() - start encoding into @buf.
 * @e: encoder
 * @buf: output buffer
 * @cap: its capacity
 */
void xdr_enc_init(struct xdr_enc *e, void *buf, size_t cap)
{
	e->buf = buf;
	e->cap = cap;
	e->pos = 0;
	e->err = false;
}

/**
 * xdr_enc_left() - bytes still free.
 * @e: encoder
 *
 * Return: free bytes (0 once an error latched).
 */
size_t xdr_enc_left(const struct xdr_enc *e)
{
	return e->err ? 0 : e->cap - e->pos;
}

/**
 * xdr_reserve() - claim @n bytes plus padding; the padding is zeroed.
 * @e: encoder
 * @n: bytes the caller will fill
 *
 * Return: where to write them, or NULL (error latched).
 */
uint8_t *xdr_reserve(struct xdr_enc *e, size_t n)
{
	size_t total = n + xdr_pad(n);
	uint8_t *p;

	if (e->err || n > e->cap || total > e->cap - e->pos) {
		e->err = true;
		return NULL;
	}
	p = e->buf + e->pos;
	memset(p + n, 0, total - n);
	e->pos += total;
	return p;
}

/**
 * xdr_put_u32() - encode an unsigned int.
 * @e: encoder
 * @v: value
 */
void xdr_put_u32(struct xdr_enc *e, uint32_t v)
{
	uint8_t *p = xdr_reserve(e, 4);

	if (p)
		xdr_be32_put(p, v);
}

/**
 * xdr_put_u64() - encode an unsigned hyper.
 * @e: encoder
 * @v: value
 */
void xdr_put_u64(struct xdr_enc *e, uint64_t v)
{
	xdr_put_u32(e, (uint32_t)(v >> 32));
	xdr_put_u32(e, (uint32_t)v);
}

/**
 * xdr_put_bool() - encode a bool.
 * @e: encoder
 * @v: value
 */
void xdr_put_bool(struct xdr_enc *e, bool v)
{
	xdr_put_u32(e, v ? 1 : 0);
}

/**
 * xdr_put_fixed() - encode fixed-length opaque data plus padding.
 * @e: encoder
 * @p: data
 * @n: its length
 */
void xdr_put_fixed(struct xdr_enc *e, const void *p, size_t n)
{
	uint8_t *dst = xdr_reserve(e, n);

	if (dst && n)
		memcpy(dst, p, n);
}

/**
 * xdr_put_opaque() - encode variable-length opaque data (length, data, pad).
 * @e: encoder
 * @p: data
 * @n: its length
 */
void xdr_put_opaque(struct xdr_enc *e, const void *p, uint32_t n)
{
	xdr_put_u32(e, n);
	xdr_put_fixed(e, p, n);
}

/**
 * xdr_put_string() - encode a NUL-terminated string.
 * @e: encoder
 * @s: string
 */
void xdr_put_string(struct xdr_enc *e, const char *s)
{
	size_t n = strlen(s);

	if (n > UINT32_MAX) {
		e->err = true;
		return;
	}
	xdr_put_opaque(e, s, (uint32_t)n);
}
