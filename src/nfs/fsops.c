/* SPDX-License-Identifier: MIT */
/* fsops.c: the export's modifying operations, READ, WRITE and READLINK. */

/*
 * Theory of operation
 *
 * Every operation works on descriptors, never on paths from the client:
 * the directory's descriptor comes from the node cache (fs_dir_fd()), the
 * name is checked once (fs_name_check(): one component, no "." or "..",
 * at most FS_NAME_MAX bytes) and the *at() call runs relative to that
 * descriptor with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so nothing here can
 * leave the export (fs.c proves the directories themselves are inside).
 * Attributes are applied through /proc/self/fd/N of the object's own
 * descriptor, except a symlink's times (utimensat on its parent).
 *
 * Creating calls (CREATE, MKDIR, SYMLINK, MKNOD) make the object
 * first, with a private mode, then index it and apply the caller's
 * attributes (fs_finish_new_fd()); when that fails the object is removed
 * again, so a failed call leaves nothing behind.  An exclusive CREATE
 * stores its verifier in an xattr, or as the file's times where the
 * filesystem has no user xattrs (as knfsd does), so a retransmission is
 * recognised.  Under the squash model ownership changes are accepted and
 * ignored; under the mapped model owner, mode and device numbers live in
 * an xattr (attr.c) and special files are regular placeholder files.
 *
 * Removing calls stat the name before unlinking it and forget the cached
 * node when its last name went (fs_forget_name()); RENAME re-indexes the
 * moved object under its new parent and name, so its handle stays valid.
 * WRITE is all or nothing: a write that fails part-way cuts the file back
 * to its old size.  A read-only export answers ROFS before touching
 * anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "nfs/fs.h"
#include "nfs/fs_int.h"
#include "nfs/xdr.h"

#define FS_VERF_XATTR "user.indynet.verf"

static void fs_proc_path(char *buf, size_t cap, int fd)
{
	snprintf(buf, cap, "/proc/self/fd/%d", fd);
}

/* Validate the target name of a creating call and get the directory's descriptor. */
static enum fs_status fs_prep_new(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
				  char cname[FS_NAME_MAX + 1], int *dfd)
{
	enum fs_status st;

	if (fs->cfg.read_only)
		return FS_ERR_ROFS;
	st = fs_dir_fd(fs, dir, dfd);
	if (st != FS_OK)
		return st;
	st = fs_name_check(name, len, cname);
	if (st == FS_ERR_INVAL && len > 0)
		return FS_ERR_EXIST;  /* "." and ".." always exist */
	return st;
}

static enum fs_status fs_set_times(struct fs_export *fs, struct fs_node *n, int fd, const struct fs_sattr *sa)
{
	struct timespec ts[2];
	char path[32];
	int pfd, rc;

	if (sa->atime_how == FS_TIME_DONT && sa->mtime_how == FS_TIME_DONT)
		return FS_OK;
	ts[0].tv_sec = sa->atime.sec;
	ts[0].tv_nsec = sa->atime_how == FS_TIME_CLIENT ? (long)(sa->atime.nsec % 1000000000u) :
			sa->atime_how == FS_TIME_SERVER ? UTIME_NOW : UTIME_OMIT;
	ts[1].tv_sec = sa->mtime.sec;
	ts[1].tv_nsec = sa->mtime_how == FS_TIME_CLIENT ? (long)(sa->mtime.nsec % 1000000000u) :
			sa->mtime_how == FS_TIME_SERVER ? UTIME_NOW : UTIME_OMIT;
	if (n->type == FS_TYPE_LNK) {
		pfd = fs_parent_fd(fs, n);
		if (pfd < 0)
			return fs_errno(-pfd);
		rc = utimensat(pfd, n->name, ts, AT_SYMLINK_NOFOLLOW);
	} else {
		fs_proc_path(path, sizeof(path), fd);
		rc = utimensat(AT_FDCWD, path, ts, 0);
	}
	return rc < 0 ? fs_errno(errno) : FS_OK;
}

static enum fs_status fs_set_owner_mode(struct fs_export *fs, struct fs_node *n, int fd, const struct fs_sattr *sa)
{
	char path[32];
	struct fs_attr a;
	enum fs_status st;
	int rc;

