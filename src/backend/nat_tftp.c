/* SPDX-License-Identifier: MIT */
/* nat_tftp.c: TFTP at the gateway (--tftp DIR): every read request checked to stay inside DIR before libslirp serves it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend/nat_tftp.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"

#define NT_PORT 69
#define NT_RRQ 1
#define NT_WRQ 2
#define NT_ERROR 5
#define NT_ERR_NOT_FOUND 1
#define NT_ERR_ACCESS 2
#define NT_ERR_ILLEGAL 4
#define NT_NAME_MAX 512u /* libslirp's own limit on a request's file name */

/* 0 when @name resolves beneath @dirfd, without magic links, to a regular file; else the TFTP error */
static uint16_t nt_check(int dirfd, const char *name)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	struct stat st;
	long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	bool ok;

	if (fd < 0)
		return errno == ENOENT ? NT_ERR_NOT_FOUND : NT_ERR_ACCESS;
	ok = fstat((int)fd, &st) == 0 && S_ISREG(st.st_mode);
	close((int)fd);
	return ok ? 0 : NT_ERR_ACCESS;
}

/* the file name of a read request (@len >= 2): NUL-terminated inside the payload; NULL if none */
static const char *nt_rrq_name(const uint8_t *p, size_t len)
{
	const uint8_t *nul = memchr(p + 2, 0, len - 2 < NT_NAME_MAX ? len - 2 : NT_NAME_MAX);

	return nul && nul > p + 2 ? (const char *)(p + 2) : NULL;
}

/* the TFTP error @code from the gateway's port 69 back to the requester */
static size_t nt_error(uint32_t gw, const uint8_t *frame, const struct ipv4_view *ip, const struct udp_view *u,
		       uint16_t code, uint8_t *out)
{
	static const char *const msgs[] = { [NT_ERR_NOT_FOUND] = "File not found", [NT_ERR_ACCESS] = "Access violation",
					    [NT_ERR_ILLEGAL] = "Illegal TFTP operation" };
	const char *msg = msgs[code];
	uint8_t *tftp = out + ETH_HLEN + IPV4_HLEN + UDP_HLEN;
	uint8_t gw_mac[ETH_ALEN] = { 0x52, 0x55 };
	size_t plen = 4 + strlen(msg) + 1;

	tftp[0] = 0;
	tftp[1] = NT_ERROR;
	tftp[2] = 0;
	tftp[3] = (uint8_t)code;
	memcpy(tftp + 4, msg, plen - 4);
	udp_build(out + ETH_HLEN + IPV4_HLEN, gw, ip->src, NT_PORT, u->sport, plen);
	ipv4_build(out + ETH_HLEN, gw, ip->src, IPPROTO_UDP, 0, UDP_HLEN + plen);
	memcpy(gw_mac + 2, &gw, 4);
	eth_build(out, frame + ETH_ALEN, gw_mac, ETHERTYPE_IPV4);
	return ETH_HLEN + IPV4_HLEN + UDP_HLEN + plen;
}

size_t nat_tftp_refusal(int dirfd, uint32_t gw, const uint8_t *frame, size_t len, uint8_t *out, size_t cap)
{
	struct eth_view e;
	struct ipv4_view ip;
	struct udp_view u;
	const char *name;
	uint16_t code;

	if (cap < NAT_TFTP_FRAME_MAX || eth_parse(frame, len, &e) < 0 || e.ethertype != ETHERTYPE_IPV4 ||
	    ipv4_parse(e.payload, e.payload_len, &ip) < 0 || ip.proto != IPPROTO_UDP || ip.dst != gw ||
	    ipv4_is_fragment(&ip) || udp_parse(&ip, false, &u) < 0 || u.dport != NT_PORT || u.payload_len < 2 ||
	    u.payload[0] != 0)
		return 0;
	if (u.payload[1] == NT_WRQ)
		return nt_error(gw, frame, &ip, &u, NT_ERR_ILLEGAL, out);
	if (u.payload[1] != NT_RRQ)
		return 0; /* the session's acknowledgements and errors */
	name = nt_rrq_name(u.payload, u.payload_len);
	code = name ? nt_check(dirfd, name) : NT_ERR_ACCESS;
	return code ? nt_error(gw, frame, &ip, &u, code, out) : 0;
}
