/* SPDX-License-Identifier: MIT */
/* test_caccess.c: the capture permission verdicts: every fact that decides one, its reason and its exact fix. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/caccess.h"

#define BIN "/usr/bin/indynetd"

static struct caccess_facts denied(void)
{
	return (struct caccess_facts){ .iface = "eth0", .binary = BIN, .open = CACCESS_DENIED,
				       .open_err = "socket: Operation not permitted" };
}

static void verdict(const struct caccess_facts *f, struct indynet_capture_access *a)
{
	memset(a, 0x55, sizeof(*a)); /* nothing of a previous answer may survive */
	caccess_verdict(f, a);
}

static void test_works(void **state)
{
	struct caccess_facts f = denied();
	struct indynet_capture_access a;

	(void)state;
	f.open = CACCESS_OPENED;
	f.file_caps = true;
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_WORKS);
	assert_false(a.can_enable);
	assert_string_equal(a.fix, "");
	assert_non_null(strstr(a.reason, "file capabilities"));
	f.root = true;
	verdict(&f, &a);
	assert_non_null(strstr(a.reason, "as root"));
}

static void test_no_capability(void **state)
{
	struct caccess_facts f = denied();
	struct indynet_capture_access a;

	(void)state;
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_NO_PERMISSION);
	assert_true(a.can_enable);
	assert_string_equal(a.fix, "sudo setcap cap_net_raw,cap_net_admin+eip " BIN);
	assert_non_null(strstr(a.reason, "Operation not permitted"));
	assert_non_null(strstr(a.reason, "carries no file capabilities"));
}

static void test_caps_on_nosuid_mount(void **state)
{
	struct caccess_facts f = denied();
	struct indynet_capture_access a;

	(void)state;
	f.file_caps = f.nosuid = true;
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_CAPS_IGNORED);
	assert_false(a.can_enable);
	assert_non_null(strstr(a.reason, "carries cap_net_raw,cap_net_admin+eip, but its filesystem is mounted nosuid"));
	assert_non_null(strstr(a.fix, "without nosuid"));
	f.file_caps = false; /* setcap on a nosuid mount would not help either */
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_CAPS_IGNORED);
	assert_non_null(strstr(a.reason, "carries no file capabilities, and setcap would not help"));
}

static void test_no_xattrs(void **state)
{
	struct caccess_facts f = denied();
	struct indynet_capture_access a;

	(void)state;
	f.no_xattr = true;
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_CAPS_IGNORED);
	assert_false(a.can_enable);
	assert_non_null(strstr(a.reason, "no extended attributes"));
	assert_non_null(strstr(a.fix, "copy " BIN " to a filesystem with extended attributes"));
}

static void test_no_new_privs(void **state)
{
	struct caccess_facts f = denied();
	struct indynet_capture_access a;

	(void)state;
	f.file_caps = f.no_new_privs = true;
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_CAPS_IGNORED);
	assert_non_null(strstr(a.reason, "no_new_privs"));
	assert_non_null(strstr(a.fix, "NoNewPrivileges=no"));
	f.no_new_privs = false; /* present, nothing explains it: a namespace or an LSM */
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_CAPS_IGNORED);
	assert_non_null(strstr(a.reason, "did not receive them"));
}

static void test_interface_missing_down_other(void **state)
{
	struct caccess_facts f = denied();
	struct indynet_capture_access a;

	(void)state;
	f.open = CACCESS_NO_DEVICE;
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_NO_INTERFACE);
	assert_string_equal(a.reason, "there is no interface eth0");
	assert_non_null(strstr(a.fix, "--list-interfaces"));
	f.open = CACCESS_DOWN;
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_FAILED);
	assert_string_equal(a.fix, "sudo ip link set eth0 up");
	f.open = CACCESS_OTHER;
	f.open_err = "not an Ethernet interface (link type RAW)";
	verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_FAILED);
	assert_string_equal(a.reason, "the capture on eth0 failed: not an Ethernet interface (link type RAW)");
	assert_string_equal(a.fix, "");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(indynet_capture_access_verdict_name(INDYNET_ACCESS_WORKS), "works");
	assert_string_equal(indynet_capture_access_verdict_name(INDYNET_ACCESS_NO_PERMISSION), "no-permission");
	assert_string_equal(indynet_capture_access_verdict_name(INDYNET_ACCESS_CAPS_IGNORED), "caps-ignored");
	assert_string_equal(indynet_capture_access_verdict_name(INDYNET_ACCESS_NO_INTERFACE), "no-interface");
	assert_string_equal(indynet_capture_access_verdict_name(INDYNET_ACCESS_NO_DRIVER), "no-driver");
	assert_string_equal(indynet_capture_access_verdict_name(INDYNET_ACCESS_NOT_BUILT), "not-built");
	assert_string_equal(indynet_capture_access_verdict_name(INDYNET_ACCESS_FAILED), "failed");
	assert_string_equal(indynet_capture_access_verdict_name((enum indynet_access_verdict)99), "unknown");
}

