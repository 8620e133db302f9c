/* SPDX-License-Identifier: MIT */
/* fake_npcap_sys.c: a do-nothing kernel driver that wine's winedevice runs as the "npcap" service in the wine test. */
long DriverEntry(void *driver, void *registry_path);

long DriverEntry(void *driver, void *registry_path)
{
	(void)driver;
	(void)registry_path;
	return 0; /* STATUS_SUCCESS: loaded, so the service is RUNNING */
}
