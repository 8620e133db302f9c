/* SPDX-License-Identifier: MIT */
/* indynet.h: public API of the indynet engine (one engine per emulated guest NIC). */
#ifndef INDYNET_INDYNET_H
#define INDYNET_INDYNET_H

/*
 * Theory of operation
 *
 * An engine connects one guest Ethernet interface to the world.  The
 * emulator (or indynetd's frontend) hands guest frames to
 * indynet_guest_send() and takes frames for the guest from the RX ring with
 * indynet_guest_recv() or indynet_rx_peek()/indynet_rx_pop().
 *
 * Each engine owns one thread running a poll loop over its backend
 * (libslirp in NAT mode, a libpcap capture in bridge mode), an eventfd that wakes it for queued guest TX
 * frames, file descriptors the caller asked it to watch, and timers.
 *
 * A guest frame first meets the virtual hosts (the in-core NFS server and,
 * in bridge mode, its phantom host).  Frames for them are consumed and
 * answered on the RX ring; everything else goes to the backend.
 *
 * NAT mode (libslirp): the subnet (default 192.168.0.0/24) has the gateway
 * at .1 (MAC 52:55 followed by its IPv4 address, as libslirp derives it),
 * which is also the guest's DNS server (DHCP option 6): UDP and TCP to the
 * gateway's port 53 are relayed to the first nameserver of the host's
 * /etc/resolv.conf, which libslirp reads itself (tests run the engine in a
 * mount namespace with their own resolv.conf).  Guests get .2, .3, ... by
 * DHCP (a /30 has room for one).  The subnet's broadcast address is used
 * inside the engine and never carries guest traffic: packets to it are
 * dropped.  Every other port of the gateway's address reaches the host's
 * loopback.  With cfg.export_dir set, UDP 111/1234/2049 at the gateway are
 * served by the in-core NFS server before libslirp sees them.
 *
 * Bridge mode (libpcap): the guest is a host on the LAN of a host
 * interface (cfg.bridge_interface).  Its frames are injected there as they
 * are; the LAN's frames for its MAC, broadcast and multicast are captured
 * (promiscuous, immediate, cfg.capture_buffer bytes of kernel buffer, the
 * kernel filter installed once the guest's MAC is known) and queued for
 * it.  DHCP, ARP and everything else are the LAN's.  TCP/IPv4 super-frames
 * from GRO/LRO are cut back to the MTU.  The capture's state
 * (indynet_capture_status_get()) is retried by itself after a failure, and
 * indynet_set_interface() moves it to another interface on a running engine.
 *
 * Threads: indynet_guest_send() may be called from any one thread (or from
 * the engine thread itself, e.g. inside a watched-fd callback, in which case
 * the frame is processed at once).  The RX ring has one consumer: the
 * caller's thread that drains it.  Configuration calls (forwards, subnet)
 * may be made from any thread; they run on the engine thread and return
 * its verdict.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * INDYNET_API marks each exported function.  The library's modules are
 * compiled with -fvisibility=hidden and linked with a version script
 * (src/libindynet.map, node INDYNET_0): only what is marked here is exported,
 * and the abi-exports test checks that the two sets are the same.
 */
#if defined(__GNUC__)
#define INDYNET_API __attribute__((visibility("default")))
#else
#define INDYNET_API
#endif

/*
 * Configuration versions, as libslirp does it: a caller sets cfg.version to
 * the version its header had (indynet_config_init() does), and the engine
 * reads only the fields that version has; later fields count as zero.  Each
 * field below is marked with the version that introduced it, and within a
 * version plain values come before callbacks and their opaque pointers.
 *
 *   1  the first release: mode ... capture_file, log callback, rx_notify
 *   2  rx_deliver (present before, but never announced by a version)
 *   3  bridge mode: bridge_interface, capture_buffer, nfs_bridge_ip, status_notify
 *   4  nfs_cache_nodes, nfs_cache_fds, nat_max_flows
 *   5  NAT as QEMU's user network offers it: nat_ipv6, nat_prefix6,
 *      nat_no_host_loopback, nat_restrict, nat_hostname, nat_dns_search,
 *      nat_outbound_addr, nat_tftp_dir, nat_bootfile, nat_dns (a version 4
 *      configuration keeps IPv6 off); bridge mode: bridge_mac,
 *      bridge_host_reach_off; nfs_transport; any mode: impair (a test and
 *      diagnosis aid)
 *
 * Fields of a version not yet released may still move; released ones never do.
 */
#define INDYNET_CONFIG_VERSION_MIN 1
#define INDYNET_CONFIG_VERSION_MAX 5
#define INDYNET_CONFIG_VERSION INDYNET_CONFIG_VERSION_MAX

/** Largest Ethernet frame (without FCS) the engine moves: 14 + 65521 rounded up. */
#define INDYNET_FRAME_MAX 65536u
/** Depth of the RX ring (frames waiting for the guest). */
#define INDYNET_RX_RING_FRAMES 256u
/** Default and least NAT flow cap (indynet_config.nat_max_flows). */
#define INDYNET_NAT_FLOWS_DEFAULT 1024u
#define INDYNET_NAT_FLOWS_MIN 16u

/** Default and limits of the guest MTU. */
#define INDYNET_MTU_DEFAULT 1500u
#define INDYNET_MTU_MIN 576u
#define INDYNET_MTU_MAX 65520u
/** Bridge mode: default and limits of the kernel capture buffer (bytes). */
#define INDYNET_CAPTURE_BUFFER_DEFAULT (32u << 20)
#define INDYNET_CAPTURE_BUFFER_MIN (256u << 10)
#define INDYNET_CAPTURE_BUFFER_MAX (1024u << 20)

enum indynet_mode {
	INDYNET_MODE_NAT = 0,
	INDYNET_MODE_BRIDGE = 1,
};

enum indynet_log_level {
	INDYNET_LOG_ERROR = 0,
	INDYNET_LOG_WARN = 1,
	INDYNET_LOG_INFO = 2,
	INDYNET_LOG_DEBUG = 3,
};

enum indynet_nfs_version {
	INDYNET_NFS_AUTO = 0, /* serve v2 and v3 */
	INDYNET_NFS_V2 = 2,
	INDYNET_NFS_V3 = 3,
};

/** The transports the in-core NFS server (portmap, MOUNT, NFS) answers on. */
enum indynet_nfs_transport {
	INDYNET_NFS_TRANSPORT_BOTH = 0, /* UDP and TCP */
	INDYNET_NFS_TRANSPORT_UDP = 1,  /* UDP only: TCP segments to the ports are refused (RST) */
	INDYNET_NFS_TRANSPORT_TCP = 2,  /* TCP only: UDP datagrams to the ports go unanswered */
};

