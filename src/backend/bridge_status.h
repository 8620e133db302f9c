/* SPDX-License-Identifier: MIT */
/* bridge_status.h: classifying a capture failure as permission-denied or device-error, and naming the fix. */
#ifndef INDYNET_BACKEND_BRIDGE_STATUS_H
#define INDYNET_BACKEND_BRIDGE_STATUS_H

#include <stddef.h>

#include "indynet/indynet.h"

/**
 * bridge_status_classify() - the capture state a failed open or read puts us in.
 * @pcap_rc: libpcap's return code (PCAP_ERROR_PERM_DENIED ...), or 0 when none
 * @text: the error text
 *
 * libpcap's code decides where it is specific (PCAP_ERROR_PERM_DENIED is
 * permission-denied; PCAP_ERROR_NO_SUCH_DEVICE and
 * PCAP_ERROR_IFACE_NOT_UP are device errors).  Otherwise the text does:
 * it is permission-denied when it contains "permission denied",
 * "operation not permitted", "not permitted", "eacces" or "eperm" (any
 * case), and a device error otherwise.
 *
 * Return: INDYNET_CAPTURE_PERMISSION_DENIED or INDYNET_CAPTURE_DEVICE_ERROR.
 */
enum indynet_capture_state bridge_status_classify(int pcap_rc, const char *text);

/**
 * bridge_status_explain() - the status text shown for a failure: what failed and the fix.
 * @state: the class bridge_status_classify() gave
 * @iface: the interface
 * @text: libpcap's error text
 * @out: receives the message
 * @outlen: its size
 *
 * A permission failure names the fix ("setcap cap_net_raw,cap_net_admin+eip"
 * on indynetd, or running it as root).
 */
void bridge_status_explain(enum indynet_capture_state state, const char *iface, const char *text, char *out,
			   size_t outlen);

#endif /* INDYNET_BACKEND_BRIDGE_STATUS_H */
