/* SPDX-License-Identifier: MIT */
/* bridge_cap.h: one libpcap capture on a host interface: open, guest filter, inject, close. */
#ifndef INDYNET_BACKEND_BRIDGE_CAP_H
#define INDYNET_BACKEND_BRIDGE_CAP_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "indynet/indynet.h"

/* Snap length: a whole 65535-byte IPv4 packet behind an Ethernet header and an 802.1Q tag. */
#define BRIDGE_CAP_SNAPLEN (65535 + 14 + 4)
/* A ring slot holds the interface's MTU plus this: Ethernet header, 802.1Q tag, FCS. */
#define BRIDGE_CAP_LINK_OVERHEAD (14 + 4 + 4)
/* A whole copy that matches no slot this many times in a row is dropped (bridge_cap_whole()). */
#define BRIDGE_CAP_WHOLE_MISSES 8u
/* Longest filter text: "ether dst G or ether dst X or ether broadcast or ether multicast" */
#define BRIDGE_CAP_FILTER_MAX 112

/** An open capture; p == NULL when closed. */
struct bridge_cap {
	pcap_t *p;
	int fd;          /* selectable descriptor, watched by the engine's poll loop */
	char name[64];   /* the interface */
	unsigned whole_misses; /* slots in a row whose whole copy was not at the queue's head */
};

/**
 * bridge_cap_open() - open @name promiscuous, immediate, non-blocking, with a @bufsize kernel buffer.
 * @c: receives the capture (untouched on failure)
 * @name: interface name
 * @bufsize: kernel buffer, bytes
 * @mac: guest MAC to filter on, or NULL while unknown
 * @extra: a second MAC to take frames for (the phantom NFS host's), or NULL
 * @err: receives libpcap's reason on failure
 * @errlen: size of @err
 *
 * Return: 0, or libpcap's negative error code (PCAP_ERROR_PERM_DENIED,
 * PCAP_ERROR_NO_SUCH_DEVICE, ...; PCAP_ERROR when it gives none).
 */
int bridge_cap_open(struct bridge_cap *c, const char *name, size_t bufsize, const uint8_t *mac,
		    const uint8_t *extra, char *err, size_t errlen);

/**
 * bridge_cap_whole() - the whole copy of a frame the ring holds cut (longer than a slot).
 * @c: open capture
 * @buf: receives the frame
 * @cap: size of @buf (BRIDGE_CAP_SNAPLEN suffices)
 * @len: the frame's length on the wire (the ring's pcap_pkthdr.len)
 *
 * The kernel queues such copies in the ring's order, and none while the
 * socket's buffer is full; the copy at the queue's head is taken when its
 * length is @len, left for a later slot otherwise (dropped after
 * BRIDGE_CAP_WHOLE_MISSES slots in a row).
 *
 * Return: @len, or -1 when there is none (the socket's buffer was full).
 */
ssize_t bridge_cap_whole(struct bridge_cap *c, uint8_t *buf, size_t cap, size_t len);

/**
 * bridge_cap_filter() - install the guest's kernel filter (bridge_cap_filter_text()).
 * @c: open capture
 * @mac: the guest's MAC
 * @extra: a second MAC, or NULL
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 or PCAP_ERROR.
 */
int bridge_cap_filter(struct bridge_cap *c, const uint8_t mac[6], const uint8_t *extra, char *err, size_t errlen);

/**
 * bridge_cap_filter_text() - "ether dst <mac> or ether broadcast or ether multicast".
 * @mac: the guest's MAC
 * @extra: NULL, or a second MAC: "ether dst <mac> or ether dst <extra> or ..."
 * @out: receives the text (BRIDGE_CAP_FILTER_MAX bytes suffice)
 * @outlen: size of @out
 */
void bridge_cap_filter_text(const uint8_t mac[6], const uint8_t *extra, char *out, size_t outlen);

/**
 * bridge_cap_close() - close the capture; idempotent.
 * @c: capture
 */
void bridge_cap_close(struct bridge_cap *c);

#endif /* INDYNET_BACKEND_BRIDGE_CAP_H */
