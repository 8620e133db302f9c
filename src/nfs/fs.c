/* SPDX-License-Identifier: MIT */
/* fs.c: the export: handles, the bounded node and descriptor caches, LOOKUP, GETATTR, ACCESS, STATFS. */
#include "nfs/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "nfs/fs_int.h"

/*
 * Theory of operation
 *
 * A handle names an object by (export id, st_ino, generation) and tells
 * where to look for it: layout 2 carries the kernel's own file handle
 * (name_to_handle_at) of the object when it is a directory, else of the
 * directory holding it; layout 1 (earlier versions, and filesystems whose
 * kernel handles do not fit 32 bytes) carries that directory's st_ino.
 * Nothing in a handle is a path and nothing depends on this process's
 * memory, so handles survive a restart (handle.c has the layouts).
 *
 * The node cache holds objects the server has met: st_ino -> (the node of
 * the directory holding it, name, type).  It is bounded (cache_nodes,
 * default 65536): a node holds a reference on its directory's node, so
 * every cached node's chain up to the root is cached too, and only nodes
 * nobody references (leaves) sit on an LRU list; at the end of each call
 * (fs_call_done()) the least recently used
 * leaves are dropped until the bound holds.  Node pointers a call obtained
 * therefore stay valid for the whole call.  A node dropped while children
 * still reference it (removed, or found to be wrong) leaves the hash table
 * at once and is freed with its last child.
 *
 * To reach an object the server walks that chain up to the export root
 * and opens each component with openat(O_PATH | O_NOFOLLOW) relative to
 * its parent's descriptor, then checks st_dev, st_ino, type, generation
 * and that it is no mount's root.  The walk starts at the export root's
 * descriptor and every name came from the export's own directories, so a
 * cached object is always below the root and no host symlink is ever
 * followed.  Descriptors are cached per node (an LRU of cache_fds, default
 * 512), so the hot path is one hash lookup.  Regular files and directories
 * are re-opened for I/O through /proc/self/fd/N of the verified O_PATH
 * descriptor, which refers to the very inode that was checked.
 *
 * A handle the cache does not hold (after a restart, or evicted) is
 * resolved in fsfind.c: through the kernel handle with open_by_handle_at()
 * and a proof of containment (climb ".." to the export root, then walk
 * back down by name), which costs O(depth) whatever the export's size and
 * needs CAP_DAC_READ_SEARCH; else by scanning the hinted directory; else
 * by a background search on a thread of its own (fsseek.c) while the client
 * is told NFS3ERR_JUKEBOX (v2: no answer).  Why kernel handles rather
 * than a persistent index beside the export: nothing to keep in step with
 * a filesystem others change behind our back, no state directory, and no
 * index whose size grows with the export; the search covers what the
 * kernel cannot (no capability, old handles, large kernel handles).
 *
 * The generation is a fold of the inode's birth time (statx STATX_BTIME),
 * so a reused inode number gives STALE; filesystems without birth times
 * use 0.
 *
 * The export is its path, not only the directory opened at start: every
 * call first checks that the path still leads to the root's inode
 * (fs_export_present(), looked up at most once a millisecond), so a
 * directory renamed away (or replaced) while served is not served from
 * where it went; calls answer IO until it is back.  A call already running
 * when the rename happens, or within that millisecond, may still finish in
 * the moved directory, as it would on any server.
 */

/**
 * fs_mix64() - a 64-bit mixing function (splitmix64 finaliser).
 * @x: input
 *
 * Return: the mixed value.
 */
uint64_t fs_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 31;
	return x;
}

/**
 * fs_errno() - map a host errno to a version-neutral status.
 * @err: positive errno
 *
 * Return: the matching enum fs_status (FS_ERR_IO for anything unlisted).
 */
enum fs_status fs_errno(int err)
{
	switch (err) {
	case 0: return FS_OK;
	case EPERM: return FS_ERR_PERM;
	case ENOENT: return FS_ERR_NOENT;
	case ENXIO: return FS_ERR_NXIO;
	case EACCES: return FS_ERR_ACCES;
	case EEXIST: return FS_ERR_EXIST;
	case EXDEV: return FS_ERR_XDEV;
	case ENODEV: return FS_ERR_NODEV;
	case ENOTDIR: return FS_ERR_NOTDIR;
	case EISDIR: return FS_ERR_ISDIR;
	case EINVAL: case ELOOP: return FS_ERR_INVAL;
	case EFBIG: case EOVERFLOW: return FS_ERR_FBIG;
	case ENOSPC: return FS_ERR_NOSPC;
	case EROFS: return FS_ERR_ROFS;
	case EMLINK: return FS_ERR_MLINK;
	case ENAMETOOLONG: return FS_ERR_NAMETOOLONG;
	case ENOTEMPTY: return FS_ERR_NOTEMPTY;
	case EDQUOT: return FS_ERR_DQUOT;
	case ESTALE: return FS_ERR_STALE;
	case EOPNOTSUPP: return FS_ERR_NOTSUPP;
	default: return FS_ERR_IO;
	}
}

/**
 * fs_name_check() - validate one name component from a client.
 * @name: the bytes as received
 * @len: their count
 * @out: receives the NUL-terminated name
 *
 * Return: FS_OK; FS_ERR_NAMETOOLONG over FS_NAME_MAX; FS_ERR_ACCES for
 * "/" or NUL inside; FS_ERR_INVAL for "", "." and "..".
 */
