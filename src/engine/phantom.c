/* SPDX-License-Identifier: MIT */
/* phantom.c: the bridge-mode phantom NFS host: its address, its RFC 5227 claim and its state. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arp.h"
#include "core/clock.h"
#include "core/eth.h"
#include "core/log.h"
#include "engine/nfs_ip.h"
#include "engine/nfsvc.h"
#include "engine/phantom.h"

/*
 * Theory of operation
 *
 * In bridge mode the in-core NFS server lives at an address of its own on
 * the LAN, with its own MAC (02:00:de:ad:bf:53, as the original system's),
 * visible to the guest only: its ARP answers, ping replies and RPC replies
 * go to the guest and never onto the wire.  Before it answers at an
 * address it claims it the RFC 5227 way (arp_probe.c): probes go out on
 * the LAN through the backend and to the guest (which is on the segment
 * too), and every frame the backend hands towards the guest and every
 * guest ARP is shown to the probe.  A host that answers makes the claim
 * fail with an error naming its MAC.
 *
 * States: OFF (nothing configured) -> WAITING (an address, no LAN yet) ->
 * PROBING -> ACTIVE, or REFUSED (in use, or not on the LAN's subnet).  A
 * new address while ACTIVE is probed while the old one keeps serving and
 * replaces it only when free (the virtual host moves, its services with
 * it).  After an interface switch the address is checked against the new
 * subnet and probed again; a conflict then stops the service, since the
 * guest would otherwise talk to the phantom instead of the real host.
 * Once ACTIVE, another host's probe for the address is answered (RFC 5227
 * section 2.4 defence, so a newcomer that probes picks another address)
 * and a host seen using it is reported as a conflict.
 */

enum ph_job { PH_JOB_NONE, PH_JOB_CLAIM, PH_JOB_SUGGEST };

struct phantom {
	struct vhost_table *vt;
	struct nfsvc *nfs;
	struct phantom_io io;
	uint8_t mac[ETH_ALEN];
	enum indynet_phantom_state state;
	uint32_t active_ip; /* serving here; 0 = not serving */
	uint32_t want_ip;   /* configured / being probed; 0 = none */
	bool have_lan;
	struct phantom_lan lan;
	struct arp_probe probe;
	enum ph_job job;
	bool reprobe;       /* the claim re-checks the address after a LAN change */
	bool job_done;
	int job_rc;
	uint32_t job_ip;
	uint32_t cand[NFS_IP_MAX_CANDIDATES];
	size_t ncand;
	bool conflict;
	uint8_t conflict_mac[ETH_ALEN];
	char error[INDYNET_PHANTOM_ERR_MAX];
};

static void ph_ipstr(uint32_t ip, char out[INET_ADDRSTRLEN])
{
	inet_ntop(AF_INET, &ip, out, INET_ADDRSTRLEN);
}

static void ph_macstr(const uint8_t *m, char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

struct phantom *phantom_new(struct vhost_table *vt, struct nfsvc *nfs, const struct phantom_io *io)
{
	static const uint8_t mac[ETH_ALEN] = PHANTOM_MAC_INIT;
	struct phantom *ph = calloc(1, sizeof(*ph));

	if (!ph)
		return NULL;
	ph->vt = vt;
	ph->nfs = nfs;
	ph->io = *io;
	memcpy(ph->mac, mac, ETH_ALEN);
	return ph;
}

void phantom_free(struct phantom *ph)
{
	free(ph);
}

const uint8_t *phantom_mac(const struct phantom *ph)
{
	return ph->mac;
}

static bool ph_probing(const struct phantom *ph)
{
	return arp_probe_deadline(&ph->probe) != UINT64_MAX;
}

/* "" when @ip may be claimed on the LAN, else the reason in @err */
static int ph_check(const struct phantom *ph, uint32_t ip, uint32_t guest_ip, char *err, size_t errlen)
{
	uint32_t mask = ph->lan.prefix ? htonl(~0u << (32 - ph->lan.prefix)) : 0;
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];

	ph_ipstr(ip, a);
	ph_ipstr(ph->lan.net, n);
	if ((ip & mask) != ph->lan.net || ph->lan.prefix >= 31 || ip == ph->lan.net || ip == (ph->lan.net | ~mask)) {
		snprintf(err, errlen, "%s is not a host address on %s's subnet %s/%u", a, ph->lan.ifname, n,
			 ph->lan.prefix);
		return -EINVAL;
	}
	if (ip == ph->lan.host_ip || ip == guest_ip) {
		snprintf(err, errlen, "%s is %s's own address", a, ip == guest_ip ? "the guest" : ph->lan.ifname);
		return -EINVAL;
	}
	return 0;
}

