/* SPDX-License-Identifier: MIT */
/* caccess.c: capture permission on Linux: the verdict, reason and exact fix the facts give; the verdicts' names. */
#include <stdio.h>
#include <string.h>

#include "backend/caccess.h"

#define SAY(field, ...) snprintf(out->field, sizeof(out->field), __VA_ARGS__)

static void caccess_works(const struct caccess_facts *f, struct indynet_capture_access *out)
{
	out->verdict = INDYNET_ACCESS_WORKS;
	SAY(reason, "a capture opened on %s (%s)", f->iface,
	    f->root ? "running as root" :
	    f->file_caps ? "through the file capabilities of the executable" : "the process holds the capabilities");
}

/* file capabilities cannot work for this executable or process: say which obstacle */
static void caccess_blocked(const struct caccess_facts *f, struct indynet_capture_access *out)
{
	const char *has = f->file_caps ? "carries " CACCESS_CAPS ", but" :
					 "carries no file capabilities, and setcap would not help:";

	out->verdict = INDYNET_ACCESS_CAPS_IGNORED;
	if (f->nosuid) {
		SAY(reason, "%s %s its filesystem is mounted nosuid, which ignores file capabilities", f->binary, has);
		SAY(fix, "install %s on a filesystem mounted without nosuid (e.g. under /usr/local/bin) and run "
			 "'sudo setcap %s' on that copy, or remount its filesystem with 'suid'", f->binary, CACCESS_CAPS);
	} else if (f->no_xattr) {
		SAY(reason, "%s %s its filesystem cannot store file capabilities (no extended attributes)", f->binary,
		    has);
		SAY(fix, "copy %s to a filesystem with extended attributes (ext4, xfs, btrfs; e.g. /usr/local/bin) "
			 "and run 'sudo setcap %s' on the copy", f->binary, CACCESS_CAPS);
	} else if (f->no_new_privs) {
		SAY(reason, "%s %s this process runs with no_new_privs set, which ignores file capabilities",
		    f->binary, has);
		SAY(fix, "start it without no_new_privs (systemd: NoNewPrivileges=no, or give the service "
			 "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN instead)");
	} else {
		SAY(reason, "%s %s this process did not receive them (a user namespace or a security module "
			    "withholds them)", f->binary, has);
		SAY(fix, "run it outside the container or sandbox, or as root");
	}
}

static void caccess_denied(const struct caccess_facts *f, struct indynet_capture_access *out)
{
	if (f->file_caps || f->nosuid || f->no_xattr || f->no_new_privs) {
		caccess_blocked(f, out);
		return;
	}
	out->verdict = INDYNET_ACCESS_NO_PERMISSION;
	out->can_enable = true;
	SAY(reason, "capturing on %s needs CAP_NET_RAW and CAP_NET_ADMIN; %s carries no file capabilities and "
		    "this process is not root (%s)", f->iface, f->binary, f->open_err ? f->open_err : "");
	SAY(fix, "sudo setcap %s %s", CACCESS_CAPS, f->binary);
}

void caccess_verdict(const struct caccess_facts *f, struct indynet_capture_access *out)
{
	out->can_enable = false;
	out->reason[0] = out->fix[0] = '\0';
	switch (f->open) {
	case CACCESS_OPENED:
		caccess_works(f, out);
		return;
	case CACCESS_DENIED:
		caccess_denied(f, out);
		return;
	case CACCESS_NO_DEVICE:
		out->verdict = INDYNET_ACCESS_NO_INTERFACE;
		SAY(reason, "there is no interface %s", f->iface);
		SAY(fix, "pass --interface with a name or number from 'indynetd --list-interfaces'");
		return;
	case CACCESS_DOWN:
		out->verdict = INDYNET_ACCESS_FAILED;
		SAY(reason, "interface %s is not up (%s)", f->iface, f->open_err ? f->open_err : "");
		SAY(fix, "sudo ip link set %s up", f->iface);
		return;
	case CACCESS_OTHER:
		break;
	}
	out->verdict = INDYNET_ACCESS_FAILED;
	SAY(reason, "the capture on %s failed: %s", f->iface, f->open_err ? f->open_err : "unknown error");
}

const char *indynet_capture_access_verdict_name(enum indynet_access_verdict v)
{
	static const char *const names[] = {
		[INDYNET_ACCESS_WORKS] = "works",
		[INDYNET_ACCESS_NO_PERMISSION] = "no-permission",
		[INDYNET_ACCESS_CAPS_IGNORED] = "caps-ignored",
		[INDYNET_ACCESS_NO_INTERFACE] = "no-interface",
		[INDYNET_ACCESS_NO_DRIVER] = "no-driver",
		[INDYNET_ACCESS_NOT_BUILT] = "not-built",
		[INDYNET_ACCESS_FAILED] = "failed",
	};

	if ((unsigned)v >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[v];
}
