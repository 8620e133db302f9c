/* SPDX-License-Identifier: MIT */
/* test_sandbox.c: the sandbox's kernel layers in forked children: Landlock's rules, seccomp's kill, clone's narrowing. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "indynet-build.h"
#include "sandbox_int.h"

static char base[64];

static void mk(const char *rel, bool dir)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (dir)
		assert_int_equal(mkdir(p, 0700), 0);
	else
		assert_int_equal(close(open(p, O_CREAT | O_WRONLY, 0600)), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/indynet-sandbox-XXXXXX");
	assert_non_null(mkdtemp(base));
	mk("exp", true);
	mk("exp/f", false);
	mk("ro", true);
	mk("ro/f", false);
	mk("socks", true);
	mk("socks/s", false);
	mk("secret", false);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* errno of open(base/rel, flags), 0 when it opened */
static int open_errno(const char *rel, int flags)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	fd = open(p, flags | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int unlink_errno(const char *rel)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return unlink(p) < 0 ? errno : 0;
}

/* run @fn in a child; its wait status */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? 99 : fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static bool landlock_here(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* VERSION */) > 0;
}

/* the daemon's rules, as codes: each check that fails returns its own exit status */
static int landlock_child(void)
{
	char exp[96], ro[96], socks[96], what[128];
	struct sandbox_rule rules[] = { { exp, SANDBOX_READ | SANDBOX_WRITE }, { ro, SANDBOX_READ },
					{ socks, SANDBOX_REMOVE }, { "/nonexistent-indynet", SANDBOX_READ } };

	snprintf(exp, sizeof(exp), "%s/exp", base);
	snprintf(ro, sizeof(ro), "%s/ro", base);
	snprintf(socks, sizeof(socks), "%s/socks", base);
	if (sandbox_landlock(rules, 4, false, what, sizeof(what)) <= 0 || !strstr(what, "Landlock ABI"))
		return 1;
	if (open_errno("exp/f", O_RDWR) || open_errno("exp/new", O_CREAT | O_WRONLY) || unlink_errno("exp/new"))
		return 2;
	if (open_errno("ro/f", O_RDONLY) || open_errno("ro/f", O_WRONLY) != EACCES ||
	    open_errno("ro/new", O_CREAT | O_WRONLY) != EACCES)
		return 3;
	if (open_errno("secret", O_RDONLY) != EACCES || open_errno("socks/s", O_RDONLY) != EACCES)
		return 4;
	if (unlink_errno("socks/s") || open_errno("socks/t", O_CREAT | O_WRONLY) != EACCES)
		return 5;
	if (open_errno("ro", O_RDONLY | O_DIRECTORY) || open_errno("socks", O_RDONLY | O_DIRECTORY) != EACCES)
		return 6;
	return 0;
}

/* with an export (kernel handles): any directory may be listed, files outside stay closed */
static int landlock_dirs_child(void)
{
	char exp[96], what[128];
	struct sandbox_rule rules[] = { { exp, SANDBOX_READ | SANDBOX_WRITE } };

	snprintf(exp, sizeof(exp), "%s/exp", base);
	if (sandbox_landlock(rules, 1, true, what, sizeof(what)) <= 0 || !strstr(what, "directories listable"))
		return 1;
	if (open_errno("socks", O_RDONLY | O_DIRECTORY) || open_errno(".", O_RDONLY | O_DIRECTORY))
		return 2;
	if (open_errno("secret", O_RDONLY) != EACCES || open_errno("ro/f", O_RDONLY) != EACCES ||
	    open_errno("socks/t", O_CREAT | O_WRONLY) != EACCES || open_errno("exp/f", O_RDWR))
		return 3;
	return 0;
}

static void test_landlock_rules(void **state)
{
	int status;

	(void)state;
	if (!landlock_here())
		skip();
	status = in_child(landlock_child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	status = in_child(landlock_dirs_child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int seccomp_child(void)
{
	char what[128];

	if (sandbox_seccomp(what, sizeof(what)) != 1 || !strstr(what, "otherwise kill"))
		return 1;
	if (getpid() <= 0 || syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 2;
	syscall(SYS_syslog, 10, NULL, 0); /* not on the list: SIGSYS */
	return 3;
}

static int seccomp_userns_child(void)
{
	char what[128];

	if (sandbox_seccomp(what, sizeof(what)) != 1)
		return 1;
	syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0); /* a namespace: SIGSYS */
	return 3;
}

static void test_seccomp_kills(void **state)
{
	int status;

	(void)state;
	if (!INDYNET_HAVE_SECCOMP)
		skip();
	status = in_child(seccomp_child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	status = in_child(seccomp_userns_child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_landlock_rules),
		cmocka_unit_test(test_seccomp_kills),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
