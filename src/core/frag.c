/* SPDX-License-Identifier: MIT */
/* frag.c: IPv4 fragmentation (RFC 791 §3.2, "fragmentation procedure"). */
#include "core/frag.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/checksum.h"
#include "core/ipv4.h"

/*
 * Fragments are assembled in a per-thread scratch buffer of IPV4_MAX_LEN
 * bytes, allocated on a thread's first fragmentation and released when the
 * thread exits, so the steady state allocates nothing and callers on
 * different threads never share it.
 */
static pthread_key_t frag_scratch_key;
static pthread_once_t frag_scratch_once = PTHREAD_ONCE_INIT;
static bool frag_scratch_ok;

static void frag_scratch_key_init(void)
{
	frag_scratch_ok = pthread_key_create(&frag_scratch_key, free) == 0;
}

static uint8_t *frag_scratch(void)
{
	pthread_once(&frag_scratch_once, frag_scratch_key_init);
	if (!frag_scratch_ok)
		return NULL;
	uint8_t *buf = pthread_getspecific(frag_scratch_key);

	if (!buf) {
		buf = malloc(IPV4_MAX_LEN);
		if (buf && pthread_setspecific(frag_scratch_key, buf) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	return buf;
}

/*
 * Build the header of the second and later fragments: the fixed 20 bytes
 * plus the options whose copy flag (bit 7 of the type) is set, padded with
 * End-of-Options to a multiple of 4.  Returns its length or -EINVAL.
 */
static int frag_copied_header(const uint8_t *hdr, size_t hlen, uint8_t out[IPV4_HLEN_MAX])
{
	size_t n = IPV4_HLEN;
	size_t i = IPV4_HLEN;

	memcpy(out, hdr, IPV4_HLEN);
	while (i < hlen) {
		uint8_t type = hdr[i];

		if (type == 0) /* End of Options */
			break;
		if (type == 1) { /* No Operation */
			i++;
			continue;
		}
		if (i + 1 >= hlen || hdr[i + 1] < 2 || i + hdr[i + 1] > hlen)
			return -EINVAL;
		size_t olen = hdr[i + 1];

		if (type & 0x80) {
			memcpy(out + n, hdr + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n % 4)
		out[n++] = 0;
	out[0] = (uint8_t)(0x40 | (n / 4));
	return (int)n;
}

static void frag_finish_header(uint8_t *h, size_t hlen, size_t total, uint16_t frag_field)
{
	uint16_t sum;

	h[2] = (uint8_t)(total >> 8);
	h[3] = (uint8_t)total;
	h[6] = (uint8_t)(frag_field >> 8);
	h[7] = (uint8_t)frag_field;
	h[10] = 0;
	h[11] = 0;
	sum = ipv4_header_csum(h, hlen);
	memcpy(h + 10, &sum, 2);
}

int frag_ipv4(const uint8_t *ip_pkt, size_t len, unsigned mtu, frag_emit_fn emit, void *opaque)
{
	struct ipv4_view v;
	uint8_t later_hdr[IPV4_HLEN_MAX];

	if (ipv4_parse(ip_pkt, len, &v) != 0)
		return -EINVAL;
	if (v.total_len <= mtu) {
		emit(opaque, ip_pkt, v.total_len);
		return 1;
	}
	if (v.df)
		return -EMSGSIZE;
	if (mtu < v.hlen + 8)
		return -EINVAL;
	int later_hlen = frag_copied_header(v.hdr, v.hlen, later_hdr);

	if (later_hlen < 0)
		return -EINVAL;
	if ((v.frag_off + v.payload_len - 1) / 8 > IPV4_OFFSET_MASK)
		return -EINVAL;
	uint8_t *buf = frag_scratch();

	if (!buf)
		return -ENOMEM;

	size_t off = 0;
	int count = 0;

	while (off < v.payload_len) {
		bool first = off == 0;
		size_t hlen = first ? v.hlen : (size_t)later_hlen;
		size_t room = (mtu - hlen) & ~(size_t)7;
		size_t chunk = v.payload_len - off < room ? v.payload_len - off : room;
		bool last = off + chunk == v.payload_len;
		size_t abs_off = v.frag_off + off;

		memcpy(buf, first ? v.hdr : later_hdr, hlen);
		memcpy(buf + hlen, v.payload + off, chunk);
		frag_finish_header(buf, hlen, hlen + chunk,
				   (uint16_t)((!last || v.mf ? IPV4_FLAG_MF : 0) | abs_off / 8));
		emit(opaque, buf, hlen + chunk);
		count++;
		off += chunk;
	}
	return count;
}
