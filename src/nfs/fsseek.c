/* SPDX-License-Identifier: MIT */
/* fsseek.c: the background search for handles nothing else resolves, on a thread of its own that only reads directories. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
 * A handle that neither a kernel handle nor its parent hint resolves
 * (fsfind.c) becomes a target: fs_search_want() records its inode (at
 * most FS_SEARCH_TARGETS at once), wakes the seeker thread and answers
 * FS_ERR_JUKEBOX.  The seeker walks the export depth-first with
 * descriptors of its own: getdents64() in FS_SEARCH_BUF chunks, each
 * entry's inode compared with a snapshot of the pending targets, each
 * subdirectory opened with openat(O_NOFOLLOW | O_DIRECTORY) and entered
 * only when it is on the export's device and not another mount's root.
 * It never touches the node cache: it only records, for a target it
 * meets, the inodes of the directories from the export root down to the
 * one holding it.  The next call that asks for the handle (the client's
 * retry) takes that record in fs_search_found() and, on the worker that
 * owns the cache, descends it with fs_descend(), finding each directory
 * by its inode in its parent, so the path is verified again before
 * anything is served.
 *
 * The point of the thread: on a cold or contended disk one getdents64()
 * or openat() can block for 100 ms or more.  In the seeker that delays
 * only the search; the worker keeps answering every other call.  Shared
 * state is the target table under search->lock; the seeker holds the
 * lock only to snapshot targets, to record a find and to close a pass.
 * It runs at the priority of the thread that first asked for a target
 * (the NFS worker: nice +5, below the frame path).
 *
 * A pass that covered the whole export after a target was added and did
 * not meet it makes it ABSENT: its handle answers STALE for FS_ABSENT_SEC.
 * The walk descends at most FS_SEEK_DEPTH levels (one descriptor each).
 *
 * Worked example: after a restart without CAP_DAC_READ_SEARCH the guest
 * GETATTRs /exp/d142/d099/f094 (3 M files).  The call is answered JUKEBOX
 * and the seeker starts; 8 s later it meets f094's inode in d099 and
 * records [d142, d099].  The client's next retry descends those two
 * directories (two scans of 145 entries) and is answered at once.
 */

#define FS_SEARCH_BUF 2048
#define FS_SEEK_DEPTH 128u  /* directory levels the seeker descends (descriptors it holds) */

/** struct fs_walk - the seeker's position: one open directory per level. */
struct fs_walk {
	int fd[FS_SEEK_DEPTH];
	uint64_t ino[FS_SEEK_DEPTH];
	int64_t off[FS_SEEK_DEPTH];  /* getdents offset to resume at */
	unsigned depth;
	uint64_t want[FS_SEARCH_TARGETS];  /* snapshot of the pending targets */
	unsigned nwant;
};

static struct fs_target *fs_target_find(struct fs_search *s, uint64_t ino)
{
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++)
		if (s->t[i].state != FS_TARGET_FREE && s->t[i].ino == ino)
			return &s->t[i];
	return NULL;
}

/* Under s->lock: copy the pending targets' inodes to @w; their count. */
static unsigned fs_seek_snapshot(struct fs_search *s, struct fs_walk *w)
{
	w->nwant = 0;
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++)
		if (s->t[i].state == FS_TARGET_PENDING)
			w->want[w->nwant++] = s->t[i].ino;
	return w->nwant;
}

static bool fs_seek_wanted(const struct fs_walk *w, uint64_t ino)
{
	for (unsigned i = 0; i < w->nwant; i++)
		if (w->want[i] == ino)
			return true;
	return false;
}

