/* SPDX-License-Identifier: MIT */
/* control.h: the live-control socket (--control PATH) and its one-shot client (--ctl). */
#ifndef INDYNETD_CONTROL_H
#define INDYNETD_CONTROL_H

#include <poll.h>
#include <stddef.h>

#include "cmd.h"

/*
 * Theory of operation
 *
 * A unix stream socket served on the daemon's main thread.  A client sends
 * one command per line and gets one reply line per command: "ok ..." or
 * "error: ...".  A line is translated into a row of the command table
 * (cmd.h) and its arguments:
 *
 *   forward add tcp:8080:80     -> forwards.add {"spec":"tcp:8080:80"}
 *   subnet 10.1.0.0/24          -> nat-subnet.set {"subnet":"10.1.0.0/24"}
 *   forwards.add proto=udp host_port=5353 guest_port=53
 *                               -> forwards.add {"proto":"udp",...}
 *
 * The row's line words (or its name) come first; a bare word after them is
 * the row's .line_arg; key=value words set fields.  The reply is "ok" plus
 * the row's text form of the result (compact JSON when it has none).
 *
 * The engine runs configuration calls on its own thread and returns their
 * verdict, so the main thread simply calls the public API.  Lines longer
 * than CONTROL_LINE_MAX end the connection.
 */

#define CONTROL_LINE_MAX 512
#define CONTROL_CLIENTS 8
#define CONTROL_WORDS 8

struct control;

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
 * control_open() - listen on @path (a stale socket there is replaced).
 * @path: socket path
 * @ctx: what the commands act on (must outlive the server)
 * @out: receives the control server
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int control_open(const char *path, struct cmd_ctx *ctx, struct control **out, char *err,
		 size_t errlen);

/**
 * control_close() - close every connection and unlink the socket; @c may be NULL.
 * @c: control server
 */
void control_close(struct control *c);

/**
 * control_poll_fill() - add the server's descriptors to @pfds.
 * @c: control server, may be NULL
 * @pfds: poll array with room for CONTROL_CLIENTS + 1 more entries
 * @n: in/out: entries used
 */
void control_poll_fill(struct control *c, struct pollfd *pfds, size_t *n);

/**
 * control_poll_handle() - act on the entries control_poll_fill() added.
 * @c: control server, may be NULL
 * @pfds: the entries, starting at the first one it added
 * @n: how many it added
 */
void control_poll_handle(struct control *c, const struct pollfd *pfds, size_t n);

/**
 * control_client_run() - send one command to a running daemon and print the reply.
 * @path: the daemon's control socket
 * @command: the command line
 *
 * Return: exit status: 0 when the reply is "ok ...", 1 otherwise.
 */
int control_client_run(const char *path, const char *command);

#endif
