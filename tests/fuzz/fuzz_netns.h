/* SPDX-License-Identifier: MIT */
/* fuzz_netns.h: fuzz targets whose libslirp opens real sockets run in a network namespace of their own. */
#ifndef INDYNET_FUZZ_NETNS_H
#define INDYNET_FUZZ_NETNS_H

/**
 * fz_private_net() - move this process into a new network namespace with its loopback up.
 * @target: the target's name, for the message
 *
 * Aborts, naming the reason, when no namespace can be made: the target
 * must never let libslirp reach the real network.
 */
void fz_private_net(const char *target);

#endif
