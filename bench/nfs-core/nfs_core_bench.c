/* SPDX-License-Identifier: MIT */
/* nfs_core_bench.c: in-process NFSv3 server benchmark: GETATTR, LOOKUP and 32 KiB READ on one core. */

/*
 * No VM, no frames, no sockets: the driver builds each RPC call datagram
 * once, then calls nfs_server_call() in a tight loop (changing only the xid
 * and, for READ, the offset) and measures wall time with CLOCK_MONOTONIC.
 * The export is a fresh temporary directory holding one file that is read
 * once before timing so READ is served from the page cache.
 *
 *   nfs-core-bench [runs] [seconds-per-run]     (defaults: 5 runs, 1 s)
 *
 * Prints, per operation, the median of the runs with the min-max spread.
 * READDIR lists a 1,000- and a 10,000-entry directory completely with
 * 8 KiB counts (the client's dtpref), resuming from each reply's last
 * cookie: equal entries/s for both sizes shows the listing is O(n).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nfs/nfs.h"
#include "nfs/nfs3.h"

#define BENCH_FILE_SIZE (64u << 20)
#define BENCH_READ_SIZE NFS3_XFER_MAX
#define BENCH_MAX_RUNS 32
#define BENCH_DIR_COUNT 8192u

struct bench {
	struct nfs_server *srv;
	struct nfs_peer peer;
	uint8_t call[512];
	size_t len;
	size_t args;                 /* offset of the arguments in @call */
	uint8_t reply[NFS_REPLY_MAX];
	uint8_t root[64], file[64], d1k[64], d10k[64];
	uint32_t rootlen, filelen, d1klen, d10klen;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void add32(struct bench *b, uint32_t v)
{
	put32(b->call + b->len, v);
	b->len += 4;
}

static void add_opaque(struct bench *b, const void *p, uint32_t n)
{
	add32(b, n);
	memcpy(b->call + b->len, p, n);
	b->len += n;
	while (b->len & 3)
		b->call[b->len++] = 0;
}

/* Start a call: RPC header with AUTH_SYS uid 0, then the arguments follow. */
static void bench_begin(struct bench *b, uint32_t prog, uint32_t vers, uint32_t proc)
{
	b->len = 0;
	add32(b, 1);
	add32(b, 0);
	add32(b, 2);
	add32(b, prog);
	add32(b, vers);
	add32(b, proc);
	add32(b, 1);  /* AUTH_SYS, 24 bytes: */
	add32(b, 24);
	add32(b, 0);  /* stamp */
	add_opaque(b, "ben", 3);
	add32(b, 0);  /* uid */
	add32(b, 0);  /* gid */
	add32(b, 0);  /* no extra gids */
	add32(b, 0);  /* verifier AUTH_NONE */
	add32(b, 0);
	b->args = b->len;
}

/* Send the prepared call; returns the procedure status word (after the 24-byte header). */
static size_t bench_send(struct bench *b, uint16_t port, uint32_t xid)
{
	put32(b->call, xid);
	return nfs_server_call(b->srv, &b->peer, port, b->call, b->len, b->reply, sizeof(b->reply));
}

