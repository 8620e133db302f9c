/* SPDX-License-Identifier: MIT */
/* http_token.c: the TCP listener's bearer token: read from its file, or generated and written there (0600). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlog.h"
#include "http_int.h"

/*
 * A token file that exists is used as it is (so a restarted daemon keeps
 * the token a panel bookmark carries), provided only its owner can read it
 * and it holds exactly HTTP_TOKEN_LEN hex characters (and a newline).
 * Otherwise 32 random bytes become the token, written to a new file with
 * mode 0600 and removed at shutdown.
 */

static bool http_token_valid(const char *t)
{
	size_t n = strspn(t, "0123456789abcdef");

	return n == HTTP_TOKEN_LEN && t[n] == '\0';
}

static int http_token_read(struct http_server *s, const char *path, int fd, char *err,
			   size_t errlen)
{
	struct stat st;
	char buf[HTTP_TOKEN_LEN + 3] = "";
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		snprintf(err, errlen, "token file %s must be a regular file only its owner can read "
				      "(chmod 600 %s)", path, path);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!http_token_valid(buf)) {
		snprintf(err, errlen, "token file %s does not hold a token (%d lowercase hex "
				      "characters); remove it to have one generated", path,
			 HTTP_TOKEN_LEN);
		return -1;
	}
	memcpy(s->token, buf, sizeof(s->token));
	return 0;
}

static int http_token_generate(struct http_server *s, char *err, size_t errlen)
{
	unsigned char raw[HTTP_TOKEN_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		snprintf(err, errlen, "cannot generate a token: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(s->token + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

static int http_token_write(struct http_server *s, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	char line[HTTP_TOKEN_LEN + 2];
	int len = snprintf(line, sizeof(line), "%s\n", s->token);

	if (fd < 0 || fchmod(fd, 0600) < 0 || write(fd, line, (size_t)len) != len) {
		snprintf(err, errlen, "cannot write the token file %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	close(fd);
	s->token_path = strdup(path);
	return 0;
}

int http_token_setup(struct http_server *s, const char *path, char *err, size_t errlen)
{
	int fd, rc;

	if (!path) {
		snprintf(err, errlen, "a TCP listener needs a token file (--http-token-file PATH, "
				      "or --control PATH for PATH.token)");
		return -1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		rc = http_token_read(s, path, fd, err, errlen);
		close(fd);
		return rc;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "token file %s: %s", path, strerror(errno));
		return -1;
	}
	if (http_token_generate(s, err, errlen) < 0)
		return -1;
	return http_token_write(s, path, err, errlen);
}

void http_token_forget(struct http_server *s)
{
	if (s->token_path)
		unlink(s->token_path);
	free(s->token_path);
	s->token_path = NULL;
}