/* A target met in the deepest directory of @w: record the directories below the root, deepest first. */
static void fs_seek_found(struct fs_search *s, const struct fs_walk *w, uint64_t ino)
{
	unsigned n = w->depth - 1;
	uint64_t *chain = malloc((n ? n : 1) * sizeof(*chain));
	struct fs_target *t;

	for (unsigned i = 0; chain && i < n; i++)
		chain[i] = w->ino[w->depth - 1 - i];
	pthread_mutex_lock(&s->lock);
	t = fs_target_find(s, ino);
	if (t && t->state == FS_TARGET_PENDING && chain) {
		t->state = FS_TARGET_FOUND;
		t->since = fs_now_sec();
		t->chain = chain;
		t->depth = n;
		chain = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	free(chain);
}

static bool fs_seek_push(struct fs_export *fs, struct fs_walk *w, int fd)
{
	struct statx stx;

	if (w->depth == FS_SEEK_DEPTH ||
	    statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_TYPE, &stx) < 0 ||
	    makedev(stx.stx_dev_major, stx.stx_dev_minor) != fs->dev || (w->depth && fs_is_mount_root(&stx))) {
		close(fd);
		return false;
	}
	w->fd[w->depth] = fd;
	w->ino[w->depth] = stx.stx_ino;
	w->off[w->depth++] = 0;
	return true;
}

static void fs_seek_pop(struct fs_walk *w)
{
	close(w->fd[--w->depth]);
}

/* One entry of the deepest directory: true when it was a subdirectory now entered. */
static bool fs_seek_entry(struct fs_export *fs, struct fs_walk *w, const struct dirent64 *de)
{
	int dfd = w->fd[w->depth - 1], fd;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return false;
	if (fs_seek_wanted(w, de->d_ino))
		fs_seek_found(&fs->search, w, de->d_ino);
	if (fs_dirent_type(dfd, de) != FS_TYPE_DIR)
		return false;
	fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd >= 0 && fs_seek_push(fs, w, fd);
}

/* Read one buffer of the deepest directory; descend at the first subdirectory met. */
static void fs_seek_step(struct fs_export *fs, struct fs_walk *w)
{
	uint8_t buf[FS_SEARCH_BUF];
	unsigned lv = w->depth - 1;
	long n = -1, off;
	bool down = false;

	if (lseek(w->fd[lv], w->off[lv], SEEK_SET) >= 0)
		n = getdents64(w->fd[lv], buf, sizeof(buf));
	if (n <= 0) {
		fs_seek_pop(w);
		return;
	}
	for (off = 0; off < n && !down;) {
		const struct dirent64 *de = (const struct dirent64 *)(const void *)(buf + off);

		off += de->d_reclen;
		w->off[lv] = de->d_off;
		fs_ctr_inc(&fs->ctr.search_entries);
		down = fs_seek_entry(fs, w, de);
	}
}

/* Under s->lock: the pass is over; targets it covered and did not meet are ABSENT. */
static void fs_seek_end(struct fs_search *s)
{
	int64_t now = fs_now_sec();

	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++) {
		if (s->t[i].state == FS_TARGET_PENDING && s->t[i].need_pass <= s->pass) {
			s->t[i].state = FS_TARGET_ABSENT;
			s->t[i].since = now;
		}
	}
}

/* One pass over the whole export (or until nothing is pending); called and returns under s->lock. */
static void fs_seek_pass(struct fs_export *fs, struct fs_walk *w)
{
	struct fs_search *s = &fs->search;
	int fd;

	s->pass++;
	pthread_mutex_unlock(&s->lock);
	fd = openat(fs->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && fs_seek_push(fs, w, fd)) {
		for (;;) {
			pthread_mutex_lock(&s->lock);
			if (s->stop || !fs_seek_snapshot(s, w) || !w->depth)
				break;
			pthread_mutex_unlock(&s->lock);
			fs_seek_step(fs, w);
		}
	} else {
		pthread_mutex_lock(&s->lock);
	}
	while (w->depth)
		fs_seek_pop(w);
	fs_seek_end(s);
}

static bool fs_seek_pending(const struct fs_search *s)
{
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++)
		if (s->t[i].state == FS_TARGET_PENDING)
			return true;
	return false;
}

static void *fs_seek_main(void *arg)
{
	struct fs_export *fs = arg;
	struct fs_search *s = &fs->search;
	struct fs_walk *w = calloc(1, sizeof(*w));

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		if (w && fs_seek_pending(s))
			fs_seek_pass(fs, w);
		else
			pthread_cond_wait(&s->cond, &s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	free(w);
	return NULL;
}

/* Under s->lock: a free slot, or one whose ABSENT verdict (or a find nobody took) has expired. */
static struct fs_target *fs_target_slot(struct fs_search *s, int64_t now)
{
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++) {
		struct fs_target *t = &s->t[i];

		if (t->state == FS_TARGET_FREE ||
		    (t->state != FS_TARGET_PENDING && now - t->since >= FS_ABSENT_SEC)) {
			free(t->chain);
			t->chain = NULL;
			return t;
		}
	}
	return NULL;
}

