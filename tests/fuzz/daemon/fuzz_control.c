/* SPDX-License-Identifier: MIT */
/* fuzz_control.c: libFuzzer target for the control socket's line commands: the parser, the request a line becomes, the reply read back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/control.h"

/*
 * `indynetd --ctl PATH forward add tcp:8080:80` (and the same line given to
 * control_exec()) is parsed by control_parse() into a row of the command
 * table and JSON arguments, turned by control_request() into the HTTP
 * request sent on the control socket, and the daemon's answer is turned
 * back into a line by control_reply().  No engine, no socket: the parsers
 * alone, fast.  (The handlers the request reaches are fuzz_api's.)
 *
 * Input: byte 0 even: the rest is a command line.  Byte 0 odd: byte 1
 * picks a row, bytes 2-3 are the answer's HTTP status, the rest its body.
 *
 * Oracle: no crash, no sanitizer report, no leak; a line either names a
 * row or is answered "error: ..."; the request's URL is the row's path
 * plus, for a GET, a query of nothing but unreserved characters and
 * %-escapes; a body is JSON that reads back equal to the arguments; a
 * reply is "ok..." for a status below 300 and "error: ..." otherwise.
 */

static bool fz_url_ok(const struct cmd_def *def, const char *url)
{
	size_t plen = strlen(def->path);

	if (strncmp(url, def->path, plen) != 0)
		return false;
	for (const char *p = url + plen; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/%?=&", *p))
			return false;
	return true;
}

static void fz_line(const uint8_t *data, size_t size)
{
	char line[CONTROL_LINE_MAX], reply[CONTROL_REPLY_MAX], url[CONTROL_URL_MAX];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	const struct cmd_def *def;
	json_t *args = NULL, *back;
	char *body;

	memcpy(line, data, n);
	line[n] = '\0';
	def = control_parse(line, &args, reply, sizeof(reply));
	if (!def) {
		if (strncmp(reply, "error: ", 7) != 0)
			abort();
		return;
	}
	body = control_request(def, args, url, sizeof(url));
	if (!fz_url_ok(def, url))
		abort();
	if (body) {
		back = json_loads(body, 0, NULL);
		if (!back || !json_equal(back, args))
			abort();
		json_decref(back);
	}
	free(body);
	json_decref(args);
}

static void fz_reply(const uint8_t *data, size_t size)
{
	size_t rows;
	const struct cmd_def *def = &cmd_table(&rows)[data[0] % rows];
	unsigned status = (unsigned)(data[1] << 8 | data[2]) % 1000;
	char *body = malloc(size - 2), reply[CONTROL_REPLY_MAX];
	int rc;

	if (!body)
		return;
	memcpy(body, data + 3, size - 3);
	body[size - 3] = '\0';
	rc = control_reply(def, status, body, reply, sizeof(reply));
	free(body);
	if ((status < 300) != (rc == 0) || strncmp(reply, rc == 0 ? "ok" : "error: ", rc == 0 ? 2 : 7) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!(data[0] & 1))
		fz_line(data + 1, size - 1);
	else if (size >= 4)
		fz_reply(data + 1, size - 1);
	return 0;
}
