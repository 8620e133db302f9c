/* SPDX-License-Identifier: MIT */
/* fuzz_export.c: a temporary NFS export for the fuzz targets, and a containment oracle beside it. */
#include "fuzz_export.h"

#include <ftw.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The oracle's secret: no reply may ever contain it.  libFuzzer learns the
 * operands of memcmp/memmem calls and of instrumented comparisons, and would
 * then send the secret itself and see it echoed (an ICMP error quoting the
 * datagram, a file it wrote): so the secret is stored masked and is searched
 * for by fz_has_secret(), which is neither instrumented nor a library call.
 */
#define FZ_MASK 0x5a
static const uint8_t fz_secret_masked[] = { 'o' ^ FZ_MASK, 'u' ^ FZ_MASK, 't' ^ FZ_MASK, 's' ^ FZ_MASK,
					    'i' ^ FZ_MASK, 'd' ^ FZ_MASK, 'e' ^ FZ_MASK, '-' ^ FZ_MASK,
					    '7' ^ FZ_MASK, 'f' ^ FZ_MASK, '3' ^ FZ_MASK, 'a' ^ FZ_MASK,
					    '9' ^ FZ_MASK, 'c' ^ FZ_MASK, '2' ^ FZ_MASK, 'e' ^ FZ_MASK };
static char fz_out_dir[] = "/tmp/indynet-fuzz-outside-XXXXXX";
static struct stat fz_out_dir_st, fz_out_file_st;

static void fz_export_put(const char *dir, const char *rel, const char *text)
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

#if defined(__has_attribute) && __has_attribute(no_sanitize_coverage)
#define FZ_UNTRACED __attribute__((no_sanitize_coverage, noinline))
#else
#define FZ_UNTRACED __attribute__((noinline))
#endif

static FZ_UNTRACED bool fz_has_secret(const uint8_t *p, size_t len)
{
	const size_t n = sizeof(fz_secret_masked);

	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;

		while (j < n && (uint8_t)(p[i + j] ^ FZ_MASK) == fz_secret_masked[j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

static FZ_UNTRACED void fz_write_secret(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	for (size_t i = 0; i < sizeof(fz_secret_masked); i++)
		fputc(fz_secret_masked[i] ^ FZ_MASK, f);
	fclose(f);
}

static void fz_outside_create(const char *export)
{
	char p[300], rel[300], tmp[sizeof(fz_out_dir)];

	if (!mkdtemp(fz_out_dir))
		abort();
	snprintf(p, sizeof(p), "%s/secret", fz_out_dir);
	fz_write_secret(p);
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

	if (fz_has_secret(reply, len))
		abort();
	fz_stat_outside(&d, &f);
	if (!fz_same(&d, &fz_out_dir_st) || !fz_same(&f, &fz_out_file_st))
		abort();
}


static int fz_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fz_remove_tree(const char *dir)
{
	nftw(dir, fz_rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

void fz_export_create(char *tmpl)
{
	char p[256];

	if (!mkdtemp(tmpl))
		abort();
	fz_export_put(tmpl, "hello", "hello world\n");
	snprintf(p, sizeof(p), "%s/dir", tmpl);
	if (mkdir(p, 0755) != 0)
		abort();
	fz_export_put(tmpl, "dir/inner", "x");
	fz_outside_create(tmpl);
}

void fz_export_remove(const char *dir)
{
	fz_remove_tree(dir);
	fz_remove_tree(fz_out_dir);
}
