/* SPDX-License-Identifier: MIT */
/* test_bridge.c: bridge backend pieces: status classification, filter text, TCP re-segmentation, interface choice. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bridge_cap.h"
#include "backend/bridge_if.h"
#include "backend/bridge_seg.h"
#include "backend/bridge_status.h"
#include "core/checksum.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "engine_test.h"

/* ---- status classification ---- */

static void classify(int rc, const char *text, enum indynet_capture_state want)
{
	enum indynet_capture_state got = bridge_status_classify(rc, text);

	if (got != want)
		fail_msg("'%s' (rc %d): %s, expected %s", text, rc, indynet_capture_state_name(got),
			 indynet_capture_state_name(want));
}

static void test_classify(void **state)
{
	(void)state;
	/* the original's words, any case */
	classify(0, "socket: Permission denied", INDYNET_CAPTURE_PERMISSION_DENIED);
	classify(0, "socket: Operation not permitted", INDYNET_CAPTURE_PERMISSION_DENIED);
	classify(0, "capture is NOT PERMITTED here", INDYNET_CAPTURE_PERMISSION_DENIED);
	classify(0, "open /dev/bpf0 failed: EACCES", INDYNET_CAPTURE_PERMISSION_DENIED);
	classify(0, "ioctl: eperm", INDYNET_CAPTURE_PERMISSION_DENIED);
	/* everything else is the device's fault */
	classify(0, "SIOCGIFHWADDR: No such device", INDYNET_CAPTURE_DEVICE_ERROR);
	classify(0, "The interface went down", INDYNET_CAPTURE_DEVICE_ERROR);
	classify(0, "", INDYNET_CAPTURE_DEVICE_ERROR);
	classify(0, NULL, INDYNET_CAPTURE_DEVICE_ERROR);
	/* libpcap's codes decide where they are specific, whatever the text */
	classify(PCAP_ERROR_PERM_DENIED, "You don't have permission to perform this capture on that device",
		 INDYNET_CAPTURE_PERMISSION_DENIED);
	classify(PCAP_ERROR_PROMISC_PERM_DENIED, "", INDYNET_CAPTURE_PERMISSION_DENIED);
	classify(PCAP_ERROR_NO_SUCH_DEVICE, "not permitted to say", INDYNET_CAPTURE_DEVICE_ERROR);
	classify(PCAP_ERROR_IFACE_NOT_UP, "That device is not up", INDYNET_CAPTURE_DEVICE_ERROR);
	classify(PCAP_ERROR, "socket: Operation not permitted", INDYNET_CAPTURE_PERMISSION_DENIED);
}

static void test_explain_and_names(void **state)
{
	char msg[256];

	(void)state;
	bridge_status_explain(INDYNET_CAPTURE_PERMISSION_DENIED, "eth0", "socket: Operation not permitted", msg,
			      sizeof(msg));
	assert_non_null(strstr(msg, "eth0: socket: Operation not permitted"));
	assert_non_null(strstr(msg, "setcap cap_net_raw,cap_net_admin+eip"));
	bridge_status_explain(INDYNET_CAPTURE_DEVICE_ERROR, "eth9", "No such device exists", msg, sizeof(msg));
	assert_string_equal(msg, "eth9: No such device exists");
	assert_string_equal(indynet_capture_state_name(INDYNET_CAPTURE_INACTIVE), "inactive");
	assert_string_equal(indynet_capture_state_name(INDYNET_CAPTURE_ACTIVE), "active");
	assert_string_equal(indynet_capture_state_name(INDYNET_CAPTURE_PERMISSION_DENIED), "permission-denied");
	assert_string_equal(indynet_capture_state_name(INDYNET_CAPTURE_DEVICE_ERROR), "device-error");
	assert_string_equal(indynet_capture_state_name((enum indynet_capture_state)9), "unknown");
}

/* ---- filter text ---- */

