/* SPDX-License-Identifier: MIT */
/* engine_sync.h: process guest frames on the caller's thread (fuzzers and tests; not public API). */
#ifndef INDYNET_ENGINE_ENGINE_SYNC_H
#define INDYNET_ENGINE_ENGINE_SYNC_H

#include <stddef.h>

#include "backend/backend.h"
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

/** Builds an engine's backend (backend_new() is the real one). */
typedef int eng_backend_factory(const struct backend_params *p, const struct backend_host *host,
				struct backend **out, char *err, size_t errlen);

/**
 * eng_new_with_backend() - indynet_engine_new() with another backend factory (tests).
 * @cfg: configuration
 * @make: builds the backend
 * @out: receives the engine
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: as indynet_engine_new().
 */
int eng_new_with_backend(const struct indynet_config *cfg, eng_backend_factory *make, indynet_engine **out,
			 char *err, size_t errlen);

/**
 * eng_tick_sync() - run the timers of one loop round at @now_ms (engine thread not running).
 * @e: engine
 * @now_ms: monotonic clock, as clock_mono_ms() counts (a test may run it ahead)
 *
 * The phantom host learns the backend's LAN and sends its due probes,
 * incomplete fragments age out, counters are published and rx_notify
 * runs.  Nothing is polled.
 */
void eng_tick_sync(indynet_engine *e, uint64_t now_ms);

#endif /* INDYNET_ENGINE_ENGINE_SYNC_H */