	if (n->type == FS_TYPE_LNK || !(sa->set_mode || sa->set_uid || sa->set_gid))
		return FS_OK;
	fs_proc_path(path, sizeof(path), fd);
	if (fs->cfg.attr_model == NFS_ATTR_SQUASH) {
		if (sa->set_mode && chmod(path, attr_host_mode(NFS_ATTR_SQUASH, (enum fs_type)n->type, sa->mode)) < 0)
			return fs_errno(errno);
		return FS_OK;  /* squash presents one owner: chown is accepted and ignored */
	}
	st = fs_getattr(fs, n, &a);
	if (st != FS_OK)
		return st;
	if (sa->set_mode)
		a.mode = sa->mode & 07777;
	if (sa->set_uid)
		a.uid = sa->uid;
	if (sa->set_gid)
		a.gid = sa->gid;
	rc = attr_mapped_store(fd, &a);
	if (rc < 0)
		return fs_errno(-rc);
	if (sa->set_mode && chmod(path, attr_host_mode(NFS_ATTR_MAPPED, (enum fs_type)n->type, a.mode)) < 0)
		return fs_errno(errno);
	return FS_OK;
}

/* Apply a sattr to a node (no read-only or guard checks). */
static enum fs_status fs_apply_sattr(struct fs_export *fs, struct fs_node *n, const struct fs_sattr *sa)
{
	enum fs_status st;
	int fd;

	if (sa->set_size) {
		if (n->type == FS_TYPE_DIR)
			return FS_ERR_ISDIR;
		if (n->type != FS_TYPE_REG)
			return FS_ERR_INVAL;
		fd = fs_node_rw_fd(fs, n);
		if (fd < 0)
			return fs_errno(-fd);
		if (sa->size > INT64_MAX)
			return FS_ERR_FBIG;
		if (ftruncate(fd, (off_t)sa->size) < 0)
			return fs_errno(errno);
	}
	fd = fs_node_fd(fs, n);
	if (fd < 0)
		return fs_errno(-fd);
	st = fs_set_owner_mode(fs, n, fd, sa);
	if (st != FS_OK)
		return st;
	return fs_set_times(fs, n, fd, sa);
}

/**
 * fs_setattr() - SETATTR.
 * @fs: export
 * @node: object
 * @sa: what to set
 * @guard_ctime: when non-NULL, the ctime the client expects (else FS_ERR_NOT_SYNC)
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_setattr(struct fs_export *fs, struct fs_node *node, const struct fs_sattr *sa,
			  const struct fs_time *guard_ctime)
{
	struct fs_attr a;
	enum fs_status st;

	if (fs->cfg.read_only)
		return FS_ERR_ROFS;
	if (guard_ctime) {
		st = fs_getattr(fs, node, &a);
		if (st != FS_OK)
			return st;
		if (a.ctime.sec != guard_ctime->sec || a.ctime.nsec != guard_ctime->nsec)
			return FS_ERR_NOT_SYNC;
	}
	return fs_apply_sattr(fs, node, sa);
}

/*
 * A new object exists under @cname: index it and give it its attributes, or
 * undo it.  @fd, when not -1, is the new file open for writing (adopted).
 */
static enum fs_status fs_finish_new_fd(struct fs_export *fs, struct fs_node *dir, int dfd, const char *cname,
				       const struct fs_sattr *sa, const struct fs_cred *cred, uint32_t defmode,
				       int fd, struct fs_node **out)
{
	struct fs_sattr s = *sa;
	struct fs_node *n = NULL;
	enum fs_status st;

	st = fs_stat_name(fs, dfd, cname, dir, &n);
	if (fd >= 0 && st == FS_OK)
		fs_node_adopt(fs, n, fd);
	else if (fd >= 0)
		close(fd);
	if (st == FS_OK) {
		if (fs->cfg.attr_model == NFS_ATTR_MAPPED) {
			if (!s.set_uid) {
				s.set_uid = true;
				s.uid = cred->uid;
			}
			if (!s.set_gid) {
				s.set_gid = true;
				s.gid = cred->gid;
			}
		}
		if (!s.set_mode) {
			s.set_mode = true;
			s.mode = defmode;
		}
		st = fs_apply_sattr(fs, n, &s);
	}
	if (st != FS_OK) {
		unlinkat(dfd, cname, n && n->type == FS_TYPE_DIR ? AT_REMOVEDIR : 0);
		fs_index_drop(fs, n);
		return st;
	}
	*out = n;
	return FS_OK;
}

