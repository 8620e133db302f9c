/* SPDX-License-Identifier: MIT */
/* fuzz_reasm.c: libFuzzer target: a sequence of IPv4 fragments carved from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/checksum.h"
#include "core/ipv4.h"
#include "core/reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pkt[IPV4_MAX_LEN];

/*
 * Record layout (6 bytes, then payload):
 *   [0] bits 0-2: datagram id, bit 3: MF, bit 4: DF, bit 5: TCP instead of UDP,
 *       bit 6: feed the raw bytes that follow instead of a built fragment
 *   [1..2] fragment offset in 8-byte units (13 bits)
 *   [3..4] payload length (bounded by what is left of the input)
 *   [5] milliseconds to advance the clock, times 50
 */
static size_t build(const uint8_t *rec, const uint8_t *payload, size_t plen)
{
	uint16_t off = (uint16_t)((rec[1] << 8 | rec[2]) & IPV4_OFFSET_MASK);
	uint16_t field = (uint16_t)(off | (rec[0] & 0x08 ? IPV4_FLAG_MF : 0) | (rec[0] & 0x10 ? IPV4_FLAG_DF : 0));
	size_t total = IPV4_HLEN + plen;
	uint16_t sum;

	memset(pkt, 0, IPV4_HLEN);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(total >> 8);
	pkt[3] = (uint8_t)total;
	pkt[5] = rec[0] & 7;
	pkt[6] = (uint8_t)(field >> 8);
	pkt[7] = (uint8_t)field;
	pkt[8] = 64;
	pkt[9] = rec[0] & 0x20 ? IPPROTO_TCP : IPPROTO_UDP;
	pkt[12] = 10;
	pkt[15] = 2;
	pkt[16] = 10;
	pkt[19] = 1;
	memcpy(pkt + IPV4_HLEN, payload, plen);
	sum = ipv4_header_csum(pkt, IPV4_HLEN);
	memcpy(pkt + 10, &sum, 2);
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reasm *ra = reasm_new();
	uint64_t now = 0;

	if (!ra)
		return 0;
	while (size >= 6) {
		const uint8_t *rec = data;
		size_t plen = (size_t)(rec[3] << 8 | rec[4]);
		const uint8_t *out;
		size_t out_len, n;

		data += 6;
		size -= 6;
		if (plen > size)
			plen = size;
		if (plen > IPV4_MAX_LEN - IPV4_HLEN)
			plen = IPV4_MAX_LEN - IPV4_HLEN;
		now += (uint64_t)rec[5] * 50;
		if (rec[0] & 0x40) {
			memcpy(pkt, data, plen);
			n = plen;
		} else {
			n = build(rec, data, plen);
		}
		data += plen;
		size -= plen;
		if (reasm_input(ra, pkt, n, now, &out, &out_len) == REASM_COMPLETE) {
			struct ipv4_view v;

			if (ipv4_parse(out, out_len, &v) != 0 || ipv4_is_fragment(&v) || v.total_len != out_len)
				abort();
		}
		if (reasm_pending(ra) > REASM_MAX_DATAGRAMS || reasm_bytes_held(ra) > REASM_MAX_BYTES)
			abort();
	}
	reasm_free(ra);
	return 0;
}
