/* SPDX-License-Identifier: MIT */
/* fuzz_export.h: a temporary NFS export for the fuzz targets (create, fill, remove). */
#ifndef INDYNET_FUZZ_EXPORT_H
#define INDYNET_FUZZ_EXPORT_H

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

#endif /* INDYNET_FUZZ_EXPORT_H */