enum indynet_attr_model {
	INDYNET_ATTR_SQUASH = 0, /* host modes, configured owner */
	INDYNET_ATTR_MAPPED = 1, /* guest owner/mode/rdev in user.indynet.* xattrs */
};

/** Why a frame or datagram was dropped; each reason has its own counter. */
enum indynet_drop_reason {
	INDYNET_DROP_TRUNCATED = 0,  /* shorter than its headers claim */
	INDYNET_DROP_OVERSIZED,      /* larger than INDYNET_FRAME_MAX or the MTU */
	INDYNET_DROP_MALFORMED,      /* bad version, header length, checksum ... */
	INDYNET_DROP_RX_RING_FULL,   /* no room on the guest's RX ring */
	INDYNET_DROP_TX_RING_FULL,   /* no room on the guest TX queue */
	INDYNET_DROP_FRAG_OVERLAP,   /* overlapping fragments: datagram dropped */
	INDYNET_DROP_FRAG_TIMEOUT,   /* incomplete datagram aged out (5 s) */
	INDYNET_DROP_FRAG_LIMIT,     /* too many datagrams / bytes in progress */
	INDYNET_DROP_FRAG_TOO_BIG,   /* reassembled datagram would exceed 65535 */
	INDYNET_DROP_NO_SERVICE,     /* virtual-host datagram to a port nobody serves */
	INDYNET_DROP_BACKEND,        /* the backend refused the frame (NAT: a --restrict'ed guest's new flow) */
	INDYNET_DROP_OLD_SUBNET,     /* NAT: a guest still on an earlier subnet's lease sent to that subnet */
	INDYNET_DROP_FLOW_LIMIT,     /* NAT: a new flow while nat_max_flows flows hold host sockets */
	INDYNET_DROP_RX_FLUSHED,     /* queued for a guest connection that went away (indynet_rx_flush) */
	INDYNET_DROP__COUNT
};

/** A live TCP or UDP port forward host -> guest (NAT mode). */
struct indynet_forward {
	bool udp;            /* false: TCP */
	uint16_t host_port;  /* on 127.0.0.1, or 0.0.0.0 when any */
	uint16_t guest_port;
	bool any;            /* bind all host addresses instead of 127.0.0.1 */
	/*
	 * The guest address connections go to, network byte order.  0: the
	 * guest's current address, followed as it changes (learned from its
	 * DHCP lease, its ARP and its traffic; .2 of the subnet until known).
	 */
	uint32_t guest_addr;
	uint32_t target;     /* indynet_forward_list() only: where connections go now */
};

/*
 * An IPv6 port forward host -> guest (NAT mode with IPv6 on): connections
 * to [host_addr]:host_port on the host reach [guest_addr]:guest_port in the
 * guest.  Its own type, so that struct indynet_forward keeps its layout.
 */
struct indynet_forward6 {
	bool udp;               /* false: TCP */
	uint16_t host_port;
	uint16_t guest_port;
	uint8_t host_addr[16];  /* the host address bound: ::1, or :: for every address (IPv6 only) */
	/*
	 * The guest address connections go to.  All zero: the guest's own
	 * address, the first one libslirp learns from the guest's neighbour
	 * discovery (for a booting guest the link-local fe80:: address of its
	 * router solicitation), not moved when the guest announces another;
	 * TCP only, a UDP forward must name one.
	 */
	uint8_t guest_addr[16];
};

struct indynet_stats {
	uint64_t tx_frames; /* guest -> world */
	uint64_t tx_bytes;
	uint64_t rx_frames; /* world -> guest, queued on the RX ring */
	uint64_t rx_bytes;
	uint64_t drops[INDYNET_DROP__COUNT];
	bool guest_mac_known;
	uint8_t guest_mac[6];
	uint32_t guest_ip;          /* network byte order, 0 until learned */
	int64_t last_activity_ms;   /* CLOCK_REALTIME ms of the last guest frame, 0 = never */
	uint32_t nat_flows;         /* NAT: guest flows holding a host socket now */
	uint32_t nat_flow_cap;      /* NAT: the most it may hold (0 in bridge mode) */
};

/** The in-core NFS server's counters and cache figures (indynet_nfs_stats_get()). */
struct indynet_nfs_stats {
	uint64_t calls;                 /* calls run */
	uint64_t queue_drops;           /* calls dropped: the worker's queue was full */
	uint64_t drc_replays;           /* retransmissions answered from the duplicate-request cache */
	uint64_t drc_inprogress_drops;  /* retransmissions dropped: the original still queued or running */
	uint64_t answer_drops;          /* answers dropped: their virtual host had gone */
	uint32_t queue_depth, queue_max; /* calls waiting for the worker now; calls + answers in flight at most */
	uint32_t drc_entries;
	uint32_t nodes, nodes_max;      /* objects of the export cached; the bound */
	uint64_t node_hits, node_misses;
	uint32_t fds, fds_max;          /* open descriptors cached; the bound */
	uint64_t fd_hits, fd_misses;
	uint64_t handles_kernel;        /* cache misses resolved through the kernel file handle */
	uint64_t handles_searched;      /* cache misses resolved by scanning or searching directories */
	uint64_t handles_jukebox;       /* calls told to retry (v3 JUKEBOX, v2 no answer) meanwhile */
	uint64_t handles_stale;         /* handles that named nothing of the export */
	uint64_t search_entries;        /* directory entries read by background searches */
};

/**
 * A link impairment (indynet_impair_parse(), cfg.impair): each direction
 * draws, for every frame, whether it is lost, duplicated or held back
 * behind the next one (rates in parts per million), from a generator
 * seeded by @seed; every frame that goes through waits @delay_ms.
 */
struct indynet_impair {
	uint32_t loss_ppm, dup_ppm, reorder_ppm;
	uint32_t delay_ms;
	uint64_t seed;
};

/** What the link impairment did, both directions together (indynet_impair_stats_get()). */
struct indynet_impair_stats {
	uint64_t dropped;     /* frames lost on purpose */
	uint64_t duplicated;  /* frames sent twice */
	uint64_t reordered;   /* frames held back behind the next one */
	uint64_t delayed;     /* frames that waited delay_ms */
	uint64_t overflow;    /* frames lost because the delay queue was full */
	uint32_t queued;      /* frames waiting now (delayed or held back) */
};

/** The in-core NFS server's TCP end (indynet_nfs_tcp_stats_get()): connections and records. */
struct indynet_nfs_tcp_stats {
	uint64_t opened;          /* connections accepted (SYN answered) */
	uint64_t refused;         /* SYNs answered RST: connection limits, or TCP switched off */
	uint64_t closed;          /* connections ended, however */
	uint64_t timeouts;        /* reset by a timer: idle, half a record held, no acknowledgement */
	uint64_t resets_sent;     /* RSTs sent (refusals and timeouts included) */
	uint64_t resets_rcvd;     /* connections the guest reset */
	uint64_t retransmits;     /* rewinds: timer expiries and triple duplicate ACKs */
	uint64_t out_of_order;    /* segments past the next expected byte (dropped, re-acknowledged) */
	uint64_t records;         /* call records taken */
	uint64_t oversize;        /* connections reset for a record over the limit (1 MiB + 4 KiB) */
	uint32_t conns;           /* open now */
	uint32_t conns_max;       /* the table's bound */
};

