/* SPDX-License-Identifier: MIT */
/* fs.h: the export's file layer shared by NFSv2 and NFSv3 (handles, names, file operations). */
#ifndef INDYNET_NFS_FS_H
#define INDYNET_NFS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfs/attr.h"
#include "nfs/handle.h"
#include "nfs/nfs.h"

/*
 * Every operation works on struct fs_node, an object of the export obtained
 * from a handle (fs_from_handle), from fs_root() or from a name
 * (fs_lookup, fs_create, ...).  A node pointer stays valid for the rest of
 * the request that obtained it, unless that request removes the object.
 * Names arrive as counted bytes straight from XDR: the layer itself rejects
 * empty, ".", "..", "/"-containing, NUL-containing and over-long components
 * (LOOKUP answers "." and ".." itself).  Every modifying call answers
 * FS_ERR_ROFS on a read-only export.  Each NFS version maps enum fs_status
 * to its own status codes.
 */

enum fs_status {
	FS_OK = 0,
	FS_ERR_PERM,
	FS_ERR_NOENT,
	FS_ERR_IO,
	FS_ERR_NXIO,
	FS_ERR_ACCES,
	FS_ERR_EXIST,
	FS_ERR_XDEV,
	FS_ERR_NODEV,
	FS_ERR_NOTDIR,
	FS_ERR_ISDIR,
	FS_ERR_INVAL,
	FS_ERR_FBIG,
	FS_ERR_NOSPC,
	FS_ERR_ROFS,
	FS_ERR_MLINK,
	FS_ERR_NAMETOOLONG,
	FS_ERR_NOTEMPTY,
	FS_ERR_DQUOT,
	FS_ERR_STALE,
	FS_ERR_BADHANDLE,
	FS_ERR_NOTSUPP,
	FS_ERR_TOOSMALL,
	FS_ERR_SERVERFAULT,
	FS_ERR_BADTYPE,
	FS_ERR_NOT_SYNC,
	FS_ERR_BAD_COOKIE,
	FS_ERR_JUKEBOX,       /* the handle is still being searched for: try again later */
};

#define FS_NAME_MAX 255u
#define FS_PATH_MAX 1024u

/* fs_access() bits; equal to NFSv3's ACCESS3_* values. */
#define FS_ACCESS_READ 0x01u
#define FS_ACCESS_LOOKUP 0x02u
#define FS_ACCESS_MODIFY 0x04u
#define FS_ACCESS_EXTEND 0x08u
#define FS_ACCESS_DELETE 0x10u
#define FS_ACCESS_EXECUTE 0x20u

enum fs_create_how {
	FS_CREATE_UNCHECKED = 0,
	FS_CREATE_GUARDED = 1,
	FS_CREATE_EXCLUSIVE = 2,
};

struct fs_statfs {
	uint32_t bsize;
	uint64_t blocks, bfree, bavail;   /* in bsize units */
	uint64_t files, ffree, favail;
	uint64_t maxfilesize;             /* largest file size the host allows */
	uint32_t link_max;                /* most hard links to one file */
	uint32_t name_max;                /* longest name component */
};

/** struct fs_dirent - one READDIR entry handed to the callback. */
struct fs_dirent {
	uint64_t fileid;      /* host inode number (".." already rewritten) */
	const char *name;     /* NUL-terminated */
	uint32_t namelen;
	uint64_t cookie;      /* resume point after this entry */
};

/**
 * typedef fs_readdir_cb - consume one entry.
 * Return: 0 to continue, non-zero when the entry does not fit (it is not
 * consumed and READDIR stops before it).
 */
typedef int (*fs_readdir_cb)(void *opaque, const struct fs_dirent *ent);

struct fs_export;
struct fs_node;

struct fs_export *fs_export_open(const struct nfs_server_config *cfg, char *err, size_t errlen);
void fs_export_close(struct fs_export *fs);
bool fs_read_only(const struct fs_export *fs);
struct fs_node *fs_root(struct fs_export *fs);
enum fs_status fs_errno(int err);

unsigned fs_search_pending(struct fs_export *fs);
bool fs_call_done(struct fs_export *fs);
void fs_stats(struct fs_export *fs, struct nfs_stats *out);

bool fs_export_present(struct fs_export *fs);
enum fs_status fs_from_handle(struct fs_export *fs, const uint8_t *fh, size_t len, struct fs_node **out);
void fs_handle(struct fs_export *fs, struct fs_node *node, uint8_t out[FH_SIZE]);

enum fs_status fs_lookup(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			 struct fs_node **out);
enum fs_status fs_lookup_path(struct fs_export *fs, const uint8_t *path, uint32_t len, struct fs_node **out);
enum fs_status fs_getattr(struct fs_export *fs, struct fs_node *node, struct fs_attr *a);
enum fs_status fs_setattr(struct fs_export *fs, struct fs_node *node, const struct fs_sattr *sa,
			  const struct fs_time *guard_ctime);
enum fs_status fs_access(struct fs_export *fs, struct fs_node *node, const struct fs_cred *cred,
			 uint32_t want, uint32_t *granted);

enum fs_status fs_create(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			 enum fs_create_how how, const struct fs_sattr *sa, const uint8_t verf[8],
			 const struct fs_cred *cred, struct fs_node **out);
enum fs_status fs_mkdir(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			const struct fs_sattr *sa, const struct fs_cred *cred, struct fs_node **out);
enum fs_status fs_symlink(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			  const uint8_t *target, uint32_t tlen, const struct fs_sattr *sa,
			  const struct fs_cred *cred, struct fs_node **out);
enum fs_status fs_mknod(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len,
			enum fs_type type, uint32_t major, uint32_t minor, const struct fs_sattr *sa,
			const struct fs_cred *cred, struct fs_node **out);
enum fs_status fs_link(struct fs_export *fs, struct fs_node *node, struct fs_node *dir, const uint8_t *name,
		       uint32_t len);
enum fs_status fs_remove(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len);
enum fs_status fs_rmdir(struct fs_export *fs, struct fs_node *dir, const uint8_t *name, uint32_t len);
enum fs_status fs_rename(struct fs_export *fs, struct fs_node *fdir, const uint8_t *fname, uint32_t flen,
			 struct fs_node *tdir, const uint8_t *tname, uint32_t tlen);
enum fs_status fs_readlink(struct fs_export *fs, struct fs_node *node, char *buf, size_t cap, size_t *len);

enum fs_status fs_read(struct fs_export *fs, struct fs_node *node, uint64_t off, uint8_t *buf,
		       uint32_t count, uint32_t *got, bool *eof);
enum fs_status fs_write(struct fs_export *fs, struct fs_node *node, uint64_t off, const uint8_t *buf,
			uint32_t count, bool stable, uint32_t *written);
enum fs_status fs_commit(struct fs_export *fs, struct fs_node *node);
void fs_write_verf(const struct fs_export *fs, uint8_t out[8]);

enum fs_status fs_readdir(struct fs_export *fs, struct fs_node *dir, uint64_t cookie, bool cookie32,
			  fs_readdir_cb cb, void *opaque, bool *eof);
uint64_t fs_cookieverf(struct fs_export *fs, struct fs_node *dir);
enum fs_status fs_statfs(struct fs_export *fs, struct fs_node *node, struct fs_statfs *out);

#endif /* INDYNET_NFS_FS_H */
