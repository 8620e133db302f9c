/* SPDX-License-Identifier: MIT */
/* fake_wpcap.c: a stand-in wpcap.dll for the wine test (answers pcap_lib_version() only); Npcap itself may not be redistributed. */
#ifndef WPCAP_TEXT
#define WPCAP_TEXT "Npcap version 1.79 (test stand-in), based on libpcap version 1.10.4"
#endif

__declspec(dllexport) const char *pcap_lib_version(void);

const char *pcap_lib_version(void)
{
	return WPCAP_TEXT;
}
