/* SPDX-License-Identifier: MIT */
/* test_bridge_host.c: bridge mode's host reach: which guest frames it takes, its ARP answers, and a UDP round trip to a host socket with the host's MAC on the answer. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <ifaddrs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/bridge_host.h"
#include "backend/bridge_stack.h"
#include "core/arp.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine_test.h"

static const uint8_t guest_mac[ETH_ALEN] = T_GUEST_MAC;
static const uint8_t host_mac[ETH_ALEN] = { 0x02, 0x48, 0x4f, 0x53, 0x54, 0x01 };
static const uint8_t other_mac[ETH_ALEN] = { 0x02, 0x0e, 0x0e, 0x0e, 0x0e, 0x0e };

/* what the path sent towards the guest */
struct sink {
	uint8_t last[2048];
	size_t len;
	unsigned frames, drops;
};

static void sink_to_guest(void *opaque, const uint8_t *frame, size_t len)
{
	struct sink *s = opaque;

	s->frames++;
	s->len = len < sizeof(s->last) ? len : sizeof(s->last);
	memcpy(s->last, frame, s->len);
}

static void sink_drop(void *opaque, enum indynet_drop_reason reason)
{
	(void)reason;
	((struct sink *)opaque)->drops++;
}

static unsigned sink_room(void *opaque)
{
	(void)opaque;
	return 256;
}

/* a path whose capture is on @ifname, the host at @host_ip/24 */
static struct bridge_host *path_on(struct sink *s, const char *ifname, uint32_t host_ip)
{
	struct backend_host cb = { .to_guest = sink_to_guest, .drop = sink_drop, .rx_room = sink_room, .opaque = s };
	struct backend_lan lan = { .host_ip = host_ip, .prefix = 24 };
	char err[128];
	struct bridge_host *h;

	snprintf(lan.ifname, sizeof(lan.ifname), "%s", ifname);
	memset(s, 0, sizeof(*s));
	h = bridge_host_new(1500, &cb, err, sizeof(err));
	assert_non_null(h);
	memcpy(lan.host_mac, host_mac, ETH_ALEN);
	bridge_host_lan(h, &lan, false);
	return h;
}

static struct bridge_host *new_path(struct sink *s, uint32_t host_ip)
{
	return path_on(s, "eth9", host_ip);
}

static void test_nothing_without_lan(void **state)
{
	struct backend_host cb = { .to_guest = sink_to_guest, .drop = sink_drop, .rx_room = sink_room };
	struct sink s = { 0 };
	uint8_t f[128];
	size_t n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 2));
	char err[128];
	struct bridge_host *h;

	(void)state;
	cb.opaque = &s;
	h = bridge_host_new(1500, &cb, err, sizeof(err));
	assert_non_null(h);
	assert_false(bridge_host_input(h, f, n));
	bridge_host_lan(h, NULL, false);
	assert_false(bridge_host_input(h, f, n));
	assert_int_equal(s.frames, 0);
	bridge_host_free(h);
	bridge_host_free(NULL);
}

static void test_arp_for_the_host(void **state)
{
	struct sink s;
	struct bridge_host *h = new_path(&s, t_ip(10, 0, 0, 2));
	uint8_t f[128];
	struct eth_view e;
	struct arp_view a;
	size_t n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 2));

	(void)state;
	assert_true(bridge_host_input(h, f, n));
	assert_int_equal(s.frames, 1);
	assert_int_equal(eth_parse(s.last, s.len, &e), 0);
	assert_memory_equal(e.dst, guest_mac, ETH_ALEN);
	assert_memory_equal(e.src, host_mac, ETH_ALEN);
	assert_int_equal(arp_parse(e.payload, e.payload_len, &a), 0);
	assert_int_equal(a.op, ARP_OP_REPLY);
	assert_memory_equal(a.sha, host_mac, ETH_ALEN);
	assert_int_equal(a.spa, t_ip(10, 0, 0, 2));
	assert_int_equal(a.tpa, t_ip(10, 0, 0, 60));
	n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 1)); /* a LAN host's: not ours */
	assert_false(bridge_host_input(h, f, n));
	assert_int_equal(bridge_host_counts(h).arp, 1);
	bridge_host_free(h);
}

