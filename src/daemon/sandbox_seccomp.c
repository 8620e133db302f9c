/* SPDX-License-Identifier: MIT */
/* sandbox_seccomp.c: the system calls indynetd makes once set up; any other kills it (libseccomp). */
#include "sandbox_int.h"

#include <stdio.h>
#include <string.h>

#include "indynet-build.h"

/*
 * Theory of operation
 *
 * The list below is every system call the daemon's threads make after
 * sandbox_enter(): the main loop (signalfd, poll, the control sockets),
 * the engine thread (libslirp, libpcap and its reopening, TAP and QEMU
 * sockets, timerfd, eventfd, the capture file), the NFS worker (openat2,
 * *_handle_at, statx, xattrs through /proc/self/fd, fsync ...) and
 * libmicrohttpd's threads.  It was collected by running every integration
 * and e2e test with the filter's default action set to "log" and reading
 * the kernel's audit lines (docs/SECURITY.md has the commands); the
 * sanitizer builds add what ASan/UBSan/LSan call when they report or exit
 * (LeakSanitizer stops the world with ptrace).
 *
 * Anything else kills the whole process (SECCOMP_RET_KILL_PROCESS: SIGSYS,
 * a core where allowed).  Two calls are narrowed by their arguments:
 * clone may not create namespaces (a user namespace would hand a
 * compromised daemon every capability inside it), and clone3, whose flags
 * live in memory the filter cannot read, fails with ENOSYS so that glibc
 * falls back to clone.  execve is not on the list: the daemon never runs
 * another program once confined (capture-access enable says so first);
 * only the sanitizer builds have it, for their symbolizer, which Landlock
 * then refuses to run (reports stay unsymbolized).
 */

#if INDYNET_HAVE_SECCOMP
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>

static const char *const sandbox_syscalls[] = {
	/* memory, threads, time, signals */
	"brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "futex", "set_robust_list",
	"get_robust_list", "rseq", "set_tid_address", "exit", "exit_group", "gettid", "getpid",
	"tgkill", "tkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"sched_yield", "sched_getaffinity", "clock_gettime", "clock_getres", "clock_nanosleep",
	"nanosleep", "gettimeofday", "time", "getrandom", "getrlimit", "prlimit64", "uname",
	"sysinfo", "getpriority", "setpriority", "getuid", "geteuid", "getgid", "getegid", "getgroups", "capget", "prctl",
	"membarrier",
	/* descriptors and polling */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
	"pwritev2", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "ioctl", "lseek", "pipe",
	"pipe2", "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "timerfd_create",
	"timerfd_settime", "timerfd_gettime", "signalfd", "signalfd4", "sendfile",
	/* sockets */
	"socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname",
	"getpeername", "setsockopt", "getsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg",
	"sendmmsg", "recvmmsg", "shutdown",
	/* files (the export, TFTP, /proc, /sys, resolv.conf; Landlock bounds where) */
	"open", "openat", "openat2", "stat", "lstat", "fstat", "newfstatat", "statx", "statfs",
	"fstatfs", "getdents64", "readlink", "readlinkat", "access", "faccessat", "faccessat2",
	"mkdirat", "mknodat", "unlink", "unlinkat", "renameat", "renameat2", "linkat", "symlinkat",
	"chmod", "fchmod", "fchmodat", "utimensat", "ftruncate", "fallocate", "fadvise64", "fsync",
	"fdatasync", "name_to_handle_at", "open_by_handle_at", "getxattr", "lgetxattr",
	"fgetxattr", "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr",
	"fremovexattr", "listxattr", "llistxattr", "flistxattr", "getcwd",
#if INDYNET_SANITIZED
	/* sanitizer reports and LeakSanitizer at exit (it stops the world with ptrace) */
	"ptrace", "wait4", "waitid", "kill", "getppid", "sched_getparam", "mincore", "process_vm_readv",
	"getdents", "fork", "execve", /* the symbolizer: Landlock refuses to run it, reports stay raw */
#endif
};

/* clone: threads only, never a namespace */
static int sandbox_sc_clone(scmp_filter_ctx ctx)
{
	const uint64_t ns = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
			    CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;

	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0)) < 0)
		return -1;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
}

static int sandbox_sc_rules(scmp_filter_ctx ctx, unsigned *n)
{
	for (size_t i = 0; i < sizeof(sandbox_syscalls) / sizeof(sandbox_syscalls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(sandbox_syscalls[i]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call of this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0)
			return -1;
		(*n)++;
	}
	return sandbox_sc_clone(ctx);
}

/* the default action: kill, or (test-hook builds, INDYNET_SECCOMP_LOG=1) log to the audit log */
static uint32_t sandbox_sc_default(const char **name)
{
#if INDYNET_TEST_HOOKS
	const char *log = getenv("INDYNET_SECCOMP_LOG");

	if (log && strcmp(log, "1") == 0) {
		*name = "log (INDYNET_SECCOMP_LOG, test build)";
		return SCMP_ACT_LOG;
	}
#endif
	*name = "kill";
	return SCMP_ACT_KILL_PROCESS;
}

int sandbox_seccomp(char *what, size_t whatlen)
{
	const char *action;
	uint32_t def = sandbox_sc_default(&action);
	scmp_filter_ctx ctx = seccomp_init(def);
	unsigned n = 0;
	int rc;

	if (!ctx) {
		snprintf(what, whatlen, "no seccomp filter (libseccomp could not start)");
		return 0;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = sandbox_sc_rules(ctx, &n);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(what, whatlen, "no seccomp filter (%s)", strerror(-rc));
		return rc == -EINVAL || rc == -ENOSYS ? 0 : -1;
	}
	snprintf(what, whatlen, "seccomp (%u system calls, otherwise %s)", n, action);
	return 1;
}
#else
int sandbox_seccomp(char *what, size_t whatlen)
{
	snprintf(what, whatlen, "no seccomp filter (built without libseccomp)");
	return 0;
}
#endif
