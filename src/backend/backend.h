/* SPDX-License-Identifier: MIT */
/* backend.h: the operations table every backend (NAT, bridge) implements, and the factory that picks one. */
#ifndef INDYNET_BACKEND_BACKEND_H
#define INDYNET_BACKEND_BACKEND_H

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indynet/indynet.h"

/*
 * A backend carries the frames the virtual hosts did not consume to the
 * world and brings the world's frames back.  It runs entirely on the
 * engine thread: the engine's poll loop asks it which descriptors to watch
 * (poll_fill), polls, then hands it the results (poll_done).  Frames for
 * the guest leave through backend_host.to_guest.
 *
 * The engine names no backend: it builds one with backend_new() from the
 * mode in its configuration and asks everything else through the ops
 * below.  An op a backend cannot do is NULL; the wrappers after the table
 * turn that into -EOPNOTSUPP (or -ENOENT for a gateway), so callers never
 * test for NULL themselves.
 */

/** Descriptors one poll(2) round watches; grows on demand, never shrinks. */
struct poll_set {
	struct pollfd *fds;
	unsigned n;
	unsigned cap;
};

/**
 * poll_set_add() - append a descriptor to the set.
 * @ps: set
 * @fd: descriptor
 * @events: poll(2) events
 *
 * Return: its index, or -1 when memory ran out.
 */
int poll_set_add(struct poll_set *ps, int fd, short events);

/**
 * poll_set_free() - release the set's storage.
 * @ps: set
 */
void poll_set_free(struct poll_set *ps);

/** What a backend may call back into the engine. */
struct backend_host {
	/* a frame for the guest (engine thread) */
	void (*to_guest)(void *opaque, const uint8_t *frame, size_t len);
	/* a frame (either way) the backend dropped, counted by reason (engine thread) */
	void (*drop)(void *opaque, enum indynet_drop_reason reason);
	/* free slots on the guest's RX ring (engine thread) */
	unsigned (*rx_room)(void *opaque);
	/* the capture status changed (engine thread; bridge mode) */
	void (*status_changed)(void *opaque);
	void *opaque;
};

/** The LAN a bridge backend's capture is on (backend_lan()). */
struct backend_lan {
	char ifname[32];
	uint32_t host_ip;   /* the interface's own IPv4, network byte order */
	uint32_t net;       /* its subnet's network address */
	unsigned prefix;    /* and prefix length */
	uint8_t host_mac[6];
};

struct backend;

struct backend_ops {
	const char *name;
	void (*free)(struct backend *b);
	/* a guest frame the virtual hosts did not consume */
	void (*input)(struct backend *b, const uint8_t *frame, size_t len);
	/* add descriptors to watch; lower *timeout_ms (-1 = none) for timers */
	void (*poll_fill)(struct backend *b, struct poll_set *ps, int *timeout_ms);
	/* after poll(2): handle readiness of the descriptors added and timers */
	void (*poll_done)(struct backend *b, const struct poll_set *ps, bool poll_error);
	int (*forward_add)(struct backend *b, const struct indynet_forward *fw, char *err, size_t errlen);
	int (*forward_remove)(struct backend *b, const struct indynet_forward *fw);
	size_t (*forward_list)(struct backend *b, struct indynet_forward *out, size_t max);
	int (*forward6_add)(struct backend *b, const struct indynet_forward6 *fw, char *err, size_t errlen);
	int (*forward6_remove)(struct backend *b, const struct indynet_forward6 *fw);
	size_t (*forward6_list)(struct backend *b, struct indynet_forward6 *out, size_t max);
	/* move to another subnet (NULL: the backend has no subnet of its own) */
	int (*set_subnet)(struct backend *b, uint32_t net, unsigned prefix, char *err, size_t errlen);
	/* the gateway the engine's virtual hosts live at (NULL: none, as on a LAN) */
	int (*gateway)(struct backend *b, uint32_t *ip, uint8_t mac[6]);
	/* the LAN the capture is on; -ENOENT while there is none (NULL: never, as in NAT) */
	int (*lan)(struct backend *b, struct backend_lan *out);
	/*
	 * put one frame of the engine's own (the phantom NFS host's ARP probes
	 * and defences, source MAC not the guest's) on the wire as it is; it
	 * teaches the backend nothing about the guest (NULL: no wire, as in NAT)
	 */
	void (*inject)(struct backend *b, const uint8_t *frame, size_t len);
	/* live flows holding host sockets, and their cap (NULL: none, as on a LAN) */
	unsigned (*flows)(struct backend *b, unsigned *cap);
	/* the guest's MAC, told when first learned and whenever it changes (NULL: not needed) */
	void (*guest_mac)(struct backend *b, const uint8_t mac[6]);
	/* capture status and counters; the one op callable from any thread (NULL: inactive) */
	void (*status)(struct backend *b, struct indynet_capture_status *st);
	/* move to another host interface (NULL: the backend has none) */
	int (*set_interface)(struct backend *b, const char *spec, char *err, size_t errlen);
	/* also take the LAN's frames for this MAC (the phantom NFS host's; NULL: not needed) */
	void (*extra_mac)(struct backend *b, const uint8_t mac[6]);
	/* MAC translation mode and counters; callable from any thread (NULL: no wire, as in NAT) */
	void (*mac_status)(struct backend *b, struct indynet_bridge_mac_status *st);
	/* host reach: on, and its counters; callable from any thread (NULL: none, as in NAT) */
	void (*host_reach)(struct backend *b, struct indynet_host_reach *out);
};

