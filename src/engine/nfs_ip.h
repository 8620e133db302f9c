/* SPDX-License-Identifier: MIT */
/* nfs_ip.h: candidate addresses for the bridge-mode phantom NFS host on a LAN subnet. */
#ifndef INDYNET_ENGINE_NFS_IP_H
#define INDYNET_ENGINE_NFS_IP_H

#include <stddef.h>
#include <stdint.h>

/* Most candidates one call yields. */
#define NFS_IP_MAX_CANDIDATES 16u

/**
 * nfs_ip_candidates() - addresses in the upper part of a subnet, for the phantom host.
 * @network: any address of the subnet (network byte order); host bits are ignored
 * @prefix: prefix length 0..32
 * @reserved: addresses never to suggest (the host's own, the gateway, the
 *            guest's ...), network byte order; may be NULL when @nreserved is 0
 * @nreserved: their number
 * @out: receives the candidates, best first (network byte order)
 * @max: capacity of @out; at most NFS_IP_MAX_CANDIDATES are written
 *
 * With h host bits, usable = 2^h - 2 and the first host is network + 1; the
 * candidates are first + k for k = floor(usable * 212 / 254) up to
 * floor(usable * 95 / 100), skipping @reserved and the network and broadcast
 * addresses.  A /24 yields .213, .214, ... never above .242; a /30 yields
 * network + 2; /0, /31 and /32 yield none.
 *
 * Return: the number of candidates written.
 */
size_t nfs_ip_candidates(uint32_t network, unsigned prefix, const uint32_t *reserved, size_t nreserved,
			 uint32_t *out, size_t max);

#endif /* INDYNET_ENGINE_NFS_IP_H */