static void test_which_ipv4_is_taken(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(10, 0, 0, 2), gip = t_ip(10, 0, 0, 60);
	struct bridge_host *h = new_path(&s, hip);
	uint8_t f[256];
	size_t n;

	(void)state;
	n = t_udp_frame(f, other_mac, guest_mac, gip, hip, 4000, 9, "x", 1, 1);
	assert_false(bridge_host_input(h, f, n)); /* the host's address at another MAC */
	n = t_udp_frame(f, host_mac, guest_mac, gip, t_ip(10, 0, 0, 1), 4000, 9, "x", 1, 2);
	assert_false(bridge_host_input(h, f, n)); /* the host's MAC as a router: injected as before */
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 4000, 9, "x", 1, 3);
	f[ETH_HLEN + 9] = 2; /* IGMP */
	assert_false(bridge_host_input(h, f, n));
	assert_false(bridge_host_input(h, f, ETH_HLEN + IPV4_HLEN - 1)); /* cut inside the header */
	assert_int_equal(bridge_host_counts(h).to_host, 0);
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 4000, 9, "x", 1, 4);
	assert_true(bridge_host_input(h, f, n));
	assert_int_equal(bridge_host_counts(h).to_host, 1);
	bridge_host_free(h);
}

/* run up to @rounds poll rounds (10 ms each) until a frame for the guest came; @peer_fd (or -1) echoes "ping" */
static void pump_until_frame(struct bridge_host *h, struct sink *s, int peer_fd, int rounds)
{
	struct poll_set ps = { 0 };
	char buf[64];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);

	for (int i = 0; i < rounds && !s->frames; i++) {
		int tmo = 10;

		ps.n = 0;
		bridge_host_poll_fill(h, &ps, &tmo);
		poll(ps.fds, ps.n, tmo < 0 || tmo > 10 ? 10 : tmo);
		bridge_host_poll_done(h, &ps, false);
		if (peer_fd >= 0 && recvfrom(peer_fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl) == 4)
			sendto(peer_fd, "pong", 4, 0, (struct sockaddr *)&from, fl);
	}
	poll_set_free(&ps);
}

/* an IPv4 address of this machine other than loopback (libslirp answers nothing from 127/8), 0 = none */
static uint32_t local_ip(void)
{
	struct ifaddrs *ifs, *i;
	uint32_t ip = 0;

	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i && !ip; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !(i->ifa_flags & IFF_LOOPBACK))
			ip = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
	freeifaddrs(ifs);
	return ip;
}

static void test_udp_round_trip(void **state)
{
	struct sink s;
	uint32_t hip = local_ip(), gip = htonl((ntohl(hip) & 0xffffff00u) | 60u);
	struct bridge_host *h;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = hip };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint8_t f[256];
	struct eth_view e;
	size_t n;

	(void)state;
	if (!hip) {
		close(fd);
		skip(); /* a machine with loopback only */
	}
	h = new_path(&s, hip);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	pump_until_frame(h, &s, -1, 1); /* libslirp reads its clock in a poll round: as in the engine, one comes first */
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 4000, ntohs(sa.sin_port), "ping", 4, 5);
	assert_true(bridge_host_input(h, f, n));
	pump_until_frame(h, &s, fd, 200);
	assert_int_equal(s.frames, 1);
	assert_int_equal(eth_parse(s.last, s.len, &e), 0);
	assert_memory_equal(e.src, host_mac, ETH_ALEN); /* not libslirp's 52:55:... */
	assert_memory_equal(e.dst, guest_mac, ETH_ALEN);
	assert_int_equal(e.ethertype, ETHERTYPE_IPV4);
	assert_memory_equal(e.payload + 12, &hip, 4);
	assert_memory_equal(e.payload + 16, &gip, 4);
	assert_memory_equal(e.payload + IPV4_HLEN + 8, "pong", 4);
	assert_int_equal(bridge_host_counts(h).from_host, 1);
	close(fd);
	bridge_host_free(h);
}

/*
 * The host's own flow to the guest: its query, as the capture sees it leave
 * (checksum left partial to the NIC), reaches the guest completed; the
 * guest's answer goes straight into the host's stack (the raw path, root)
 * and arrives on the host's socket from the guest's address and port.
 */
