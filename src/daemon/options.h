/* SPDX-License-Identifier: MIT */
/* options.h: indynetd's settings, from the command line and the INI configuration file. */
#ifndef INDYNETD_OPTIONS_H
#define INDYNETD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <indynet/indynet.h>

/*
 * Theory of operation
 *
 * Every setting is described ONCE, by one row of OPTS_SETTINGS below:
 *
 *   X(KEY, flag, section, name, metavar, default, group, how, help)
 *
 *   KEY      the enum opt_key constant OPT_KEY
 *   flag     the long flag without "--" ("mtu"), or NULL: file only
 *   section, name
 *            the INI file's [section] and key, or NULL, NULL: flag only;
 *            name "*" takes any key of its section ([forward] web = ...)
 *   metavar  how --help names the value ("N", "PATH", "nat|bridge"); NULL:
 *            the flag takes no value and means "true" (--read-only)
 *   default  the value's text, applied through the same setter by
 *            opts_init(), or NULL: unset
 *   group    the heading of --help it is listed under (FRONTEND, NETWORK,
 *            NFS, OTHER)
 *   how      how the text is checked and stored:
 *              OPTS_STRING(field)   a non-empty string, strdup'ed
 *              OPTS_SOCKET(field)   a unix socket path (at most 107 bytes)
 *              OPTS_U32(field, noun, min, max)  a decimal number in range
 *              OPTS_BOOL(field)     true/false, yes/no, on/off, 1/0
 *              OPTS_CUSTOM(fn)      int fn(o, value, err, errlen), in options.c
 *              OPTS_ACTION          not a setting: cli.c acts on it (--help)
 *   help     one line for --help (" (default X)" is appended to a setting
 *            that takes a value)
 *
 * From the table: the enum, the getopt_long table and the dispatch of
 * cli.c, the INI keys and sections of config.c, the defaults of
 * opts_init(), and --help (cli_usage()).  The unit test daemon-opts-docs
 * checks that the build's man page (synopsis, OPTIONS, CONFIGURATION FILE)
 * and docs/CONFIG.md (synopsis, the settings table row by row, default
 * included) describe exactly the settings of the table; its failure
 * message prints the row it expects.  The build's man page is
 * man/indynetd.8 less, without packet capture, its "if pcap" blocks
 * (man/pcapfilter.py): there it must name no setting opts_in_build() leaves out.
 *
 * Adding a setting:
 *   1. a field in struct daemon_opts (freed in opts_free() if a string);
 *   2. one X(...) row in OPTS_SETTINGS (and, for OPTS_CUSTOM, the setter
 *      in options.c, declared with the others above opts_settings[]);
 *   3. a row in docs/CONFIG.md's settings table, the flag in its synopsis,
 *      and an entry in man/indynetd.8 (SYNOPSIS, OPTIONS, CONFIGURATION
 *      FILE; a bridge setting inside an "if pcap" block):
 *      `meson test daemon-opts-docs` says what is missing;
 *   4. use the value where it matters (daemon_config() in main.c ...).
 * Nothing in cli.c or config.c changes.
 *
 * The command line and the INI file both turn their input into (key, text)
 * pairs and hand them to opts_apply(), which validates the text and stores
 * the value; so a value is checked by exactly the same code wherever it
 * comes from, and each source only adds its own prefix to the error text
 * ("--mtu: ..." or "FILE:LINE: mtu: ...").
 *
 * The file is applied first, then the flags: a flag overrides the file.
 * Forwards accumulate from both.  A frontend given on the command line
 * replaces the file's frontend (and the file's tap_netns) as a whole; two
 * frontends from the same source are an error.
 */

#define OPTS_MAX_FORWARDS 64