/** Longest path of struct indynet_nfs_client, NUL included (longer ones are cut). */
#define INDYNET_NFS_PATH_MAX 256

/** A client that mounted the export and has not unmounted it (indynet_nfs_clients_get()). */
struct indynet_nfs_client {
	uint32_t addr;                    /* IPv4, network byte order */
	char path[INDYNET_NFS_PATH_MAX];  /* the path it mounted */
};

/** Longest error text of struct indynet_phantom_status, NUL included. */
#define INDYNET_PHANTOM_ERR_MAX 192

/** The bridge-mode phantom NFS host's state (indynet_phantom_get()). */
enum indynet_phantom_state {
	INDYNET_PHANTOM_OFF = 0,  /* no address set (or NAT mode, where NFS is at the gateway) */
	INDYNET_PHANTOM_WAITING,  /* an address is set; waiting for the capture interface */
	INDYNET_PHANTOM_PROBING,  /* ARP-probing the address (RFC 5227) before claiming it */
	INDYNET_PHANTOM_ACTIVE,   /* serving ARP, ping and NFS at the address */
	INDYNET_PHANTOM_REFUSED,  /* not claimed: in use on the LAN, or not on its subnet (error says) */
};

struct indynet_phantom_status {
	enum indynet_phantom_state state;
	uint32_t ip;             /* ACTIVE: the address served; otherwise the one wanted; 0 = none */
	uint32_t probing_ip;     /* an address being probed (a live change while ACTIVE), 0 = none */
	uint8_t mac[6];          /* the phantom's MAC, 02:00:de:ad:bf:53 */
	bool conflict;           /* a LAN host was seen using (or answering for) the address */
	uint8_t conflict_mac[6]; /* that host's MAC */
	char error[INDYNET_PHANTOM_ERR_MAX]; /* the last refusal, "" if none */
};

/** Bridge mode: the state of the capture on the host interface. */
enum indynet_capture_state {
	INDYNET_CAPTURE_INACTIVE = 0,          /* not open yet (or NAT mode) */
	INDYNET_CAPTURE_ACTIVE,                /* open, frames flow */
	INDYNET_CAPTURE_PERMISSION_DENIED,     /* the open was refused: CAP_NET_RAW/CAP_NET_ADMIN missing */
	INDYNET_CAPTURE_DEVICE_ERROR,          /* the interface is absent, down or failed */
};

/** Bridge mode: whose MAC the guest's frames carry on the wire (indynet_config.bridge_mac). */
enum indynet_bridge_mac {
	INDYNET_BRIDGE_MAC_AUTO = 0,  /* host on a wireless interface, guest otherwise */
	INDYNET_BRIDGE_MAC_GUEST,     /* the guest's own: plain bridging */
	INDYNET_BRIDGE_MAC_HOST,      /* the host interface's: MAC translation, for Wi-Fi */
};

/** Bridge mode: what indynet_capture_status_get() reports. */
struct indynet_capture_status {
	enum indynet_capture_state state;
	uint64_t generation;      /* +1 on every change of state, interface or error text */
	char interface[64];       /* the interface captured on (or being retried), "" = none */
	char error[256];          /* the last error, "" when active; names the fix for permission-denied */
	unsigned retry_ms;        /* next open attempt in this many ms; 0 = none pending */
	uint64_t frames;          /* frames the capture delivered (before the filters below) */
	uint64_t kernel_drops;    /* pcap_stats() ps_drop since the open (the capture buffer overflowed) */
	uint64_t own_frames;      /* frames with the guest's own source MAC (its echoes): dropped */
	uint64_t not_for_guest;   /* frames the guest's filter would reject, drained: dropped */
	uint64_t shed;            /* broadcast/multicast dropped to keep RX ring room for the guest's unicast */
	uint64_t drained_rounds;  /* loop rounds that hit the drain cap (the rest waits for the next round) */
	uint64_t resegmented;     /* GRO/LRO TCP super-frames cut back to the MTU */
	uint64_t oversized;       /* other frames above the MTU: dropped */
	uint64_t reopens;         /* successful opens after the first */
};

/** Bridge mode: the MAC translation in force and its counters (indynet_bridge_mac_status_get()). */
struct indynet_bridge_mac_status {
	enum indynet_bridge_mac mode; /* GUEST or HOST (AUTO is resolved at each open); AUTO before the first */
	uint64_t translated;      /* host mode: frames rewritten, both ways */
	uint64_t unmatched;       /* host mode: LAN frames at the host's MAC for no inner station; guest IPv6 */
	uint64_t refused;         /* host mode: guest frames claiming the host's own IPv4 address: dropped */
};

/** Bridge mode: what indynet_host_reach_get() reports (the guest reaching the host it runs on). */
struct indynet_host_reach {
	bool on;                  /* cfg.bridge_host_reach_off was false */
	uint64_t frames;          /* guest frames taken for the host's own address, given to its stack */
	uint64_t replies;         /* frames of the host's answers sent to the guest */
	uint64_t arp;             /* the guest's ARP requests for the host's address, answered */
	uint64_t direct;          /* the guest's answers to connections the host opened, given to its stack */
	uint64_t neigh;           /* neighbour entries installed on the host for the guest's address */
};

/** Bridge mode: one host interface as indynet_interface_list() reports it. */
struct indynet_interface {
	unsigned index;           /* 1-based position in the list (what "--interface N" picks) */
	char name[64];
	char description[128];    /* "" when the system has none */
	char addresses[256];      /* "192.168.1.5/24 fe80::1/64", "" = none */
	bool up, running, loopback, wireless, has_ipv4;
};

/** What this build of the library can do (indynet_build_info_get()). */
struct indynet_build_info {
	bool packet_capture;      /* bridge mode and the capture check: built with libpcap (-Dpcap) */
	char pcap_version[128];   /* libpcap's own version text, "" without packet capture */
	char slirp_version[32];   /* libslirp's version (NAT mode) */
	bool nfs_v2, nfs_v3;      /* NFS versions the in-core server can serve */
};