static void test_answer_to_the_host_goes_direct(void **state)
{
	struct sink s;
	uint32_t hip = local_ip(), gip = htonl((ntohl(hip) & 0xffffff00u) | 60u);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = hip }, from;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	uint8_t f[256], *l4;
	const uint8_t *seen;
	char buf[16] = "";
	struct bridge_host *h;
	size_t n;

	(void)state;
	if (!hip || geteuid() != 0) {
		close(fd);
		skip(); /* loopback only, or no raw socket */
	}
	h = new_path(&s, hip);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	n = t_udp_frame(f, guest_mac, host_mac, hip, gip, ntohs(sa.sin_port), 7107, "query", 5, 6);
	memset(f + ETH_HLEN + IPV4_HLEN + 6, 0x12, 2); /* partial: the NIC was to finish it */
	seen = bridge_host_seen(h, f, n);
	assert_ptr_not_equal(seen, f);
	l4 = (uint8_t *)seen + ETH_HLEN + IPV4_HLEN;
	assert_int_equal(l4_csum_ipv4(hip, gip, 17, l4, n - ETH_HLEN - IPV4_HLEN), 0);
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 7107, ntohs(sa.sin_port), "answer", 6, 7);
	assert_true(bridge_host_input(h, f, n));
	assert_int_equal(bridge_host_counts(h).direct, 1);
	assert_int_equal(bridge_host_counts(h).to_host, 0); /* not libslirp's */
	for (int i = 0; i < 100 && recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &sl) < 0; i++)
		usleep(10000);
	assert_string_equal(buf, "answer");
	assert_int_equal(from.sin_addr.s_addr, gip);
	assert_int_equal(ntohs(from.sin_port), 7107);
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 7108, ntohs(sa.sin_port), "x", 1, 8);
	assert_true(bridge_host_input(h, f, n)); /* another flow: the guest's own, libslirp's */
	assert_int_equal(bridge_host_counts(h).to_host, 1);
	close(fd);
	bridge_host_free(h);
}

/* the path's raw socket can be opened here (root, CAP_NET_RAW): it watches the host's own flows */
static bool raw_allowed(void)
{
	int fd = bridge_stack_open();

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* #21: a guest frame from 0.0.0.0 (a DHCP client's) is not the host's: injected as before */
static void test_unspecified_source_not_taken(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(10, 0, 0, 2);
	struct bridge_host *h = new_path(&s, hip);
	uint8_t f[256];
	size_t n = t_udp_frame(f, host_mac, guest_mac, 0, hip, 68, 67, "x", 1, 9);

	(void)state;
	assert_false(bridge_host_input(h, f, n));
	assert_int_equal(bridge_host_counts(h).to_host, 0);
	bridge_host_free(h);
}

/* #21: the guest's ARP that is not a request for H (a reply, a request for another host) goes on to the LAN */
static void test_other_arp_injected(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(10, 0, 0, 2), gip = t_ip(10, 0, 0, 60);
	struct bridge_host *h = new_path(&s, hip);
	uint8_t f[128];
	size_t n = arp_build(f, sizeof(f), host_mac, ARP_OP_REPLY, guest_mac, gip, host_mac, hip);

	(void)state;
	assert_false(bridge_host_input(h, f, n)); /* its answer to the host's own request */
	n = t_arp_request(f, guest_mac, gip, t_ip(10, 0, 0, 9));
	assert_false(bridge_host_input(h, f, n));
	assert_int_equal(s.frames, 0);
	assert_int_equal(bridge_host_counts(h).arp, 0);
	bridge_host_free(h);
}

/* #21: a captured frame longer than any (tagged, 64 KiB IPv4) is left as it is, not copied */
static void test_seen_too_long_left_alone(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(10, 0, 0, 2), gip = t_ip(10, 0, 0, 60);
	struct bridge_host *h;
	size_t max = ETH_HLEN + 4 + IPV4_MAX_LEN;
	uint8_t *f = calloc(1, max + 1);

	(void)state;
	if (!raw_allowed()) {
		free(f);
		skip(); /* no raw socket: the path never looks */
	}
	h = new_path(&s, hip);
	t_udp_frame(f, guest_mac, host_mac, hip, gip, 5000, 7107, "query", 5, 11);
	f[ETH_HLEN + 2] = 0xff; /* IPv4 total length 65535: whole in both frames */
	f[ETH_HLEN + 3] = 0xff;
	f[ETH_HLEN + 10] = f[ETH_HLEN + 11] = 0;
	assert_ptr_not_equal(bridge_host_seen(h, f, max), f); /* the largest: completed in a copy */
	assert_ptr_equal(bridge_host_seen(h, f, max + 1), f);
	bridge_host_free(h);
	free(f);
}

/*
 * #21: a captured frame cut after its IPv4 header (the capture's length, not
 * the buffer's) names no ports: the guest's datagram from the port that
 * follows in the buffer is its own flow (libslirp's), not an answer to the host
 */
static void test_seen_cut_frame_no_flow(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(10, 0, 0, 2), gip = t_ip(10, 0, 0, 60);
	struct bridge_host *h;
	uint8_t f[256];
	size_t n;

	(void)state;
	if (!raw_allowed())
		skip();
	h = new_path(&s, hip);
	t_udp_frame(f, guest_mac, host_mac, hip, gip, 5001, 7107, "query", 5, 14);
	assert_ptr_equal(bridge_host_seen(h, f, ETH_HLEN + IPV4_HLEN), f);
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 7107, 5001, "answer", 6, 15);
	assert_true(bridge_host_input(h, f, n));
	assert_int_equal(bridge_host_counts(h).direct, 0);
	assert_int_equal(bridge_host_counts(h).to_host, 1);
	bridge_host_free(h);
}