enum fs_status fs_name_check(const uint8_t *name, uint32_t len, char out[FS_NAME_MAX + 1])
{
	if (len > FS_NAME_MAX)
		return FS_ERR_NAMETOOLONG;
	if (len == 0 || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return FS_ERR_INVAL;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return FS_ERR_ACCES;
	memcpy(out, name, len);
	out[len] = '\0';
	return FS_OK;
}

/**
 * fs_now_sec() - monotonic seconds.
 *
 * Return: the time.
 */
int64_t fs_now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/**
 * fs_ctr_inc() - count one event (read by other threads).
 * @c: counter
 */
void fs_ctr_inc(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* ---- the node cache ---- */

static size_t fs_bucket(const struct fs_export *fs, uint64_t ino)
{
	return (size_t)fs_mix64(ino) & (fs->nbuckets - 1);
}

/**
 * fs_index_get() - the cached node of an inode number.
 * @fs: export
 * @ino: host inode number
 *
 * Return: the node or NULL.
 */
struct fs_node *fs_index_get(struct fs_export *fs, uint64_t ino)
{
	struct fs_node *n;

	for (n = fs->tab[fs_bucket(fs, ino)]; n; n = n->hnext)
		if (n->ino == ino)
			return n;
	return NULL;
}

static int fs_index_grow(struct fs_export *fs)
{
	size_t nb = fs->nbuckets * 2, i;
	struct fs_node **tab = calloc(nb, sizeof(*tab));
	struct fs_node **old = fs->tab, *n, *next;
	size_t oldnb = fs->nbuckets;

	if (!tab)
		return -1;
	fs->tab = tab;
	fs->nbuckets = nb;
	for (i = 0; i < oldnb; i++) {
		for (n = old[i]; n; n = next) {
			size_t b = fs_bucket(fs, n->ino);

			next = n->hnext;
			n->hnext = tab[b];
			tab[b] = n;
		}
	}
	free(old);
	return 0;
}

static void fs_unhash(struct fs_export *fs, struct fs_node *n)
{
	struct fs_node **pp;

	for (pp = &fs->tab[fs_bucket(fs, n->ino)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == n) {
			*pp = n->hnext;
			break;
		}
	}
	n->hashed = false;
}

/* node LRU: the evictable nodes (hashed, no refs, not the root), most recent first */
static bool fs_nl_member(const struct fs_export *fs, const struct fs_node *n)
{
	return n->hashed && n->refs == 0 && n != fs->root;
}

static void fs_nl_unlink(struct fs_export *fs, struct fs_node *n)
{
	if (n->nl_prev)
		n->nl_prev->nl_next = n->nl_next;
	else
		fs->nl_head = n->nl_next;
	if (n->nl_next)
		n->nl_next->nl_prev = n->nl_prev;
	else
		fs->nl_tail = n->nl_prev;
	n->nl_prev = n->nl_next = NULL;
}

static void fs_nl_push(struct fs_export *fs, struct fs_node *n)
{
	n->nl_next = fs->nl_head;
	n->nl_prev = NULL;
	if (fs->nl_head)
		fs->nl_head->nl_prev = n;
	fs->nl_head = n;
	if (!fs->nl_tail)
		fs->nl_tail = n;
}

/* A node was used: it is evicted last. */
static void fs_touch(struct fs_export *fs, struct fs_node *n)
{
	if (fs_nl_member(fs, n) && fs->nl_head != n) {
		fs_nl_unlink(fs, n);
		fs_nl_push(fs, n);
	}
}

/* descriptor LRU: nodes with a cached descriptor (not the root), most recent first */
static void fs_lru_unlink(struct fs_export *fs, struct fs_node *n)
{
	if (n->lru_prev)
		n->lru_prev->lru_next = n->lru_next;
	else if (fs->lru_head == n)
		fs->lru_head = n->lru_next;
	if (n->lru_next)
		n->lru_next->lru_prev = n->lru_prev;
	else if (fs->lru_tail == n)
		fs->lru_tail = n->lru_prev;
	n->lru_prev = n->lru_next = NULL;
}

static void fs_lru_push(struct fs_export *fs, struct fs_node *n)
{
	n->lru_next = fs->lru_head;
	n->lru_prev = NULL;
	if (fs->lru_head)
		fs->lru_head->lru_prev = n;
	fs->lru_head = n;
	if (!fs->lru_tail)
		fs->lru_tail = n;
}

static void fs_node_close(struct fs_export *fs, struct fs_node *n)
{
	if (n == fs->root || n->fd < 0)
		return;
	close(n->fd);
	n->fd = -1;
	n->fd_rw = n->fd_path = false;
	fs_lru_unlink(fs, n);
	fs->nfds--;
}

/* Close unpinned cached descriptors, least recently used first, down to @keep. */
static void fs_lru_shrink(struct fs_export *fs, unsigned keep)
{
	struct fs_node *n = fs->lru_tail, *prev;

	while (fs->nfds > keep && n) {
		prev = n->lru_prev;
		if (!n->pin)
			fs_node_close(fs, n);
		n = prev;
	}
}

static void fs_lru_evict(struct fs_export *fs)
{
	fs_lru_shrink(fs, fs->fds_max - 1);
}

static void fs_node_free(struct fs_export *fs, struct fs_node *n)
{
	struct fs_node *up = n->up;

	fs_node_close(fs, n);
	fs_cookies_free(n->cookies);
	free(n->name);
	free(n);
	fs->count--;
	if (up)
		fs_node_release(fs, up);
}

/**
 * fs_node_hold() - keep a node (and so its directories) cached.
 * @fs: export
 * @n: node
 */
void fs_node_hold(struct fs_export *fs, struct fs_node *n)
{
	if (fs_nl_member(fs, n))
		fs_nl_unlink(fs, n);
	n->refs++;
}

/**
 * fs_node_release() - drop a reference taken by fs_node_hold() or a child.
 * @fs: export
 * @n: node; freed when dropped from the cache and this was its last reference
 */
void fs_node_release(struct fs_export *fs, struct fs_node *n)
{
	if (--n->refs)
		return;
	if (!n->hashed)
		fs_node_free(fs, n);
	else if (n != fs->root)
		fs_nl_push(fs, n);
}

/* Hang @n below @p (the directory holding it). */
static void fs_node_link(struct fs_export *fs, struct fs_node *n, struct fs_node *p)
{
	struct fs_node *old = n->up;

	if (old == p)
		return;
	fs_node_hold(fs, p);
	n->up = p;
	n->parent = p->ino;
	if (old)
		fs_node_release(fs, old);
}

static struct fs_node *fs_node_new(struct fs_export *fs, uint64_t ino, uint8_t type, const char *name)
{
	struct fs_node *n;
	size_t b;

	if (fs->count >= fs->nbuckets && fs_index_grow(fs) < 0)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(name))) {
		free(n);
		return NULL;
	}
	n->ino = ino;
	n->type = type;
	n->fd = -1;
	n->hashed = true;
	b = fs_bucket(fs, ino);
	n->hnext = fs->tab[b];
	fs->tab[b] = n;
	fs->count++;
	fs_nl_push(fs, n);
	return n;
}