static enum fs_status fs_finish_new(struct fs_export *fs, struct fs_node *dir, int dfd, const char *cname,
				    const struct fs_sattr *sa, const struct fs_cred *cred, uint32_t defmode,
				    struct fs_node **out)
{
	return fs_finish_new_fd(fs, dir, dfd, cname, sa, cred, defmode, -1, out);
}

/* The verifier as two times (for filesystems without user xattrs, as knfsd does). */
static void fs_verf_times(const uint8_t verf[8], struct timespec ts[2])
{
	ts[0].tv_sec = (time_t)xdr_be32_get(verf);
	ts[1].tv_sec = (time_t)xdr_be32_get(verf + 4);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
}

/* Store an exclusive-create verifier on a file just created (@fd open for writing). */
static int fs_verf_store(int fd, const uint8_t verf[8])
{
	struct timespec ts[2];

	if (fsetxattr(fd, FS_VERF_XATTR, verf, 8, 0) == 0)
		return 0;
	if (errno != ENOTSUP && errno != EPERM)
		return -errno;
	fs_verf_times(verf, ts);
	return futimens(fd, ts) < 0 ? -errno : 0;
}

static bool fs_verf_matches(struct fs_export *fs, struct fs_node *n, const uint8_t verf[8])
{
	struct timespec ts[2];
	uint8_t have[8];
	struct stat st;
	char path[32];
	ssize_t got;
	int fd = fs_node_fd(fs, n);

	if (fd < 0)
		return false;
	fs_proc_path(path, sizeof(path), fd);
	got = getxattr(path, FS_VERF_XATTR, have, sizeof(have));
	if (got >= 0 || (errno != ENOTSUP && errno != ENODATA))
		return got == (ssize_t)sizeof(have) && !memcmp(have, verf, sizeof(have));
	fs_verf_times(verf, ts);
	return fstat(fd, &st) == 0 && st.st_atim.tv_sec == ts[0].tv_sec && st.st_mtim.tv_sec == ts[1].tv_sec;
}

static enum fs_status fs_create_existing(struct fs_export *fs, struct fs_node *dir, int dfd, const char *cname,
					 enum fs_create_how how, const struct fs_sattr *sa,
					 const uint8_t verf[8], struct fs_node **out)
{
	struct fs_sattr s = *sa;
	struct fs_node *n;
	enum fs_status st;

	if (how == FS_CREATE_GUARDED)
		return FS_ERR_EXIST;
	st = fs_stat_name(fs, dfd, cname, dir, &n);
	if (st != FS_OK)
		return st;
	if (how == FS_CREATE_EXCLUSIVE) {
		if (n->type != FS_TYPE_REG || !fs_verf_matches(fs, n, verf))
			return FS_ERR_EXIST;
		*out = n;
		return FS_OK;
	}
	if (n->type == FS_TYPE_DIR)
		return FS_ERR_ISDIR;
	if (n->type != FS_TYPE_REG)
		return FS_ERR_EXIST;
	s.set_uid = s.set_gid = false;
	st = fs_apply_sattr(fs, n, &s);
	if (st == FS_OK)
		*out = n;
	return st;
}