/** What indynet_capture_access_check() found: can this process capture, and if not, why. */
enum indynet_access_verdict {
	INDYNET_ACCESS_WORKS = 0,        /* a capture opens on the interface */
	INDYNET_ACCESS_NO_PERMISSION,    /* Linux: the binary has no cap_net_raw,cap_net_admin (and we are not
					  * root); macOS: /dev/bpf* not readable and writable by the user */
	INDYNET_ACCESS_CAPS_IGNORED,     /* Linux: the binary's capabilities cannot take effect: its filesystem
					  * is mounted nosuid or holds no extended attributes, or no_new_privs */
	INDYNET_ACCESS_NO_INTERFACE,     /* the interface does not exist ("auto": none suitable) */
	INDYNET_ACCESS_NO_DRIVER,        /* Windows: Npcap is not installed */
	INDYNET_ACCESS_NOT_BUILT,        /* this build has no packet capture support */
	INDYNET_ACCESS_FAILED,           /* the open failed for another reason (the reason says) */
};

/** indynet_capture_access_check()'s answer. */
struct indynet_capture_access {
	enum indynet_access_verdict verdict;
	bool can_enable;          /* an administrator can grant the right to the binary (Linux: setcap) */
	char interface[64];       /* the interface tried, "" when none was found */
	char binary[512];         /* the program that captures (this process's executable) */
	char reason[512];         /* what was found, one or two sentences */
	char fix[512];            /* the exact fix for this OS, "" when it works */
};

typedef void (*indynet_log_fn)(void *opaque, enum indynet_log_level level, const char *msg);
typedef void (*indynet_notify_fn)(void *opaque);
typedef void (*indynet_fd_fn)(void *opaque, int fd, short revents);
typedef bool (*indynet_deliver_fn)(void *opaque, const uint8_t *frame, size_t len);

struct indynet_config {
	/* ---- version 1: plain values ---- */
	unsigned version;            /* INDYNET_CONFIG_VERSION_MIN..INDYNET_CONFIG_VERSION_MAX */
	enum indynet_mode mode;
	const char *nat_subnet;      /* "A.B.C.D/P"; NULL = 192.168.0.0/24 */
	unsigned mtu;                /* 0 = INDYNET_MTU_DEFAULT */

	const char *export_dir;      /* NULL = no NFS server */
	enum indynet_nfs_version nfs_version;
	bool read_only;
	enum indynet_attr_model attr_model;
	uint32_t nfs_uid, nfs_gid;   /* owner shown in the squash model */

	const char *capture_file;    /* pcapng of every guest frame; NULL = none */

	enum indynet_log_level log_level;

	/* ---- version 1: callbacks and their opaque pointers ---- */
	indynet_log_fn log;          /* this engine's messages only; NULL = the indynet_set_log() sink */
	void *log_opaque;

	/*
	 * Called on the engine thread after frames were queued on the RX ring
	 * (once per batch).  NULL: use indynet_rx_fd() instead.
	 */
	indynet_notify_fn rx_notify;
	void *rx_notify_opaque;

	/* ---- version 2: callbacks ---- */

	/*
	 * Optional fast path for a consumer that runs on the engine thread
	 * (indynetd's frontends do): called with a frame for the guest while
	 * the RX ring is empty.  Return true when the frame was delivered; it
	 * is then counted and captured but not queued.  Return false to have
	 * it queued on the RX ring as usual.  Receives rx_notify_opaque.
	 */
	indynet_deliver_fn rx_deliver;

	/* ---- version 3: plain values ---- */
	const char *bridge_interface; /* bridge mode: name, 1-based index or "auto"; NULL = "auto" */
	size_t capture_buffer;        /* bridge mode: kernel capture buffer, bytes; 0 = INDYNET_CAPTURE_BUFFER_DEFAULT */
	/*
	 * Bridge mode: "A.B.C.D" of the phantom NFS host that serves
	 * export_dir to the guest (on the capture interface's subnet, claimed
	 * after an RFC 5227 ARP probe); NULL = none until
	 * indynet_set_nfs_bridge_ip().
	 */
	const char *nfs_bridge_ip;

	/* ---- version 3: callbacks ---- */

	/*
	 * Bridge mode: called on the engine thread whenever the capture status
	 * changes (indynet_capture_status_get() tells the new one).  NULL: poll
	 * indynet_capture_status_get() and compare its generation.
	 */
	indynet_notify_fn status_notify;
	void *status_opaque;

	/* ---- version 4: plain values ---- */
	unsigned nfs_cache_nodes;     /* objects of the export the NFS server caches; 0 = 65536 (least 64) */
	unsigned nfs_cache_fds;       /* descriptors it keeps open; 0 = 512 (least 16) */
	/*
	 * NAT: most guest flows (UDP source ports, TCP connections, echo
	 * requests) holding a host socket at once; 0 = INDYNET_NAT_FLOWS_DEFAULT.
	 * Never more than the descriptor limit leaves (RLIMIT_NOFILE less the
	 * NFS descriptors less 64); new flows past it are refused, counted as
	 * INDYNET_DROP_FLOW_LIMIT.
	 */
	unsigned nat_max_flows;

	/* ---- version 5: plain values (NAT mode; ignored in bridge mode) ---- */
	bool nat_ipv6;               /* IPv6: router advertisements, DHCPv6 information, NAT (indynet_config_init: true) */
	const char *nat_prefix6;     /* "PREFIX/LEN", LEN 8..126; NULL = fd00::/64 (gateway ::2, DNS ::3) */
	bool nat_no_host_loopback;   /* the gateway does not reach the host's 127.0.0.1 and ::1 */
	/*
	 * The guest reaches nothing outside: only the forwards' connections,
	 * DNS at the gateway and the in-core services; every other new flow is
	 * dropped, counted as INDYNET_DROP_BACKEND.
	 */
	bool nat_restrict;
	const char *nat_hostname;    /* offered by DHCP (option 12); NULL = none */
	const char *nat_dns_search;  /* "a.example,b.example": DHCP's domain search list (option 119); NULL = none */
	const char *nat_outbound_addr; /* "A.B.C.D" the NAT's outgoing IPv4 sockets bind to; NULL = any */
	/*
	 * TFTP at the gateway, read-only, nothing outside this folder (links
	 * that leave it are refused); NULL = no TFTP server.
	 */
	const char *nat_tftp_dir;
	const char *nat_bootfile;      /* the boot file DHCP/BOOTP names (in nat_tftp_dir); NULL = none */

	/* ---- version 5: plain values (bridge mode) ---- */
	/*
	 * Bridge mode: GUEST injects the guest's frames as they are; HOST
	 * sends them with the capture interface's MAC and maps the LAN's
	 * answers back by IPv4 address (Wi-Fi: an access point drops frames
	 * from a MAC that did not associate); AUTO (0) is HOST on a wireless
	 * interface (/sys/class/net/IF/wireless or phy80211), GUEST otherwise.
	 */
	enum indynet_bridge_mac bridge_mac;
	/*
	 * Bridge mode: true switches host reach off, so the guest's frames for
	 * the host's own address are injected on the wire like all others
	 * (and, as with any pcap bridge, never reach the host).  false (the
	 * default): they are given to the host's own stack, its answers come
	 * back from the host's MAC.
	 */
	bool bridge_host_reach_off;

