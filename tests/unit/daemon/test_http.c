/* SPDX-License-Identifier: MIT */
/* test_http.c: the HTTP control server on a real NAT engine: admission, timeouts, token, Host, routing. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/cmd.h"
#include "daemon/dlog.h"
#include "daemon/hclient.h"
#include "daemon/http.h"

struct fixture {
	struct daemon_opts opts;
	struct cmd_ctx ctx;
	indynet_engine *eng;
	struct http_server *http;
	pthread_t loop;
	atomic_bool stop;
	atomic_llong loop_ticks;   /* main-loop rounds: it must keep turning */
	char sock[64], token_file[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct indynet_config cfg;
	char err[256];

	dlog_set_level(INDYNET_LOG_ERROR);
	indynet_config_init(&cfg);
	cfg.log_level = INDYNET_LOG_ERROR;
	cfg.log = dlog_engine;
	assert_int_equal(indynet_engine_new(&cfg, &f->eng, err, sizeof(err)), 0);
	assert_int_equal(indynet_engine_start(f->eng), 0);
	opts_init(&f->opts);
	cmd_ctx_init(&f->ctx, f->eng, &f->opts);
	snprintf(f->sock, sizeof(f->sock), "/tmp/indynetd-http-%d.sock", (int)getpid());
	snprintf(f->token_file, sizeof(f->token_file), "/tmp/indynetd-http-%d.token", (int)getpid());
	unlink(f->token_file);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->http) {
		atomic_store(&f->stop, true);
		pthread_join(f->loop, NULL);
		http_close(f->http);
	}
	unlink(f->token_file);
	cmd_ctx_destroy(&f->ctx);
	indynet_engine_free(f->eng);
	opts_free(&f->opts);
	free(f);
	return 0;
}

/* The daemon's main loop, reduced to the control server. */
static void *serve(void *arg)
{
	struct fixture *f = arg;

	while (!atomic_load(&f->stop)) {
		struct pollfd pfds[2];
		size_t n = 0;
		int timeout = 5;

		http_poll_fill(f->http, pfds, &n, &timeout);
		if (poll(pfds, n, timeout) > 0)
			http_poll_handle(f->http, pfds, n);
		atomic_fetch_add(&f->loop_ticks, 1);
	}
	return NULL;
}

static void start(struct fixture *f, const struct http_config *hc)
{
	char err[256];

	assert_int_equal(http_open(hc, &f->ctx, &f->http, err, sizeof(err)), 0);
	assert_int_equal(pthread_create(&f->loop, NULL, serve, f), 0);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request through hclient; returns the status, the body in @body. */
static int request(const struct hclient_target *t, const char *method, const char *path,
		   const char *json, char *body, size_t len)
{
	struct hclient_resp r;
	char err[256];

	if (hclient_request(t, method, path, json, &r, err, sizeof(err)) < 0) {
		snprintf(body, len, "%s", err);
		free(r.body);
		return -1;
	}
	snprintf(body, len, "%s", r.body ? r.body : "");
	free(r.body);
	return r.status;
}

/* #20 item 6: idle clients are refused with the reason, then time out; a non-reader blocks nobody. */
static void test_idle_clients_and_refusal(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .unix_path = f->sock, .idle_s = 1 };
	struct hclient_target t = { .unix_path = f->sock };
	int idle[HTTP_CLIENTS];
	char body[4096];
	int64_t t0;

	start(f, &hc);
	for (int i = 0; i < HTTP_CLIENTS; i++)
		idle[i] = connect_unix(f->sock);
	usleep(100 * 1000);
	/* the 17th is told why, instead of "cannot send the command" */
	assert_int_equal(request(&t, "GET", "/api/status", NULL, body, sizeof(body)), 503);
	assert_non_null(strstr(body, "too many control clients (16 connected; idle ones are "
				     "closed after 1 s)"));
	/* the idle ones are closed after the timeout, and service resumes */
	t0 = mono_ms();
	while (request(&t, "GET", "/api/status", NULL, body, sizeof(body)) != 200)
		assert_true(mono_ms() - t0 < 4000);
	for (int i = 0; i < HTTP_CLIENTS; i++) {
		struct pollfd p = { .fd = idle[i], .events = POLLIN };
		char c;

		assert_int_equal(poll(&p, 1, 3000), 1);
		assert_int_equal(recv(idle[i], &c, 1, MSG_DONTWAIT), 0); /* closed by the server */
		close(idle[i]);
	}
}