/* clang-format off */
#define OPTS_SETTINGS(X) \
	X(QEMU_STREAM, "qemu-stream", "frontend", "qemu_stream", "PATH", NULL, FRONTEND, \
	  OPTS_CUSTOM(opts_set_qemu_stream), \
	  "listen on a unix stream socket; QEMU connects (-netdev stream,server=off)") \
	X(QEMU_STREAM_CONNECT, "qemu-stream-connect", "frontend", "qemu_stream_connect", "PATH", \
	  NULL, FRONTEND, OPTS_CUSTOM(opts_set_qemu_stream_connect), \
	  "connect to QEMU's listening socket (server=on), reconnecting with backoff") \
	X(QEMU_DGRAM, "qemu-dgram", "frontend", "qemu_dgram", "PATH", NULL, FRONTEND, \
	  OPTS_CUSTOM(opts_set_qemu_dgram), "bind a unix datagram socket (-netdev dgram)") \
	X(TAP, "tap", "frontend", "tap", "NAME", NULL, FRONTEND, OPTS_CUSTOM(opts_set_tap), \
	  "create or attach a TAP device") \
	X(TAP_NETNS, "tap-netns", "frontend", "tap_netns", "PATH", NULL, FRONTEND, \
	  OPTS_CUSTOM(opts_set_tap_netns), "create the TAP device inside this network namespace") \
	X(SOCKET_MODE, "socket-mode", "frontend", "socket_mode", "MODE", "0600", FRONTEND, \
	  OPTS_CUSTOM(opts_set_socket_mode), \
	  "octal mode of the --qemu-stream/--qemu-dgram socket; 0660 lets QEMU's group in") \
	X(MODE, "mode", "network", "mode", "nat|bridge", "nat", NETWORK, \
	  OPTS_CUSTOM(opts_set_mode), "network mode") \
	X(NAT_SUBNET, "nat-subnet", "network", "nat_subnet", "CIDR", "192.168.0.0/24", NETWORK, \
	  OPTS_CUSTOM(opts_set_subnet), "NAT subnet") \
	X(FORWARD, "forward", "forward", "*", "SPEC", NULL, NETWORK, \
	  OPTS_CUSTOM(opts_add_forward), \
	  "port forward tcp|udp:HOSTPORT:[GUESTADDR:]GUESTPORT[:any], or IPv6 " \
	  "tcp|udp:[HOSTADDR6]:HOSTPORT:[[GUESTADDR6]:]GUESTPORT; repeatable") \
	X(NAT_MAX_FLOWS, "nat-max-flows", "network", "nat_max_flows", "N", "1024", NETWORK, \
	  OPTS_U32(nat_max_flows, "NAT flow limit", 16, 1048576), \
	  "most guest flows holding host sockets at once (NAT), 16-1048576") \
	X(NO_IPV6, "no-ipv6", "network", "no_ipv6", NULL, "false", NETWORK, OPTS_BOOL(no_ipv6), \
	  "NAT: no IPv6 (router advertisements, DHCPv6 information, IPv6 NAT)") \
	X(NAT_PREFIX6, "nat-prefix6", "network", "nat_prefix6", "PREFIX/64", "fd00::/64", NETWORK, \
	  OPTS_STRING(nat_prefix6), "NAT: the guest's IPv6 prefix (gateway ::2, DNS ::3)") \
	X(HOST_LOOPBACK, "host-loopback", "network", "host_loopback", "on|off", "on", NETWORK, \
	  OPTS_BOOL(host_loopback), "NAT: the gateway reaches the host's 127.0.0.1 and ::1") \
	X(RESTRICT, "restrict", "network", "restrict", NULL, "false", NETWORK, OPTS_BOOL(restrict_guest), \
	  "NAT: the guest reaches only forwards, DNS and the in-core services") \
	X(OUTBOUND_ADDR, "outbound-addr", "network", "outbound_addr", "ADDR|IFACE", NULL, NETWORK, \
	  OPTS_STRING(outbound_addr), "NAT: the IPv4 address (or interface) outgoing connections use") \
	X(DNS, "dns", "network", "dns", "ADDR", NULL, NETWORK, OPTS_STRING(dns), \
	  "NAT: relay the gateway's DNS (and ::3) to the resolver at ADDR (IPv4 or IPv6) " \
	  "instead of the host's resolv.conf") \
	X(DNS_SEARCH, "dns-search", "network", "dns_search", "DOMAIN[,DOMAIN...]", NULL, NETWORK, \
	  OPTS_STRING(dns_search), "NAT: DHCP's domain search list (at most 8)") \
	X(HOSTNAME, "hostname", "network", "hostname", "NAME", NULL, NETWORK, OPTS_STRING(hostname), \
	  "NAT: the host name DHCP offers the guest") \
	X(TFTP, "tftp", "network", "tftp", "DIR", NULL, NETWORK, OPTS_STRING(tftp_dir), \
	  "NAT: serve DIR read-only over TFTP at the gateway (network boot)") \
	X(BOOTFILE, "bootfile", "network", "bootfile", "NAME", NULL, NETWORK, OPTS_STRING(bootfile), \
	  "NAT: the boot file DHCP and BOOTP name (in the --tftp folder)") \
	X(IMPAIR, "impair", "network", "impair", "loss=P%,dup=P%,reorder=P%,delay=MS[,seed=N]", NULL, \
	  NETWORK, OPTS_CUSTOM(opts_set_impair), \
	  "test and diagnosis: lose, duplicate, reorder and delay frames both ways, seeded") \
	X(MTU, "mtu", "network", "mtu", "N", "1500", NETWORK, \
	  OPTS_U32(mtu, "MTU", INDYNET_MTU_MIN, INDYNET_MTU_MAX), "guest MTU, 576-65520") \
	X(INTERFACE, "interface", "bridge", "interface", "NAME|INDEX|auto", "auto", NETWORK, \
	  OPTS_STRING(interface), "host interface bridge mode captures on and injects into") \
	X(CAPTURE_BUFFER, "capture-buffer", "bridge", "capture_buffer", "BYTES", "33554432", NETWORK, \
	  OPTS_U32(capture_buffer, "capture buffer", INDYNET_CAPTURE_BUFFER_MIN, INDYNET_CAPTURE_BUFFER_MAX), \
	  "bridge mode's kernel capture buffer, 262144-1073741824") \
	X(BRIDGE_MAC, "bridge-mac", "bridge", "mac", "guest|host|auto", "auto", NETWORK, \
	  OPTS_CUSTOM(opts_set_bridge_mac), \
	  "bridge mode: the guest's own MAC on the wire, the host's (Wi-Fi), or host when wireless") \
	X(BRIDGE_HOST_REACH, "bridge-host-reach", "bridge", "host_reach", "on|off", "on", NETWORK, \
	  OPTS_CUSTOM(opts_set_host_reach), "bridge mode: the guest and the host it runs on reach each other") \
	X(EXPORT, "export", "nfs", "export", "DIR", NULL, NFS, OPTS_STRING(export_dir), \
	  "serve DIR over NFS at the gateway address") \
	X(BRIDGE_IP, "nfs-bridge-ip", "nfs", "bridge_ip", "A.B.C.D", NULL, NFS, \
	  OPTS_CUSTOM(opts_set_bridge_ip), \
	  "bridge mode: the NFS host's address on the interface's subnet (ARP-probed first)") \
	X(SUGGEST_NFS_IP, "suggest-nfs-ip", NULL, NULL, NULL, NULL, NFS, OPTS_ACTION, \
	  "bridge mode: print a free address for --nfs-bridge-ip (ARP-probed) and exit") \
	X(NFS_VERSION, "nfs-version", "nfs", "version", "auto|v2|v3", "auto", NFS, \
	  OPTS_CUSTOM(opts_set_nfs_version), "NFS versions served; auto serves both") \
	X(NFS_TRANSPORT, "nfs-transport", "nfs", "transport", "udp|tcp|both", "both", NFS, \
	  OPTS_CUSTOM(opts_set_nfs_transport), \
	  "transports portmap, MOUNT and NFS answer on (and portmap reports); the other is closed") \
	X(READ_ONLY, "read-only", "nfs", "read_only", NULL, "false", NFS, OPTS_BOOL(read_only), \
	  "refuse every modifying NFS procedure") \
	X(ATTR_MODEL, "attr-model", "nfs", "attr_model", "squash|mapped", "squash", NFS, \
	  OPTS_CUSTOM(opts_set_attr_model), "how owners and modes are presented") \
	X(UID, "uid", "nfs", "uid", "N", "0", NFS, OPTS_U32(uid, "uid", 0, OPTS_ID_MAX), \
	  "owner shown in the squash model") \
	X(GID, "gid", "nfs", "gid", "N", "0", NFS, OPTS_U32(gid, "gid", 0, OPTS_ID_MAX), \
	  "group shown in the squash model") \
	X(NFS_CACHE_NODES, "nfs-cache-nodes", "nfs", "cache_nodes", "N", "65536", NFS, \
	  OPTS_U32(nfs_cache_nodes, "NFS node cache size", 64, 16777216), \
	  "objects of the export the NFS server keeps cached (about 150 bytes each)") \
	X(NFS_CACHE_FDS, "nfs-cache-fds", "nfs", "cache_fds", "N", "512", NFS, \
	  OPTS_U32(nfs_cache_fds, "NFS descriptor cache size", 16, 65536), \
	  "descriptors of the export the NFS server keeps open") \
	X(CONFIG, "config", NULL, NULL, "FILE", NULL, OTHER, OPTS_ACTION, \
	  "read settings from an INI file (flags override it)") \
	X(CAPTURE_FILE, "capture-file", "log", "capture_file", "FILE", NULL, OTHER, \
	  OPTS_STRING(capture_file), "write every guest frame to a pcapng file") \
	X(SANDBOX, "sandbox", "security", "sandbox", "on|off", "on", OTHER, OPTS_BOOL(sandbox), \
	  "after setup: drop capabilities, no_new_privs, Landlock, seccomp (kill on others)") \
	X(USER, "user", "security", "user", "NAME", NULL, OTHER, OPTS_STRING(user), \
	  "started as root: run as NAME after setup (keeping only the capabilities still needed)") \
	X(LOG_LEVEL, "log-level", "log", "level", "error|warn|info|debug", "info", OTHER, \
	  OPTS_CUSTOM(opts_set_log_level), "what is logged to standard error") \
	X(CONTROL, "control", "control", "socket", "PATH", NULL, OTHER, \
	  OPTS_SOCKET(control_path), "serve the control API (HTTP) on a unix socket (mode 0600)") \
	X(HTTP, "http", "control", "http", "ADDR:PORT", NULL, OTHER, OPTS_CUSTOM(opts_set_http), \
	  "serve the control API and the web panel on TCP (loopback unless allowed)") \
	X(HTTP_ALLOW_REMOTE, "http-allow-remote", "control", "http_allow_remote", NULL, "false", \
	  OTHER, OPTS_BOOL(http_allow_remote), "let --http bind an address other hosts reach") \
	X(HTTP_TOKEN_FILE, "http-token-file", "control", "http_token_file", "PATH", NULL, OTHER, \
	  OPTS_STRING(http_token_file), "bearer token of --http (read, or generated; mode 0600)") \
	X(CTL, "ctl", NULL, NULL, "PATH COMMAND...", NULL, OTHER, OPTS_ACTION, \
	  "send one control command to a running indynetd") \
	X(LIST_INTERFACES, "list-interfaces", NULL, NULL, NULL, NULL, OTHER, OPTS_ACTION, \
	  "print the host interfaces bridge mode can use and exit") \
	X(CAPTURE_ACCESS, "capture-access", NULL, NULL, "check|enable", NULL, OTHER, OPTS_ACTION, \
	  "can this user capture (bridge mode)? check says why not and the fix; " \
	  "enable grants it (exit 0 works, 1 not)") \
	X(VERSION, "version", NULL, NULL, NULL, NULL, OTHER, OPTS_ACTION, "print the version") \
	X(HELP, "help", NULL, NULL, NULL, NULL, OTHER, OPTS_ACTION, "print this help")