	/* ---- version 5: plain values (NFS) ---- */
	/*
	 * The transports portmap, MOUNT and NFS answer on; portmap and rpcbind
	 * report only those.  BOTH (0) is UDP and TCP.
	 */
	enum indynet_nfs_transport nfs_transport;

	/* ---- version 5: plain values (any mode) ---- */
	/*
	 * A test and diagnosis aid: "loss=P%,dup=P%,reorder=P%,delay=MS[,seed=N]"
	 * impairs the link between the guest and the engine in both directions
	 * (indynet_impair_parse()); NULL = a perfect link.
	 */
	const char *impair;

	/* ---- version 5: plain values (NAT mode), later additions ---- */
	/*
	 * "ADDR" (IPv4 or IPv6) of the resolver the gateway's DNS (and ::3)
	 * relays UDP queries to; NULL = the host's /etc/resolv.conf, as libslirp reads it
	 */
	const char *nat_dns;
};

typedef struct indynet_engine indynet_engine;

/**
 * indynet_set_log() - the process-wide log sink.
 * @fn: sink, or NULL for stderr (the default)
 * @opaque: passed to @fn
 * @max_level: most verbose level passed on
 *
 * Receives the messages of engines whose configuration has no log callback
 * and of work no engine owns.  No engine changes it: an engine with
 * cfg.log sends its own messages there and only there (cfg.log is called on
 * the engine's threads and inside the engine's API calls, never after
 * indynet_engine_free() returns).  Any thread; a sink must not block long.
 */
INDYNET_API void indynet_set_log(indynet_log_fn fn, void *opaque, enum indynet_log_level max_level);

/**
 * indynet_config_init() - fill @cfg with the defaults (NAT, 192.168.0.0/24, MTU 1500).
 * @cfg: configuration to initialise
 */
INDYNET_API void indynet_config_init(struct indynet_config *cfg);

/**
 * indynet_engine_new() - create an engine; it does not run until started.
 * @cfg: configuration, copied (strings too)
 * @out: receives the engine
 * @err: buffer for a message naming the bad input, may be NULL
 * @errlen: size of @err
 *
 * Return: 0, or a negative errno: -EINVAL for bad configuration (subnet,
 * MTU, version, capture buffer, interface name), -ENODEV in bridge mode
 * when "auto" finds no interface or an index is out of range, -EIO when
 * the capture file cannot be created; @err names the cause.  In bridge
 * mode an interface that cannot be opened yet is not an error: see
 * indynet_capture_status_get().
 */
INDYNET_API int indynet_engine_new(const struct indynet_config *cfg, indynet_engine **out, char *err, size_t errlen);

/**
 * indynet_engine_start() - start the engine's thread and poll loop.
 * @e: engine
 *
 * Return: 0 or a negative errno.
 */
INDYNET_API int indynet_engine_start(indynet_engine *e);

/**
 * indynet_engine_stop() - stop the poll loop and join its thread; idempotent.
 * @e: engine
 *
 * Frames still queued for the engine are processed before the thread ends.
 * Called from a callback on the engine thread it only asks the loop to end
 * after the current round; call it again from another thread to join.
 */
INDYNET_API void indynet_engine_stop(indynet_engine *e);

/**
 * indynet_engine_free() - stop if running and release everything.
 * @e: engine, may be NULL
 */
INDYNET_API void indynet_engine_free(indynet_engine *e);

/**
 * indynet_guest_send() - hand one guest TX frame (Ethernet, no FCS) to the engine.
 * @e: engine
 * @frame: the frame
 * @len: its length, 14..INDYNET_FRAME_MAX
 *
 * Return: 0, or a negative errno: -EMSGSIZE (too short or too long; counted),
 * -ENOBUFS (TX queue full; counted).
 */
INDYNET_API int indynet_guest_send(indynet_engine *e, const void *frame, size_t len);

/**
 * indynet_guest_recv() - take the next frame for the guest, without blocking.
 * @e: engine
 * @buf: destination
 * @cap: its size
 *
 * Return: the frame length, -EAGAIN when the ring is empty, or -EMSGSIZE when
 * the frame is larger than @cap (the frame stays on the ring).
 */
INDYNET_API ssize_t indynet_guest_recv(indynet_engine *e, void *buf, size_t cap);

/**
 * indynet_rx_peek() - look at the frame at the head of the RX ring (zero copy).
 * @e: engine
 * @frame: receives a pointer valid until indynet_rx_pop()
 * @len: receives its length
 *
 * Return: true when a frame is there.
 */
INDYNET_API bool indynet_rx_peek(indynet_engine *e, const uint8_t **frame, size_t *len);

/**
 * indynet_rx_pop() - drop the frame at the head of the RX ring.
 * @e: engine
 */
INDYNET_API void indynet_rx_pop(indynet_engine *e);

/**
 * indynet_rx_flush() - drop every frame on the RX ring, counted as INDYNET_DROP_RX_FLUSHED.
 * @e: engine
 *
 * For the consumer whose guest connection was lost or replaced: frames queued
 * for the old peer are stale, and while the ring is not empty rx_deliver is
 * not used, so a new peer would otherwise get nothing until the old frames
 * drained.  Same thread contract as indynet_rx_pop() (the ring's consumer).
 *
 * Return: how many frames were dropped.
 */
INDYNET_API size_t indynet_rx_flush(indynet_engine *e);

/**
 * indynet_rx_fd() - a descriptor that polls readable while the RX ring is non-empty.
 * @e: engine
 *
 * Return: the descriptor (owned by the engine).  The consumer reads it with
 * indynet_rx_fd_clear() before draining so that no wake-up is lost.
 */
INDYNET_API int indynet_rx_fd(indynet_engine *e);

/**
 * indynet_rx_fd_clear() - consume pending wake-ups on indynet_rx_fd().
 * @e: engine
 */
INDYNET_API void indynet_rx_fd_clear(indynet_engine *e);

/**
 * indynet_watch_fd() - have the engine thread call @fn when @fd is ready.
 * @e: engine
 * @fd: descriptor (stays owned by the caller)
 * @events: poll(2) events
 * @fn: callback, run on the engine thread
 * @opaque: passed to @fn
 *
 * Return: 0 or a negative errno.  Callable from any thread.
 */
INDYNET_API int indynet_watch_fd(indynet_engine *e, int fd, short events, indynet_fd_fn fn, void *opaque);

/**
 * indynet_unwatch_fd() - stop watching @fd; when it returns, @fn is not running.
 * @e: engine
 * @fd: descriptor
 *
 * Return: 0 or -ENOENT.
 */
INDYNET_API int indynet_unwatch_fd(indynet_engine *e, int fd);