static void test_non_reader_blocks_nobody(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .unix_path = f->sock };
	struct hclient_target t = { .unix_path = f->sock };
	static const char req[] = "GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n";
	char body[4096];
	int64_t t0, ticks;
	int fd, sndbuf = 4096;

	start(f, &hc);
	fd = connect_unix(f->sock);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* pipelined requests whose answers it never reads: the server's writes fill up */
	for (int i = 0; i < 2000; i++)
		if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
			break;
	usleep(300 * 1000);
	ticks = atomic_load(&f->loop_ticks);
	t0 = mono_ms();
	assert_int_equal(request(&t, "GET", "/api/forwards", NULL, body, sizeof(body)), 200);
	assert_true(mono_ms() - t0 < 1000);
	/* the main loop kept turning (a few rounds; a loaded machine may take a while) */
	while (atomic_load(&f->loop_ticks) <= ticks + 3)
		assert_true(mono_ms() - t0 < 3000 && usleep(5 * 1000) == 0);
	close(fd);
}

static void test_tcp_token_and_host(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .tcp_addr = "127.0.0.1", .token_file = f->token_file };
	struct hclient_target t = { .host = "127.0.0.1" };
	char body[4096], token[HTTP_TOKEN_LEN + 2] = "";
	struct stat st;
	int fd;

	start(f, &hc);
	t.port = http_tcp_port(f->http);
	assert_int_equal(stat(f->token_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	fd = open(f->token_file, O_RDONLY);
	assert_int_equal(read(fd, token, sizeof(token)), HTTP_TOKEN_LEN + 1);
	close(fd);
	token[HTTP_TOKEN_LEN] = '\0';
	assert_string_equal(token, http_token(f->http));
	assert_int_equal(request(&t, "GET", "/api/status", NULL, body, sizeof(body)), 401);
	t.token = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(request(&t, "GET", "/api/status", NULL, body, sizeof(body)), 401);
	t.token = token;
	assert_int_equal(request(&t, "GET", "/api/status", NULL, body, sizeof(body)), 200);
	/* the panel's files need no token */
	t.token = NULL;
	assert_int_equal(request(&t, "GET", "/", NULL, body, sizeof(body)), 200);
	assert_int_equal(request(&t, "POST", "/", NULL, body, sizeof(body)), 405);
	atomic_store(&f->stop, true);
	pthread_join(f->loop, NULL);
	http_close(f->http);
	f->http = NULL;
	/* the token file this run wrote is removed at shutdown */
	assert_int_equal(access(f->token_file, F_OK), -1);
}

/* Raw request with a chosen Host header over TCP; returns the status. */
static int raw_status(unsigned port, const char *head)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char buf[512] = "";
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
	ssize_t n;

	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true(send(fd, head, strlen(head), 0) > 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_WAITALL);
	close(fd);
	if (n > 12)
		sscanf(buf + 9, "%3d", &status);
	return status;
}

static void test_host_header(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .tcp_addr = "127.0.0.1", .token_file = f->token_file };
	char head[512];
	unsigned port;
	const char *hosts[] = { "evil.example", "127.0.0.1", "localhost:1", "127.0.0.1:x", "" };

	start(f, &hc);
	port = http_tcp_port(f->http);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		snprintf(head, sizeof(head), "GET /api/status HTTP/1.0\r\nHost: %s\r\n"
			 "Authorization: Bearer %s\r\n\r\n", hosts[i], http_token(f->http));
		assert_int_equal(raw_status(port, head), 403);
	}
	snprintf(head, sizeof(head), "GET /api/status HTTP/1.0\r\nAuthorization: Bearer %s\r\n\r\n",
		 http_token(f->http));
	assert_int_equal(raw_status(port, head), 403); /* no Host at all */
	snprintf(head, sizeof(head), "GET /api/status HTTP/1.0\r\nHost: localhost:%u\r\n"
		 "Authorization: Bearer:%s\r\n\r\n", port, http_token(f->http));
	assert_int_equal(raw_status(port, head), 401); /* the scheme is "Bearer", then a space */
	snprintf(head, sizeof(head), "GET /api/status HTTP/1.0\r\nHost: localhost:%u\r\n"
		 "Authorization: Bearer %s\r\n\r\n", port, http_token(f->http));
	assert_int_equal(raw_status(port, head), 200);
	snprintf(head, sizeof(head), "GET / HTTP/1.0\r\nHost: evil.example:%u\r\n\r\n", port);
	assert_int_equal(raw_status(port, head), 403); /* the panel too */
}

