/* SPDX-License-Identifier: MIT */
/* sandbox_int.h: the sandbox's two kernel layers (Landlock, seccomp), called by sandbox.c only. */
#ifndef INDYNETD_SANDBOX_INT_H
#define INDYNETD_SANDBOX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Rights of a Landlock rule, independent of the kernel's ABI (masked to it). */
enum sandbox_fs {
	SANDBOX_READ = 1 << 0,   /* read files, list directories */
	SANDBOX_WRITE = 1 << 1,  /* write, truncate, create, remove, rename below */
	SANDBOX_REMOVE = 1 << 2, /* unlink files in this directory (sockets at shutdown) */
};

/* One path and what may be done at or below it. */
struct sandbox_rule {
	const char *path;
	unsigned rights; /* enum sandbox_fs */
};

/**
 * sandbox_landlock() - restrict the calling thread (and its future threads) to @rules.
 * @rules: the paths; one that does not exist is skipped
 * @n: how many
 * @list_dirs: leave listing directories unrestricted, for open_by_handle_at()
 *	of a directory the dentry cache no longer holds (see sandbox_landlock.c)
 * @what: receives what is enforced ("Landlock ABI 7") or why nothing is
 * @whatlen: size of @what
 *
 * Return: the Landlock ABI enforced (> 0), 0 when the kernel has none
 * (@what says so), -1 when a rule or the restriction failed (@what says why).
 */
int sandbox_landlock(const struct sandbox_rule *rules, size_t n, bool list_dirs, char *what, size_t whatlen);

/**
 * sandbox_seccomp() - install the system call filter in every thread.
 * @what: receives what is enforced or why nothing is
 * @whatlen: size of @what
 *
 * Return: 1 when installed, 0 when this build or kernel has no seccomp,
 * -1 on failure (@what says why).
 */
int sandbox_seccomp(char *what, size_t whatlen);

#endif
