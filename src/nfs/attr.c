/* SPDX-License-Identifier: MIT */
/* attr.c: host stat -> NFS attributes under the squash and mapped models. */
#include "nfs/attr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

/*
 * Squash presents host modes and the configured owner.  Mapped keeps the
 * guest's owner, group, mode and (for special files, which live on the host
 * as regular placeholder files) type and device numbers in one extended
 * attribute, "user.indynet.attr", as text: "uid gid mode type major minor".
 * Symlinks cannot carry user xattrs on Linux; they present host values.
 * Extended attributes are reached through /proc/self/fd/N so that O_PATH
 * descriptors work and no path is ever resolved again.
 */

#define ATTR_XATTR "user.indynet.attr"

/**
 * attr_type_of() - the NFS type of a host st_mode.
 * @st_mode: host mode
 *
 * Return: enum fs_type (FS_TYPE_NONE for anything unknown).
 */
enum fs_type attr_type_of(mode_t st_mode)
{
	switch (st_mode & S_IFMT) {
	case S_IFREG: return FS_TYPE_REG;
	case S_IFDIR: return FS_TYPE_DIR;
	case S_IFBLK: return FS_TYPE_BLK;
	case S_IFCHR: return FS_TYPE_CHR;
	case S_IFLNK: return FS_TYPE_LNK;
	case S_IFSOCK: return FS_TYPE_SOCK;
	case S_IFIFO: return FS_TYPE_FIFO;
	default: return FS_TYPE_NONE;
	}
}

/**
 * attr_from_stat() - fill the host-derived attributes.
 * @st: host stat
 * @model: attribute model
 * @uid: owner presented by squash
 * @gid: group presented by squash
 * @fsid: filesystem id to present
 * @out: receives the attributes (mapped callers then apply attr_mapped_load())
 */
void attr_from_stat(const struct stat *st, enum nfs_attr_model model, uint32_t uid, uint32_t gid,
		    uint64_t fsid, struct fs_attr *out)
{
	memset(out, 0, sizeof(*out));
	out->type = attr_type_of(st->st_mode);
	out->mode = st->st_mode & 07777;
	out->nlink = (uint32_t)st->st_nlink;
	out->uid = model == NFS_ATTR_SQUASH ? uid : st->st_uid;
	out->gid = model == NFS_ATTR_SQUASH ? gid : st->st_gid;
	out->size = (uint64_t)st->st_size;
	out->used = (uint64_t)st->st_blocks * 512u;
	out->blksize = (uint32_t)st->st_blksize;
	out->rdev_major = major(st->st_rdev);
	out->rdev_minor = minor(st->st_rdev);
	out->fsid = fsid;
	out->fileid = st->st_ino;
	out->atime.sec = st->st_atim.tv_sec;
	out->atime.nsec = (uint32_t)st->st_atim.tv_nsec;
	out->mtime.sec = st->st_mtim.tv_sec;
	out->mtime.nsec = (uint32_t)st->st_mtim.tv_nsec;
	out->ctime.sec = st->st_ctim.tv_sec;
	out->ctime.nsec = (uint32_t)st->st_ctim.tv_nsec;
}

/**
 * attr_mapped_load() - overlay the guest's stored attributes.
 * @fd: descriptor of the object (O_PATH is fine), not a symlink
 * @host_type: the host's type of the object
 * @a: attributes to update
 *
 * Return: 1 when stored attributes were applied, 0 when there are none,
 * -errno on a malformed or unreadable record.
 */
int attr_mapped_load(int fd, enum fs_type host_type, struct fs_attr *a)
{
	char path[32], buf[96];
	unsigned uid, gid, mode, type, maj, min;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = getxattr(path, ATTR_XATTR, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -errno;
	buf[n] = '\0';
	if (sscanf(buf, "%u %u %o %u %u %u", &uid, &gid, &mode, &type, &maj, &min) != 6)
		return -EINVAL;
	a->uid = uid;
	a->gid = gid;
	a->mode = mode & 07777;
	if (host_type == FS_TYPE_REG && (type == FS_TYPE_CHR || type == FS_TYPE_BLK || type == FS_TYPE_FIFO ||
					 type == FS_TYPE_SOCK)) {
		a->type = (enum fs_type)type;
		a->rdev_major = maj;
		a->rdev_minor = min;
	}
	return 1;
}

/**
 * attr_mapped_store() - record the guest's attributes on the host object.
 * @fd: descriptor of the object (O_PATH is fine), not a symlink
 * @a: attributes (uid, gid, mode, type, rdev are stored)
 *
 * Return: 0 or -errno.
 */
int attr_mapped_store(int fd, const struct fs_attr *a)
{
	char path[32], buf[96];
	int n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = snprintf(buf, sizeof(buf), "%" PRIu32 " %" PRIu32 " %" PRIo32 " %u %" PRIu32 " %" PRIu32,
		     a->uid, a->gid, a->mode & 07777, (unsigned)a->type, a->rdev_major, a->rdev_minor);
	if (setxattr(path, ATTR_XATTR, buf, (size_t)n, 0) < 0)
		return -errno;
	return 0;
}

/**
 * attr_host_mode() - the permission bits to give the host object.
 * @model: attribute model
 * @type: object type
 * @guest_mode: mode the guest asked for
 *
 * Return: @guest_mode under squash (no set-id bits); under mapped, the
 * owner always keeps read/write (and search on directories) so the server
 * can serve the object whatever the guest's mode is.
 */
uint32_t attr_host_mode(enum nfs_attr_model model, enum fs_type type, uint32_t guest_mode)
{
	uint32_t m = guest_mode & 01777;

	if (model == NFS_ATTR_MAPPED)
		m |= type == FS_TYPE_DIR ? 0700u : 0600u;
	return m;
}