/** Common head of every backend. */
struct backend {
	const struct backend_ops *ops;
};

/** What backend_new() needs to know; each backend reads its own part. */
/* Most domains in the DHCP search list, and its longest text. */
#define BACKEND_DNS_SEARCH_MAX 8u
#define BACKEND_DNS_SEARCH_LEN 255u

/** NAT options beyond IPv4 NAT (indynet_config version 5), checked by nat_opts_parse(). */
struct backend_nat_opts {
	bool ipv6;                 /* router advertisements, DHCPv6 information, IPv6 NAT */
	struct in6_addr prefix6;   /* the guest's /64: gateway ::2, DNS ::3 */
	bool no_host_loopback;     /* the gateway does not reach the host's loopback */
	bool restrict_guest;       /* only forwards, DNS at the gateway and in-core services */
	const char *hostname;      /* DHCP option 12, or NULL */
	const char *search[BACKEND_DNS_SEARCH_MAX + 1]; /* DHCP option 119, NULL-terminated, into search_text */
	char search_text[BACKEND_DNS_SEARCH_LEN + 1];
	uint32_t outbound;         /* IPv4 source of the NAT's sockets, network byte order; 0 = any */
	const char *tftp_dir;      /* TFTP root at the gateway, or NULL */
	const char *bootfile;      /* the boot file DHCP names, or NULL */
	struct sockaddr_storage dns; /* --dns: the resolver DNS at the gateway goes to (port 53) */
	socklen_t dns_len;         /* 0: the host's resolv.conf (libslirp's relay) */
};

struct backend_params {
	enum indynet_mode mode;
	unsigned mtu;       /* guest MTU */
	uint32_t net;       /* NAT: subnet network address, network byte order */
	unsigned prefix;    /* NAT: subnet prefix length */
	unsigned max_flows; /* NAT: most flows holding host sockets (the engine clamps it) */
	const char *interface; /* bridge: name, 1-based index, "auto" or NULL (= auto) */
	size_t capture_buffer; /* bridge: kernel capture buffer, bytes */
	const struct backend_nat_opts *nat; /* NAT: the options beyond IPv4 NAT */
	enum indynet_bridge_mac bridge_mac; /* bridge: whose MAC the guest's frames carry */
	bool host_reach;       /* bridge: the guest reaches the host's own address (bridge_host.h) */
};

/**
 * backend_new() - build the backend for @p->mode.
 * @p: parameters (validated by the caller)
 * @host: callbacks into the engine (copied)
 * @out: receives the backend
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0, or a negative errno with @err filled.
 */
int backend_new(const struct backend_params *p, const struct backend_host *host, struct backend **out, char *err,
		size_t errlen);

/**
 * backend_set_subnet() - move @b to another subnet (engine thread).
 * @b: backend
 * @net: network address, network byte order
 * @prefix: prefix length
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0, -EOPNOTSUPP when @b has no subnet, or the backend's error.
 */
int backend_set_subnet(struct backend *b, uint32_t net, unsigned prefix, char *err, size_t errlen);

/**
 * backend_gateway() - the address and MAC of @b's gateway.
 * @b: backend
 * @ip: receives the address, network byte order
 * @mac: receives the MAC
 *
 * Return: 0, or -ENOENT when @b has no gateway of its own.
 */
int backend_gateway(struct backend *b, uint32_t *ip, uint8_t mac[6]);