static char logged[512];
static unsigned warnings;

static void log_sink(void *opaque, enum indynet_log_level level, const char *msg)
{
	(void)opaque;
	warnings += level == INDYNET_LOG_WARN && !strstr(msg, "stay unreached"); /* no raw socket: not this test's */
	if (strstr(msg, "host reach: the host is"))
		snprintf(logged, sizeof(logged), "%s", msg);
}

/*
 * #21: the operator's log names the host's address, MAC and interface; a
 * host on the private subnet (198.18.0.0/24) moves libslirp to 198.19.0.0/24
 * without a warning, and a UDP flow to H still goes through it
 */
static void test_lan_logged_and_subnet_moved(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(198, 18, 0, 2);
	struct bridge_host *h;
	uint8_t f[256];
	size_t n;

	(void)state;
	warnings = 0;
	logged[0] = 0;
	indynet_set_log(log_sink, NULL, INDYNET_LOG_INFO);
	h = new_path(&s, hip);
	indynet_set_log(NULL, NULL, INDYNET_LOG_INFO);
	assert_string_equal(logged, "bridge: host reach: the host is 198.18.0.2 at 02:48:4f:53:54:01 on eth9");
	assert_int_equal(warnings, 0);
	n = t_udp_frame(f, host_mac, guest_mac, t_ip(198, 18, 0, 60), hip, 4000, 9, "x", 1, 12);
	assert_true(bridge_host_input(h, f, n));
	bridge_host_free(h);
}

/* the neighbour-entry test's network namespace: entered in the test, left in teardown (even on failure) */
static int saved_netns = -1;

static int leave_netns(void **state)
{
	(void)state;
	if (saved_netns >= 0) {
		assert_int_equal(setns(saved_netns, CLONE_NEWNET), 0);
		close(saved_netns);
		saved_netns = -1;
	}
	return 0;
}

/* `ip neigh` of the guest's address on mut0a in the current namespace: 1 = permanent at the guest's MAC */
static int neigh_permanent(void)
{
	char line[256] = "";
	FILE *p = popen("ip neigh show 10.0.0.60 dev mut0a", "r");

	assert_non_null(p);
	if (!fgets(line, sizeof(line), p))
		line[0] = 0;
	pclose(p);
	return strstr(line, "02:11:22:33:44:55") && strstr(line, "PERMANENT");
}

/* enter a private netns with lo up and the veth mut0a/mut0b (mut0a up, @addr on it if not NULL); false = cannot */
static bool enter_netns(const char *addr)
{
	char cmd[256];

	if (geteuid() != 0)
		return false;
	saved_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(saved_netns >= 0);
	snprintf(cmd, sizeof(cmd),
		 "ip link set lo up && ip link add mut0a type veth peer name mut0b && ip link set mut0a up%s%s%s",
		 addr ? " && ip addr add " : "", addr ? addr : "", addr ? " dev mut0a" : "");
	return unshare(CLONE_NEWNET) == 0 && system(cmd) == 0;
}

/* a path on mut0a, the host at @host_ip/24 */
static struct bridge_host *netns_path(struct sink *s, uint32_t host_ip)
{
	return path_on(s, "mut0a", host_ip);
}