static int bench_status(const struct bench *b, size_t rlen)
{
	if (rlen < 28 || get32(b->reply + 20) != 0)
		return -1;
	return (int)get32(b->reply + 24);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Time the prepared call for @secs; READ advances the offset through the file. */
static double bench_run(struct bench *b, double secs, bool is_read)
{
	uint32_t xid = 1;
	uint64_t n = 0, off = 0;
	double t0 = now(), t1;

	do {
		for (int i = 0; i < 1024; i++) {
			if (is_read) {
				put32(b->call + b->args + 4 + b->filelen, (uint32_t)(off >> 32));
				put32(b->call + b->args + 8 + b->filelen, (uint32_t)off);
				off = (off + BENCH_READ_SIZE) % BENCH_FILE_SIZE;
			}
			if (bench_status(b, bench_send(b, NFS_PORT_NFS, ++xid)) != 0) {
				fprintf(stderr, "nfs-core-bench: call failed\n");
				exit(1);
			}
		}
		n += 1024;
		t1 = now();
	} while (t1 - t0 < secs);
	return (double)n / (t1 - t0);
}

/* One READDIR call from @cookie; returns entries and updates @cookie, @verf, @eof. */
static uint32_t bench_readdir_once(struct bench *b, const uint8_t *fh, uint32_t fhlen, uint64_t *cookie,
				   uint8_t verf[8], bool *eof, uint32_t xid)
{
	size_t rlen, pos = 28;
	uint32_t n = 0, len;

	bench_begin(b, NFS3_PROGRAM, 3, NFS3PROC_READDIR);
	add_opaque(b, fh, fhlen);
	add32(b, (uint32_t)(*cookie >> 32));
	add32(b, (uint32_t)*cookie);
	memcpy(b->call + b->len, verf, 8);
	b->len += 8;
	add32(b, BENCH_DIR_COUNT);
	rlen = bench_send(b, NFS_PORT_NFS, xid);
	if (bench_status(b, rlen) != 0)
		goto bad;
	pos += 4 + (get32(b->reply + pos) ? 84 : 0);
	memcpy(verf, b->reply + pos, 8);
	pos += 8;
	while (pos + 4 <= rlen && get32(b->reply + pos)) {
		if (pos + 16 > rlen)
			goto bad;
		len = get32(b->reply + pos + 12);
		pos += 16 + len + ((4 - (len & 3)) & 3);
		if (pos + 8 > rlen)
			goto bad;
		*cookie = (uint64_t)get32(b->reply + pos) << 32 | get32(b->reply + pos + 4);
		pos += 8;
		n++;
	}
	if (pos + 8 > rlen)
		goto bad;
	*eof = get32(b->reply + pos + 4);
	return n;
bad:
	fprintf(stderr, "nfs-core-bench: READDIR failed\n");
	exit(1);
}

/* List a directory completely, again and again for @secs; returns entries/s. */
static double bench_list(struct bench *b, const uint8_t *fh, uint32_t fhlen, double secs)
{
	uint64_t n = 0, cookie;
	uint32_t xid = 1;
	uint8_t verf[8];
	double t0 = now(), t1;
	bool eof;

	do {
		cookie = 0;
		eof = false;
		memset(verf, 0, sizeof(verf));
		while (!eof)
			n += bench_readdir_once(b, fh, fhlen, &cookie, verf, &eof, ++xid);
		t1 = now();
	} while (t1 - t0 < secs);
	return (double)n / (t1 - t0);
}

static void report(const char *name, double *v, int runs, double scale, const char *unit)
{
	qsort(v, (size_t)runs, sizeof(v[0]), cmp_double);
	printf("%-8s median %10.3f %s  (min %.3f, max %.3f, %d runs)\n", name, v[runs / 2] * scale, unit,
	       v[0] * scale, v[runs - 1] * scale, runs);
}

static void bench_lookup_root(struct bench *b, const char *name, uint8_t *fh, uint32_t *fhlen)
{
	size_t rlen;
	uint32_t n;

	bench_begin(b, NFS3_PROGRAM, 3, NFS3PROC_LOOKUP);
	add_opaque(b, b->root, b->rootlen);
	add_opaque(b, name, (uint32_t)strlen(name));
	rlen = bench_send(b, NFS_PORT_NFS, 3);
	if (bench_status(b, rlen) != 0 || (n = get32(b->reply + 28)) > 64 || rlen < 32 + n) {
		fprintf(stderr, "nfs-core-bench: LOOKUP %s failed\n", name);
		exit(1);
	}
	*fhlen = n;
	memcpy(fh, b->reply + 32, n);
}

static void bench_setup(struct bench *b, const char *dir)
{
	struct nfs_server_config cfg = { .export_dir = dir };
	char err[256];
	size_t rlen;
	uint32_t n;

	b->srv = nfs_server_new(&cfg, err, sizeof(err));
	if (!b->srv) {
		fprintf(stderr, "nfs-core-bench: %s\n", err);
		exit(1);
	}
	b->peer.addr = 0x0100000a;
	b->peer.port = 900;
	bench_begin(b, 100005, 3, 1); /* MOUNT v3 MNT "/" */
	add_opaque(b, "/", 1);
	rlen = bench_send(b, NFS_PORT_MOUNT, 1);
	if (bench_status(b, rlen) != 0 || (n = get32(b->reply + 28)) > 64 || rlen < 32 + n) {
		fprintf(stderr, "nfs-core-bench: MNT failed\n");
		exit(1);
	}
	b->rootlen = n;
	memcpy(b->root, b->reply + 32, n);
	bench_begin(b, NFS3_PROGRAM, 3, NFS3PROC_LOOKUP);
	add_opaque(b, b->root, b->rootlen);
	add_opaque(b, "data.bin", 8);
	rlen = bench_send(b, NFS_PORT_NFS, 2);
	if (bench_status(b, rlen) != 0 || (n = get32(b->reply + 28)) > 64 || rlen < 32 + n) {
		fprintf(stderr, "nfs-core-bench: LOOKUP failed\n");
		exit(1);
	}
	b->filelen = n;
	memcpy(b->file, b->reply + 32, n);
	bench_lookup_root(b, "d1k", b->d1k, &b->d1klen);
	bench_lookup_root(b, "d10k", b->d10k, &b->d10klen);
}

static void make_dir(const char *dir, const char *name, unsigned entries)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(path, 0755) != 0) {
		perror(path);
		exit(1);
	}
	for (unsigned i = 0; i < entries; i++) {
		snprintf(path, sizeof(path), "%s/%s/file-with-a-longer-name-%06u", dir, name, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
}

static void make_export(char *dir)
{
	static uint8_t chunk[1 << 16];
	char path[512];
	int fd;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/data.bin", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	memset(chunk, 0xa5, sizeof(chunk));
	for (size_t off = 0; off < BENCH_FILE_SIZE; off += sizeof(chunk))
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk)) {
			perror("write");
			exit(1);
		}
	close(fd);
	make_dir(dir, "d1k", 1000);
	make_dir(dir, "d10k", 10000);
}

