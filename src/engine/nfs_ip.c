/* SPDX-License-Identifier: MIT */
/* nfs_ip.c: candidate addresses for the bridge-mode phantom NFS host on a LAN subnet. */
#include <arpa/inet.h>
#include <stdbool.h>

#include "engine/nfs_ip.h"

/*
 * Theory of operation
 *
 * The phantom host needs an address nobody on the LAN uses.  DHCP servers
 * usually hand out the lower part of a subnet, so the candidates come from
 * the upper part, scaled from a /24 (where they run .213 .. .242) to any
 * prefix.  Worked example, 10.1.0.0/23: h = 9, usable = 510, first =
 * 10.1.0.1, start = floor(510 * 212 / 254) = 425, cap = floor(510 * 95 /
 * 100) = 484; the candidates are 10.1.0.1 + 425 = 10.1.1.170, .171, ...
 * (16 at most).  The arithmetic is 64-bit so a /1 does not overflow.
 */

static bool nfs_ip_skip(uint32_t a, uint32_t net, uint32_t bcast, const uint32_t *reserved, size_t nreserved)
{
	if (a == net || a == bcast)
		return true;
	for (size_t i = 0; i < nreserved; i++)
		if (ntohl(reserved[i]) == a)
			return true;
	return false;
}

size_t nfs_ip_candidates(uint32_t network, unsigned prefix, const uint32_t *reserved, size_t nreserved,
			 uint32_t *out, size_t max)
{
	uint64_t usable, start, cap, hostmask;
	uint32_t net, first;
	size_t n = 0;

	if (prefix == 0 || prefix >= 31)
		return 0;
	hostmask = (1ull << (32 - prefix)) - 1;
	net = ntohl(network) & ~(uint32_t)hostmask;
	usable = hostmask - 1;
	first = net + 1;
	start = usable * 212 / 254;
	cap = usable * 95 / 100;
	if (max > NFS_IP_MAX_CANDIDATES)
		max = NFS_IP_MAX_CANDIDATES;
	for (uint64_t k = start; k <= cap && n < max; k++) {
		uint32_t a = first + (uint32_t)k;

		if (!nfs_ip_skip(a, net, net | (uint32_t)hostmask, reserved, nreserved))
			out[n++] = htonl(a);
	}
	return n;
}