/* clang-format on */

#define OPTS_ID_MAX 4294967294u /* (uid_t)-1 means "no change" to the kernel */

#define OPTS_KEY_ENUM(KEY, ...) OPT_##KEY,
enum opt_key { OPTS_SETTINGS(OPTS_KEY_ENUM) OPT__COUNT };
#undef OPTS_KEY_ENUM

enum opts_group { OPTS_G_FRONTEND, OPTS_G_NETWORK, OPTS_G_NFS, OPTS_G_OTHER, OPTS_G__COUNT };

enum opts_type { OPTS_T_ACTION, OPTS_T_STRING, OPTS_T_SOCKET, OPTS_T_U32, OPTS_T_BOOL, OPTS_T_CUSTOM };

struct daemon_opts;

typedef int opts_setter(struct daemon_opts *o, const char *value, char *err, size_t errlen);

/* One row of OPTS_SETTINGS (see the theory block for the fields). */
struct opts_setting {
	enum opt_key key;
	const char *flag;
	const char *section;
	const char *name;
	const char *metavar;
	const char *def;
	enum opts_group group;
	enum opts_type type;
	size_t off;          /* STRING, SOCKET, U32, BOOL: offsetof(struct daemon_opts, field) */
	const char *noun;    /* U32: "MTU 70000 is out of range" */
	uint32_t min, max;   /* U32 */
	opts_setter *set;    /* CUSTOM */
	const char *help;
};

