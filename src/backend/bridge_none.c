/* SPDX-License-Identifier: MIT */
/* bridge_none.c: a build without packet capture (-Dpcap=disabled): bridge mode and its interface list answer so. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend/bridge.h"
#include "backend/caccess.h"

static int bridge_none(char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", CACCESS_NOT_BUILT);
	return -EOPNOTSUPP;
}

int bridge_new(const struct backend_params *p, const struct backend_host *host, struct backend **out, char *err,
	       size_t errlen)
{
	(void)p, (void)host;
	*out = NULL;
	return bridge_none(err, errlen);
}

int indynet_interface_list(struct indynet_interface *out, size_t max, char *err, size_t errlen)
{
	(void)out, (void)max;
	return bridge_none(err, errlen);
}

int indynet_capture_access_check(const char *interface, struct indynet_capture_access *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	snprintf(out->interface, sizeof(out->interface), "%s", interface ? interface : "auto");
	out->verdict = INDYNET_ACCESS_NOT_BUILT;
	snprintf(out->reason, sizeof(out->reason), "%s", CACCESS_NOT_BUILT);
	return 0;
}
