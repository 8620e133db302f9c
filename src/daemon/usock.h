/* SPDX-License-Identifier: MIT */
/* usock.h: unix-domain socket helpers (addresses, binding over a stale socket). */
#ifndef INDYNETD_USOCK_H
#define INDYNETD_USOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
 * usock_bind() - bind a non-blocking unix socket at @path with @mode, replacing a stale socket.
 * @path: socket path; an existing file that is not a socket is left alone (error), and
 *        so is a socket someone serves ("another indynetd is serving PATH")
 * @type: SOCK_STREAM (then listen()ed) or SOCK_DGRAM
 * @mode: the socket file's mode (0600: its owner only), set before anyone can connect
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the descriptor, or -1.
 */
int usock_bind(const char *path, int type, unsigned mode, char *err, size_t errlen);

/* Accept backoff when descriptors run out: 100 ms doubling to 2 s; a reminder every 10 s. */
#define USOCK_BACKOFF_MIN_MS 100u
#define USOCK_BACKOFF_MAX_MS 2000u
#define USOCK_REMIND_MS 10000

/**
 * struct usock_gate - a listening socket's accept backoff.
 * @until_ms: the socket is not polled before this time
 * @backoff_ms: the current pause, 0 while accepts succeed
 * @failed: accepts failed for lack of descriptors in the current streak
 * @logged_ms: when the streak was last logged
 *
 * Zero-initialised: accepting.  Out of descriptors, the pending connection
 * stays queued and the socket stays readable; polling it again at once
 * would spin, so it is left out of poll() for the pause.
 */
struct usock_gate {
	int64_t until_ms;
	unsigned backoff_ms;
	unsigned long failed;
	int64_t logged_ms;
};

/**
 * usock_accept() - accept4() a non-blocking connection, pausing @g when descriptors run out.
 * @lfd: listening socket
 * @g: its gate
 * @label: names the socket in the log ("control", "qemu-stream")
 * @sa: receives the peer address, or NULL
 * @salen: its size in and out, or NULL
 * @now_ms: CLOCK_MONOTONIC in ms
 *
 * EMFILE, ENFILE, ENOBUFS and ENOMEM pause the socket (logged once when the
 * streak starts, then every USOCK_REMIND_MS); the first accept after a
 * streak says how many failed.
 *
 * Return: the descriptor, or -1 (errno set).
 */
int usock_accept(int lfd, struct usock_gate *g, const char *label, struct sockaddr *sa,
		 socklen_t *salen, int64_t now_ms);

/**
 * usock_gate_open() - whether to poll the socket now; else lower @timeout_ms to the pause's end.
 * @g: the gate
 * @now_ms: CLOCK_MONOTONIC in ms
 * @timeout_ms: poll timeout (-1: none), lowered
 *
 * Return: true when the socket is to be polled.
 */
bool usock_gate_open(const struct usock_gate *g, int64_t now_ms, int *timeout_ms);

#endif
