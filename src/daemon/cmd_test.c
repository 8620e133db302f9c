/* SPDX-License-Identifier: MIT */
/* cmd_test.c: test-only control commands (-Dtest_hooks=true) that probe the sandbox from inside the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmd_int.h"

/*
 * Built only with -Dtest_hooks=true (meson refuses it in a release build):
 * tests/integration/sandbox.sh asks the running daemon to do what a guest
 * that took it over would try.  "test-open PATH" opens PATH for reading
 * and answers the errno (Landlock: EACCES outside the allowed folders);
 * "test-syscall" makes a system call the daemon never makes (syslog's
 * SIZE_BUFFER, read-only), which the seccomp filter answers by killing
 * the process with SIGSYS.
 */

#define CMD_TEST_SYSLOG_SIZE_BUFFER 10

int cmd_test_open(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	const char *path = json_string_value(json_object_get(args, "path"));
	int fd, err;

	(void)ctx;
	if (!path)
		return cmd_fail(res, CMD_BAD_REQUEST, "path", "a path is needed");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	res->body = json_pack("{s:s, s:i, s:s}", "path", path, "errno", err, "error", err ? strerror(err) : "");
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}

int cmd_test_syscall(struct cmd_ctx *ctx, const json_t *args, struct cmd_result *res)
{
	long rc = syscall(SYS_syslog, CMD_TEST_SYSLOG_SIZE_BUFFER, NULL, 0);

	(void)ctx;
	(void)args;
	res->body = json_pack("{s:I, s:i}", "result", (json_int_t)rc, "errno", rc < 0 ? errno : 0);
	return res->body ? 0 : cmd_fail(res, CMD_INTERNAL, NULL, "out of memory");
}
