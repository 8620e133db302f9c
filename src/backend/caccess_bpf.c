/* SPDX-License-Identifier: MIT */
/* caccess_bpf.c: capture permission on macOS: the verdict the BPF devices and the access_bpf group give. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend/caccess.h"

/*
 * macOS hands out capture through /dev/bpf*, owned by root:wheel 0600 at
 * boot.  Wireshark's ChmodBPF way (installer/macos/chmod-bpf/) is a
 * LaunchDaemon that gives the devices to the group access_bpf, read/write,
 * at every boot, and puts the user in that group.  Group membership reaches
 * a process only through a new login session, hence the three ways it can
 * still fail: nothing installed, installed but this session predates the
 * membership, or the devices not (yet) handed to the group.
 */

#define SAY(field, ...) snprintf(out->field, sizeof(out->field), __VA_ARGS__)
#define CACCESS_BPF_INSTALL "installer/macos/chmod-bpf/install.sh"

static void caccess_bpf_denied(const struct caccess_bpf_facts *f, struct indynet_capture_access *out)
{
	out->verdict = INDYNET_ACCESS_NO_PERMISSION;
	if (!f->group_exists || !f->group_listed) {
		out->can_enable = true;
		SAY(reason, "%s is not readable and writable by you (%s) and you are not in the access_bpf group%s",
		    f->bpf_dev, strerror(f->bpf_errno), f->group_exists ? "" : " (it does not exist)");
		SAY(fix, "run %s (it asks for an administrator password once), then quit and reopen this program",
		    CACCESS_BPF_INSTALL);
	} else if (!f->group_effective) {
		SAY(reason, "you are in the access_bpf group, but this session started before you were added");
		SAY(fix, "quit and reopen this program (log out and in again if that is not enough)");
	} else {
		SAY(reason, "you are in the access_bpf group, but %s is not group read/write (%s): the ChmodBPF "
			    "LaunchDaemon has not run", f->bpf_dev, strerror(f->bpf_errno));
		SAY(fix, "sudo launchctl load -w %s (or restart the Mac)", CACCESS_BPF_PLIST);
	}
}

void caccess_bpf_verdict(const struct caccess_bpf_facts *f, struct indynet_capture_access *out)
{
	out->can_enable = false;
	out->reason[0] = out->fix[0] = '\0';
	if (f->iface_missing) {
		out->verdict = INDYNET_ACCESS_NO_INTERFACE;
		SAY(reason, "there is no interface %s", f->iface);
		SAY(fix, "pick an interface from 'ifconfig -l'");
	} else if (f->bpf_errno == 0) {
		out->verdict = INDYNET_ACCESS_WORKS;
		SAY(reason, "%s opens read/write", f->bpf_dev);
	} else if (f->bpf_errno == EACCES || f->bpf_errno == EPERM) {
		caccess_bpf_denied(f, out);
	} else {
		out->verdict = INDYNET_ACCESS_FAILED;
		SAY(reason, "%s: %s", f->bpf_dev, strerror(f->bpf_errno));
	}
}
