/* SPDX-License-Identifier: MIT */
/* frontend.h: how guest frames reach indynetd (QEMU stream/dgram sockets, TAP) - shared part. */
#ifndef INDYNETD_FRONTEND_H
#define INDYNETD_FRONTEND_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <indynet/indynet.h>

#include "framing.h"
#include "options.h"
#include "usock.h"

/*
 * Theory of operation
 *
 * The frame path runs on the ENGINE thread, with no thread hop: the
 * frontend's data descriptor (the QEMU connection, the datagram socket or
 * the TAP fd) is watched with indynet_watch_fd(); its callback reads frames
 * and calls indynet_guest_send(), which processes them at once.
 *
 * Frames for the guest leave on the engine thread too, two ways.  While
 * the engine's RX ring is empty it offers each frame to
 * frontend_rx_deliver() (cfg.rx_deliver), which writes it at once (no copy
 * into the ring); when the guest side would block, the frame goes on the
 * ring instead, and from then on frontend_rx_notify() (cfg.rx_notify),
 * called after each push, drains the ring in order until it would block
 * again.  A blocked frontend waits for POLLOUT on the main thread, which
 * then drains the ring (frontend_writable()).  So frames stay in order: the
 * direct path is used only while nothing is queued.  POLLOUT is polled on
 * fe->out_fd when the frontend set one (the datagram frontend's socket
 * connect()ed to QEMU's: only that one reports when QEMU's queue has room),
 * else on the data descriptor; no frontend retries on a timer.
 * When the data descriptor is swapped (connection lost or replaced) the
 * ring is flushed (indynet_rx_flush(), counted as drop_rx_flushed): its
 * frames were for the old peer, and a ring left full would keep the direct
 * path closed and the new peer without frames for good.
 *
 * Everything slow or rare runs on the daemon's MAIN thread: accepting a
 * QEMU connection, reconnecting with backoff, closing a dropped connection,
 * and waiting for POLLOUT when a write would block.  The two threads meet
 * at fe->lock, which guards the data descriptor and the send side (the
 * pending stream output and the RX ring's consumer end): whoever holds it
 * may write to the guest.  The engine thread tells the main thread that
 * something needs doing (connection dead, write blocked) through wake_fd.
 *
 * The main thread swaps the data descriptor like this: indynet_unwatch_fd()
 * first (after it returns the callback is not running and will not run
 * again), then the swap under the lock, then indynet_watch_fd() for the
 * new descriptor.  The lock is never held across an engine call.
 *
 * A frontend that cannot go on (a TAP device that vanished and cannot be
 * made again) sets fe->failed on the main thread; indynetd then exits with
 * status 1 (frontend_failed()).
 */

struct frontend;

struct frontend_ops {
	/* Main thread, before the engine starts: sockets, TAP device. */
	int (*open)(struct frontend *fe, char *err, size_t errlen);
	/* Engine thread: the data descriptor is ready. */
	indynet_fd_fn on_data;
	/*
	 * fe->lock held: send one frame; 0 sent or dropped, 1 taken but output is
	 * pending (flush when writable), -EAGAIN would block, <0 link failed.
	 */
	int (*send)(struct frontend *fe, const uint8_t *frame, size_t len);
	/* fe->lock held: continue pending output (NULL: nothing is ever pending). */
	int (*flush)(struct frontend *fe);
	/* Main thread: fe->aux_fd polled readable (a QEMU connection to accept). */
	void (*aux_ready)(struct frontend *fe);
	/* Main thread: timers; lower *timeout_ms to the next deadline. */
	void (*tick)(struct frontend *fe, int64_t now_ms, int *timeout_ms);
	/* Main thread: the data descriptor was closed after a failure. */
	void (*lost)(struct frontend *fe, int64_t now_ms);
	/* Main thread, at shutdown: close and unlink what open() made. */
	void (*close)(struct frontend *fe);
};

struct frontend {
	const struct frontend_ops *ops;
	const struct daemon_opts *opts;
	indynet_engine *eng;
	const char *label;         /* "qemu-stream /path" ... for logs */

	pthread_mutex_t lock;
	int data_fd;               /* lock: -1 while there is none */
	bool data_watched;         /* main thread only */
	bool blocked;              /* lock: a write would block, wait for POLLOUT */
	bool out_pending;          /* lock: output waits in the frontend, poll for POLLOUT */
	bool dead;                 /* lock: the data descriptor failed */

	int out_fd;                /* lock: poll it for POLLOUT when blocked; -1: data_fd */
	int wake_fd;               /* eventfd, engine thread -> main thread */
	int aux_fd;                /* polled readable by the main thread, or -1 */
	struct usock_gate aux_gate; /* main thread: aux_fd's accept backoff */
	bool bound;                /* open() bound the socket path: unlink it at close */
	bool failed;               /* main thread: cannot go on, indynetd exits with 1 */

	/* stream frontends */
	struct framing_rx *rx;
	struct framing_tx *tx;
	unsigned backoff_ms;
	int64_t next_try_ms;

