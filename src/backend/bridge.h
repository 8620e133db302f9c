/* SPDX-License-Identifier: MIT */
/* bridge.h: the bridge backend: the guest's frames on a host interface's LAN through libpcap. */
#ifndef INDYNET_BACKEND_BRIDGE_H
#define INDYNET_BACKEND_BRIDGE_H

#include "backend/backend.h"

/* Frames read from the capture in one loop round at most; the rest waits for the next round. */
#define BRIDGE_DRAIN_CAP 2048u
/* RX ring slots kept for frames unicast to the guest: broadcast and multicast are shed below this. */
#define BRIDGE_RX_RESERVE 64u
/* Retries of a failed open start at this delay and double up to the cap (ms). */
#define BRIDGE_RETRY_MIN_MS 250u
#define BRIDGE_RETRY_MAX_MS 4000u

/**
 * bridge_new() - create a bridge backend capturing on a host interface.
 * @p: interface (name, 1-based index, "auto" or NULL = auto), kernel capture
 *     buffer (bytes, validated by the caller), guest MTU (larger frames from
 *     the LAN are re-segmented (TCP) or dropped), MAC translation mode, host
 *     reach (the guest's frames for the host's own address go to its stack)
 * @host: callbacks into the engine (copied)
 * @out: receives the backend
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * An interface that cannot be opened yet (absent, down, permission
 * missing) does not fail: the status says why and the open is retried.
 *
 * Return: 0 with *@out set, or a negative errno with @err filled: -ENODEV
 * ("auto" found no interface, an index out of range), -EINVAL (not a valid
 * interface name), -EIO (interfaces cannot be listed), -ENOMEM.
 */
int bridge_new(const struct backend_params *p, const struct backend_host *host, struct backend **out, char *err,
	       size_t errlen);

#endif /* INDYNET_BACKEND_BRIDGE_H */
