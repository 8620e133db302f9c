/* SPDX-License-Identifier: MIT */
/* control.h: the live-control socket (--control PATH) and its one-shot client (--ctl). */
#ifndef INDYNETD_CONTROL_H
#define INDYNETD_CONTROL_H

#include <poll.h>
#include <stddef.h>

#include <indynet/indynet.h>

/*
 * Theory of operation
 *
 * A unix stream socket served on the daemon's main thread.  A client sends
 * one command per line and gets one reply line per command: "ok ..." or
 * "error: ...".  Commands:
 *
 *   forward add SPEC      forward remove SPEC      forward list
 *   subnet CIDR           stats
 *
 * The engine runs configuration calls on its own thread and returns their
 * verdict, so the main thread simply calls the public API.  Lines longer
 * than CONTROL_LINE_MAX end the connection.
 */

#define CONTROL_LINE_MAX 512
#define CONTROL_CLIENTS 8

struct control;

/**
 * control_exec() - run one command line against @eng.
 * @eng: engine
 * @line: the command, without the newline
 * @reply: receives "ok ..." or "error: ...", without a newline
 * @len: size of @reply
 *
 * Return: 0 for ok, -1 for an error reply.
 */
int control_exec(indynet_engine *eng, const char *line, char *reply, size_t len);

/**
 * control_open() - listen on @path (a stale socket there is replaced).
 * @path: socket path
 * @eng: engine the commands act on
 * @out: receives the control server
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int control_open(const char *path, indynet_engine *eng, struct control **out, char *err,
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
