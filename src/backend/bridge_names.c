/* SPDX-License-Identifier: MIT */
/* bridge_names.c: the names of bridge mode's public enums (capture state, MAC translation), in every build. */
#include "indynet/indynet.h"

const char *indynet_capture_state_name(enum indynet_capture_state s)
{
	static const char *const names[] = {
		[INDYNET_CAPTURE_INACTIVE] = "inactive",
		[INDYNET_CAPTURE_ACTIVE] = "active",
		[INDYNET_CAPTURE_PERMISSION_DENIED] = "permission-denied",
		[INDYNET_CAPTURE_DEVICE_ERROR] = "device-error",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[s];
}

const char *indynet_bridge_mac_name(enum indynet_bridge_mac m)
{
	static const char *const names[] = {
		[INDYNET_BRIDGE_MAC_AUTO] = "auto",
		[INDYNET_BRIDGE_MAC_GUEST] = "guest",
		[INDYNET_BRIDGE_MAC_HOST] = "host",
	};

	if ((unsigned)m >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[m];
}
