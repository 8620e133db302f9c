/* SPDX-License-Identifier: MIT */
/* test_nat_tftp.c: TFTP read requests checked against the TFTP root: inside passes, links out and writes are answered with errors. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/nat_tftp.h"
#include "core/eth.h"
#include "core/ipv4.h"
#include "core/udp.h"
#include "engine_test.h"

static const uint8_t guest_mac[6] = T_GUEST_MAC;
static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };

#define GW t_ip(10, 0, 2, 2)
#define GUEST t_ip(10, 0, 2, 15)

struct fx {
	char root[64];
	int dirfd;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[128];
	FILE *fp;

	strcpy(f->root, "/tmp/test-nat-tftp.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(p, sizeof(p), "%s/boot.ipxe", f->root);
	assert_non_null(fp = fopen(p, "w"));
	fclose(fp);
	snprintf(p, sizeof(p), "%s/etc", f->root);
	assert_int_equal(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/boot", f->root);
	assert_int_equal(symlink("boot.ipxe", p), 0);
	f->dirfd = open(f->root, O_PATH | O_DIRECTORY);
	assert_true(f->dirfd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[96];

	close(f->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* a TFTP packet of @op with @name (and "octet") from the guest to @dst:69 */
static size_t tftp(uint8_t *fr, uint32_t dst, uint8_t op, const char *name)
{
	uint8_t p[600] = { 0, op };
	size_t n = strlen(name);

	memcpy(p + 2, name, n + 1);
	memcpy(p + 3 + n, "octet", 6);
	return t_udp_frame(fr, gw_mac, guest_mac, GUEST, dst, 1069, 69, p, 9 + n, 1);
}

/* the TFTP error code in a refusal frame, after checking its addressing */
static unsigned error_code(const uint8_t *fr, size_t n)
{
	const uint8_t *t = fr + ETH_HLEN + IPV4_HLEN + UDP_HLEN;

	assert_true(n > ETH_HLEN + IPV4_HLEN + UDP_HLEN + 4);
	assert_memory_equal(fr, guest_mac, 6);
	assert_memory_equal(fr + 6, gw_mac, 6);
	assert_int_equal(t[1], 5);
	return t[3];
}

static void test_inside_passes(void **state)
{
	struct fx *f = *state;
	uint8_t fr[700], out[NAT_TFTP_FRAME_MAX];

	assert_int_equal(nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, GW, 1, "boot.ipxe"), out, sizeof(out)), 0);
	assert_int_equal(nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, GW, 1, "boot"), out, sizeof(out)), 0);
	assert_int_equal(nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, GW, 4, ""), out, sizeof(out)), 0); /* an ACK */
	assert_int_equal(nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, t_ip(10, 0, 2, 3), 1, "etc/passwd"), out,
					  sizeof(out)),
			 0); /* not for the gateway: not ours */
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	uint8_t fr[700], out[NAT_TFTP_FRAME_MAX];
	const char *outside[] = { "etc/passwd", "/etc/passwd", "../etc/passwd", "etc", "." };
	size_t n;

	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		n = nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, GW, 1, outside[i]), out, sizeof(out));
		assert_int_equal(error_code(out, n), 2);
	}
	n = nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, GW, 1, "nothing"), out, sizeof(out));
	assert_int_equal(error_code(out, n), 1);
	n = nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, GW, 2, "boot.ipxe"), out, sizeof(out));
	assert_int_equal(error_code(out, n), 4); /* read-only */
	n = nat_tftp_refusal(f->dirfd, GW, fr, tftp(fr, GW, 1, ""), out, sizeof(out));
	assert_int_equal(error_code(out, n), 2); /* no name */
}

static void test_hostile(void **state)
{
	struct fx *f = *state;
	uint8_t fr[700], out[NAT_TFTP_FRAME_MAX];
	uint8_t p[520];
	size_t n = tftp(fr, GW, 1, "boot.ipxe");

	for (size_t cut = 0; cut < n; cut++)
		assert_true(nat_tftp_refusal(f->dirfd, GW, fr, cut, out, sizeof(out)) <= NAT_TFTP_FRAME_MAX);
	memset(p, 'a', sizeof(p)); /* a name with no NUL in the datagram */
	p[0] = 0;
	p[1] = 1;
	n = t_udp_frame(fr, gw_mac, guest_mac, GUEST, GW, 1069, 69, p, sizeof(p), 1);
	assert_int_equal(error_code(out, nat_tftp_refusal(f->dirfd, GW, fr, n, out, sizeof(out))), 2);
	assert_int_equal(nat_tftp_refusal(f->dirfd, GW, fr, n, out, NAT_TFTP_FRAME_MAX - 1), 0); /* no room: untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inside_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
