/* SPDX-License-Identifier: MIT */
/* nat.c: NAT backend on libslirp 4.7 (DHCP, DNS relay at the gateway, ICMP echo, TCP/UDP NAT, forwards). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include "backend/nat.h"
#include "backend/nat_accept.h"
#include "backend/nat_dns.h"
#include "backend/nat_dnsfwd.h"
#include "backend/nat_flow.h"
#include "backend/nat_fwd6.h"
#include "backend/nat_inform.h"
#include "backend/nat_restrict.h"
#include "backend/nat_tftp.h"
#include "backend/nat_stale.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/log.h"

/*
 * Theory of operation
 *
 * libslirp is a user-mode TCP/IP stack: it eats guest Ethernet frames
 * (slirp_input), answers ARP and DHCP for its gateway (DHCPINFORM, which
 * it ignores, is answered by nat_inform.c), relays DNS sent to its
 * nameserver address to the host resolver (it reads /etc/resolv.conf
 * itself), and turns guest TCP/UDP/ICMP flows into host sockets.  The
 * gateway address maps to the host's 127.0.0.1 (disable_host_loopback is
 * false).
 *
 * The guest finds DNS at the gateway: libslirp's nameserver address is the
 * subnet's broadcast address, hidden from the guest by the rewrites of
 * nat_dns.c on the frames either way (only DNS and DHCP frames are copied
 * into in_buf/out_buf and changed).  So the DHCP pool starting at .2 never
 * collides with a DNS address, and a /30 works.
 *
 * We drive it with the 4.7 polling API: slirp_pollfds_fill() asks for each
 * socket through add_poll(), which appends to the engine's poll set and
 * returns the index; after poll(2), slirp_pollfds_poll() asks get_revents()
 * with those indices.  Timers use the version-4 timer_new_opaque() callback:
 * we keep them in a short list, fold the earliest deadline into the poll
 * timeout and fire the expired ones through slirp_handle_timer().
 *
 * Every guest flow that makes libslirp open a host socket is counted in
 * nat_flow.c, which refuses new ones past the cap so that a guest cannot
 * take the daemon's descriptors.
 *
 * Subnet changes recreate the instance (libslirp cannot renumber one), then
 * re-add the forwards, which this file remembers for that reason.  The
 * subnets left behind are remembered too (nat_stale.h): a guest still on
 * an old lease can reach nothing of its old subnet through libslirp, which
 * would NAT it to the host's network, but its DNS at the old gateway.
 */

struct nat_timer {
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms; /* -1 = not armed */
	struct nat_timer *next;
};

struct nat {
	struct backend base;
	struct backend_host host;
	Slirp *slirp;
	uint32_t net;   /* network byte order */
	unsigned prefix;
	unsigned mtu;
	struct nat_dns_map dns;
	struct nat_stale stale; /* the subnets served before, for guests still on their leases */
	struct nat_flows *flows; /* the guest's flows holding host sockets, capped */
	uint8_t *in_buf;  /* a guest frame being rewritten for libslirp */
	uint8_t *out_buf; /* a libslirp frame being rewritten for the guest */
	struct nat_timer *timers;
	struct indynet_forward *fwd;
	size_t nfwd, fwd_cap;
	struct nat_fwd6 fwd6;  /* the IPv6 forwards */
	uint32_t guest;       /* the address the guest uses, 0 = not seen yet */
	uint32_t fw_target;   /* where the forwards without a guest address point */
	int64_t fw_follow_ms; /* the earliest moment they may move again */
	const struct backend_nat_opts *opts; /* the engine's; outlives the backend */
	struct sockaddr_in outbound;         /* libslirp keeps a pointer to it */
	struct nat_accept accept; /* forward listeners paused while their accept fails */
	int tftp_fd;                         /* the TFTP root (O_PATH), or -1 */
	struct nat_dnsfwd dnsfwd;            /* --dns: DNS at the gateway to a chosen resolver */
	/* valid during slirp_pollfds_fill/_poll */
	int64_t poll_now_ms;
	struct poll_set *cur_ps;
	const struct poll_set *done_ps;
};

