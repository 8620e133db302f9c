/* SPDX-License-Identifier: MIT */
/* caccess_windows.c: capture on Windows: is Npcap installed (System32\Npcap\wpcap.dll, the npcap service), load it from there. */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN /* no OLE headers: their "interface" macro would rename our fields */
#include <windows.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend/caccess.h"

/*
 * Theory of operation
 *
 * Npcap puts wpcap.dll and Packet.dll in System32\Npcap, not on the DLL
 * search path (that is where WinPcap's were), and its guide for programs
 * that load it at run time is: SetDllDirectory() to that folder, then load
 * wpcap.dll.  caccess_npcap_load() does that and leaves the folder set, so
 * a DLL that wpcap.dll loads later (Packet.dll) is found there too; it
 * names wpcap.dll by its full path, so an old WinPcap wpcap.dll in System32
 * is never taken for Npcap's.
 * Npcap's licence forbids redistribution: indynet never bundles nor
 * downloads it, and when it is missing the fix points to its download page.
 *
 * The check gathers three facts: is System32\Npcap\wpcap.dll there, is the
 * npcap driver service installed and running (the service control
 * manager), and does the DLL load and answer pcap_lib_version().  The
 * verdict: no DLL or no service is no-driver (install Npcap), a DLL that
 * does not load or a driver that is not running is failed (with the fix),
 * all three is works.  Whether the interface itself opens is left to the
 * capture (there is no bridge backend for Windows yet).
 */

#define NPCAP_URL "https://npcap.com/#download"
#define NPCAP_SERVICE "npcap"
#define SAY(field, ...) snprintf(out->field, sizeof(out->field), __VA_ARGS__)

/** What the check found about Npcap. */
struct caccess_npcap_facts {
	char dir[MAX_PATH];     /* System32\Npcap */
	bool dll_present;       /* dir\wpcap.dll exists */
	bool service_present;   /* the npcap service is installed */
	DWORD service_state;    /* its SERVICE_* state, 0 when unknown */
	bool loaded;            /* wpcap.dll loaded and has pcap_lib_version() */
	DWORD load_error;       /* GetLastError() when it did not load */
	char version[160];      /* pcap_lib_version()'s text */
};

/* @dir = the Windows system folder + "\Npcap"; 0, or -1 when it does not fit */
static int caccess_npcap_dir(char *dir, size_t len)
{
	UINT n = GetSystemDirectoryA(dir, (UINT)len);

	if (n == 0 || n >= len)
		return -1;
	return (size_t)snprintf(dir + n, len - n, "\\Npcap") < len - n ? 0 : -1;
}

void *caccess_npcap_load(void)
{
	char dir[MAX_PATH], path[MAX_PATH + 16];

	if (caccess_npcap_dir(dir, sizeof(dir)) < 0 || !SetDllDirectoryA(dir))
		return NULL;
	snprintf(path, sizeof(path), "%s\\wpcap.dll", dir);
	return LoadLibraryA(path);
}

static bool caccess_npcap_file(const char *dir, const char *name)
{
	char path[MAX_PATH + 16];
	DWORD attr;

	snprintf(path, sizeof(path), "%s\\%s", dir, name);
	attr = GetFileAttributesA(path);
	return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

/* the npcap service: installed? its state */
static void caccess_npcap_service(struct caccess_npcap_facts *f)
{
	SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CONNECT), svc;
	SERVICE_STATUS st;

	if (!scm)
		return;
	svc = OpenServiceA(scm, NPCAP_SERVICE, SERVICE_QUERY_STATUS);
	if (svc) {
		f->service_present = true;
		if (QueryServiceStatus(svc, &st))
			f->service_state = st.dwCurrentState;
		CloseServiceHandle(svc);
	}
	CloseServiceHandle(scm);
}

/* load wpcap.dll as caccess_npcap_load() does and read its version */
static void caccess_npcap_try(struct caccess_npcap_facts *f)
{
	HMODULE dll = caccess_npcap_load();
	FARPROC fn = dll ? GetProcAddress(dll, "pcap_lib_version") : NULL;

	if (!fn) {
		f->load_error = GetLastError();
		return;
	}
	f->loaded = true;
	snprintf(f->version, sizeof(f->version), "%s", ((const char *(*)(void))(void (*)(void))fn)());
}

static void caccess_npcap_missing(const struct caccess_npcap_facts *f, struct indynet_capture_access *out)
{
	out->verdict = INDYNET_ACCESS_NO_DRIVER;
	if (!f->dll_present)
		SAY(reason, "Npcap is not installed (no %s\\wpcap.dll); packet capture on Windows needs it", f->dir);
	else
		SAY(reason, "%s\\wpcap.dll is there, but Npcap's driver service (%s) is not installed", f->dir,
		    NPCAP_SERVICE);
	SAY(fix, "install Npcap from %s, then start indynetd again (indynet does not include it: its licence "
		 "forbids redistribution)", NPCAP_URL);
}

static void caccess_npcap_broken(const struct caccess_npcap_facts *f, struct indynet_capture_access *out)
{
	out->verdict = INDYNET_ACCESS_FAILED;
	if (!f->loaded) {
		SAY(reason, "%s\\wpcap.dll did not load (Windows error %lu)", f->dir, (unsigned long)f->load_error);
		SAY(fix, "repair Npcap: run its installer from %s again", NPCAP_URL);
	} else {
		SAY(reason, "%s is installed, but its driver (service %s) is not running", f->version, NPCAP_SERVICE);
		SAY(fix, "as administrator: sc start %s (or restart Windows)", NPCAP_SERVICE);
	}
}

/* the verdict the facts give */
static void caccess_npcap_verdict(const struct caccess_npcap_facts *f, struct indynet_capture_access *out)
{
	if (!f->dll_present || !f->service_present) {
		caccess_npcap_missing(f, out);
	} else if (!f->loaded || f->service_state != SERVICE_RUNNING) {
		caccess_npcap_broken(f, out);
	} else {
		out->verdict = INDYNET_ACCESS_WORKS;
		SAY(reason, "%s loaded from %s; its driver (service %s) is running", f->version, f->dir, NPCAP_SERVICE);
	}
}

int indynet_capture_access_check(const char *interface, struct indynet_capture_access *out)
{
	struct caccess_npcap_facts f = { 0 };

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	SAY(interface, "%s", interface && *interface ? interface : "auto");
	if (GetModuleFileNameA(NULL, out->binary, sizeof(out->binary)) == sizeof(out->binary))
		out->binary[0] = '\0';
	if (caccess_npcap_dir(f.dir, sizeof(f.dir)) == 0) {
		f.dll_present = caccess_npcap_file(f.dir, "wpcap.dll");
		caccess_npcap_service(&f);
		if (f.dll_present)
			caccess_npcap_try(&f);
	}
	caccess_npcap_verdict(&f, out);
	return 0;
}
#endif /* _WIN32 */
