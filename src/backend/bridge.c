/* SPDX-License-Identifier: MIT */
/* bridge.c: the bridge backend: guest frames injected on a host interface, the LAN's frames for it captured. */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "backend/bridge.h"
#include "backend/bridge_cap.h"
#include "backend/bridge_host.h"
#include "backend/bridge_if.h"
#include "backend/bridge_mac.h"
#include "backend/bridge_seg.h"
#include "backend/bridge_status.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/log.h"

/*
 * Theory of operation
 *
 * The guest becomes a host on the LAN of a host interface.  Its frames
 * (those the virtual hosts did not consume) are injected on the interface
 * as they are; the LAN's frames come from a libpcap capture whose
 * descriptor the engine's poll loop watches (bridge_cap.c).
 *
 * Receive path, per captured frame: frames cut by the snap length are
 * dropped; frames with the guest's own source MAC (its echoes) are dropped;
 * unicast frames for another MAC are dropped (the kernel filter keeps them
 * out once the guest's MAC is known; before that, and in the moment a
 * filter is being replaced, this check does); broadcast and multicast are
 * shed while fewer than BRIDGE_RX_RESERVE slots are free on the guest's RX
 * ring, so a broadcast storm cannot crowd out the guest's own unicast;
 * frames above the guest's MTU (GRO/LRO super-frames) are cut back to the
 * MTU when they are TCP/IPv4 (bridge_seg.c) and dropped otherwise.  Every
 * drop is counted in the capture status.  At most BRIDGE_DRAIN_CAP frames
 * are read per loop round, in batches, the RX ring's room sampled before
 * each; the rest waits for the next round (which comes at once: the
 * descriptor stays readable), so the TX side and timers keep their turn.
 *
 * Status: inactive until the first open, then active, permission-denied
 * or device-error (bridge_status.c classifies each failure).  A failed
 * open is retried after 250 ms, doubling to 4 s; an error on the open
 * capture (the interface went down or disappeared: POLLERR, or libpcap
 * reports it) closes it and enters the same retry, so an interface that
 * returns, or a permission granted later, brings the bridge back without a
 * restart.  Each change of state, interface or error text bumps the
 * generation, is logged, and calls host->status_changed.
 *
 * Live switch (set_interface): the new capture is opened (with the guest's
 * filter) before the old one is closed; on failure the old one stays and
 * the error says so.  The guest is not involved: same MAC, same address.
 *
 * The engine's phantom NFS host is a second station on the LAN: its MAC
 * (extra_mac) is let through the filter beside the guest's, so that the
 * LAN's answers to its ARP probes reach it; its frames are injected as
 * they are (inject); and it learns the LAN's subnet from the interface's
 * own address (lan), looked up on every open and once a second.
 *
 * MAC translation (bridge_mac.c), chosen at every open: in host mode
 * (--bridge-mac host, or auto on a wireless interface) the station on the
 * wire is the interface's own MAC: mac holds it (the filter, the echo and
 * destination checks use it as they use the guest's in guest mode), the
 * guest's MAC is kept in guest, and every frame is rewritten on its way
 * out (input, inject) and, once past those checks, on its way in.
 *
 * Host reach (bridge_host.c, on unless switched off): the guest's frames
 * for the host's own address are taken before injection (and before any
 * translation) and given to the host's stack; it is told the interface's
 * address with every refresh, and shown every captured frame (before the
 * checks: the host's own frames to the guest name the host's flows).
 *
 * Threads: everything runs on the engine thread except bridge_status(),
 * which copies the published status under the mutex.  The engine thread
 * publishes at the end of each round and on every change.
 */

_Static_assert(INDYNET_FRAME_MAX <= BRIDGE_CAP_SNAPLEN, "a guest frame fits the translation scratch");

#define BRIDGE_BATCH 64
#define BRIDGE_STATS_MS 1000u
#define ETHERTYPE_VLAN 0x8100