/* IPv6 as slirp4netns numbers it: gateway ::2, DNS ::3 in a /64 */
#define NAT_PREFIX6_LEN 64
#define NAT_GATEWAY6_HOST 2
#define NAT_DNS6_HOST 3

/* the options of a backend built without any: IPv4 NAT only */
static const struct backend_nat_opts nat_opts_ipv4 = { .ipv6 = false };

/* the largest frame either way: a reassembled datagram behind a tagged header */
#define NAT_BUF_CAP (ETH_HLEN + 4 + IPV4_MAX_LEN)

static struct nat *to_nat(struct backend *b)
{
	return (struct nat *)b;
}

static void nat_fw_learn(struct nat *n, uint32_t addr, bool lease);
static void nat_fw_follow(struct nat *n, int64_t now, uint32_t *tmo);

/* the MAC libslirp uses for its gateway: 52:55 + the IPv4 address */
static void nat_gateway_mac(uint32_t gw, uint8_t mac[6])
{
	mac[0] = 0x52;
	mac[1] = 0x55;
	memcpy(mac + 2, &gw, 4);
}

/* address of host number @host inside a subnet (network byte order) */
static uint32_t nat_host_addr(uint32_t net, unsigned host)
{
	return htonl(ntohl(net) + host);
}

/* host @n of the guest's IPv6 prefix */
static struct in6_addr nat_host6(const struct nat *n, uint8_t host)
{
	struct in6_addr a = n->opts->prefix6;

	a.s6_addr[15] = host;
	return a;
}

/* ---- libslirp callbacks ---- */

static ssize_t nat_cb_send(const void *buf, size_t len, void *opaque)
{
	struct nat *n = opaque;
	const struct nat_dns_map *m = &n->dns;
	struct nat_dns_map relay;

	nat_flows_slirp(n->flows, buf, len, (int64_t)clock_mono_ms());
	if (nat_stale_slirp(&n->stale, &n->dns, buf, len, &relay))
		m = &relay; /* to a guest on an earlier subnet: DNS answers from its old gateway */
	switch (nat_dns_slirp_verdict(m, buf, len)) {
	case NAT_DNS_PASS:
		n->host.to_guest(n->host.opaque, buf, len);
		break;
	case NAT_DNS_REWRITE:
		if (len > NAT_BUF_CAP)
			break; /* the engine would drop it as oversized anyway */
		memcpy(n->out_buf, buf, len);
		nat_fw_learn(n, nat_dns_lease(m, buf, len), true);
		nat_dns_slirp_rewrite(m, n->out_buf, len);
		n->host.to_guest(n->host.opaque, n->out_buf, len);
		break;
	case NAT_DNS_DROP:
		n->host.drop(n->host.opaque, INDYNET_DROP_BACKEND);
		break;
	}
	return (ssize_t)len;
}

static void nat_cb_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	ilog(INDYNET_LOG_DEBUG, "nat: guest error: %s", msg);
}

static int64_t nat_cb_clock_ns(void *opaque)
{
	(void)opaque;
	return (int64_t)clock_mono_ns();
}

static void *nat_cb_timer_new(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct nat *n = opaque;
	struct nat_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = n->timers;
	n->timers = t;
	return t;
}

