/* SPDX-License-Identifier: MIT */
/* usock.c: unix-domain socket helpers (addresses, binding over a stale socket). */
#include "usock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlog.h"

#define USOCK_PROBE_AGAIN_MS 50

socklen_t usock_addr(const char *path, struct sockaddr_un *sa)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len >= sizeof(sa->sun_path))
		len = sizeof(sa->sun_path) - 1;
	memcpy(sa->sun_path, path, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

/* One connect() to @path: 0 or the errno it failed with. */
static int usock_connect_once(const char *path, int type)
{
	struct sockaddr_un sa;
	socklen_t salen = usock_addr(path, &sa);
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, salen);
	int e = rc < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	return e;
}

/*
 * Is someone serving @path?  A connect() of the same type tells: refused
 * means a stale socket (its daemon died), success or a full backlog means
 * a live one, another type (EPROTOTYPE) means a live socket of that type.
 * A daemon starting up binds its stream socket a moment before it listens
 * (refused meanwhile), so a refusal is confirmed once, USOCK_PROBE_AGAIN_MS later.
 */
static int usock_probe(const char *path, int type, char *err, size_t errlen)
{
	int e = usock_connect_once(path, type);

	if (e == ECONNREFUSED && type == SOCK_STREAM) {
		usleep(USOCK_PROBE_AGAIN_MS * 1000);
		e = usock_connect_once(path, type);
	}
	if (e == ECONNREFUSED || e == ENOENT)
		return 0;
	if (e == 0 || e == EAGAIN || e == EPROTOTYPE)
		snprintf(err, errlen, "another indynetd is serving %s (or another program: stop it, "
				      "or choose another path)", path);
	else
		snprintf(err, errlen, "cannot tell whether %s is in use: %s", path, strerror(e));
	return -1;
}

/* A socket file at @path is unlinked when nobody serves it; anything else stays. */
static int usock_clear(const char *path, int type, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	if (usock_probe(path, type, err, errlen) < 0)
		return -1;
	unlink(path);
	return 0;
}

/* Datagrams that arrived before the chmod came from whoever the umask let in: dropped. */
static void usock_drain(int fd)
{
	char byte;

	while (recv(fd, &byte, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

int usock_bind(const char *path, int type, unsigned mode, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	socklen_t salen = usock_addr(path, &sa);
	int fd;

	if (usock_clear(path, type, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* listen() only after chmod(): nobody connects while the umask's mode is on the file. */
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0 || chmod(path, mode) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4) < 0)) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (type == SOCK_DGRAM)
		usock_drain(fd);
	return fd;
}

static bool usock_out_of_fds(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

/* Out of descriptors again: pause longer, and say so at the start of a streak and every 10 s. */
static void usock_gate_fail(struct usock_gate *g, const char *label, int err, int64_t now_ms)
{
	g->backoff_ms = g->backoff_ms ? g->backoff_ms * 2 : USOCK_BACKOFF_MIN_MS;
	if (g->backoff_ms > USOCK_BACKOFF_MAX_MS)
		g->backoff_ms = USOCK_BACKOFF_MAX_MS;
	g->until_ms = now_ms + g->backoff_ms;
	if (g->failed++ == 0 || now_ms - g->logged_ms >= USOCK_REMIND_MS) {
		dlog(INDYNET_LOG_WARN, "%s: accept failed: %s (%lu time(s)); accepting again in "
				       "%u ms at most", label, strerror(err), g->failed, g->backoff_ms);
		g->logged_ms = now_ms;
	}
}

int usock_accept(int lfd, struct usock_gate *g, const char *label, struct sockaddr *sa,
		 socklen_t *salen, int64_t now_ms)
{
	int fd = accept4(lfd, sa, salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int err = errno;

	if (fd < 0 && usock_out_of_fds(err))
		usock_gate_fail(g, label, err, now_ms);
	else if (fd >= 0 && g->failed) {
		dlog(INDYNET_LOG_INFO, "%s: accepting again (%lu accept(s) failed for lack of "
				       "descriptors)", label, g->failed);
		*g = (struct usock_gate){ 0 };
	}
	errno = err;
	return fd;
}

bool usock_gate_open(const struct usock_gate *g, int64_t now_ms, int *timeout_ms)
{
	int64_t wait = g->until_ms - now_ms;

	if (wait <= 0)
		return true;
	if (*timeout_ms < 0 || wait < *timeout_ms)
		*timeout_ms = (int)wait;
	return false;
}
