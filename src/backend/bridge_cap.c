/* SPDX-License-Identifier: MIT */
/* bridge_cap.c: one libpcap capture on a host interface: open, guest filter, inject, close. */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/bridge_cap.h"

#ifdef __linux__
#include <linux/if_packet.h>
#endif

/*
 * Theory of operation
 *
 * The capture is what a bridge port is to a kernel bridge: promiscuous so
 * that frames for the guest's MAC reach us, immediate mode so that each
 * frame is handed over as it arrives (latency), a kernel ring of the size
 * asked for (libpcap's 2 MiB default loses frames to a busy LAN), and
 * non-blocking so that the engine's poll loop owns the waiting.  Once the
 * guest's MAC is known the kernel filter drops everything the guest would
 * not take before it is copied to us; it is installed again on every open,
 * so a reopen (live switch, recovery) never loses it.
 *
 * Slots: in immediate mode libpcap uses a TPACKET_V2 ring of fixed-size
 * slots, each as large as the snap length, or 64 KiB whenever the
 * interface does any offload (GRO, TSO...), as nearly every NIC and veth
 * does; 32 MiB then holds 512 frames, 25 ms of a 20 kpps broadcast storm,
 * and a descheduled engine thread loses frames.  So the snap length (the
 * slot) is the interface's MTU plus an Ethernet header, a VLAN tag and an
 * FCS (read at every open: a switch re-evaluates it): 32 MiB holds about
 * 20000 frames.  The frames that do not fit, GRO/LRO super-frames and the
 * host's own TSO frames, are not cut: the kernel filter's accept length
 * is raised to the full BRIDGE_CAP_SNAPLEN (libpcap compiles it to the
 * snap length) and PACKET_COPY_THRESH asks the kernel to queue a whole
 * copy of such a frame on the socket beside its cut ring slot
 * (TP_STATUS_COPY), where bridge_cap_whole() reads it.  The socket's
 * receive buffer (the same size as the ring) bounds those copies.
 *
 * Injection writes to the same packet socket.  Its send buffer is made
 * large and the descriptor non-blocking, so a full queue drops one frame
 * (counted by the caller) instead of stalling the engine thread.
 */

#define BRIDGE_CAP_SNDBUF (4 << 20)

#define MAC_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define MAC_ARGS(m) (m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]

void bridge_cap_filter_text(const uint8_t mac[6], const uint8_t *extra, char *out, size_t outlen)
{
	if (extra)
		snprintf(out, outlen, "ether dst " MAC_FMT " or ether dst " MAC_FMT
			 " or ether broadcast or ether multicast", MAC_ARGS(mac), MAC_ARGS(extra));
	else
		snprintf(out, outlen, "ether dst " MAC_FMT " or ether broadcast or ether multicast", MAC_ARGS(mac));
}

/* every accepting return of @prog takes the whole frame, not the snap length (see above) */
static void cap_whole_frames(struct bpf_program *prog)
{
	for (unsigned i = 0; i < prog->bf_len; i++) {
		struct bpf_insn *in = &prog->bf_insns[i];

		if (BPF_CLASS(in->code) == BPF_RET && BPF_RVAL(in->code) == BPF_K && in->k != 0)
			in->k = BRIDGE_CAP_SNAPLEN;
	}
}

int bridge_cap_filter(struct bridge_cap *c, const uint8_t mac[6], const uint8_t *extra, char *err, size_t errlen)
{
	char text[BRIDGE_CAP_FILTER_MAX];
	struct bpf_program prog;
	int rc;

	bridge_cap_filter_text(mac, extra, text, sizeof(text));
	if (pcap_compile(c->p, &prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "filter '%s': %s", text, pcap_geterr(c->p));
		return PCAP_ERROR;
	}
	cap_whole_frames(&prog);
	rc = pcap_setfilter(c->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "filter '%s': %s", text, pcap_geterr(c->p));
		return PCAP_ERROR;
	}
	return 0;
}

/* libpcap's text for @rc, with its detail when it has one */
static void cap_error(pcap_t *p, int rc, char *err, size_t errlen)
{
	const char *detail = p ? pcap_geterr(p) : "";

	if (detail && detail[0])
		snprintf(err, errlen, "%s", detail);
	else
		snprintf(err, errlen, "%s", pcap_statustostr(rc));
}