/*
 * #21: the host's neighbour entry for the guest is made once from its ARP
 * and kept: the same ARP again, an ARP probe from 0.0.0.0 (duplicate address
 * detection) or an address off the LAN, and a new host MAC neither remove
 * nor re-make it; a new guest MAC replaces it.  In a private netns on a veth
 * (root).
 */
static void test_neighbour_entry_kept(void **state)
{
	struct sink s;
	struct backend_lan lan = { .ifname = "mut0a", .host_ip = t_ip(10, 0, 0, 2), .prefix = 24 };
	uint8_t f[128];
	struct bridge_host *h;

	(void)state;
	if (!enter_netns(NULL))
		skip(); /* not root, or no namespaces or veth here */
	h = netns_path(&s, lan.host_ip);
	memcpy(lan.host_mac, host_mac, ETH_ALEN);
	assert_false(bridge_host_input(h, f, t_arp_request(f, guest_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 1))));
	assert_true(neigh_permanent());
	assert_int_equal(bridge_host_counts(h).neigh, 1);
	bridge_host_input(h, f, t_arp_request(f, guest_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 1)));
	bridge_host_input(h, f, t_arp_request(f, guest_mac, 0, t_ip(10, 0, 0, 61)));
	bridge_host_input(h, f, t_arp_request(f, guest_mac, t_ip(10, 9, 0, 60), t_ip(10, 0, 0, 1)));
	lan.host_mac[5] ^= 1;
	bridge_host_lan(h, &lan, false);
	assert_true(neigh_permanent());
	assert_int_equal(bridge_host_counts(h).neigh, 1);
	bridge_host_input(h, f, t_arp_request(f, other_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 1)));
	assert_false(neigh_permanent()); /* now at other_mac */
	assert_int_equal(bridge_host_counts(h).neigh, 2);
	bridge_host_free(h);
	assert_int_equal(system("ip neigh show dev mut0a | grep -c PERMANENT >/dev/null"), 256); /* removed with the path */
}

/* #21: a neighbour entry the kernel refused (the interface gone) is not counted as installed */
static void test_neighbour_refused_not_counted(void **state)
{
	struct sink s;
	uint8_t f[128];
	struct bridge_host *h;

	(void)state;
	if (!enter_netns(NULL))
		skip();
	h = netns_path(&s, t_ip(10, 0, 0, 2));
	assert_int_equal(system("ip link del mut0a"), 0);
	warnings = 0;
	indynet_set_log(log_sink, NULL, INDYNET_LOG_INFO);
	bridge_host_input(h, f, t_arp_request(f, guest_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 1)));
	indynet_set_log(NULL, NULL, INDYNET_LOG_INFO);
	assert_int_equal(warnings, 1); /* "no neighbour entry for the guest" */
	assert_int_equal(bridge_host_counts(h).neigh, 0);
	bridge_host_free(h);
}

/*
 * #21: a host whose own address lies in libslirp's default subnet
 * (198.18.0.1 on the LAN 198.18.0.0/24) is still reached: libslirp moves to
 * 198.19.0.0/24, else it would take H for one of its own aliases and send
 * the guest's datagram to the host's loopback instead.  A socket bound to H
 * only, in a private netns, answers.
 */
static void test_host_in_private_subnet_reached(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(198, 18, 0, 1), gip = t_ip(198, 18, 0, 60);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = hip };
	socklen_t sl = sizeof(sa);
	struct bridge_host *h;
	struct eth_view e;
	uint8_t f[256];
	size_t n;
	int fd;

	(void)state;
	if (!enter_netns("198.18.0.1/24"))
		skip();
	h = netns_path(&s, hip);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	pump_until_frame(h, &s, -1, 1);
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 4000, ntohs(sa.sin_port), "ping", 4, 13);
	assert_true(bridge_host_input(h, f, n));
	pump_until_frame(h, &s, fd, 200);
	assert_int_equal(s.frames, 1);
	assert_int_equal(eth_parse(s.last, s.len, &e), 0);
	assert_memory_equal(e.payload + 12, &hip, 4);
	assert_memory_equal(e.payload + IPV4_HLEN + 8, "pong", 4);
	close(fd);
	bridge_host_free(h);
}

