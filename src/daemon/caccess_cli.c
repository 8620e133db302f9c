/* SPDX-License-Identifier: MIT */
/* caccess_cli.c: indynetd --capture-access check|enable: report the capture permission, grant it on Linux. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caccess_cli.h"
#include "indynet-build.h"

#if INDYNET_HAVE_PCAP
#include <sys/capability.h>
#endif

/*
 * Theory of operation
 *
 * check prints indynet_capture_access_check()'s answer, one "key: value"
 * line each, and exits 0 when capture works, 1 when it does not.
 *
 * enable grants what check found missing.  As root it writes the file
 * capabilities onto the executable with libcap and reads them back; the
 * process itself cannot gain them (they take effect at exec), so the
 * verdict is then asked of a fresh exec of the binary (check).  As a
 * normal user it runs the same command again through pkexec, handing
 * over the desktop's variables that pkexec would clear (and, inside an
 * AppImage, running $APPIMAGE rather than the mounted inner binary), then
 * checks again the same way.  Without pkexec it prints the command to run.
 */

#define CACCESS_CAPS_TEXT "cap_net_raw,cap_net_admin+eip"
#define CACCESS_ENV_BIN "/usr/bin/env"

/* the variables a graphical session needs, kept across pkexec's clean environment */
static const char *const caccess_keep_env[] = {
	"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR", "HOME", "APPIMAGE",
};

static void caccess_print(const struct indynet_capture_access *a)
{
	printf("verdict: %s\n", indynet_capture_access_verdict_name(a->verdict));
	printf("interface: %s\n", a->interface[0] ? a->interface : "(none)");
	if (a->binary[0])
		printf("binary: %s\n", a->binary);
	printf("reason: %s\n", a->reason);
	if (a->fix[0])
		printf("fix: %s%s\n", a->fix, a->can_enable ? " (or: indynetd --capture-access enable)" : "");
}

/* 0, 1 or 2 (bad input) after printing the check's answer */
static int caccess_check(const char *iface, struct indynet_capture_access *a)
{
	if (indynet_capture_access_check(iface, a) < 0) {
		fprintf(stderr, "indynetd: --capture-access: %s\n", a->reason);
		return CACCESS_EXIT_USAGE;
	}
	caccess_print(a);
	return a->verdict == INDYNET_ACCESS_WORKS ? 0 : 1;
}

/* run check in a fresh exec of @binary: only a new exec receives file capabilities */
static int caccess_recheck(const char *binary, const char *iface)
{
	char *const argv[] = { (char *)binary, "--capture-access", "check", "--interface", (char *)iface, NULL };

	fflush(stdout);
	execv(binary, argv);
	fprintf(stderr, "indynetd: cannot run %s again to check: %s\n", binary, strerror(errno));
	return 1;
}

#if INDYNET_HAVE_PCAP
/* root: setcap on @binary with libcap, then read it back */
static int caccess_setcap(const char *binary)
{
	cap_t want = cap_from_text(CACCESS_CAPS_TEXT), got;
	int rc = want ? cap_set_file(binary, want) : -1, same;

	if (rc < 0) {
		fprintf(stderr, "indynetd: setcap %s %s: %s\n", CACCESS_CAPS_TEXT, binary, strerror(errno));
		cap_free(want);
		return -1;
	}
	got = cap_get_file(binary);
	same = got ? cap_compare(want, got) : -1;
	cap_free(want);
	cap_free(got);
	if (same != 0) {
		fprintf(stderr, "indynetd: %s does not carry %s after setcap\n", binary, CACCESS_CAPS_TEXT);
		return -1;
	}
	printf("granted %s to %s\n", CACCESS_CAPS_TEXT, binary);
	return 0;
}
#else
/* no packet capture in this build: caccess_enable() stops at the check's not-built */
static int caccess_setcap(const char *binary)
{
	(void)binary;
	return -1;
}
#endif

/* the first executable @name on $PATH, into @out */
static bool caccess_which(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");

	for (const char *p = path ? path : ""; *p; p += *p == ':') {
		size_t len = strcspn(p, ":");

		if (len && (size_t)snprintf(out, outlen, "%.*s/%s", (int)len, p, name) < outlen &&
		    access(out, X_OK) == 0)
			return true;
		p += len;
	}
	return false;
}

/* pkexec /usr/bin/env VAR=value... TARGET --capture-access enable --interface IFACE */
static int caccess_pkexec(const char *pkexec, const char *target, const char *iface)
{
	const char *argv[8 + sizeof(caccess_keep_env) / sizeof(caccess_keep_env[0])];
	char vars[sizeof(caccess_keep_env) / sizeof(caccess_keep_env[0])][1024];
	size_t n = 0;
	pid_t pid;
	int status;

	argv[n++] = pkexec;
	argv[n++] = CACCESS_ENV_BIN;
	for (size_t i = 0; i < sizeof(caccess_keep_env) / sizeof(caccess_keep_env[0]); i++) {
		const char *v = getenv(caccess_keep_env[i]);

		if (v && snprintf(vars[i], sizeof(vars[i]), "%s=%s", caccess_keep_env[i], v) < (int)sizeof(vars[i]))
			argv[n++] = vars[i];
	}
	argv[n++] = target;
	argv[n++] = "--capture-access";
	argv[n++] = "enable";
	argv[n++] = "--interface";
	argv[n++] = iface;
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(pkexec, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* a normal user: through pkexec when there is one, else the command to run */
static int caccess_enable_user(const struct indynet_capture_access *a, const char *iface)
{
	const char *appimage = getenv("APPIMAGE");
	char pkexec[4096];
	int rc;

	if (!a->can_enable) {
		caccess_print(a);
		return 1; /* setcap would not help: the fix says what will */
	}
	if (!caccess_which("pkexec", pkexec, sizeof(pkexec))) {
		printf("no pkexec here: run as root\n  sudo setcap %s %s\n", CACCESS_CAPS_TEXT, a->binary);
		return 1;
	}
	rc = caccess_pkexec(pkexec, appimage && *appimage ? appimage : a->binary, iface);
	if (rc != 0) {
		fprintf(stderr, "indynetd: pkexec failed (status %d); run as root\n  sudo setcap %s %s\n", rc,
			CACCESS_CAPS_TEXT, a->binary);
		return 1;
	}
	return caccess_recheck(a->binary, iface);
}

static int caccess_enable(const char *iface)
{
	struct indynet_capture_access a;

	if (indynet_capture_access_check(iface, &a) < 0) {
		fprintf(stderr, "indynetd: --capture-access: %s\n", a.reason);
		return CACCESS_EXIT_USAGE;
	}
	if (geteuid() != 0 && a.verdict == INDYNET_ACCESS_WORKS) {
		caccess_print(&a);
		return 0;
	}
	if (a.verdict == INDYNET_ACCESS_NOT_BUILT || a.verdict == INDYNET_ACCESS_NO_INTERFACE) {
		caccess_print(&a);
		return 1;
	}
	if (geteuid() != 0)
		return caccess_enable_user(&a, iface);
	if (caccess_setcap(a.binary) < 0)
		return 1;
	return caccess_recheck(a.binary, iface);
}

int caccess_cli_run(const char *mode, const char *iface)
{
	struct indynet_capture_access a;

	if (strcmp(mode, "check") == 0)
		return caccess_check(iface, &a);
	if (strcmp(mode, "enable") == 0)
		return caccess_enable(iface);
	fprintf(stderr, "indynetd: --capture-access: '%s' is not check or enable\n", mode);
	return CACCESS_EXIT_USAGE;
}
