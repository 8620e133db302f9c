/* SPDX-License-Identifier: MIT */
/* hclient.h: a minimal HTTP/1.0 client of the control API, over the unix socket or TCP (indynetctl, --ctl). */
#ifndef INDYNETD_HCLIENT_H
#define INDYNETD_HCLIENT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One request per connection, HTTP/1.0 so that the server closes the
 * connection after the response and never uses chunked encoding: the body
 * is everything after the header, up to HCLIENT_BODY_MAX bytes.  Every
 * read and write times out after HCLIENT_TIMEOUT_S seconds (a stream
 * waits that long between events).
 */

#define HCLIENT_BODY_MAX (1u << 20)
#define HCLIENT_TIMEOUT_S 10

struct hclient_target {
	const char *unix_path;  /* the control socket, or NULL for TCP */
	const char *host;       /* TCP: dotted IPv4 address */
	unsigned port;          /* TCP */
	const char *token;      /* TCP: the bearer token, or NULL */
};

struct hclient_resp {
	int status;             /* HTTP status */
	char *body;             /* NUL-terminated, malloc'ed */
	size_t len;
};

/* Called with each complete line of a streamed body; return false to stop. */
typedef bool (*hclient_line_fn)(void *opaque, const char *line);

/**
 * hclient_request() - one request, the whole response.
 * @t: where the daemon is
 * @method: "GET" ...
 * @path: "/api/status"
 * @body: JSON text, or NULL
 * @out: receives the response; free out->body
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 (any HTTP status), or -1 when no response came.
 */
int hclient_request(const struct hclient_target *t, const char *method, const char *path,
		    const char *body, struct hclient_resp *out, char *err, size_t errlen);

/**
 * hclient_stream() - GET @path and hand each line of the body to @fn as it arrives.
 * @t: where the daemon is
 * @path: "/api/events"
 * @fn: line callback
 * @opaque: passed to @fn
 * @status: receives the HTTP status (the body of a non-200 answer is not streamed)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 when the stream ended or @fn stopped it, -1 on a connection error.
 */
int hclient_stream(const struct hclient_target *t, const char *path, hclient_line_fn fn,
		   void *opaque, int *status, char *err, size_t errlen);

/**
 * hclient_parse_url() - "http://A.B.C.D:PORT[/]" into @t's host and port.
 * @url: the URL
 * @host: receives the address (at least 16 bytes)
 * @port: receives the port
 *
 * Return: 0 or -1.
 */
int hclient_parse_url(const char *url, char *host, unsigned *port);

#endif