/**
 * fs_create() - CREATE a regular file.
 * @fs: export
 * @dir: directory
 * @name: name bytes
 * @len: their count
 * @how: UNCHECKED (an existing file gets @sa), GUARDED (EXIST if present) or
 *       EXCLUSIVE (@verf stored; a retransmission with the same @verf succeeds)
 * @sa: initial attributes (ignored for EXCLUSIVE)
 * @verf: exclusive-create verifier (EXCLUSIVE only)
 * @cred: the caller (owner under the mapped model)
 * @out: receives the file's node
 *
 * A create that fails after making the file removes it again.
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_create(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			 enum fs_create_how how, const struct fs_sattr *sa, const uint8_t verf[8],
			 const struct fs_cred *cred, struct fs_node **out)
{
	static const struct fs_sattr none;
	char cname[FS_NAME_MAX + 1];
	enum fs_status st;
	int dfd, fd;

	st = fs_prep_new(fs, dir, name, len, cname, &dfd);
	if (st != FS_OK)
		return st;
	if (how == FS_CREATE_EXCLUSIVE)
		sa = &none;
	fd = openat(dfd, cname, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		    attr_host_mode(fs->cfg.attr_model, FS_TYPE_REG, 0600));
	if (fd < 0 && errno == EEXIST)
		return fs_create_existing(fs, dir, dfd, cname, how, sa, verf, out);
	if (fd < 0)
		return fs_errno(errno);
	if (how == FS_CREATE_EXCLUSIVE) {
		int rc = fs_verf_store(fd, verf);

		if (rc < 0) {
			close(fd);
			unlinkat(dfd, cname, 0);
			return fs_errno(-rc);
		}
	}
	return fs_finish_new_fd(fs, dir, dfd, cname, sa, cred, 0644, fd, out);
}

/**
 * fs_mkdir() - MKDIR.
 * @fs: export
 * @dir: parent directory
 * @name: name bytes
 * @len: their count
 * @sa: initial attributes
 * @cred: the caller
 * @out: receives the new directory's node
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_mkdir(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			const struct fs_sattr *sa, const struct fs_cred *cred, struct fs_node **out)
{
	char cname[FS_NAME_MAX + 1];
	enum fs_status st;
	int dfd;

	st = fs_prep_new(fs, dir, name, len, cname, &dfd);
	if (st != FS_OK)
		return st;
	if (mkdirat(dfd, cname, attr_host_mode(fs->cfg.attr_model, FS_TYPE_DIR, 0700)) < 0)
		return fs_errno(errno);
	return fs_finish_new(fs, dir, dfd, cname, sa, cred, 0755, out);
}

/**
 * fs_symlink() - SYMLINK; the target text is stored as given and never followed.
 * @fs: export
 * @dir: directory
 * @name: name bytes
 * @len: their count
 * @target: link text
 * @tlen: its length (1..FS_PATH_MAX, no NUL)
 * @sa: initial attributes (times only; a symlink's mode is 0777)
 * @cred: the caller
 * @out: receives the link's node
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_symlink(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			  const uint8_t *target, uint32_t tlen, const struct fs_sattr *sa,
			  const struct fs_cred *cred, struct fs_node **out)
{
	char cname[FS_NAME_MAX + 1], text[FS_PATH_MAX + 1];
	struct fs_sattr s = *sa;
	enum fs_status st;
	int dfd;

	st = fs_prep_new(fs, dir, name, len, cname, &dfd);
	if (st != FS_OK)
		return st;
	if (tlen > FS_PATH_MAX)
		return FS_ERR_NAMETOOLONG;
	if (tlen == 0 || memchr(target, '\0', tlen))
		return FS_ERR_INVAL;
	memcpy(text, target, tlen);
	text[tlen] = '\0';
	if (symlinkat(text, dfd, cname) < 0)
		return fs_errno(errno);
	s.set_mode = s.set_uid = s.set_gid = s.set_size = false;
	return fs_finish_new(fs, dir, dfd, cname, &s, cred, 0777, out);
}

static enum fs_status fs_mknod_special(struct fs_export *fs, struct fs_node *dir, int dfd, const char *cname,
				      enum fs_type type, uint32_t major, uint32_t minor,
				      const struct fs_sattr *sa, const struct fs_cred *cred,
				      struct fs_node **out)
{
	struct fs_attr a;
	enum fs_status st;
	int fd, rc;

	fd = openat(dfd, cname, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fs_errno(errno);
	close(fd);
	st = fs_finish_new(fs, dir, dfd, cname, sa, cred, 0644, out);
	if (st != FS_OK)
		return st;
	st = fs_getattr(fs, *out, &a);
	if (st == FS_OK) {
		a.type = type;
		a.rdev_major = major;
		a.rdev_minor = minor;
		rc = attr_mapped_store(fs_node_fd(fs, *out), &a);
		st = rc < 0 ? fs_errno(-rc) : FS_OK;
	}
	if (st != FS_OK) {
		unlinkat(dfd, cname, 0);
		fs_index_drop(fs, *out);
	}
	return st;
}

/**
 * fs_mknod() - MKNOD.  Squash: FIFOs and sockets on the host, devices
 * FS_ERR_NOTSUPP.  Mapped: every special file is a regular placeholder file
 * carrying the guest's type, device numbers and owner in its attributes.
 * @fs: export
 * @dir: directory
 * @name: name bytes
 * @len: their count
 * @type: FS_TYPE_FIFO, FS_TYPE_SOCK, FS_TYPE_CHR or FS_TYPE_BLK
 * @major: device major (devices)
 * @minor: device minor (devices)
 * @sa: initial attributes
 * @cred: the caller
 * @out: receives the node
 *
 * Return: FS_OK or an error (FS_ERR_BADTYPE for other types).
 */