/* arp_probe_send_fn: a probe goes to the LAN and to the guest, which is on the segment too */
static void ph_send_probe(void *opaque, const uint8_t *frame, size_t len)
{
	struct phantom *ph = opaque;

	ph->io.to_lan(ph->io.opaque, frame, len);
	ph->io.to_guest(ph->io.opaque, frame, len);
}

static uint32_t ph_seed(void)
{
	return (uint32_t)clock_mono_ns() ^ ((uint32_t)getpid() << 16);
}

static void ph_start_claim(struct phantom *ph, uint64_t now_ms, bool reprobe)
{
	ph->job = PH_JOB_CLAIM;
	ph->job_done = false;
	ph->reprobe = reprobe;
	arp_probe_start(&ph->probe, ph->mac, &ph->want_ip, 1, &ARP_PROBE_RFC5227, now_ms, ph_seed());
	if (!ph->active_ip)
		ph->state = INDYNET_PHANTOM_PROBING;
}

static void ph_finish_job(struct phantom *ph, int rc, uint32_t ip)
{
	ph->job = PH_JOB_NONE;
	ph->job_done = true;
	ph->job_rc = rc;
	ph->job_ip = ip;
}

/* stop answering at the claimed address (its services go with the host) */
static void ph_deactivate(struct phantom *ph)
{
	if (ph->active_ip)
		vhost_remove_host(ph->vt, ph->active_ip);
	ph->active_ip = 0;
}

int phantom_claim(struct phantom *ph, uint32_t ip, uint32_t guest_ip, uint64_t now_ms, char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN];

	ph_ipstr(ip, a);
	if (ph->have_lan && ph_check(ph, ip, guest_ip, err, errlen) < 0)
		return -EINVAL;
	if (ph_probing(ph)) {
		snprintf(err, errlen, "an ARP probe is already running; try again in a few seconds");
		return -EBUSY;
	}
	ph->want_ip = ip;
	ph->job_done = false;
	if (!ph->have_lan) {
		ph->state = ph->active_ip ? ph->state : INDYNET_PHANTOM_WAITING;
		snprintf(err, errlen, "the capture interface is not active yet; %s will be probed when it is", a);
		return -ENETDOWN;
	}
	if (ip == ph->active_ip) {
		ph_finish_job(ph, 0, ip);
		return 0;
	}
	ph_start_claim(ph, now_ms, false);
	ilog(INDYNET_LOG_INFO, "nfs: ARP-probing %s on %s before the phantom NFS host claims it", a, ph->lan.ifname);
	return 0;
}

int phantom_suggest(struct phantom *ph, uint32_t guest_ip, uint64_t now_ms, char *err, size_t errlen)
{
	uint32_t reserved[3] = { ph->lan.host_ip, guest_ip, ph->active_ip };
	char n[INET_ADDRSTRLEN];

	if (ph_probing(ph)) {
		snprintf(err, errlen, "an ARP probe is already running; try again in a few seconds");
		return -EBUSY;
	}
	if (!ph->have_lan) {
		snprintf(err, errlen, "the capture interface is not active; no subnet to suggest from");
		return -ENETDOWN;
	}
	ph->ncand = nfs_ip_candidates(ph->lan.net, ph->lan.prefix, reserved, 3, ph->cand, NFS_IP_MAX_CANDIDATES);
	if (ph->ncand == 0) {
		ph_ipstr(ph->lan.net, n);
		snprintf(err, errlen, "%s/%u (%s) has no candidate addresses", n, ph->lan.prefix, ph->lan.ifname);
		return -EADDRNOTAVAIL;
	}
	ph->job = PH_JOB_SUGGEST;
	ph->job_done = false;
	arp_probe_start(&ph->probe, ph->mac, ph->cand, ph->ncand, &ARP_PROBE_RFC5227, now_ms, ph_seed());
	return 0;
}

int phantom_job(struct phantom *ph, int *rc, uint32_t *ip, char *err, size_t errlen)
{
	if (!ph->job_done)
		return 0;
	ph->job_done = false;
	*rc = ph->job_rc;
	*ip = ph->job_ip;
	snprintf(err, errlen, "%s", ph->job_rc < 0 ? ph->error : "");
	return 1;
}

