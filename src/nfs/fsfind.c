/* SPDX-License-Identifier: MIT */
/* fsfind.c: a handle the node cache does not hold: kernel handles with a containment proof, one-directory scans, the incremental search. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "nfs/fs.h"
#include "nfs/fs_int.h"

/*
 * Theory of operation
 *
 * After a restart (or once the bounded node cache has let an object go)
 * a client's handle names an inode the cache does not hold.  It is found
 * in the first of three ways that applies:
 *
 * 1. Kernel handle (layout 2 handles, when open_by_handle_at() is allowed,
 *    i.e. the daemon holds CAP_DAC_READ_SEARCH).  The handle carries the
 *    kernel's handle of a directory D: the object itself, or the directory
 *    holding it.  D is opened by that handle relative to the export root's
 *    descriptor (so only on the export's filesystem), then its containment
 *    is proved by climbing "..": each step must stay on the export's device
 *    and must not be another mount's root or the filesystem's root, and the
 *    climb must reach the export root's inode within FS_MAX_DEPTH steps.
 *    The climb records the inodes on the way; going back down from the
 *    root, each is found by name in its parent (one directory scan per
 *    level not already cached) and opened with openat(O_NOFOLLOW) as every
 *    other object is, so the path is verified twice.  A file is then found
 *    by scanning D.  Cost: O(depth) syscalls plus the sizes of the
 *    directories on the path, whatever the export's size; nothing is read
 *    from D before containment is proved.
 *
 * 2. Parent hint (layout 1 handles): if the directory the handle names as
 *    its holder is cached, that one directory is scanned.
 *
 *    Before either, an object this server removed itself (its inode and
 *    generation are in a ring of the last FS_GONE_MAX) is STALE at once.
 *
 * 3. Background search.  The inode becomes a target (at most
 *    FS_SEARCH_TARGETS at once) and the call is answered FS_ERR_JUKEBOX
 *    (v3 NFS3ERR_JUKEBOX; v2 gets no answer and retransmits).  Between
 *    calls the worker runs fs_search_slice(): a depth-first walk of the
 *    export, at most FS_SEARCH_SLICE_NS per slice, that reads directories
 *    2 KiB of entries at a time, compares every entry's inode with the
 *    targets, and descends into each subdirectory as it meets it.  Its
 *    memory is the stack of directories being read (a reference and a
 *    getdents offset per level); the directories it visits go through the
 *    node cache like any other and are trimmed to its bound.  A found
 *    target is cached under the directory where it was met, so the client's
 *    retry is a cache hit.  A target still missing after a pass that
 *    covered the whole export since it was added is ABSENT: its handle
 *    answers STALE for FS_ABSENT_SEC (then a retry searches again).  An
 *    object renamed from an unvisited into a visited directory during a
 *    pass can be missed; its handle then answers STALE.
 *
 * Worked example (3 levels, 3 M files, restart, kernel handles allowed):
 * the guest READs /exp/d17/d95/f042 with a layout-2 handle carrying the
 * kernel handle of d95.  open_by_handle_at gives d95; climbing ".." meets
 * d17 and then the export root: contained.  Going down, d17 is found in
 * the root (150 entries), d95 in d17, f042 in d95; three scans of ~150
 * entries, and the READ is answered in the same call.
 */

#define FS_SEARCH_BUF 2048

/* ---- 1: the kernel's handle ---- */

static int fs_kfh_open(struct fs_export *fs, const struct fh_data *d)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[FH_KFH_MAX];
	} h;
	int fd;

	h.fh.handle_bytes = d->kfh_len;
	h.fh.handle_type = d->kfh_type;
	memcpy(h.fh.f_handle, d->kfh, d->kfh_len);
	fd = open_by_handle_at(fs->rootfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == EPERM)
		fs->kfh_open = false;  /* the capability went away: search from now on */
	return fd < 0 ? -errno : fd;
}