static struct caccess_bpf_facts bpf_denied(void)
{
	return (struct caccess_bpf_facts){ .iface = "en0", .bpf_errno = EACCES, .bpf_dev = "/dev/bpf0" };
}

static void test_macos_bpf(void **state)
{
	struct caccess_bpf_facts f = bpf_denied();
	struct indynet_capture_access a;

	(void)state;
	caccess_bpf_verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_NO_PERMISSION);
	assert_true(a.can_enable);
	assert_non_null(strstr(a.reason, "not in the access_bpf group (it does not exist)"));
	assert_string_equal(a.fix, "run installer/macos/chmod-bpf/install.sh (it asks for an administrator password "
				   "once), then quit and reopen this program");
	f.group_exists = f.group_listed = true; /* added, but this session predates it */
	caccess_bpf_verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_NO_PERMISSION);
	assert_false(a.can_enable);
	assert_non_null(strstr(a.fix, "quit and reopen"));
	f.group_effective = true; /* in the group, devices still root-only: the LaunchDaemon has not run */
	caccess_bpf_verdict(&f, &a);
	assert_string_equal(a.fix, "sudo launchctl load -w " CACCESS_BPF_PLIST " (or restart the Mac)");
	f.bpf_errno = 0;
	caccess_bpf_verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_WORKS);
	assert_string_equal(a.reason, "/dev/bpf0 opens read/write");
	f.iface_missing = true;
	caccess_bpf_verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_NO_INTERFACE);
	f = bpf_denied();
	f.bpf_errno = ENOENT;
	caccess_bpf_verdict(&f, &a);
	assert_int_equal(a.verdict, INDYNET_ACCESS_FAILED);
	assert_string_equal(a.fix, "");
}

/* the real check: bad input, a missing interface, and this process's own answer on lo */
static void test_check_live(void **state)
{
	struct indynet_capture_access a;
	struct indynet_build_info b;

	(void)state;
	indynet_build_info_get(&b);
	assert_int_equal(indynet_capture_access_check("lo", NULL), -EINVAL);
	if (!b.packet_capture) {
		assert_int_equal(indynet_capture_access_check("lo", &a), 0);
		assert_int_equal(a.verdict, INDYNET_ACCESS_NOT_BUILT);
		assert_string_equal(a.reason, CACCESS_NOT_BUILT);
		return;
	}
	assert_int_equal(indynet_capture_access_check("a/b", &a), -EINVAL);
	assert_non_null(strstr(a.reason, "not a valid interface name"));
	assert_int_equal(indynet_capture_access_check("cap0none", &a), 0);
	assert_int_equal(a.verdict, INDYNET_ACCESS_NO_INTERFACE);
	assert_string_equal(a.interface, "cap0none");
	assert_int_equal(indynet_capture_access_check("lo", &a), 0);
	assert_int_equal(a.verdict, geteuid() == 0 ? INDYNET_ACCESS_WORKS : INDYNET_ACCESS_NO_PERMISSION);
	assert_non_null(strstr(a.binary, "test_engine_caccess"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_works),
		cmocka_unit_test(test_no_capability),
		cmocka_unit_test(test_caps_on_nosuid_mount),
		cmocka_unit_test(test_no_xattrs),
		cmocka_unit_test(test_no_new_privs),
		cmocka_unit_test(test_interface_missing_down_other),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_macos_bpf),
		cmocka_unit_test(test_check_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
