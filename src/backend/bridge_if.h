/* SPDX-License-Identifier: MIT */
/* bridge_if.h: the host interfaces a bridge can capture on, and picking one by name, index or "auto". */
#ifndef INDYNET_BACKEND_BRIDGE_IF_H
#define INDYNET_BACKEND_BRIDGE_IF_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/backend.h"
#include "indynet/indynet.h"

/**
 * bridge_if_list() - list the host's network interfaces (libpcap's view, pseudo-devices left out).
 * @out: array to fill, may be NULL when @max is 0
 * @max: its capacity
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the number of interfaces (may exceed @max), or -EIO.
 */
int bridge_if_list(struct indynet_interface *out, size_t max, char *err, size_t errlen);

/**
 * bridge_if_choose() - the interface name a spec means.
 * @spec: NULL, "" or "auto": the first interface that is up, running, not
 *        loopback and has an IPv4 address; a name of the list; a 1-based
 *        index of the list; any other valid name (it may appear later)
 * @list: the interfaces (bridge_if_list())
 * @n: how many
 * @name: receives the name
 * @namelen: its size
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0, -ENODEV ("auto" found nothing; an index out of range) or
 * -EINVAL (not a valid interface name).
 */
int bridge_if_choose(const char *spec, const struct indynet_interface *list, size_t n, char *name, size_t namelen,
		     char *err, size_t errlen);

/**
 * bridge_if_lan() - the interface's first IPv4 address, its subnet and its MAC.
 * @name: interface
 * @out: receives them
 *
 * Return: 0, or -ENOENT when the interface is absent or has no IPv4 address.
 */
int bridge_if_lan(const char *name, struct backend_lan *out);

/**
 * bridge_if_wireless() - whether @name is a Wi-Fi interface (what --bridge-mac auto decides by).
 * @name: interface
 *
 * Linux: SYSFS/class/net/@name/wireless or .../phy80211 exists, SYSFS
 * being /sys, or the INDYNET_SYSFS_ROOT environment variable (a test hook;
 * ignored in a setuid or file-capability process).
 *
 * Return: true when it is wireless.
 */
bool bridge_if_wireless(const char *name);

#endif /* INDYNET_BACKEND_BRIDGE_IF_H */
