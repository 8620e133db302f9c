/* SPDX-License-Identifier: MIT */
/* pollset.c: the growable pollfd array the engine's poll loop shares with backends. */
#include <stdlib.h>

#include "backend/backend.h"

int poll_set_add(struct poll_set *ps, int fd, short events)
{
	if (ps->n == ps->cap) {
		unsigned cap = ps->cap ? ps->cap * 2 : 32;
		struct pollfd *fds = realloc(ps->fds, cap * sizeof(*fds));

		if (!fds)
			return -1;
		ps->fds = fds;
		ps->cap = cap;
	}
	ps->fds[ps->n] = (struct pollfd){ .fd = fd, .events = events, .revents = 0 };
	return (int)ps->n++;
}

void poll_set_free(struct poll_set *ps)
{
	free(ps->fds);
	*ps = (struct poll_set){ 0 };
}
