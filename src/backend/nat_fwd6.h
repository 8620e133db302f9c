/* SPDX-License-Identifier: MIT */
/* nat_fwd6.h: the NAT's IPv6 port forwards (libslirp's hostxfwd), kept for a new instance. */
#ifndef INDYNET_BACKEND_NAT_FWD6_H
#define INDYNET_BACKEND_NAT_FWD6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include <slirp/libslirp.h>

#include "indynet/indynet.h"

/*
 * An IPv6 forward binds an IPv6-only host socket (SLIRP_HOSTFWD_V6ONLY:
 * an IPv4 forward may hold the same port) on its host address.  A TCP
 * forward without a guest address is handed to libslirp with ::, which
 * libslirp replaces, when a connection arrives, by the first guest address
 * its neighbour discovery learnt (ndp_table.guest_in6_addr: for a booting
 * guest the link-local source of its router solicitation, kept when the
 * guest announces another); so unlike the IPv4 forwards nothing here
 * follows the guest.  libslirp 4.7 does that for TCP only (a UDP datagram
 * to :: goes nowhere), so a UDP forward must name its guest address.  The
 * list is kept to bind them again on a new instance (subnet change) and
 * for --restrict, which lets a UDP forward's answers out.
 */
struct nat_fwd6 {
	struct indynet_forward6 *fw;
	size_t n, cap;
};

/**
 * nat_fwd6_add() - check, bind and remember an IPv6 forward.
 * @t: the forwards
 * @s: the libslirp instance
 * @prefix: the guest's /64 (its gateway ::2 and DNS ::3 are not guest addresses)
 * @fw: the forward
 * @err: receives the reason, naming the forward
 * @errlen: size of @err
 *
 * Return: 0, -EEXIST, -EINVAL, -ENOMEM or the bind's -errno.
 */
int nat_fwd6_add(struct nat_fwd6 *t, Slirp *s, const struct in6_addr *prefix, const struct indynet_forward6 *fw,
		 char *err, size_t errlen);

/**
 * nat_fwd6_remove() - unbind and forget the forward equal to @fw in every part.
 * @t: the forwards
 * @s: the libslirp instance
 * @fw: the forward
 *
 * Return: 0 or -ENOENT.
 */
int nat_fwd6_remove(struct nat_fwd6 *t, Slirp *s, const struct indynet_forward6 *fw);

/**
 * nat_fwd6_rebind() - bind every forward on a new instance; those that fail are dropped.
 * @t: the forwards
 * @s: the new libslirp instance
 * @err: receives the first failure
 * @errlen: size of @err
 *
 * Return: 0 or the first failure's -errno.
 */
int nat_fwd6_rebind(struct nat_fwd6 *t, Slirp *s, char *err, size_t errlen);

/**
 * nat_fwd6_free() - forget every forward (the instance's sockets are its own).
 * @t: the forwards
 */
void nat_fwd6_free(struct nat_fwd6 *t);

#endif /* INDYNET_BACKEND_NAT_FWD6_H */
