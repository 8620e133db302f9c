/* SPDX-License-Identifier: MIT */
/* export_check.c: what indynetd may do with its NFS export, checked before it is served. */
#include "export_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int export_check(const char *dir, bool *writable, char *err, size_t errlen)
{
	int fd;

	*writable = true;
	if (!dir)
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "export %s: %s (indynetd runs as uid %u)", dir, strerror(errno),
			 (unsigned)geteuid());
		return -1;
	}
	/* The effective ids and capabilities decide, as they will for the NFS calls. */
	*writable = faccessat(fd, ".", W_OK, AT_EACCESS) == 0;
	close(fd);
	return 0;
}
