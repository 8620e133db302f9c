/* SPDX-License-Identifier: MIT */
/* control.c: the live-control socket (--control PATH) and its one-shot client (--ctl). */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "dlog.h"
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
	struct cmd_ctx *ctx;
	struct control_client clients[CONTROL_CLIENTS];
};

/* Split @line into at most CONTROL_WORDS words in @copy; return the count (-1: too many). */
static int control_split(const char *line, char *copy, size_t len, char *words[CONTROL_WORDS])
{
	char *save = NULL;
	int n = 0;

	snprintf(copy, len, "%s", line);
	for (char *w = strtok_r(copy, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (n == CONTROL_WORDS)
			return -1;
		words[n++] = w;
	}
	return n;
}

/* How many leading @words spell @def's line words (0: no match). */
static int control_match(const struct cmd_def *def, char *const *words, int n)
{
	const char *p = def->line;
	int k = 0;

	if (n > 0 && strcmp(words[0], def->name) == 0)
		return 1;
	if (!p)
		return 0;
	for (; k < n && *p; k++) {
		size_t wl = strlen(words[k]);

		if (strncmp(p, words[k], wl) != 0 || (p[wl] != ' ' && p[wl] != '\0'))
			return 0;
		p += wl + (p[wl] == ' ');
	}
	return *p ? 0 : k;
}

/* The row whose line words match the most leading words. */
static const struct cmd_def *control_lookup(char *const *words, int n, int *used)
{
	size_t rows;
	const struct cmd_def *t = cmd_table(&rows), *best = NULL;

	*used = 0;
	for (size_t i = 0; i < rows; i++) {
		int k = control_match(&t[i], words, n);

		if (k > *used) {
			*used = k;
			best = &t[i];
		}
	}
	return best;
}

/* The words after the command: key=value fields and at most one bare .line_arg word. */
static int control_args(const struct cmd_def *def, char *const *words, int n, json_t *args,
			char *reply, size_t len)
{
	bool positional = false;

	for (int i = 0; i < n; i++) {
		char *eq = strchr(words[i], '=');

		if (eq) {
			*eq = '\0';
			json_object_set_new(args, words[i], json_string(eq + 1));
			continue;
		}
		if (!def->line_arg || positional) {
			snprintf(reply, len, "error: unexpected word '%.64s' after '%s'", words[i],
				 def->line ? def->line : def->name);
			return -1;
		}
		positional = true;
		json_object_set_new(args, def->line_arg, json_string(words[i]));
	}
	return 0;
}

static void control_unknown(const char *line, char *reply, size_t len)
{
	size_t rows, off;
	const struct cmd_def *t = cmd_table(&rows);

	off = (size_t)snprintf(reply, len, "error: unknown command '%.64s' (expected", line);
	for (size_t i = 0; i < rows && off < len; i++) {
		if (!t[i].line)
			continue;
		off += (size_t)snprintf(reply + off, len - off, "%s %s%s%s", i ? "," : "",
					t[i].line, t[i].line_arg ? " " : "",
					t[i].line_arg ? t[i].line_arg : "");
	}
	if (off < len)
		snprintf(reply + off, len - off, ")");
}

/* "ok TEXT" or "error: MESSAGE" for @res. */
static int control_format(const struct cmd_def *def, const struct cmd_result *res, char *reply,
			  size_t len)
{
	char *json;

	if (res->status >= 300) {
		snprintf(reply, len, "error: %s", res->error);
		return -1;
	}
	if (def->text) {
		size_t off = (size_t)snprintf(reply, len, "ok ");

		def->text(res->body, reply + off, len - off);
		if (reply[off] == '\0')
			reply[off - 1] = '\0';
		return 0;
	}
	json = json_dumps(res->body, JSON_COMPACT);
	snprintf(reply, len, "ok %s", json ? json : "{}");
	free(json);
	return 0;
}

int control_exec(struct cmd_ctx *ctx, const char *line, char *reply, size_t len)
{
	char copy[CONTROL_LINE_MAX];
	char *w[CONTROL_WORDS];
	struct cmd_result res;
	const struct cmd_def *def;
	json_t *args;
	int used, rc, n = control_split(line, copy, sizeof(copy), w);

	def = n > 0 ? control_lookup(w, n, &used) : NULL;
	if (!def) {
		control_unknown(line, reply, len);
		return -1;
	}
	args = json_object();
	if (control_args(def, w + used, n - used, args, reply, len) < 0) {
		json_decref(args);
		return -1;
	}
	cmd_run(ctx, def, json_object_size(args) ? args : NULL, &res);
	json_decref(args);
	rc = control_format(def, &res, reply, len);
	cmd_result_clear(&res);
	return rc;
}

int control_open(const char *path, struct cmd_ctx *ctx, struct control **out, char *err,
		 size_t errlen)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c || !(c->path = strdup(path))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->ctx = ctx;
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
		char reply[2048];
		size_t used = (size_t)(nl - cl->buf) + 1;
		size_t rlen;

		*nl = '\0';
		control_exec(c->ctx, cl->buf, reply, sizeof(reply) - 1);
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
