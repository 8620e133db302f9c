/* SPDX-License-Identifier: MIT */
/* icmp.h: ICMPv4 header parse (RFC 792); libslirp builds all ICMP we send. */
#ifndef INDYNET_CORE_ICMP_H
#define INDYNET_CORE_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICMP_HLEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11

/** A parsed ICMP message; fields in host order. */
struct icmp_view {
	uint8_t type;
	uint8_t code;
	uint16_t id;            /* echo only: first half of the rest-of-header */
	uint16_t seq;           /* echo only: second half */
	const uint8_t *payload;
	size_t payload_len;
};

/**
 * icmp_parse() - parse an ICMP message.
 * @msg: ICMP header and data (the IPv4 payload)
 * @len: their length
 * @verify_csum: check the checksum over the whole message
 * @v: receives the view
 *
 * Return: 0, -EMSGSIZE when shorter than ICMP_HLEN, -EINVAL on a bad checksum.
 */
int icmp_parse(const uint8_t *msg, size_t len, bool verify_csum, struct icmp_view *v);

#endif /* INDYNET_CORE_ICMP_H */
