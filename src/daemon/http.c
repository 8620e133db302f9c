/* SPDX-License-Identifier: MIT */
/* http.c: the control API's HTTP server: listening sockets, admission, authentication, routing. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dlog.h"
#include "http_int.h"
#include "usock.h"
#include "web.h"

static enum MHD_Result http_send(struct MHD_Connection *conn, unsigned status, const char *type,
				 const void *data, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data, mode);
	enum MHD_Result rc;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

enum MHD_Result http_send_json(struct MHD_Connection *conn, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	enum MHD_Result rc;

	json_decref(body);
	if (!text)
		return MHD_NO;
	rc = http_send(conn, status, "application/json", text, strlen(text), MHD_RESPMEM_MUST_FREE);
	if (rc != MHD_YES)
		free(text);
	return rc;
}

enum MHD_Result http_send_error(struct MHD_Connection *conn, unsigned status, const char *field,
				const char *msg)
{
	json_t *body = json_pack("{s:s}", "error", msg);

	if (field && field[0])
		json_object_set_new(body, "field", json_string(field));
	return http_send_json(conn, status, body);
}

static bool http_conn_is_tcp(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return ci && ci->client_addr && ci->client_addr->sa_family == AF_INET;
}

/* "NAME[:PORT]" names this server: the bound address or localhost (any IPv4 literal on 0.0.0.0). */
static bool http_host_ok(const struct http_server *s, const char *host)
{
	char name[64];
	const char *colon = host ? strrchr(host, ':') : NULL;
	unsigned long port = 80;
	struct in_addr ip;
	size_t nlen;

	if (!host)
		return false;
	nlen = colon ? (size_t)(colon - host) : strlen(host);
	if (nlen == 0 || nlen >= sizeof(name))
		return false;
	if (colon && cmd_parse_ulong(colon + 1, 65535, &port) < 0)
		return false;
	memcpy(name, host, nlen);
	name[nlen] = '\0';
	if (port != s->port)
		return false;
	if (strcmp(name, "localhost") == 0 || strcmp(name, s->addr) == 0)
		return true;
	return s->wildcard && inet_pton(AF_INET, name, &ip) == 1;
}

static bool http_token_ok(const struct http_server *s, struct MHD_Connection *conn)
{
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);
	unsigned char diff = 0;

	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		return false;
	auth += 7;
	if (strlen(auth) != HTTP_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < HTTP_TOKEN_LEN; i++) /* constant time */
		diff |= (unsigned char)(auth[i] ^ s->token[i]);
	return diff == 0;
}

static enum MHD_Result http_unauthorized(struct MHD_Connection *conn)
{
	static const char msg[] = "{\"error\":\"missing or wrong bearer token (send 'Authorization: "
				  "Bearer TOKEN'; the token is in the daemon's token file)\"}";
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		sizeof(msg) - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"indynetd\"");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(conn, MHD_HTTP_UNAUTHORIZED, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result http_static(struct MHD_Connection *conn, const char *url, const char *method)
{
	const struct web_asset *a = web_find(url);
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (!a)
		return http_send_error(conn, MHD_HTTP_NOT_FOUND, NULL, "no such page");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return http_send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, NULL,
				       "the panel's files take GET only");
	resp = MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
				"form-action 'none'");
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* Host (TCP), size, then /api (token on TCP) or the panel's files. */
static enum MHD_Result http_answer(struct http_server *s, struct MHD_Connection *conn,
				   const char *url, const char *method, struct http_req *r)
{
	bool tcp = http_conn_is_tcp(conn);
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	char msg[160];

	if (tcp && !http_host_ok(s, host)) {
		snprintf(msg, sizeof(msg), "Host header '%.60s' does not name this server (%s:%u)",
			 host ? host : "", s->addr, s->port);
		return http_send_error(conn, MHD_HTTP_FORBIDDEN, NULL, msg);
	}
	if (r->too_big) {
		snprintf(msg, sizeof(msg), "request body larger than %d bytes", HTTP_BODY_MAX);
		return http_send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, msg);
	}
	if (strcmp(url, "/api") != 0 && strncmp(url, "/api/", 5) != 0)
		return http_static(conn, url, method);
	if (tcp && !http_token_ok(s, conn))
		return http_unauthorized(conn);
	return http_api(s, conn, url, method, r);
}