static void pin_to_current_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fprintf(stderr, "nfs-core-bench: not pinned: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	static struct bench b;
	static char dir[] = "/tmp/indynet-bench-XXXXXX";
	double getattr[BENCH_MAX_RUNS], lookup[BENCH_MAX_RUNS], rd[BENCH_MAX_RUNS];
	double ls1k[BENCH_MAX_RUNS], ls10k[BENCH_MAX_RUNS];
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	char cmd[600];

	if (runs < 1 || runs > BENCH_MAX_RUNS || !(secs > 0)) {
		fprintf(stderr, "usage: nfs-core-bench [runs 1..%d] [seconds per run]\n", BENCH_MAX_RUNS);
		return 2;
	}
	pin_to_current_cpu();
	make_export(dir);
	bench_setup(&b, dir);
	for (int r = 0; r < runs; r++) {
		bench_begin(&b, NFS3_PROGRAM, 3, NFS3PROC_GETATTR);
		add_opaque(&b, b.file, b.filelen);
		getattr[r] = bench_run(&b, secs, false);

		bench_begin(&b, NFS3_PROGRAM, 3, NFS3PROC_LOOKUP);
		add_opaque(&b, b.root, b.rootlen);
		add_opaque(&b, "data.bin", 8);
		lookup[r] = bench_run(&b, secs, false);

		bench_begin(&b, NFS3_PROGRAM, 3, NFS3PROC_READ);
		add_opaque(&b, b.file, b.filelen);
		add32(&b, 0);
		add32(&b, 0);
		add32(&b, BENCH_READ_SIZE);
		rd[r] = bench_run(&b, secs, true);

		ls1k[r] = bench_list(&b, b.d1k, b.d1klen, secs);
		ls10k[r] = bench_list(&b, b.d10k, b.d10klen, secs);
	}
	printf("nfs-core-bench: NFSv3 in-process, one core, %d runs of %.1f s, READ %u bytes\n", runs, secs,
	       BENCH_READ_SIZE);
	report("GETATTR", getattr, runs, 1e-3, "kops/s");
	report("LOOKUP", lookup, runs, 1e-3, "kops/s");
	report("READ", rd, runs, BENCH_READ_SIZE * 1e-9, "GB/s  ");
	report("LIST1k", ls1k, runs, 1e-3, "kentries/s");
	report("LIST10k", ls10k, runs, 1e-3, "kentries/s");
	nfs_server_free(b.srv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
