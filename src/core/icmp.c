/* SPDX-License-Identifier: MIT */
/* icmp.c: ICMPv4 header parse (RFC 792). */
#include "core/icmp.h"

#include <errno.h>

#include "core/checksum.h"

int icmp_parse(const uint8_t *msg, size_t len, bool verify_csum, struct icmp_view *v)
{
	if (len < ICMP_HLEN)
		return -EMSGSIZE;
	if (verify_csum && csum_fold(csum_add(0, msg, len)) != 0)
		return -EINVAL;
	v->type = msg[0];
	v->code = msg[1];
	v->id = (uint16_t)(msg[4] << 8 | msg[5]);
	v->seq = (uint16_t)(msg[6] << 8 | msg[7]);
	v->payload = msg + ICMP_HLEN;
	v->payload_len = len - ICMP_HLEN;
	return 0;
}