	/* datagram and TAP frontends */
	uint8_t *buf;              /* INDYNET_FRAME_MAX, engine thread */
	struct sockaddr_un peer;   /* lock: last datagram sender */
	socklen_t peer_len;        /* lock: 0 = none yet */
	int tx_fd;                 /* datagram: unbound socket connect()ed to peer, or -1 */
	bool tx_linked;            /* lock: tx_fd is connected to peer */
	bool tx_refused;           /* lock: peer refused tx_fd: answer from data_fd */
};

extern const struct frontend_ops fe_stream_listen_ops;
extern const struct frontend_ops fe_stream_connect_ops;
extern const struct frontend_ops fe_dgram_ops;
extern const struct frontend_ops fe_tap_ops;

/**
 * frontend_new() - create the frontend chosen in @opts and open it.
 * @opts: settings (kept by reference)
 * @out: receives the frontend
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int frontend_new(const struct daemon_opts *opts, struct frontend **out, char *err, size_t errlen);

/**
 * frontend_start() - attach to the engine before it starts (watch the data descriptor).
 * @fe: frontend
 * @eng: engine whose cfg.rx_notify is frontend_rx_notify with @fe; calling
 *       this before indynet_engine_start() means no frame can race the set-up
 *
 * Return: 0 or a negative errno.
 */
int frontend_start(struct frontend *fe, indynet_engine *eng);

/**
 * frontend_stop() - stop watching and close the data descriptor (engine still running).
 * @fe: frontend
 *
 * After it, frontend_rx_notify() only discards frames; stop the engine next.
 */
void frontend_stop(struct frontend *fe);

/**
 * frontend_free() - close and unlink everything; call after the engine stopped.
 * @fe: frontend, may be NULL
 */
void frontend_free(struct frontend *fe);

/**
 * frontend_rx_notify() - cfg.rx_notify: move frames from the RX ring to the guest.
 * @opaque: the frontend
 */
void frontend_rx_notify(void *opaque);

/**
 * frontend_rx_deliver() - cfg.rx_deliver: write one frame to the guest at once.
 * @opaque: the frontend
 * @frame: the frame
 * @len: its length
 *
 * Runs on the engine thread while its RX ring is empty.
 *
 * Return: true when the frame was written (or discarded: no connection),
 * false when the guest side would block and the frame must be queued.
 */
bool frontend_rx_deliver(void *opaque, const uint8_t *frame, size_t len);

/**
 * frontend_poll_fill() - add the main thread's descriptors for @fe to @pfds.
 * @fe: frontend
 * @pfds: poll array
 * @n: in/out: entries used
 * @timeout_ms: in/out: poll timeout, lowered to the next frontend deadline
 */
void frontend_poll_fill(struct frontend *fe, struct pollfd *pfds, size_t *n, int *timeout_ms);

/**
 * frontend_poll_handle() - act on the entries frontend_poll_fill() added.
 * @fe: frontend
 * @pfds: the entries, starting at the first one it added
 * @n: how many it added
 */
void frontend_poll_handle(struct frontend *fe, const struct pollfd *pfds, size_t n);

/**
 * frontend_set_data() - install a new data descriptor (main thread), closing the old one.
 * @fe: frontend
 * @fd: new descriptor, or -1 for none
 *
 * Frames still queued on the engine's RX ring are dropped (and counted).
 *
 * Return: 0 or a negative errno from indynet_watch_fd() (then @fd is closed).
 */
int frontend_set_data(struct frontend *fe, int fd);

/**
 * frontend_wake() - any thread: make the main thread poll the frontend's descriptors again.
 * @fe: frontend
 */
void frontend_wake(struct frontend *fe);

/**
 * frontend_mark_dead() - engine thread: the data descriptor failed; main closes it.
 * @fe: frontend
 */
void frontend_mark_dead(struct frontend *fe);

/**
 * frontend_is_dead() - whether the data descriptor failed and awaits closing.
 * @fe: frontend
 *
 * Return: true when it did.
 */
bool frontend_is_dead(struct frontend *fe);

/**
 * frontend_has_peer() - any thread: whether a live data descriptor is there (a QEMU connection ...).
 * @opaque: the frontend
 *
 * Return: true when it is.
 */
bool frontend_has_peer(void *opaque);

/**
 * frontend_deliver() - engine thread: hand one guest frame to the engine.
 * @fe: frontend
 * @frame: the frame
 * @len: its length (bad lengths are dropped and counted by the engine)
 */
void frontend_deliver(struct frontend *fe, const uint8_t *frame, size_t len);

/**
 * frontend_failed() - main thread: whether @fe cannot go on (the daemon exits with 1).
 * @fe: frontend
 *
 * Return: true when it cannot.
 */
bool frontend_failed(const struct frontend *fe);

/**
 * frontend_now_ms() - CLOCK_MONOTONIC in milliseconds.
 *
 * Return: the time.
 */
int64_t frontend_now_ms(void);

#endif