#ifdef PACKET_COPY_THRESH
/* the ring slot: the interface's largest frame on the wire (BRIDGE_CAP_SNAPLEN when its MTU is unknown) */
static int cap_slot(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd >= 0) {
		rc = ioctl(fd, SIOCGIFMTU, &ifr);
		close(fd);
	}
	if (rc < 0 || ifr.ifr_mtu <= 0 || ifr.ifr_mtu > BRIDGE_CAP_SNAPLEN - BRIDGE_CAP_LINK_OVERHEAD)
		return BRIDGE_CAP_SNAPLEN;
	return ifr.ifr_mtu + BRIDGE_CAP_LINK_OVERHEAD;
}

/* frames longer than a ring slot: a whole copy queued on the socket, up to @bufsize bytes of them */
static void cap_copies(int fd, size_t bufsize)
{
	int on = 1, rcvbuf = bufsize > (size_t)INT32_MAX ? INT32_MAX : (int)bufsize;

	setsockopt(fd, SOL_PACKET, PACKET_COPY_THRESH, &on, sizeof(on));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
}
#else
/* elsewhere (BPF) no fixed slots and no copies: the snap length stays whole */
static int cap_slot(const char *name)
{
	(void)name;
	return BRIDGE_CAP_SNAPLEN;
}

static void cap_copies(int fd, size_t bufsize)
{
	(void)fd;
	(void)bufsize;
}
#endif

static int cap_configure(pcap_t *p, const char *name, size_t bufsize)
{
	int rc = pcap_set_snaplen(p, cap_slot(name));

	rc = rc ? rc : pcap_set_promisc(p, 1);
	rc = rc ? rc : pcap_set_immediate_mode(p, 1);
	return rc ? rc : pcap_set_buffer_size(p, (int)bufsize);
}

/* what the engine needs after activation: Ethernet, non-blocking, a descriptor */
static int cap_ready(struct bridge_cap *c, size_t bufsize, char *err, size_t errlen)
{
	int sndbuf = BRIDGE_CAP_SNDBUF;
	char ebuf[PCAP_ERRBUF_SIZE];

	if (pcap_datalink(c->p) != DLT_EN10MB) {
		snprintf(err, errlen, "not an Ethernet interface (link type %s)",
			 pcap_datalink_val_to_name(pcap_datalink(c->p)) ?: "unknown");
		return PCAP_ERROR;
	}
	if (pcap_setnonblock(c->p, 1, ebuf) < 0 || (c->fd = pcap_get_selectable_fd(c->p)) < 0) {
		snprintf(err, errlen, "cannot poll the capture: %s", ebuf);
		return PCAP_ERROR;
	}
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	cap_copies(c->fd, bufsize);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int bridge_cap_open(struct bridge_cap *c, const char *name, size_t bufsize, const uint8_t *mac,
		    const uint8_t *extra, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bridge_cap n = { .fd = -1 };
	int rc;

	n.p = pcap_create(name, ebuf);
	if (!n.p) {
		snprintf(err, errlen, "%s", ebuf);
		return PCAP_ERROR;
	}
	snprintf(n.name, sizeof(n.name), "%s", name);
	rc = cap_configure(n.p, name, bufsize);
	if (rc == 0)
		rc = pcap_activate(n.p);
	if (rc < 0)
		cap_error(n.p, rc, err, errlen);
	if (rc >= 0)
		rc = cap_ready(&n, bufsize, err, errlen);
	if (rc >= 0 && mac)
		rc = bridge_cap_filter(&n, mac, extra, err, errlen);
	if (rc < 0) {
		pcap_close(n.p);
		return rc;
	}
	*c = n;
	return 0;
}

/*
 * The kernel queues a copy only with a ring slot, in the ring's order, and
 * makes none while the socket's buffer is full: a copy of another length at
 * the head belongs to a later slot (this one had none) and stays; one that
 * keeps failing BRIDGE_CAP_WHOLE_MISSES slots in a row is a stray (its slot
 * was passed over) and goes, so the queue cannot stay stuck.
 */
ssize_t bridge_cap_whole(struct bridge_cap *c, uint8_t *buf, size_t cap, size_t len)
{
	ssize_t n = recv(c->fd, buf, 1, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);

	if (n < 0)
		return -1;
	if ((size_t)n != len && ++c->whole_misses < BRIDGE_CAP_WHOLE_MISSES)
		return -1;
	c->whole_misses = 0;
	n = recv(c->fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC);
	return n < 0 || (size_t)n != len || (size_t)n > cap ? -1 : n;
}

void bridge_cap_close(struct bridge_cap *c)
{
	if (c->p)
		pcap_close(c->p);
	c->p = NULL;
	c->fd = -1;
}
