/* SPDX-License-Identifier: MIT */
/* nat_fwd6.c: the NAT's IPv6 port forwards (libslirp's hostxfwd), kept for a new instance. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/nat.h"
#include "backend/nat_fwd6.h"
#include "core/log.h"

/* the guest's gateway and DNS inside its /64 (nat.c numbers them so) */
#define NF6_GATEWAY_HOST 2
#define NF6_DNS_HOST 3
#define NF6_PREFIX_BYTES 8

static const uint8_t nf6_zero[16];

char *indynet_forward6_format(const struct indynet_forward6 *fw, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN], guest[INET6_ADDRSTRLEN + 3] = "[";

	inet_ntop(AF_INET6, fw->host_addr, host, sizeof(host));
	if (memcmp(fw->guest_addr, nf6_zero, 16) == 0)
		guest[0] = '\0';
	else if (inet_ntop(AF_INET6, fw->guest_addr, guest + 1, INET6_ADDRSTRLEN))
		strcat(guest, "]:");
	snprintf(buf, len, "%s:[%s]:%u:%s%u", fw->udp ? "udp" : "tcp", host, (unsigned)fw->host_port, guest,
		 (unsigned)fw->guest_port);
	return buf;
}

static struct sockaddr_in6 nf6_sockaddr(const uint8_t addr[16], uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	memcpy(&sa.sin6_addr, addr, 16);
	return sa;
}

static int nf6_flags(const struct indynet_forward6 *fw)
{
	return SLIRP_HOSTFWD_V6ONLY | (fw->udp ? SLIRP_HOSTFWD_UDP : 0);
}

/* bind @fw on @s; 0 or -errno */
static int nf6_bind(Slirp *s, const struct indynet_forward6 *fw)
{
	struct sockaddr_in6 h = nf6_sockaddr(fw->host_addr, fw->host_port);
	struct sockaddr_in6 g = nf6_sockaddr(fw->guest_addr, fw->guest_port);

	errno = 0;
	if (slirp_add_hostxfwd(s, (struct sockaddr *)&h, sizeof(h), (struct sockaddr *)&g, sizeof(g),
			       nf6_flags(fw)) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

static void nf6_unbind(Slirp *s, const struct indynet_forward6 *fw)
{
	struct sockaddr_in6 h = nf6_sockaddr(fw->host_addr, fw->host_port);

	slirp_remove_hostxfwd(s, (struct sockaddr *)&h, sizeof(h), nf6_flags(fw));
}

static int nf6_error(const struct indynet_forward6 *fw, int rc, char *err, size_t errlen)
{
	char text[INDYNET_FORWARD6_TEXT_MAX];

	indynet_forward6_format(fw, text, sizeof(text));
	if (rc == -EINVAL)
		snprintf(err, errlen, "forward '%s': guest address is not a host of the NAT's IPv6 prefix", text);
	else if (rc == -EDESTADDRREQ)
		snprintf(err, errlen, "forward '%s': an IPv6 UDP forward needs the guest address "
			 "(libslirp follows the guest's address for TCP only)", text);
	else if (rc == -EEXIST)
		snprintf(err, errlen, "forward '%s': host port %u is already forwarded", text, fw->host_port);
	else
		nat_fwd_bind_error(text, fw->host_port, rc, err, errlen);
	return rc;
}

/* a guest address the forward may name: in the /64, not its ::, gateway or DNS */
static bool nf6_guest_ok(const struct in6_addr *prefix, const uint8_t a[16])
{
	static const uint8_t zero_iid[7];

	if (memcmp(a, nf6_zero, 16) == 0)
		return true;
	if (memcmp(a, prefix->s6_addr, NF6_PREFIX_BYTES) != 0)
		return false;
	return memcmp(a + NF6_PREFIX_BYTES, zero_iid, 7) != 0 ||
	       (a[15] != 0 && a[15] != NF6_GATEWAY_HOST && a[15] != NF6_DNS_HOST);
}

/* the forward holding the same host socket (protocol and port) */
static struct indynet_forward6 *nf6_find(const struct nat_fwd6 *t, const struct indynet_forward6 *fw)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->fw[i].udp == fw->udp && t->fw[i].host_port == fw->host_port)
			return &t->fw[i];
	return NULL;
}

static bool nf6_grow(struct nat_fwd6 *t)
{
	size_t cap = t->cap ? t->cap * 2 : 8;
	struct indynet_forward6 *p;

	if (t->n < t->cap)
		return true;
	p = realloc(t->fw, cap * sizeof(*p));
	if (!p)
		return false;
	t->fw = p;
	t->cap = cap;
	return true;
}

int nat_fwd6_add(struct nat_fwd6 *t, Slirp *s, const struct in6_addr *prefix, const struct indynet_forward6 *fw,
		 char *err, size_t errlen)
{
	int rc;

	if (nf6_find(t, fw))
		return nf6_error(fw, -EEXIST, err, errlen);
	if (!nf6_guest_ok(prefix, fw->guest_addr))
		return nf6_error(fw, -EINVAL, err, errlen);
	if (fw->udp && memcmp(fw->guest_addr, nf6_zero, 16) == 0) {
		nf6_error(fw, -EDESTADDRREQ, err, errlen);
		return -EINVAL;
	}
	if (!nf6_grow(t)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = nf6_bind(s, fw);
	if (rc < 0)
		return nf6_error(fw, rc, err, errlen);
	t->fw[t->n++] = *fw;
	return 0;
}

int nat_fwd6_remove(struct nat_fwd6 *t, Slirp *s, const struct indynet_forward6 *fw)
{
	struct indynet_forward6 *have = nf6_find(t, fw);

	if (!have || have->guest_port != fw->guest_port || memcmp(have->host_addr, fw->host_addr, 16) != 0 ||
	    memcmp(have->guest_addr, fw->guest_addr, 16) != 0)
		return -ENOENT;
	nf6_unbind(s, have);
	memmove(have, have + 1, (size_t)(t->fw + t->n - have - 1) * sizeof(*have));
	t->n--;
	return 0;
}

int nat_fwd6_rebind(struct nat_fwd6 *t, Slirp *s, char *err, size_t errlen)
{
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < t->n; i++) {
		int rc = nf6_bind(s, &t->fw[i]);

		if (rc < 0) {
			char msg[INDYNET_FORWARD6_TEXT_MAX + 80];

			nf6_error(&t->fw[i], rc, msg, sizeof(msg));
			ilog(INDYNET_LOG_WARN, "nat: dropped %s", msg);
			if (!ret)
				snprintf(err, errlen, "%s", msg);
			ret = ret ? ret : rc;
			continue;
		}
		t->fw[kept++] = t->fw[i];
	}
	t->n = kept;
	return ret;
}

void nat_fwd6_free(struct nat_fwd6 *t)
{
	free(t->fw);
	*t = (struct nat_fwd6){ 0 };
}
