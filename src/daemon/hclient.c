/* SPDX-License-Identifier: MIT */
/* hclient.c: a minimal HTTP/1.0 client of the control API, over the unix socket or TCP. */
#include "hclient.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static int hclient_connect_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path %.40s... is longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int hclient_connect_tcp(const char *host, unsigned port, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", host);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	snprintf(err, errlen, "cannot connect to %s:%u: %s", host, port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int hclient_connect(const struct hclient_target *t, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = HCLIENT_TIMEOUT_S };
	int fd = t->unix_path ? hclient_connect_unix(t->unix_path, err, errlen)
			      : hclient_connect_tcp(t->host, t->port, err, errlen);

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	return fd;
}

static int hclient_send_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int hclient_send(int fd, const struct hclient_target *t, const char *method,
			const char *path, const char *body, char *err, size_t errlen)
{
	char head[1024], auth[160] = "", host[48];
	size_t blen = body ? strlen(body) : 0;
	int n;

	if (t->token)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %.100s\r\n", t->token);
	if (t->unix_path)
		snprintf(host, sizeof(host), "localhost");
	else
		snprintf(host, sizeof(host), "%s:%u", t->host, t->port);
	n = snprintf(head, sizeof(head),
		     "%s %s HTTP/1.0\r\nHost: %s\r\n%sAccept: application/json\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		     method, path, host, auth, blen);
	if (n < 0 || (size_t)n >= sizeof(head) || hclient_send_all(fd, head, (size_t)n) < 0 ||
	    hclient_send_all(fd, body ? body : "", blen) < 0) {
		snprintf(err, errlen, "cannot send the request: %s", n < 0 || (size_t)n >= sizeof(head)
			 ? "too long" : strerror(errno));
		return -1;
	}
	return 0;
}

/* Read until the header is complete; @buf keeps what came after it. */
static int hclient_read_head(int fd, char *buf, size_t cap, size_t *got, size_t *body_at,
			     int *status)
{
	char *end;

	*got = 0;
	while (!(end = memmem(buf, *got, "\r\n\r\n", 4))) {
		ssize_t n = *got < cap ? recv(fd, buf + *got, cap - *got, 0) : -1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		*got += (size_t)n;
	}
	*body_at = (size_t)(end - buf) + 4;
	if (*got < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || sscanf(buf + 9, "%3d", status) != 1)
		return -1;
	return 0;
}

static int hclient_read_body(int fd, struct hclient_resp *out)
{
	size_t cap = 4096;

	out->body = realloc(out->body, cap);
	for (;;) {
		ssize_t n;

		if (out->len + 1 >= cap) {
			if (cap >= HCLIENT_BODY_MAX)
				return -1;
			cap *= 2;
			out->body = realloc(out->body, cap);
		}
		if (!out->body)
			return -1;
		n = recv(fd, out->body + out->len, cap - 1 - out->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	out->body[out->len] = '\0';
	return 0;
}

int hclient_request(const struct hclient_target *t, const char *method, const char *path,
		    const char *body, struct hclient_resp *out, char *err, size_t errlen)
{
	char head[8192];
	size_t got, at;
	int fd = hclient_connect(t, err, errlen), rc = -1;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		goto done;
	/* A refused client is answered before its request is read: look for that answer too. */
	hclient_send(fd, t, method, path, body, err, errlen);
	if (hclient_read_head(fd, head, sizeof(head), &got, &at, &out->status) < 0) {
		snprintf(err, errlen, "no valid response from the daemon%s%s",
			 errno ? ": " : "", errno ? strerror(errno) : "");
		goto done;
	}
	out->body = malloc(got - at + 1);
	if (out->body) {
		memcpy(out->body, head + at, got - at);
		out->len = got - at;
	}
	if (!out->body || hclient_read_body(fd, out) < 0)
		snprintf(err, errlen, "the response was cut short or too large");
	else
		rc = 0;
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Hand every complete line in buf[0..*len) to @fn; keep the rest. */
static bool hclient_lines(char *buf, size_t *len, hclient_line_fn fn, void *opaque)
{
	char *nl;

	while ((nl = memchr(buf, '\n', *len))) {
		size_t used = (size_t)(nl - buf) + 1;
		bool more;

		*nl = '\0';
		more = fn(opaque, buf);
		memmove(buf, buf + used, *len - used);
		*len -= used;
		if (!more)
			return false;
	}
	return true;
}

int hclient_stream(const struct hclient_target *t, const char *path, hclient_line_fn fn,
		   void *opaque, int *status, char *err, size_t errlen)
{
	char buf[65536];
	size_t got, at, len;
	int fd = hclient_connect(t, err, errlen);

	if (fd < 0 || hclient_send(fd, t, "GET", path, NULL, err, errlen) < 0 ||
	    hclient_read_head(fd, buf, sizeof(buf) - 1, &got, &at, status) < 0) {
		if (fd >= 0)
			snprintf(err, errlen, "no valid response from the daemon");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	len = got - at;
	memmove(buf, buf + at, len);
	while (*status == 200 && hclient_lines(buf, &len, fn, opaque)) {
		ssize_t n = len < sizeof(buf) ? recv(fd, buf + len, sizeof(buf) - len, 0) : -1;

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return 0;
}

int hclient_parse_url(const char *url, char *host, unsigned *port)
{
	unsigned a, b, c, d, p;
	char rest[8] = "";
	int n = sscanf(url, "http://%3u.%3u.%3u.%3u:%5u%7s", &a, &b, &c, &d, &p, rest);

	if (n < 5 || a > 255 || b > 255 || c > 255 || d > 255 || p == 0 || p > 65535 ||
	    (n == 6 && strcmp(rest, "/") != 0))
		return -1;
	snprintf(host, 16, "%u.%u.%u.%u", a, b, c, d);
	*port = p;
	return 0;
}
