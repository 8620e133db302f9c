/* SPDX-License-Identifier: MIT */
/* caccess.h: capture permission: the facts found about this process and the verdict they give. */
#ifndef INDYNET_BACKEND_CACCESS_H
#define INDYNET_BACKEND_CACCESS_H

#include <stdbool.h>

#include "indynet/indynet.h"

/*
 * Theory of operation
 *
 * indynet_capture_access_check() has two halves.  The OS-specific one
 * (caccess_linux.c, caccess_macos.c, caccess_none.c for a build without
 * packet capture) tries a capture and gathers facts about the process and
 * its executable; caccess_verdict() (Linux) or caccess_bpf_verdict()
 * (macOS, caccess_bpf.c) turns the facts into a verdict, a reason and the
 * exact fix.  The second half is pure, so the unit tests
 * feed it every combination, including those this machine cannot produce
 * (a filesystem without extended attributes).  caccess_windows.c (Npcap)
 * keeps both halves in one file; its test runs it under wine against a
 * fake Windows tree, which can produce every case.
 */

/** How the trial capture went. */
enum caccess_open {
	CACCESS_OPENED = 0,
	CACCESS_DENIED,      /* permission refused */
	CACCESS_NO_DEVICE,   /* no such interface */
	CACCESS_DOWN,        /* the interface is not up */
	CACCESS_OTHER,       /* anything else: open_err says */
};

/** What the OS half found (Linux: file capabilities, mount flags, no_new_privs). */
struct caccess_facts {
	const char *iface;      /* the interface tried */
	const char *binary;     /* this process's executable */
	enum caccess_open open;
	const char *open_err;   /* libpcap's text when the open failed */
	bool root;              /* effective uid 0 */
	bool file_caps;         /* the executable carries cap_net_raw,cap_net_admin permitted and effective */
	bool nosuid;            /* its filesystem is mounted nosuid: file capabilities are ignored */
	bool no_xattr;          /* its filesystem cannot hold extended attributes (nor capabilities) */
	bool no_new_privs;      /* the process runs with no_new_privs: file capabilities are ignored */
};

/** What a build without packet capture answers for bridge mode, its interfaces and the check. */
#define CACCESS_NOT_BUILT "this build has no packet capture support (bridge mode needs libpcap: meson setup -Dpcap=enabled)"

/** The capabilities bridge mode needs, as setcap(8) and cap_from_text(3) spell them. */
#define CACCESS_CAPS "cap_net_raw,cap_net_admin+eip"

/**
 * caccess_verdict() - the verdict, reason and fix the facts give (Linux).
 * @f: what caccess_linux.c found
 * @out: receives verdict, can_enable, reason and fix (interface and binary are the caller's)
 */
void caccess_verdict(const struct caccess_facts *f, struct indynet_capture_access *out);

/** What caccess_macos.c found about the BPF devices and the access_bpf group. */
struct caccess_bpf_facts {
	const char *iface;      /* the interface asked for */
	bool iface_missing;     /* it does not exist */
	int bpf_errno;          /* 0: a /dev/bpfN opened read/write; else open(2)'s errno (EACCES, ENOENT ...) */
	const char *bpf_dev;    /* the device tried last ("/dev/bpf0") */
	bool group_exists;      /* the access_bpf group exists */
	bool group_listed;      /* the user is listed in it */
	bool group_effective;   /* this process holds it (getgroups()): listed before the session began */
};

/** Where installer/macos/chmod-bpf/ installs its LaunchDaemon. */
#define CACCESS_BPF_PLIST "/Library/LaunchDaemons/org.indynet.ChmodBPF.plist"

/**
 * caccess_bpf_verdict() - the verdict, reason and fix the BPF facts give (macOS).
 * @f: what caccess_macos.c found
 * @out: receives verdict, can_enable, reason and fix
 */
void caccess_bpf_verdict(const struct caccess_bpf_facts *f, struct indynet_capture_access *out);

/**
 * caccess_npcap_load() - load Npcap's wpcap.dll from System32\Npcap (Windows only: caccess_windows.c).
 *
 * Sets the DLL directory to that folder first, as Npcap asks of programs that
 * load it at run time, and leaves it set for the DLLs wpcap.dll loads.
 * Return: the module (an HMODULE), or NULL with GetLastError() set.
 */
void *caccess_npcap_load(void);

#endif /* INDYNET_BACKEND_CACCESS_H */
