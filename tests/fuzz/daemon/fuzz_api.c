/* SPDX-License-Identifier: MIT */
/* fuzz_api.c: libFuzzer target for the control API's request handlers (JSON bodies and line commands) on a NAT engine. */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/cmd.h"
#include "daemon/control.h"
#include "daemon/dlog.h"

/*
 * Input: byte 0 even: the rest is one line command (control_exec(), what
 * `indynetd --ctl` sends).  Byte 0 odd: byte 1 picks a row of the command
 * table and the rest is its request body, parsed as the HTTP server parses
 * it (json_loadb with JSON_REJECT_DUPLICATES) and run with cmd_run().
 * Forwards bind real ports: the target moves into a network namespace of its
 * own first, with only lo in it, so nothing outside is touched.
 *
 * Oracle: no crash, no sanitizer report, and every answer well formed: a
 * status 2xx with a body, or >= 400 with a message.
 */

static struct daemon_opts fz_opts;
static struct cmd_ctx fz_ctx;

static void fz_netns(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		fprintf(stderr, "fuzz_api: cannot enter a network namespace: %s\n", strerror(errno));
		abort();
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct indynet_config cfg;
	indynet_engine *eng;
	char err[256];

	(void)argc;
	(void)argv;
	fz_netns();
	dlog_set_level(INDYNET_LOG_ERROR);
	indynet_config_init(&cfg);
	cfg.log_level = INDYNET_LOG_ERROR;
	cfg.log = dlog_engine;
	if (indynet_engine_new(&cfg, &eng, err, sizeof(err)) < 0 || indynet_engine_start(eng) < 0)
		abort();
	opts_init(&fz_opts);
	cmd_ctx_init(&fz_ctx, eng, &fz_opts);
	return 0;
}

static void fz_line(const uint8_t *data, size_t size)
{
	char line[CONTROL_LINE_MAX], reply[CONTROL_REPLY_MAX];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	int rc;

	memcpy(line, data, n);
	line[n] = '\0';
	rc = control_exec(&fz_ctx, line, reply, sizeof(reply));
	if ((rc == 0 && strncmp(reply, "ok", 2) != 0) || (rc < 0 && strncmp(reply, "error: ", 7) != 0))
		abort();
}

static void fz_body(uint8_t pick, const uint8_t *data, size_t size)
{
	size_t rows;
	const struct cmd_def *def = &cmd_table(&rows)[pick % rows];
	struct cmd_result res;
	json_t *args = size ? json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL) : NULL;

	if (size && !args)
		return; /* the server answers 400 before any handler runs */
	cmd_run(&fz_ctx, def, args, &res);
	json_decref(args);
	if ((res.status < 300 && !res.body) || (res.status >= 400 && !res.error[0]))
		abort();
	cmd_result_clear(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (data[0] & 1)
		fz_body(data[1], data + 2, size - 2);
	else
		fz_line(data + 1, size - 1);
	return 0;
}
