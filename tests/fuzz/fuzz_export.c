/* SPDX-License-Identifier: MIT */
/* fuzz_export.c: a temporary NFS export for the fuzz targets, and a containment oracle beside it. */
#include "fuzz_export.h"

#include <ftw.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The oracle's secret: no reply may ever contain it. */
static const char fz_secret[] = "indynet-fuzz-outside-7f3a9c";
static char fz_out_dir[] = "/tmp/indynet-fuzz-outside-XXXXXX";
static struct stat fz_out_dir_st, fz_out_file_st;

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

static void fz_stat_outside(struct stat *dir, struct stat *file)
{
	char p[300];

	snprintf(p, sizeof(p), "%s/secret", fz_out_dir);
	if (lstat(fz_out_dir, dir) != 0 || lstat(p, file) != 0)
		abort();
}

void fz_outside_create(const char *export)
{
	char p[300], rel[300], tmp[sizeof(fz_out_dir)];

	if (!mkdtemp(fz_out_dir))
		abort();
	fz_export_put(fz_out_dir, "secret", fz_secret);
	memcpy(tmp, fz_out_dir, sizeof(tmp));
	snprintf(rel, sizeof(rel), "../%s", basename(tmp));
	snprintf(p, sizeof(p), "%s/etc", export);
	if (symlink(fz_out_dir, p) != 0)
		abort();
	snprintf(p, sizeof(p), "%s/up", export);
	if (symlink(rel, p) != 0)
		abort();
	fz_stat_outside(&fz_out_dir_st, &fz_out_file_st);
}

static bool fz_same(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
	       a->st_gid == b->st_gid && a->st_size == b->st_size && a->st_nlink == b->st_nlink &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

void fz_outside_check(const void *reply, size_t len)
{
	struct stat d, f;

	if (len && memmem(reply, len, fz_secret, sizeof(fz_secret) - 1))
		abort();
	fz_stat_outside(&d, &f);
	if (!fz_same(&d, &fz_out_dir_st) || !fz_same(&f, &fz_out_file_st))
		abort();
}

void fz_outside_remove(void)
{
	fz_export_remove(fz_out_dir);
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
