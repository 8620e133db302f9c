/* SPDX-License-Identifier: MIT */
/* nfsload.c: user-space NFS-over-UDP load client (windowed WRITE/READ, churn, handle resolution) for bench/nfs-netns.sh and bench/nfs-scale.sh. */

/*
 * Usage:
 *   nfsload SERVER_IP MOUNT_PORT NFS_PORT EXPORT_PATH write|read|write2 FILE SIZE_MIB
 *           [--window N] [--io BYTES]
 *   nfsload SERVER_IP MOUNT_PORT NFS_PORT EXPORT_PATH churn PREFIX COUNT
 *   nfsload SERVER_IP MOUNT_PORT NFS_PORT EXPORT_PATH handle REL/PATH 0
 *   nfsload SERVER_IP MOUNT_PORT NFS_PORT EXPORT_PATH resolve HEX_HANDLE 0
 *
 * write2 is write over NFSv2 (MOUNT v1, CREATE, stable WRITEs of at most
 * 8192 bytes, no COMMIT).  churn CREATEs and REMOVEs COUNT files PREFIX0..
 * one call at a time (v3) and prints ops/s.  handle LOOKUPs each component
 * of REL/PATH (v3) and prints "fh=HEX".  resolve sends GETATTR with that
 * handle, again every 50 ms while the answer is NFS3ERR_JUKEBOX, while a
 * second socket sends NULL calls every 20 ms; it prints the time to the
 * first non-JUKEBOX answer, its status, the longest a NULL call waited for
 * its answer, the longest gap between two NULL answers (20 ms when nothing
 * stalls) and NULL calls never answered (resolve_ms=... status=...
 * jukebox=... null_max_rtt_ms=... null_max_gap_ms=... null_lost=...).
 *
 * Theory of operation.  Everything is written from RFC 5531 (ONC RPC) and RFC 1813
 * (NFSv3, MOUNTv3) with a tiny XDR encoder/decoder of our own.  One UDP socket
 * (bound to a reserved port when possible, as kernel clients do) talks to MOUNT
 * for the root handle, then to NFS.  The bulk phase keeps up to N calls in flight:
 * each slot remembers its xid, file range and last send time; a call unanswered
 * for 1 s is sent again with the same xid (counted as a retransmission).  Every
 * reply is checked: xid of a live slot, MSG_ACCEPTED, SUCCESS, NFS3_OK, the counts
 * asked for.  write: CREATE (UNCHECKED, size 0) FILE, WRITE UNSTABLE blocks filled
 * with an offset-derived pattern, COMMIT (the write verifier must not change);
 * the time covers the first WRITE to the COMMIT reply.  read: LOOKUP FILE, READ
 * the blocks and check the pattern (so FILE must be one nfsload wrote).  Datagrams
 * from any other address are ignored.  A short WRITE or READ count (e.g. --io above
 * the server's wtmax/rtmax, 32768 for the in-core server) is reported as an error,
 * not split: the benchmark wants every call to carry --io bytes.  30 s without any valid reply ends the run
 * with exit status 1.  Output: one line
 *   op=write bytes=... secs=... mib_s=... retrans=...
 * Credentials: AUTH_SYS uid 0 gid 0.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NL_PROG_MOUNT 100005u
#define NL_PROG_NFS 100003u
#define NL_MNT_MNT 1u
#define NL_NFS_LOOKUP 3u
#define NL_NFS_READ 6u
#define NL_NFS_WRITE 7u
#define NL_NFS_CREATE 8u
#define NL_NFS_COMMIT 21u
#define NL_FH_MAX 64u
#define NL_MAX_IO 61440u /* the whole call must fit one UDP datagram */
#define NL_MAX_WINDOW 256u
#define NL_MSG_MAX (NL_MAX_IO + 1024u)
#define NL_RETRANS_NS 1000000000LL
#define NL_STALL_NS 30000000000LL

struct nl_buf {
	uint8_t *p;
	size_t len, cap;
	int bad; /* overflow (encode) or truncation (decode) seen */
};

struct nl_fh {
	uint32_t len;
	uint8_t data[NL_FH_MAX];
};

struct nl_slot {
	int busy;
	uint32_t xid;
	uint64_t off;
	uint32_t count;
	int64_t sent_ns;
};