/*
 * Prove the directory open at @fd lies below the export root by climbing
 * "..".  Fills fs->chain with the inodes below the root, deepest first.
 * Return: their count, or -ESTALE when the climb leaves the export's
 * device, meets another mount's root or the filesystem's root first.
 */
static int fs_climb(struct fs_export *fs, int fd)
{
	int cur = fd, up, n = 0, rc = 0;
	struct statx stx;

	for (;;) {
		if (statx(cur, "", AT_EMPTY_PATH, STATX_INO | STATX_TYPE, &stx) < 0) {
			rc = -errno;
			break;
		}
		if (makedev(stx.stx_dev_major, stx.stx_dev_minor) != fs->dev ||
		    (n > 0 && stx.stx_ino == fs->chain[n - 1])) {
			rc = -ESTALE;  /* another device, or ".." of the filesystem root is itself */
			break;
		}
		if (stx.stx_ino == fs->root->ino)
			break;
		if (fs_is_mount_root(&stx) || n == FS_MAX_DEPTH) {
			rc = -ESTALE;
			break;
		}
		fs->chain[n++] = stx.stx_ino;
		up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cur != fd)
			close(cur);
		cur = up;
		if (cur < 0) {
			rc = -errno;
			break;
		}
	}
	if (cur >= 0 && cur != fd)
		close(cur);
	return rc < 0 ? rc : n;
}

/* Cache the directories fs->chain[@n - 1 .. 0] top down, each found by name in its parent. */
static struct fs_node *fs_descend(struct fs_export *fs, int n)
{
	struct fs_node *p = fs->root, *c;

	while (n-- > 0) {
		c = fs_index_get(fs, fs->chain[n]);
		if (!c || c->up != p || c->type != FS_TYPE_DIR || fs_node_fd(fs, c) < 0) {
			if (!fs_scan_for(fs, p, fs->chain[n]))
				return NULL;
			c = fs_index_get(fs, fs->chain[n]);
			if (!c || c->type != FS_TYPE_DIR || fs_node_fd(fs, c) < 0)
				return NULL;
		}
		p = c;
	}
	return p;
}

/* FS_OK, FS_ERR_STALE (proved gone or outside), or FS_ERR_IO: try the other ways. */
static enum fs_status fs_resolve_kfh(struct fs_export *fs, const struct fh_data *d, struct fs_node **out)
{
	int fd = fs_kfh_open(fs, d), depth;
	struct fs_node *dir;

	if (fd < 0)
		return (fd == -ESTALE && d->type == FS_TYPE_DIR) || fd == -ENOTDIR ? FS_ERR_STALE : FS_ERR_IO;
	depth = fs_climb(fs, fd);
	close(fd);
	if (depth < 0)
		return depth == -ESTALE ? FS_ERR_STALE : FS_ERR_IO;
	dir = fs_descend(fs, depth);
	if (!dir)
		return FS_ERR_IO;
	if (d->type == FS_TYPE_DIR) {
		*out = dir;
		return dir->ino == d->ino ? FS_OK : FS_ERR_IO;
	}
	if (!fs_scan_for(fs, dir, d->ino))
		return FS_ERR_IO;
	*out = fs_index_get(fs, d->ino);
	return FS_OK;
}

/* ---- 3: the background search ---- */

static int64_t fs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct fs_target *fs_target_find(struct fs_export *fs, uint64_t ino)
{
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++)
		if (fs->search.t[i].state != FS_TARGET_FREE && fs->search.t[i].ino == ino)
			return &fs->search.t[i];
	return NULL;
}

static bool fs_search_pending(const struct fs_export *fs)
{
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++)
		if (fs->search.t[i].state == FS_TARGET_PENDING)
			return true;
	return false;
}

/* A free slot, or one whose ABSENT verdict has expired. */
static struct fs_target *fs_target_slot(struct fs_export *fs, int64_t now)
{
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++) {
		struct fs_target *t = &fs->search.t[i];

		if (t->state == FS_TARGET_FREE ||
		    (t->state == FS_TARGET_ABSENT && now - t->absent_since >= FS_ABSENT_SEC))
			return t;
	}
	return NULL;
}