struct bridge {
	struct backend base;
	struct backend_host host;
	unsigned mtu;
	size_t bufsize;
	struct bridge_cap cap;
	char target[64];          /* the interface captured on, or being retried */
	uint8_t mac[ETH_ALEN];    /* the station on the wire: the guest's, or the interface's in host mode */
	bool mac_known;
	uint8_t guest[ETH_ALEN];  /* the guest's MAC */
	bool guest_known;
	enum indynet_bridge_mac mac_cfg; /* as configured (auto resolved at each open) */
	enum indynet_bridge_mac mac_mode; /* in force: GUEST or HOST (AUTO before the first open) */
	bool xl_on;               /* host mode: frames are translated */
	struct bridge_mac xl;
	uint8_t *xl_out, *xl_in;  /* translation scratch, BRIDGE_CAP_SNAPLEN each (out and in may nest); whole follows */
	uint8_t extra[ETH_ALEN];  /* the phantom NFS host's MAC: its unicast frames are taken too */
	bool extra_known;
	struct backend_lan lan;   /* the interface's address and subnet, refreshed with the stats */
	int lan_rc;               /* 0 when lan holds one, -ENOENT otherwise */
	bool opened_once;
	int ps_idx;               /* this round's poll-set index, -1 = not polled */
	unsigned room;            /* RX ring slots believed free */
	uint64_t retry_at;        /* monotonic ms of the next open attempt, 0 = none */
	unsigned backoff_ms;
	uint64_t stats_at;        /* monotonic ms of the next pcap_stats() */
	uint64_t kdrops_closed;   /* kernel drops of captures already closed */
	uint8_t *seg_buf;
	uint8_t *whole;           /* a frame longer than a ring slot, read whole (bridge_cap_whole()) */
	struct bridge_host *hr;   /* host reach, NULL = off */
	struct indynet_host_reach hr_cur;  /* engine thread */
	struct indynet_capture_status cur; /* engine thread */
	pthread_mutex_t lock;
	struct indynet_capture_status pub; /* lock */
	uint64_t pub_retry_at;             /* lock */
	struct indynet_bridge_mac_status pub_mac; /* lock */
	struct indynet_host_reach hr_pub;  /* lock */
};

static struct bridge *to_bridge(struct backend *bk)
{
	return (struct bridge *)bk;
}

/* ---- status ---- */

static void br_publish(struct bridge *b)
{
	pthread_mutex_lock(&b->lock);
	b->pub = b->cur;
	b->pub_mac = (struct indynet_bridge_mac_status){ .mode = b->mac_mode, .translated = b->xl.translated,
							 .unmatched = b->xl.unmatched, .refused = b->xl.refused };
	b->hr_pub = b->hr_cur;
	b->pub_retry_at = b->cap.p ? 0 : b->retry_at;
	pthread_mutex_unlock(&b->lock);
}

static void br_set_state(struct bridge *b, enum indynet_capture_state st, const char *error)
{
	struct indynet_capture_status *c = &b->cur;

	if (c->state == st && strcmp(c->error, error) == 0 && strcmp(c->interface, b->target) == 0)
		return;
	c->state = st;
	snprintf(c->error, sizeof(c->error), "%s", error);
	snprintf(c->interface, sizeof(c->interface), "%s", b->target);
	c->generation++;
	ilog(st == INDYNET_CAPTURE_ACTIVE ? INDYNET_LOG_INFO : INDYNET_LOG_WARN, "bridge: capture on %s: %s%s%s",
	     b->target, indynet_capture_state_name(st), error[0] ? ": " : "", error);
	br_publish(b);
	if (b->host.status_changed)
		b->host.status_changed(b->host.opaque);
}

static void br_read_stats(struct bridge *b)
{
	struct pcap_stat ps;

	if (b->cap.p && pcap_stats(b->cap.p, &ps) == 0)
		b->cur.kernel_drops = b->kdrops_closed + ps.ps_drop;
}

/* the interface's address and subnet (the phantom NFS host needs them); none while closed */
static void br_refresh_lan(struct bridge *b)
{
	b->lan_rc = b->cap.p ? bridge_if_lan(b->target, &b->lan) : -ENOENT;
	if (b->xl_on)
		bridge_mac_set_host(&b->xl, b->lan.host_mac, b->lan_rc == 0 ? b->lan.host_ip : 0);
	if (b->hr)
		bridge_host_lan(b->hr, b->lan_rc == 0 ? &b->lan : NULL, b->xl_on);
}

