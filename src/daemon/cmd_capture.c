/* SPDX-License-Identifier: MIT */
/* cmd_capture.c: the capture-access commands: the permission check and granting it (indynetd --capture-access enable). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd_int.h"

/*
 * Theory of operation
 *
 * GET /api/capture-access asks indynet_capture_access_check() about the
 * interface the bridge captures on (or "auto" before it has one): the
 * verdict, its reason and the per-OS fix, and whether an administrator can
 * grant it here (can_enable).  POST /api/capture-access/enable runs the
 * daemon's own binary as "BINARY --capture-access enable --interface IF"
 * (src/daemon/caccess_cli.c: setcap as root, else pkexec, each followed by
 * a check in a fresh exec) and answers its outcome with its output.  File
 * capabilities take effect at exec, so a running daemon never gains them:
 * a grant answers restart_needed.  The request waits for the child, which
 * may wait for the administrator's password (pkexec); it runs on its own
 * HTTP thread, so nothing else waits.
 */

#define CMD_CHILD_OUT 2048

extern char **environ;

static json_t *cmd_access_json(const struct indynet_capture_access *a)
{
	return json_pack("{s:s, s:b, s:b, s:s, s:s, s:s, s:s}", "verdict",
			 indynet_capture_access_verdict_name(a->verdict), "permitted",
			 a->verdict == INDYNET_ACCESS_WORKS, "can_enable", a->can_enable, "interface",
			 a->interface, "binary", a->binary, "reason", a->reason, "fix", a->fix);
}

/* the check for the interface captured on ("auto" before the first open) */
static int cmd_access_check(struct cmd_ctx *ctx, struct indynet_capture_access *a, struct cmd_result *res)
{
	struct indynet_capture_status cs;

	if (ctx->opts->mode == INDYNET_MODE_NAT)
		return cmd_fail(res, CMD_CONFLICT, NULL,
				"not in bridge mode: packet capture is a bridge-mode setting (the daemon runs "
				"in NAT mode)");
	indynet_capture_status_get(ctx->eng, &cs);
	if (indynet_capture_access_check(cs.interface[0] ? cs.interface : NULL, a) < 0)
		return cmd_fail(res, CMD_INTERNAL, NULL, "capture access: %s", a->reason);
	return 0;
}

int cmd_capture_access(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_capture_access a;

	(void)args;
	if (cmd_access_check(ctx, &a, res) < 0)
		return -1;
	res->body = cmd_access_json(&a);
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}

/* read the child's output into @out (the first CMD_CHILD_OUT - 1 bytes kept, the rest drained) */
static void cmd_child_read(int fd, char *out, size_t cap)
{
	size_t used = 0;
	char sink[512];
	ssize_t n;

	for (;;) {
		n = read(fd, used + 1 < cap ? out + used : sink, used + 1 < cap ? cap - 1 - used : sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + 1 < cap)
			used += (size_t)n;
	}
	out[used] = '\0';
}

/* run @argv with stdout and stderr into @out; its exit status, or -1 */
static int cmd_child_run(char *const argv[], char *out, size_t cap)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status = -1, rc;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	/* none of the daemon's descriptors (sockets, TAP) stays open in a child that may wait long */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc == 0)
		cmd_child_read(fds[0], out, cap);
	close(fds[0]);
	if (rc != 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* the last non-empty line of @text, for an error message */
static const char *cmd_last_line(char *text)
{
	size_t n = strlen(text);
	char *nl;

	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	nl = strrchr(text, '\n');
	nl = nl ? nl + 1 : text;
	return nl + strspn(nl, " \t");
}

int cmd_capture_enable(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	struct indynet_capture_access a;
	char out[CMD_CHILD_OUT];
	int rc;

	(void)args;
	if (cmd_access_check(ctx, &a, res) < 0)
		return -1;
	if (a.verdict == INDYNET_ACCESS_WORKS)
		return (res->body = json_pack("{s:b, s:b, s:s, s:o}", "granted", 0, "restart_needed", 0, "message",
					      "packet capture already works", "access", cmd_access_json(&a)))
		       ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
	if (!a.can_enable)
		return cmd_fail(res, CMD_CONFLICT, NULL, "packet capture cannot be enabled from here: %s%s%s",
				a.reason, a.fix[0] ? "; " : "", a.fix);
	if (ctx->confined)
		return cmd_fail(res, CMD_CONFLICT, NULL, "packet capture cannot be enabled from here: the "
				"sandbox runs no other program (restart with --sandbox off, or run: %s)", a.fix);
	rc = cmd_child_run((char *const[]){ a.binary, "--capture-access", "enable", "--interface", a.interface,
					    NULL }, out, sizeof(out));
	if (rc != 0)
		return cmd_fail(res, CMD_CONFLICT, NULL, "enabling packet capture failed (%s exit %d): %s",
				a.binary, rc, cmd_last_line(out));
	res->body = json_pack("{s:b, s:b, s:s, s:s}", "granted", 1, "restart_needed", 1, "message",
			      "granted: restart indynetd so that it runs with the permission", "output", out);
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}