enum fs_status fs_mknod(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			enum fs_type type, uint32_t major, uint32_t minor, const struct fs_sattr *sa,
			const struct fs_cred *cred, struct fs_node **out)
{
	char cname[FS_NAME_MAX + 1];
	enum fs_status st;
	mode_t fmt;
	int dfd;

	st = fs_prep_new(fs, dir, name, len, cname, &dfd);
	if (st != FS_OK)
		return st;
	switch (type) {
	case FS_TYPE_FIFO: fmt = S_IFIFO; break;
	case FS_TYPE_SOCK: fmt = S_IFSOCK; break;
	case FS_TYPE_CHR:
	case FS_TYPE_BLK: fmt = 0; break;
	default:
		return FS_ERR_BADTYPE;
	}
	/* Special files cannot carry user xattrs: the mapped model keeps them all as placeholders. */
	if (fs->cfg.attr_model == NFS_ATTR_MAPPED)
		return fs_mknod_special(fs, dir, dfd, cname, type, major, minor, sa, cred, out);
	if (!fmt)
		return FS_ERR_NOTSUPP;
	if (mknodat(dfd, cname, fmt | attr_host_mode(fs->cfg.attr_model, type, 0600), 0) < 0)
		return fs_errno(errno);
	return fs_finish_new(fs, dir, dfd, cname, sa, cred, 0644, out);
}

/**
 * fs_link() - LINK: a new name for an existing non-directory.
 * @fs: export
 * @node: the object
 * @dir: directory of the new name
 * @name: name bytes
 * @len: their count
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_link(struct fs_export *fs, struct fs_node *node, struct fs_node *dir, const uint8_t *name,
		       uint32_t len)
{
	char cname[FS_NAME_MAX + 1], path[32];
	enum fs_status st;
	int dfd, fd;

	st = fs_prep_new(fs, dir, name, len, cname, &dfd);
	if (st != FS_OK)
		return st;
	if (node->type == FS_TYPE_DIR)
		return FS_ERR_ISDIR;
	/* opening @node may walk a long chain: keep @dir's descriptor (dfd) from eviction */
	dir->pin++;
	fd = fs_node_fd(fs, node);
	dir->pin--;
	if (fd < 0)
		return fs_errno(-fd);
	fs_proc_path(path, sizeof(path), fd);
	if (linkat(AT_FDCWD, path, dfd, cname, AT_SYMLINK_FOLLOW) < 0)
		return fs_errno(errno);
	return FS_OK;
}

/* Forget @ino after its name @cname in @dir went away (nlink = links before). */
static void fs_forget_name(struct fs_export *fs, uint64_t ino, uint64_t nlink, struct fs_node *dir,
			   const char *cname)
{
	struct fs_node *n = fs_index_get(fs, ino);

	if (!n)
		return;
	if (nlink <= 1 || n->type == FS_TYPE_DIR)
		fs_note_gone(fs, n);
	if (nlink <= 1 || n->type == FS_TYPE_DIR || (n->parent == dir->ino && !strcmp(n->name, cname)))
		fs_index_drop(fs, n);
}

