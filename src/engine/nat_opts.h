/* SPDX-License-Identifier: MIT */
/* nat_opts.h: the NAT options of struct indynet_config (version 5), checked and turned into the backend's. */
#ifndef INDYNET_ENGINE_NAT_OPTS_H
#define INDYNET_ENGINE_NAT_OPTS_H

#include <stddef.h>

#include "backend/backend.h"
#include "indynet/indynet.h"

/**
 * nat_opts_parse() - check @c's NAT options and fill @out.
 * @c: configuration (its version 5 fields; zero when an older caller left them)
 * @out: receives the options
 * @err: receives a message naming the bad value
 * @errlen: size of @err
 *
 * An outbound address may name an interface: its first IPv4 address is
 * taken, once, now.
 *
 * Return: 0, or -EINVAL with @err filled.
 */
int nat_opts_parse(const struct indynet_config *c, struct backend_nat_opts *out, char *err, size_t errlen);

#endif
