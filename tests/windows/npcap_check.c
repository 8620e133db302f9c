/* SPDX-License-Identifier: MIT */
/* npcap_check.c: indynet_capture_access_check() on Windows (caccess_windows.c), run under wine by tests/integration/windows-npcap.sh. */
#include <stdio.h>

#include "backend/caccess.h"

/* prints the check's answer as indynetd --capture-access check does; exit 0 when capture works */
int main(int argc, char **argv)
{
	struct indynet_capture_access a;

	if (indynet_capture_access_check(argc > 1 ? argv[1] : NULL, &a) < 0)
		return 2;
	printf("verdict: %s\n", indynet_capture_access_verdict_name(a.verdict));
	printf("interface: %s\n", a.interface);
	printf("reason: %s\n", a.reason);
	if (a.fix[0])
		printf("fix: %s\n", a.fix);
	printf("load: %s\n", caccess_npcap_load() ? "wpcap.dll loaded" : "wpcap.dll not loaded");
	return a.verdict == INDYNET_ACCESS_WORKS ? 0 : 1;
}
