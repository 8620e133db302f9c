/* SPDX-License-Identifier: MIT */
/* sandbox.h: indynetd confines itself after setup: capabilities, --user, no_new_privs, Landlock, seccomp. */
#ifndef INDYNETD_SANDBOX_H
#define INDYNETD_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Theory of operation
 *
 * indynetd opens everything a guest could need while it still has its
 * rights: the frontend's socket or TAP (in another network namespace), the
 * export's root, the TFTP folder, the capture file, the control sockets
 * and the engine with its libslirp (or capture).  sandbox_enter() then
 * takes away what a guest that found a memory-safety bug could use, in
 * this order, before the first long-lived thread exists (capabilities and
 * Landlock are per thread; threads created later inherit both):
 *
 *   1. --user NAME (started as root): the supplementary groups, the gid
 *      and the uid become NAME's, with PR_SET_KEEPCAPS so that the
 *      capabilities kept in step 2 survive the change;
 *   2. capabilities: every one but those a runtime path still uses
 *      (sandbox_caps_keep()) leaves the permitted, effective, inheritable,
 *      ambient and bounding sets;
 *   3. no_new_privs: no execve can give privileges back (setuid, file
 *      capabilities);
 *   4. Landlock (sandbox_landlock.c): the filesystem shrinks to the export
 *      and TFTP folders and the few files the daemon reads while running;
 *      other processes cannot be signalled, abstract unix sockets outside
 *      the daemon cannot be reached;
 *   5. seccomp (sandbox_seccomp.c): every system call outside the daemon's
 *      list kills the process (SIGSYS), in every thread (TSYNC).
 *
 * Steps 3-5 are the sandbox proper: --sandbox off skips them, and step 2
 * too unless --user is given (then the ids change and the capabilities
 * are narrowed to the same list, without the sandbox).  A
 * kernel without Landlock or seccomp gets a warning naming what is not
 * enforced, never a failure.  One log line says what is.
 */

/* What the sandbox needs to know about the daemon's configuration. */
struct sandbox_plan {
	bool enabled;             /* --sandbox on */
	const char *user;         /* --user NAME, or NULL */
	bool bridge;              /* bridge mode: the capture may be opened again */
	const char *export_dir;   /* NULL: no export */
	bool export_ro;           /* served read-only */
	const char *tftp_dir;     /* NULL: no TFTP */
	const char *config_file;  /* read again on SIGHUP, or NULL */
	bool slirp;               /* a libslirp runs (NAT, bridge host reach): /etc/resolv.conf */
	const char *removes[4];   /* files unlinked at shutdown (sockets, token), NULL-padded */
};

/**
 * sandbox_enter() - confine the daemon as @plan says (see the theory above).
 * @plan: what the daemon still needs
 * @err: receives why the daemon must not go on
 * @errlen: size of @err
 *
 * Call it from the only thread.  A missing kernel feature is logged as a
 * warning and is no error.
 *
 * Return: 0, or -1 when --user or a capability change failed.
 */
int sandbox_enter(const struct sandbox_plan *plan, char *err, size_t errlen);

/**
 * sandbox_active() - did sandbox_enter() confine the daemon (no_new_privs and what the kernel has)?
 *
 * Return: true when a child process could not run normally (no execve, no privilege gained).
 */
bool sandbox_active(void);

#endif