static void br_close(struct bridge *b)
{
	br_read_stats(b);
	b->kdrops_closed = b->cur.kernel_drops;
	bridge_cap_close(&b->cap);
	b->ps_idx = -1;
	br_refresh_lan(b);
}

/* ---- open, failure, retry ---- */

static const uint8_t *br_extra(const struct bridge *b)
{
	return b->extra_known ? b->extra : NULL;
}

static void br_failed(struct bridge *b, int pcap_rc, const char *text)
{
	enum indynet_capture_state st = bridge_status_classify(pcap_rc, text);
	char msg[sizeof(b->cur.error)];

	bridge_status_explain(st, b->target, text, msg, sizeof(msg));
	b->retry_at = clock_mono_ms() + b->backoff_ms;
	b->backoff_ms = b->backoff_ms * 2 > BRIDGE_RETRY_MAX_MS ? BRIDGE_RETRY_MAX_MS : b->backoff_ms * 2;
	br_set_state(b, st, msg);
}

static void br_install_filter(struct bridge *b);

/* translate or not on the interface just opened (auto: wireless or not); the station on the wire follows */
static void br_mac_mode(struct bridge *b)
{
	bool wireless = bridge_if_wireless(b->target);
	struct backend_lan lan;

	b->xl_on = b->mac_cfg == INDYNET_BRIDGE_MAC_HOST || (b->mac_cfg == INDYNET_BRIDGE_MAC_AUTO && wireless);
	b->mac_mode = b->xl_on ? INDYNET_BRIDGE_MAC_HOST : INDYNET_BRIDGE_MAC_GUEST;
	ilog(INDYNET_LOG_INFO, "bridge: %s is %swireless: bridge-mac %s%s", b->target, wireless ? "" : "not ",
	     indynet_bridge_mac_name(b->mac_mode), b->xl_on ? " (the guest's frames carry the host's MAC)" : "");
	bridge_if_lan(b->target, &lan);
	memcpy(b->mac, b->xl_on ? lan.host_mac : b->guest, ETH_ALEN);
	b->mac_known = b->xl_on || b->guest_known;
	br_install_filter(b);
}

static void br_opened(struct bridge *b)
{
	if (b->opened_once)
		b->cur.reopens++;
	b->opened_once = true;
	b->retry_at = 0;
	b->backoff_ms = BRIDGE_RETRY_MIN_MS;
	b->stats_at = clock_mono_ms() + BRIDGE_STATS_MS;
	br_mac_mode(b);
	br_refresh_lan(b);
	br_set_state(b, INDYNET_CAPTURE_ACTIVE, "");
}

static void br_attempt(struct bridge *b)
{
	char text[256];
	int rc = bridge_cap_open(&b->cap, b->target, b->bufsize, b->mac_known ? b->mac : NULL, br_extra(b), text,
				 sizeof(text));

	if (rc < 0)
		br_failed(b, rc, text);
	else
		br_opened(b);
}

/* the open capture failed under us: close it and retry */
static void br_lost(struct bridge *b, const char *text)
{
	br_close(b);
	br_failed(b, 0, text);
}

/* POLLERR/POLLHUP on the capture: the interface went down or disappeared */
static void br_check_error(struct bridge *b)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	char text[128];

	getsockopt(b->cap.fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (if_nametoindex(b->target) == 0)
		snprintf(text, sizeof(text), "the interface disappeared");
	else
		snprintf(text, sizeof(text), "the interface failed: %s", soerr ? strerror(soerr) : "poll error");
	br_lost(b, text);
}

/* ---- receive ---- */

static void br_deliver(void *opaque, const uint8_t *frame, size_t len)
{
	struct bridge *b = opaque;

	b->host.to_guest(b->host.opaque, frame, len);
	if (b->room)
		b->room--;
}

static size_t br_frame_limit(const struct bridge *b, const uint8_t *f)
{
	bool tagged = f[12] == (ETHERTYPE_VLAN >> 8) && f[13] == (ETHERTYPE_VLAN & 0xff);

	return ETH_HLEN + b->mtu + (tagged ? 4u : 0u);
}

