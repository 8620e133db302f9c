/* SPDX-License-Identifier: MIT */
/* control.c: the line form of the commands ("forward add tcp:8080:80"), run in-process or sent as HTTP (--ctl). */
#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hclient.h"

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

/* A key=value word's value: a number when it is one, else text. */
static json_t *control_value(const char *text)
{
	unsigned long n;

	if (cmd_parse_ulong(text, 999999999, &n) == 0)
		return json_integer((json_int_t)n);
	return json_string(text);
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
			json_object_set_new(args, words[i], control_value(eq + 1));
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

const struct cmd_def *control_parse(const char *line, json_t **args, char *reply, size_t len)
{
	char copy[CONTROL_LINE_MAX];
	char *w[CONTROL_WORDS];
	const struct cmd_def *def;
	int used, n = control_split(line, copy, sizeof(copy), w);

	def = n > 0 ? control_lookup(w, n, &used) : NULL;
	if (!def) {
		control_unknown(line, reply, len);
		return NULL;
	}
	*args = json_object();
	if (control_args(def, w + used, n - used, *args, reply, len) < 0) {
		json_decref(*args);
		return NULL;
	}
	return def;
}

int control_exec(struct cmd_ctx *ctx, const char *line, char *reply, size_t len)
{
	struct cmd_result res;
	const struct cmd_def *def;
	json_t *args = NULL;
	int rc;

	def = control_parse(line, &args, reply, len);
	if (!def)
		return -1;
	cmd_run(ctx, def, json_object_size(args) ? args : NULL, &res);
	json_decref(args);
	rc = control_format(def, &res, reply, len);
	cmd_result_clear(&res);
	return rc;
}

/* Append @text to @url, percent-encoding all but unreserved characters. */
static void control_escape(char *url, size_t len, const char *text)
{
	size_t off = strlen(url);

	for (const unsigned char *p = (const unsigned char *)text; *p && off + 4 < len; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~:/", *p);

		if (plain)
			off += (size_t)snprintf(url + off, len - off, "%c", *p);
		else
			off += (size_t)snprintf(url + off, len - off, "%%%02X", *p);
	}
}

/* A query value as text: a string as it is, a number (control_value() made one of "4") in decimal. */
static const char *control_query_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return json_string_value(v) ? json_string_value(v) : "";
}

/* Append @args (the line's key=value words: strings and numbers) to @url as a query string. */
static void control_query(const json_t *args, char *url, size_t len)
{
	const char *key;
	json_t *v;
	char sep = '?', num[24];

	json_object_foreach((json_t *)args, key, v) {
		size_t off = strlen(url);

		snprintf(url + off, len - off, "%c", sep);
		control_escape(url, len, key);
		off = strlen(url);
		snprintf(url + off, len - off, "=");
		control_escape(url, len, control_query_text(v, num, sizeof(num)));
		sep = '&';
	}
}

char *control_request(const struct cmd_def *def, const json_t *args, char *url, size_t urllen)
{
	snprintf(url, urllen, "%s", def->path);
	if (strcmp(def->method, "GET") == 0) {
		control_query(args, url, urllen);
		return NULL;
	}
	return json_object_size(args) ? json_dumps(args, JSON_COMPACT) : NULL;
}

int control_reply(const struct cmd_def *def, unsigned status, const char *text, char *reply, size_t len)
{
	struct cmd_result res = { .status = (int)status };
	json_t *body = text ? json_loads(text, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(body, "error"));
	int rc;

	if (status >= 300)
		snprintf(res.error, sizeof(res.error), "%s", msg ? msg : "the daemon refused");
	else
		res.body = body ? json_incref(body) : json_object();
	rc = control_format(def, &res, reply, len);
	cmd_result_clear(&res);
	json_decref(body);
	return rc;
}

int control_client_run(const char *path, const char *command)
{
	struct hclient_target t = { .unix_path = path };
	struct hclient_resp r;
	char reply[CONTROL_REPLY_MAX], url[CONTROL_URL_MAX], err[256];
	const struct cmd_def *def;
	json_t *args = NULL;
	char *body = NULL;
	int rc;

	if (strchr(command, '\n') || strlen(command) >= CONTROL_LINE_MAX) {
		fprintf(stderr, "indynetd: a command is one line of at most %d bytes\n",
			CONTROL_LINE_MAX - 1);
		return 1;
	}
	def = control_parse(command, &args, reply, sizeof(reply));
	if (!def) {
		printf("%s\n", reply);
		return 1;
	}
	body = control_request(def, args, url, sizeof(url));
	json_decref(args);
	rc = hclient_request(&t, def->method, url, body, &r, err, sizeof(err));
	free(body);
	if (rc < 0) {
		fprintf(stderr, "indynetd: %s\n", err);
		free(r.body);
		return 1;
	}
	rc = control_reply(def, (unsigned)r.status, r.body, reply, sizeof(reply));
	free(r.body);
	printf("%s\n", reply);
	return rc < 0 ? 1 : 0;
}
