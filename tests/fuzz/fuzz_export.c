/* SPDX-License-Identifier: MIT */
/* fuzz_export.c: a temporary NFS export for the fuzz targets (create, fill, remove). */
#include "fuzz_export.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

void fz_export_create(char *tmpl)
{
	if (!mkdtemp(tmpl))
		abort();
}

void fz_export_put(const char *dir, const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int fz_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fz_export_remove(const char *dir)
{
	nftw(dir, fz_rm_one, 64, FTW_DEPTH | FTW_PHYS);
}