static void test_token_file_rules(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .tcp_addr = "127.0.0.1", .token_file = f->token_file };
	char err[256];
	struct http_server *s = NULL;
	int fd = open(f->token_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	/* readable by others: refused */
	assert_true(write(fd, "ab\n", 3) == 3);
	fchmod(fd, 0644);
	close(fd);
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "only its owner can read"));
	/* 0600 but no token in it: refused */
	chmod(f->token_file, 0600);
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not hold a token"));
	/* a given token is used and kept */
	fd = open(f->token_file, O_WRONLY | O_TRUNC);
	assert_true(write(fd, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
			  65) == 65);
	close(fd);
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), 0);
	assert_string_equal(http_token(s),
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	http_close(s);
	assert_int_equal(access(f->token_file, F_OK), 0);
	/* remote addresses only when allowed */
	hc.tcp_addr = "0.0.0.0";
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0.0.0.0 is not a loopback address (add --http-allow-remote"));
	hc.allow_remote = true;
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), 0);
	http_close(s);
}

/* An event stream gets the status at once; shutting down ends it promptly. */
static void test_events_and_shutdown(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .unix_path = f->sock };
	static const char req[] = "GET /api/events HTTP/1.0\r\nHost: x\r\n\r\n";
	char buf[8192];
	size_t got = 0;
	int fd;
	int64_t t0;

	start(f, &hc);
	fd = connect_unix(f->sock);
	assert_int_equal(send(fd, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	while (got < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		assert_true(n > 0);
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\n\n") && strstr(buf, "event: status\ndata: {\"mode\":\"nat\""))
			break;
	}
	assert_non_null(strstr(buf, "Content-Type: text/event-stream"));
	t0 = mono_ms();
	atomic_store(&f->stop, true);
	pthread_join(f->loop, NULL);
	http_close(f->http);
	f->http = NULL;
	assert_true(mono_ms() - t0 < 2000);
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	close(fd);
}

