/* SPDX-License-Identifier: MIT */
/* http_api.c: /api requests - routing onto the command table, arguments from body/query/path, event streams. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

/*
 * Worked example: DELETE /api/forwards/tcp:8080 with no body.  The rows
 * with path "/api/forwards" do not match (the path is longer); the row
 * "forwards.remove-id" has path "/api/forwards/" with path_arg "id", so
 * its arguments are {"id":"tcp:8080"}.  Had the method been PUT, no row
 * would take it and the answer would be 405 with "Allow: DELETE".
 */

static bool http_path_match(const struct cmd_def *d, const char *url, const char **rest)
{
	size_t plen = strlen(d->path);

	if (!d->path_arg)
		return strcmp(url, d->path) == 0;
	if (strncmp(url, d->path, plen) != 0 || !url[plen] || strchr(url + plen, '/'))
		return false;
	*rest = url + plen;
	return true;
}

static void http_allow_add(char *allow, size_t len, const char *method)
{
	size_t off = strlen(allow);

	if (!strstr(allow, method))
		snprintf(allow + off, len - off, "%s%s", off ? ", " : "", method);
}

/* The row for @url and @method (HEAD as GET); @allow receives the methods @url takes. */
static const struct cmd_def *http_route(const char *url, const char *method, char *allow,
					size_t alen, const char **rest)
{
	size_t rows;
	const struct cmd_def *t = cmd_table(&rows), *hit = NULL;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	allow[0] = '\0';
	for (size_t i = 0; i < rows; i++) {
		const char *r = NULL;

		if (!http_path_match(&t[i], url, &r))
			continue;
		http_allow_add(allow, alen, t[i].method);
		if (strcmp(t[i].method, m) == 0 && !hit) {
			hit = &t[i];
			*rest = r;
		}
	}
	if (strstr(allow, "GET"))
		http_allow_add(allow, alen, "HEAD");
	return hit;
}

static enum MHD_Result http_not_allowed(struct MHD_Connection *conn, const char *url,
					const char *method, const char *allow)
{
	char msg[200];
	json_t *body;
	char *text;
	struct MHD_Response *resp;
	enum MHD_Result rc;

	snprintf(msg, sizeof(msg), "%.60s does not take %.10s (allowed: %s)", url, method, allow);
	body = json_pack("{s:s}", "error", msg);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	rc = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
	MHD_destroy_response(resp);
	return rc;
}

struct http_query {
	json_t *obj;
	char bad[48];      /* a key or value that is not UTF-8 */
};

static enum MHD_Result http_query_kv(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct http_query *q = cls;
	json_t *v = json_string(value ? value : "");

	(void)kind;
	if (!v || json_object_set_new(q->obj, key, v) < 0)
		snprintf(q->bad, sizeof(q->bad), "%s", key);
	return MHD_YES;
}

/* Arguments: the query (GET) or the JSON body, plus the rest of the path. */
static json_t *http_args(struct MHD_Connection *conn, const char *method, const struct http_req *r,
			 struct cmd_result *res)
{
	struct http_query q = { .obj = json_object() };
	json_error_t je;
	json_t *body;

	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || r->len == 0) {
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_query_kv, &q);
		if (q.bad[0])
			cmd_fail(res, CMD_BAD_REQUEST, q.bad, "query argument '%s' is not UTF-8 text",
				 q.bad);
		return q.obj;
	}
	json_decref(q.obj);
	body = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &je);
	if (!body)
		cmd_fail(res, CMD_BAD_REQUEST, NULL, "invalid JSON: %s (line %d, column %d)",
			 je.text, je.line, je.column);
	return body;
}

static enum MHD_Result http_api_events(struct http_server *s, struct MHD_Connection *conn,
				       const char *method);

enum MHD_Result http_api(struct http_server *s, struct MHD_Connection *conn, const char *url,
			 const char *method, const struct http_req *r)
{
	char allow[64], msg[120];
	const char *rest = NULL;
	const struct cmd_def *def;
	struct cmd_result res = { .status = CMD_OK };
	json_t *args;

	if (strcmp(url, "/api/events") == 0)
		return http_api_events(s, conn, method);
	def = http_route(url, method, allow, sizeof(allow), &rest);
	if (!def && !allow[0]) {
		snprintf(msg, sizeof(msg), "no resource %.80s", url);
		return http_send_error(conn, MHD_HTTP_NOT_FOUND, NULL, msg);
	}
	if (!def)
		return http_not_allowed(conn, url, method, allow);
	args = http_args(conn, method, r, &res);
	if (args && rest && json_object_set_new(args, def->path_arg, json_string(rest)) < 0)
		cmd_fail(&res, CMD_BAD_REQUEST, def->path_arg, "the path is not UTF-8 text");
	if (res.status < 300)
		cmd_run(s->ctx, def, !json_is_object(args) || json_object_size(args) ? args : NULL,
			&res);
	json_decref(args);
	if (res.status >= 300)
		return http_send_error(conn, (unsigned)res.status, res.field, res.error);
	return http_send_json(conn, (unsigned)res.status, res.body);
}

