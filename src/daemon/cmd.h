/* SPDX-License-Identifier: MIT */
/* cmd.h: the one command model behind every control transport (line protocol, HTTP, indynetctl). */
#ifndef INDYNETD_CMD_H
#define INDYNETD_CMD_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <indynet/indynet.h>

#include "options.h"

/*
 * Theory of operation
 *
 * Every control action is one row of a table (struct cmd_def): a name, its
 * HTTP method and path, its line-protocol words, and a handler that takes
 * its arguments as one JSON object and produces a structured result: a JSON
 * body, or an HTTP-style status with a message naming the field at fault.
 * The transports only translate:
 *
 *   HTTP   PUT /api/nat-subnet {"subnet":"10.1.0.0/24"}
 *   line   subnet 10.1.0.0/24            (the word after the command words
 *                                         is the argument named .line_arg;
 *                                         key=value words add fields)
 *   both   -> cmd "nat-subnet.set" {"subnet":"10.1.0.0/24"}
 *          -> 200 {"subnet":"10.1.0.0/24","gateway":"10.1.0.1",...}
 *          or 400 field "subnet": "prefix /31 is too small (minimum /30)"
 *
 * To add a command: write a handler (cmd_fn), add a row to cmd_table in
 * cmd.c; HTTP, the line protocol and indynetctl pick it up from there.
 *
 * Threads: cmd_run() may be called from any thread, several at a time (the
 * HTTP server runs one thread per connection).  Handlers call the engine's
 * public API, which is thread-safe; what the daemon itself keeps (the
 * current subnet) is guarded by ctx->lock.
 */

/* Statuses are HTTP's, so that the HTTP transport passes them through. */
#define CMD_OK 200
#define CMD_CREATED 201
#define CMD_BAD_REQUEST 400
#define CMD_NOT_FOUND 404
#define CMD_CONFLICT 409      /* not in this mode, already active, port in use */
#define CMD_UNAVAILABLE 501   /* the engine of this build cannot do it */
#define CMD_INTERNAL 500

/** What commands act on; filled by the daemon, read-only but for @subnet. */
struct cmd_ctx {
	indynet_engine *eng;
	const struct daemon_opts *opts;
	/* true while a frontend peer is connected (NULL: always true). Any thread. */
	bool (*peer_connected)(void *opaque);
	void *peer_opaque;
	bool confined;               /* the sandbox is on: no other program can be run */

	pthread_mutex_t lock;
	char subnet[20];             /* lock: the NAT subnet in force, "A.B.C.D/P" */
};

struct cmd_result {
	int status;          /* CMD_OK ... */
	json_t *body;        /* status < 300: the result object (owned); else NULL */
	char error[256];     /* status >= 300: what is wrong */
	char field[40];      /* the argument at fault, "" when none */
};

typedef int (*cmd_fn)(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res);
typedef void (*cmd_text_fn)(const json_t *body, char *buf, size_t len);

struct cmd_def {
	const char *name;       /* "forwards.add" */
	const char *method;     /* "POST" */
	const char *path;       /* "/api/forwards"; ending in '/': a prefix whose rest is .path_arg */
	const char *path_arg;   /* argument that receives the rest of the path */
	const char *line;       /* line-protocol words, "forward add" */
	const char *line_arg;   /* argument that receives the next word, or NULL */
	const char *fields;     /* the argument names it accepts, space-separated */
	cmd_fn run;
	cmd_text_fn text;       /* the line protocol's "ok ..." text; NULL: compact JSON */
	bool mutates;           /* changes state (logged, not served to GET) */
};

/**
 * cmd_ctx_init() - fill @ctx for @eng and the daemon's settings @opts.
 * @ctx: context to initialise
 * @eng: the running engine
 * @opts: the daemon's settings (kept by pointer; must outlive @ctx)
 */
void cmd_ctx_init(struct cmd_ctx *ctx, indynet_engine *eng, const struct daemon_opts *opts);

/**
 * cmd_ctx_destroy() - release what cmd_ctx_init() set up.
 * @ctx: context
 */
void cmd_ctx_destroy(struct cmd_ctx *ctx);

/**
 * cmd_table() - the command table.
 * @n: receives the number of rows
 *
 * Return: the first row.
 */
const struct cmd_def *cmd_table(size_t *n);

/**
 * cmd_find() - the row named @name.
 * @name: command name
 *
 * Return: the row or NULL.
 */
const struct cmd_def *cmd_find(const char *name);

/**
 * cmd_run() - run one command.
 * @ctx: context
 * @def: the command
 * @args: its arguments (a JSON object; NULL = none)
 * @res: receives the result; release with cmd_result_clear()
 *
 * Return: @res->status.
 */
int cmd_run(struct cmd_ctx *ctx, const struct cmd_def *def, const json_t *args, struct cmd_result *res);

/**
 * cmd_result_clear() - release the body of @res.
 * @res: result
 */
void cmd_result_clear(struct cmd_result *res);

/**
 * cmd_fail() - set @res to an error naming @field.
 * @res: result
 * @status: CMD_BAD_REQUEST ...
 * @field: the argument at fault, or NULL
 * @fmt: message
 *
 * Return: -1, so that handlers can "return cmd_fail(...)".
 */
int cmd_fail(struct cmd_result *res, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * cmd_arg_string() - the string argument @field.
 * @args: arguments (may be NULL)
 * @field: name
 * @out: receives the string (owned by @args), or NULL when absent
 * @res: set to a 400 naming @field when it is not a string
 *
 * Return: 0, or -1 on a type error.
 */
int cmd_arg_string(const json_t *args, const char *field, const char **out, struct cmd_result *res);

/**
 * cmd_arg_port() - the port-number argument @field (1..65535).
 * @args: arguments (may be NULL)
 * @field: name
 * @out: receives the port, 0 when absent
 * @res: set to a 400 naming @field when it is not an integer in range
 *
 * Return: 0, or -1.
 */
int cmd_arg_port(const json_t *args, const char *field, unsigned *out, struct cmd_result *res);

/**
 * cmd_parse_ulong() - a decimal number 0..@max, digits only.
 * @text: the text
 * @max: largest value accepted
 * @out: receives the number
 *
 * Return: 0 or -1.
 */
int cmd_parse_ulong(const char *text, unsigned long max, unsigned long *out);

/**
 * cmd_subnet_json() - the NAT addressing derived from @subnet.
 * @subnet: "A.B.C.D/P", valid
 *
 * Return: {"subnet","netmask","gateway","guest","broadcast"} (new reference) or NULL.
 */
json_t *cmd_subnet_json(const char *subnet);

#endif
