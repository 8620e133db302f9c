/* SPDX-License-Identifier: MIT */
/* test_opts.c: indynetd command line and INI configuration file parsing. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ini.h>

#include "daemon/options.h"

#define ERRLEN 512

struct parsed {
	struct daemon_opts o;
	char err[ERRLEN];
	int rc;
};

/* Parse a NULL-terminated argument list (argv[0] is added). */
static void parse_argv(struct parsed *p, const char *const *args)
{
	char *argv[64];
	int argc = 0;

	argv[argc++] = (char *)"indynetd";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	opts_init(&p->o);
	p->err[0] = '\0';
	p->rc = opts_parse_args(&p->o, argc, argv, p->err, sizeof(p->err));
}

#define PARSE(p, ...) parse_argv((p), (const char *const[]){ __VA_ARGS__, NULL })

static void expect_error(const char *msg, const char *const *args)
{
	struct parsed p;

	parse_argv(&p, args);
	assert_int_equal(p.rc, -1);
	assert_string_equal(p.err, msg);
	opts_free(&p.o);
}

#define EXPECT_ERROR(msg, ...) expect_error((msg), (const char *const[]){ __VA_ARGS__, NULL })

/* Write @text to a fresh temporary file; the caller unlinks @path. */
static void write_ini(char path[64], const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/indynetd-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Load @text as a config file; returns the error with the temp path replaced by "F". */
static int load_ini(const char *text, struct daemon_opts *o, char *msg, size_t len)
{
	char path[64], err[ERRLEN];
	int rc;

	write_ini(path, text);
	opts_init(o);
	rc = opts_load_file(o, path, err, sizeof(err));
	unlink(path);
	if (rc == 0) {
		msg[0] = '\0';
		return 0;
	}
	assert_memory_equal(err, path, strlen(path));
	snprintf(msg, len, "F%s", err + strlen(path));
	return rc;
}

static void expect_ini_error(const char *text, const char *msg)
{
	struct daemon_opts o;
	char got[ERRLEN];

	assert_int_equal(load_ini(text, &o, got, sizeof(got)), -1);
	assert_string_equal(got, msg);
	opts_free(&o);
}

static void test_defaults(void **state)
{
	struct parsed p;

	(void)state;
	PARSE(&p, "--qemu-stream", "/tmp/q.sock");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.action, OPTS_RUN);
	assert_int_equal(p.o.mode, INDYNET_MODE_NAT);
	assert_int_equal(p.o.mtu, 1500);
	assert_int_equal(p.o.frontend, FE_QEMU_STREAM);
	assert_string_equal(p.o.frontend_arg, "/tmp/q.sock");
	assert_string_equal(p.o.nat_subnet, "192.168.0.0/24");
	assert_null(p.o.export_dir);
	assert_int_equal(p.o.nfs_version, INDYNET_NFS_AUTO);
	assert_int_equal(p.o.nfs_transport, INDYNET_NFS_TRANSPORT_BOTH);
	assert_false(p.o.read_only);
	assert_int_equal(p.o.attr_model, INDYNET_ATTR_SQUASH);
	assert_int_equal(p.o.uid, 0);
	assert_int_equal(p.o.gid, 0);
	assert_int_equal(p.o.log_level, INDYNET_LOG_INFO);
	assert_int_equal(p.o.n_forwards, 0);
	opts_free(&p.o);
}

