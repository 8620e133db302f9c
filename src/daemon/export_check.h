/* SPDX-License-Identifier: MIT */
/* export_check.h: what indynetd may do with its NFS export, checked before it is served. */
#ifndef INDYNETD_EXPORT_CHECK_H
#define INDYNETD_EXPORT_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/**
 * export_check() - may indynetd read, and write, the export directory?
 * @dir: the export, or NULL (nothing to check)
 * @writable: set to false when the daemon's user cannot write it (a
 *            read-only file system, or permissions): it is then served
 *            read-only rather than announced writable and failing each write
 * @err: receives the reason when the directory cannot be read
 * @errlen: size of @err
 *
 * A directory that does not exist is left to the engine, which reports it
 * as bad input (exit status 2); one that exists but cannot be opened is a
 * run-time failure (permissions: exit status 1).
 *
 * Return: 0, or -1 when @dir exists but cannot be read.
 */
int export_check(const char *dir, bool *writable, char *err, size_t errlen);

#endif
