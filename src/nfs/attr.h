/* SPDX-License-Identifier: MIT */
/* attr.h: version-neutral file attributes and the squash / mapped attribute models. */
#ifndef INDYNET_NFS_ATTR_H
#define INDYNET_NFS_ATTR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "nfs/nfs.h"

/** enum fs_type - object type; values equal NFSv3's ftype3. */
enum fs_type {
	FS_TYPE_NONE = 0,
	FS_TYPE_REG = 1,
	FS_TYPE_DIR = 2,
	FS_TYPE_BLK = 3,
	FS_TYPE_CHR = 4,
	FS_TYPE_LNK = 5,
	FS_TYPE_SOCK = 6,
	FS_TYPE_FIFO = 7,
};

struct fs_time {
	int64_t sec;
	uint32_t nsec;
};

/** struct fs_attr - what GETATTR presents, independent of the NFS version. */
struct fs_attr {
	enum fs_type type;
	uint32_t mode;        /* permission bits only (07777) */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t used;        /* bytes allocated */
	uint32_t blksize;
	uint32_t rdev_major, rdev_minor;
	uint64_t fsid;
	uint64_t fileid;      /* host inode number; NFSv2 uses attr_fileid32() */
	struct fs_time atime, mtime, ctime;
};

/** enum fs_time_how - how SETATTR sets a time (NFSv3 time_how). */
enum fs_time_how {
	FS_TIME_DONT = 0,
	FS_TIME_SERVER = 1,
	FS_TIME_CLIENT = 2,
};

/** struct fs_sattr - attributes to set; a false set_* leaves that field alone. */
struct fs_sattr {
	bool set_mode, set_uid, set_gid, set_size;
	uint32_t mode, uid, gid;
	uint64_t size;
	enum fs_time_how atime_how, mtime_how;
	struct fs_time atime, mtime;
};

/** struct fs_cred - the caller's identity (from AUTH_SYS; uid/gid 0 for AUTH_NONE). */
struct fs_cred {
	uint32_t uid, gid;
	uint32_t ngids;
	const uint32_t *gids;
};

/**
 * attr_fileid32() - fold a 64-bit fileid into NFSv2's 32 bits (used everywhere in v2).
 * @fileid: host inode number
 *
 * Return: @fileid when it fits, else the xor of both halves.
 */
static inline uint32_t attr_fileid32(uint64_t fileid)
{
	return fileid >> 32 ? (uint32_t)(fileid ^ (fileid >> 32)) : (uint32_t)fileid;
}

enum fs_type attr_type_of(mode_t st_mode);
void attr_from_stat(const struct stat *st, enum nfs_attr_model model, uint32_t uid, uint32_t gid,
		    uint64_t fsid, struct fs_attr *out);
int attr_mapped_load(int fd, enum fs_type host_type, struct fs_attr *a);
int attr_mapped_store(int fd, const struct fs_attr *a);
uint32_t attr_host_mode(enum nfs_attr_model model, enum fs_type type, uint32_t guest_mode);

#endif /* INDYNET_NFS_ATTR_H */