static bool ph_lan_same(const struct phantom *ph, const struct phantom_lan *lan)
{
	return ph->have_lan && ph->lan.host_ip == lan->host_ip && ph->lan.net == lan->net &&
	       ph->lan.prefix == lan->prefix && strcmp(ph->lan.ifname, lan->ifname) == 0;
}

/* the LAN went away: a running probe is abandoned, a claimed address keeps serving the guest */
static void ph_lan_lost(struct phantom *ph)
{
	ph->have_lan = false;
	if (!ph_probing(ph))
		return;
	memset(&ph->probe, 0, sizeof(ph->probe));
	snprintf(ph->error, sizeof(ph->error), "the capture interface went down during the ARP probe");
	if (!ph->active_ip && ph->want_ip)
		ph->state = INDYNET_PHANTOM_WAITING;
	ph_finish_job(ph, -ENETDOWN, 0);
}

void phantom_set_lan(struct phantom *ph, const struct phantom_lan *lan, uint32_t guest_ip, uint64_t now_ms)
{
	if (!lan) {
		ph_lan_lost(ph);
		return;
	}
	if (ph_lan_same(ph, lan))
		return;
	ph->have_lan = true;
	ph->lan = *lan;
	if (ph_probing(ph))
		ph_finish_job(ph, -ENETDOWN, 0); /* the LAN changed under the probe */
	memset(&ph->probe, 0, sizeof(ph->probe));
	if (!ph->want_ip)
		return;
	if (ph_check(ph, ph->want_ip, guest_ip, ph->error, sizeof(ph->error)) < 0) {
		ph_deactivate(ph);
		ph->state = INDYNET_PHANTOM_REFUSED;
		ilog(INDYNET_LOG_ERROR, "nfs: phantom NFS host refused: %s", ph->error);
		return;
	}
	ph_start_claim(ph, now_ms, ph->active_ip != 0);
}

/* the claimed address is free: serve there (a live change moves the host and its services) */
static int ph_activate(struct phantom *ph)
{
	int rc = 0;

	if (ph->active_ip)
		rc = vhost_set_host_ip(ph->vt, ph->active_ip, ph->want_ip, NULL);
	else if ((rc = vhost_add_host(ph->vt, ph->want_ip, ph->mac, VHOST_ANSWER_ARP | VHOST_ANSWER_ICMP)) == 0)
		rc = nfsvc_register(ph->vt, ph->want_ip, ph->nfs, ph->error, sizeof(ph->error));
	if (rc < 0) {
		snprintf(ph->error, sizeof(ph->error), "cannot add the phantom host: %s", strerror(-rc));
		return rc;
	}
	nfsvc_set_addr(ph->nfs, ph->want_ip);
	ph->active_ip = ph->want_ip;
	ph->state = INDYNET_PHANTOM_ACTIVE;
	ph->conflict = false;
	ph->error[0] = '\0';
	return 0;
}

static void ph_claim_done(struct phantom *ph)
{
	char a[INET_ADDRSTRLEN], m[18];
	uint8_t mac[ETH_ALEN];

	ph_ipstr(ph->want_ip, a);
	if (arp_probe_result(&ph->probe, 0, mac) == ARP_PROBE_FREE) {
		ph_finish_job(ph, ph_activate(ph), ph->want_ip);
		ph_macstr(ph->mac, m);
		if (ph->job_rc == 0)
			ilog(INDYNET_LOG_INFO, "nfs: phantom NFS host is %s (MAC %s) on %s", a, m, ph->lan.ifname);
		return;
	}
	ph_macstr(mac, m);
	snprintf(ph->error, sizeof(ph->error),
		 "%s is in use on %s by %s (it answered our ARP probe); pick another address "
		 "(indynetd --suggest-nfs-ip)", a, ph->lan.ifname, m);
	ilog(INDYNET_LOG_ERROR, "nfs: phantom NFS host refused: %s", ph->error);
	ph->conflict = true;
	memcpy(ph->conflict_mac, mac, ETH_ALEN);
	if (ph->reprobe || !ph->active_ip) {
		ph_deactivate(ph);
		ph->state = INDYNET_PHANTOM_REFUSED;
	} else {
		ph->want_ip = ph->active_ip; /* a live change that failed: the old address stays */
	}
	ph_finish_job(ph, -EADDRINUSE, 0);
}