/* The table, indexed by enum opt_key. */
extern const struct opts_setting opts_settings[OPT__COUNT];

enum frontend_kind {
	FE_NONE = 0,
	FE_QEMU_STREAM,         /* we listen, QEMU connects */
	FE_QEMU_STREAM_CONNECT, /* QEMU listens, we connect */
	FE_QEMU_DGRAM,
	FE_TAP,
};

enum opts_action {
	OPTS_RUN = 0,
	OPTS_HELP,
	OPTS_VERSION,
	OPTS_CTL,
	OPTS_SUGGEST_NFS_IP,  /* --suggest-nfs-ip: settings are parsed, no frontend needed */
	OPTS_LIST_INTERFACES,
	OPTS_CAPTURE_ACCESS,  /* --capture-access check|enable: settings parsed for --interface */
};

struct daemon_opts {
	enum opts_action action;
	char *config_file;

	enum indynet_mode mode;
	char *nat_subnet;
	char *interface;      /* bridge mode: name, 1-based index or "auto" */
	uint32_t capture_buffer; /* bridge mode: bytes */
	enum indynet_bridge_mac bridge_mac; /* bridge mode: MAC translation */
	bool bridge_host_reach;  /* bridge mode: the guest reaches the host's own address */
	char *nfs_bridge_ip;  /* bridge mode: the phantom NFS host's address */
	uint32_t mtu;

