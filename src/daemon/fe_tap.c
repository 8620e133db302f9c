/* SPDX-License-Identifier: MIT */
/* fe_tap.c: --tap NAME [--tap-netns PATH]: a TAP device, optionally inside another netns. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dlog.h"
#include "frontend.h"

/*
 * With --tap-netns the device must be created INSIDE the target network
 * namespace while the daemon's own sockets stay where they are.  A TAP device
 * lives in the namespace of the thread that opened /dev/net/tun and issued
 * TUNSETIFF; the descriptor keeps working from any namespace afterwards.  So
 * a short-lived helper thread enters the namespace (setns affects only the
 * calling thread), opens and configures the device, and exits: the main
 * thread never leaves the daemon's namespace (slirp4netns does the same).
 *
 * When the device vanishes (ip link del, or its namespace is destroyed) the
 * descriptor reports POLLERR and reads fail for good.  The engine thread logs
 * that once and marks the link dead; the main thread closes the descriptor
 * and (the .lost op) creates the device again the same way.  When that
 * fails (the namespace is gone, no CAP_NET_ADMIN any more) the frontend is
 * marked failed and indynetd exits with status 1: a daemon without its
 * device serves nobody.
 */

/* Frames per wake-up: bounded so one busy guest cannot starve the engine loop. */
#define FE_TAP_BATCH 64

struct fe_tap_job {
	const char *name;
	unsigned mtu;
	int netns_fd;  /* -1: stay in the current namespace */
	int fd;        /* result */
	char err[256];
};

/* Bring the link up with the configured MTU; no address (the guest runs DHCP). */
static int fe_tap_configure(struct fe_tap_job *job)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (s < 0) {
		snprintf(job->err, sizeof(job->err), "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", job->name);
	ifr.ifr_mtu = (int)job->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
		snprintf(job->err, sizeof(job->err), "cannot set the MTU of %s to %u: %s",
			 job->name, job->mtu, strerror(errno));
		goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		snprintf(job->err, sizeof(job->err), "cannot read the flags of %s: %s", job->name,
			 strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		snprintf(job->err, sizeof(job->err), "cannot bring %s up: %s", job->name,
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(s);
	return rc;
}

static void fe_tap_create(struct fe_tap_job *job)
{
	struct ifreq ifr;
	int fd;

	job->fd = -1;
	if (job->netns_fd >= 0 && setns(job->netns_fd, CLONE_NEWNET) < 0) {
		snprintf(job->err, sizeof(job->err), "cannot enter the network namespace: %s",
			 strerror(errno));
		return;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(job->err, sizeof(job->err), "/dev/net/tun: %s", strerror(errno));
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", job->name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(job->err, sizeof(job->err), "cannot create or attach TAP device %s: %s",
			 job->name, strerror(errno));
		close(fd);
		return;
	}
	if (fe_tap_configure(job)) {
		close(fd);
		return;
	}
	job->fd = fd;
}

static void *fe_tap_thread(void *arg)
{
	fe_tap_create(arg);
	return NULL;
}

/* Run fe_tap_create() on a helper thread inside the namespace at @netns. */
static int fe_tap_create_in(struct fe_tap_job *job, const char *netns)
{
	pthread_t t;
	int rc;

	job->netns_fd = open(netns, O_RDONLY | O_CLOEXEC);
	if (job->netns_fd < 0) {
		snprintf(job->err, sizeof(job->err), "network namespace %s: %s", netns,
			 strerror(errno));
		return -1;
	}
	rc = pthread_create(&t, NULL, fe_tap_thread, job);
	if (rc == 0)
		pthread_join(t, NULL);
	else
		snprintf(job->err, sizeof(job->err), "pthread_create: %s", strerror(rc));
	close(job->netns_fd);
	return job->fd >= 0 ? 0 : -1;
}

/* Create (or attach) the device of the settings; its descriptor, or -1 with @err set. */
static int fe_tap_make(struct frontend *fe, char *err, size_t errlen)
{
	struct fe_tap_job job = { .name = fe->opts->frontend_arg, .mtu = fe->opts->mtu,
				  .netns_fd = -1, .fd = -1 };

	if (fe->opts->tap_netns)
		fe_tap_create_in(&job, fe->opts->tap_netns);
	else
		fe_tap_create(&job);
	if (job.fd < 0)
		snprintf(err, errlen, "%s", job.err);
	return job.fd;
}

static int fe_tap_open(struct frontend *fe, char *err, size_t errlen)
{
	fe->label = "tap";
	fe->buf = malloc(INDYNET_FRAME_MAX + 1);
	if (!fe->buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fe->data_fd = fe_tap_make(fe, err, errlen);
	return fe->data_fd < 0 ? -1 : 0;
}

/* Engine thread: the device is gone or broken; say so once and let the main thread react. */
static void fe_tap_broken(struct frontend *fe, const char *why)
{
	if (frontend_is_dead(fe))
		return;
	dlog(INDYNET_LOG_WARN, "%s: device %s failed (%s); link down", fe->label,
	     fe->opts->frontend_arg, why);
	frontend_mark_dead(fe);
}

static void fe_tap_on_data(void *opaque, int fd, short revents)
{
	struct frontend *fe = opaque;

	if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
		fe_tap_broken(fe, revents & POLLNVAL ? "descriptor closed" : "device error");
		return;
	}
	for (int i = 0; i < FE_TAP_BATCH; i++) {
		ssize_t n = read(fd, fe->buf, INDYNET_FRAME_MAX + 1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fe_tap_broken(fe, strerror(errno));
			return;
		}
		frontend_deliver(fe, fe->buf, (size_t)n);
	}
}

/* Main thread: the broken descriptor was closed; make the device again or give up. */
static void fe_tap_lost(struct frontend *fe, int64_t now_ms)
{
	char err[256];
	int fd;

	(void)now_ms;
	fd = fe_tap_make(fe, err, sizeof(err));
	if (fd < 0 || frontend_set_data(fe, fd) < 0) {
		dlog(INDYNET_LOG_ERROR, "%s: cannot recreate %s: %s", fe->label,
		     fe->opts->frontend_arg, fd < 0 ? err : "cannot watch it");
		fe->failed = true;
		return;
	}
	dlog(INDYNET_LOG_WARN, "%s: device %s recreated", fe->label, fe->opts->frontend_arg);
}

static int fe_tap_send(struct frontend *fe, const uint8_t *frame, size_t len)
{
	if (write(fe->data_fd, frame, len) >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return -EAGAIN;
	/* E.g. EIO while the link is down: drop the frame, keep the device. */
	dlog(INDYNET_LOG_DEBUG, "%s: frame of %zu bytes dropped: %s", fe->label, len,
	     strerror(errno));
	return 0;
}

const struct frontend_ops fe_tap_ops = {
	.open = fe_tap_open,
	.on_data = fe_tap_on_data,
	.send = fe_tap_send,
	.lost = fe_tap_lost,
};