/* false when the guest would not take @f (counted) */
static bool br_wanted(struct bridge *b, const uint8_t *f)
{
	bool group = eth_is_multicast(f); /* broadcast included */

	if (b->mac_known && memcmp(f + ETH_ALEN, b->mac, ETH_ALEN) == 0) {
		b->cur.own_frames++;
		return false;
	}
	if (!group && (!b->mac_known || memcmp(f, b->mac, ETH_ALEN) != 0) &&
	    (!b->extra_known || memcmp(f, b->extra, ETH_ALEN) != 0)) {
		b->cur.not_for_guest++;
		return false;
	}
	if (group && b->room <= BRIDGE_RX_RESERVE) {
		b->cur.shed++;
		return false;
	}
	return true;
}

/* host mode: the frame for the inner station it is meant for, or NULL (counted by bridge_mac.c) */
static const uint8_t *br_mac_in(struct bridge *b, const uint8_t *f, size_t len)
{
	enum bridge_mac_verdict v = bridge_mac_rx(&b->xl, f, len, b->xl_in);

	return v == BRIDGE_MAC_PASS ? f : v == BRIDGE_MAC_REWRITTEN ? b->xl_in : NULL;
}

static void br_rx(u_char *user, const struct pcap_pkthdr *h, const u_char *f)
{
	struct bridge *b = (struct bridge *)user;
	size_t caplen = h->caplen;

	b->cur.frames++;
	if (caplen < h->len && caplen >= ETH_HLEN && bridge_cap_whole(&b->cap, b->whole, BRIDGE_CAP_SNAPLEN, h->len) > 0) {
		f = b->whole;
		caplen = h->len;
	}
	if (caplen < h->len || caplen < ETH_HLEN) {
		b->cur.oversized += caplen >= ETH_HLEN;
		if (caplen < ETH_HLEN)
			b->host.drop(b->host.opaque, INDYNET_DROP_TRUNCATED);
		return;
	}
	if (b->hr)
		f = bridge_host_seen(b->hr, f, caplen);
	if (!br_wanted(b, f) || (b->xl_on && !(f = br_mac_in(b, f, caplen))))
		return;
	if (caplen <= br_frame_limit(b, f)) {
		br_deliver(b, f, caplen);
		return;
	}
	if (bridge_seg_tcp(f, caplen, b->mtu, b->seg_buf, br_deliver, b) >= 0)
		b->cur.resegmented++;
	else
		b->cur.oversized++;
}

static void br_drain(struct bridge *b)
{
	unsigned total = 0;

	while (total < BRIDGE_DRAIN_CAP && b->cap.p) {
		unsigned want = BRIDGE_DRAIN_CAP - total < BRIDGE_BATCH ? BRIDGE_DRAIN_CAP - total : BRIDGE_BATCH;
		int n;

		b->room = b->host.rx_room(b->host.opaque);
		n = pcap_dispatch(b->cap.p, (int)want, br_rx, (u_char *)b);
		if (n == PCAP_ERROR) {
			br_lost(b, pcap_geterr(b->cap.p));
			return;
		}
		if (n <= 0)
			return;
		total += (unsigned)n;
	}
	if (total >= BRIDGE_DRAIN_CAP)
		b->cur.drained_rounds++;
}

/* ---- backend ops ---- */

/* a frame onto the wire; in host mode rewritten first (@guest: the guest's, not the engine's own) */
static void br_send(struct bridge *b, const uint8_t *frame, size_t len, bool guest)
{
	if (b->xl_on) {
		if (bridge_mac_tx(&b->xl, frame, len, b->xl_out, guest) != BRIDGE_MAC_REWRITTEN)
			return; /* counted by bridge_mac.c */
		frame = b->xl_out;
	}
	if (!b->cap.p || pcap_inject(b->cap.p, frame, len) < 0)
		b->host.drop(b->host.opaque, INDYNET_DROP_BACKEND);
}

/* a guest frame: to the host's own stack when it is for the host, else on the wire */
static void br_input(struct backend *bk, const uint8_t *frame, size_t len)
{
	struct bridge *b = to_bridge(bk);

	if (!b->hr || !bridge_host_input(b->hr, frame, len))
		br_send(b, frame, len, true);
}

static void br_host_counts(struct bridge *b)
{
	struct bridge_host_counts n = bridge_host_counts(b->hr);

	b->hr_cur.frames = n.to_host;
	b->hr_cur.replies = n.from_host;
	b->hr_cur.arp = n.arp;
	b->hr_cur.direct = n.direct;
	b->hr_cur.neigh = n.neigh;
}

