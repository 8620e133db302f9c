/* SPDX-License-Identifier: MIT */
/* mktree.c: build a 3-level export of N empty files (d000/d000/f000...) for bench/nfs-scale.sh. */

/*
 * Usage: mktree DIR N
 * Fan-out k = ceil(cbrt(N)) at each level: DIR/dA/dB/fC, files created in
 * order until N exist.  Existing entries are kept (a rerun completes a
 * partial tree).  Prints "files=N dirs=D k=K deepest=dA/dB/fC".
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mk_dir(int at, const char *name)
{
	int fd;

	if (mkdirat(at, name, 0755) < 0 && errno != EEXIST)
		return -1;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY);
	return fd;
}

int main(int argc, char **argv)
{
	unsigned long n, k, made = 0, dirs = 0;
	char name[32], last[96] = "";
	int root;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: mktree DIR N\n");
		return 2;
	}
	k = (unsigned long)ceil(cbrt((double)n));
	mkdir(argv[1], 0755);
	root = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (root < 0)
		return perror(argv[1]), 1;
	for (unsigned long a = 0; a < k && made < n; a++) {
		snprintf(name, sizeof(name), "d%03lu", a);
		int da = mk_dir(root, name);

		dirs++;
		for (unsigned long b = 0; b < k && made < n && da >= 0; b++) {
			snprintf(name, sizeof(name), "d%03lu", b);
			int db = mk_dir(da, name);

			dirs++;
			for (unsigned long c = 0; c < k && made < n && db >= 0; c++, made++) {
				snprintf(name, sizeof(name), "f%03lu", c);
				int fd = openat(db, name, O_WRONLY | O_CREAT, 0644);

				if (fd < 0)
					return perror(name), 1;
				close(fd);
				snprintf(last, sizeof(last), "d%03lu/d%03lu/f%03lu", a, b, c);
			}
			if (db >= 0)
				close(db);
		}
		if (da >= 0)
			close(da);
	}
	printf("files=%lu dirs=%lu k=%lu deepest=%s\n", made, dirs, k, last);
	return 0;
}