static void test_filter_text(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x0a, 0xb0, 0x00, 0xff, 0x01 };
	char text[BRIDGE_CAP_FILTER_MAX];
	struct bpf_program prog;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);

	(void)state;
	bridge_cap_filter_text(mac, NULL, text, sizeof(text));
	assert_string_equal(text, "ether dst 02:0a:b0:00:ff:01 or ether broadcast or ether multicast");
	/* libpcap compiles it */
	assert_int_equal(pcap_compile(dead, &prog, text, 1, PCAP_NETMASK_UNKNOWN), 0);
	pcap_freecode(&prog);
	/* with the phantom NFS host's MAC beside the guest's */
	bridge_cap_filter_text(mac, (const uint8_t[]){ 0x02, 0x00, 0xde, 0xad, 0xbf, 0x53 }, text, sizeof(text));
	assert_string_equal(text, "ether dst 02:0a:b0:00:ff:01 or ether dst 02:00:de:ad:bf:53 or ether broadcast "
				  "or ether multicast");
	assert_int_equal(pcap_compile(dead, &prog, text, 1, PCAP_NETMASK_UNKNOWN), 0);
	pcap_freecode(&prog);
	pcap_close(dead);
}

/* ---- TCP re-segmentation ---- */

#define SEG_MAX 64

struct seg_out {
	uint8_t *frames[SEG_MAX];
	size_t lens[SEG_MAX];
	unsigned n;
};

static void seg_collect(void *opaque, const uint8_t *frame, size_t len)
{
	struct seg_out *o = opaque;

	assert_true(o->n < SEG_MAX);
	o->frames[o->n] = malloc(len);
	memcpy(o->frames[o->n], frame, len);
	o->lens[o->n++] = len;
}

