/* SPDX-License-Identifier: MIT */
/* fs_int.h: internals shared by fs.c (index, handles), fsops.c (operations) and fsdir.c (READDIR). */
#ifndef INDYNET_NFS_FS_INT_H
#define INDYNET_NFS_FS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nfs/fs.h"

#define FS_MAX_FDS 512u        /* descriptors cached by the node LRU */
#define FS_MAX_DEPTH 4096u     /* deepest directory chain walked */
#define FS_SCAN_MAX 2000000u   /* objects indexed by one full scan */
#define FS_RESCAN_SEC 10       /* least seconds between two full scans (forged handles cannot force more) */

struct fs_cookie_map;

/** struct fs_node - one known object of the export (see fs.c). */
struct fs_node {
	uint64_t ino;
	uint64_t parent;          /* st_ino of the directory that holds @name */
	uint32_t gen;
	bool gen_known;
	bool fd_rw;               /* @fd is open for writing */
	bool fd_path;             /* @fd is O_PATH (no I/O through it) */
	uint8_t type;             /* host type, enum fs_type */
	uint16_t pin;             /* >0: @fd must not be evicted */
	char *name;               /* NULL for the root */
	int fd;                   /* cached descriptor or -1 */
	struct fs_node *hnext;
	struct fs_node *lru_prev, *lru_next;
	struct fs_cookie_map *cookies;  /* NFSv2 cookie folds (directories) */
};

struct fs_export {
	struct nfs_server_config cfg;
	char *path;
	char *real;               /* realpath() of @path (MOUNT accepts either), or NULL */
	int rootfd;
	dev_t dev;
	uint32_t export_id;
	struct fs_node *root;
	struct fs_node **tab;
	size_t nbuckets, count;
	struct fs_node *lru_head, *lru_tail;
	unsigned nfds;
	int64_t last_scan;        /* monotonic seconds of the last full scan, -1 never */
	uint8_t verf[8];
	uint8_t *dirbuf;          /* getdents64 buffer */
	size_t dirbuf_len;
};

int fs_node_fd(struct fs_export *fs, struct fs_node *n);
int fs_node_rw_fd(struct fs_export *fs, struct fs_node *n);
void fs_node_adopt(struct fs_export *fs, struct fs_node *n, int fd);
int fs_parent_fd(struct fs_export *fs, struct fs_node *n);
struct fs_node *fs_index_get(struct fs_export *fs, uint64_t ino);
struct fs_node *fs_index_put(struct fs_export *fs, uint64_t ino, uint64_t parent, uint8_t type,
			     const char *name);
void fs_index_drop(struct fs_export *fs, struct fs_node *n);
enum fs_status fs_name_check(const uint8_t *name, uint32_t len, char out[FS_NAME_MAX + 1]);
enum fs_status fs_dir_fd(struct fs_export *fs, struct fs_node *dir, int *fd);
enum fs_status fs_stat_name(struct fs_export *fs, int dfd, const char *name, struct fs_node *dir,
			    struct fs_node **out);
uint64_t fs_mix64(uint64_t x);
void fs_cookies_free(struct fs_cookie_map *m);

#endif /* INDYNET_NFS_FS_INT_H */
