/* SPDX-License-Identifier: MIT */
/* phantom.h: the bridge-mode phantom NFS host: its address, its RFC 5227 claim and its state. */
#ifndef INDYNET_ENGINE_PHANTOM_H
#define INDYNET_ENGINE_PHANTOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/arp_probe.h"
#include "engine/vhost.h"
#include "indynet/indynet.h"

/*
 * Thread contract: everything here runs on the engine thread (or before it
 * starts); the engine copies phantom_status() into what other threads read.
 */

/* The phantom's MAC, as the original system's: locally administered, one phantom per engine. */
#define PHANTOM_MAC_INIT { 0x02, 0x00, 0xde, 0xad, 0xbf, 0x53 }

struct nfsvc;

/** The LAN the bridge is on, as the capture interface tells it. */
struct phantom_lan {
	char ifname[32];
	uint32_t host_ip; /* the capture interface's own IPv4 (network byte order) */
	uint32_t net;     /* its network address */
	unsigned prefix;
};

/** Where the phantom's own frames go. */
struct phantom_io {
	void (*to_lan)(void *opaque, const uint8_t *frame, size_t len);   /* through the backend */
	void (*to_guest)(void *opaque, const uint8_t *frame, size_t len); /* towards the guest */
	void *opaque;
};

struct phantom;

/**
 * phantom_new() - a phantom host that will serve @nfs once it has claimed an address.
 * @vt: virtual-host table it adds itself to
 * @nfs: the NFS server (owned by the caller)
 * @io: frame outputs (copied)
 *
 * Return: the phantom (state OFF), or NULL when out of memory.
 */
struct phantom *phantom_new(struct vhost_table *vt, struct nfsvc *nfs, const struct phantom_io *io);

/**
 * phantom_free() - release; the virtual host stays in @vt (the table goes with it).
 * @ph: phantom, may be NULL
 */
void phantom_free(struct phantom *ph);

/**
 * phantom_mac() - the phantom's MAC (02:00:de:ad:bf:53).
 * @ph: phantom
 *
 * Return: 6 bytes, valid as long as @ph.
 */
const uint8_t *phantom_mac(const struct phantom *ph);

/**
 * phantom_claim() - probe @ip and serve there once nobody answers.
 * @ph: phantom
 * @ip: address, network byte order
 * @guest_ip: the guest's address when known (refused), 0 = unknown
 * @now_ms: monotonic clock
 * @err: receives why @ip is refused at once (not on the LAN's subnet ...)
 * @errlen: size of @err
 *
 * Without a LAN yet the address waits (WAITING) and is probed when
 * phantom_set_lan() brings one.  While a probe runs, an address already
 * claimed keeps serving; the new one replaces it only when free.
 *
 * Return: 0 (probing or waiting; the verdict comes with phantom_job()),
 * -EINVAL with @err, or -EBUSY while another probe runs.
 */
int phantom_claim(struct phantom *ph, uint32_t ip, uint32_t guest_ip, uint64_t now_ms, char *err, size_t errlen);

/**
 * phantom_suggest() - probe nfs_ip_candidates() of the LAN; the verdict names the first free one.
 * @ph: phantom
 * @guest_ip: the guest's address when known (never suggested), 0 = unknown
 * @now_ms: monotonic clock
 * @err: receives why nothing can be suggested at once
 * @errlen: size of @err
 *
 * Return: 0 (probing), -ENETDOWN (no LAN yet), -EADDRNOTAVAIL (the
 * subnet has no candidates) or -EBUSY while another probe runs.
 */
int phantom_suggest(struct phantom *ph, uint32_t guest_ip, uint64_t now_ms, char *err, size_t errlen);

/**
 * phantom_job() - collect the verdict of the last claim or suggestion, once.
 * @ph: phantom
 * @ip: receives the address claimed or suggested (network byte order)
 * @err: receives the reason when refused
 * @errlen: size of @err
 *
 * Return: 1 with 0 in *@rc when the job succeeded, 1 with a negative errno
 * in *@rc when it failed (-EADDRINUSE: a host answered, named in @err),
 * 0 while it runs or when there is none.
 */
int phantom_job(struct phantom *ph, int *rc, uint32_t *ip, char *err, size_t errlen);

/**
 * phantom_set_lan() - the LAN appeared, changed (interface switch) or went away (NULL).
 * @ph: phantom
 * @lan: the LAN, or NULL when the capture is not active
 * @guest_ip: the guest's address when known, 0 = unknown
 * @now_ms: monotonic clock
 *
 * A configured address is checked against the new subnet and probed again.
 */
void phantom_set_lan(struct phantom *ph, const struct phantom_lan *lan, uint32_t guest_ip, uint64_t now_ms);

/**
 * phantom_from_lan() - a frame the backend hands towards the guest.
 * @ph: phantom
 * @frame: the frame
 * @len: its length
 *
 * Feeds a running probe and answers other hosts' probes for the claimed
 * address (RFC 5227 defence).
 *
 * Return: true when the frame was for the phantom's MAC (consumed: the
 * guest never sees it).
 */
bool phantom_from_lan(struct phantom *ph, const uint8_t *frame, size_t len);

/**
 * phantom_from_guest() - a guest frame (a guest answering a probe shows the address taken).
 * @ph: phantom
 * @frame: the frame
 * @len: its length
 */
void phantom_from_guest(struct phantom *ph, const uint8_t *frame, size_t len);

/**
 * phantom_tick() - send due probes and settle verdicts.
 * @ph: phantom
 * @now_ms: monotonic clock
 */
void phantom_tick(struct phantom *ph, uint64_t now_ms);

/**
 * phantom_deadline() - when phantom_tick() next has work.
 * @ph: phantom
 *
 * Return: monotonic ms, or UINT64_MAX.
 */
uint64_t phantom_deadline(const struct phantom *ph);

/**
 * phantom_status() - state, address, MAC and error text.
 * @ph: phantom
 * @st: receives the status
 */
void phantom_status(const struct phantom *ph, struct indynet_phantom_status *st);

#endif /* INDYNET_ENGINE_PHANTOM_H */
