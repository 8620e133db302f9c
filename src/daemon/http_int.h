/* SPDX-License-Identifier: MIT */
/* http_int.h: what http.c, http_api.c and http_token.c share. */
#ifndef INDYNETD_HTTP_INT_H
#define INDYNETD_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "http.h"
#include "usock.h"

struct http_server {
	struct cmd_ctx *ctx;
	struct MHD_Daemon *mhd;
	int unix_fd, tcp_fd;       /* listening sockets, -1 when not used */
	struct usock_gate unix_gate, tcp_gate; /* main thread: their accept backoff */
	char *unix_path;
	char addr[16];             /* TCP: the bound address ... */
	unsigned port;             /* ... and port */
	bool wildcard;             /* bound to 0.0.0.0 */
	unsigned idle_s;
	char token[HTTP_TOKEN_LEN + 1];
	char *token_path;          /* the token file, when this run wrote it (removed at close) */
	atomic_int clients;        /* connections handed to libmicrohttpd */
	atomic_int streams;        /* of which event streams */

	pthread_mutex_t ev_lock;   /* event streams wait on ev_cond until the next period or stop */
	pthread_cond_t ev_cond;
	bool ev_stop;              /* ev_lock */
};

/* One request being read (MHD's con_cls). */
struct http_req {
	char *body;                /* HTTP_BODY_MAX bytes once data arrives */
	size_t len;
	bool too_big;
};

/* http.c */
enum MHD_Result http_send_json(struct MHD_Connection *conn, unsigned status, json_t *body);
enum MHD_Result http_send_error(struct MHD_Connection *conn, unsigned status, const char *field,
				const char *msg);
void http_req_take(struct http_req *r, const char *data, size_t len);

/* http_api.c */
enum MHD_Result http_api(struct http_server *s, struct MHD_Connection *conn, const char *url,
			 const char *method, const struct http_req *r);
void http_events_init(struct http_server *s);
void http_events_stop(struct http_server *s);
void http_events_destroy(struct http_server *s);

/* http_token.c */
int http_token_setup(struct http_server *s, const char *path, char *err, size_t errlen);
void http_token_forget(struct http_server *s);

#endif