static enum fs_status fs_unlink_common(struct fs_export *fs, struct fs_node *dir, const uint8_t *name,
				       uint32_t len, bool is_dir)
{
	char cname[FS_NAME_MAX + 1];
	struct statx stx;
	enum fs_status st;
	int dfd;

	if (fs->cfg.read_only)
		return FS_ERR_ROFS;
	st = fs_dir_fd(fs, dir, &dfd);
	if (st != FS_OK)
		return st;
	st = fs_name_check(name, len, cname);
	if (st == FS_ERR_INVAL && len == 2)
		return is_dir ? FS_ERR_NOTEMPTY : FS_ERR_INVAL;
	if (st != FS_OK)
		return st;
	if (statx(dfd, cname, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
		return fs_errno(errno);
	if (!is_dir && S_ISDIR(stx.stx_mode))
		return FS_ERR_ISDIR;
	if (is_dir && !S_ISDIR(stx.stx_mode))
		return FS_ERR_NOTDIR;
	if (unlinkat(dfd, cname, is_dir ? AT_REMOVEDIR : 0) < 0)
		return fs_errno(errno);
	fs_forget_name(fs, stx.stx_ino, stx.stx_nlink, dir, cname);
	return FS_OK;
}

/**
 * fs_remove() - REMOVE a non-directory.
 * @fs: export
 * @dir: directory
 * @name: name bytes
 * @len: their count
 *
 * Return: FS_OK or an error (FS_ERR_ISDIR for a directory).
 */
enum fs_status fs_remove(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len)
{
	return fs_unlink_common(fs, dir, name, len, false);
}

/**
 * fs_rmdir() - RMDIR an empty directory.
 * @fs: export
 * @dir: parent directory
 * @name: name bytes
 * @len: their count
 *
 * Return: FS_OK or an error (FS_ERR_NOTDIR, FS_ERR_NOTEMPTY, ...).
 */
enum fs_status fs_rmdir(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len)
{
	return fs_unlink_common(fs, dir, name, len, true);
}

/**
 * fs_rename() - RENAME, replacing an existing target as rename(2) does.
 * @fs: export
 * @fdir: source directory
 * @fname: source name bytes
 * @flen: their count
 * @tdir: target directory
 * @tname: target name bytes
 * @tlen: their count
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_rename(struct fs_export *fs, struct fs_node *fdir, const uint8_t *fname, uint32_t flen,
			 struct fs_node *tdir, const uint8_t *tname, uint32_t tlen)
{
	char from[FS_NAME_MAX + 1], to[FS_NAME_MAX + 1];
	struct statx src, dst;
	bool had_dst;
	enum fs_status st;
	int ffd, tfd;

	if (fs->cfg.read_only)
		return FS_ERR_ROFS;
	st = fs_dir_fd(fs, fdir, &ffd);
	if (st == FS_OK) {
		/* opening @tdir may walk a long chain: keep ffd from eviction (and reuse) */
		fdir->pin++;
		st = fs_dir_fd(fs, tdir, &tfd);
		fdir->pin--;
	}
	if (st != FS_OK)
		return st;
	st = fs_name_check(fname, flen, from);
	if (st == FS_OK)
		st = fs_name_check(tname, tlen, to);
	if (st != FS_OK)
		return st;
	if (statx(ffd, from, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &src) < 0)
		return fs_errno(errno);
	had_dst = statx(tfd, to, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &dst) == 0;
	if (renameat(ffd, from, tfd, to) < 0)
		return fs_errno(errno);
	if (had_dst && dst.stx_ino != src.stx_ino)
		fs_forget_name(fs, dst.stx_ino, dst.stx_nlink, tdir, to);
	if (!fs_index_put(fs, src.stx_ino, tdir->ino, (uint8_t)attr_type_of(src.stx_mode), to))
		fs_index_drop(fs, fs_index_get(fs, src.stx_ino));
	return FS_OK;
}

/**
 * fs_readlink() - READLINK: the link's text.
 * @fs: export
 * @node: a symlink
 * @buf: receives the text (not NUL-terminated)
 * @cap: its size
 * @len: receives the length
 *
 * Return: FS_OK, FS_ERR_INVAL for a non-link, FS_ERR_NAMETOOLONG if it
 * does not fit.
 */
enum fs_status fs_readlink(struct fs_export *fs, struct fs_node *node, char *buf, size_t cap, size_t *len)
{
	ssize_t n;
	int fd;

