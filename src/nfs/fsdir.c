/* SPDX-License-Identifier: MIT */
/* fsdir.c: READDIR over getdents64 with stable, O(1)-resumable cookies (64-bit and NFSv2 32-bit). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nfs/fs.h"
#include "nfs/fs_int.h"

/*
 * Theory of operation
 *
 * A cookie is the host's own directory offset (getdents64 d_off), which
 * ext4 (hash order), tmpfs, btrfs and xfs keep stable while entries are
 * added or removed; resuming is one lseek(), so listing n entries costs
 * O(n) whatever the client's count.  NFSv2 cookies are 32 bits: offsets that
 * fit 31 bits are used as they are, larger ones (ext4's 64-bit hashes) fold
 * to 0x80000000 | hash(d_off).  The fold is deterministic, so it survives a
 * restart; a per-directory table maps folds back to offsets, filled as
 * entries are handed out, and an unknown fold (after a restart) is found by
 * one pass over the directory.  "." and ".." come from the host as well;
 * their fileids are rewritten so ".." is what LOOKUP ".." returns (the root
 * for the export root).
 */

#define FS_COOKIE_MAP_MAX (1u << 22)

struct fs_cookie_slot {
	uint32_t c32;     /* 0 = empty */
	uint64_t off;
};

struct fs_cookie_map {
	struct fs_cookie_slot *slot;
	uint32_t cap, count;
};

/**
 * fs_cookies_free() - free a directory's cookie table.
 * @m: table, may be NULL
 */
void fs_cookies_free(struct fs_cookie_map *m)
{
	if (!m)
		return;
	free(m->slot);
	free(m);
}

static uint32_t fs_fold_cookie(uint64_t off)
{
	if (off <= 0x7fffffffu)
		return (uint32_t)off;
	return 0x80000000u | (uint32_t)(fs_mix64(off) & 0x7fffffffu);
}

static struct fs_cookie_slot *fs_cookie_find(struct fs_cookie_map *m, uint32_t c32)
{
	uint32_t i = (uint32_t)fs_mix64(c32) & (m->cap - 1);

	while (m->slot[i].c32 && m->slot[i].c32 != c32)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static int fs_cookie_grow(struct fs_cookie_map *m)
{
	struct fs_cookie_map n = { .cap = m->cap ? m->cap * 2 : 256 };
	uint32_t i;

	n.slot = calloc(n.cap, sizeof(*n.slot));
	if (!n.slot)
		return -1;
	for (i = 0; i < m->cap; i++)
		if (m->slot[i].c32)
			*fs_cookie_find(&n, m->slot[i].c32) = m->slot[i];
	n.count = m->count;
	free(m->slot);
	*m = n;
	return 0;
}

/* Remember the offset behind a folded cookie (bounded; best effort). */
static void fs_cookie_note(struct fs_node *dir, uint32_t c32, uint64_t off)
{
	struct fs_cookie_map *m = dir->cookies;
	struct fs_cookie_slot *s;

	if (c32 < 0x80000000u)
		return;
	if (!m) {
		m = dir->cookies = calloc(1, sizeof(*m));
		if (!m)
			return;
	}
	if ((m->count + 1) * 2 > m->cap && (m->count >= FS_COOKIE_MAP_MAX || fs_cookie_grow(m) < 0))
		return;
	s = fs_cookie_find(m, c32);
	if (!s->c32)
		m->count++;
	s->c32 = c32;
	s->off = off;
}

static int fs_cookie_lookup(struct fs_node *dir, uint32_t c32, uint64_t *off)
{
	struct fs_cookie_slot *s;

	if (!dir->cookies || !dir->cookies->cap)
		return -1;
	s = fs_cookie_find(dir->cookies, c32);
	if (!s->c32)
		return -1;
	*off = s->off;
	return 0;
}

/* One pass over the directory to learn every fold (after a restart). */
static void fs_cookie_learn(int fd, struct fs_node *dir)
{
	uint8_t buf[16384];
	long n, pos;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < n;) {
			struct dirent64 *de = (struct dirent64 *)(void *)(buf + pos);

			fs_cookie_note(dir, fs_fold_cookie((uint64_t)de->d_off), (uint64_t)de->d_off);
			pos += de->d_reclen;
		}
	}
}