static void ph_suggest_done(struct phantom *ph)
{
	char n[INET_ADDRSTRLEN];

	for (size_t i = 0; i < ph->ncand; i++)
		if (arp_probe_result(&ph->probe, i, NULL) == ARP_PROBE_FREE) {
			ph_finish_job(ph, 0, ph->cand[i]);
			return;
		}
	ph_ipstr(ph->lan.net, n);
	snprintf(ph->error, sizeof(ph->error), "every candidate address on %s/%u (%s) answered our ARP probe", n,
		 ph->lan.prefix, ph->lan.ifname);
	ph_finish_job(ph, -EADDRNOTAVAIL, 0);
}

void phantom_tick(struct phantom *ph, uint64_t now_ms)
{
	if (!ph_probing(ph) || arp_probe_tick(&ph->probe, now_ms, ph_send_probe, ph))
		return;
	if (ph->job == PH_JOB_CLAIM)
		ph_claim_done(ph);
	else if (ph->job == PH_JOB_SUGGEST)
		ph_suggest_done(ph);
}

uint64_t phantom_deadline(const struct phantom *ph)
{
	return arp_probe_deadline(&ph->probe);
}

/* RFC 5227 2.4: answer another host's probe for our address; note a host that uses it */
static void ph_defend(struct phantom *ph, const struct arp_view *a)
{
	uint8_t f[ETH_ZLEN];
	char ip[INET_ADDRSTRLEN], m[18];
	size_t n;

	if (!ph->active_ip || memcmp(a->sha, ph->mac, ETH_ALEN) == 0)
		return;
	if (a->op == ARP_OP_REQUEST && a->spa == 0 && a->tpa == ph->active_ip) {
		n = arp_build(f, sizeof(f), a->sha, ARP_OP_REPLY, ph->mac, ph->active_ip, a->sha, 0);
		if (n)
			ph->io.to_lan(ph->io.opaque, f, n);
		return;
	}
	if (a->spa != ph->active_ip || (ph->conflict && memcmp(ph->conflict_mac, a->sha, ETH_ALEN) == 0))
		return;
	ph->conflict = true;
	memcpy(ph->conflict_mac, a->sha, ETH_ALEN);
	ph_ipstr(ph->active_ip, ip);
	ph_macstr(a->sha, m);
	ilog(INDYNET_LOG_WARN, "nfs: %s (phantom NFS host) is also used on %s by %s; pick another address", ip,
	     ph->lan.ifname, m);
}

bool phantom_from_lan(struct phantom *ph, const uint8_t *frame, size_t len)
{
	struct eth_view eth;
	struct arp_view a;

	if (eth_parse(frame, len, &eth) != 0)
		return false;
	if (eth.ethertype == ETHERTYPE_ARP && arp_parse(eth.payload, eth.payload_len, &a) == 0) {
		arp_probe_observe(&ph->probe, frame, len);
		ph_defend(ph, &a);
	}
	return memcmp(eth.dst, ph->mac, ETH_ALEN) == 0;
}

void phantom_from_guest(struct phantom *ph, const uint8_t *frame, size_t len)
{
	arp_probe_observe(&ph->probe, frame, len);
}

void phantom_status(const struct phantom *ph, struct indynet_phantom_status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = ph->state;
	st->ip = ph->state == INDYNET_PHANTOM_ACTIVE ? ph->active_ip : ph->want_ip;
	st->probing_ip = ph_probing(ph) && ph->job == PH_JOB_CLAIM ? ph->want_ip : 0;
	memcpy(st->mac, ph->mac, ETH_ALEN);
	st->conflict = ph->conflict;
	memcpy(st->conflict_mac, ph->conflict_mac, ETH_ALEN);
	snprintf(st->error, sizeof(st->error), "%s", ph->error);
}

const char *indynet_phantom_state_name(enum indynet_phantom_state s)
{
	static const char *const names[] = {
		[INDYNET_PHANTOM_OFF] = "off",
		[INDYNET_PHANTOM_WAITING] = "waiting",
		[INDYNET_PHANTOM_PROBING] = "probing",
		[INDYNET_PHANTOM_ACTIVE] = "active",
		[INDYNET_PHANTOM_REFUSED] = "refused",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}
