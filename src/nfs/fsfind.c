/* SPDX-License-Identifier: MIT */
/* fsfind.c: a handle the node cache does not hold: kernel handles with a containment proof, one-directory scans, the seeker's finds. */
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
 * 3. Background search (fsseek.c).  The inode becomes a target of the
 *    seeker thread, which walks the export with descriptors of its own,
 *    and the call is answered FS_ERR_JUKEBOX (v3 NFS3ERR_JUKEBOX; v2 gets
 *    no answer and retransmits).  When the seeker has met the target, the
 *    client's retry takes its record (the directories from the root down)
 *    in fs_search_found() and descends it as in 1., so the path is proved
 *    again on this thread before anything is served.
 *
 * Worked example (3 levels, 3 M files, restart, kernel handles allowed):
 * the guest READs /exp/d17/d95/f042 with a layout-2 handle carrying the
 * kernel handle of d95.  open_by_handle_at gives d95; climbing ".." meets
 * d17 and then the export root: contained.  Going down, d17 is found in
 * the root (150 entries), d95 in d17, f042 in d95; three scans of ~150
 * entries, and the READ is answered in the same call.
 */

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

/* A target the seeker met (fsseek.c): descend its record and cache it; NULL when not met yet. */
static struct fs_node *fs_search_found(struct fs_export *fs, uint64_t ino)
{
	int depth = fs_search_take(fs, ino);
	struct fs_node *dir = depth < 0 ? NULL : fs_descend(fs, depth);

	return dir && fs_scan_for(fs, dir, ino) ? fs_index_get(fs, ino) : NULL;
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
		if (p && p->type == FS_TYPE_DIR && fs_scan_for(fs, p, d->ino))
			n = fs_index_get(fs, d->ino);
		else if (!(n = fs_search_found(fs, d->ino)))
			return fs_search_want(fs, d->ino);
		st = FS_OK;
		fs_ctr_inc(&fs->ctr.handles_searched);
	}
	if (st == FS_OK && (!n || n->type != d->type || fs_node_fd(fs, n) < 0))
		st = FS_ERR_STALE;
	if (st == FS_ERR_STALE)
		fs_ctr_inc(&fs->ctr.handles_stale);
	*out = n;
	return st;
}