/**
 * backend_lan() - the LAN @b's capture is on.
 * @b: backend
 * @out: receives the interface, its address and subnet
 *
 * Return: 0, or -ENOENT when @b has no LAN (NAT) or its capture is not active.
 */
int backend_lan(struct backend *b, struct backend_lan *out);

/**
 * backend_inject() - put a frame of the engine's own on @b's wire (a no-op without one).
 * @b: backend
 * @frame: Ethernet frame
 * @len: its length
 */
void backend_inject(struct backend *b, const uint8_t *frame, size_t len);

/**
 * backend_flows() - the flows @b holds host sockets for, and their cap.
 * @b: backend
 * @cap: receives the cap (0 when @b keeps no flows)
 *
 * Return: the live flows (0 when @b keeps none).
 */
unsigned backend_flows(struct backend *b, unsigned *cap);

/**
 * backend_forward_add() - add a port forward (engine thread).
 * @b: backend
 * @fw: the forward
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0, -EOPNOTSUPP when @b has no forwards, or the backend's error.
 */
int backend_forward_add(struct backend *b, const struct indynet_forward *fw, char *err, size_t errlen);

/**
 * backend_forward_remove() - remove a port forward (engine thread).
 * @b: backend
 * @fw: the forward
 *
 * Return: 0, -ENOENT (also when @b has no forwards).
 */
int backend_forward_remove(struct backend *b, const struct indynet_forward *fw);

/**
 * backend_forward_list() - copy @b's forwards (engine thread).
 * @b: backend
 * @out: array to fill
 * @max: its capacity
 *
 * Return: the number of forwards (0 when @b has none).
 */
size_t backend_forward_list(struct backend *b, struct indynet_forward *out, size_t max);

/**
 * backend_forward6_add() - add an IPv6 port forward (engine thread).
 * @b: backend
 * @fw: the forward
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0, -EOPNOTSUPP when @b has no IPv6 forwards, or the backend's error.
 */
int backend_forward6_add(struct backend *b, const struct indynet_forward6 *fw, char *err, size_t errlen);

/**
 * backend_forward6_remove() - remove an IPv6 port forward (engine thread).
 * @b: backend
 * @fw: the forward
 *
 * Return: 0, -ENOENT (also when @b has none).
 */
int backend_forward6_remove(struct backend *b, const struct indynet_forward6 *fw);

/**
 * backend_forward6_list() - copy @b's IPv6 forwards (engine thread).
 * @b: backend
 * @out: array to fill
 * @max: its capacity
 *
 * Return: the number of IPv6 forwards (0 when @b has none).
 */
size_t backend_forward6_list(struct backend *b, struct indynet_forward6 *out, size_t max);

/**
 * backend_guest_mac() - tell @b the guest's MAC (engine thread).
 * @b: backend
 * @mac: the MAC
 */
void backend_guest_mac(struct backend *b, const uint8_t mac[6]);

/**
 * backend_status() - @b's capture status (any thread).
 * @b: backend
 * @st: receives the status; all zero (inactive) for a backend without capture
 *
 * Return: 0, or -EOPNOTSUPP when @b has no capture.
 */
int backend_status(struct backend *b, struct indynet_capture_status *st);

/**
 * backend_mac_status() - @b's MAC translation mode and counters (any thread).
 * @b: backend
 * @st: receives them; all zero for a backend without a wire
 *
 * Return: 0, or -EOPNOTSUPP when @b has no wire.
 */
int backend_mac_status(struct backend *b, struct indynet_bridge_mac_status *st);

/**
 * backend_host_reach() - @b's host reach (any thread).
 * @b: backend
 * @out: receives whether it is on and its counters; all zero for a backend without it
 *
 * Return: 0, or -EOPNOTSUPP when @b has none (NAT).
 */
int backend_host_reach(struct backend *b, struct indynet_host_reach *out);

/**
 * backend_set_interface() - move @b to another host interface (engine thread).
 * @b: backend
 * @spec: name, 1-based index or "auto"
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0, -EOPNOTSUPP when @b has no interface, or the backend's error.
 */
int backend_set_interface(struct backend *b, const char *spec, char *err, size_t errlen);

/**
 * backend_extra_mac() - have @b also take the LAN's unicast frames for @mac (engine thread).
 * @b: backend
 * @mac: a MAC of the engine's own virtual hosts (the phantom NFS host)
 */
void backend_extra_mac(struct backend *b, const uint8_t mac[6]);

#endif /* INDYNET_BACKEND_BACKEND_H */
