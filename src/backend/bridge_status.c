/* SPDX-License-Identifier: MIT */
/* bridge_status.c: classifying a capture failure as permission-denied or device-error, and naming the fix. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "backend/bridge_status.h"

/* the original's rule: these words (any case) mean the capture was not permitted */
static const char *const perm_words[] = {
	"permission denied", "operation not permitted", "not permitted", "eacces", "eperm",
};

enum indynet_capture_state bridge_status_classify(int pcap_rc, const char *text)
{
	if (pcap_rc == PCAP_ERROR_PERM_DENIED || pcap_rc == PCAP_ERROR_PROMISC_PERM_DENIED)
		return INDYNET_CAPTURE_PERMISSION_DENIED;
	if (pcap_rc == PCAP_ERROR_NO_SUCH_DEVICE || pcap_rc == PCAP_ERROR_IFACE_NOT_UP)
		return INDYNET_CAPTURE_DEVICE_ERROR;
	for (size_t i = 0; text && i < sizeof(perm_words) / sizeof(perm_words[0]); i++)
		if (strcasestr(text, perm_words[i]))
			return INDYNET_CAPTURE_PERMISSION_DENIED;
	return INDYNET_CAPTURE_DEVICE_ERROR;
}

void bridge_status_explain(enum indynet_capture_state state, const char *iface, const char *text, char *out,
			   size_t outlen)
{
	if (state == INDYNET_CAPTURE_PERMISSION_DENIED)
		snprintf(out, outlen,
			 "%s: %s; capturing needs CAP_NET_RAW and CAP_NET_ADMIN: run "
			 "'setcap cap_net_raw,cap_net_admin+eip' on indynetd (or run it as root)",
			 iface, text);
	else
		snprintf(out, outlen, "%s: %s", iface, text);
}