/* Refresh what a cached node says; false when out of memory. */
static bool fs_node_update(struct fs_export *fs, struct fs_node *n, uint8_t type, const char *name)
{
	char *copy;

	if (n->type != type) {
		fs_node_close(fs, n);
		n->type = type;
		n->gen_known = false;
		n->kfh_state = FS_KFH_UNKNOWN;
	}
	if (strcmp(n->name, name) != 0) {
		copy = strdup(name);
		if (!copy)
			return false;
		free(n->name);
		n->name = copy;
	}
	return true;
}

/**
 * fs_index_put() - record (or refresh) where an object lives.
 * @fs: export
 * @ino: its inode number
 * @parent: inode number of the directory holding it (a cached node)
 * @type: host type
 * @name: its name in that directory
 *
 * Return: the node, or NULL when out of memory or the directory is not cached.
 */
struct fs_node *fs_index_put(struct fs_export *fs, uint64_t ino, uint64_t parent, uint8_t type,
			     const char *name)
{
	struct fs_node *n = fs_index_get(fs, ino), *p;

	if (n == fs->root)
		return n;
	p = fs_index_get(fs, parent);
	if (!p || p->type != FS_TYPE_DIR || p == n)
		return NULL;
	if (n && !fs_node_update(fs, n, type, name))
		return NULL;
	if (!n)
		n = fs_node_new(fs, ino, type, name);
	if (n)
		fs_node_link(fs, n, p);
	return n;
}

/**
 * fs_index_drop() - forget an object (removed, or found to be wrong).
 * @fs: export
 * @n: its node (never the root); freed now, or when its last cached child goes
 */
void fs_index_drop(struct fs_export *fs, struct fs_node *n)
{
	if (!n || n == fs->root || !n->hashed)
		return;
	if (fs_nl_member(fs, n))
		fs_nl_unlink(fs, n);
	fs_unhash(fs, n);
	fs_node_close(fs, n);
	if (n->refs == 0)
		fs_node_free(fs, n);
}

/* Evict least recently used leaves down to the bound; publish the figures. */
static void fs_trim(struct fs_export *fs)
{
	while (fs->count > fs->nodes_max && fs->nl_tail)
		fs_index_drop(fs, fs->nl_tail);
	atomic_store_explicit(&fs->ctr.nodes, (uint32_t)fs->count, memory_order_relaxed);
	atomic_store_explicit(&fs->ctr.fds, fs->nfds, memory_order_relaxed);
}

/* ---- opening nodes ---- */

static uint32_t fs_gen_of(const struct statx *stx)
{
	if (!(stx->stx_mask & STATX_BTIME))
		return 0;
	return (uint32_t)((uint64_t)stx->stx_btime.tv_sec ^ ((uint64_t)stx->stx_btime.tv_nsec << 2));
}

/**
 * fs_is_mount_root() - whether statx() met the root of a mount.
 * @stx: its result
 *
 * Another mount (even a bind mount of the same device) is not part of the export.
 *
 * Return: true for a mount root.
 */
bool fs_is_mount_root(const struct statx *stx)
{
	return (stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx->stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Check that @fd is the object @n claims; learn its generation. */
static int fs_verify(struct fs_export *fs, int fd, struct fs_node *n)
{
	struct statx stx;
	uint32_t gen;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &stx) < 0)
		return -errno;
	if (stx.stx_ino != n->ino || makedev(stx.stx_dev_major, stx.stx_dev_minor) != fs->dev ||
	    attr_type_of(stx.stx_mode) != n->type || fs_is_mount_root(&stx))
		return -ESTALE;
	gen = fs_gen_of(&stx);
	if (n->gen_known && gen != n->gen)
		return -ESTALE;
	n->gen = gen;
	n->gen_known = true;
	return 0;
}

/*
 * Re-open a verified O_PATH descriptor for I/O through its magic link.
 * /proc/self/fd/N is itself a symlink (so no O_NOFOLLOW here); it names
 * the already-verified inode and involves no path walk.
 */
static int fs_reopen(int fd, int flags)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC | O_NOCTTY);
}

