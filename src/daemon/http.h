/* SPDX-License-Identifier: MIT */
/* http.h: the control API over HTTP (libmicrohttpd) on the unix control socket and an optional TCP port. */
#ifndef INDYNETD_HTTP_H
#define INDYNETD_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"

/*
 * Theory of operation
 *
 * Every row of the command table (cmd.h) is a resource: its method and
 * path.  A request becomes (row, JSON arguments: the body, the query
 * string, the rest of the path) and cmd_run() answers it; the status and
 * the body (or {"error": ..., "field": ...}) go back as they are.  Besides
 * the table: GET /api/events (server-sent events: the status once a
 * second) and the panel's files at / (web.h).
 *
 * Who may ask.  The unix socket is mode 0600: whoever can connect is the
 * owner (as with Docker's API), no token.  TCP (--http ADDR:PORT) binds a
 * loopback address unless allow_remote; every /api request there needs
 * "Authorization: Bearer TOKEN" (401 without; never a cookie, so another
 * origin's page cannot send it), and every request's Host header must
 * name the bound address, "localhost" or, when bound to 0.0.0.0, any IPv4
 * literal, with the port (403 otherwise: a DNS-rebinding page names its
 * own host).  No CORS header is ever sent.
 *
 * Threads.  The MAIN thread owns the listening sockets: it accepts (never
 * blocking) and hands each connection to libmicrohttpd, which serves it on
 * a thread of its own; so a slow or silent client never holds the main
 * thread.  At HTTP_CLIENTS connections a new one is answered "503 ... too
 * many control clients" (one non-blocking write) and closed; a connection
 * idle for HTTP_IDLE_S seconds is closed by libmicrohttpd, so idle clients
 * cannot lock others out for longer than that.  At most HTTP_EVENT_STREAMS
 * of the connections may be event streams.
 */

#define HTTP_CLIENTS 16
#define HTTP_EVENT_STREAMS 8
#define HTTP_IDLE_S 10
#define HTTP_BODY_MAX 16384
#define HTTP_TOKEN_LEN 64          /* hex characters */
#define HTTP_EVENT_PERIOD_MS 1000

struct http_server;

struct http_config {
	const char *unix_path;     /* the control socket, or NULL */
	const char *tcp_addr;      /* "A.B.C.D", or NULL for no TCP */
	unsigned tcp_port;
	bool allow_remote;
	const char *token_file;    /* TCP: where the token is kept (read if there, else written) */
	unsigned idle_s;           /* 0: HTTP_IDLE_S */
	bool defer_start;          /* bind only: http_start() starts libmicrohttpd's threads */
};

/**
 * http_open() - bind the sockets and start libmicrohttpd.
 * @cfg: where to listen
 * @ctx: what the commands act on (must outlive the server)
 * @out: receives the server
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int http_open(const struct http_config *cfg, struct cmd_ctx *ctx, struct http_server **out,
	      char *err, size_t errlen);

/**
 * http_start() - start libmicrohttpd after an http_open() with @cfg->defer_start.
 * @s: server
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * indynetd binds first and starts the threads once it is confined, so that
 * they inherit the sandbox.
 *
 * Return: 0 or -1.
 */
int http_start(struct http_server *s, char *err, size_t errlen);

/**
 * http_close() - stop serving, close every connection, unlink the unix socket; @s may be NULL.
 * @s: server
 */
void http_close(struct http_server *s);

/**
 * http_token() - the bearer token of the TCP listener.
 * @s: server
 *
 * Return: the token, or NULL without TCP.
 */
const char *http_token(const struct http_server *s);

/**
 * http_tcp_port() - the TCP port bound (useful with port 0), or 0.
 * @s: server
 *
 * Return: the port.
 */
unsigned http_tcp_port(const struct http_server *s);

/**
 * http_poll_fill() - main thread: add the listening sockets to @pfds (at most 2).
 * @s: server, may be NULL
 * @pfds: poll array
 * @n: in/out: entries used
 * @timeout_ms: poll timeout (-1: none), lowered while a socket's accepts pause
 *
 * A socket whose accept ran out of descriptors is left out until its pause ends.
 */
void http_poll_fill(struct http_server *s, struct pollfd *pfds, size_t *n, int *timeout_ms);

/**
 * http_poll_handle() - main thread: accept on the entries http_poll_fill() added.
 * @s: server, may be NULL
 * @pfds: the entries, starting at the first one it added
 * @n: how many it added
 */
void http_poll_handle(struct http_server *s, const struct pollfd *pfds, size_t n);

/**
 * http_parse_addr() - split "A.B.C.D:PORT" or "localhost:PORT".
 * @text: the address
 * @addr: receives the dotted address (at least 16 bytes)
 * @port: receives the port (0-65535; 0 picks a free one)
 * @err: receives what is wrong
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int http_parse_addr(const char *text, char addr[16], unsigned *port, char *err, size_t errlen);

/**
 * http_addr_is_loopback() - whether the dotted IPv4 @addr is in 127.0.0.0/8.
 * @addr: the address
 *
 * Return: true when it is.
 */
bool http_addr_is_loopback(const char *addr);

#endif
