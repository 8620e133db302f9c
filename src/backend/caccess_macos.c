/* SPDX-License-Identifier: MIT */
/* caccess_macos.c: capture permission on macOS: can a /dev/bpf device be opened read/write, is the user in access_bpf. */
#ifdef __APPLE__
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <mach-o/dyld.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/caccess.h"

#define CACCESS_BPF_MAX 256     /* devices tried past busy ones */
#define CACCESS_GROUPS_MAX 1024 /* supplementary groups read */
#define CACCESS_GROUP "access_bpf"

/* the first /dev/bpfN that is not busy: 0 when it opened read/write, else open(2)'s errno */
static int caccess_bpf_open(char *dev, size_t devlen)
{
	int err = ENOENT;

	for (int i = 0; i < CACCESS_BPF_MAX; i++) {
		int fd;

		snprintf(dev, devlen, "/dev/bpf%d", i);
		fd = open(dev, O_RDWR);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		err = errno;
		if (err != EBUSY)
			break;
	}
	return err;
}

/* is the user listed in @g, and does this process hold it? */
static void caccess_bpf_member(struct caccess_bpf_facts *f, const struct group *g)
{
	char buf[4096];
	struct passwd pw, *me = NULL;
	gid_t groups[CACCESS_GROUPS_MAX];
	int n = getgroups(CACCESS_GROUPS_MAX, groups);

	getpwuid_r(getuid(), &pw, buf, sizeof(buf), &me);
	for (char **m = g->gr_mem; me && m && *m; m++)
		f->group_listed |= strcmp(*m, me->pw_name) == 0;
	for (int i = 0; i < n; i++)
		f->group_effective |= groups[i] == g->gr_gid;
	f->group_listed |= f->group_effective || (me && me->pw_gid == g->gr_gid);
}

static void caccess_bpf_group(struct caccess_bpf_facts *f)
{
	char *buf = malloc(65536);
	struct group gr, *g = NULL;

	if (buf)
		getgrnam_r(CACCESS_GROUP, &gr, buf, 65536, &g);
	f->group_exists = g != NULL;
	if (g)
		caccess_bpf_member(f, g);
	free(buf);
}

/* "auto"/NULL: any interface; a number: its index; else a name that must exist; -EINVAL when not a name */
static int caccess_bpf_iface(const char *spec, struct caccess_bpf_facts *f, struct indynet_capture_access *out)
{
	if (!spec || !*spec || strcmp(spec, "auto") == 0) {
		snprintf(out->interface, sizeof(out->interface), "auto");
		return 0;
	}
	if (strlen(spec) >= IF_NAMESIZE || strpbrk(spec, "/ \t\n:")) {
		snprintf(out->reason, sizeof(out->reason), "'%s' is not a valid interface name", spec);
		return -EINVAL;
	}
	snprintf(out->interface, sizeof(out->interface), "%s", spec);
	f->iface_missing = if_nametoindex(spec) == 0;
	return 0;
}

int indynet_capture_access_check(const char *interface, struct indynet_capture_access *out)
{
	struct caccess_bpf_facts f = { 0 };
	uint32_t size;
	char dev[32];

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	size = sizeof(out->binary);
	if (_NSGetExecutablePath(out->binary, &size) != 0)
		out->binary[0] = '\0';
	if (caccess_bpf_iface(interface, &f, out) < 0)
		return -EINVAL;
	f.iface = out->interface;
	f.bpf_errno = caccess_bpf_open(dev, sizeof(dev));
	f.bpf_dev = dev;
	caccess_bpf_group(&f);
	caccess_bpf_verdict(&f, out);
	return 0;
}
#endif /* __APPLE__ */
