/* SPDX-License-Identifier: MIT */
/* keepalive.c: sleeps for the wine test, so wine keeps its service manager and the npcap driver up between the checks. */
#include <windows.h>

int main(void)
{
	Sleep(INFINITE);
	return 0;
}
