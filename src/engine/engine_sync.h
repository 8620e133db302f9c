/* SPDX-License-Identifier: MIT */
/* engine_sync.h: process guest frames on the caller's thread (fuzzers and tests; not public API). */
#ifndef INDYNET_ENGINE_ENGINE_SYNC_H
#define INDYNET_ENGINE_ENGINE_SYNC_H

#include <stddef.h>

#include "indynet/indynet.h"

/**
 * eng_input_sync() - run one guest frame through the engine on this thread.
 * @e: an engine whose thread is not running (never started, or stopped)
 * @frame: Ethernet frame
 * @len: its length
 *
 * The frame takes the engine thread's path (checks, virtual hosts, NFS,
 * backend) at once; frames for the guest land on the RX ring, counters are
 * published and rx_notify runs, as at the end of an engine loop round.
 * The backend's sockets and timers are not serviced.
 *
 * Return: 0; -EMSGSIZE for a frame of a bad length (counted, as by
 * indynet_guest_send()); -EBUSY when the engine thread is running.
 */
int eng_input_sync(indynet_engine *e, const void *frame, size_t len);

#endif /* INDYNET_ENGINE_ENGINE_SYNC_H */
