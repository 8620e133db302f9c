/* SPDX-License-Identifier: MIT */
/* backend.c: the backend factory and the wrappers that give optional ops a defined answer. */
#include <errno.h>
#include <stdio.h>

#include "backend/backend.h"
#include "backend/nat.h"

struct backend *backend_new(const struct backend_params *p, const struct backend_host *host, char *err,
			    size_t errlen)
{
	if (p->mode == INDYNET_MODE_NAT)
		return nat_new(p, host, err, errlen);
	snprintf(err, errlen, "bridge mode is not available in this build");
	return NULL;
}

int backend_set_subnet(struct backend *b, uint32_t net, unsigned prefix, char *err, size_t errlen)
{
	if (!b->ops->set_subnet)
		return -EOPNOTSUPP;
	return b->ops->set_subnet(b, net, prefix, err, errlen);
}

int backend_gateway(struct backend *b, uint32_t *ip, uint8_t mac[6])
{
	if (!b->ops->gateway)
		return -ENOENT;
	return b->ops->gateway(b, ip, mac);
}

int backend_lan(struct backend *b, struct backend_lan *out)
{
	if (!b->ops->lan)
		return -ENOENT;
	return b->ops->lan(b, out);
}

void backend_inject(struct backend *b, const uint8_t *frame, size_t len)
{
	if (b->ops->inject)
		b->ops->inject(b, frame, len);
}

unsigned backend_flows(struct backend *b, unsigned *cap)
{
	*cap = 0;
	if (!b->ops->flows)
		return 0;
	return b->ops->flows(b, cap);
}
