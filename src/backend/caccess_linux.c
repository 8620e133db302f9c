/* SPDX-License-Identifier: MIT */
/* caccess_linux.c: capture permission on Linux: a trial capture, file capabilities, nosuid, xattrs, no_new_privs. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "backend/bridge_cap.h"
#include "backend/bridge_if.h"
#include "backend/bridge_status.h"
#include "backend/caccess.h"

#define CACCESS_MAX_IFS 128

/* does @path carry cap_net_raw and cap_net_admin, permitted and effective? */
static bool caccess_file_caps(const char *path)
{
	static const cap_value_t need[] = { CAP_NET_RAW, CAP_NET_ADMIN };
	cap_t caps = cap_get_file(path);
	bool all = caps != NULL;

	for (size_t i = 0; caps && i < sizeof(need) / sizeof(need[0]); i++) {
		cap_flag_value_t p = CAP_CLEAR, e = CAP_CLEAR;

		cap_get_flag(caps, need[i], CAP_PERMITTED, &p);
		cap_get_flag(caps, need[i], CAP_EFFECTIVE, &e);
		all &= p == CAP_SET && e == CAP_SET;
	}
	cap_free(caps);
	return all;
}

/* open and close a capture as bridge mode would; its outcome in @f */
static void caccess_try(struct caccess_facts *f, char *err, size_t errlen)
{
	struct bridge_cap c;
	int rc;

	if (if_nametoindex(f->iface) == 0) {
		f->open = CACCESS_NO_DEVICE;
		return;
	}
	rc = bridge_cap_open(&c, f->iface, INDYNET_CAPTURE_BUFFER_MIN, NULL, NULL, err, errlen);
	f->open_err = err;
	if (rc == 0)
		bridge_cap_close(&c);
	if (rc == 0)
		f->open = CACCESS_OPENED;
	else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		f->open = CACCESS_NO_DEVICE;
	else if (rc == PCAP_ERROR_IFACE_NOT_UP)
		f->open = CACCESS_DOWN;
	else if (bridge_status_classify(rc, err) == INDYNET_CAPTURE_PERMISSION_DENIED)
		f->open = CACCESS_DENIED;
	else
		f->open = CACCESS_OTHER;
}

/* the executable and what its filesystem and this process allow it */
/*
 * no_new_privs as the process was started: only that one makes the kernel
 * ignore file capabilities at the next start (the parent passes it on); a
 * process that sets it on itself later (indynetd's sandbox) does not.
 */
static bool caccess_nnp_at_start;

__attribute__((constructor)) static void caccess_nnp_read(void)
{
	caccess_nnp_at_start = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}

static void caccess_binary(struct caccess_facts *f, char *path, size_t pathlen)
{
	ssize_t n = readlink("/proc/self/exe", path, pathlen - 1);
	struct statvfs vfs;

	path[n > 0 ? n : 0] = '\0';
	f->binary = path;
	f->root = geteuid() == 0;
	f->file_caps = caccess_file_caps(path);
	f->nosuid = statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID);
	f->no_xattr = getxattr(path, "security.capability", NULL, 0) < 0 && errno == ENOTSUP;
	f->no_new_privs = caccess_nnp_at_start;
}

/* @spec as an interface name, as bridge mode would pick it; -EINVAL or -ENODEV with out->reason set */
static int caccess_iface(const char *spec, struct indynet_capture_access *out)
{
	struct indynet_interface *ifs = calloc(CACCESS_MAX_IFS, sizeof(*ifs));
	int n = ifs ? bridge_if_list(ifs, CACCESS_MAX_IFS, out->reason, sizeof(out->reason)) : 0;
	int rc;

	if (n < 0)
		n = 0; /* a name still works; "auto" and numbers find nothing */
	rc = bridge_if_choose(spec, ifs, n < CACCESS_MAX_IFS ? (size_t)n : CACCESS_MAX_IFS, out->interface,
			      sizeof(out->interface), out->reason, sizeof(out->reason));
	free(ifs);
	return rc;
}

int indynet_capture_access_check(const char *interface, struct indynet_capture_access *out)
{
	struct caccess_facts f = { 0 };
	char err[PCAP_ERRBUF_SIZE + 64] = "";
	int rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	caccess_binary(&f, out->binary, sizeof(out->binary));
	rc = caccess_iface(interface, out);
	if (rc == -EINVAL)
		return rc;
	f.iface = out->interface;
	if (rc < 0) {
		out->verdict = INDYNET_ACCESS_NO_INTERFACE;
		snprintf(out->fix, sizeof(out->fix), "pass --interface with a name or number from "
						     "'indynetd --list-interfaces'");
		return 0;
	}
	caccess_try(&f, err, sizeof(err));
	caccess_verdict(&f, out);
	return 0;
}