/* One raw request on the control socket; the whole response (head and body) in @buf. */
static int raw_unix(const char *sock, const char *req, char *buf, size_t len)
{
	int fd = connect_unix(sock), status = -1;
	size_t got = 0;
	ssize_t n;

	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) /* a refusal may close before all is sent */
		assert_int_equal(errno, EPIPE);
	while (got < len - 1 && (n = recv(fd, buf + got, len - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	if (got > 12)
		sscanf(buf + 9, "%3d", &status);
	return status;
}

/* As raw_unix(), the request sent in two writes 100 ms apart. */
static int raw_unix_split(const char *sock, const char *head, const char *tail, char *buf,
			  size_t len)
{
	int fd = connect_unix(sock), status = -1;
	size_t got = 0;
	ssize_t n;

	assert_int_equal(send(fd, head, strlen(head), 0), (ssize_t)strlen(head));
	usleep(100 * 1000);
	assert_int_equal(send(fd, tail, strlen(tail), 0), (ssize_t)strlen(tail));
	while (got < len - 1 && (n = recv(fd, buf + got, len - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	if (got > 12)
		sscanf(buf + 9, "%3d", &status);
	return status;
}

/* GET /api/status with an X-Pad header of @pad bytes; the status (-1: closed unanswered). */
static int huge_header(const char *sock, size_t pad, char *buf, size_t len)
{
	char *req = malloc(pad + 128);
	int n = sprintf(req, "GET /api/status HTTP/1.0\r\nHost: x\r\nX-Pad: ");
	int status;

	memset(req + n, 'p', pad);
	strcpy(req + n + pad, "\r\n\r\n");
	status = raw_unix(sock, req, buf, len);
	free(req);
	return status;
}

/* #21: a method a resource does not take is 405 with the methods it does; query arguments reach the command. */
static void test_api_routing(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .unix_path = f->sock };
	struct hclient_target t = { .unix_path = f->sock };
	char buf[8192], req[256], key[48], *big;

	start(f, &hc);
	assert_int_equal(raw_unix(f->sock, "PUT /api/forwards/tcp:8080 HTTP/1.0\r\nHost: x\r\n\r\n",
				  buf, sizeof(buf)), 405);
	assert_non_null(strstr(buf, "\r\nAllow: DELETE\r\n"));
	assert_non_null(strstr(buf, "\"error\":\"/api/forwards/tcp:8080 does not take PUT "
				     "(allowed: DELETE)\""));
	/* a resource several rows serve: the method picks the row */
	assert_int_equal(raw_unix(f->sock, "PUT /api/forwards HTTP/1.0\r\nHost: x\r\n\r\n",
				  buf, sizeof(buf)), 405);
	assert_non_null(strstr(buf, "\r\nAllow: GET, POST, DELETE, HEAD\r\n"));
	assert_int_equal(request(&t, "POST", "/api/events", NULL, buf, sizeof(buf)), 405);
	assert_int_equal(request(&t, "GET", "/api/nothing", NULL, buf, sizeof(buf)), 404);
	assert_non_null(strstr(buf, "no resource /api/nothing"));
	/* a query argument is handed to the command */
	assert_int_equal(request(&t, "GET", "/api/mount-help?os=hurd", NULL, buf, sizeof(buf)), 400);
	assert_non_null(strstr(buf, "os 'hurd' is not linux or irix"));
	assert_non_null(strstr(buf, "\"field\":\"os\"")); /* the argument at fault is named */
	/* only /api and /api/... are the API: /apistatus is a (missing) page of the panel */
	assert_int_equal(request(&t, "GET", "/apistatus", NULL, buf, sizeof(buf)), 404);
	assert_non_null(strstr(buf, "no such page"));
	/* headers are bounded by the 32 KiB per-connection memory (SECURITY.md) */
	assert_int_equal(huge_header(f->sock, 30 * 1024, buf, sizeof(buf)), 200);
	assert_int_equal(huge_header(f->sock, 34 * 1024, buf, sizeof(buf)), 431);
	/* the rest of the path is the argument */
	assert_int_equal(request(&t, "DELETE", "/api/forwards/tcp:8080", NULL, buf, sizeof(buf)), 404);
	assert_non_null(strstr(buf, "no forward tcp:8080 is active"));
	/* a body over the bound is refused whole (SECURITY.md: 16 KiB, 413) */
	big = malloc(HTTP_BODY_MAX + 2);
	memset(big, ' ', HTTP_BODY_MAX + 1);
	big[HTTP_BODY_MAX + 1] = '\0';
	big[0] = '{';
	big[HTTP_BODY_MAX] = '}';
	assert_int_equal(request(&t, "POST", "/api/forwards", big, buf, sizeof(buf)), 413);
	assert_non_null(strstr(buf, "request body larger than 16384 bytes"));
	big[HTTP_BODY_MAX - 1] = '}';
	big[HTTP_BODY_MAX] = '\0';
	assert_int_equal(request(&t, "POST", "/api/forwards", big, buf, sizeof(buf)), 400); /* fits: read */
	assert_non_null(strstr(buf, "proto is missing"));
	free(big);
	/* a body that arrives in two pieces is read whole */
	assert_int_equal(raw_unix_split(f->sock, "POST /api/forwards HTTP/1.0\r\nHost: x\r\n"
				       "Content-Type: application/json\r\nContent-Length: 23\r\n\r\n"
				       "{\"spec\":", "\"tcp:99999:80\"}", buf, sizeof(buf)), 400);
	assert_non_null(strstr(buf, "host port 99999 is out of range"));
	/* a value that is not UTF-8 is refused, the message naming its key (47 bytes are named whole) */
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	snprintf(req, sizeof(req), "/api/mount-help?%s=%%ff", key);
	assert_int_equal(request(&t, "GET", req, NULL, buf, sizeof(buf)), 400);
	snprintf(req, sizeof(req), "query argument '%s' is not UTF-8 text", key);
	assert_non_null(strstr(buf, req));
}

/* a TCP port free on ::1 */
static unsigned free_port6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t al = sizeof(a);
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	return ntohs(a.sin6_port);
}

/* #14: a forward add the library refuses is answered 409 or 400 with its reason, IPv4 and IPv6 alike. */
static void test_forward_add_refused(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .unix_path = f->sock };
	struct hclient_target t = { .unix_path = f->sock };
	char buf[4096], json[128];
	unsigned port = free_port6();

	start(f, &hc);
	assert_int_equal(request(&t, "POST", "/api/forwards", "{\"spec\":\"tcp:8080:80\",\"guest_port\":80}",
			 buf, sizeof(buf)), 400);
	assert_non_null(strstr(buf, "give either spec or the fields proto, host_port"));
	assert_int_equal(request(&t, "DELETE", "/api/forwards", "{\"id\":\"tcp6:8080\",\"proto\":\"tcp\"}",
			 buf, sizeof(buf)), 400);
	assert_non_null(strstr(buf, "give either id or the fields proto, host_port"));
	assert_int_equal(request(&t, "POST", "/api/forwards", "{\"spec\":\"tcp:8080:10.9.9.9:80\"}",
			 buf, sizeof(buf)), 400);
	assert_non_null(strstr(buf, "forward 'tcp:8080:10.9.9.9:80': guest address is not a host address of the NAT subnet"));
	assert_int_equal(request(&t, "POST", "/api/forwards", "{\"spec\":\"tcp:[::1]:8080:[fd01::5]:80\"}",
			 buf, sizeof(buf)), 400);
	assert_non_null(strstr(buf, "forward 'tcp:[::1]:8080:[fd01::5]:80': guest address is not a host of"));
	snprintf(json, sizeof(json), "{\"spec\":\"tcp:[::1]:%u:80\"}", port);
	assert_int_equal(request(&t, "POST", "/api/forwards", json, buf, sizeof(buf)), 201);
	assert_int_equal(request(&t, "POST", "/api/forwards", json, buf, sizeof(buf)), 409);
	assert_non_null(strstr(buf, "is already forwarded"));
	assert_non_null(strstr(buf, "\"field\":\"host_port\""));
}

/* Open an event stream; returns its socket once the answer's status line is in (in *status). */
static int open_stream(const char *sock, int *status)
{
	static const char req[] = "GET /api/events HTTP/1.0\r\nHost: x\r\n\r\n";
	char buf[64] = "";
	int fd = connect_unix(sock);

	assert_int_equal(send(fd, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	assert_int_equal(recv(fd, buf, 12, MSG_WAITALL), 12);
	*status = atoi(buf + 9);
	return fd;
}

/* Events received on @fd within @ms milliseconds (counting those already in @acc). */
static int events_within(int fd, char *acc, size_t len, int ms)
{
	int64_t end = mono_ms() + ms;
	size_t got = strlen(acc);
	int n = 0;

	for (int64_t now = mono_ms(); now < end && got < len - 1; now = mono_ms()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, (int)(end - now)) != 1 || (r = recv(fd, acc + got, len - 1 - got, 0)) <= 0)
			break;
		got += (size_t)r;
		acc[got] = '\0';
	}
	for (const char *e = strstr(acc, "event: status\ndata: {"); e; e = strstr(e + 1, "event: status"))
		n++;
	return n;
}

/*
 * #21: at most HTTP_EVENT_STREAMS streams at a time, and a closed one frees its
 * place; a stream's events come once a period, the first at once.
 */
static void test_event_streams_limit_and_pace(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .unix_path = f->sock };
	struct hclient_target t = { .unix_path = f->sock };
	static char acc[1 << 16];
	int fds[HTTP_EVENT_STREAMS], status, fd;
	char body[4096];

	start(f, &hc);
	for (int round = 0; round < 2; round++) {
		int64_t t0 = mono_ms();

		for (int i = 0; i < HTTP_EVENT_STREAMS; i++) {
			/* the places the last round's streams held come free once the server sees them closed */
			while ((fds[i] = open_stream(f->sock, &status)) >= 0 && status == 503) {
				close(fds[i]);
				assert_true(mono_ms() - t0 < 5000);
				usleep(50 * 1000);
			}
			assert_int_equal(status, 200);
		}
		assert_int_equal(request(&t, "GET", "/api/events", NULL, body, sizeof(body)), 503);
		assert_non_null(strstr(body, "too many event streams (8 open)"));
		for (int i = 0; i < HTTP_EVENT_STREAMS; i++)
			close(fds[i]);
	}
	/* the first event at once, the next a period later, not before */
	acc[0] = '\0';
	for (int64_t t0 = mono_ms(); (fd = open_stream(f->sock, &status)) >= 0 && status == 503;) {
		close(fd);
		assert_true(mono_ms() - t0 < 5000);
		usleep(50 * 1000);
	}
	assert_int_equal(events_within(fd, acc, sizeof(acc), 400), 1);
	assert_int_equal(events_within(fd, acc, sizeof(acc), HTTP_EVENT_PERIOD_MS / 2), 1);
	assert_int_equal(events_within(fd, acc, sizeof(acc), HTTP_EVENT_PERIOD_MS), 2);
	close(fd);
}

/* Descriptors open in this process. */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* #21: a server closed leaves no descriptor behind, even when it was started with stdin closed. */
static void test_close_releases_descriptors(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .unix_path = f->sock, .tcp_addr = "127.0.0.1",
				  .token_file = f->token_file };
	struct http_config tcp_only = { .tcp_addr = "127.0.0.1", .token_file = f->token_file };
	struct http_config unix_only = { .unix_path = f->sock };
	struct hclient_target t = { .host = "127.0.0.1" }, u = { .unix_path = f->sock };
	char err[256], body[4096];
	struct http_server *s = NULL;
	int in = dup(0), before = open_fds();

	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), 0);
	http_close(s);
	assert_int_equal(open_fds(), before);
	/* stdin closed: a listener (TCP, then the socket) is descriptor 0, served and closed like any other */
	close(0);
	for (int i = 0; i < 2; i++) {
		start(f, i ? &unix_only : &tcp_only);
		assert_true(fcntl(0, F_GETFD) >= 0);
		t.port = http_tcp_port(f->http);
		t.token = http_token(f->http);
		assert_int_equal(request(i ? &u : &t, "GET", "/api/status", NULL, body, sizeof(body)), 200);
		atomic_store(&f->stop, true);
		pthread_join(f->loop, NULL);
		http_close(f->http);
		f->http = NULL;
		atomic_store(&f->stop, false);
		assert_int_equal(fcntl(0, F_GETFD), -1);
	}
	assert_int_equal(dup2(in, 0), 0);
	close(in);
}

