/* SPDX-License-Identifier: MIT */
/* backend.c: the backend factory and the wrappers that give optional ops a defined answer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/bridge.h"
#include "backend/nat.h"

int backend_new(const struct backend_params *p, const struct backend_host *host, struct backend **out, char *err,
		size_t errlen)
{
	if (p->mode == INDYNET_MODE_BRIDGE)
		return bridge_new(p, host, out, err, errlen);
	*out = nat_new(p, host, err, errlen);
	return *out ? 0 : -ENOMEM;
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

void backend_guest_mac(struct backend *b, const uint8_t mac[6])
{
	if (b->ops->guest_mac)
		b->ops->guest_mac(b, mac);
}

int backend_status(struct backend *b, struct indynet_capture_status *st)
{
	memset(st, 0, sizeof(*st));
	if (!b->ops->status)
		return -EOPNOTSUPP;
	b->ops->status(b, st);
	return 0;
}

int backend_mac_status(struct backend *b, struct indynet_bridge_mac_status *st)
{
	memset(st, 0, sizeof(*st));
	if (!b->ops->mac_status)
		return -EOPNOTSUPP;
	b->ops->mac_status(b, st);
	return 0;
}

int backend_host_reach(struct backend *b, struct indynet_host_reach *out)
{
	memset(out, 0, sizeof(*out));
	if (!b->ops->host_reach)
		return -EOPNOTSUPP;
	b->ops->host_reach(b, out);
	return 0;
}

int backend_set_interface(struct backend *b, const char *spec, char *err, size_t errlen)
{
	if (!b->ops->set_interface) {
		snprintf(err, errlen, "the interface can only be changed in bridge mode");
		return -EOPNOTSUPP;
	}
	return b->ops->set_interface(b, spec, err, errlen);
}

int backend_forward_add(struct backend *b, const struct indynet_forward *fw, char *err, size_t errlen)
{
	if (!b->ops->forward_add) {
		snprintf(err, errlen, "port forwards exist only in NAT mode");
		return -EOPNOTSUPP;
	}
	return b->ops->forward_add(b, fw, err, errlen);
}

int backend_forward_remove(struct backend *b, const struct indynet_forward *fw)
{
	return b->ops->forward_remove ? b->ops->forward_remove(b, fw) : -ENOENT;
}

size_t backend_forward_list(struct backend *b, struct indynet_forward *out, size_t max)
{
	return b->ops->forward_list ? b->ops->forward_list(b, out, max) : 0;
}

int backend_forward6_add(struct backend *b, const struct indynet_forward6 *fw, char *err, size_t errlen)
{
	if (!b->ops->forward6_add) {
		snprintf(err, errlen, "port forwards exist only in NAT mode");
		return -EOPNOTSUPP;
	}
	return b->ops->forward6_add(b, fw, err, errlen);
}

int backend_forward6_remove(struct backend *b, const struct indynet_forward6 *fw)
{
	return b->ops->forward6_remove ? b->ops->forward6_remove(b, fw) : -ENOENT;
}

size_t backend_forward6_list(struct backend *b, struct indynet_forward6 *out, size_t max)
{
	return b->ops->forward6_list ? b->ops->forward6_list(b, out, max) : 0;
}

void backend_extra_mac(struct backend *b, const uint8_t mac[6])
{
	if (b->ops->extra_mac)
		b->ops->extra_mac(b, mac);
}