/* #21: the host's captured TCP (DF set, as Linux sends it) is completed; a fragment past its first is left as it is */
static void test_seen_tcp_df_and_fragments(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(10, 0, 0, 2), gip = t_ip(10, 0, 0, 60);
	struct bridge_host *h;
	uint8_t f[256];
	const uint8_t *seen;
	size_t n;

	(void)state;
	if (!raw_allowed())
		skip();
	h = new_path(&s, hip);
	n = t_udp_frame(f, guest_mac, host_mac, hip, gip, 5002, 22, "twelve bytes", 12, 16);
	f[ETH_HLEN + 9] = 6; /* a 20-byte TCP header: 8 bytes of "UDP" + 12 */
	f[ETH_HLEN + 6] = 0x40; /* DF */
	f[ETH_HLEN + 10] = f[ETH_HLEN + 11] = 0;
	memset(f + ETH_HLEN + IPV4_HLEN + 16, 0x12, 2); /* partial */
	seen = bridge_host_seen(h, f, n);
	assert_ptr_not_equal(seen, f);
	assert_int_equal(l4_csum_ipv4(hip, gip, 6, seen + ETH_HLEN + IPV4_HLEN, n - ETH_HLEN - IPV4_HLEN), 0);
	f[ETH_HLEN + 6] = 0x01; /* offset 2048 bytes, last fragment */
	f[ETH_HLEN + 7] = 0;
	assert_ptr_equal(bridge_host_seen(h, f, n), f);
	f[ETH_HLEN + 6] = 0x20; /* the first fragment (MF) */
	assert_ptr_equal(bridge_host_seen(h, f, n), f);
	bridge_host_free(h);
}

/* #21: once the capture closed (no host address), the guest's ARP for H goes to the LAN unanswered */
static void test_capture_closed(void **state)
{
	struct sink s;
	struct bridge_host *h = new_path(&s, t_ip(10, 0, 0, 2));
	uint8_t f[128];
	size_t n = t_arp_request(f, guest_mac, t_ip(10, 0, 0, 60), t_ip(10, 0, 0, 2));

	(void)state;
	bridge_host_lan(h, NULL, false);
	assert_false(bridge_host_input(h, f, n));
	assert_int_equal(s.frames, 0);
	assert_int_equal(bridge_host_counts(h).arp, 0);
	bridge_host_free(h);
}

/*
 * #21: a daemon started with descriptor 0 closed gets its raw socket there:
 * the guest's answers to the host's own flows still go to the host's stack
 * (in a private netns where the host's address is local)
 */
static void test_raw_socket_at_descriptor_0(void **state)
{
	struct sink s;
	uint32_t hip = t_ip(10, 0, 0, 2), gip = t_ip(10, 0, 0, 60);
	struct bridge_host *h;
	uint8_t f[256];
	uint64_t direct;
	bool taken;
	size_t n;
	int in;

	(void)state;
	if (!enter_netns("10.0.0.2/24"))
		skip();
	in = dup(0);
	assert_true(in > 0);
	close(0);
	h = netns_path(&s, hip);
	n = t_udp_frame(f, guest_mac, host_mac, hip, gip, 5003, 7107, "query", 5, 17);
	bridge_host_seen(h, f, n);
	n = t_udp_frame(f, host_mac, guest_mac, gip, hip, 7107, 5003, "answer", 6, 18);
	taken = bridge_host_input(h, f, n);
	direct = bridge_host_counts(h).direct;
	bridge_host_free(h); /* closes descriptor 0 again */
	assert_int_equal(dup2(in, 0), 0);
	close(in);
	assert_true(taken);
	assert_int_equal(direct, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_without_lan),
		cmocka_unit_test(test_arp_for_the_host),
		cmocka_unit_test(test_which_ipv4_is_taken),
		cmocka_unit_test(test_udp_round_trip),
		cmocka_unit_test(test_answer_to_the_host_goes_direct),
		cmocka_unit_test(test_unspecified_source_not_taken),
		cmocka_unit_test(test_other_arp_injected),
		cmocka_unit_test(test_seen_too_long_left_alone),
		cmocka_unit_test(test_lan_logged_and_subnet_moved),
		cmocka_unit_test(test_seen_cut_frame_no_flow),
		cmocka_unit_test_teardown(test_neighbour_entry_kept, leave_netns),
		cmocka_unit_test_teardown(test_neighbour_refused_not_counted, leave_netns),
		cmocka_unit_test_teardown(test_host_in_private_subnet_reached, leave_netns),
		cmocka_unit_test(test_seen_tcp_df_and_fragments),
		cmocka_unit_test(test_capture_closed),
		cmocka_unit_test_teardown(test_raw_socket_at_descriptor_0, leave_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