static void br_inject(struct backend *bk, const uint8_t *frame, size_t len)
{
	br_send(to_bridge(bk), frame, len, false);
}

static void br_poll_fill(struct backend *bk, struct poll_set *ps, int *timeout_ms)
{
	struct bridge *b = to_bridge(bk);
	uint64_t now = clock_mono_ms();

	b->ps_idx = b->cap.p ? poll_set_add(ps, b->cap.fd, POLLIN) : -1;
	if (!b->cap.p && b->retry_at) {
		int wait = b->retry_at > now ? (int)(b->retry_at - now) : 0;

		if (*timeout_ms < 0 || wait < *timeout_ms)
			*timeout_ms = wait;
	}
	if (b->hr)
		bridge_host_poll_fill(b->hr, ps, timeout_ms);
}

static void br_poll_done(struct backend *bk, const struct poll_set *ps, bool poll_error)
{
	struct bridge *b = to_bridge(bk);
	uint64_t now = clock_mono_ms();
	short rev = 0;

	if (b->cap.p && b->ps_idx >= 0 && (unsigned)b->ps_idx < ps->n)
		rev = ps->fds[b->ps_idx].revents;
	if (rev & (POLLERR | POLLHUP | POLLNVAL))
		br_check_error(b);
	else if (rev & POLLIN)
		br_drain(b);
	if (!b->cap.p && b->retry_at && now >= b->retry_at)
		br_attempt(b);
	if (b->cap.p && now >= b->stats_at) {
		br_read_stats(b);
		br_refresh_lan(b);
		b->stats_at = now + BRIDGE_STATS_MS;
	}
	if (b->hr) {
		bridge_host_poll_done(b->hr, ps, poll_error);
		br_host_counts(b);
	}
	br_publish(b);
}

/* (re)install the kernel filter on the open capture once the guest's MAC is known */
static void br_install_filter(struct bridge *b)
{
	char err[256];

	if (!b->mac_known)
		return;
	bridge_cap_filter_text(b->mac, br_extra(b), err, sizeof(err));
	ilog(INDYNET_LOG_INFO, "bridge: capture filter '%s'", err);
	if (b->cap.p && bridge_cap_filter(&b->cap, b->mac, br_extra(b), err, sizeof(err)) < 0)
		ilog(INDYNET_LOG_WARN, "bridge: %s (frames are filtered in user space instead)", err);
}

static void br_guest_mac(struct backend *bk, const uint8_t mac[6])
{
	struct bridge *b = to_bridge(bk);

	memcpy(b->guest, mac, ETH_ALEN);
	b->guest_known = true;
	bridge_mac_set_guest(&b->xl, mac);
	if (b->xl_on)
		return; /* the station on the wire stays the interface's */
	memcpy(b->mac, mac, ETH_ALEN);
	b->mac_known = true;
	br_install_filter(b);
}

static void br_extra_mac(struct backend *bk, const uint8_t mac[6])
{
	struct bridge *b = to_bridge(bk);

	memcpy(b->extra, mac, ETH_ALEN);
	b->extra_known = true;
	br_install_filter(b);
}

static int br_lan(struct backend *bk, struct backend_lan *out)
{
	struct bridge *b = to_bridge(bk);

	if (b->lan_rc == 0)
		*out = b->lan;
	return b->lan_rc;
}

static void br_status(struct backend *bk, struct indynet_capture_status *st)
{
	struct bridge *b = to_bridge(bk);
	uint64_t now = clock_mono_ms();

	pthread_mutex_lock(&b->lock);
	*st = b->pub;
	st->retry_ms = b->pub_retry_at > now ? (unsigned)(b->pub_retry_at - now) : b->pub_retry_at ? 1u : 0u;
	pthread_mutex_unlock(&b->lock);
}

static void br_mac_status(struct backend *bk, struct indynet_bridge_mac_status *st)
{
	struct bridge *b = to_bridge(bk);

	pthread_mutex_lock(&b->lock);
	*st = b->pub_mac;
	pthread_mutex_unlock(&b->lock);
}