static void test_every_flag(void **state)
{
	struct parsed p;

	(void)state;
	PARSE(&p, "--mode", "nat", "--tap", "tap7", "--tap-netns", "/run/netns/g",
	      "--nat-subnet", "10.0.2.0/24", "--forward", "tcp:8080:80", "--forward",
	      "udp:5353:53:any", "--export", "/srv/share", "--nfs-version", "v2", "--read-only",
	      "--attr-model", "mapped", "--uid", "1000", "--gid", "100", "--mtu", "9000",
	      "--capture-file", "/tmp/c.pcapng", "--log-level", "debug", "--control", "/tmp/ctl");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.frontend, FE_TAP);
	assert_string_equal(p.o.frontend_arg, "tap7");
	assert_string_equal(p.o.tap_netns, "/run/netns/g");
	assert_string_equal(p.o.nat_subnet, "10.0.2.0/24");
	assert_int_equal(p.o.n_forwards, 2);
	assert_false(p.o.forwards[0].udp);
	assert_int_equal(p.o.forwards[0].host_port, 8080);
	assert_int_equal(p.o.forwards[0].guest_port, 80);
	assert_false(p.o.forwards[0].any);
	assert_true(p.o.forwards[1].udp);
	assert_int_equal(p.o.forwards[1].host_port, 5353);
	assert_int_equal(p.o.forwards[1].guest_port, 53);
	assert_true(p.o.forwards[1].any);
	assert_string_equal(p.o.export_dir, "/srv/share");
	assert_int_equal(p.o.nfs_version, INDYNET_NFS_V2);
	assert_true(p.o.read_only);
	assert_int_equal(p.o.attr_model, INDYNET_ATTR_MAPPED);
	assert_int_equal(p.o.uid, 1000);
	assert_int_equal(p.o.gid, 100);
	assert_int_equal(p.o.mtu, 9000);
	assert_string_equal(p.o.capture_file, "/tmp/c.pcapng");
	assert_int_equal(p.o.log_level, INDYNET_LOG_DEBUG);
	assert_string_equal(p.o.control_path, "/tmp/ctl");
	opts_free(&p.o);
}

static void test_frontend_kinds(void **state)
{
	static const struct {
		const char *flag;
		enum frontend_kind kind;
	} cases[] = {
		{ "--qemu-stream", FE_QEMU_STREAM },
		{ "--qemu-stream-connect", FE_QEMU_STREAM_CONNECT },
		{ "--qemu-dgram", FE_QEMU_DGRAM },
		{ "--tap", FE_TAP },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed p;

		PARSE(&p, cases[i].flag, "x0");
		assert_int_equal(p.rc, 0);
		assert_int_equal(p.o.frontend, cases[i].kind);
		assert_string_equal(p.o.frontend_arg, "x0");
		opts_free(&p.o);
	}
}

static void test_bridge_mode_accepted(void **state)
{
	struct parsed p;

	(void)state;
	if (!opts_in_build(OPT_INTERFACE))
		skip(); /* test_no_capture_build */
	PARSE(&p, "--mode", "bridge", "--qemu-dgram", "/tmp/d.sock");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.mode, INDYNET_MODE_BRIDGE);
	opts_free(&p.o);
}

/* -Dpcap=disabled: bridge mode and its settings answer that the build has no packet capture */
static void test_no_capture_build(void **state)
{
	static const enum opt_key bridge_keys[] = { OPT_INTERFACE, OPT_CAPTURE_BUFFER, OPT_BRIDGE_MAC,
						    OPT_BRIDGE_IP, OPT_SUGGEST_NFS_IP, OPT_LIST_INTERFACES };
	struct indynet_build_info b;
	struct parsed p;

	(void)state;
	indynet_build_info_get(&b);
	for (size_t i = 0; i < sizeof(bridge_keys) / sizeof(bridge_keys[0]); i++)
		assert_int_equal(opts_in_build(bridge_keys[i]), b.packet_capture);
	assert_true(opts_in_build(OPT_MODE) && opts_in_build(OPT_CAPTURE_ACCESS) && opts_in_build(OPT_NAT_SUBNET));
	if (b.packet_capture)
		skip();
	EXPECT_ERROR("--mode: this build has no packet capture support (bridge mode)", "--tap", "t", "--mode",
		     "bridge");
	EXPECT_ERROR("--interface: this build has no packet capture support (bridge mode)", "--tap", "t",
		     "--interface", "eth0");
	EXPECT_ERROR("--list-interfaces: this build has no packet capture support (bridge mode)",
		     "--list-interfaces");
	expect_ini_error("[bridge]\ninterface = eth0\n",
			 "F:2: interface: this build has no packet capture support (bridge mode)");
	PARSE(&p, "--tap", "t"); /* NAT needs none of them, and their defaults are not applied */
	assert_int_equal(p.rc, 0);
	assert_null(p.o.interface);
	opts_free(&p.o);
}