/* ---- GET /api/events: "event: status" with the status object, every HTTP_EVENT_PERIOD_MS ---- */

struct http_stream {
	struct http_server *s;
	char *buf;
	size_t len, off;
	struct timespec next;      /* CLOCK_MONOTONIC: when the next event is due */
};

void http_events_init(struct http_server *s)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&s->ev_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->ev_cond, &ca);
	pthread_condattr_destroy(&ca);
}

void http_events_stop(struct http_server *s)
{
	pthread_mutex_lock(&s->ev_lock);
	s->ev_stop = true;
	pthread_cond_broadcast(&s->ev_cond);
	pthread_mutex_unlock(&s->ev_lock);
}

void http_events_destroy(struct http_server *s)
{
	pthread_cond_destroy(&s->ev_cond);
	pthread_mutex_destroy(&s->ev_lock);
}

/* Sleep until @st's next event is due; false when the server stops. */
static bool http_stream_wait(struct http_stream *st)
{
	struct http_server *s = st->s;
	bool stop;

	pthread_mutex_lock(&s->ev_lock);
	while (!s->ev_stop && pthread_cond_timedwait(&s->ev_cond, &s->ev_lock, &st->next) != ETIMEDOUT)
		;
	stop = s->ev_stop;
	pthread_mutex_unlock(&s->ev_lock);
	st->next.tv_nsec += (long)HTTP_EVENT_PERIOD_MS * 1000000L;
	st->next.tv_sec += st->next.tv_nsec / 1000000000L;
	st->next.tv_nsec %= 1000000000L;
	return !stop;
}

static void http_stream_fill(struct http_stream *st)
{
	struct cmd_result res;
	char *json;

	cmd_run(st->s->ctx, cmd_find("status"), NULL, &res);
	json = res.status < 300 ? json_dumps(res.body, JSON_COMPACT) : NULL;
	cmd_result_clear(&res);
	free(st->buf);
	st->buf = NULL;
	st->off = 0;
	if (asprintf(&st->buf, "event: status\ndata: %s\n\n", json ? json : "{}") < 0)
		st->buf = NULL;
	st->len = st->buf ? strlen(st->buf) : 0;
	free(json);
}

static ssize_t http_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *st = cls;
	size_t n;

	(void)pos;
	if (st->off == st->len) {
		if (!http_stream_wait(st))
			return MHD_CONTENT_READER_END_OF_STREAM;
		http_stream_fill(st);
		if (!st->len)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = st->len - st->off < max ? st->len - st->off : max;
	memcpy(buf, st->buf + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

static void http_stream_free(void *cls)
{
	struct http_stream *st = cls;

	atomic_fetch_sub(&st->s->streams, 1);
	free(st->buf);
	free(st);
}

static enum MHD_Result http_stream_busy(struct http_server *s, struct MHD_Connection *conn)
{
	char msg[80];

	atomic_fetch_sub(&s->streams, 1);
	snprintf(msg, sizeof(msg), "too many event streams (%d open)", HTTP_EVENT_STREAMS);
	return http_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, msg);
}

static enum MHD_Result http_api_events(struct http_server *s, struct MHD_Connection *conn,
				       const char *method)
{
	struct http_stream *st;
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (strcmp(method, "GET") != 0)
		return http_not_allowed(conn, "/api/events", method, "GET");
	if (atomic_fetch_add(&s->streams, 1) >= HTTP_EVENT_STREAMS)
		return http_stream_busy(s, conn);
	st = calloc(1, sizeof(*st));
	if (!st)
		return http_stream_busy(s, conn);
	st->s = s;
	clock_gettime(CLOCK_MONOTONIC, &st->next); /* the first event at once */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, http_stream_read, st,
						 http_stream_free);
	if (!resp) {
		http_stream_free(st);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}
