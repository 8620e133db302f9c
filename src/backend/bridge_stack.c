/* SPDX-License-Identifier: MIT */
/* bridge_stack.c: bridge mode's host reach into the host's own stack (Linux): a raw IPv4 socket on loopback, a neighbour entry over rtnetlink. */
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "backend/bridge_stack.h"
#include "core/ipv4.h"

/*
 * Theory of operation
 *
 * A packet sent on a raw IPv4 socket with its own header (IPPROTO_RAW
 * implies IP_HDRINCL) to one of the host's addresses is routed through the
 * loopback device and received by the local stack with the route the
 * sending side chose still attached: no input route lookup, so no reverse
 * path filter or martian check, and the guest's source address arrives
 * unchanged, as if the packet had come in on the wire.  The socket is bound
 * to the loopback device, so a destination that is not local (the caller
 * is wrong, or the address just changed) dies there instead of leaving on
 * a wire with a forged source.
 *
 * The neighbour entry: the host's ARP requests for the guest are captured
 * and reach the guest, but its replies are injected and never climb the
 * host's stack, so the host would never resolve the guest's address.  A
 * permanent entry (RTM_NEWNEIGH, NUD_PERMANENT) stands in for the answer.
 */

#define BS_NL_BUF 512

int bridge_stack_open(void)
{
	static const char lo[] = "lo";
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, lo, sizeof(lo)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int bridge_stack_send(int fd, const uint8_t *ip, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };

	memcpy(&to.sin_addr, ip + 16, 4);
	return sendto(fd, ip, len, 0, (const struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
}

/* ---- rtnetlink ---- */

struct bs_req {
	struct nlmsghdr nh;
	struct ndmsg nd;
	char attrs[64];
};

static void bs_attr(struct bs_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* send @r and read its acknowledgement: 0 or the kernel's negative errno */
static int bs_talk(const struct bs_req *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	char buf[BS_NL_BUF];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), rc = -EIO;
	ssize_t n;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (const struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		rc = -errno;
	else if ((n = recv(fd, buf, sizeof(buf), 0)) >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
		 ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR)
		rc = ((struct nlmsgerr *)NLMSG_DATA(buf))->error;
	close(fd);
	return rc;
}

int bridge_stack_neigh(unsigned ifindex, uint32_t ip, const uint8_t *mac)
{
	struct bs_req r = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)), .nlmsg_type = mac ? RTM_NEWNEIGH : RTM_DELNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (mac ? NLM_F_CREATE | NLM_F_REPLACE : 0) },
		.nd = { .ndm_family = AF_INET, .ndm_ifindex = (int)ifindex, .ndm_state = NUD_PERMANENT },
	};

	bs_attr(&r, NDA_DST, &ip, 4);
	if (mac)
		bs_attr(&r, NDA_LLADDR, mac, 6);
	return bs_talk(&r);
}