static void br_host_reach(struct backend *bk, struct indynet_host_reach *out)
{
	struct bridge *b = to_bridge(bk);

	pthread_mutex_lock(&b->lock);
	*out = b->hr_pub;
	pthread_mutex_unlock(&b->lock);
}

/* the interface @spec names, from the current list */
static int br_choose(const char *spec, char *name, size_t namelen, char *err, size_t errlen)
{
	struct indynet_interface *list = NULL;
	int n = bridge_if_list(NULL, 0, err, errlen), rc;

	if (n < 0)
		return n;
	list = calloc((size_t)n + 1, sizeof(*list));
	if (!list) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = bridge_if_list(list, (size_t)n, err, errlen);
	rc = n < 0 ? n : bridge_if_choose(spec, list, (size_t)n, name, namelen, err, errlen);
	free(list);
	return rc;
}

static int br_set_interface(struct backend *bk, const char *spec, char *err, size_t errlen)
{
	struct bridge *b = to_bridge(bk);
	char name[sizeof(b->target)], text[256], msg[sizeof(b->cur.error)];
	struct bridge_cap nc;
	int rc = br_choose(spec, name, sizeof(name), err, errlen);

	if (rc < 0)
		return rc;
	rc = bridge_cap_open(&nc, name, b->bufsize, b->mac_known ? b->mac : NULL, br_extra(b), text, sizeof(text));
	if (rc < 0) {
		enum indynet_capture_state st = bridge_status_classify(rc, text);

		bridge_status_explain(st, name, text, msg, sizeof(msg));
		snprintf(err, errlen, "interface %s: reopen failed: %s; keeping the previous interface", name, msg);
		ilog(INDYNET_LOG_WARN, "bridge: %s", err);
		return st == INDYNET_CAPTURE_PERMISSION_DENIED ? -EPERM : -ENODEV;
	}
	if (b->cap.p)
		br_close(b);
	b->cap = nc;
	snprintf(b->target, sizeof(b->target), "%s", name);
	br_opened(b);
	return 0;
}

static void br_free(struct backend *bk)
{
	struct bridge *b = to_bridge(bk);

	bridge_cap_close(&b->cap);
	bridge_host_free(b->hr);
	pthread_mutex_destroy(&b->lock);
	free(b->seg_buf);
	free(b->xl_out);
	free(b);
}

static const struct backend_ops bridge_ops = {
	.name = "bridge",
	.free = br_free,
	.input = br_input,
	.poll_fill = br_poll_fill,
	.poll_done = br_poll_done,
	.guest_mac = br_guest_mac,
	.status = br_status,
	.set_interface = br_set_interface,
	.extra_mac = br_extra_mac,
	.lan = br_lan,
	.inject = br_inject,
	.mac_status = br_mac_status,
	.host_reach = br_host_reach,
};

int bridge_new(const struct backend_params *p, const struct backend_host *host, struct backend **out, char *err,
	       size_t errlen)
{
	struct bridge *b = calloc(1, sizeof(*b));
	int rc;

	if (!b || !(b->seg_buf = malloc(BRIDGE_SEG_BUF)) || !(b->xl_out = malloc(3 * (size_t)BRIDGE_CAP_SNAPLEN))) {
		if (b)
			free(b->seg_buf);
		free(b);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	b->xl_in = b->xl_out + BRIDGE_CAP_SNAPLEN;
	b->whole = b->xl_in + BRIDGE_CAP_SNAPLEN;
	bridge_mac_init(&b->xl);
	b->mac_cfg = p->bridge_mac;
	b->base.ops = &bridge_ops;
	b->host = *host;
	b->mtu = p->mtu;
	b->bufsize = p->capture_buffer;
	b->cap.fd = b->ps_idx = -1;
	b->lan_rc = -ENOENT;
	b->backoff_ms = BRIDGE_RETRY_MIN_MS;
	b->hr_cur.on = p->host_reach;
	pthread_mutex_init(&b->lock, NULL);
	if (p->host_reach && !(b->hr = bridge_host_new(p->mtu, host, err, errlen))) {
		br_free(&b->base);
		return -ENOMEM;
	}
	rc = br_choose(p->interface, b->target, sizeof(b->target), err, errlen);
	if (rc < 0) {
		br_free(&b->base);
		return rc;
	}
	br_attempt(b);
	*out = &b->base;
	return 0;
}