static void nat_cb_timer_free(void *timer, void *opaque)
{
	struct nat *n = opaque;

	for (struct nat_timer **p = &n->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

static void nat_cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	((struct nat_timer *)timer)->expire_ms = expire_ms;
}

static void nat_cb_fd_noop(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void nat_cb_notify(void *opaque)
{
	(void)opaque; /* the engine polls slirp on every loop round */
}

static const SlirpCb nat_callbacks = {
	.send_packet = nat_cb_send,
	.guest_error = nat_cb_guest_error,
	.clock_get_ns = nat_cb_clock_ns,
	.timer_free = nat_cb_timer_free,
	.timer_mod = nat_cb_timer_mod,
	.register_poll_fd = nat_cb_fd_noop,
	.unregister_poll_fd = nat_cb_fd_noop,
	.notify = nat_cb_notify,
	.timer_new_opaque = nat_cb_timer_new,
};

/* ---- polling ---- */

static int nat_add_poll(int fd, int events, void *opaque)
{
	struct nat *n = opaque;
	short ev = 0;
	int idx;

	if (!nat_accept_filter(&n->accept, fd, events, n->poll_now_ms))
		return -1;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	idx = poll_set_add(n->cur_ps, fd, ev);
	nat_accept_polled(&n->accept, fd, idx);
	return idx;
}

static int nat_get_revents(int idx, void *opaque)
{
	struct nat *n = opaque;
	short rev;
	int out = 0;

	if (idx < 0 || (unsigned)idx >= n->done_ps->n)
		return 0;
	rev = n->done_ps->fds[idx].revents;
	if (rev & POLLIN)
		out |= SLIRP_POLL_IN;
	if (rev & POLLOUT)
		out |= SLIRP_POLL_OUT;
	if (rev & POLLPRI)
		out |= SLIRP_POLL_PRI;
	if (rev & (POLLERR | POLLNVAL))
		out |= SLIRP_POLL_ERR;
	if (rev & POLLHUP)
		out |= SLIRP_POLL_HUP;
	return out;
}

static void nat_poll_fill(struct backend *b, struct poll_set *ps, int *timeout_ms)
{
	struct nat *n = to_nat(b);
	uint32_t tmo = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
	int64_t now = (int64_t)clock_mono_ms();

	nat_fw_follow(n, now, &tmo);
	nat_flows_expire(n->flows, now);
	n->cur_ps = ps;
	n->poll_now_ms = now;
	slirp_pollfds_fill(n->slirp, &tmo, nat_add_poll, n);
	n->cur_ps = NULL;
	nat_accept_timeout(&n->accept, now, &tmo);
	nat_dnsfwd_poll_fill(&n->dnsfwd, ps);
	for (const struct nat_timer *t = n->timers; t; t = t->next) {
		if (t->expire_ms < 0)
			continue;
		int64_t d = t->expire_ms > now ? t->expire_ms - now : 0;

		if ((uint64_t)d < tmo)
			tmo = (uint32_t)d;
	}
	*timeout_ms = tmo == UINT32_MAX ? -1 : (int)(tmo > INT32_MAX ? INT32_MAX : tmo);
}

static void nat_fire_timers(struct nat *n)
{
	int64_t now = (int64_t)clock_mono_ms();
	bool fired;

	/* a timer callback may re-arm or free timers: restart after each */
	do {
		fired = false;
		for (struct nat_timer *t = n->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now) {
				t->expire_ms = -1;
				slirp_handle_timer(n->slirp, t->id, t->cb_opaque);
				fired = true;
				break;
			}
		}
	} while (fired);
}

/* --dns: the resolver's answers to the guest (at most a round's worth) */
static void nat_dns_answers(struct nat *n, const struct poll_set *ps)
{
	int64_t now = (int64_t)clock_mono_ms();

	for (unsigned i = 0; i < NAT_DNSFWD_ROUND_MAX; i++) {
		long len = nat_dnsfwd_answer(&n->dnsfwd, ps, n->out_buf, NAT_BUF_CAP, now);

		if (len < 0)
			return;
		if (len > 0)
			n->host.to_guest(n->host.opaque, n->out_buf, (size_t)len);
	}
}

static void nat_poll_done(struct backend *b, const struct poll_set *ps, bool poll_error)
{
	struct nat *n = to_nat(b);

	n->done_ps = ps;
	slirp_pollfds_poll(n->slirp, poll_error, nat_get_revents, n);
	n->done_ps = NULL;
	nat_dns_answers(n, ps);
	if (!poll_error)
		nat_accept_check(&n->accept, ps, (int64_t)clock_mono_ms());
	nat_fire_timers(n);
}

/* the sender address of a guest IPv4 packet or ARP message: what forwards follow */
static void nat_learn_guest(struct nat *n, const uint8_t *f, size_t len)
{
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]); /* len >= ETH_HLEN: the engine checked */
	uint32_t a;

	if (type == ETHERTYPE_IPV4 && len >= ETH_HLEN + IPV4_HLEN)
		memcpy(&a, f + ETH_HLEN + 12, 4);
	else if (type == ETHERTYPE_ARP && len >= ETH_HLEN + 28)
		memcpy(&a, f + ETH_HLEN + 14, 4);
	else
		return;
	nat_fw_learn(n, a, false);
}