static int fs_node_open(struct fs_export *fs, struct fs_node *n, unsigned depth)
{
	struct fs_node *p;
	int pfd, fd, io, rc;

	if (n->fd >= 0) {
		if (n != fs->root && fs->lru_head != n) {
			fs_lru_unlink(fs, n);
			fs_lru_push(fs, n);
		}
		return n->fd;
	}
	p = n->up;
	if (depth > FS_MAX_DEPTH || !n->hashed || !p || !p->hashed || p->type != FS_TYPE_DIR)
		return -ESTALE;
	pfd = fs_node_open(fs, p, depth + 1);
	if (pfd < 0)
		return pfd;
	fd = openat(pfd, n->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		/* out of descriptors: give back the older half of the cache and retry once */
		p->pin++;
		fs_lru_shrink(fs, fs->nfds / 2);
		p->pin--;
		fd = openat(pfd, n->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ESTALE : -errno;
	rc = fs_verify(fs, fd, n);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	n->fd_path = true;
	if (n->type == FS_TYPE_DIR || n->type == FS_TYPE_REG) {
		int flags = n->type == FS_TYPE_DIR ? O_RDONLY | O_DIRECTORY : O_RDONLY;

		io = fs_reopen(fd, flags);
		if (io < 0 && (errno == EMFILE || errno == ENFILE)) {
			p->pin++;
			fs_lru_shrink(fs, fs->nfds / 2);
			p->pin--;
			io = fs_reopen(fd, flags);
		}
		if (io >= 0) {
			close(fd);
			fd = io;
			n->fd_path = false;
		}
	}
	p->pin++;
	fs_lru_evict(fs);
	p->pin--;
	n->fd = fd;
	fs_lru_push(fs, n);
	fs->nfds++;
	return fd;
}

/**
 * fs_node_fd() - a verified descriptor of a node (cached).
 * @fs: export
 * @n: node
 *
 * Return: the descriptor (owned by the node; do not close) or -errno
 * (-ESTALE when the object is gone or is not what the index said).
 */
int fs_node_fd(struct fs_export *fs, struct fs_node *n)
{
	fs_ctr_inc(n->fd >= 0 ? &fs->ctr.fd_hits : &fs->ctr.fd_misses);
	return fs_node_open(fs, n, 0);
}

/**
 * fs_node_adopt() - give a node a descriptor opened for writing (a file just created).
 * @fs: export
 * @n: node of a regular file
 * @fd: descriptor; owned by the node afterwards, or closed if it does not
 *      match the node or the node already has one
 */
void fs_node_adopt(struct fs_export *fs, struct fs_node *n, int fd)
{
	if (n->fd >= 0 || n->type != FS_TYPE_REG || fs_verify(fs, fd, n) < 0) {
		close(fd);
		return;
	}
	fs_lru_evict(fs);
	n->fd = fd;
	n->fd_rw = true;
	n->fd_path = false;
	fs_lru_push(fs, n);
	fs->nfds++;
}

/**
 * fs_node_rw_fd() - a descriptor of a regular file open for writing.
 * @fs: export
 * @n: node of a regular file
 *
 * Return: the descriptor or -errno.
 */
int fs_node_rw_fd(struct fs_export *fs, struct fs_node *n)
{
	int fd = fs_node_fd(fs, n), rw;

	if (fd < 0 || n->fd_rw)
		return fd;
	if (n->type != FS_TYPE_REG)
		return -EINVAL;
	rw = fs_reopen(fd, O_RDWR);
	if (rw < 0)
		return -errno;
	close(n->fd);
	n->fd = rw;
	n->fd_rw = true;
	n->fd_path = false;
	return rw;
}

/**
 * fs_parent_fd() - descriptor of the directory holding a node.
 * @fs: export
 * @n: node (not the root)
 *
 * Return: the descriptor or -errno.
 */
int fs_parent_fd(struct fs_export *fs, struct fs_node *n)
{
	struct fs_node *p = n->up;

	if (!p || !p->hashed || n == fs->root)
		return -ESTALE;
	return fs_node_fd(fs, p);
}

/**
 * fs_dir_fd() - descriptor of a directory node for *at() calls.
 * @fs: export
 * @dir: node that must be a directory
 * @fd: receives the descriptor
 *
 * Return: FS_OK, FS_ERR_NOTDIR or the open error.
 */
enum fs_status fs_dir_fd(struct fs_export *fs, struct fs_node *dir, int *fd)
{
	if (dir->type != FS_TYPE_DIR)
		return FS_ERR_NOTDIR;
	*fd = fs_node_fd(fs, dir);
	return *fd < 0 ? fs_errno(-*fd) : FS_OK;
}

static bool fs_fd_unlinked(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 || st.st_nlink == 0;
}

/**
 * fs_stat_name() - stat a name inside a directory (no symlink following) and index it.
 * @fs: export
 * @dfd: descriptor of @dir
 * @name: validated component
 * @dir: the directory's node
 * @out: receives the object's node
 *
 * Return: FS_OK or an error (FS_ERR_ACCES for a mount point: another
 * filesystem is not part of the export).
 */
enum fs_status fs_stat_name(struct fs_export *fs, int dfd, const char *name, struct fs_node *dir,
			    struct fs_node **out)
{
	struct statx stx;
	struct fs_node *n;
	uint32_t gen;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_BTIME, &stx) < 0)
		return fs_errno(errno);
	if (makedev(stx.stx_dev_major, stx.stx_dev_minor) != fs->dev || fs_is_mount_root(&stx))
		return FS_ERR_ACCES;
	n = fs_index_put(fs, stx.stx_ino, dir->ino, (uint8_t)attr_type_of(stx.stx_mode), name);
	if (!n)
		return FS_ERR_IO;
	gen = fs_gen_of(&stx);
	if (n->fd >= 0 && n != fs->root && ((n->gen_known && n->gen != gen) || fs_fd_unlinked(n->fd)))
		fs_node_close(fs, n);  /* the cached descriptor is an older file with a reused inode number */
	n->gen = gen;
	n->gen_known = true;
	*out = n;
	return FS_OK;
}

/* ---- handles ---- */

/**
 * fs_dirent_type() - the type of a directory entry (an fstatat when the filesystem has no d_type).
 * @dfd: the directory
 * @de: the entry
 *
 * Return: an enum fs_type, FS_TYPE_NONE when unknown.
 */
uint8_t fs_dirent_type(int dfd, const struct dirent64 *de)
{
	struct stat st;

	switch (de->d_type) {
	case DT_DIR: return FS_TYPE_DIR;
	case DT_REG: return FS_TYPE_REG;
	case DT_LNK: return FS_TYPE_LNK;
	case DT_CHR: return FS_TYPE_CHR;
	case DT_BLK: return FS_TYPE_BLK;
	case DT_FIFO: return FS_TYPE_FIFO;
	case DT_SOCK: return FS_TYPE_SOCK;
	case DT_UNKNOWN:
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return (uint8_t)attr_type_of(st.st_mode);
		return FS_TYPE_NONE;
	default: return FS_TYPE_NONE;
	}
}

/**
 * fs_scan_for() - find an inode among a directory's entries and cache it there.
 * @fs: export
 * @dir: cached directory
 * @want: the inode number
 *
 * Costs one pass over this one directory, whatever the export's size.
 *
 * Return: 1 when found (fs_index_get(@want) is its node), else 0.
 */
