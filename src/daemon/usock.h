/* SPDX-License-Identifier: MIT */
/* usock.h: unix-domain socket helpers (addresses, binding over a stale socket). */
#ifndef INDYNETD_USOCK_H
#define INDYNETD_USOCK_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/**
 * usock_addr() - fill a sockaddr_un for @path.
 * @path: socket path (its length was checked when the option was parsed)
 * @sa: receives the address
 *
 * Return: the address length.
 */
socklen_t usock_addr(const char *path, struct sockaddr_un *sa);

/**
 * usock_bind() - bind a non-blocking unix socket at @path, unlinking a stale socket first.
 * @path: socket path; an existing file that is not a socket is left alone (error)
 * @type: SOCK_STREAM (then listen()ed) or SOCK_DGRAM
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the descriptor, or -1.
 */
int usock_bind(const char *path, int type, char *err, size_t errlen);

#endif