/**
 * indynet_stats_get() - read the counters.
 * @e: engine
 * @st: receives a consistent snapshot
 */
INDYNET_API void indynet_stats_get(indynet_engine *e, struct indynet_stats *st);

/**
 * indynet_nfs_stats_get() - read the in-core NFS server's counters (any thread).
 * @e: engine
 * @st: receives them
 *
 * Return: 0, or -ENOENT when the engine serves no export.
 */
INDYNET_API int indynet_nfs_stats_get(indynet_engine *e, struct indynet_nfs_stats *st);

/**
 * indynet_nfs_tcp_stats_get() - read the counters of NFS over TCP (any thread).
 * @e: engine
 * @st: receives them (the connection figures as of the engine's last round)
 *
 * Return: 0, or -ENOENT when the engine serves no export.
 */
INDYNET_API int indynet_nfs_tcp_stats_get(indynet_engine *e, struct indynet_nfs_tcp_stats *st);

/**
 * indynet_nfs_clients_get() - the clients that mounted the export (any thread).
 * @e: engine
 * @out: array to fill, oldest mount first; may be NULL when @max is 0
 * @max: its capacity
 *
 * The list is the one MOUNT's DUMP procedure answers: a client enters it
 * with MNT and leaves it with UMNT or UMNTALL (a client that goes away
 * without unmounting stays); at most 64 entries, the oldest dropped first.
 *
 * Return: the number of clients (may exceed @max), -ENOENT when the
 * engine serves no export, or -ENOMEM.
 */
INDYNET_API int indynet_nfs_clients_get(indynet_engine *e, struct indynet_nfs_client *out, size_t max);

/**
 * indynet_nfs_proc_calls_get() - calls run per procedure of one NFS version (any thread).
 * @e: engine
 * @vers: 2 or 3
 * @calls: receives the counts, indexed by procedure number (indynet_nfs_proc_name())
 * @max: capacity of @calls (fewer are filled when it is short)
 *
 * Counts every call of the version the server ran, answered from the
 * duplicate-request cache or not run at all excepted.
 *
 * Return: the number of procedures of @vers (18 for NFSv2, 22 for NFSv3),
 * -EINVAL for another version, or -ENOENT when the engine serves no export.
 */
INDYNET_API int indynet_nfs_proc_calls_get(indynet_engine *e, unsigned vers, uint64_t *calls, size_t max);

/**
 * indynet_nfs_proc_name() - the name of an NFS procedure.
 * @vers: 2 or 3
 * @proc: procedure number
 *
 * Return: a static lower-case string ("getattr", "readdirplus", ...), or
 * NULL for an unknown version or procedure.
 */
INDYNET_API const char *indynet_nfs_proc_name(unsigned vers, unsigned proc);

/**
 * indynet_drop_reason_name() - short stable name of a drop reason ("truncated" ...).
 * @r: reason
 *
 * Return: a static string.
 */
INDYNET_API const char *indynet_drop_reason_name(enum indynet_drop_reason r);

/**
 * indynet_subnet_parse() - validate a NAT subnet "A.B.C.D/P".
 * @text: the subnet
 * @net: receives the network address (network byte order)
 * @prefix: receives the prefix length
 * @err: receives the reason, e.g. "prefix /31 is too small (minimum /30)"
 * @errlen: size of @err
 *
 * The text must be a network address with a prefix of /8 to /30; a host
 * address is refused with the network address it probably meant.
 *
 * Return: 0 or -EINVAL (@net and @prefix untouched).
 */
INDYNET_API int indynet_subnet_parse(const char *text, uint32_t *net, unsigned *prefix, char *err, size_t errlen);

/**
 * indynet_set_nat_subnet() - move a running NAT engine to another subnet.
 * @e: engine
 * @cidr: new subnet, validated as indynet_subnet_parse()
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * The libslirp instance is rebuilt on the new network (open NAT
 * connections end), the forwards are bound again and the NFS server moves
 * to the new gateway address.  The guest keeps running; it gets an address
 * in the new subnet at its next DHCP exchange: a REQUEST for its old
 * address is answered with a NAK, after which the client starts over with
 * DISCOVER and is offered .2 of the new subnet.  A renewal sent by unicast
 * to the old gateway (what a client does at T1 or when told to renew, e.g.
 * udhcpc on SIGUSR1) is answered with a NAK by a small virtual host the
 * engine leaves at the old gateway address, with the old gateway's MAC, so
 * that client too starts over in the new subnet.  Until it renews, the
 * guest's traffic to its old subnet stays inside the engine: DNS to the
 * old gateway is relayed as DNS to the new one is, everything else to the
 * old subnet's addresses is dropped (INDYNET_DROP_OLD_SUBNET).
 * A forward whose host port cannot be bound again is dropped and named in
 * @err (the return value is then that bind error; the subnet did change).
 *
 * Return: 0 or a negative errno.
 */
INDYNET_API int indynet_set_nat_subnet(indynet_engine *e, const char *cidr, char *err, size_t errlen);

/**
 * indynet_set_nfs_bridge_ip() - claim an address for the phantom NFS host (bridge mode).
 * @e: engine
 * @ip: "A.B.C.D", on the capture interface's subnet
 * @err: receives the reason on failure, e.g. "10.0.0.213 is in use on eth0
 *       by 52:54:00:12:34:56 (it answered our ARP probe); ..."
 * @errlen: size of @err
 *
 * The address is ARP-probed the RFC 5227 way (about 3.5 to 7 s) and
 * claimed only when nobody answers; meanwhile an address already claimed
 * keeps serving, and it stays when the new one is refused.  On a running
 * engine the call waits for the verdict (call it from a thread other than
 * the engine's); on one not yet started it returns at once and the probe
 * runs once the engine does.  Without an active capture the address waits
 * for one (-ENETDOWN, with @err saying so; it is probed when the
 * capture comes up).  The probe and answers on the wire use the MAC
 * 02:00:de:ad:bf:53.
 *
 * Return: 0 when claimed (or, before the engine starts, probing);
 * -EINVAL (not an address, not on the subnet, the host's or the guest's
 * own address, NAT mode, no export), -EADDRINUSE (a host answered; @err
 * names its MAC), -ENETDOWN, -EBUSY (another probe runs) or -ECANCELED
 * (the engine stopped).
 */
INDYNET_API int indynet_set_nfs_bridge_ip(indynet_engine *e, const char *ip, char *err, size_t errlen);

/**
 * indynet_suggest_nfs_ip() - a free address for the phantom NFS host (bridge mode).
 * @e: a running bridge-mode engine with an active capture
 * @out: receives "A.B.C.D"
 * @outlen: size of @out (16 is enough)
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Takes the candidates of the capture interface's subnet (the upper part:
 * .213 to .242 of a /24, at most 16; never the host's, the guest's or the
 * phantom's current address), ARP-probes them all at once and returns the
 * first nobody answered for.  Waits for the probe (about 3.5 to 7 s); call
 * it from a thread other than the engine's.
 *
 * Return: 0; -ENETDOWN (no active capture yet), -EADDRNOTAVAIL (no
 * candidate, or all of them answered), -EBUSY, -EINVAL (NAT mode),
 * -EAGAIN (the engine is not running) or -ECANCELED.
 */