static void test_frontend_conflicts(void **state)
{
	(void)state;
	EXPECT_ERROR("--tap: only one frontend may be given (qemu-stream is already set)",
		     "--qemu-stream", "/tmp/a", "--tap", "tap0");
	EXPECT_ERROR("--qemu-dgram: only one frontend may be given (qemu-stream-connect is already set)",
		     "--qemu-stream-connect", "/tmp/a", "--qemu-dgram", "/tmp/b");
	EXPECT_ERROR("--tap-netns needs --tap (the frontend is --qemu-stream)", "--qemu-stream",
		     "/tmp/a", "--tap-netns", "/run/netns/x");
	EXPECT_ERROR("no frontend given: use one of --qemu-stream, --qemu-stream-connect, "
		     "--qemu-dgram or --tap",
		     "--mtu", "1500");
}

static void test_bad_values(void **state)
{
	(void)state;
	EXPECT_ERROR("--mode: 'router' is not a mode (expected nat or bridge)", "--tap", "t",
		     "--mode", "router");
	EXPECT_ERROR("--nfs-version: 'v4' is not an NFS version (expected auto, v2 or v3)", "--tap",
		     "t", "--nfs-version", "v4");
	EXPECT_ERROR("--nfs-transport: 'rdma' is not an NFS transport (expected udp, tcp or both)", "--tap",
		     "t", "--nfs-transport", "rdma");
	EXPECT_ERROR("--attr-model: 'root' is not an attribute model (expected squash or mapped)",
		     "--tap", "t", "--attr-model", "root");
	EXPECT_ERROR("--log-level: 'loud' is not a log level (expected error, warn, info or debug)",
		     "--tap", "t", "--log-level", "loud");
	EXPECT_ERROR("--mtu: MTU 100 is out of range (576-65520)", "--tap", "t", "--mtu", "100");
	EXPECT_ERROR("--mtu: MTU 65521 is out of range (576-65520)", "--tap", "t", "--mtu", "65521");
	EXPECT_ERROR("--mtu: '15o0' is not a number", "--tap", "t", "--mtu", "15o0");
	EXPECT_ERROR("--mtu: '-1' is not a number", "--tap", "t", "--mtu", "-1");
	EXPECT_ERROR("--uid: uid 4294967295 is out of range (0-4294967294)", "--tap", "t", "--uid",
		     "4294967295");
	EXPECT_ERROR("--gid: 'staff' is not a number", "--tap", "t", "--gid", "staff");
	EXPECT_ERROR("--nat-subnet: prefix /31 is too small (minimum /30)", "--tap", "t",
		     "--nat-subnet", "10.0.0.0/31");
	EXPECT_ERROR("--nat-subnet: 192.168.0.5/24 is not the network address for /24 "
		     "(did you mean 192.168.0.0/24?)",
		     "--tap", "t", "--nat-subnet", "192.168.0.5/24");
	EXPECT_ERROR("--forward: forward 'tcp:99999:80': host port 99999 is out of range (1-65535)",
		     "--tap", "t", "--forward", "tcp:99999:80");
	EXPECT_ERROR("--forward: forward 'tcp:8080:81': host port 8080 is already forwarded",
		     "--tap", "t", "--forward", "tcp:8080:80", "--forward", "tcp:8080:81");
	EXPECT_ERROR("--tap: interface name 'averyveryverylongname' is too long (at most 15 bytes)",
		     "--tap", "averyveryverylongname");
	EXPECT_ERROR("--export: empty value", "--tap", "t", "--export", "");
	EXPECT_ERROR("--impair: dup: '1.5x' is not a percentage from 0 to 100 (at most 4 decimals)", "--tap",
		     "t", "--impair", "loss=5%,dup=1.5x");
}

/* --impair is checked (indynet_impair_parse()) and kept as given, for the engine and stats */
static void test_impair(void **state)
{
	struct parsed p;

	(void)state;
	PARSE(&p, "--tap", "t", "--impair", "loss=5%,dup=1%,reorder=1%,seed=9");
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.o.impair, "loss=5%,dup=1%,reorder=1%,seed=9");
	opts_free(&p.o);
	PARSE(&p, "--tap", "t");
	assert_int_equal(p.rc, 0);
	assert_null(p.o.impair);
	opts_free(&p.o);
}

static void test_getopt_errors(void **state)
{
	char longpath[200];

	(void)state;
	EXPECT_ERROR("unknown option '--bogus'", "--tap", "t", "--bogus");
	EXPECT_ERROR("unknown option '-x'", "-x");
	EXPECT_ERROR("option '--mtu' needs a value", "--tap", "t", "--mtu");
	EXPECT_ERROR("unexpected argument 'stray'", "--tap", "t", "stray");
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	EXPECT_ERROR("--qemu-stream: socket path is too long (at most 107 bytes)", "--qemu-stream",
		     longpath);
}

