/* SPDX-License-Identifier: MIT */
/* config.c: configuration defaults and the parsers of NAT subnets and port forwards. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "indynet/indynet.h"
#include "indynet-build.h"

/* Smallest and largest accepted NAT prefix (a /30 still holds gateway and guest). */
#define SUBNET_PREFIX_MIN 8u
#define SUBNET_PREFIX_MAX 30u

void indynet_config_init(struct indynet_config *cfg)
{
	*cfg = (struct indynet_config){
		.version = INDYNET_CONFIG_VERSION,
		.mode = INDYNET_MODE_NAT,
		.mtu = INDYNET_MTU_DEFAULT,
		.nfs_version = INDYNET_NFS_AUTO,
		.attr_model = INDYNET_ATTR_SQUASH,
		.log_level = INDYNET_LOG_INFO,
		.nat_ipv6 = true,
	};
}

const char *indynet_version(void)
{
	return INDYNET_VERSION;
}

const char *indynet_drop_reason_name(enum indynet_drop_reason r)
{
	static const char *const names[INDYNET_DROP__COUNT] = {
		[INDYNET_DROP_TRUNCATED] = "truncated",
		[INDYNET_DROP_OVERSIZED] = "oversized",
		[INDYNET_DROP_MALFORMED] = "malformed",
		[INDYNET_DROP_RX_RING_FULL] = "rx_ring_full",
		[INDYNET_DROP_TX_RING_FULL] = "tx_ring_full",
		[INDYNET_DROP_FRAG_OVERLAP] = "frag_overlap",
		[INDYNET_DROP_FRAG_TIMEOUT] = "frag_timeout",
		[INDYNET_DROP_FRAG_LIMIT] = "frag_limit",
		[INDYNET_DROP_FRAG_TOO_BIG] = "frag_too_big",
		[INDYNET_DROP_NO_SERVICE] = "no_service",
		[INDYNET_DROP_BACKEND] = "backend",
		[INDYNET_DROP_OLD_SUBNET] = "old_subnet",
		[INDYNET_DROP_FLOW_LIMIT] = "flow_limit",
		[INDYNET_DROP_RX_FLUSHED] = "rx_flushed",
	};

	if ((unsigned)r >= INDYNET_DROP__COUNT)
		return "unknown";
	return names[r];
}