/* #21: a TCP listener needs a token file; one that cannot be written is not left behind. */
static void test_token_file_failures(void **state)
{
	struct fixture *f = *state;
	struct http_config hc = { .tcp_addr = "127.0.0.1" };
	struct rlimit old, none = { 0, 0 };
	char err[256];
	struct http_server *s = NULL;

	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a TCP listener needs a token file"));
	/* a token file that is a symbolic link is not followed (O_NOFOLLOW, SECURITY.md) */
	assert_int_equal(symlink("/etc/hostname", f->token_file), 0);
	hc.token_file = f->token_file;
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Too many levels of symbolic links"));
	unlink(f->token_file);
	/* a full disk, as far as the token file goes */
	getrlimit(RLIMIT_FSIZE, &old);
	none.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &none);
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_non_null(strstr(err, "cannot write the token file"));
	assert_int_equal(access(f->token_file, F_OK), -1); /* the next start generates one */
	assert_int_equal(http_open(&hc, &f->ctx, &s, err, sizeof(err)), 0);
	http_close(s);
}

static void test_parse_addr(void **state)
{
	char addr[16], err[128];
	unsigned port;

	(void)state;
	assert_int_equal(http_parse_addr("127.0.0.1:8600", addr, &port, err, sizeof(err)), 0);
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 8600);
	assert_int_equal(http_parse_addr("localhost:0", addr, &port, err, sizeof(err)), 0);
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(http_parse_addr("8600", addr, &port, err, sizeof(err)), -1);
	assert_string_equal(err, "'8600' is not ADDR:PORT (e.g. 127.0.0.1:8600)");
	assert_int_equal(http_parse_addr("host:8600", addr, &port, err, sizeof(err)), -1);
	assert_string_equal(err, "'host' is not an IPv4 address");
	assert_int_equal(http_parse_addr("1.2.3.4:65536", addr, &port, err, sizeof(err)), -1);
	assert_int_equal(http_parse_addr("127.100.100.100:1", addr, &port, err, sizeof(err)), 0);
	assert_string_equal(addr, "127.100.100.100"); /* the longest dotted address */
	assert_true(http_addr_is_loopback("127.3.2.1"));
	assert_false(http_addr_is_loopback("10.0.0.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_clients_and_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_reader_blocks_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_token_and_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_file_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_and_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_add_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_streams_limit_and_pace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_releases_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_file_failures, setup, teardown),
		cmocka_unit_test(test_parse_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