static void test_actions(void **state)
{
	struct parsed p;

	(void)state;
	PARSE(&p, "--version");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.action, OPTS_VERSION);
	opts_free(&p.o);
	PARSE(&p, "--help");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.action, OPTS_HELP);
	opts_free(&p.o);
	PARSE(&p, "--ctl", "/tmp/ctl", "forward", "add", "tcp:8080:80");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.action, OPTS_CTL);
	assert_string_equal(p.o.ctl_path, "/tmp/ctl");
	assert_string_equal(p.o.ctl_command, "forward add tcp:8080:80");
	opts_free(&p.o);
	EXPECT_ERROR("--ctl needs a command (e.g. 'forward list')", "--ctl", "/tmp/ctl");
}

static void test_ini_all_keys(void **state)
{
	struct daemon_opts o;
	char msg[ERRLEN];

	(void)state;
	if (!opts_in_build(OPT_INTERFACE))
		skip(); /* [bridge]: test_no_capture_build */
	assert_int_equal(load_ini("; indynetd test\n"
				  "[network]\nmode = nat\nnat_subnet = 10.9.0.0/16\nmtu = 4000\n"
				  "[bridge]\ninterface = eth0\ncapture_buffer = 2097152\n"
				  "[nfs]\nbridge_ip = 192.0.2.9\nexport = /srv/x\nversion = v3\ntransport = tcp\nread_only = yes\n"
				  "attr_model = mapped\nuid = 7\ngid = 8\n"
				  "[forward]\nweb = tcp:8080:80\ndns = udp:5353:53:any\n"
				  "ssh = tcp:2222:10.9.0.50:22\n"
				  "[frontend]\nqemu_dgram = /tmp/d.sock\n"
				  "[log]\nlevel = warn\ncapture_file = /tmp/x.pcapng\n"
				  "[control]\nsocket = /tmp/ctl.sock\n",
				  &o, msg, sizeof(msg)),
			 0);
	assert_string_equal(o.nat_subnet, "10.9.0.0/16");
	assert_int_equal(o.mtu, 4000);
	assert_string_equal(o.interface, "eth0");
	assert_int_equal(o.capture_buffer, 2097152);
	assert_string_equal(o.nfs_bridge_ip, "192.0.2.9");
	assert_string_equal(o.export_dir, "/srv/x");
	assert_int_equal(o.nfs_version, INDYNET_NFS_V3);
	assert_int_equal(o.nfs_transport, INDYNET_NFS_TRANSPORT_TCP);
	assert_true(o.read_only);
	assert_int_equal(o.attr_model, INDYNET_ATTR_MAPPED);
	assert_int_equal(o.uid, 7);
	assert_int_equal(o.gid, 8);
	assert_int_equal(o.n_forwards, 3);
	assert_int_equal(o.forwards[1].host_port, 5353);
	assert_int_equal(o.forwards[1].guest_addr, 0);
	assert_int_equal(o.forwards[2].guest_addr, htonl(0x0a090032u)); /* 10.9.0.50 */
	assert_int_equal(o.forwards[2].guest_port, 22);
	assert_int_equal(o.frontend, FE_QEMU_DGRAM);
	assert_string_equal(o.frontend_arg, "/tmp/d.sock");
	assert_int_equal(o.log_level, INDYNET_LOG_WARN);
	assert_string_equal(o.capture_file, "/tmp/x.pcapng");
	assert_string_equal(o.control_path, "/tmp/ctl.sock");
	opts_free(&o);
}