static enum MHD_Result http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				   const char *method, const char *version, const char *upload,
				   size_t *upload_size, void **con_cls)
{
	struct http_req *r = *con_cls;

	(void)version;
	if (!r) {
		*con_cls = r = calloc(1, sizeof(*r));
		return r ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		http_req_take(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return http_answer(cls, conn, url, method, r);
}

void http_req_take(struct http_req *r, const char *data, size_t len)
{
	if (r->too_big || len > HTTP_BODY_MAX - r->len) {
		r->too_big = true;
		return;
	}
	if (!r->body && !(r->body = malloc(HTTP_BODY_MAX))) {
		r->too_big = true;
		return;
	}
	memcpy(r->body + r->len, data, len);
	r->len += len;
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

static void http_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;

	(void)conn;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&s->clients, 1);
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	dlog(INDYNET_LOG_DEBUG, "http: %s", msg);
}

static int http_start_mhd(struct http_server *s, unsigned idle_s, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC | MHD_USE_ERROR_LOG;

	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_handle, s,
				  MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
				  MHD_OPTION_NOTIFY_COMPLETED, http_completed, s,
				  MHD_OPTION_NOTIFY_CONNECTION, http_notify, s,
				  MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, s,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_END);
	if (!s->mhd)
		snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd)");
	return s->mhd ? 0 : -1;
}

static int http_bind_unix(struct http_server *s, const char *path, char *err, size_t errlen)
{
	/* Whoever may connect may reconfigure the daemon: owner only. */
	s->unix_fd = usock_bind(path, SOCK_STREAM, 0600, err, errlen);
	if (s->unix_fd < 0)
		return -1;
	s->unix_path = strdup(path);
	if (!s->unix_path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int http_bind_tcp(struct http_server *s, const struct http_config *cfg, char *err,
			 size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->tcp_port) };
	socklen_t len = sizeof(sa);
	int one = 1;

	if (!cfg->allow_remote && !http_addr_is_loopback(cfg->tcp_addr)) {
		snprintf(err, errlen, "%s is not a loopback address (add --http-allow-remote to "
				      "serve other hosts)", cfg->tcp_addr);
		return -1;
	}
	inet_pton(AF_INET, cfg->tcp_addr, &sa.sin_addr);
	s->tcp_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->tcp_fd < 0 || setsockopt(s->tcp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s->tcp_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s->tcp_fd, 16) < 0 ||
	    getsockname(s->tcp_fd, (struct sockaddr *)&sa, &len) < 0) {
		snprintf(err, errlen, "%s:%u: %s", cfg->tcp_addr, cfg->tcp_port, strerror(errno));
		return -1;
	}
	snprintf(s->addr, sizeof(s->addr), "%s", cfg->tcp_addr);
	s->port = ntohs(sa.sin_port);
	s->wildcard = sa.sin_addr.s_addr == htonl(INADDR_ANY);
	return http_token_setup(s, cfg->token_file, err, errlen);
}