/* Ask the search for @ino: STALE when a whole pass just missed it, else JUKEBOX. */
static enum fs_status fs_search_want(struct fs_export *fs, uint64_t ino)
{
	struct fs_target *t = fs_target_find(fs, ino);
	int64_t now = fs_now_sec();

	if (t && t->state == FS_TARGET_ABSENT && now - t->absent_since < FS_ABSENT_SEC) {
		fs_ctr_inc(&fs->ctr.handles_stale);
		return FS_ERR_STALE;
	}
	if (!t || t->state == FS_TARGET_ABSENT)
		t = fs_target_slot(fs, now);  /* none free: the client's retry asks again */
	if (t && t->state != FS_TARGET_PENDING) {
		t->ino = ino;
		t->state = FS_TARGET_PENDING;
		t->need_pass = fs->search.pass + 1;
	}
	fs->deferred = true;
	fs_ctr_inc(&fs->ctr.handles_jukebox);
	return FS_ERR_JUKEBOX;
}

static bool fs_search_push(struct fs_export *fs, struct fs_node *dir)
{
	struct fs_search *s = &fs->search;

	if (s->depth == FS_MAX_DEPTH)
		return false;
	if (s->depth == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 16;
		struct fs_level *st = realloc(s->stack, cap * sizeof(*st));

		if (!st)
			return false;
		s->stack = st;
		s->cap = cap;
	}
	fs_node_hold(fs, dir);
	s->stack[s->depth++] = (struct fs_level){ .dir = dir, .off = 0 };
	return true;
}

static void fs_search_pop(struct fs_export *fs)
{
	fs_node_release(fs, fs->search.stack[--fs->search.depth].dir);
}

/* The pass is over: targets it covered and did not find are ABSENT. */
static void fs_search_end(struct fs_export *fs)
{
	struct fs_search *s = &fs->search;
	int64_t now = fs_now_sec();

	while (s->depth)
		fs_search_pop(fs);
	s->running = false;
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++) {
		if (s->t[i].state == FS_TARGET_PENDING && s->t[i].need_pass <= s->pass) {
			s->t[i].state = FS_TARGET_ABSENT;
			s->t[i].absent_since = now;
		}
	}
}

/* One entry of @lv's directory: a target is cached; true when it was a directory we descended into. */
static bool fs_search_entry(struct fs_export *fs, struct fs_level *lv, int fd, const struct dirent64 *de)
{
	struct fs_target *t = fs_target_find(fs, de->d_ino);
	bool want = t && t->state == FS_TARGET_PENDING;
	uint8_t type = FS_TYPE_NONE;
	struct fs_node *n;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return false;
	if (want || de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)
		type = fs_dirent_type(fd, de);
	if (type == FS_TYPE_NONE)
		return false;
	n = fs_index_put(fs, de->d_ino, lv->dir->ino, type, de->d_name);
	if (!n || fs_node_fd(fs, n) < 0)
		return false;  /* gone, or not what the entry said (a mount point) */
	if (want) {
		t->state = FS_TARGET_FREE;
		fs_ctr_inc(&fs->ctr.handles_searched);
	}
	return type == FS_TYPE_DIR && !n->fd_path && fs_search_push(fs, n);
}

/* Read one buffer of the deepest directory; descend at the first subdirectory met. */
static void fs_search_step(struct fs_export *fs)
{
	struct fs_level *lv = &fs->search.stack[fs->search.depth - 1];
	struct fs_node *dir = lv->dir;
	uint8_t buf[FS_SEARCH_BUF];
	int fd = fs_node_fd(fs, dir);
	bool down = false;
	long n = -1, off;

	if (fd >= 0 && !dir->fd_path && lseek(fd, lv->off, SEEK_SET) >= 0)
		n = getdents64(fd, buf, sizeof(buf));
	if (n <= 0) {
		fs_search_pop(fs);
		return;
	}
	dir->pin++;
	for (off = 0; off < n && !down;) {
		const struct dirent64 *de = (const struct dirent64 *)(const void *)(buf + off);

		off += de->d_reclen;
		lv->off = de->d_off;
		fs_ctr_inc(&fs->ctr.search_entries);
		down = fs_search_entry(fs, lv, fd, de);  /* @lv may have moved when true */
	}
	dir->pin--;
}