static void seg_free(struct seg_out *o)
{
	for (unsigned i = 0; i < o->n; i++)
		free(o->frames[i]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* a super-frame: 20-byte IP, 32-byte TCP (12 bytes of options), @dlen payload bytes i & 0xff */
static size_t super_frame(uint8_t *f, size_t dlen, uint8_t flags)
{
	uint8_t *ip = f + ETH_HLEN, *tcp = ip + IPV4_HLEN;
	uint16_t c;

	memset(f, 0, ETH_HLEN + IPV4_HLEN + 32);
	memcpy(f, (uint8_t[]){ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 }, ETH_HLEN);
	ipv4_build(ip, t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 6, 0x1000, 32 + dlen);
	tcp[0] = 0x1f;
	tcp[1] = 0x90; /* 8080 */
	tcp[3] = 80;
	memcpy(tcp + 4, (uint8_t[]){ 0, 0, 0x03, 0xe8 }, 4); /* seq 1000 */
	tcp[12] = 8 << 4;
	tcp[13] = flags;
	tcp[14] = 0xff;
	for (int i = 0; i < 12; i++)
		tcp[20 + i] = i == 0 ? 1 : 1; /* NOPs */
	for (size_t i = 0; i < dlen; i++)
		tcp[32 + i] = (uint8_t)i;
	c = l4_csum_ipv4(t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 6, tcp, 32 + dlen);
	memcpy(tcp + 16, &c, 2);
	return ETH_HLEN + IPV4_HLEN + 32 + dlen;
}

static void test_seg_worked_example(void **state)
{
	static uint8_t f[ETH_HLEN + 65535], buf[BRIDGE_SEG_BUF];
	struct seg_out o = { 0 };
	size_t off = 0;

	(void)state;
	/* the theory block's example: MTU 1500, 4000 bytes, PSH|ACK|FIN|CWR */
	size_t len = super_frame(f, 4000, 0x08 | 0x10 | 0x01 | 0x80);

	assert_int_equal(bridge_seg_tcp(f, len, 1500, buf, seg_collect, &o), 3);
	for (unsigned i = 0; i < o.n; i++) {
		const uint8_t *ip = o.frames[i] + ETH_HLEN, *tcp = ip + IPV4_HLEN;
		size_t dlen = o.lens[i] - ETH_HLEN - IPV4_HLEN - 32;
		struct ipv4_view v;

		assert_memory_equal(o.frames[i], f, ETH_HLEN);
		assert_true(o.lens[i] - ETH_HLEN <= 1500);
		assert_int_equal(ipv4_parse(ip, o.lens[i] - ETH_HLEN, &v), 0); /* checksum right */
		assert_int_equal(v.id, 0x1000 + i);
		assert_int_equal(l4_csum_ipv4(v.src, v.dst, 6, tcp, 32 + dlen), 0);
		assert_int_equal(rd32(tcp + 4), 1000 + off);
		assert_int_equal(dlen, i < 2 ? 1448 : 1104);
		assert_memory_equal(tcp + 20, f + ETH_HLEN + IPV4_HLEN + 20, 12); /* options copied */
		for (size_t k = 0; k < dlen; k++)
			assert_int_equal(tcp[32 + k], (uint8_t)(off + k));
		assert_int_equal(!!(tcp[13] & 0x08), i == 2); /* PSH last */
		assert_int_equal(!!(tcp[13] & 0x01), i == 2); /* FIN last */
		assert_int_equal(!!(tcp[13] & 0x80), i == 0); /* CWR first */
		assert_true(tcp[13] & 0x10);                  /* ACK on all */
		off += dlen;
	}
	assert_int_equal(off, 4000);
	seg_free(&o);
}

/* #21: a stream's sequence numbers as random ISNs make them: every byte used, and through the wrap at 2^32 */
static void test_seg_sequence_wrap(void **state)
{
	static uint8_t f[ETH_HLEN + 65535], buf[BRIDGE_SEG_BUF];
	static const uint32_t isns[] = { 0xfffffc18u /* 1000 bytes before the wrap */, 0x89abcdefu };

	(void)state;
	for (size_t k = 0; k < sizeof(isns) / sizeof(isns[0]); k++) {
		struct seg_out o = { 0 };
		size_t len = super_frame(f, 4000, 0x10);
		uint8_t *tcp = f + ETH_HLEN + IPV4_HLEN;
		uint32_t seq = isns[k], off = 0;
		uint16_t c = 0;

		memcpy(tcp + 4, (uint8_t[]){ seq >> 24, (uint8_t)(seq >> 16), (uint8_t)(seq >> 8), (uint8_t)seq }, 4);
		memcpy(tcp + 16, &c, 2);
		c = l4_csum_ipv4(t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 6, tcp, len - ETH_HLEN - IPV4_HLEN);
		memcpy(tcp + 16, &c, 2);
		assert_int_equal(bridge_seg_tcp(f, len, 1500, buf, seg_collect, &o), 3);
		for (unsigned i = 0; i < o.n; i++) {
			const uint8_t *t = o.frames[i] + ETH_HLEN + IPV4_HLEN;

			assert_int_equal(l4_csum_ipv4(t_ip(10, 0, 0, 1), t_ip(10, 0, 0, 2), 6, t,
						      o.lens[i] - ETH_HLEN - IPV4_HLEN), 0);
			assert_int_equal(rd32(t + 4), (uint32_t)(seq + off));
			off += (uint32_t)(o.lens[i] - ETH_HLEN - IPV4_HLEN - 32);
		}
		assert_int_equal(off, 4000);
		seg_free(&o);
	}
}

static void test_seg_large_and_refusals(void **state)
{
	static uint8_t f[ETH_HLEN + 65535], buf[BRIDGE_SEG_BUF];
	struct seg_out o = { 0 };
	size_t len = super_frame(f, 65535 - 52, 0x10);

	(void)state;
	/* the largest GRO frame at MTU 1500: 45 segments of 1448 + the rest */
	assert_int_equal(bridge_seg_tcp(f, len, 1500, buf, seg_collect, &o), 46);
	seg_free(&o);
	o.n = 0;
	/* an MTU the headers do not fit under */
	assert_int_equal(bridge_seg_tcp(f, len, 52, buf, seg_collect, &o), -1);
	/* not TCP */
	f[ETH_HLEN + 9] = 17;
	assert_int_equal(bridge_seg_tcp(f, len, 1500, buf, seg_collect, &o), -1);
	/* truncated: the IP total length is longer than the frame */
	len = super_frame(f, 3000, 0x10);
	assert_int_equal(bridge_seg_tcp(f, len - 1, 1500, buf, seg_collect, &o), -1);
	/* a TCP header length beyond the packet */
	len = super_frame(f, 3000, 0x10);
	f[ETH_HLEN + IPV4_HLEN + 12] = 0xf0;
	assert_int_equal(bridge_seg_tcp(f, ETH_HLEN + IPV4_HLEN + 40, 1500, buf, seg_collect, &o), -1);
	/* not IPv4 */
	f[12] = 0x86;
	f[13] = 0xdd;
	assert_int_equal(bridge_seg_tcp(f, len, 1500, buf, seg_collect, &o), -1);
	assert_int_equal(o.n, 0);
}

/* ---- interface choice ---- */

static const struct indynet_interface ifs[] = {
	{ .index = 1, .name = "lo", .up = true, .running = true, .loopback = true, .has_ipv4 = true },
	{ .index = 2, .name = "eth0", .up = true, .running = false, .has_ipv4 = true },
	{ .index = 3, .name = "wlan0", .up = true, .running = true, .wireless = true },
	{ .index = 4, .name = "eth1", .up = true, .running = true, .has_ipv4 = true },
	{ .index = 5, .name = "42", .up = true },
};

static void choose_ok(const char *spec, size_t n, const char *want)
{
	char name[64] = "", err[256] = "";

	assert_int_equal(bridge_if_choose(spec, ifs, n, name, sizeof(name), err, sizeof(err)), 0);
	assert_string_equal(name, want);
}

static void choose_bad(const char *spec, size_t n, int rc, const char *want)
{
	char name[64] = "", err[256] = "";

	assert_int_equal(bridge_if_choose(spec, ifs, n, name, sizeof(name), err, sizeof(err)), rc);
	assert_string_equal(err, want);
}

static void test_choose(void **state)
{
	(void)state;
	/* auto: up, running, not loopback, with IPv4: skips lo, eth0 (not running), wlan0 (no IPv4) */
	choose_ok("auto", 5, "eth1");
	choose_ok(NULL, 5, "eth1");
	choose_ok("", 5, "eth1");
	choose_bad("auto", 3, -ENODEV, "no suitable non-loopback interface found; pass --interface");
	/* by name, by 1-based index; a name made of digits is a name first */
	choose_ok("wlan0", 5, "wlan0");
	choose_ok("2", 5, "eth0");
	choose_ok("42", 5, "42");
	choose_bad("0", 5, -ENODEV, "interface index 0 is out of range (1-5; see --list-interfaces)");
	choose_bad("6", 5, -ENODEV, "interface index 6 is out of range (1-5; see --list-interfaces)");
	/* a name not (yet) present is taken: it may appear later */
	choose_ok("veth9", 5, "veth9");
	choose_bad("averyveryverylongname", 5, -EINVAL, "'averyveryverylongname' is not a valid interface name");
	choose_bad("a/b", 5, -EINVAL, "'a/b' is not a valid interface name");
}

static void test_list_has_lo(void **state)
{
	struct indynet_interface list[64];
	char err[256];
	int n = indynet_interface_list(list, 64, err, sizeof(err));
	bool lo = false;

	(void)state;
	assert_true(n >= 1);
	for (int i = 0; i < n && i < 64; i++) {
		assert_int_equal(list[i].index, (unsigned)i + 1);
		if (strcmp(list[i].name, "lo") == 0)
			lo = list[i].loopback && strstr(list[i].addresses, "127.0.0.1/8");
		assert_string_not_equal(list[i].name, "any"); /* pseudo-devices left out */
	}
	assert_true(lo);
	assert_int_equal(indynet_interface_list(NULL, 0, NULL, 0), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_explain_and_names),
		cmocka_unit_test(test_filter_text),
		cmocka_unit_test(test_seg_worked_example),
		cmocka_unit_test(test_seg_large_and_refusals),
		cmocka_unit_test(test_seg_sequence_wrap),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_list_has_lo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