int fs_scan_for(struct fs_export *fs, struct fs_node *dir, uint64_t want)
{
	int fd = fs_node_fd(fs, dir), found = 0;
	long nread, off;

	if (fd < 0 || dir->fd_path || lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	while (!found && (nread = getdents64(fd, fs->dirbuf, fs->dirbuf_len)) > 0) {
		for (off = 0; off < nread && !found;) {
			struct dirent64 *de = (struct dirent64 *)(void *)(fs->dirbuf + off);
			uint8_t type;

			off += de->d_reclen;
			if (de->d_ino != want || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			type = fs_dirent_type(fd, de);
			found = type != FS_TYPE_NONE && fs_index_put(fs, want, dir->ino, type, de->d_name) != NULL;
		}
	}
	return found;
}

/* The path the export was named by: resolved at start (the process may change directory). */
static const char *fs_export_where(const struct fs_export *fs)
{
	return fs->real ? fs->real : fs->path;
}

/* Say once that the export went away, or came back. */
static void fs_log_presence(struct fs_export *fs, bool here)
{
	char msg[PATH_MAX + 120];

	if (!fs->cfg.log)
		return;
	snprintf(msg, sizeof(msg), here ? "export %s is back: serving it again" :
		 "export %s is gone (renamed, removed or replaced): NFS calls answer IO until it is back",
		 fs_export_where(fs));
	fs->cfg.log(fs->cfg.log_opaque, here ? 2 : 1, msg);  /* INDYNET_LOG_INFO / _WARN */
}

/* Whether the export's path leads to the root now (one statx() of the path). */
static bool fs_export_in_place(const struct fs_export *fs)
{
	struct statx stx;

	return statx(AT_FDCWD, fs_export_where(fs), AT_NO_AUTOMOUNT, STATX_INO, &stx) == 0 &&
	       stx.stx_ino == fs->root->ino && makedev(stx.stx_dev_major, stx.stx_dev_minor) == fs->dev;
}

/**
 * fs_export_present() - whether the export's path still leads to the directory served.
 * @fs: export
 *
 * Looks at most once per FS_PRESENCE_MS (a path walk would cost more than
 * a GETATTR); logs each change once.
 *
 * Return: true when it does (the root's device and inode).
 */
bool fs_export_present(struct fs_export *fs)
{
	struct timespec ts;
	int64_t now_ms;
	bool here;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (now_ms - fs->presence_ms < FS_PRESENCE_MS && fs->presence_ms)
		return !fs->away;
	fs->presence_ms = now_ms;
	here = fs_export_in_place(fs);
	if (here == fs->away)
		fs_log_presence(fs, here);
	fs->away = !here;
	return here;
}

/**
 * fs_from_handle() - resolve a client's handle to an object of the export.
 * @fs: export
 * @fh: handle bytes
 * @len: their count
 * @out: receives the node
 *
 * A cache miss is resolved by fs_resolve() (fsfind.c); while a background
 * search still looks for the object the answer is FS_ERR_JUKEBOX.
 *
 * Return: FS_OK, FS_ERR_BADHANDLE (malformed), FS_ERR_STALE, FS_ERR_JUKEBOX,
 * or FS_ERR_IO while the export is away (not STALE: a client would give up
 * its open files for good, and the export may come back).
 */
enum fs_status fs_from_handle(struct fs_export *fs, const uint8_t *fh, size_t len, struct fs_node **out)
{
	struct fh_data d;
	struct fs_node *n;
	enum fs_status st;
	int rc;

	if (!fs_export_present(fs))
		return FS_ERR_IO;
	switch (fh_decode(fh, len, fs->export_id, &d)) {
	case FH_OK: break;
	case FH_STALE: return FS_ERR_STALE;
	default: return FS_ERR_BADHANDLE;
	}
	n = fs_index_get(fs, d.ino);
	if (n && n->type != d.type)
		return FS_ERR_STALE;
	if (n) {
		rc = fs_node_fd(fs, n);
		if (rc == -ESTALE && n != fs->root) {
			fs_index_drop(fs, n);
			n = NULL;
		} else if (rc < 0) {
			return fs_errno(-rc);
		}
	}
	fs_ctr_inc(n ? &fs->ctr.node_hits : &fs->ctr.node_misses);
	if (!n) {
		st = fs_resolve(fs, &d, &n);
		if (st != FS_OK)
			return st;
	}
	if (n->gen != d.gen)
		return FS_ERR_STALE;
	fs_touch(fs, n);
	*out = n;
	return FS_OK;
}

/**
 * fs_kfh_of() - learn a directory's kernel file handle (once).
 * @fs: export
 * @dir: directory node
 *
 * Return: true when @dir->kfh holds it.
 */
bool fs_kfh_of(struct fs_export *fs, struct fs_node *dir)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[MAX_HANDLE_SZ];
	} h;
	int mnt, fd, rc;

	if (dir->kfh_state != FS_KFH_UNKNOWN || !fs->kfh_issue)
		return dir->kfh_state == FS_KFH_KNOWN;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (dir->fd >= 0 || dir == fs->root) {
		rc = name_to_handle_at(dir->fd, "", &h.fh, &mnt, AT_EMPTY_PATH);
	} else {
		fd = fs_parent_fd(fs, dir);
		if (fd < 0)
			return false;
		rc = name_to_handle_at(fd, dir->name, &h.fh, &mnt, 0);
	}
	if (rc < 0)
		return false;  /* transient: the handle goes out without it this time */
	dir->kfh_state = FS_KFH_NONE;
	if (h.fh.handle_bytes == 0 || h.fh.handle_bytes > FH_KFH_MAX || h.fh.handle_type < 0 ||
	    h.fh.handle_type > UINT8_MAX)
		return false;
	dir->kfh_state = FS_KFH_KNOWN;
	dir->kfh_type = (uint8_t)h.fh.handle_type;
	dir->kfh_len = (uint8_t)h.fh.handle_bytes;
	memcpy(dir->kfh, h.fh.f_handle, dir->kfh_len);
	return true;
}

/**
 * fs_handle() - the handle of a node (FH_SIZE bytes, valid for v2 and v3).
 * @fs: export
 * @node: node
 * @out: receives the handle
 *
 * It carries the kernel handle of @node when it is a directory, else of
 * the directory holding it, when the filesystem's fit (layout 2, see
 * handle.c); otherwise the parent's inode number as a hint (layout 1).
 */