static enum fs_status fs_cookie_offset(int fd, struct fs_node *dir, uint64_t cookie, bool cookie32,
				       uint64_t *off)
{
	if (!cookie32 || cookie < 0x80000000u) {
		*off = cookie;
		return cookie > INT64_MAX ? FS_ERR_BAD_COOKIE : FS_OK;
	}
	if (cookie > UINT32_MAX)
		return FS_ERR_BAD_COOKIE;
	if (fs_cookie_lookup(dir, (uint32_t)cookie, off) == 0)
		return FS_OK;
	fs_cookie_learn(fd, dir);
	return fs_cookie_lookup(dir, (uint32_t)cookie, off) == 0 ? FS_OK : FS_ERR_BAD_COOKIE;
}

/* Hand the entries of one getdents64 batch to the callback; 1 when it stopped. */
static int fs_readdir_batch(struct fs_export *fs, struct fs_node *dir, const uint8_t *buf, long n,
			    bool cookie32, fs_readdir_cb cb, void *opaque)
{
	struct fs_dirent ent;
	long pos;

	for (pos = 0; pos < n;) {
		const struct dirent64 *de = (const struct dirent64 *)(const void *)(buf + pos);
		uint64_t off = (uint64_t)de->d_off;

		pos += de->d_reclen;
		ent.name = de->d_name;
		ent.namelen = (uint32_t)strlen(de->d_name);
		ent.fileid = de->d_ino;
		if (!strcmp(de->d_name, "."))
			ent.fileid = dir->ino;
		else if (!strcmp(de->d_name, ".."))
			ent.fileid = dir == fs_root(fs) ? dir->ino : dir->parent;
		ent.cookie = cookie32 ? fs_fold_cookie(off) : off;
		if (cookie32)
			fs_cookie_note(dir, (uint32_t)ent.cookie, off);
		if (cb(opaque, &ent))
			return 1;
	}
	return 0;
}

/**
 * fs_readdir() - list a directory from a cookie.
 * @fs: export
 * @dir: directory
 * @cookie: 0 to start, else a cookie from an earlier entry
 * @cookie32: NFSv2: cookies are 32 bits (in and out)
 * @cb: called per entry until it returns non-zero
 * @opaque: its argument
 * @eof: receives whether the listing ended
 *
 * Return: FS_OK, FS_ERR_NOTDIR, FS_ERR_BAD_COOKIE or another error.
 */
enum fs_status fs_readdir(struct fs_export *fs, struct fs_node *dir, uint64_t cookie, bool cookie32,
			  fs_readdir_cb cb, void *opaque, bool *eof)
{
	uint8_t buf[16384];
	enum fs_status st;
	uint64_t off;
	long n;
	int fd;

	*eof = false;
	st = fs_dir_fd(fs, dir, &fd);
	if (st != FS_OK)
		return st;
	if (dir->fd_path)
		return FS_ERR_ACCES;
	st = fs_cookie_offset(fd, dir, cookie, cookie32, &off);
	if (st != FS_OK)
		return st;
	if (lseek(fd, (off_t)off, SEEK_SET) < 0)
		return FS_ERR_BAD_COOKIE;
	dir->pin++;
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
		if (fs_readdir_batch(fs, dir, buf, n, cookie32, cb, opaque)) {
			dir->pin--;
			return FS_OK;
		}
	}
	dir->pin--;
	if (n < 0)
		return errno == EINVAL || errno == ENOENT ? FS_ERR_BAD_COOKIE : fs_errno(errno);
	*eof = true;
	return FS_OK;
}

/**
 * fs_cookieverf() - the NFSv3 cookie verifier of a directory.
 * @fs: export
 * @dir: directory
 *
 * Cookies are host offsets that stay valid while entries come and go, so
 * the verifier only names the directory (it survives restarts too).
 *
 * Return: a non-zero verifier.
 */
uint64_t fs_cookieverf(struct fs_export *fs, struct fs_node *dir)
{
	return fs_mix64(dir->ino ^ ((uint64_t)dir->gen << 32) ^ fs->export_id) | 1u;
}