struct nl_ctx {
	int fd;
	struct sockaddr_in mnt, nfs;
	uint32_t next_xid;
	uint64_t retrans;
	int is_write;
	uint32_t vers;          /* NFS version of the bulk and NFS calls: 3, or 2 for write2 */
	uint8_t verf[8];
	int have_verf;
	uint8_t msg[NL_MSG_MAX];
	uint8_t rx[NL_MSG_MAX];
};

__attribute__((format(printf, 1, 2))) static _Noreturn void nl_die(const char *fmt, ...);

static _Noreturn void nl_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("nfsload: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int64_t nl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- XDR ---- */

static void xdr_put_u32(struct nl_buf *b, uint32_t v)
{
	if (b->cap - b->len < 4) {
		b->bad = 1;
		return;
	}
	b->p[b->len++] = (uint8_t)(v >> 24);
	b->p[b->len++] = (uint8_t)(v >> 16);
	b->p[b->len++] = (uint8_t)(v >> 8);
	b->p[b->len++] = (uint8_t)v;
}

static void xdr_put_u64(struct nl_buf *b, uint64_t v)
{
	xdr_put_u32(b, (uint32_t)(v >> 32));
	xdr_put_u32(b, (uint32_t)v);
}

/* opaque<> with its length; data may be NULL to reserve (zero) the bytes */
static uint8_t *xdr_put_opaque(struct nl_buf *b, const void *data, uint32_t n)
{
	size_t padded = ((size_t)n + 3u) & ~(size_t)3u;
	uint8_t *at;

	xdr_put_u32(b, n);
	if (b->bad || b->cap - b->len < padded) {
		b->bad = 1;
		return NULL;
	}
	at = b->p + b->len;
	memset(at, 0, padded);
	if (data)
		memcpy(at, data, n);
	b->len += padded;
	return at;
}

static uint32_t xdr_get_u32(struct nl_buf *b)
{
	uint32_t v;

	if (b->bad || b->cap - b->len < 4) {
		b->bad = 1;
		return 0;
	}
	v = (uint32_t)b->p[b->len] << 24 | (uint32_t)b->p[b->len + 1] << 16 |
	    (uint32_t)b->p[b->len + 2] << 8 | b->p[b->len + 3];
	b->len += 4;
	return v;
}

/* skip n bytes (rounded up to XDR units); returns where they start, or NULL */
static const uint8_t *xdr_skip(struct nl_buf *b, uint32_t n)
{
	size_t padded = ((size_t)n + 3u) & ~(size_t)3u;
	const uint8_t *at;

	if (b->bad || b->cap - b->len < padded) {
		b->bad = 1;
		return NULL;
	}
	at = b->p + b->len;
	b->len += padded;
	return at;
}

/* variable-length opaque of at most max bytes; sets *n */
static const uint8_t *xdr_get_opaque(struct nl_buf *b, uint32_t max, uint32_t *n)
{
	*n = xdr_get_u32(b);
	if (*n > max) {
		b->bad = 1;
		return NULL;
	}
	return xdr_skip(b, *n);
}

static void xdr_put_fh(struct nl_buf *b, const struct nl_fh *fh)
{
	xdr_put_opaque(b, fh->data, fh->len);
}

/* an NFSv2 fhandle: 32 bytes, no length word */
static void xdr_put_opaque_fixed(struct nl_buf *b, const struct nl_fh *fh)
{
	if (b->len + 32 > b->cap || fh->len != 32) {
		b->bad = 1;
		return;
	}
	memcpy(b->p + b->len, fh->data, 32);
	b->len += 32;
}

static void xdr_get_fh(struct nl_buf *b, struct nl_fh *fh)
{
	const uint8_t *d = xdr_get_opaque(b, NL_FH_MAX, &fh->len);

	if (d)
		memcpy(fh->data, d, fh->len);
}

/* post_op_attr: bool + fattr3 (84 bytes) */
static void nfs3_skip_post_op_attr(struct nl_buf *b)
{
	if (xdr_get_u32(b))
		xdr_skip(b, 84);
}

/* wcc_data: pre_op_attr (bool + 24 bytes) + post_op_attr */
static void nfs3_skip_wcc(struct nl_buf *b)
{
	if (xdr_get_u32(b))
		xdr_skip(b, 24);
	nfs3_skip_post_op_attr(b);
}

/* ---- RPC ---- */

static void rpc_put_header(struct nl_buf *b, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc)
{
	static const uint8_t no_name[1];

	xdr_put_u32(b, xid);
	xdr_put_u32(b, 0); /* CALL */
	xdr_put_u32(b, 2); /* RPC version */
	xdr_put_u32(b, prog);
	xdr_put_u32(b, vers);
	xdr_put_u32(b, proc);
	xdr_put_u32(b, 1); /* AUTH_SYS */
	xdr_put_u32(b, 20); /* stamp, machinename "", uid, gid, gids<> */
	xdr_put_u32(b, 0);
	xdr_put_opaque(b, no_name, 0);
	xdr_put_u32(b, 0);
	xdr_put_u32(b, 0);
	xdr_put_u32(b, 0);
	xdr_put_u32(b, 0); /* verifier AUTH_NONE */
	xdr_put_u32(b, 0);
}

/* check the reply header; returns the xid, leaves b at the procedure's results */
static uint32_t rpc_get_reply(struct nl_buf *b)
{
	uint32_t xid = xdr_get_u32(b), n;

	if (xdr_get_u32(b) != 1)
		nl_die("not an RPC reply (xid %08x)", xid);
	if (xdr_get_u32(b) != 0)
		nl_die("call denied (MSG_DENIED, xid %08x)", xid);
	xdr_get_u32(b); /* verifier flavor */
	xdr_get_opaque(b, 400, &n);
	n = xdr_get_u32(b);
	if (b->bad)
		nl_die("truncated RPC reply header");
	if (n != 0)
		nl_die("accept_stat %u (xid %08x)", n, xid);
	return xid;
}

static void nl_send(struct nl_ctx *c, const struct sockaddr_in *to, const struct nl_buf *b)
{
	if (b->bad)
		nl_die("call does not fit the buffer");
	if (sendto(c->fd, b->p, b->len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0 &&
	    errno != ENOBUFS && errno != EAGAIN)
		nl_die("sendto: %s", strerror(errno));
}

/* wait up to ms for a datagram from the server's address; returns its length or 0 */
static size_t nl_recv(struct nl_ctx *c, int ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	if (poll(&p, 1, ms < 0 ? 0 : ms) <= 0)
		return 0;
	n = recvfrom(c->fd, c->rx, sizeof(c->rx), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
	if (n <= 0 || flen != sizeof(from) || from.sin_addr.s_addr != c->nfs.sin_addr.s_addr)
		return 0;
	return (size_t)n;
}

/*
 * rpc_call_sync - one call with retransmission; returns a decoder on the results.
 * The encoder callback fills the arguments after the header (re-run per send).
 */
static struct nl_buf rpc_call_sync(struct nl_ctx *c, const struct sockaddr_in *to, uint32_t prog,
				   uint32_t proc, void (*args)(struct nl_buf *, const void *), const void *arg)
{
	uint32_t xid = c->next_xid++;
	int64_t start = nl_now_ns(), sent = 0;
	struct nl_buf b = { .p = c->msg, .cap = sizeof(c->msg) };
	size_t n;

	rpc_put_header(&b, xid, prog, c->vers == 2 ? (prog == NL_PROG_MOUNT ? 1 : 2) : 3, proc);
	args(&b, arg);
	for (;;) {
		int64_t now = nl_now_ns();

		if (now - start > NL_STALL_NS)
			nl_die("no reply to procedure %u of program %u in 30 s", proc, prog);
		if (now - sent >= NL_RETRANS_NS) {
			if (sent)
				c->retrans++;
			nl_send(c, to, &b);
			sent = now;
		}
		n = nl_recv(c, 100);
		if (n) {
			struct nl_buf r = { .p = c->rx, .cap = n };

			if (rpc_get_reply(&r) == xid)
				return r;
		}
	}
}

/* ---- procedures ---- */

struct nl_dirop {
	const struct nl_fh *dir;
	const char *name;
};

static void mnt_args(struct nl_buf *b, const void *arg)
{
	const char *path = arg;

	xdr_put_opaque(b, path, (uint32_t)strlen(path));
}

static void dirop_args(struct nl_buf *b, const void *arg)
{
	const struct nl_dirop *d = arg;

	xdr_put_fh(b, d->dir);
	xdr_put_opaque(b, d->name, (uint32_t)strlen(d->name));
}

static void create_args(struct nl_buf *b, const void *arg)
{
	dirop_args(b, arg);
	xdr_put_u32(b, 0); /* UNCHECKED */
	xdr_put_u32(b, 1); /* mode set */
	xdr_put_u32(b, 0644);
	xdr_put_u32(b, 0); /* uid, gid: don't set */
	xdr_put_u32(b, 0);
	xdr_put_u32(b, 1); /* size set: truncate to 0 */
	xdr_put_u64(b, 0);
	xdr_put_u32(b, 0); /* atime, mtime: don't change */
	xdr_put_u32(b, 0);
}

static void commit_args(struct nl_buf *b, const void *arg)
{
	xdr_put_fh(b, arg);
	xdr_put_u64(b, 0);
	xdr_put_u32(b, 0);
}

static void nfs3_status(struct nl_buf *r, const char *what)
{
	uint32_t st = xdr_get_u32(r);

	if (r->bad)
		nl_die("%s: truncated reply", what);
	if (st != 0)
		nl_die("%s: NFS3 status %u", what, st);
}

static void mnt3_root(struct nl_ctx *c, const char *path, struct nl_fh *root)
{
	struct nl_buf r = rpc_call_sync(c, &c->mnt, NL_PROG_MOUNT, NL_MNT_MNT, mnt_args, path);
	uint32_t st = xdr_get_u32(&r);

	if (st != 0)
		nl_die("MNT %s: status %u", path, st);
	xdr_get_fh(&r, root);
	if (r.bad || root->len == 0)
		nl_die("MNT %s: bad file handle", path);
}

static void nfs3_lookup(struct nl_ctx *c, const struct nl_dirop *d, struct nl_fh *fh)
{
	struct nl_buf r = rpc_call_sync(c, &c->nfs, NL_PROG_NFS, NL_NFS_LOOKUP, dirop_args, d);

	nfs3_status(&r, "LOOKUP");
	xdr_get_fh(&r, fh);
	if (r.bad || fh->len == 0)
		nl_die("LOOKUP %s: bad file handle", d->name);
}

static void nfs3_create(struct nl_ctx *c, const struct nl_dirop *d, struct nl_fh *fh)
{
	struct nl_buf r = rpc_call_sync(c, &c->nfs, NL_PROG_NFS, NL_NFS_CREATE, create_args, d);

	nfs3_status(&r, "CREATE");
	fh->len = 0;
	if (xdr_get_u32(&r))
		xdr_get_fh(&r, fh);
	if (r.bad)
		nl_die("CREATE %s: truncated reply", d->name);
	if (fh->len == 0)
		nfs3_lookup(c, d, fh);
}

static void nfs3_commit(struct nl_ctx *c, const struct nl_fh *fh)
{
	struct nl_buf r = rpc_call_sync(c, &c->nfs, NL_PROG_NFS, NL_NFS_COMMIT, commit_args, fh);
	const uint8_t *verf;

	nfs3_status(&r, "COMMIT");
	nfs3_skip_wcc(&r);
	verf = xdr_skip(&r, 8);
	if (!verf)
		nl_die("COMMIT: truncated reply");
	if (c->have_verf && memcmp(verf, c->verf, 8) != 0)
		nl_die("COMMIT: write verifier changed (server restarted?)");
}

/* ---- bulk phase ---- */

/* the data pattern: every 8-byte word holds its file offset, xor a constant */
static void nl_fill(uint8_t *p, uint64_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += 8) {
		uint64_t w = (off + i) ^ 0x6e66736c6f616400ULL;

		memcpy(p + i, &w, n - i < 8 ? n - i : 8);
	}
}

static int nl_check(const uint8_t *p, uint64_t off, uint32_t n)
{
	uint8_t want[8];

	for (uint32_t i = 0; i < n; i += 8) {
		uint32_t k = n - i < 8 ? n - i : 8;

		nl_fill(want, off + i, k);
		if (memcmp(p + i, want, k) != 0)
			return 0;
	}
	return 1;
}

static void nl_send_slot(struct nl_ctx *c, const struct nl_fh *fh, const struct nl_slot *s)
{
	struct nl_buf b = { .p = c->msg, .cap = sizeof(c->msg) };

	if (c->vers == 2) {  /* WRITE: fhandle, beginoffset, offset, totalcount, data */
		rpc_put_header(&b, s->xid, NL_PROG_NFS, 2, 8);
		xdr_put_opaque_fixed(&b, fh);
		xdr_put_u32(&b, 0);
		xdr_put_u32(&b, (uint32_t)s->off);
		xdr_put_u32(&b, 0);
		nl_fill(xdr_put_opaque(&b, NULL, s->count), s->off, s->count);
		nl_send(c, &c->nfs, &b);
		return;
	}
	rpc_put_header(&b, s->xid, NL_PROG_NFS, 3, c->is_write ? NL_NFS_WRITE : NL_NFS_READ);
	xdr_put_fh(&b, fh);
	xdr_put_u64(&b, s->off);
	xdr_put_u32(&b, s->count);
	if (c->is_write) {
		uint8_t *d;

		xdr_put_u32(&b, 0); /* UNSTABLE */
		d = xdr_put_opaque(&b, NULL, s->count);
		if (d)
			nl_fill(d, s->off, s->count);
	}
	nl_send(c, &c->nfs, &b);
}

/* check one bulk reply against its slot; dies on anything wrong */
static void nl_verify(struct nl_ctx *c, struct nl_buf *r, const struct nl_slot *s, uint64_t total)
{
	uint32_t count, n;

	nfs3_status(r, c->is_write ? "WRITE" : "READ");
	if (c->vers == 2)
		return;  /* attrstat: NFS_OK is all a stable v2 WRITE says */
	if (c->is_write) {
		const uint8_t *verf;

		nfs3_skip_wcc(r);
		count = xdr_get_u32(r);
		xdr_get_u32(r); /* committed */
		verf = xdr_skip(r, 8);
		if (r->bad)
			nl_die("WRITE: truncated reply");
		if (count != s->count)
			nl_die("WRITE @%llu: short count %u of %u", (unsigned long long)s->off, count, s->count);
		if (c->have_verf && memcmp(verf, c->verf, 8) != 0)
			nl_die("WRITE: write verifier changed");
		memcpy(c->verf, verf, 8);
		c->have_verf = 1;
		return;
	}
	nfs3_skip_post_op_attr(r);
	count = xdr_get_u32(r);
	uint32_t eof = xdr_get_u32(r);
	const uint8_t *d = xdr_get_opaque(r, NL_MAX_IO, &n);

	if (r->bad || !d || n != count)
		nl_die("READ @%llu: malformed reply", (unsigned long long)s->off);
	if (count != s->count)
		nl_die("READ @%llu: short count %u of %u (eof %u; file shorter than %llu?)",
		       (unsigned long long)s->off, count, s->count, eof, (unsigned long long)total);
	if (!nl_check(d, s->off, count))
		nl_die("READ @%llu: data differ from the pattern written", (unsigned long long)s->off);
}

static struct nl_slot *nl_find(struct nl_slot *slots, unsigned window, uint32_t xid)
{
	for (unsigned i = 0; i < window; i++)
		if (slots[i].busy && slots[i].xid == xid)
			return &slots[i];
	return NULL;
}

/* fill free slots with the next ranges; resend overdue ones; returns ms to the next deadline */
static int nl_pump(struct nl_ctx *c, const struct nl_fh *fh, struct nl_slot *slots, unsigned window,
		   uint64_t *next_off, uint64_t total, uint32_t io)
{
	int64_t now = nl_now_ns(), wait = NL_RETRANS_NS;

	for (unsigned i = 0; i < window; i++) {
		struct nl_slot *s = &slots[i];

		if (!s->busy && *next_off < total) {
			s->busy = 1;
			s->xid = c->next_xid++;
			s->off = *next_off;
			s->count = total - *next_off < io ? (uint32_t)(total - *next_off) : io;
			*next_off += s->count;
			s->sent_ns = now;
			nl_send_slot(c, fh, s);
		} else if (s->busy && now - s->sent_ns >= NL_RETRANS_NS) {
			c->retrans++;
			s->sent_ns = now;
			nl_send_slot(c, fh, s);
		}
		if (s->busy && s->sent_ns + NL_RETRANS_NS - now < wait)
			wait = s->sent_ns + NL_RETRANS_NS - now;
	}
	return (int)(wait / 1000000) + 1;
}

static void nl_bulk(struct nl_ctx *c, const struct nl_fh *fh, uint64_t total, unsigned window, uint32_t io)
{
	struct nl_slot slots[NL_MAX_WINDOW] = { 0 };
	uint64_t next_off = 0, done = 0;
	int64_t progress = nl_now_ns();

	while (done < total) {
		int ms = nl_pump(c, fh, slots, window, &next_off, total, io);
		size_t n = nl_recv(c, ms);

		if (!n) {
			if (nl_now_ns() - progress > NL_STALL_NS)
				nl_die("no progress for 30 s at %llu of %llu bytes", (unsigned long long)done,
				       (unsigned long long)total);
			continue;
		}
		struct nl_buf r = { .p = c->rx, .cap = n };
		struct nl_slot *s = nl_find(slots, window, rpc_get_reply(&r));

		if (!s)
			continue; /* late reply to a retransmitted call */
		nl_verify(c, &r, s, total);
		done += s->count;
		s->busy = 0;
		progress = nl_now_ns();
	}
}

/* ---- NFSv2 ---- */

static void mnt1_root(struct nl_ctx *c, const char *path, struct nl_fh *root)
{
	struct nl_buf r = rpc_call_sync(c, &c->mnt, NL_PROG_MOUNT, NL_MNT_MNT, mnt_args, path);
	const uint8_t *p;

	if (xdr_get_u32(&r) != 0 || !(p = xdr_skip(&r, 32)))
		nl_die("MNT (v1) %s failed", path);
	root->len = 32;
	memcpy(root->data, p, 32);
}

static void create2_args(struct nl_buf *b, const void *arg)
{
	const struct nl_dirop *d = arg;

	xdr_put_opaque_fixed(b, d->dir);
	xdr_put_opaque(b, d->name, (uint32_t)strlen(d->name));
	xdr_put_u32(b, 0100644); /* mode; uid, gid unset; size 0; times unset */
	xdr_put_u32(b, UINT32_MAX);
	xdr_put_u32(b, UINT32_MAX);
	xdr_put_u32(b, 0);
	for (int i = 0; i < 4; i++)
		xdr_put_u32(b, UINT32_MAX);
}

static void nfs2_create(struct nl_ctx *c, const struct nl_dirop *d, struct nl_fh *fh)
{
	struct nl_buf r = rpc_call_sync(c, &c->nfs, NL_PROG_NFS, 9, create2_args, d);
	const uint8_t *p;

	nfs3_status(&r, "CREATE (v2)");
	if (!(p = xdr_skip(&r, 32)))
		nl_die("CREATE (v2) %s: truncated reply", d->name);
	fh->len = 32;
	memcpy(fh->data, p, 32);
}

/* ---- churn, handle, resolve ---- */

static void nfs3_remove(struct nl_ctx *c, const struct nl_dirop *d)
{
	struct nl_buf r = rpc_call_sync(c, &c->nfs, NL_PROG_NFS, 12, dirop_args, d);

	nfs3_status(&r, "REMOVE");
}

static void nl_churn(struct nl_ctx *c, const struct nl_fh *root, const char *prefix, unsigned long count)
{
	char name[256];
	struct nl_fh fh;
	int64_t t0 = nl_now_ns();
	double secs;

	for (unsigned long i = 0; i < count; i++) {
		struct nl_dirop d = { .dir = root, .name = name };

		snprintf(name, sizeof(name), "%s%lu", prefix, i);
		nfs3_create(c, &d, &fh);
		nfs3_remove(c, &d);
	}
	secs = (double)(nl_now_ns() - t0) / 1e9;
	printf("op=churn files=%lu secs=%.3f ops_s=%.1f retrans=%llu\n", count, secs, 2.0 * (double)count / secs,
	       (unsigned long long)c->retrans);
}

static void nl_handle(struct nl_ctx *c, const struct nl_fh *root, const char *rel)
{
	char buf[4096], *save = NULL;
	struct nl_fh cur = *root, next;

	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		struct nl_dirop d = { .dir = &cur, .name = tok };

		nfs3_lookup(c, &d, &next);
		cur = next;
	}
	printf("fh=");
	for (uint32_t i = 0; i < cur.len; i++)
		printf("%02x", cur.data[i]);
	printf("\n");
}

static void nl_send_null(int fd, const struct sockaddr_in *to, uint32_t xid)
{
	uint8_t m[64];
	struct nl_buf b = { .p = m, .cap = sizeof(m) };

	rpc_put_header(&b, xid, NL_PROG_NFS, 3, 0);
	sendto(fd, b.p, b.len, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void nl_send_getattr(struct nl_ctx *c, const struct nl_fh *fh, uint32_t xid)
{
	struct nl_buf b = { .p = c->msg, .cap = sizeof(c->msg) };

	rpc_put_header(&b, xid, NL_PROG_NFS, 3, 1);
	xdr_put_fh(&b, fh);
	nl_send(c, &c->nfs, &b);
}

#define NL_NULL_RING 8192u

/* NULL calls every 20 ms on their own socket: send times by xid, the worst answer time and gap */
struct nl_nulls {
	int fd;
	uint32_t sent, answered;
	int64_t at[NL_NULL_RING];
	int64_t last, max_rtt, max_gap;
};

static void nl_null_recv(struct nl_nulls *z)
{
	uint8_t m[256];
	int64_t now = nl_now_ns();
	uint32_t xid;

	while (recv(z->fd, m, sizeof(m), MSG_DONTWAIT) >= 4) {
		memcpy(&xid, m, 4);
		xid = ntohl(xid);
		if (xid == 0 || xid > z->sent || z->sent - xid >= NL_NULL_RING)
			continue;
		z->answered++;
		if (now - z->at[xid % NL_NULL_RING] > z->max_rtt)
			z->max_rtt = now - z->at[xid % NL_NULL_RING];
		if (now - z->last > z->max_gap)
			z->max_gap = now - z->last;
		z->last = now;
	}
}

static void nl_resolve_print(const char *ms, uint32_t st, uint32_t jukebox, const struct nl_nulls *z)
{
	printf("resolve_ms=%s status=%u jukebox=%u null_max_rtt_ms=%.1f null_max_gap_ms=%.1f null_lost=%u\n", ms, st,
	       jukebox, (double)z->max_rtt / 1e6, (double)z->max_gap / 1e6, z->sent - z->answered);
}

static void nl_resolve(struct nl_ctx *c, const char *hex)
{
	static struct nl_nulls z;
	struct nl_fh fh = { 0 };
	int64_t t0 = nl_now_ns(), next_null = t0, next_ga = t0, done = 0;
	uint32_t xid = c->next_xid, st = 0, jukebox = 0;
	char ms[32];

	z.fd = socket(AF_INET, SOCK_DGRAM, 0);
	z.last = t0;
	for (size_t i = 0; hex[2 * i] && hex[2 * i + 1] && i < NL_FH_MAX; i++, fh.len++)
		sscanf(hex + 2 * i, "%2hhx", &fh.data[i]);
	if (z.fd < 0 || fh.len == 0)
		nl_die("resolve: bad handle or socket");
	while (!done || nl_now_ns() < done + 200000000) {  /* NULL calls go on 200 ms after the answer */
		int64_t now = nl_now_ns();
		struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = z.fd, .events = POLLIN } };

		if (!done && now - t0 > NL_STALL_NS * 4) {
			nl_resolve_print("timeout(120s)", 0, jukebox, &z);
			close(z.fd);
			return;
		}
		if (now >= next_null) {
			z.at[++z.sent % NL_NULL_RING] = now;
			nl_send_null(z.fd, &c->nfs, z.sent);
			next_null += 20000000;
		}
		if (!done && now >= next_ga) {
			nl_send_getattr(c, &fh, ++xid);
			next_ga = now + 50000000;
		}
		poll(p, 2, 1);
		nl_null_recv(&z);
		size_t n = nl_recv(c, 0);
		if (n && !done) {
			struct nl_buf r = { .p = c->rx, .cap = n };

			if (rpc_get_reply(&r) != xid)
				continue;
			st = xdr_get_u32(&r);
			if (st == 10008) {
				jukebox++;
				continue;
			}
			done = nl_now_ns();
		}
	}
	snprintf(ms, sizeof(ms), "%.1f", (double)(done - t0) / 1e6);
	nl_resolve_print(ms, st, jukebox, &z);
	close(z.fd);
}

/* ---- setup ---- */

static void nl_addr(struct sockaddr_in *sa, const char *ip, const char *port)
{
	char *end;
	long p = strtol(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (*end || p <= 0 || p > 65535 || inet_pton(AF_INET, ip, &sa->sin_addr) != 1)
		nl_die("bad address %s:%s", ip, port);
	sa->sin_port = htons((uint16_t)p);
}

/* a UDP socket with big buffers, on a reserved port when we may (servers may insist) */
static int nl_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sz = 8 << 20;
	struct sockaddr_in me = { .sin_family = AF_INET };

	if (fd < 0)
		nl_die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	for (unsigned port = 1023; port >= 600; port--) {
		me.sin_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&me, sizeof(me)) == 0)
			break;
		if (errno != EADDRINUSE)
			break;
	}
	return fd;
}

