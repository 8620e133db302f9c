/* SPDX-License-Identifier: MIT */
/* nat_accept.c: libslirp's forward listeners paused while their accept fails (no descriptors). */
#include "backend/nat_accept.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

/* libslirp 4.x polls a listening socket for exactly these (a connected one adds PRI). */
#define NAT_ACCEPT_LISTEN_EVENTS (SLIRP_POLL_IN | SLIRP_POLL_HUP | SLIRP_POLL_ERR)

static struct nat_accept_entry *nat_accept_find(struct nat_accept *a, int fd)
{
	for (unsigned i = 0; i < a->n; i++)
		if (a->e[i].fd == fd)
			return &a->e[i];
	return NULL;
}

/* A new entry, or one not failing (its listener may be gone: descriptors are reused); NULL when full. */
static struct nat_accept_entry *nat_accept_slot(struct nat_accept *a)
{
	if (a->n < NAT_ACCEPT_MAX) {
		a->e[a->n].fd = -1;
		return &a->e[a->n++];
	}
	for (unsigned i = 0; i < a->n; i++)
		if (!a->e[i].backoff_ms)
			return &a->e[i];
	return NULL;
}

bool nat_accept_filter(struct nat_accept *a, int fd, int slirp_events, int64_t now_ms)
{
	struct nat_accept_entry *e;

	if (slirp_events != NAT_ACCEPT_LISTEN_EVENTS)
		return true;
	e = nat_accept_find(a, fd);
	if (!e)
		e = nat_accept_slot(a);
	if (e && e->fd != fd)
		*e = (struct nat_accept_entry){ .fd = fd };
	if (e)
		e->idx = -1;
	return !e || now_ms >= e->until_ms;
}

void nat_accept_polled(struct nat_accept *a, int fd, int idx)
{
	struct nat_accept_entry *e = nat_accept_find(a, fd);

	if (e)
		e->idx = idx;
}

/*
 * Did libslirp's accept on @fd fail for lack of descriptors?  A connection
 * still queued on a listening socket says it failed, or that another one
 * came in meanwhile; a descriptor we cannot get either says which.
 */
static bool nat_accept_starved(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int listening = 0, probe;
	socklen_t len = sizeof(listening);

	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN) ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
		return false;
	probe = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (probe >= 0) {
		close(probe);
		return false;
	}
	return errno == EMFILE || errno == ENFILE;
}

static void nat_accept_fail(struct nat_accept_entry *e, int64_t now_ms)
{
	e->backoff_ms = e->backoff_ms ? e->backoff_ms * 2 : NAT_ACCEPT_MIN_MS;
	if (e->backoff_ms > NAT_ACCEPT_MAX_MS)
		e->backoff_ms = NAT_ACCEPT_MAX_MS;
	e->until_ms = now_ms + e->backoff_ms;
	if (e->failed++ == 0 || now_ms - e->logged_ms >= NAT_ACCEPT_REMIND_MS) {
		ilog(INDYNET_LOG_WARN, "nat: a forwarded connection cannot be accepted: out of "
				       "descriptors (%lu time(s)); retrying in %u ms", e->failed, e->backoff_ms);
		e->logged_ms = now_ms;
	}
}

void nat_accept_check(struct nat_accept *a, const struct poll_set *ps, int64_t now_ms)
{
	for (unsigned i = 0; i < a->n; i++) {
		struct nat_accept_entry *e = &a->e[i];

		if (e->idx < 0 || (unsigned)e->idx >= ps->n || !(ps->fds[e->idx].revents & POLLIN))
			continue;
		if (nat_accept_starved(e->fd)) {
			nat_accept_fail(e, now_ms);
		} else if (e->failed) {
			ilog(INDYNET_LOG_INFO, "nat: forwarded connections accepted again (%lu accept(s) "
					       "failed)", e->failed);
			*e = (struct nat_accept_entry){ .fd = e->fd, .idx = -1 };
		}
	}
}

void nat_accept_timeout(const struct nat_accept *a, int64_t now_ms, uint32_t *tmo_ms)
{
	for (unsigned i = 0; i < a->n; i++) {
		int64_t d = a->e[i].until_ms - now_ms;

		if (a->e[i].backoff_ms && d > 0 && (uint64_t)d < *tmo_ms)
			*tmo_ms = (uint32_t)d;
	}
}
