/* SPDX-License-Identifier: MIT */
/* bridge_cap.c: one libpcap capture on a host interface: open, guest filter, inject, close. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "backend/bridge_cap.h"

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

static int cap_configure(pcap_t *p, size_t bufsize)
{
	int rc = pcap_set_snaplen(p, BRIDGE_CAP_SNAPLEN);

	rc = rc ? rc : pcap_set_promisc(p, 1);
	rc = rc ? rc : pcap_set_immediate_mode(p, 1);
	return rc ? rc : pcap_set_buffer_size(p, (int)bufsize);
}

/* what the engine needs after activation: Ethernet, non-blocking, a descriptor */
static int cap_ready(struct bridge_cap *c, char *err, size_t errlen)
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
	rc = cap_configure(n.p, bufsize);
	if (rc == 0)
		rc = pcap_activate(n.p);
	if (rc < 0)
		cap_error(n.p, rc, err, errlen);
	if (rc >= 0)
		rc = cap_ready(&n, err, errlen);
	if (rc >= 0 && mac)
		rc = bridge_cap_filter(&n, mac, extra, err, errlen);
	if (rc < 0) {
		pcap_close(n.p);
		return rc;
	}
	*c = n;
	return 0;
}

void bridge_cap_close(struct bridge_cap *c)
{
	if (c->p)
		pcap_close(c->p);
	c->p = NULL;
	c->fd = -1;
}
