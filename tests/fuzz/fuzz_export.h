/* SPDX-License-Identifier: MIT */
/* fuzz_export.h: a temporary NFS export for the fuzz targets, and a containment oracle beside it. */
#ifndef INDYNET_FUZZ_EXPORT_H
#define INDYNET_FUZZ_EXPORT_H

#include <stddef.h>

/**
 * fz_export_create() - make a temporary export holding the file "hello", the
 * folder "dir" with "dir/inner", and the containment oracle: a folder outside
 * the export with a secret file, reached from inside by the symlinks "etc"
 * (absolute) and "up" (relative).  Aborts on failure.
 * @tmpl: mkdtemp() template, replaced by the export's path
 */
void fz_export_create(char *tmpl);

/**
 * fz_export_remove() - delete the export and the oracle's folder.
 * @dir: the export
 */
void fz_export_remove(const char *dir);

/**
 * fz_outside_check() - abort when a reply carries the secret or when the
 * oracle's folder or its file changed: the server read or wrote outside the
 * export.
 * @reply: what the server answered
 * @len: its length
 */
void fz_outside_check(const void *reply, size_t len);

#endif /* INDYNET_FUZZ_EXPORT_H */