int http_open(const struct http_config *cfg, struct cmd_ctx *ctx, struct http_server **out,
	      char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->ctx = ctx;
	s->unix_fd = s->tcp_fd = -1;
	s->idle_s = cfg->idle_s ? cfg->idle_s : HTTP_IDLE_S;
	http_events_init(s);
	if ((cfg->unix_path && http_bind_unix(s, cfg->unix_path, err, errlen) < 0) ||
	    (cfg->tcp_addr && http_bind_tcp(s, cfg, err, errlen) < 0) ||
	    (!cfg->defer_start && http_start(s, err, errlen) < 0)) {
		http_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int http_start(struct http_server *s, char *err, size_t errlen)
{
	return http_start_mhd(s, s->idle_s, err, errlen);
}

void http_close(struct http_server *s)
{
	if (!s)
		return;
	http_events_stop(s);
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	if (s->unix_fd >= 0) {
		close(s->unix_fd);
		unlink(s->unix_path);
	}
	if (s->tcp_fd >= 0)
		close(s->tcp_fd);
	http_token_forget(s);
	http_events_destroy(s);
	free(s->unix_path);
	free(s);
}

const char *http_token(const struct http_server *s)
{
	return s->token[0] ? s->token : NULL;
}

unsigned http_tcp_port(const struct http_server *s)
{
	return s->tcp_fd >= 0 ? s->port : 0;
}

static int64_t http_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void http_poll_fill(struct http_server *s, struct pollfd *pfds, size_t *n, int *timeout_ms)
{
	int64_t now = http_mono_ms();

	if (!s)
		return;
	if (s->unix_fd >= 0 && usock_gate_open(&s->unix_gate, now, timeout_ms))
		pfds[(*n)++] = (struct pollfd){ .fd = s->unix_fd, .events = POLLIN };
	if (s->tcp_fd >= 0 && usock_gate_open(&s->tcp_gate, now, timeout_ms))
		pfds[(*n)++] = (struct pollfd){ .fd = s->tcp_fd, .events = POLLIN };
}

/* Tell the client why (one non-blocking write) and close. */
static void http_refuse(struct http_server *s, int fd)
{
	char body[160], msg[400];
	int blen = snprintf(body, sizeof(body),
			    "{\"error\":\"too many control clients (%d connected; idle ones are "
			    "closed after %u s)\"}", HTTP_CLIENTS, s->idle_s);
	int len = snprintf(msg, sizeof(msg),
			   "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
			   "Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
			   blen, body);
	char sink[4096];

	/* what the client sent already is read, so that closing does not reset the answer away */
	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	send(fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	close(fd);
	dlog(INDYNET_LOG_WARN, "control: connection refused: %d clients connected", HTTP_CLIENTS);
}

static void http_accept(struct http_server *s, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct usock_gate *g = lfd == s->unix_fd ? &s->unix_gate : &s->tcp_gate;
	int fd = usock_accept(lfd, g, "control", (struct sockaddr *)&ss, &sl, http_mono_ms());

	if (fd < 0)
		return;
	if (atomic_load(&s->clients) >= HTTP_CLIENTS) {
		http_refuse(s, fd);
		return;
	}
	atomic_fetch_add(&s->clients, 1);
	if (MHD_add_connection(s->mhd, fd, (struct sockaddr *)&ss, sl) != MHD_YES) {
		atomic_fetch_sub(&s->clients, 1);
		dlog(INDYNET_LOG_WARN, "control: cannot serve a connection: %s", strerror(errno));
	}
}

void http_poll_handle(struct http_server *s, const struct pollfd *pfds, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		if (pfds[i].revents & POLLIN)
			http_accept(s, pfds[i].fd);
}

int http_parse_addr(const char *text, char addr[16], unsigned *port, char *err, size_t errlen)
{
	const char *colon = strrchr(text, ':');
	unsigned long p;
	struct in_addr ip;
	size_t alen = colon ? (size_t)(colon - text) : 0;

	if (!colon || cmd_parse_ulong(colon + 1, 65535, &p) < 0) {
		snprintf(err, errlen, "'%.60s' is not ADDR:PORT (e.g. 127.0.0.1:8600)", text);
		return -1;
	}
	*port = (unsigned)p;
	if (alen == 9 && strncmp(text, "localhost", 9) == 0) {
		snprintf(addr, 16, "127.0.0.1");
		return 0;
	}
	if (alen > 0 && alen < 16) {
		memcpy(addr, text, alen);
		addr[alen] = '\0';
		if (inet_pton(AF_INET, addr, &ip) == 1)
			return 0;
	}
	snprintf(err, errlen, "'%.*s' is not an IPv4 address", (int)(alen > 40 ? 40 : alen), text);
	return -1;
}

bool http_addr_is_loopback(const char *addr)
{
	struct in_addr ip;

	return inet_pton(AF_INET, addr, &ip) == 1 && (ntohl(ip.s_addr) >> 24) == 127;
}