INDYNET_API int indynet_suggest_nfs_ip(indynet_engine *e, char *out, size_t outlen, char *err, size_t errlen);

/**
 * indynet_phantom_get() - the phantom NFS host's state, address and last error.
 * @e: engine
 * @st: receives the status (state OFF in NAT mode)
 */
INDYNET_API void indynet_phantom_get(indynet_engine *e, struct indynet_phantom_status *st);

/**
 * indynet_phantom_state_name() - "off", "waiting", "probing", "active" or "refused".
 * @s: state
 *
 * Return: a static string.
 */
INDYNET_API const char *indynet_phantom_state_name(enum indynet_phantom_state s);

/**
 * indynet_impair_parse() - parse "loss=P%,dup=P%,reorder=P%,delay=MS[,seed=N]".
 * @spec: the text; any subset of the fields, in any order, each at most once;
 *        P is a percentage from 0 to 100 with at most four decimals (the "%"
 *        is optional), MS 0-10000, N a decimal 64-bit number (default 1)
 * @out: receives the impairment
 * @err: receives the reason, naming the bad field
 * @errlen: size of @err
 *
 * Return: 0 or -EINVAL.
 */
INDYNET_API int indynet_impair_parse(const char *spec, struct indynet_impair *out, char *err, size_t errlen);

/**
 * indynet_impair_stats_get() - what the link impairment (cfg.impair) did (any thread).
 * @e: engine
 * @st: receives the counters
 *
 * Return: 0, or -ENOENT when the engine's link is not impaired.
 */
INDYNET_API int indynet_impair_stats_get(indynet_engine *e, struct indynet_impair_stats *st);

/**
 * indynet_forward_parse() - parse "proto:host_port:[guest_addr:]guest_port[:any]".
 * @spec: the text, e.g. "tcp:8080:80" (to the guest's current address) or
 *        "tcp:8080:192.168.0.50:80" (to that address)
 * @fw: receives the forward
 * @err: receives the reason, naming the bad part
 * @errlen: size of @err
 *
 * Return: 0 or -EINVAL.
 */
INDYNET_API int indynet_forward_parse(const char *spec, struct indynet_forward *fw, char *err, size_t errlen);

/* room for the longest indynet_forward_format() text, its NUL included */
#define INDYNET_FORWARD_TEXT_MAX 48

/**
 * indynet_forward_format() - write @fw as the spec indynet_forward_parse() reads.
 * @fw: the forward
 * @buf: receives "proto:host_port:[guest_addr:]guest_port[:any]", e.g. "tcp:8080:80"
 * @len: size of @buf (INDYNET_FORWARD_TEXT_MAX is always enough; a shorter one truncates)
 *
 * Return: @buf.
 */
INDYNET_API char *indynet_forward_format(const struct indynet_forward *fw, char *buf, size_t len);

/**
 * indynet_forward_add() - add a port forward to a running (or new) NAT engine.
 * @e: engine
 * @fw: the forward
 * @err: receives the reason on failure (e.g. the host port is in use)
 * @errlen: size of @err
 *
 * A forward without a guest address follows the guest: when the address
 * the guest uses changes, the forward's host socket is bound again towards
 * the new one (at most once a second).  A forward with one must name a
 * host address of the NAT subnet; after a subnet change that no longer
 * holds it, the forward is dropped and named in the change's error.
 *
 * Return: 0, -EEXIST, -EADDRINUSE, -EINVAL (guest address outside the
 * subnet) or another negative errno.
 */
INDYNET_API int indynet_forward_add(indynet_engine *e, const struct indynet_forward *fw, char *err, size_t errlen);

/**
 * indynet_forward_remove() - remove a port forward.
 * @e: engine
 * @fw: the forward, matched in every part but target (protocol, host port,
 *      bind, guest address, guest port): "tcp:8080:81" does not remove
 *      "tcp:8080:80"
 *
 * Return: 0 or -ENOENT.
 */
INDYNET_API int indynet_forward_remove(indynet_engine *e, const struct indynet_forward *fw);

/**
 * indynet_forward_list() - copy the active forwards.
 * @e: engine
 * @out: array to fill, may be NULL when @max is 0; each entry's target is
 *       the guest address its connections go to now
 * @max: its capacity
 *
 * Return: the number of active forwards (may exceed @max).
 */
INDYNET_API size_t indynet_forward_list(indynet_engine *e, struct indynet_forward *out, size_t max);

/**
 * indynet_forward6_parse() - parse "proto:[host_addr]:host_port:[[guest_addr]:]guest_port".
 * @spec: the text, e.g. "tcp:[::1]:8080:80" (to the guest's own address)
 *        or "udp:[::]:5353:[fd00::15]:53" (every host address, to that one)
 * @fw: receives the forward
 * @err: receives the reason, naming the bad part
 * @errlen: size of @err
 *
 * Return: 0 or -EINVAL.
 */
INDYNET_API int indynet_forward6_parse(const char *spec, struct indynet_forward6 *fw, char *err, size_t errlen);

/* room for the longest indynet_forward6_format() text, its NUL included */
#define INDYNET_FORWARD6_TEXT_MAX 128

/**
 * indynet_forward6_format() - write @fw as the spec indynet_forward6_parse() reads.
 * @fw: the IPv6 forward
 * @buf: receives "proto:[host_addr]:host_port:[[guest_addr]:]guest_port", e.g.
 *       "udp:[::1]:5353:[fd00::15]:53"; an all-zero guest address is left out
 * @len: size of @buf (INDYNET_FORWARD6_TEXT_MAX is always enough; a shorter one truncates)
 *
 * Return: @buf.
 */
INDYNET_API char *indynet_forward6_format(const struct indynet_forward6 *fw, char *buf, size_t len);

/**
 * indynet_forward6_add() - add an IPv6 port forward to a running (or new) NAT engine.
 * @e: engine
 * @fw: the forward
 * @err: receives the reason on failure, naming the forward
 * @errlen: size of @err
 *
 * The host socket is IPv6-only, so an IPv4 forward may use the same port.
 * A guest address, when given, must be a host of the NAT's IPv6 prefix
 * (not its gateway ::2 or DNS ::3); a UDP forward must give one (libslirp
 * follows the guest's address for TCP only).  Forwards survive a subnet change.
 *
 * Return: 0, -EEXIST (protocol and host port already forwarded),
 * -EADDRINUSE, -EINVAL (bad guest address or ports), -EOPNOTSUPP (bridge
 * mode, or IPv6 off) or another negative errno.
 */
