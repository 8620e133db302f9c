/* SPDX-License-Identifier: MIT */
/* fs_int.h: internals shared by fs.c (index, handles), fsops.c (operations) and fsdir.c (READDIR). */
#ifndef INDYNET_NFS_FS_INT_H
#define INDYNET_NFS_FS_INT_H

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nfs/fs.h"

#define FS_NODES_DEFAULT 65536u /* objects the node cache holds (nfs_server_config.cache_nodes) */
#define FS_NODES_MIN 64u
#define FS_FDS_DEFAULT 512u     /* descriptors it keeps open (nfs_server_config.cache_fds) */
#define FS_FDS_MIN 16u
#define FS_MAX_DEPTH 4096u      /* deepest directory chain walked */
#define FS_PRESENCE_MS 1        /* the export path is looked up at most this often (fs_export_present()) */
#define FS_SEARCH_TARGETS 32u   /* handles one background search looks for at once */
#define FS_ABSENT_SEC 60        /* a handle a whole search did not find stays STALE this long */
#define FS_GONE_MAX 1024u       /* objects this server removed, remembered to answer STALE at once */

struct fs_cookie_map;

enum fs_kfh_state {
	FS_KFH_UNKNOWN = 0,
	FS_KFH_NONE,              /* the filesystem gives none that fits */
	FS_KFH_KNOWN,
};

/** struct fs_node - one cached object of the export (see fs.c). */
struct fs_node {
	uint64_t ino;
	uint64_t parent;          /* st_ino of @up, the directory that holds @name */
	struct fs_node *up;       /* that directory's node (we hold one of its refs); NULL for the root */
	uint32_t gen;
	uint32_t refs;            /* cached children + searches holding it; >0: never evicted */
	bool gen_known;
	bool fd_rw;               /* @fd is open for writing */
	bool fd_path;             /* @fd is O_PATH (no I/O through it) */
	bool hashed;              /* false: dropped, freed when its last ref goes */
	uint8_t type;             /* host type, enum fs_type */
	uint8_t kfh_state;        /* enum fs_kfh_state (directories) */
	uint8_t kfh_type, kfh_len;
	uint8_t kfh[FH_KFH_MAX];  /* the kernel's handle of this directory */
	uint16_t pin;             /* >0: @fd must not be evicted */
	char *name;               /* NULL for the root */
	int fd;                   /* cached descriptor or -1 */
	struct fs_node *hnext;
	struct fs_node *lru_prev, *lru_next;  /* descriptor LRU (nodes with @fd) */
	struct fs_node *nl_prev, *nl_next;    /* node LRU (hashed, refs 0, not the root) */
	struct fs_cookie_map *cookies;  /* NFSv2 cookie folds (directories) */
};

/** struct fs_ctr - counters read by other threads (nfs_server_stats()). */
struct fs_ctr {
	_Atomic uint64_t node_hits, node_misses, fd_hits, fd_misses;
	_Atomic uint64_t handles_kernel, handles_searched, handles_jukebox, handles_stale, search_entries;
	_Atomic uint32_t nodes, fds;
};

enum fs_target_state {
	FS_TARGET_FREE = 0,
	FS_TARGET_PENDING,
	FS_TARGET_FOUND,          /* met: @chain holds the directories to it */
	FS_TARGET_ABSENT,
};

/** struct fs_target - a handle's inode the seeker looks for (fsseek.c). */
struct fs_target {
	uint64_t ino;
	uint32_t need_pass;       /* the first pass that covers the whole export for it */
	uint8_t state;            /* enum fs_target_state */
	int64_t since;            /* monotonic seconds: when it became FOUND or ABSENT */
	uint64_t *chain;          /* FOUND: the directories below the root holding it, deepest first */
	unsigned depth;           /* their count */
};

/** struct fs_gone - an object this server removed (inode and generation). */
struct fs_gone {
	uint64_t ino;
	uint32_t gen;
};

/** struct fs_search - the seeker thread and its targets (fsseek.c); all under @lock. */
struct fs_search {
	pthread_mutex_t lock;
	pthread_cond_t cond;      /* the seeker waits here for targets */
	pthread_t thread;
	bool started, stop;
	uint32_t pass;            /* passes started */
	struct fs_target t[FS_SEARCH_TARGETS];
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
	unsigned nodes_max, fds_max;
	struct fs_node *lru_head, *lru_tail;
	struct fs_node *nl_head, *nl_tail;
	unsigned nfds;
	bool kfh_issue;           /* handles carry kernel handles (they fit) */
	bool kfh_open;            /* open_by_handle_at() works (CAP_DAC_READ_SEARCH) */
	bool deferred;            /* this call met a handle still searched for */
	bool away;                /* the export's path no longer leads to the root (fs_export_present()) */
	int64_t presence_ms;      /* when that was last looked at (CLOCK_MONOTONIC), 0: never */
	struct fs_search search;
	struct fs_gone gone[FS_GONE_MAX];  /* ring */
	unsigned gone_next;
	struct fs_ctr ctr;
	uint64_t *chain;          /* FS_MAX_DEPTH inodes: fs_connect()'s walk */
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
int64_t fs_now_sec(void);
struct statx;
bool fs_is_mount_root(const struct statx *stx);
void fs_ctr_inc(_Atomic uint64_t *c);
uint8_t fs_dirent_type(int dfd, const struct dirent64 *de);
int fs_scan_for(struct fs_export *fs, struct fs_node *dir, uint64_t want);
void fs_node_hold(struct fs_export *fs, struct fs_node *n);
void fs_node_release(struct fs_export *fs, struct fs_node *n);
bool fs_kfh_of(struct fs_export *fs, struct fs_node *dir);
enum fs_status fs_resolve(struct fs_export *fs, const struct fh_data *d, struct fs_node **out);
void fs_search_init(struct fs_export *fs);
enum fs_status fs_search_want(struct fs_export *fs, uint64_t ino);
int fs_search_take(struct fs_export *fs, uint64_t ino);
void fs_search_free(struct fs_export *fs);
void fs_note_gone(struct fs_export *fs, const struct fs_node *n);

#endif /* INDYNET_NFS_FS_INT_H */