/**
 * fs_search_slice() - run the background search for at most FS_SEARCH_SLICE_NS.
 * @fs: export
 *
 * Return: true while targets are still searched for.
 */
bool fs_search_slice(struct fs_export *fs)
{
	struct fs_search *s = &fs->search;
	int64_t deadline = fs_now_ns() + FS_SEARCH_SLICE_NS;

	if (!s->running && fs_search_pending(fs)) {
		s->pass++;
		s->running = fs_search_push(fs, fs->root);
	}
	while (s->running && s->depth && fs_search_pending(fs) && fs_now_ns() < deadline)
		fs_search_step(fs);
	if (s->running && (!s->depth || !fs_search_pending(fs)))
		fs_search_end(fs);
	return fs_search_pending(fs);
}

/**
 * fs_search_free() - stop the search and free its stack.
 * @fs: export
 */
void fs_search_free(struct fs_export *fs)
{
	while (fs->search.depth)
		fs_search_pop(fs);
	free(fs->search.stack);
	fs->search.stack = NULL;
	fs->search.cap = 0;
	fs->search.running = false;
}

/**
 * fs_note_gone() - remember an object whose last name this server removed.
 * @fs: export
 * @n: its node (with a known, non-zero generation; others are not noted)
 */
void fs_note_gone(struct fs_export *fs, const struct fs_node *n)
{
	if (!n->gen_known || !n->gen)
		return;
	fs->gone[fs->gone_next] = (struct fs_gone){ .ino = n->ino, .gen = n->gen };
	fs->gone_next = (fs->gone_next + 1) % FS_GONE_MAX;
}

static bool fs_is_gone(const struct fs_export *fs, const struct fh_data *d)
{
	for (unsigned i = 0; i < FS_GONE_MAX; i++)
		if (fs->gone[i].ino == d->ino && fs->gone[i].gen == d->gen && d->gen)
			return true;
	return false;
}

/**
 * fs_resolve() - find an object the node cache does not hold.
 * @fs: export
 * @d: the decoded handle
 * @out: receives the node on FS_OK
 *
 * Return: FS_OK, FS_ERR_STALE, or FS_ERR_JUKEBOX (being searched for).
 */
enum fs_status fs_resolve(struct fs_export *fs, const struct fh_data *d, struct fs_node **out)
{
	enum fs_status st = FS_ERR_IO;
	struct fs_node *p, *n = NULL;

	if (fs_is_gone(fs, d)) {
		st = FS_ERR_STALE;
	} else if (d->kfh_len && fs->kfh_open) {
		st = fs_resolve_kfh(fs, d, &n);
		if (st == FS_OK)
			fs_ctr_inc(&fs->ctr.handles_kernel);
	}
	if (st == FS_ERR_IO) {
		p = d->parent ? fs_index_get(fs, d->parent) : NULL;
		if (p && p->type == FS_TYPE_DIR && fs_scan_for(fs, p, d->ino)) {
			n = fs_index_get(fs, d->ino);
			st = FS_OK;
			fs_ctr_inc(&fs->ctr.handles_searched);
		} else {
			return fs_search_want(fs, d->ino);
		}
	}
	if (st == FS_OK && (!n || n->type != d->type || fs_node_fd(fs, n) < 0))
		st = FS_ERR_STALE;
	if (st == FS_ERR_STALE)
		fs_ctr_inc(&fs->ctr.handles_stale);
	*out = n;
	return st;
}
