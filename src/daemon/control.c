/* SPDX-License-Identifier: MIT */
/* control.c: the live-control socket (--control PATH) and its one-shot client (--ctl). */
#include "control.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "dlog.h"
#include "options.h"
#include "usock.h"

#define CONTROL_CLIENT_TIMEOUT_S 10

struct control_client {
	int fd;          /* -1: slot free */
	size_t len;
	char buf[CONTROL_LINE_MAX];
};

struct control {
	int listen_fd;
	char *path;
	indynet_engine *eng;
	struct control_client clients[CONTROL_CLIENTS];
};

static int control_reply(char *reply, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int control_reply(char *reply, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reply, len, fmt, ap);
	va_end(ap);
	return rc;
}

static int control_forward(indynet_engine *eng, const char *verb, const char *spec, char *reply,
			   size_t len)
{
	struct indynet_forward fw;
	char msg[256];
	int rc;

	if (indynet_forward_parse(spec, &fw, msg, sizeof(msg)) != 0)
		return control_reply(reply, len, -1, "error: %s", msg);
	if (strcmp(verb, "add") == 0) {
		msg[0] = '\0';
		rc = indynet_forward_add(eng, &fw, msg, sizeof(msg));
		if (rc < 0)
			return control_reply(reply, len, -1, "error: %s",
					     msg[0] ? msg : strerror(-rc));
		dlog(INDYNET_LOG_INFO, "control: forward %s added", spec);
		return control_reply(reply, len, 0, "ok");
	}
	if (indynet_forward_remove(eng, &fw) < 0)
		return control_reply(reply, len, -1, "error: forward '%s' is not active", spec);
	dlog(INDYNET_LOG_INFO, "control: forward %s removed", spec);
	return control_reply(reply, len, 0, "ok");
}

static int control_forward_list(indynet_engine *eng, char *reply, size_t len)
{
	struct indynet_forward fws[OPTS_MAX_FORWARDS * 4];
	size_t n = indynet_forward_list(eng, fws, sizeof(fws) / sizeof(fws[0]));
	size_t off;

	if (n > sizeof(fws) / sizeof(fws[0]))
		n = sizeof(fws) / sizeof(fws[0]);
	off = (size_t)snprintf(reply, len, "ok");
	for (size_t i = 0; i < n && off < len; i++) {
		char spec[40];

		off += (size_t)snprintf(reply + off, len - off, " %s",
					opts_forward_format(&fws[i], spec, sizeof(spec)));
	}
	return 0;
}

static int control_stats(indynet_engine *eng, char *reply, size_t len)
{
	struct indynet_stats st;
	char ip[INET_ADDRSTRLEN] = "none";
	size_t off;

	indynet_stats_get(eng, &st);
	if (st.guest_ip)
		inet_ntop(AF_INET, &st.guest_ip, ip, sizeof(ip));
	off = (size_t)snprintf(reply, len,
			       "ok tx_frames=%" PRIu64 " tx_bytes=%" PRIu64 " rx_frames=%" PRIu64
			       " rx_bytes=%" PRIu64 " guest_ip=%s",
			       st.tx_frames, st.tx_bytes, st.rx_frames, st.rx_bytes, ip);
	if (st.guest_mac_known && off < len)
		off += (size_t)snprintf(reply + off, len - off,
					" guest_mac=%02x:%02x:%02x:%02x:%02x:%02x", st.guest_mac[0],
					st.guest_mac[1], st.guest_mac[2], st.guest_mac[3],
					st.guest_mac[4], st.guest_mac[5]);
	for (int r = 0; r < INDYNET_DROP__COUNT && off < len; r++)
		off += (size_t)snprintf(reply + off, len - off, " drop_%s=%" PRIu64,
					indynet_drop_reason_name((enum indynet_drop_reason)r),
					st.drops[r]);
	return 0;
}