	if (node->type != FS_TYPE_LNK)
		return FS_ERR_INVAL;
	fd = fs_node_fd(fs, node);
	if (fd < 0)
		return fs_errno(-fd);
	n = readlinkat(fd, "", buf, cap);
	if (n < 0)
		return fs_errno(errno);
	if ((size_t)n >= cap)
		return FS_ERR_NAMETOOLONG;
	*len = (size_t)n;
	return FS_OK;
}

/* A descriptor for file I/O, or the status saying why not. */
static enum fs_status fs_io_fd(struct fs_export *fs, struct fs_node *n, bool write, int *fd)
{
	if (n->type == FS_TYPE_DIR)
		return FS_ERR_ISDIR;
	if (n->type != FS_TYPE_REG)
		return FS_ERR_INVAL;
	*fd = write ? fs_node_rw_fd(fs, n) : fs_node_fd(fs, n);
	if (*fd < 0)
		return fs_errno(-*fd);
	if (n->fd_path)
		return FS_ERR_ACCES;
	return FS_OK;
}

/**
 * fs_read() - READ from a regular file.
 * @fs: export
 * @node: the file
 * @off: offset
 * @buf: receives the data
 * @count: bytes wanted
 * @got: receives bytes read
 * @eof: receives whether the read reached end of file
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_read(struct fs_export *fs, struct fs_node *node, uint64_t off, uint8_t *buf,
		       uint32_t count, uint32_t *got, bool *eof)
{
	enum fs_status st;
	struct stat sb;
	uint32_t done = 0;
	ssize_t n;
	int fd;

	*got = 0;
	*eof = false;
	st = fs_io_fd(fs, node, false, &fd);
	if (st != FS_OK)
		return st;
	if (off >= (uint64_t)INT64_MAX - count) {
		*eof = true;
		return FS_OK;
	}
	while (done < count) {
		n = pread(fd, buf + done, count - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fs_errno(errno);
		if (n == 0)
			break;
		done += (uint32_t)n;
	}
	*got = done;
	if (done < count)
		*eof = true;
	else if (fstat(fd, &sb) == 0)
		*eof = off + done >= (uint64_t)sb.st_size;
	return FS_OK;
}

/**
 * fs_write() - WRITE to a regular file, all or nothing.
 * @fs: export
 * @node: the file
 * @off: offset
 * @buf: the data
 * @count: its length
 * @stable: flush data to stable storage before returning
 * @written: receives the bytes written (@count on FS_OK)
 *
 * A write that fails part-way (disk full) cuts the file back to its old
 * size if it had grown, and reports the error, never a partial success.
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_write(struct fs_export *fs, struct fs_node *node, uint64_t off, const uint8_t *buf,
			uint32_t count, bool stable, uint32_t *written)
{
	enum fs_status st;
	struct stat sb;
	uint32_t done = 0;
	ssize_t n;
	int fd;

	*written = 0;
	if (fs->cfg.read_only)
		return FS_ERR_ROFS;
	st = fs_io_fd(fs, node, true, &fd);
	if (st != FS_OK)
		return st;
	if (off > (uint64_t)INT64_MAX - count)
		return FS_ERR_FBIG;
	if (fstat(fd, &sb) < 0)
		return fs_errno(errno);
	while (done < count) {
		n = pwrite(fd, buf + done, count - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			st = n < 0 ? fs_errno(errno) : FS_ERR_NOSPC;
			if (off + done > (uint64_t)sb.st_size && ftruncate(fd, sb.st_size) < 0)
				st = FS_ERR_IO;
			return st;
		}
		done += (uint32_t)n;
	}
	if (stable && fdatasync(fd) < 0)
		return fs_errno(errno);
	*written = done;
	return FS_OK;
}

/**
 * fs_commit() - COMMIT: flush a file's written data.
 * @fs: export
 * @node: the file
 *
 * Return: FS_OK or an error.
 */
enum fs_status fs_commit(struct fs_export *fs, struct fs_node *node)
{
	int fd = fs_node_fd(fs, node);

	if (fd < 0)
		return fs_errno(-fd);
	if (node->type == FS_TYPE_REG && node->fd_rw && fdatasync(fd) < 0)
		return fs_errno(errno);
	return FS_OK;
}