void fs_handle(struct fs_export *fs, struct fs_node *node, uint8_t out[FH_SIZE])
{
	struct fs_node *anchor = node->type == FS_TYPE_DIR || !node->up ? node : node->up;
	struct fh_data d = {
		.export_id = fs->export_id,
		.ino = node->ino,
		.gen = node->gen,
		.parent = node->parent,
		.type = node->type,
	};

	if (fs_kfh_of(fs, anchor)) {
		d.kfh_type = anchor->kfh_type;
		d.kfh_len = anchor->kfh_len;
		memcpy(d.kfh, anchor->kfh, anchor->kfh_len);
	}
	fh_encode(&d, out);
}

/* ---- export lifetime ---- */

static int fs_probe_xattr(int fd)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (getxattr(path, "user.indynet.probe", NULL, 0) < 0 && errno != ENODATA)
		return -errno;
	return 0;
}

static int fs_root_init(struct fs_export *fs, char *err, size_t errlen)
{
	struct statx stx;

	fs->rootfd = open(fs->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd < 0) {
		snprintf(err, errlen, "export %s: %s", fs->path, strerror(errno));
		return -1;
	}
	if (statx(fs->rootfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &stx) < 0) {
		snprintf(err, errlen, "export %s: %s", fs->path, strerror(errno));
		return -1;
	}
	if (fs->cfg.attr_model == NFS_ATTR_MAPPED && fs_probe_xattr(fs->rootfd) < 0) {
		snprintf(err, errlen, "export %s: the mapped attribute model needs user extended attributes",
			 fs->path);
		return -1;
	}
	fs->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	fs->export_id = fh_export_id(fs->dev, stx.stx_ino);
	fs->root = calloc(1, sizeof(*fs->root));
	if (!fs->root) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fs->root->ino = stx.stx_ino;
	fs->root->parent = stx.stx_ino;
	fs->root->type = FS_TYPE_DIR;
	fs->root->gen = fs_gen_of(&stx);
	fs->root->gen_known = true;
	fs->root->fd = fs->rootfd;
	fs->root->hashed = true;
	fs->tab[fs_bucket(fs, stx.stx_ino)] = fs->root;
	fs->count = 1;
	return 0;
}

/*
 * Kernel handles: issued when the root's fits a 32-byte handle; used to
 * reopen directories after a restart when open_by_handle_at() is allowed
 * (CAP_DAC_READ_SEARCH), else a cache miss is searched for.
 */
static void fs_kfh_probe(struct fs_export *fs)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[MAX_HANDLE_SZ];
	} h;
	char msg[200];
	int fd;

	fs->kfh_issue = true;
	if (!fs_kfh_of(fs, fs->root)) {
		fs->kfh_issue = false;
		return;
	}
	h.fh.handle_bytes = fs->root->kfh_len;
	h.fh.handle_type = fs->root->kfh_type;
	memcpy(h.fh.f_handle, fs->root->kfh, fs->root->kfh_len);
	fd = open_by_handle_at(fs->rootfd, &h.fh, O_PATH | O_CLOEXEC);
	fs->kfh_open = fd >= 0;
	if (fd >= 0)
		close(fd);
	else if (fs->cfg.log) {
		snprintf(msg, sizeof(msg), "export %s: open_by_handle_at: %s: after a restart, unknown handles "
			 "are searched for (grant CAP_DAC_READ_SEARCH to reopen them directly)", fs->path,
			 strerror(errno));
		fs->cfg.log(fs->cfg.log_opaque, 2, msg);
	}
}

/**
 * fs_export_open() - open an export directory.
 * @cfg: server configuration (export_dir, read_only, attr_model, uid, gid)
 * @err: receives a message on failure
 * @errlen: its size
 *
 * Return: the export or NULL.
 */
struct fs_export *fs_export_open(const struct nfs_server_config *cfg, char *err, size_t errlen)
{
	struct fs_export *fs;