/* --restrict: may this guest frame reach libslirp? */
static bool nat_restrict_guest(const struct nat *n, const uint8_t *frame, size_t len)
{
	const struct nat_restrict r = { .gw = n->dns.gw, .gw6 = nat_host6(n, NAT_GATEWAY6_HOST),
					.dns6 = nat_host6(n, NAT_DNS6_HOST), .fwd = n->fwd, .nfwd = n->nfwd,
					.fwd6 = n->fwd6.fw, .nfwd6 = n->fwd6.n };

	return nat_restrict_allows(&r, frame, len);
}

/* --dns: a UDP query to the gateway (or ::3) taken by the relay; true when it was */
static bool nat_dns_relayed(struct nat *n, const uint8_t *frame, size_t len)
{
	struct in6_addr dns6 = nat_host6(n, NAT_DNS6_HOST);

	switch (nat_dnsfwd_guest(&n->dnsfwd, n->dns.gw, n->opts->ipv6 ? dns6.s6_addr : NULL, frame, len,
				 (int64_t)clock_mono_ms())) {
	case NAT_DNSFWD_NOT_MINE:
		return false;
	case NAT_DNSFWD_DROPPED:
		n->host.drop(n->host.opaque, INDYNET_DROP_FLOW_LIMIT);
		return true;
	case NAT_DNSFWD_SENT:
		break;
	}
	return true;
}

static void nat_input(struct backend *b, const uint8_t *frame, size_t len)
{
	struct nat *n = to_nat(b);
	const struct nat_dns_map *m = &n->dns;
	struct nat_dns_map relay;
	size_t reply;

	if (len > NAT_BUF_CAP) {
		n->host.drop(n->host.opaque, INDYNET_DROP_OVERSIZED);
		return;
	}
	nat_learn_guest(n, frame, len);
	if (nat_stale_guest(&n->stale, &n->dns, frame, len, &relay)) {
		/* held in: only DNS to the old gateway goes on, to the relay */
		if (nat_dns_guest_verdict(&relay, frame, len) != NAT_DNS_REWRITE) {
			n->host.drop(n->host.opaque, INDYNET_DROP_OLD_SUBNET);
			return;
		}
		m = &relay;
	}
	reply = nat_inform_reply(&n->dns, frame, len, n->out_buf, NAT_BUF_CAP);
	if (!reply && n->tftp_fd >= 0)
		reply = nat_tftp_refusal(n->tftp_fd, n->dns.gw, frame, len, n->out_buf, NAT_BUF_CAP);
	if (reply) {
		n->host.to_guest(n->host.opaque, n->out_buf, reply);
		return;
	}
	if (n->opts->restrict_guest && !nat_restrict_guest(n, frame, len)) {
		n->host.drop(n->host.opaque, INDYNET_DROP_BACKEND);
		return;
	}
	if (m == &n->dns && nat_dns_relayed(n, frame, len))
		return;
	if (!nat_flows_guest(n->flows, n->dns.gw, frame, len, (int64_t)clock_mono_ms())) {
		n->host.drop(n->host.opaque, INDYNET_DROP_FLOW_LIMIT);
		return;
	}
	switch (nat_dns_guest_verdict(m, frame, len)) {
	case NAT_DNS_PASS:
		slirp_input(n->slirp, frame, (int)len);
		break;
	case NAT_DNS_REWRITE:
		memcpy(n->in_buf, frame, len);
		nat_dns_guest_rewrite(m, n->in_buf, len);
		slirp_input(n->slirp, n->in_buf, (int)len);
		break;
	case NAT_DNS_DROP:
		n->host.drop(n->host.opaque, INDYNET_DROP_NO_SERVICE);
		break;
	}
}

/* ---- forwards ---- */

/*
 * A forward without a guest address follows the guest.  nat_fw_learn()
 * notes the address the guest uses (the source of its IPv4 packets and
 * ARP messages, the address of its DHCP lease; see there for a guest with
 * several addresses); nat_fw_follow(), run from
 * poll_fill outside any libslirp callback, binds those forwards again
 * towards it: libslirp fixes a forward's guest address when it binds the
 * host socket.  A guest that keeps changing its address (aliases in turn)
 * moves them at most once per NAT_FW_FOLLOW_MS; an explicit guest address
 * is the answer for such a guest.
 */
