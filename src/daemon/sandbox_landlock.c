/* SPDX-License-Identifier: MIT */
/* sandbox_landlock.c: the daemon's filesystem view shrunk with Landlock (raw system calls, ABI 1..7). */
#include "sandbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "dlog.h"

/*
 * Theory of operation
 *
 * A Landlock ruleset names the rights it handles; whatever it handles is
 * denied except below the paths of its rules.  The rights a kernel knows
 * grow with its ABI (2: REFER, 3: TRUNCATE, 5: IOCTL_DEV; 6 added scopes),
 * so the handled set is the ABI's whole set: a right the kernel does not
 * know cannot be denied, and one it knows is never left open by omission.
 * Debian 12's <linux/landlock.h> stops at ABI 1, hence the constants below.
 *
 * Scopes (ABI 6): the daemon may not signal processes outside its own
 * domain, nor connect to abstract unix sockets created outside it.
 *
 * A rule on a file may hold file rights only; a rule's path is opened
 * O_PATH (symbolic links followed, so /etc/resolv.conf's target counts).
 *
 * One right is left unhandled when the daemon serves an export: listing
 * directories (READ_DIR).  open_by_handle_at() of a directory the dentry
 * cache no longer holds (after a restart, a cold cache) reconnects it to
 * the tree by opening each ancestor for reading while that ancestor is
 * still disconnected; Landlock checks such an open by walking up from the
 * dentry, meets a disconnected root before any rule and refuses, so the
 * kernel answers ESTALE for a directory that exists (measured on 6.18:
 * ESTALE with READ_DIR handled, the directory without).  The daemon could
 * then list names elsewhere on the host, but not read or write a file.
 */

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define SANDBOX_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define SANDBOX_LL_SCOPE_SIGNAL (1ULL << 1)
#define SANDBOX_LL_ABI_MAX 7 /* newer ABIs are used as this one */

/* struct landlock_ruleset_attr as of ABI 6 (the kernel takes the size given) */
struct sandbox_ll_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define LL_FILE_READ LANDLOCK_ACCESS_FS_READ_FILE
#define LL_FILE_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
#define LL_FILE_ALL (LANDLOCK_ACCESS_FS_EXECUTE | LL_FILE_READ | LL_FILE_WRITE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define LL_DIR_READ (LL_FILE_READ | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_DIR_WRITE                                                                                    \
	(LL_FILE_WRITE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |              \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |    \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
	 LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER)

/* every filesystem right of @abi */
static uint64_t sandbox_ll_handled(int abi)
{
	uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

static uint64_t sandbox_ll_rights(unsigned rights)
{
	return ((rights & SANDBOX_READ) ? LL_DIR_READ : 0) | ((rights & SANDBOX_WRITE) ? LL_DIR_WRITE : 0) |
	       ((rights & SANDBOX_REMOVE) ? LANDLOCK_ACCESS_FS_REMOVE_FILE : 0);
}

/* one rule; 0 also when @r's path does not exist (nothing to allow) */
static int sandbox_ll_rule(int ruleset, const struct sandbox_rule *r, uint64_t handled)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = sandbox_ll_rights(r->rights) & handled };
	struct stat st;
	int rc;

	pb.parent_fd = open(r->path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(pb.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FILE_ALL;
	rc = pb.allowed_access ? (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) : 0;
	close(pb.parent_fd);
	return rc;
}

static int sandbox_ll_ruleset(int abi, uint64_t handled)
{
	struct sandbox_ll_attr attr = { .handled_access_fs = handled };
	size_t size = offsetof(struct sandbox_ll_attr, handled_access_net);

	if (abi >= 6) {
		attr.scoped = SANDBOX_LL_SCOPE_ABSTRACT_UNIX | SANDBOX_LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

int sandbox_landlock(const struct sandbox_rule *rules, size_t n, bool list_dirs, char *what, size_t whatlen)
{
	int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int ruleset, rc = 0;
	uint64_t handled;

	if (abi <= 0) {
		snprintf(what, whatlen, "no Landlock in this kernel (%s)", strerror(errno));
		return 0;
	}
	abi = abi > SANDBOX_LL_ABI_MAX ? SANDBOX_LL_ABI_MAX : abi;
	handled = sandbox_ll_handled(abi) & ~(list_dirs ? (uint64_t)LANDLOCK_ACCESS_FS_READ_DIR : 0);
	ruleset = sandbox_ll_ruleset(abi, handled);
	for (size_t i = 0; ruleset >= 0 && rc == 0 && i < n; i++) {
		rc = sandbox_ll_rule(ruleset, &rules[i], handled);
		if (rc < 0)
			snprintf(what, whatlen, "Landlock rule for %s: %s", rules[i].path, strerror(errno));
	}
	if (ruleset < 0)
		snprintf(what, whatlen, "Landlock ruleset: %s", strerror(errno));
	else if (rc == 0 && (rc = (int)syscall(SYS_landlock_restrict_self, ruleset, 0)) < 0)
		snprintf(what, whatlen, "Landlock restrict_self: %s", strerror(errno));
	if (ruleset >= 0)
		close(ruleset);
	if (ruleset < 0 || rc < 0)
		return -1;
	snprintf(what, whatlen, "Landlock ABI %d%s", abi, list_dirs ? " (directories listable: kernel handles)" : "");
	return abi;
}