static unsigned long nl_num(const char *s, unsigned long lo, unsigned long hi, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end || v < lo || v > hi)
		nl_die("bad %s '%s' (%lu..%lu)", what, s, lo, hi);
	return v;
}

int main(int argc, char **argv)
{
	static struct nl_ctx c;
	struct nl_fh root, fh;
	unsigned window = 16;
	uint32_t io = 32768;
	uint64_t total;
	int64_t t0, t1;

	if (argc < 8)
		nl_die("usage: nfsload SERVER_IP MOUNT_PORT NFS_PORT EXPORT_PATH write|read|write2 FILE SIZE_MIB "
		       "[--window N] [--io BYTES] | churn PREFIX COUNT | handle REL/PATH 0 | resolve HEX 0");
	for (int i = 8; i < argc; i += 2) {
		if (i + 1 >= argc)
			nl_die("%s needs a value", argv[i]);
		if (strcmp(argv[i], "--window") == 0)
			window = (unsigned)nl_num(argv[i + 1], 1, NL_MAX_WINDOW, "window");
		else if (strcmp(argv[i], "--io") == 0)
			io = (uint32_t)nl_num(argv[i + 1], 8, NL_MAX_IO, "io size");
		else
			nl_die("unknown option %s", argv[i]);
	}
	nl_addr(&c.mnt, argv[1], argv[2]);
	nl_addr(&c.nfs, argv[1], argv[3]);
	c.fd = nl_socket();
	c.next_xid = (uint32_t)nl_now_ns() ^ (uint32_t)getpid() << 16;
	c.vers = strcmp(argv[5], "write2") == 0 ? 2 : 3;
	if (strcmp(argv[5], "resolve") == 0) {
		nl_resolve(&c, argv[6]);
		return 0;
	}
	if (c.vers == 2)
		mnt1_root(&c, argv[4], &root);
	else
		mnt3_root(&c, argv[4], &root);
	if (strcmp(argv[5], "churn") == 0) {
		nl_churn(&c, &root, argv[6], nl_num(argv[7], 1, 100000000, "count"));
		return 0;
	}
	if (strcmp(argv[5], "handle") == 0) {
		nl_handle(&c, &root, argv[6]);
		return 0;
	}
	if (strcmp(argv[5], "write") != 0 && strcmp(argv[5], "read") != 0 && c.vers != 2)
		nl_die("operation must be write, read, write2, churn, handle or resolve");
	c.is_write = argv[5][0] == 'w';
	if (c.vers == 2 && io > 8192)
		io = 8192;
	total = (uint64_t)nl_num(argv[7], 1, 65536, "size (MiB)") << 20;
	struct nl_dirop d = { .dir = &root, .name = argv[6] };

	if (c.vers == 2)
		nfs2_create(&c, &d, &fh);
	else if (c.is_write)
		nfs3_create(&c, &d, &fh);
	else
		nfs3_lookup(&c, &d, &fh);
	c.retrans = 0;
	t0 = nl_now_ns();
	nl_bulk(&c, &fh, total, window, io);
	if (c.is_write && c.vers == 3)
		nfs3_commit(&c, &fh);
	t1 = nl_now_ns();
	double secs = (double)(t1 - t0) / 1e9;

	printf("op=%s bytes=%llu secs=%.3f mib_s=%.1f retrans=%llu\n", argv[5], (unsigned long long)total, secs,
	       (double)total / 1048576.0 / secs, (unsigned long long)c.retrans);
	close(c.fd);
	return 0;
}