static void test_ini_errors(void **state)
{
	(void)state;
	expect_ini_error("[network]\nmode = nat\nmtu = 1500\nnat_subnet = 10.0.0.0/31\n",
			 "F:4: nat_subnet: prefix /31 is too small (minimum /30)");
	expect_ini_error("[network]\nmtu = 1500\ncolour = red\n",
			 "F:3: colour: unknown key in [network]");
	expect_ini_error("# comment\n[netwrk]\nmode = nat\n", "F:3: mode: unknown section [netwrk]");
	expect_ini_error("mode = nat\n", "F:1: mode: setting outside any section");
	expect_ini_error("[forward]\nweb = tcp:99999:80\n",
			 "F:2: web: forward 'tcp:99999:80': host port 99999 is out of range (1-65535)");
	expect_ini_error("[forward]\nweb = http:80:80\n",
			 "F:2: web: forward 'http:80:80': protocol 'http' is not tcp or udp");
	expect_ini_error("[network]\n\nmtu = 70000\n",
			 "F:3: mtu: MTU 70000 is out of range (576-65520)");
	expect_ini_error("[network]\nmtu = big\n", "F:2: mtu: 'big' is not a number");
	expect_ini_error("[nfs]\nread_only = maybe\n",
			 "F:2: read_only: 'maybe' is not a boolean (expected true or false)");
	expect_ini_error("[nfs]\nversion = 4\n",
			 "F:2: version: '4' is not an NFS version (expected auto, v2 or v3)");
	expect_ini_error("[nfs]\ntransport = sctp\n",
			 "F:2: transport: 'sctp' is not an NFS transport (expected udp, tcp or both)");
	if (opts_in_build(OPT_BRIDGE_IP))
		expect_ini_error("[nfs]\nbridge_ip = 10.0.0\n",
				 "F:2: bridge_ip: '10.0.0' is not an IPv4 address");
	expect_ini_error("[frontend]\nqemu_stream = /tmp/a\ntap = tap0\n",
			 "F:3: tap: only one frontend may be given (qemu-stream is already set)");
	expect_ini_error("[network]\nmtu 1500\n",
			 "F:2: syntax error (expected [section] or key = value)");
	{
		char text[INI_MAX_LINE + 100], want[64];

		snprintf(text, sizeof(text), "[nfs]\nexport = /%0*d\n[network]\nmtu = 1500\n",
			 INI_MAX_LINE, 0);
		snprintf(want, sizeof(want), "F:2: line is longer than %d bytes", INI_MAX_LINE - 2);
		expect_ini_error(text, want);
	}
	/* The first error wins, even when later lines are bad too. */
	expect_ini_error("[log]\nlevel = chatty\n[bogus]\nx = 1\n",
			 "F:2: level: 'chatty' is not a log level (expected error, warn, info or debug)");
}

static void test_ini_missing_file(void **state)
{
	struct daemon_opts o;
	char err[ERRLEN];

	(void)state;
	opts_init(&o);
	assert_int_equal(opts_load_file(&o, "/nonexistent/indynet.ini", err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/indynet.ini: No such file or directory");
	opts_free(&o);
}

static void test_ini_error_via_cli(void **state)
{
	char path[64], want[ERRLEN];
	struct parsed p;

	(void)state;
	write_ini(path, "[network]\nmode = nat\n\nnat_subnet = 10.0.0.0/31\n");
	PARSE(&p, "--config", path, "--tap", "t");
	unlink(path);
	assert_int_equal(p.rc, -1);
	snprintf(want, sizeof(want), "%s:4: nat_subnet: prefix /31 is too small (minimum /30)", path);
	assert_string_equal(p.err, want);
	opts_free(&p.o);
}

static void test_flags_override_file(void **state)
{
	char path[64];
	struct parsed p;

	(void)state;
	write_ini(path, "[network]\nmtu = 9000\nnat_subnet = 10.5.0.0/24\n"
			"[nfs]\nexport = /srv/file\nread_only = true\nuid = 5\n"
			"[forward]\nweb = tcp:8080:80\n"
			"[frontend]\ntap = tapfile\ntap_netns = /run/netns/file\n"
			"[log]\nlevel = error\n");
	PARSE(&p, "--config", path, "--mtu", "1400", "--export", "/srv/cli", "--forward",
	      "udp:6000:60", "--qemu-stream", "/tmp/cli.sock", "--log-level", "debug");
	unlink(path);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.mtu, 1400);                       /* flag wins */
	assert_string_equal(p.o.nat_subnet, "10.5.0.0/24");    /* file kept */
	assert_string_equal(p.o.export_dir, "/srv/cli");
	assert_true(p.o.read_only);
	assert_int_equal(p.o.uid, 5);
	assert_int_equal(p.o.log_level, INDYNET_LOG_DEBUG);
	assert_int_equal(p.o.n_forwards, 2);                   /* forwards accumulate */
	assert_int_equal(p.o.forwards[0].host_port, 8080);
	assert_int_equal(p.o.forwards[1].host_port, 6000);
	assert_int_equal(p.o.frontend, FE_QEMU_STREAM);        /* frontend replaced whole */
	assert_string_equal(p.o.frontend_arg, "/tmp/cli.sock");
	assert_null(p.o.tap_netns);
	opts_free(&p.o);
}

static void test_flags_keep_file_netns(void **state)
{
	char path[64];
	struct parsed p;

	(void)state;
	write_ini(path, "[frontend]\ntap = tapfile\ntap_netns = /run/netns/file\n");
	PARSE(&p, "--config", path, "--tap-netns", "/run/netns/cli");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.o.frontend, FE_TAP);
	assert_string_equal(p.o.frontend_arg, "tapfile");
	assert_string_equal(p.o.tap_netns, "/run/netns/cli");
	opts_free(&p.o);
	PARSE(&p, "--config", path, "--tap-netns", "/run/netns/cli", "--tap", "tapcli");
	unlink(path);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.o.frontend_arg, "tapcli");
	assert_string_equal(p.o.tap_netns, "/run/netns/cli");
	opts_free(&p.o);
}