/* Parse a decimal number of 1..@maxdigits digits with no sign or space; -1 if not one. */
static long parse_decimal(const char *s, size_t len, size_t maxdigits)
{
	long v = 0;

	if (len == 0 || len > maxdigits)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parse "A.B.C.D" of exactly @len characters into host byte order. */
static bool parse_dotted(const char *s, size_t len, uint32_t *out)
{
	uint32_t addr = 0;
	size_t pos = 0;

	for (int part = 0; part < 4; part++) {
		size_t end = pos;
		long v;

		while (end < len && s[end] != '.')
			end++;
		if ((part < 3) != (end < len))
			return false;
		v = parse_decimal(s + pos, end - pos, 3);
		if (v < 0 || v > 255)
			return false;
		addr = addr << 8 | (uint32_t)v;
		pos = end + 1;
	}
	*out = addr;
	return true;
}

int indynet_subnet_parse(const char *text, uint32_t *net, unsigned *prefix, char *err, size_t errlen)
{
	const char *slash = text ? strchr(text, '/') : NULL;
	uint32_t addr, mask;
	long p;

	if (!slash || !parse_dotted(text, (size_t)(slash - text), &addr) ||
	    (p = parse_decimal(slash + 1, strlen(slash + 1), 2)) < 0 || p > 32) {
		snprintf(err, errlen, "'%s' is not an IPv4 subnet (expected A.B.C.D/P)", text ? text : "");
		return -EINVAL;
	}
	if ((unsigned)p > SUBNET_PREFIX_MAX) {
		snprintf(err, errlen, "prefix /%ld is too small (minimum /%u)", p, SUBNET_PREFIX_MAX);
		return -EINVAL;
	}
	if ((unsigned)p < SUBNET_PREFIX_MIN) {
		snprintf(err, errlen, "prefix /%ld is too large (maximum /%u)", p, SUBNET_PREFIX_MIN);
		return -EINVAL;
	}
	mask = ~0u << (32 - p);
	if (addr & ~mask) {
		uint32_t n = addr & mask;

		snprintf(err, errlen,
			 "%s is not the network address for /%ld (did you mean %u.%u.%u.%u/%ld?)", text, p,
			 n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255, p);
		return -EINVAL;
	}
	*net = htonl(addr);
	*prefix = (unsigned)p;
	return 0;
}

/* Parse one port field; name is "host port" or "guest port". */
static int forward_port(const char *spec, const char *s, size_t len, const char *name, uint16_t *out,
			char *err, size_t errlen)
{
	long v = parse_decimal(s, len, 9);

	if (v < 0) {
		snprintf(err, errlen, "forward '%s': %s '%.*s' is not a number", spec, name, (int)len, s);
		return -EINVAL;
	}
	if (v < 1 || v > 65535) {
		snprintf(err, errlen, "forward '%s': %s %ld is out of range (1-65535)", spec, name, v);
		return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

/* Split @spec at ':' into at most 5 fields; returns the field count. */
static size_t forward_split(const char *spec, const char *start[5], size_t len[5])
{
	size_t n = 0;
	const char *p = spec;

	for (;;) {
		const char *c = strchr(p, ':');

		if (n == 5)
			return 6;
		start[n] = p;
		len[n] = c ? (size_t)(c - p) : strlen(p);
		n++;
		if (!c)
			return n;
		p = c + 1;
	}
}

/* Parse the guest address field of @spec: a host address, not 0.0.0.0 or 255.255.255.255. */
static int forward_addr(const char *spec, const char *s, size_t len, uint32_t *out, char *err, size_t errlen)
{
	uint32_t a;

	if (!parse_dotted(s, len, &a) || a == 0 || a == 0xffffffffu) {
		snprintf(err, errlen, "forward '%s': guest address '%.*s' is not an IPv4 host address", spec,
			 (int)len, s);
		return -EINVAL;
	}
	*out = htonl(a);
	return 0;
}

/* Parse the optional bind field; true for "any". */
static int forward_bind(const char *spec, const char *s, size_t len, bool *any, char *err, size_t errlen)
{
	if (len == 3 && strncasecmp(s, "any", 3) == 0) {
		*any = true;
		return 0;
	}
	if (len == 9 && strncasecmp(s, "localhost", 9) == 0)
		return 0;
	snprintf(err, errlen, "forward '%s': bind '%.*s' is not 'any' or 'localhost'", spec, (int)len, s);
	return -EINVAL;
}

/* true when field 2 of a 4-field spec is a guest address (it holds a dot) rather than the guest port */
static bool forward_has_addr(size_t n, const char *f2, size_t l2)
{
	return n == 5 || (n == 4 && memchr(f2, '.', l2));
}

int indynet_forward_parse(const char *spec, struct indynet_forward *fw, char *err, size_t errlen)
{
	const char *f[5];
	size_t l[5];
	size_t n, g = 2;
	struct indynet_forward out = { 0 };

	if (!spec)
		spec = "";
	n = forward_split(spec, f, l);
	if (n < 3 || n > 5) {
		snprintf(err, errlen, "forward '%s': expected proto:host_port:[guest_addr:]guest_port[:any]", spec);
		return -EINVAL;
	}
	if (l[0] == 3 && strncasecmp(f[0], "udp", 3) == 0) {
		out.udp = true;
	} else if (!(l[0] == 3 && strncasecmp(f[0], "tcp", 3) == 0)) {
		snprintf(err, errlen, "forward '%s': protocol '%.*s' is not tcp or udp", spec, (int)l[0], f[0]);
		return -EINVAL;
	}
	if (forward_has_addr(n, f[2], l[2]) && forward_addr(spec, f[2], l[2], &out.guest_addr, err, errlen))
		return -EINVAL;
	if (out.guest_addr)
		g = 3;
	if (forward_port(spec, f[1], l[1], "host port", &out.host_port, err, errlen) ||
	    forward_port(spec, f[g], l[g], "guest port", &out.guest_port, err, errlen))
		return -EINVAL;
	if (n > g + 1 && forward_bind(spec, f[g + 1], l[g + 1], &out.any, err, errlen))
		return -EINVAL;
	*fw = out;
	return 0;
}

/* the length of a bracketed field at @s, its ']' included (all of @s without one) */
static int forward6_field_len(const char *s)
{
	size_t n = strcspn(s, "]");

	return (int)(s[n] ? n + 1 : n);
}

/* "[ADDR]" at *@p, then ':'; the address into @out, *@p moved past the ':'; false if not one */
static bool forward6_addr(const char **p, uint8_t out[16])
{
	const char *close = **p == '[' ? strchr(*p, ']') : NULL;
	char text[INET6_ADDRSTRLEN];
	size_t len;

	if (!close || close[1] != ':')
		return false;
	len = (size_t)(close - *p - 1);
	if (len >= sizeof(text))
		return false;
	memcpy(text, *p + 1, len);
	text[len] = '\0';
	*p = close + 2;
	return inet_pton(AF_INET6, text, out) == 1;
}

/* the port ending at ':' (@last: at the end of @spec) from *@p, *@p moved past it */
static int forward6_port(const char *spec, const char **p, bool last, const char *name, uint16_t *out,
			 char *err, size_t errlen)
{
	const char *end = last ? *p + strlen(*p) : strchr(*p, ':');

	if (!end) {
		snprintf(err, errlen, "forward '%s': expected proto:[host_addr]:host_port:[[guest_addr]:]guest_port",
			 spec);
		return -EINVAL;
	}
	if (forward_port(spec, *p, (size_t)(end - *p), name, out, err, errlen))
		return -EINVAL;
	*p = last ? end : end + 1;
	return 0;
}

/* the guest address field of an IPv6 spec, when there is one: a unicast address */
static int forward6_guest(const char *spec, const char **p, uint8_t out[16], char *err, size_t errlen)
{
	static const uint8_t zero[16];
	const char *start = *p;

	if (*start != '[')
		return 0;
	if (!forward6_addr(p, out) || memcmp(out, zero, 16) == 0 || out[0] == 0xff) {
		snprintf(err, errlen, "forward '%s': guest address '%.*s' is not an IPv6 unicast address", spec,
			 forward6_field_len(start), start);
		return -EINVAL;
	}
	return 0;
}

int indynet_forward6_parse(const char *spec, struct indynet_forward6 *fw, char *err, size_t errlen)
{
	struct indynet_forward6 out = { 0 };
	const char *p;

	if (!spec)
		spec = "";
	if (strncasecmp(spec, "udp:", 4) == 0) {
		out.udp = true;
	} else if (strncasecmp(spec, "tcp:", 4) != 0) {
		snprintf(err, errlen, "forward '%s': protocol '%.*s' is not tcp or udp", spec,
			 (int)strcspn(spec, ":"), spec);
		return -EINVAL;
	}
	p = spec + 4;
	if (!forward6_addr(&p, out.host_addr)) {
		snprintf(err, errlen, "forward '%s': host address '%.*s' is not an IPv6 address in brackets",
			 spec, forward6_field_len(spec + 4), spec + 4);
		return -EINVAL;
	}
	if (forward6_port(spec, &p, false, "host port", &out.host_port, err, errlen) ||
	    forward6_guest(spec, &p, out.guest_addr, err, errlen) ||
	    forward6_port(spec, &p, true, "guest port", &out.guest_port, err, errlen))
		return -EINVAL;
	*fw = out;
	return 0;
}
