/* SPDX-License-Identifier: MIT */
/* handle.h: the on-the-wire file handle, stable across server restarts. */
#ifndef INDYNET_NFS_HANDLE_H
#define INDYNET_NFS_HANDLE_H

#include <stddef.h>
#include <stdint.h>

/** Every handle is exactly this long (NFSv2 requires 32; NFSv3 allows up to 64). */
#define FH_SIZE 32u
#define FH3_MAX 64u

/** Longest kernel file handle (name_to_handle_at) a 32-byte handle carries. */
#define FH_KFH_MAX 8u

/** struct fh_data - the decoded contents of a handle. */
struct fh_data {
	uint32_t export_id;  /* hash of the export root's st_dev and st_ino */
	uint64_t ino;        /* the object's st_ino */
	uint32_t gen;        /* generation (birth-time fold), 0 if unknown */
	uint64_t parent;     /* layout 1: st_ino of a directory holding it (hint); layout 2: 0 */
	uint8_t type;        /* enum fs_type */
	uint8_t kfh_type;    /* layout 2: the kernel handle of the object (a directory) or of */
	uint8_t kfh_len;     /* the directory holding it; kfh_len 0 = layout 1 */
	uint8_t kfh[FH_KFH_MAX];
};

/** enum fh_status - outcome of fh_decode(). */
enum fh_status {
	FH_OK = 0,
	FH_BADHANDLE,  /* wrong length or not one of ours */
	FH_STALE,      /* well-formed but from another export */
};

void fh_encode(const struct fh_data *fh, uint8_t out[FH_SIZE]);
enum fh_status fh_decode(const uint8_t *buf, size_t len, uint32_t export_id, struct fh_data *fh);
uint32_t fh_export_id(uint64_t dev, uint64_t ino);

#endif /* INDYNET_NFS_HANDLE_H */
