/* SPDX-License-Identifier: MIT */
/* control.h: the line form of the commands, run in-process or sent to a running daemon (--ctl). */
#ifndef INDYNETD_CONTROL_H
#define INDYNETD_CONTROL_H

#include <stddef.h>

#include "cmd.h"

/*
 * Theory of operation
 *
 * One line is one command of the table (cmd.h), with its arguments:
 *
 *   forward add tcp:8080:80     -> forwards.add {"spec":"tcp:8080:80"}
 *   subnet 10.1.0.0/24          -> nat-subnet.set {"subnet":"10.1.0.0/24"}
 *   forwards.add proto=udp host_port=5353 guest_port=53
 *                               -> forwards.add {"proto":"udp",...}
 *
 * The row's line words (or its name) come first; a bare word after them is
 * the row's .line_arg; key=value words set fields.  The reply is "ok" plus
 * the row's text form of the result (compact JSON when it has none), or
 * "error: REASON".
 *
 * `indynetd --ctl PATH COMMAND...` (kept as a thin alias of indynetctl)
 * sends the row's HTTP request to the control socket and prints the answer
 * in that form; control_exec() runs a line in-process.
 */

#define CONTROL_LINE_MAX 512
#define CONTROL_WORDS 8
#define CONTROL_REPLY_MAX 4096
#define CONTROL_URL_MAX (CONTROL_LINE_MAX * 3 + 64) /* a line's words %-escaped, after the path */

/**
 * control_parse() - a command line's row of the command table and its arguments.
 * @line: the command, without the newline
 * @args: receives the arguments (a new JSON object, the caller's) when a row is found
 * @reply: receives "error: ..." when none is
 * @len: size of @reply
 *
 * Return: the row, or NULL.
 */
const struct cmd_def *control_parse(const char *line, json_t **args, char *reply, size_t len);

/**
 * control_request() - the HTTP request a parsed line becomes (what --ctl sends).
 * @def: the row (control_parse())
 * @args: its arguments
 * @url: receives the row's path, with the arguments as a %-escaped query for a GET
 * @urllen: size of @url (CONTROL_URL_MAX)
 *
 * Return: the JSON body to send (the caller frees it), or NULL for none.
 */
char *control_request(const struct cmd_def *def, const json_t *args, char *url, size_t urllen);

/**
 * control_reply() - the daemon's HTTP answer as the line protocol's reply.
 * @def: the row asked
 * @status: the answer's HTTP status
 * @text: its body (JSON expected; anything is taken), or NULL
 * @reply: receives "ok ..." or "error: ..."
 * @len: size of @reply
 *
 * Return: 0 for ok (a status below 300), -1 for an error reply.
 */
int control_reply(const struct cmd_def *def, unsigned status, const char *text, char *reply, size_t len);

/**
 * control_exec() - run one command line.
 * @ctx: what the commands act on
 * @line: the command, without the newline
 * @reply: receives "ok ..." or "error: ...", without a newline
 * @len: size of @reply
 *
 * Return: 0 for ok, -1 for an error reply.
 */
int control_exec(struct cmd_ctx *ctx, const char *line, char *reply, size_t len);

/**
 * control_client_run() - send one command line to a running daemon and print the reply.
 * @path: the daemon's control socket
 * @command: the command line
 *
 * Return: exit status: 0 when the reply is "ok ...", 1 otherwise.
 */
int control_client_run(const char *path, const char *command);

#endif