/* Under s->lock: make @ino a target unless a pass just missed it; the status to answer. */
static enum fs_status fs_seek_add(struct fs_export *fs, uint64_t ino)
{
	struct fs_search *s = &fs->search;
	struct fs_target *t = fs_target_find(s, ino);
	int64_t now = fs_now_sec();

	if (t && t->state == FS_TARGET_ABSENT && now - t->since < FS_ABSENT_SEC)
		return FS_ERR_STALE;
	if (!t || t->state == FS_TARGET_ABSENT)
		t = fs_target_slot(s, now);  /* none free: the client's retry asks again */
	if (t && (t->state == FS_TARGET_FREE || t->state == FS_TARGET_ABSENT || t->ino != ino)) {
		t->ino = ino;
		t->state = FS_TARGET_PENDING;
		t->need_pass = s->pass + 1;
	}
	if (!s->started)
		s->started = pthread_create(&s->thread, NULL, fs_seek_main, fs) == 0;
	pthread_cond_signal(&s->cond);
	return s->started ? FS_ERR_JUKEBOX : FS_ERR_STALE;
}

/**
 * fs_search_want() - ask the seeker for @ino.
 * @fs: export
 * @ino: the inode a handle names
 *
 * Return: FS_ERR_JUKEBOX while it is searched for, FS_ERR_STALE when a
 * whole pass just missed it (or no thread could be started).
 */
enum fs_status fs_search_want(struct fs_export *fs, uint64_t ino)
{
	enum fs_status st;

	pthread_mutex_lock(&fs->search.lock);
	st = fs_seek_add(fs, ino);
	pthread_mutex_unlock(&fs->search.lock);
	if (st == FS_ERR_STALE) {
		fs_ctr_inc(&fs->ctr.handles_stale);
		return st;
	}
	fs->deferred = true;
	fs_ctr_inc(&fs->ctr.handles_jukebox);
	return st;
}

/**
 * fs_search_take() - the record of a target the seeker met.
 * @fs: export
 * @ino: its inode
 *
 * Copies the directories below the root that hold it, deepest first, to
 * fs->chain and frees the target.
 *
 * Return: their count, or -1 when the seeker has not met @ino.
 */
int fs_search_take(struct fs_export *fs, uint64_t ino)
{
	struct fs_search *s = &fs->search;
	struct fs_target *t;
	int n = -1;

	pthread_mutex_lock(&s->lock);
	t = fs_target_find(s, ino);
	if (t && t->state == FS_TARGET_FOUND) {
		n = (int)t->depth;
		memcpy(fs->chain, t->chain, t->depth * sizeof(*t->chain));
		free(t->chain);
		t->chain = NULL;
		t->state = FS_TARGET_FREE;
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

/**
 * fs_search_pending() - how many targets the seeker still looks for (any thread).
 * @fs: export
 *
 * Return: the count of pending targets.
 */
unsigned fs_search_pending(struct fs_export *fs)
{
	unsigned n = 0;

	pthread_mutex_lock(&fs->search.lock);
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++)
		n += fs->search.t[i].state == FS_TARGET_PENDING;
	pthread_mutex_unlock(&fs->search.lock);
	return n;
}

/**
 * fs_search_init() - the seeker's lock and condition (no thread yet).
 * @fs: export
 */
void fs_search_init(struct fs_export *fs)
{
	pthread_mutex_init(&fs->search.lock, NULL);
	pthread_cond_init(&fs->search.cond, NULL);
}

/**
 * fs_search_free() - stop the seeker thread and forget its targets.
 * @fs: export (fs_search_init() done)
 */
void fs_search_free(struct fs_export *fs)
{
	struct fs_search *s = &fs->search;

	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->started)
		pthread_join(s->thread, NULL);
	s->started = false;
	for (unsigned i = 0; i < FS_SEARCH_TARGETS; i++)
		free(s->t[i].chain);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
}