/* What a demanding user expects of the INI file: indentation ignored, '#' comments anywhere, no silent duplicates. */
static void test_ini_layout(void **state)
{
	struct daemon_opts o;
	char msg[ERRLEN];

	(void)state;
	assert_int_equal(load_ini("[network]\n  mtu = 1400\n\tmode = nat\n  [nfs]\n  uid = 7\n", &o, msg,
				  sizeof(msg)), 0);
	assert_int_equal(o.mtu, 1400);
	assert_int_equal(o.uid, 7);
	opts_free(&o);
	assert_int_equal(load_ini("[network] # the network\nmtu = 1400 # jumbo is too much\n"
				  "nat_subnet = 10.1.0.0/24\t# home\n# whole line\n  # indented\n"
				  "[nfs]\nexport = /srv/a#b\n", &o, msg, sizeof(msg)), 0);
	assert_int_equal(o.mtu, 1400);
	assert_string_equal(o.nat_subnet, "10.1.0.0/24");
	assert_string_equal(o.export_dir, "/srv/a#b");
	opts_free(&o);
	expect_ini_error("[network]\nmtu = 1400\n\nmtu = 1500\n",
			 "F:4: mtu: set twice in [network] (first on line 2)");
	expect_ini_error("[forward]\nweb = tcp:8080:80\nweb = tcp:8081:80\n",
			 "F:3: web: set twice in [forward] (first on line 2)");
	expect_ini_error("[network]\nmtu = 1400\n[nfs]\nuid = 1\n[network]\nmtu = 1500\n",
			 "F:6: mtu: set twice in [network] (first on line 2)");
	assert_int_equal(load_ini("[forward]\nweb = tcp:8080:80\nssh = tcp:2222:22\n", &o, msg,
				  sizeof(msg)), 0);
	assert_int_equal(o.n_forwards, 2);
	opts_free(&o);
}

/* --config naming a directory, and a --ctl path that does not fit a socket address. */
static void test_paths_checked(void **state)
{
	char longpath[200], want[ERRLEN];

	(void)state;
	EXPECT_ERROR("/tmp: is a directory, not a configuration file", "--config", "/tmp", "--tap", "t");
	memset(longpath, 'x', sizeof(longpath));
	memcpy(longpath, "/tmp/", 5);
	longpath[120] = '\0';
	snprintf(want, sizeof(want), "--ctl %s: socket path is too long (at most 107 bytes)", longpath);
	expect_error(want, (const char *const[]){ "--ctl", longpath, "stats", NULL });
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_flag),
		cmocka_unit_test(test_frontend_kinds),
		cmocka_unit_test(test_bridge_mode_accepted),
		cmocka_unit_test(test_no_capture_build),
		cmocka_unit_test(test_frontend_conflicts),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_getopt_errors),
		cmocka_unit_test(test_impair),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_ini_all_keys),
		cmocka_unit_test(test_ini_errors),
		cmocka_unit_test(test_ini_missing_file),
		cmocka_unit_test(test_ini_error_via_cli),
		cmocka_unit_test(test_ini_layout),
		cmocka_unit_test(test_paths_checked),
		cmocka_unit_test(test_flags_override_file),
		cmocka_unit_test(test_flags_keep_file_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