INDYNET_API int indynet_forward6_add(indynet_engine *e, const struct indynet_forward6 *fw, char *err, size_t errlen);

/**
 * indynet_forward6_remove() - remove an IPv6 port forward.
 * @e: engine
 * @fw: the forward, matched in every part
 *
 * Return: 0 or -ENOENT.
 */
INDYNET_API int indynet_forward6_remove(indynet_engine *e, const struct indynet_forward6 *fw);

/**
 * indynet_forward6_list() - copy the active IPv6 forwards.
 * @e: engine
 * @out: array to fill, may be NULL when @max is 0
 * @max: its capacity
 *
 * Return: the number of active IPv6 forwards (may exceed @max).
 */
INDYNET_API size_t indynet_forward6_list(indynet_engine *e, struct indynet_forward6 *out, size_t max);

/**
 * indynet_capture_status_get() - the bridge capture's state and counters.
 * @e: engine
 * @st: receives a consistent snapshot
 *
 * Callable from any thread (an emulator's indicator polls it, comparing
 * st->generation, or waits for cfg.status_notify).  In NAT mode the state
 * is INDYNET_CAPTURE_INACTIVE.
 *
 * Return: 0, or -EOPNOTSUPP in NAT mode (@st still filled).
 */
INDYNET_API int indynet_capture_status_get(indynet_engine *e, struct indynet_capture_status *st);

/**
 * indynet_host_reach_get() - whether the bridged guest reaches the host it runs on, and how much.
 * @e: engine
 * @out: receives a snapshot (all zero in NAT mode)
 *
 * Callable from any thread.  With host reach on (the default), the guest's
 * TCP, UDP and ICMP to the host's own address on the captured interface go
 * to the host's stack instead of the wire, and ARP for that address is
 * answered with the host's MAC.
 *
 * Return: 0, or -EOPNOTSUPP in NAT mode.
 */
INDYNET_API int indynet_host_reach_get(indynet_engine *e, struct indynet_host_reach *out);

/**
 * indynet_capture_state_name() - "inactive", "active", "permission-denied" or "device-error".
 * @s: state
 *
 * Return: a static string.
 */
INDYNET_API const char *indynet_capture_state_name(enum indynet_capture_state s);

/**
 * indynet_bridge_mac_status_get() - the bridge's MAC translation mode and counters.
 * @e: engine
 * @st: receives them (all zero in NAT mode)
 *
 * Callable from any thread, like indynet_capture_status_get().
 *
 * Return: 0, or -EOPNOTSUPP in NAT mode.
 */
INDYNET_API int indynet_bridge_mac_status_get(indynet_engine *e, struct indynet_bridge_mac_status *st);

/**
 * indynet_bridge_mac_name() - "auto", "guest" or "host".
 * @m: translation mode
 *
 * Return: a static string ("unknown" out of range).
 */
INDYNET_API const char *indynet_bridge_mac_name(enum indynet_bridge_mac m);

/**
 * indynet_set_interface() - move a running bridge to another host interface.
 * @e: engine (bridge mode)
 * @name: interface name, 1-based index (indynet_interface_list()) or "auto"
 * @err: receives the reason on failure, e.g. "interface eth9: reopen failed:
 *       ...; keeping the previous interface"
 * @errlen: size of @err
 *
 * The capture is reopened in place and the guest's filter installed again;
 * the guest sees nothing but the new LAN.  On failure the previous capture
 * stays open.  Callable from any thread.
 *
 * Return: 0, -EOPNOTSUPP in NAT mode, -ENODEV (no such interface), -EPERM
 * (permission missing) or another negative errno.
 */
INDYNET_API int indynet_set_interface(indynet_engine *e, const char *name, char *err, size_t errlen);

/**
 * indynet_interface_list() - the host interfaces a bridge can capture on.
 * @out: array to fill, may be NULL when @max is 0
 * @max: its capacity
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: the number of interfaces (may exceed @max), or a negative errno.
 */
INDYNET_API int indynet_interface_list(struct indynet_interface *out, size_t max, char *err, size_t errlen);

/**
 * indynet_capture_access_check() - can this process capture on an interface, and if not, the fix.
 * @interface: interface name, 1-based index (indynet_interface_list()), "auto" or NULL (= "auto")
 * @out: receives the verdict, the reason and the fix for this OS
 *
 * Opens a capture on the interface the way bridge mode does (promiscuous,
 * the smallest kernel buffer) and closes it again; when that fails it finds
 * out why.  On Linux: does the executable carry cap_net_raw and
 * cap_net_admin, are they effective in this process, is its filesystem
 * mounted nosuid or without extended attributes, is no_new_privs set.  On
 * macOS: can /dev/bpf0 be opened read/write, is the user in the access_bpf
 * group.  A build without packet capture answers INDYNET_ACCESS_NOT_BUILT.
 * An emulator uses it to offer an "Enable packet capture" action
 * (out->can_enable) before starting a bridge-mode engine.
 *
 * Threads: needs no engine; callable from any thread, concurrently with
 * itself and with running engines (it shares no state with them).  It
 * blocks for as long as opening and closing a capture takes (milliseconds)
 * and briefly puts the interface into promiscuous mode.
 *
 * Return: 0 with @out filled (whatever the verdict), or -EINVAL when
 * @out is NULL or @interface is not a valid interface name or index
 * (out->reason says why).
 */
INDYNET_API int indynet_capture_access_check(const char *interface, struct indynet_capture_access *out);

/**
 * indynet_capture_access_verdict_name() - "works", "no-permission", "caps-ignored", "no-interface",
 * "no-driver", "not-built" or "failed".
 * @v: verdict
 *
 * Return: a static string ("unknown" for a value outside the enum).
 */
INDYNET_API const char *indynet_capture_access_verdict_name(enum indynet_access_verdict v);

/**
 * indynet_build_info_get() - the features of this build and the versions of its libraries.
 * @out: receives them
 *
 * A build without packet capture (meson -Dpcap=disabled) has no bridge
 * mode: indynet_engine_new() refuses INDYNET_MODE_BRIDGE with -EOPNOTSUPP
 * ("this build has no packet capture support"), indynet_interface_list()
 * answers -EOPNOTSUPP and indynet_capture_access_check()
 * INDYNET_ACCESS_NOT_BUILT.  An emulator hides its bridge settings when
 * out->packet_capture is false.  Callable from any thread, without an engine.
 */
INDYNET_API void indynet_build_info_get(struct indynet_build_info *out);

/**
 * indynet_version() - library version string.
 *
 * Return: e.g. "0.1.0".
 */
INDYNET_API const char *indynet_version(void);

#ifdef __cplusplus
}
#endif

#endif /* INDYNET_INDYNET_H */