	if (!cfg->export_dir || !*cfg->export_dir) {
		snprintf(err, errlen, "no export directory given");
		return NULL;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fs_search_init(fs);
	fs->cfg = *cfg;
	fs->rootfd = -1;
	fs->nbuckets = 1024;
	fs->nodes_max = cfg->cache_nodes ? cfg->cache_nodes : FS_NODES_DEFAULT;
	fs->fds_max = cfg->cache_fds ? cfg->cache_fds : FS_FDS_DEFAULT;
	fs->nodes_max = fs->nodes_max < FS_NODES_MIN ? FS_NODES_MIN : fs->nodes_max;
	fs->fds_max = fs->fds_max < FS_FDS_MIN ? FS_FDS_MIN : fs->fds_max;
	fs->dirbuf_len = 32768;
	fs->path = strdup(cfg->export_dir);
	fs->real = realpath(cfg->export_dir, NULL);
	fs->tab = calloc(fs->nbuckets, sizeof(*fs->tab));
	fs->dirbuf = malloc(fs->dirbuf_len);
	fs->chain = malloc(FS_MAX_DEPTH * sizeof(*fs->chain));
	if (!fs->path || !fs->tab || !fs->dirbuf || !fs->chain) {
		snprintf(err, errlen, "out of memory");
		fs_export_close(fs);
		return NULL;
	}
	fs->cfg.export_dir = fs->path;
	if (fs_root_init(fs, err, errlen) < 0) {
		fs_export_close(fs);
		return NULL;
	}
	fs_kfh_probe(fs);
	if (getrandom(fs->verf, sizeof(fs->verf), 0) != (ssize_t)sizeof(fs->verf)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t v = fs_mix64((uint64_t)ts.tv_sec ^ ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid());

		memcpy(fs->verf, &v, sizeof(v));
	}
	return fs;
}

/**
 * fs_export_close() - close an export and forget its index.
 * @fs: export, may be NULL
 */
void fs_export_close(struct fs_export *fs)
{
	if (!fs)
		return;
	fs_search_free(fs);
	while (fs->nl_tail)  /* leaves first: each frees what only it held */
		fs_index_drop(fs, fs->nl_tail);
	if (fs->root)
		fs_cookies_free(fs->root->cookies);
	free(fs->root);
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	free(fs->tab);
	free(fs->dirbuf);
	free(fs->chain);
	free(fs->path);
	free(fs->real);
	free(fs);
}

/**
 * fs_call_done() - end of one call: trim the caches to their bounds.
 * @fs: export
 *
 * Return: true when the call met a handle still being searched for (it
 * was answered FS_ERR_JUKEBOX); the flag is cleared.
 */
bool fs_call_done(struct fs_export *fs)
{
	bool deferred = fs->deferred;

	fs->deferred = false;
	fs_trim(fs);
	return deferred;
}

/**
 * fs_stats() - the export's cache figures (any thread).
 * @fs: export
 * @out: receives them (fields it does not know are left alone)
 */
void fs_stats(struct fs_export *fs, struct nfs_stats *out)
{
	const struct fs_ctr *c = &fs->ctr;

	out->nodes = atomic_load_explicit(&c->nodes, memory_order_relaxed);
	out->nodes_max = fs->nodes_max;
	out->node_hits = atomic_load_explicit(&c->node_hits, memory_order_relaxed);
	out->node_misses = atomic_load_explicit(&c->node_misses, memory_order_relaxed);
	out->fds = atomic_load_explicit(&c->fds, memory_order_relaxed);
	out->fds_max = fs->fds_max;
	out->fd_hits = atomic_load_explicit(&c->fd_hits, memory_order_relaxed);
	out->fd_misses = atomic_load_explicit(&c->fd_misses, memory_order_relaxed);
	out->handles_kernel = atomic_load_explicit(&c->handles_kernel, memory_order_relaxed);
	out->handles_searched = atomic_load_explicit(&c->handles_searched, memory_order_relaxed);
	out->handles_jukebox = atomic_load_explicit(&c->handles_jukebox, memory_order_relaxed);
	out->handles_stale = atomic_load_explicit(&c->handles_stale, memory_order_relaxed);
	out->search_entries = atomic_load_explicit(&c->search_entries, memory_order_relaxed);
}

/**
 * fs_read_only() - whether modifying calls answer ROFS.
 * @fs: export
 *
 * Return: true for a read-only export.
 */
bool fs_read_only(const struct fs_export *fs)
{
	return fs->cfg.read_only;
}

/**
 * fs_root() - the export's root directory.
 * @fs: export
 *
 * Return: its node.
 */
struct fs_node *fs_root(struct fs_export *fs)
{
	return fs->root;
}

/**
 * fs_write_verf() - the write verifier (random, new on every start).
 * @fs: export
 * @out: receives 8 bytes
 */
void fs_write_verf(const struct fs_export *fs, uint8_t out[8])
{
	memcpy(out, fs->verf, 8);
}

/* ---- name lookup and attributes ---- */

/**
 * fs_lookup() - find a name in a directory ("." and ".." answered here).
 * @fs: export
 * @dir: directory node
 * @name: name bytes from the client
 * @len: their count
 * @out: receives the node
 *
 * Return: FS_OK or an error; ".." of the root is the root.
 */
enum fs_status fs_lookup(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			 struct fs_node **out)
{
	char cname[FS_NAME_MAX + 1];
	enum fs_status st;
	struct fs_node *p;
	int dfd;

	st = fs_dir_fd(fs, dir, &dfd);
	if (st != FS_OK)
		return st;
	if (len == 1 && name[0] == '.') {
		*out = dir;
		return FS_OK;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		p = dir == fs->root ? dir : dir->up;
		if (!p || !p->hashed || fs_node_fd(fs, p) < 0)
			return FS_ERR_STALE;
		*out = p;
		return FS_OK;
	}
	st = fs_name_check(name, len, cname);
	if (st == FS_ERR_INVAL)
		return FS_ERR_NOENT;
	if (st != FS_OK)
		return st;
	return fs_stat_name(fs, dfd, cname, dir, out);
}

/* Length of the host-path prefix @prefix at the start of @path, or 0. */
static uint32_t fs_prefix_len(const char *prefix, const uint8_t *path, uint32_t len)
{
	size_t plen = prefix ? strlen(prefix) : 0;

	while (plen > 1 && prefix[plen - 1] == '/')
		plen--;
	if (plen > 1 && len >= plen && !memcmp(path, prefix, plen) && (len == plen || path[plen] == '/'))
		return (uint32_t)plen;
	return 0;
}

/**
 * fs_lookup_path() - resolve a MOUNT path to a directory of the export.
 * @fs: export
 * @path: the path the client asked for
 * @len: its length
 * @out: receives the directory's node
 *
 * The export's own host path (as configured, or with symlinks resolved)
 * and "/" name the root; a path below either
 * names a directory inside.  ".." never climbs.
 *
 * Return: FS_OK, FS_ERR_NOENT, FS_ERR_NOTDIR, FS_ERR_ACCES, or FS_ERR_IO
 * while the export is away.
 */
enum fs_status fs_lookup_path(struct fs_export *fs, const uint8_t *path, uint32_t len, struct fs_node **out)
{
	struct fs_node *n = fs->root;
	uint32_t i, start;

	if (!fs_export_present(fs))
		return FS_ERR_IO;
	if (len == 0 || path[0] != '/' || memchr(path, '\0', len))
		return FS_ERR_NOENT;
	i = fs_prefix_len(fs->path, path, len);
	if (!i)
		i = fs_prefix_len(fs->real, path, len);
	while (i < len) {
		enum fs_status st;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start || (i - start == 1 && path[start] == '.'))
			continue;
		if (i - start == 2 && path[start] == '.' && path[start + 1] == '.')
			return FS_ERR_NOENT;
		st = fs_lookup(fs, n, path + start, i - start, &n);
		if (st != FS_OK)
			return st;
	}
	if (n->type != FS_TYPE_DIR)
		return FS_ERR_NOTDIR;
	*out = n;
	return FS_OK;
}

/*
 * Stat a node without opening it, through its parent's cached descriptor
 * (READDIRPLUS and LOOKUP touch many objects once).  Return: 1 when @st was
 * filled and the object checked out, 0 to fall back to opening it.
 */
