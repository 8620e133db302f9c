/* SPDX-License-Identifier: MIT */
/* sandbox.c: indynetd confines itself after setup: --user, capabilities, no_new_privs, then Landlock and seccomp. */
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "dlog.h"
#include "sandbox_int.h"

#define SANDBOX_MAX_GROUPS 64
#define SANDBOX_MAX_KEEP 8
#define SANDBOX_MAX_RULES 16

static bool sandbox_confined;

bool sandbox_active(void)
{
	return sandbox_confined;
}

/* --user NAME: groups, gid, uid; the permitted capabilities survive (libcap keeps them) */
static int sandbox_user(const char *name, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(name);
	gid_t groups[SANDBOX_MAX_GROUPS];
	int ng = SANDBOX_MAX_GROUPS;

	if (!pw) {
		snprintf(err, errlen, "--user %s: no such user", name);
		return -1;
	}
	if (pw->pw_uid == geteuid() && pw->pw_gid == getegid())
		return 0;
	if (getgrouplist(name, pw->pw_gid, groups, &ng) < 0)
		ng = 0;
	if (cap_setgroups(pw->pw_gid, (size_t)ng, groups) < 0 || cap_setuid(pw->pw_uid) < 0) {
		snprintf(err, errlen, "--user %s: %s (indynetd must be started as root to change user)", name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The capabilities a runtime path still uses, when the daemon has them:
 * bridge mode's capture is reopened on an interface switch or after a
 * failure (CAP_NET_RAW, CAP_NET_ADMIN); low ports (forwards added live);
 * open_by_handle_at (NFS handles after a restart) and, for root without
 * --user, the export's files whoever owns them.  NAT mode gives up
 * CAP_NET_RAW, which would let a compromised daemon capture the host's
 * traffic: the guest's pings then need ICMP datagram sockets
 * (net.ipv4.ping_group_range, as systemd sets it), not libslirp's raw
 * fallback.
 */
static size_t sandbox_caps_keep(const struct sandbox_plan *p, cap_value_t *keep)
{
	size_t n = 0;

	keep[n++] = CAP_NET_BIND_SERVICE;
	if (p->bridge) {
		keep[n++] = CAP_NET_RAW;
		keep[n++] = CAP_NET_ADMIN;
	}
	if (p->export_dir)
		keep[n++] = CAP_DAC_READ_SEARCH;
	if (p->export_dir && !p->user) {
		keep[n++] = CAP_DAC_OVERRIDE;
		keep[n++] = CAP_FOWNER;
	}
	return n;
}

static bool sandbox_cap_in(cap_value_t c, const cap_value_t *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == c)
			return true;
	return false;
}

static void sandbox_cap_name(char *list, size_t len, cap_value_t c)
{
	char *name = cap_to_name(c);
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used ? "," : "", name ? name : "?");
	cap_free(name);
}

/* permitted = effective = @keep ∩ what the process has; nothing inheritable, ambient or bounding besides */
static int sandbox_caps(const cap_value_t *keep, size_t n, char *kept, size_t keptlen)
{
	cap_t have = cap_get_proc(), want = cap_init();
	cap_flag_value_t v;
	int rc = -1;

	kept[0] = '\0';
	for (size_t i = 0; have && want && i < n; i++) {
		if (cap_get_flag(have, keep[i], CAP_PERMITTED, &v) < 0 || v != CAP_SET)
			continue;
		cap_set_flag(want, CAP_PERMITTED, 1, &keep[i], CAP_SET);
		cap_set_flag(want, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
		sandbox_cap_name(kept, keptlen, keep[i]);
	}
	for (cap_value_t c = 0; have && want && c < cap_max_bits(); c++)
		if (!sandbox_cap_in(c, keep, n))
			cap_drop_bound(c); /* EPERM without CAP_SETPCAP: the bounding set stays */
	cap_reset_ambient();
	if (have && want)
		rc = cap_set_proc(want);
	cap_free(have);
	cap_free(want);
	return rc;
}

static void sandbox_rule(struct sandbox_rule *r, size_t *n, const char *path, unsigned rights)
{
	if (path && *n < SANDBOX_MAX_RULES)
		r[(*n)++] = (struct sandbox_rule){ .path = path, .rights = rights };
}

/*
 * What the daemon still opens once running: the export and the TFTP
 * folder, /proc (its own fds for the NFS server's attribute calls, the
 * routes, liveness, sanitizers) and /sys (interfaces) read-only, the
 * resolver's configuration for libslirp, the configuration file (SIGHUP),
 * /dev/null and /dev/urandom, and the directories of the files it unlinks
 * at shutdown.  The capture file and the sockets are already open.
 */
static size_t sandbox_rules(const struct sandbox_plan *p, struct sandbox_rule *r, char dirs[][4096])
{
	size_t n = 0;

	sandbox_rule(r, &n, p->export_dir, SANDBOX_READ | (p->export_ro ? 0 : SANDBOX_WRITE));
	sandbox_rule(r, &n, p->tftp_dir, SANDBOX_READ);
	sandbox_rule(r, &n, "/proc", SANDBOX_READ);
	sandbox_rule(r, &n, "/sys", SANDBOX_READ);
	sandbox_rule(r, &n, p->slirp ? "/etc/resolv.conf" : NULL, SANDBOX_READ);
	sandbox_rule(r, &n, p->config_file, SANDBOX_READ);
	sandbox_rule(r, &n, "/dev/null", SANDBOX_READ | SANDBOX_WRITE);
	sandbox_rule(r, &n, "/dev/urandom", SANDBOX_READ);
	for (size_t i = 0; i < sizeof(p->removes) / sizeof(p->removes[0]) && p->removes[i]; i++) {
		const char *slash = strrchr(p->removes[i], '/');

		if (!slash)
			snprintf(dirs[i], 4096, ".");
		else
			snprintf(dirs[i], 4096, "%.*s", slash == p->removes[i] ? 1 : (int)(slash - p->removes[i]),
				 p->removes[i]);
		sandbox_rule(r, &n, dirs[i], SANDBOX_REMOVE);
	}
	return n;
}

/* no_new_privs, Landlock, seccomp; @what gets their summary, a warning names what is missing */
static int sandbox_kernel(const struct sandbox_plan *p, char *what, size_t whatlen, char *err, size_t errlen)
{
	static char dirs[4][4096];
	struct sandbox_rule rules[SANDBOX_MAX_RULES];
	size_t n = sandbox_rules(p, rules, dirs);
	char ll[256], sc[256];
	int ll_rc, sc_rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	sandbox_confined = true;
	ll_rc = sandbox_landlock(rules, n, p->export_dir != NULL, ll, sizeof(ll));
	sc_rc = ll_rc < 0 ? 0 : sandbox_seccomp(sc, sizeof(sc));
	if (ll_rc < 0 || sc_rc < 0) {
		snprintf(err, errlen, "sandbox: %s", ll_rc < 0 ? ll : sc);
		return -1;
	}
	if (ll_rc == 0)
		dlog(INDYNET_LOG_WARN, "sandbox: %s: the filesystem is not restricted", ll);
	if (sc_rc == 0)
		dlog(INDYNET_LOG_WARN, "sandbox: %s: system calls are not restricted", sc);
	snprintf(what, whatlen, "no_new_privs, %s, %s", ll_rc > 0 ? ll : "no Landlock", sc_rc > 0 ? sc : "no seccomp");
	return 0;
}

int sandbox_enter(const struct sandbox_plan *p, char *err, size_t errlen)
{
	cap_value_t keep[SANDBOX_MAX_KEEP];
	char kept[256], what[1024] = "off (--sandbox off)";

	if (!p->enabled && !p->user) {
		dlog(INDYNET_LOG_INFO, "sandbox: off (--sandbox off): every capability kept, no Landlock, no seccomp");
		return 0;
	}
	if (p->user && sandbox_user(p->user, err, errlen) < 0)
		return -1;
	if (sandbox_caps(keep, sandbox_caps_keep(p, keep), kept, sizeof(kept)) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (p->enabled && sandbox_kernel(p, what, sizeof(what), err, errlen) < 0)
		return -1;
	dlog(INDYNET_LOG_INFO, "sandbox: uid %u gid %u, capabilities %s; %s", (unsigned)geteuid(),
	     (unsigned)getegid(), kept[0] ? kept : "none", what);
	return 0;
}
