/* SPDX-License-Identifier: MIT */
/* fuzz_export.h: a temporary NFS export for the fuzz targets, and a containment oracle beside it. */
#ifndef INDYNET_FUZZ_EXPORT_H
#define INDYNET_FUZZ_EXPORT_H

#include <stddef.h>

/**
 * fz_export_create() - make a temporary export folder; aborts on failure.
 * @tmpl: mkdtemp() template, replaced by the folder's path
 */
void fz_export_create(char *tmpl);

/**
 * fz_export_put() - write @text to the file @rel (relative to the export).
 * @dir: the export
 * @rel: path inside it
 * @text: contents
 */
void fz_export_put(const char *dir, const char *rel, const char *text);

/**
 * fz_export_remove() - delete the export folder and everything below it.
 * @dir: the export
 */
void fz_export_remove(const char *dir);

/**
 * fz_outside_create() - a containment oracle: a folder outside the export
 * holding a secret file, reached from inside it by the symlinks "etc"
 * (absolute) and "up" (relative, "../NAME").  Aborts on failure.
 * @export: the export (made by fz_export_create())
 */
void fz_outside_create(const char *export);

/**
 * fz_outside_check() - abort when a reply carries the secret or when the
 * outside folder or its file changed: the server read or wrote outside the
 * export.
 * @reply: what the server answered
 * @len: its length
 */
void fz_outside_check(const void *reply, size_t len);

/**
 * fz_outside_remove() - delete the oracle's folder.
 */
void fz_outside_remove(void);

#endif /* INDYNET_FUZZ_EXPORT_H */