/* Split @line into at most 4 words in @copy; return the word count (5 = too many). */
static int control_split(const char *line, char *copy, size_t len, char *words[4])
{
	char *save = NULL;
	int n = 0;

	snprintf(copy, len, "%s", line);
	for (char *w = strtok_r(copy, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (n == 4)
			return 5;
		words[n++] = w;
	}
	return n;
}

int control_exec(indynet_engine *eng, const char *line, char *reply, size_t len)
{
	char copy[CONTROL_LINE_MAX];
	char *w[4] = { NULL };
	char msg[256];
	int n = control_split(line, copy, sizeof(copy), w);

	if (n == 3 && strcmp(w[0], "forward") == 0 &&
	    (strcmp(w[1], "add") == 0 || strcmp(w[1], "remove") == 0))
		return control_forward(eng, w[1], w[2], reply, len);
	if (n == 2 && strcmp(w[0], "forward") == 0 && strcmp(w[1], "list") == 0)
		return control_forward_list(eng, reply, len);
	if (n == 2 && strcmp(w[0], "subnet") == 0) {
		msg[0] = '\0';
		if (indynet_set_nat_subnet(eng, w[1], msg, sizeof(msg)) < 0)
			return control_reply(reply, len, -1, "error: %s",
					     msg[0] ? msg : "subnet change failed");
		return control_reply(reply, len, 0, "ok");
	}
	if (n == 1 && strcmp(w[0], "stats") == 0)
		return control_stats(eng, reply, len);
	return control_reply(reply, len, -1,
			     "error: unknown command '%.64s' (expected forward add|remove|list "
			     "SPEC, subnet CIDR or stats)",
			     line);
}

int control_open(const char *path, indynet_engine *eng, struct control **out, char *err,
		 size_t errlen)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c || !(c->path = strdup(path))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->eng = eng;
	for (int i = 0; i < CONTROL_CLIENTS; i++)
		c->clients[i].fd = -1;
	c->listen_fd = usock_bind(path, SOCK_STREAM, err, errlen);
	/* Whoever may connect may reconfigure the NAT: owner only. */
	if (c->listen_fd >= 0 && chmod(path, 0600) < 0) {
		snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
		close(c->listen_fd);
		unlink(path);
		c->listen_fd = -1;
	}
	if (c->listen_fd < 0) {
		free(c->path);
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static void control_drop_client(struct control_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	for (int i = 0; i < CONTROL_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			control_drop_client(&c->clients[i]);
	close(c->listen_fd);
	unlink(c->path);
	free(c->path);
	free(c);
}

void control_poll_fill(struct control *c, struct pollfd *pfds, size_t *n)
{
	if (!c)
		return;
	pfds[(*n)++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
	for (int i = 0; i < CONTROL_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			pfds[(*n)++] = (struct pollfd){ .fd = c->clients[i].fd, .events = POLLIN };
}

static void control_accept(struct control *c)
{
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	struct timeval tv = { .tv_sec = CONTROL_CLIENT_TIMEOUT_S };

	if (fd < 0)
		return;
	for (int i = 0; i < CONTROL_CLIENTS; i++) {
		if (c->clients[i].fd < 0) {
			/* Replies are short; a client that does not read them is cut off. */
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			c->clients[i].fd = fd;
			c->clients[i].len = 0;
			return;
		}
	}
	dlog(INDYNET_LOG_WARN, "control: too many clients; connection refused");
	close(fd);
}

/* Run every complete line in the client's buffer; false when the client must go. */
static bool control_run_lines(struct control *c, struct control_client *cl)
{
	char *nl;

	while ((nl = memchr(cl->buf, '\n', cl->len))) {
		char reply[1024];
		size_t used = (size_t)(nl - cl->buf) + 1;
		size_t rlen;

		*nl = '\0';
		control_exec(c->eng, cl->buf, reply, sizeof(reply) - 1);
		rlen = strlen(reply);
		reply[rlen++] = '\n';
		if (send(cl->fd, reply, rlen, MSG_NOSIGNAL) != (ssize_t)rlen)
			return false;
		memmove(cl->buf, cl->buf + used, cl->len - used);
		cl->len -= used;
	}
	return cl->len < sizeof(cl->buf);
}

static void control_read(struct control *c, struct control_client *cl)
{
	ssize_t n = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - cl->len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		control_drop_client(cl);
		return;
	}
	cl->len += (size_t)n;
	if (!control_run_lines(c, cl)) {
		static const char too_long[] = "error: line too long\n";

		if (cl->len == sizeof(cl->buf))
			send(cl->fd, too_long, sizeof(too_long) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		control_drop_client(cl);
	}
}

void control_poll_handle(struct control *c, const struct pollfd *pfds, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!pfds[i].revents)
			continue;
		if (pfds[i].fd == c->listen_fd) {
			control_accept(c);
			continue;
		}
		for (int k = 0; k < CONTROL_CLIENTS; k++)
			if (c->clients[k].fd == pfds[i].fd)
				control_read(c, &c->clients[k]);
	}
}

static int control_client_connect(const char *path)
{
	struct sockaddr_un sa;
	socklen_t salen = usock_addr(path, &sa);
	struct timeval tv = { .tv_sec = CONTROL_CLIENT_TIMEOUT_S };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int control_client_run(const char *path, const char *command)
{
	char line[CONTROL_LINE_MAX + 1];
	char reply[4096];
	size_t got = 0;
	int fd = control_client_connect(path);
	int len = snprintf(line, sizeof(line), "%s\n", command);

	if (fd < 0) {
		fprintf(stderr, "indynetd: cannot connect to %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (strchr(command, '\n')) {
		fprintf(stderr, "indynetd: a command is one line\n");
		close(fd);
		return 1;
	}
	if (len >= (int)sizeof(line) || send(fd, line, (size_t)len, MSG_NOSIGNAL) != len) {
		fprintf(stderr, "indynetd: cannot send the command to %s\n", path);
		close(fd);
		return 1;
	}
	while (got < sizeof(reply) - 1 && !memchr(reply, '\n', got)) {
		ssize_t n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	reply[got] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	if (got == 0) {
		fprintf(stderr, "indynetd: no reply from %s\n", path);
		return 1;
	}
	printf("%s\n", reply);
	return strncmp(reply, "ok", 2) == 0 && (reply[2] == '\0' || reply[2] == ' ') ? 0 : 1;
}
