/* SPDX-License-Identifier: MIT */
/* caccess_cli.h: indynetd --capture-access check|enable: report the capture permission, grant it on Linux. */
#ifndef INDYNETD_CACCESS_CLI_H
#define INDYNETD_CACCESS_CLI_H

#include <indynet/indynet.h>

#define CACCESS_EXIT_USAGE 2

/**
 * caccess_cli_run() - indynetd --capture-access MODE [--interface IFACE].
 * @mode: "check" or "enable"
 * @iface: the interface (name, number or "auto")
 *
 * Return: the exit status: 0 capture works (after enable: it was granted
 * and a fresh check says so), 1 it does not (the fix is printed), 2 bad
 * input (an unknown mode, an invalid interface name).
 */
int caccess_cli_run(const char *mode, const char *iface);

#endif /* INDYNETD_CACCESS_CLI_H */