#define NAT_FW_FOLLOW_MS 1000

char *indynet_forward_format(const struct indynet_forward *fw, char *buf, size_t len)
{
	char addr[INET_ADDRSTRLEN + 1] = "";

	if (fw->guest_addr && inet_ntop(AF_INET, &fw->guest_addr, addr, sizeof(addr) - 1))
		strcat(addr, ":");
	snprintf(buf, len, "%s:%u:%s%u%s", fw->udp ? "udp" : "tcp", (unsigned)fw->host_port, addr,
		 (unsigned)fw->guest_port, fw->any ? ":any" : "");
	return buf;
}

static struct in_addr nat_fw_bind(const struct indynet_forward *fw)
{
	struct in_addr a = { .s_addr = fw->any ? htonl(INADDR_ANY) : htonl(INADDR_LOOPBACK) };

	return a;
}

/* both claim the same host socket */
static bool nat_fw_same(const struct indynet_forward *a, const struct indynet_forward *b)
{
	return a->udp == b->udp && a->host_port == b->host_port && a->any == b->any;
}

/* the same forward in every part: what a removal must name */
static bool nat_fw_equal(const struct indynet_forward *a, const struct indynet_forward *b)
{
	return nat_fw_same(a, b) && a->guest_port == b->guest_port && a->guest_addr == b->guest_addr;
}

/* where a forward's connections go now */
static uint32_t nat_fw_target(const struct nat *n, const struct indynet_forward *fw)
{
	return fw->guest_addr ? fw->guest_addr : n->fw_target;
}