	char *export_dir;
	enum indynet_nfs_version nfs_version;
	enum indynet_nfs_transport nfs_transport;
	bool read_only;
	enum indynet_attr_model attr_model;
	uint32_t uid, gid;
	uint32_t nfs_cache_nodes, nfs_cache_fds;
	uint32_t nat_max_flows;
	bool no_ipv6, host_loopback, restrict_guest;
	char *nat_prefix6, *outbound_addr, *dns, *dns_search, *hostname, *tftp_dir, *bootfile;
	char *impair;          /* --impair as given (checked), or NULL */

	struct indynet_forward forwards[OPTS_MAX_FORWARDS];
	size_t n_forwards;
	struct indynet_forward6 forwards6[OPTS_MAX_FORWARDS]; /* tcp:[::1]:8080:80 */
	size_t n_forwards6;

	enum frontend_kind frontend;
	char *frontend_arg;   /* socket path or TAP name */
	char *tap_netns;
	uint32_t socket_mode;    /* of the frontend's socket file */

	enum indynet_log_level log_level;
	bool sandbox;             /* --sandbox on|off */
	char *user;               /* --user NAME */
	char *capture_file;
	char *control_path;
	char *http;               /* "ADDR:PORT" as given, or NULL */
	char http_addr[16];       /* its address ... */
	unsigned http_port;       /* ... and port */
	bool http_allow_remote;
	char *http_token_file;

	char *capture_access; /* --capture-access: "check" or "enable" */

	/* --ctl client mode */
	char *ctl_path;
	char *ctl_command;

	/* bookkeeping for "flags override the file" */
	bool applying_cli;
	bool frontend_from_cli;
	bool netns_from_cli;
};

/**
 * opts_init() - fill @o with the defaults (NAT, MTU 1500, log level info).
 * @o: settings
 */
void opts_init(struct daemon_opts *o);

/**
 * opts_free() - release the strings held by @o.
 * @o: settings
 */
void opts_free(struct daemon_opts *o);

/* What a setting of bridge mode answers in a build without packet capture. */
#define OPTS_NOT_BUILT "this build has no packet capture support (bridge mode)"

/**
 * opts_in_build() - is @key a setting of this build (bridge mode's need packet capture)?
 * @key: setting
 *
 * Return: false for the [bridge] section's settings, --nfs-bridge-ip,
 * --suggest-nfs-ip and --list-interfaces when the library has no packet
 * capture (indynet_build_info_get()); they are then left out of --help,
 * their defaults are not applied, and giving one is an error (OPTS_NOT_BUILT).
 */
bool opts_in_build(enum opt_key key);

/**
 * opts_apply() - validate and store one setting.
 * @o: settings
 * @key: which setting
 * @value: its text
 * @err: receives what is wrong with @value (no prefix)
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int opts_apply(struct daemon_opts *o, enum opt_key key, const char *value, char *err, size_t errlen);

/**
 * opts_validate() - check the settings as a whole (exactly one frontend ...).
 * @o: settings
 * @err: receives the message
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int opts_validate(const struct daemon_opts *o, char *err, size_t errlen);

/**
 * opts_parse_args() - parse the command line, loading --config FILE first.
 * @o: settings, initialised with opts_init()
 * @argc: argument count
 * @argv: arguments
 * @err: receives the message naming the bad input
 * @errlen: size of @err
 *
 * For OPTS_RUN the settings are validated as a whole too.
 *
 * Return: 0, or -1 (indynetd exits with status 2).
 */
int opts_parse_args(struct daemon_opts *o, int argc, char **argv, char *err, size_t errlen);

/**
 * opts_load_file() - apply an INI configuration file.
 * @o: settings
 * @path: the file
 * @err: receives "FILE:LINE: key: what is wrong"
 * @errlen: size of @err
 *
 * Return: 0 or -1.
 */
int opts_load_file(struct daemon_opts *o, const char *path, char *err, size_t errlen);


/**
 * opts_frontend_name() - the flag name of a frontend kind ("qemu-stream" ...).
 * @kind: frontend kind
 *
 * Return: a static string.
 */
const char *opts_frontend_name(enum frontend_kind kind);

#endif
