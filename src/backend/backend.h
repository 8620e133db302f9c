/* SPDX-License-Identifier: MIT */
/* backend.h: the small operations table every backend (NAT, later bridge) implements. */
#ifndef INDYNET_BACKEND_BACKEND_H
#define INDYNET_BACKEND_BACKEND_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indynet/indynet.h"

/*
 * A backend carries the frames the virtual hosts did not consume to the
 * world and brings the world's frames back.  It runs entirely on the
 * engine thread: the engine's poll loop asks it which descriptors to watch
 * (poll_fill), polls, then hands it the results (poll_done).  Frames for
 * the guest leave through backend_host.to_guest.
 */

/** Descriptors one poll(2) round watches; grows on demand, never shrinks. */
struct poll_set {
	struct pollfd *fds;
	unsigned n;
	unsigned cap;
};

/**
 * poll_set_add() - append a descriptor to the set.
 * @ps: set
 * @fd: descriptor
 * @events: poll(2) events
 *
 * Return: its index, or -1 when memory ran out.
 */
int poll_set_add(struct poll_set *ps, int fd, short events);

/**
 * poll_set_free() - release the set's storage.
 * @ps: set
 */
void poll_set_free(struct poll_set *ps);

/** What a backend may call back into the engine. */
struct backend_host {
	/* a frame for the guest (engine thread) */
	void (*to_guest)(void *opaque, const uint8_t *frame, size_t len);
	/* a frame (either way) the backend dropped, counted by reason (engine thread) */
	void (*drop)(void *opaque, enum indynet_drop_reason reason);
	void *opaque;
};

struct backend;

struct backend_ops {
	const char *name;
	void (*free)(struct backend *b);
	/* a guest frame the virtual hosts did not consume */
	void (*input)(struct backend *b, const uint8_t *frame, size_t len);
	/* add descriptors to watch; lower *timeout_ms (-1 = none) for timers */
	void (*poll_fill)(struct backend *b, struct poll_set *ps, int *timeout_ms);
	/* after poll(2): handle readiness of the descriptors added and timers */
	void (*poll_done)(struct backend *b, const struct poll_set *ps, bool poll_error);
	int (*forward_add)(struct backend *b, const struct indynet_forward *fw, char *err, size_t errlen);
	int (*forward_remove)(struct backend *b, const struct indynet_forward *fw);
	size_t (*forward_list)(struct backend *b, struct indynet_forward *out, size_t max);
};

/** Common head of every backend. */
struct backend {
	const struct backend_ops *ops;
};

#endif /* INDYNET_BACKEND_BACKEND_H */