/* bind one forward on the current slirp instance; 0 or -errno */
static int nat_fw_bind_one(struct nat *n, const struct indynet_forward *fw)
{
	struct in_addr guest = { .s_addr = nat_fw_target(n, fw) };

	errno = 0;
	if (slirp_add_hostfwd(n->slirp, fw->udp, nat_fw_bind(fw), fw->host_port, guest, fw->guest_port) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

void nat_fwd_bind_error(const char *text, uint16_t host_port, int rc, char *err, size_t errlen)
{
	if (rc == -EADDRINUSE)
		snprintf(err, errlen, "forward '%s': host port %u is in use", text, host_port);
	else if (rc == -EACCES)
		snprintf(err, errlen, "forward '%s': no permission to bind host port %u", text, host_port);
	else
		snprintf(err, errlen, "forward '%s': cannot bind host port %u: %s", text, host_port, strerror(-rc));
}

static void nat_fw_error(const struct indynet_forward *fw, int rc, char *err, size_t errlen)
{
	char text[INDYNET_FORWARD_TEXT_MAX];

	indynet_forward_format(fw, text, sizeof(text));
	if (rc == -EINVAL)
		snprintf(err, errlen, "forward '%s': guest address is not a host address of the NAT subnet", text);
	else
		nat_fwd_bind_error(text, fw->host_port, rc, err, errlen);
}

/* a guest address the forwards may target: a host of the subnet, not the gateway */
static bool nat_fw_addr_ok(const struct nat *n, uint32_t a)
{
	const struct nat_dns_map *m = &n->dns;

	return (a & m->mask) == m->net && a != m->net && a != m->hidden && a != m->gw;
}

/* bind @fw on the current instance, or name why not; 0 or -errno */
static int nat_fw_try(struct nat *n, const struct indynet_forward *fw, char *err, size_t errlen)
{
	int rc = fw->guest_addr && !nat_fw_addr_ok(n, fw->guest_addr) ? -EINVAL : nat_fw_bind_one(n, fw);

	if (rc < 0)
		nat_fw_error(fw, rc, err, errlen);
	return rc;
}

/*
 * Bind the forwards again on the current instance (all of them after a
 * subnet change, @followed_only when the guest moved); a forward that can
 * no longer be bound is dropped, logged and named in @err.  Return: 0 or
 * the first error.
 */
static int nat_fw_rebind(struct nat *n, bool followed_only, char *err, size_t errlen)
{
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < n->nfwd; i++) {
		const struct indynet_forward *fw = &n->fwd[i];
		int rc = 0;

		if (followed_only && fw->guest_addr == 0) {
			slirp_remove_hostfwd(n->slirp, fw->udp, nat_fw_bind(fw), fw->host_port);
			rc = nat_fw_try(n, fw, err, errlen);
		} else if (!followed_only) {
			rc = nat_fw_try(n, fw, err, errlen);
		}
		if (rc < 0) {
			ilog(INDYNET_LOG_WARN, "nat: dropped %s", err);
			ret = ret ? ret : rc;
			continue;
		}
		n->fwd[kept++] = *fw;
	}
	n->nfwd = kept;
	return ret;
}

/* an address an explicit forward names */
static bool nat_fw_named(const struct nat *n, uint32_t a)
{
	for (size_t i = 0; i < n->nfwd; i++)
		if (n->fwd[i].guest_addr == a)
			return true;
	return false;
}

/*
 * Note the address the guest uses (network byte order; @lease: from its
 * DHCPACK, which always counts).  The answers of a guest address an
 * explicit forward names do not move the other forwards away from an
 * address none names: a guest serving tcp:8080:192.168.0.50:80 from a
 * second address keeps its followed forwards on its first.
 */
static void nat_fw_learn(struct nat *n, uint32_t addr, bool lease)
{
	if (addr == n->guest || !nat_fw_addr_ok(n, addr))
		return;
	if (!lease && n->guest && nat_fw_named(n, addr) && !nat_fw_named(n, n->guest))
		return;
	n->guest = addr;
}

/* point the followed forwards at the guest's address when it changed (poll_fill) */
static void nat_fw_follow(struct nat *n, int64_t now, uint32_t *tmo)
{
	char err[160];

	if (!n->guest || n->guest == n->fw_target)
		return;
	if (now < n->fw_follow_ms) {
		if ((uint64_t)(n->fw_follow_ms - now) < *tmo)
			*tmo = (uint32_t)(n->fw_follow_ms - now);
		return;
	}
	n->fw_target = n->guest;
	n->fw_follow_ms = now + NAT_FW_FOLLOW_MS;
	nat_fw_rebind(n, true, err, sizeof(err));
}

static int nat_forward_add(struct backend *b, const struct indynet_forward *fw, char *err, size_t errlen)
{
	struct nat *n = to_nat(b);
	char text[INDYNET_FORWARD_TEXT_MAX];
	int rc;

	for (size_t i = 0; i < n->nfwd; i++) {
		if (nat_fw_same(&n->fwd[i], fw)) {
			indynet_forward_format(fw, text, sizeof(text));
			snprintf(err, errlen, "forward '%s': host port %u is already forwarded", text, fw->host_port);
			return -EEXIST;
		}
	}
	if (n->nfwd == n->fwd_cap) {
		size_t cap = n->fwd_cap ? n->fwd_cap * 2 : 8;
		struct indynet_forward *p = realloc(n->fwd, cap * sizeof(*p));

		if (!p) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		n->fwd = p;
		n->fwd_cap = cap;
	}
	rc = nat_fw_try(n, fw, err, errlen);
	if (rc < 0)
		return rc;
	n->fwd[n->nfwd] = *fw;
	n->fwd[n->nfwd++].target = 0;
	return 0;
}

static int nat_forward_remove(struct backend *b, const struct indynet_forward *fw)
{
	struct nat *n = to_nat(b);

	for (size_t i = 0; i < n->nfwd; i++) {
		if (!nat_fw_equal(&n->fwd[i], fw))
			continue;
		slirp_remove_hostfwd(n->slirp, fw->udp, nat_fw_bind(fw), fw->host_port);
		memmove(&n->fwd[i], &n->fwd[i + 1], (n->nfwd - i - 1) * sizeof(*n->fwd));
		n->nfwd--;
		return 0;
	}
	return -ENOENT;
}

static size_t nat_forward_list(struct backend *b, struct indynet_forward *out, size_t max)
{
	struct nat *n = to_nat(b);

	for (size_t i = 0; i < n->nfwd && i < max; i++) {
		out[i] = n->fwd[i];
		out[i].target = nat_fw_target(n, &n->fwd[i]);
	}
	return n->nfwd;
}

static int nat_forward6_add(struct backend *b, const struct indynet_forward6 *fw, char *err, size_t errlen)
{
	struct nat *n = to_nat(b);
	char text[INDYNET_FORWARD6_TEXT_MAX];

	if (!n->opts->ipv6) {
		indynet_forward6_format(fw, text, sizeof(text));
		snprintf(err, errlen, "forward '%s': IPv6 is off in this NAT", text);
		return -EOPNOTSUPP;
	}
	return nat_fwd6_add(&n->fwd6, n->slirp, &n->opts->prefix6, fw, err, errlen);
}

static int nat_forward6_remove(struct backend *b, const struct indynet_forward6 *fw)
{
	struct nat *n = to_nat(b);

	return nat_fwd6_remove(&n->fwd6, n->slirp, fw);
}

static size_t nat_forward6_list(struct backend *b, struct indynet_forward6 *out, size_t max)
{
	struct nat *n = to_nat(b);

	for (size_t i = 0; i < n->fwd6.n && i < max; i++)
		out[i] = n->fwd6.fw[i];
	return n->fwd6.n;
}

/* ---- instance life cycle ---- */

/* a libslirp instance for the subnet; n->dns is set to its addresses */
static Slirp *nat_slirp_new(struct nat *n, uint32_t net, unsigned prefix)
{
	const struct backend_nat_opts *o = n->opts;
	SlirpConfig cfg;

	nat_dns_map_init(&n->dns, net, prefix);
	cfg = (SlirpConfig){
		.version = 4,
		.restricted = 0,
		.in_enabled = true,
		.vnetwork = { .s_addr = n->dns.net },
		.vnetmask = { .s_addr = n->dns.mask },
		.vhost = { .s_addr = n->dns.gw },
		.in6_enabled = o->ipv6,
		.vprefix_addr6 = o->prefix6,
		.vprefix_len = NAT_PREFIX6_LEN,
		.vhost6 = nat_host6(n, NAT_GATEWAY6_HOST),
		.vhostname = o->hostname,
		.vdhcp_start = { .s_addr = nat_host_addr(net, NAT_GUEST_HOST) },
		.vnameserver = { .s_addr = n->dns.hidden },
		.vnameserver6 = nat_host6(n, NAT_DNS6_HOST),
		.vdnssearch = o->search[0] ? (const char **)o->search : NULL,
		.if_mtu = n->mtu,
		.if_mru = n->mtu,
		.disable_host_loopback = o->no_host_loopback,
		.enable_emu = false,
		.outbound_addr = o->outbound ? &n->outbound : NULL,
		.tftp_path = o->tftp_dir,
		.bootfile = o->bootfile,
	};

	return slirp_new(&cfg, &nat_callbacks, n);
}

static void nat_free(struct backend *b)
{
	struct nat *n = to_nat(b);

	if (n->slirp)
		slirp_cleanup(n->slirp);
	while (n->timers)
		nat_cb_timer_free(n->timers, n);
	free(n->fwd);
	nat_fwd6_free(&n->fwd6);
	nat_dnsfwd_close(&n->dnsfwd);
	if (n->tftp_fd >= 0)
		close(n->tftp_fd);
	nat_flows_free(n->flows);
	free(n->in_buf);
	free(n->out_buf);
	free(n);
}

/*
 * The libslirp instance is recreated (its connections and leases are lost)
 * and the forwards are added again; a forward whose host port can no
 * longer be bound is dropped and named in @err.  Returns 0 or a negative
 * errno (the old subnet stays when -ENOMEM).
 */
static int nat_set_subnet(struct backend *b, uint32_t net, unsigned prefix, char *err, size_t errlen)
{
	struct nat *n = to_nat(b);
	struct nat_dns_map prev = n->dns;
	int ret = 0, rc;

	slirp_cleanup(n->slirp);
	while (n->timers) /* any the old instance left behind must never fire */
		nat_cb_timer_free(n->timers, n);
	n->slirp = nat_slirp_new(n, net, prefix);
	if (!n->slirp) {
		snprintf(err, errlen, "libslirp refused the new subnet");
		net = n->net;
		prefix = n->prefix;
		n->slirp = nat_slirp_new(n, net, prefix);
		if (!n->slirp)
			abort(); /* the configuration that worked a moment ago */
		ret = -ENOMEM;
	}
	nat_stale_push(&n->stale, &prev, &n->dns);
	nat_flows_clear(n->flows); /* the old instance closed every socket */
	n->net = net;
	n->prefix = prefix;
	n->guest = 0; /* learned again in the new subnet */
	n->fw_target = nat_host_addr(net, NAT_GUEST_HOST);
	rc = nat_fw_rebind(n, false, err, errlen);
	if (rc == 0)
		rc = nat_fwd6_rebind(&n->fwd6, n->slirp, err, errlen);
	else
		nat_fwd6_rebind(&n->fwd6, n->slirp, NULL, 0);
	return ret ? ret : rc;
}

static unsigned nat_flows_op(struct backend *b, unsigned *cap)
{
	return nat_flows_count(to_nat(b)->flows, cap);
}

static int nat_gateway(struct backend *b, uint32_t *ip, uint8_t mac[6])
{
	*ip = nat_host_addr(to_nat(b)->net, NAT_GATEWAY_HOST);
	nat_gateway_mac(*ip, mac);
	return 0;
}

static const struct backend_ops nat_ops = {
	.name = "nat",
	.free = nat_free,
	.input = nat_input,
	.poll_fill = nat_poll_fill,
	.poll_done = nat_poll_done,
	.forward_add = nat_forward_add,
	.forward_remove = nat_forward_remove,
	.forward_list = nat_forward_list,
	.forward6_add = nat_forward6_add,
	.forward6_remove = nat_forward6_remove,
	.forward6_list = nat_forward6_list,
	.set_subnet = nat_set_subnet,
	.flows = nat_flows_op,
	.gateway = nat_gateway,
};

/* the TFTP root, if any, opened once: requests resolve beneath it (nat_tftp.h) */
static bool nat_tftp_open(struct nat *n, char *err, size_t errlen)
{
	n->tftp_fd = -1;
	if (!n->opts->tftp_dir)
		return true;
	n->tftp_fd = open(n->opts->tftp_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (n->tftp_fd < 0)
		snprintf(err, errlen, "TFTP folder '%s': %s", n->opts->tftp_dir, strerror(errno));
	return n->tftp_fd >= 0;
}

/* --dns: the relay's socket, connected to the resolver */
static bool nat_dnsfwd_start(struct nat *n, char *err, size_t errlen)
{
	n->dnsfwd = (struct nat_dnsfwd){ .fd = -1, .idx = -1 };
	if (!n->opts->dns_len)
		return true;
	return nat_dnsfwd_open(&n->dnsfwd, (const struct sockaddr *)&n->opts->dns, n->opts->dns_len, n->mtu, err,
			       errlen) == 0;
}

struct backend *nat_new(const struct backend_params *p, const struct backend_host *host, char *err, size_t errlen)
{
	struct nat *n = calloc(1, sizeof(*n));
	bool mem;

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->base.ops = &nat_ops;
	n->host = *host;
	n->net = p->net;
	n->prefix = p->prefix;
	n->mtu = p->mtu;
	n->opts = p->nat ? p->nat : &nat_opts_ipv4;
	n->dnsfwd.fd = -1;
	if (!nat_tftp_open(n, err, errlen)) {
		nat_free(&n->base);
		return NULL;
	}
	if (!nat_dnsfwd_start(n, err, errlen)) {
		nat_free(&n->base);
		return NULL;
	}
	n->outbound = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr = { .s_addr = n->opts->outbound } };
	n->fw_target = nat_host_addr(p->net, NAT_GUEST_HOST);
	n->in_buf = malloc(NAT_BUF_CAP);
	n->out_buf = malloc(NAT_BUF_CAP);
	n->flows = nat_flows_new(p->max_flows ? p->max_flows : INDYNET_NAT_FLOWS_DEFAULT);
	mem = n->in_buf && n->out_buf && n->flows;
	if (mem)
		n->slirp = nat_slirp_new(n, p->net, p->prefix);
	if (!n->slirp) {
		snprintf(err, errlen, mem ? "libslirp refused the NAT configuration" : "out of memory");
		nat_free(&n->base);
		return NULL;
	}
	return &n->base;
}
