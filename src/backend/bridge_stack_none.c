/* SPDX-License-Identifier: MIT */
/* bridge_stack_none.c: bridge mode's host reach into the host's own stack where it is not built (not Linux): the host's connections to the guest stay unreached. */
#include <errno.h>

#include "backend/bridge_stack.h"

int bridge_stack_open(void)
{
	return -ENOTSUP;
}

int bridge_stack_send(int fd, const uint8_t *ip, size_t len)
{
	(void)fd;
	(void)ip;
	(void)len;
	return -ENOTSUP;
}

int bridge_stack_neigh(unsigned ifindex, uint32_t ip, const uint8_t *mac)
{
	(void)ifindex;
	(void)ip;
	(void)mac;
	return -ENOTSUP;
}
