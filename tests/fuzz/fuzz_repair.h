/* SPDX-License-Identifier: MIT */
/* fuzz_repair.h: fuzz targets recompute the checksums of mutated IPv4 frames so that mutations get past them. */
#ifndef INDYNET_FUZZ_REPAIR_H
#define INDYNET_FUZZ_REPAIR_H

#include <stddef.h>
#include <stdint.h>

/**
 * fz_repair() - recompute the checksums of a frame that looks like IPv4.
 * @f: Ethernet frame
 * @len: its length
 *
 * The IPv4 header checksum of a header that fits, and, unless the packet is
 * a fragment, the UDP, TCP or ICMP checksum of a payload that fits.
 */
void fz_repair(uint8_t *f, size_t len);

#endif