static int fs_stat_via_parent(struct fs_export *fs, struct fs_node *n, struct stat *st)
{
	struct fs_node *p = n->up;
	struct statx stx;

	if (!p || !p->hashed || p->fd < 0 || !n->gen_known)
		return 0;
	if (statx(p->fd, n->name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_BTIME, &stx) < 0 ||
	    stx.stx_ino != n->ino || makedev(stx.stx_dev_major, stx.stx_dev_minor) != fs->dev ||
	    attr_type_of(stx.stx_mode) != n->type || fs_is_mount_root(&stx) || fs_gen_of(&stx) != n->gen)
		return 0;
	memset(st, 0, sizeof(*st));
	st->st_mode = stx.stx_mode;
	st->st_nlink = stx.stx_nlink;
	st->st_uid = stx.stx_uid;
	st->st_gid = stx.stx_gid;
	st->st_size = (off_t)stx.stx_size;
	st->st_blocks = (blkcnt_t)stx.stx_blocks;
	st->st_blksize = stx.stx_blksize;
	st->st_rdev = makedev(stx.stx_rdev_major, stx.stx_rdev_minor);
	st->st_ino = stx.stx_ino;
	st->st_atim.tv_sec = stx.stx_atime.tv_sec;
	st->st_atim.tv_nsec = stx.stx_atime.tv_nsec;
	st->st_mtim.tv_sec = stx.stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = stx.stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = stx.stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = stx.stx_ctime.tv_nsec;
	return 1;
}

/**
 * fs_getattr() - the attributes of an object.
 * @fs: export
 * @node: node
 * @a: receives them
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_getattr(struct fs_export *fs, struct fs_node *node, struct fs_attr *a)
{
	struct stat st;
	int fd;

	if (node->fd < 0 && fs->cfg.attr_model == NFS_ATTR_SQUASH && fs_stat_via_parent(fs, node, &st)) {
		attr_from_stat(&st, fs->cfg.attr_model, fs->cfg.uid, fs->cfg.gid, (uint64_t)fs->dev, a);
		return FS_OK;
	}
	fd = fs_node_fd(fs, node);
	if (fd < 0)
		return fs_errno(-fd);
	if (fstat(fd, &st) < 0)
		return fs_errno(errno);
	attr_from_stat(&st, fs->cfg.attr_model, fs->cfg.uid, fs->cfg.gid, (uint64_t)fs->dev, a);
	if (fs->cfg.attr_model == NFS_ATTR_MAPPED && node->type != FS_TYPE_LNK)
		attr_mapped_load(fd, (enum fs_type)node->type, a);
	return FS_OK;
}

static bool fs_cred_in_group(const struct fs_cred *cred, uint32_t gid)
{
	uint32_t i;

	if (cred->gid == gid)
		return true;
	for (i = 0; i < cred->ngids && cred->gids; i++)
		if (cred->gids[i] == gid)
			return true;
	return false;
}

/**
 * fs_access() - which of the requested accesses the caller has (NFSv3 ACCESS).
 * @fs: export
 * @node: object
 * @cred: caller
 * @want: FS_ACCESS_* bits asked for
 * @granted: receives the bits granted
 *
 * A read-only export withholds MODIFY, EXTEND and DELETE (as knfsd does),
 * so a guest opening a file for writing is refused at open(), before it
 * has buffered data that could only fail at close.  Calls that do not ask
 * ACCESS first (CREATE, REMOVE, SETATTR, ...) answer ROFS themselves.
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_access(struct fs_export *fs, struct fs_node *node, const struct fs_cred *cred,
			 uint32_t want, uint32_t *granted)
{
	struct fs_attr a;
	enum fs_status st = fs_getattr(fs, node, &a);
	uint32_t perm, g = 0;

	if (st != FS_OK)
		return st;
	if (cred->uid == 0)
		perm = 6u | ((a.mode & 0111) || a.type == FS_TYPE_DIR ? 1u : 0u);
	else if (cred->uid == a.uid)
		perm = (a.mode >> 6) & 7;
	else if (fs_cred_in_group(cred, a.gid))
		perm = (a.mode >> 3) & 7;
	else
		perm = a.mode & 7;
	if (perm & 4)
		g |= FS_ACCESS_READ;
	if (perm & 2)
		g |= a.type == FS_TYPE_DIR ? FS_ACCESS_MODIFY | FS_ACCESS_EXTEND | FS_ACCESS_DELETE :
					     FS_ACCESS_MODIFY | FS_ACCESS_EXTEND;
	if (perm & 1)
		g |= a.type == FS_TYPE_DIR ? FS_ACCESS_LOOKUP : FS_ACCESS_EXECUTE;
	if (fs->cfg.read_only)
		g &= ~(FS_ACCESS_MODIFY | FS_ACCESS_EXTEND | FS_ACCESS_DELETE);
	*granted = g & want;
	return FS_OK;
}

/**
 * fs_statfs() - sizes of the filesystem holding the export.
 * @fs: export
 * @node: any object of the export (unused beyond validation)
 * @out: receives the numbers
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_statfs(struct fs_export *fs, struct fs_node *node, struct fs_statfs *out)
{
	struct statvfs sv;
	long bits, links;

	(void)node;
	if (fstatvfs(fs->rootfd, &sv) < 0)
		return fs_errno(errno);
	bits = fpathconf(fs->rootfd, _PC_FILESIZEBITS);
	links = fpathconf(fs->rootfd, _PC_LINK_MAX);
	out->maxfilesize = bits <= 0 || bits >= 64 ? (uint64_t)INT64_MAX : (1ull << bits) - 1;
	if (out->maxfilesize > (uint64_t)INT64_MAX)
		out->maxfilesize = (uint64_t)INT64_MAX;
	out->link_max = links <= 0 || links > UINT32_MAX ? UINT32_MAX : (uint32_t)links;
	out->name_max = FS_NAME_MAX;
	out->bsize = (uint32_t)(sv.f_frsize ? sv.f_frsize : sv.f_bsize);
	out->blocks = sv.f_blocks;
	out->bfree = sv.f_bfree;
	out->bavail = sv.f_bavail;
	out->files = sv.f_files;
	out->ffree = sv.f_ffree;
	out->favail = sv.f_favail;
	return FS_OK;
}
