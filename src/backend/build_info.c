/* SPDX-License-Identifier: MIT */
/* build_info.c: what this build of the library can do: packet capture or not, the versions of libpcap and libslirp. */
#include <libslirp.h>
#include <stdio.h>
#include <string.h>

#include "indynet-build.h"
#include "indynet/indynet.h"

#if INDYNET_HAVE_PCAP
#include <pcap/pcap.h>
#endif

void indynet_build_info_get(struct indynet_build_info *out)
{
	memset(out, 0, sizeof(*out));
#if INDYNET_HAVE_PCAP
	out->packet_capture = true;
	snprintf(out->pcap_version, sizeof(out->pcap_version), "%s", pcap_lib_version());
#endif
	snprintf(out->slirp_version, sizeof(out->slirp_version), "%s", slirp_version_string());
	out->nfs_v2 = out->nfs_v3 = true;
}
