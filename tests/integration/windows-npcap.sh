#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# windows-npcap.sh: caccess_windows.c cross-built with mingw-w64 and run under wine in a fake Windows tree, without and with Npcap.
#
# The tree is a WINEPREFIX of our own in $T_TMP.  Npcap may not be
# redistributed, so its parts are stand-ins built here: wpcap.dll answering
# pcap_lib_version() (tests/windows/fake_wpcap.c) and a do-nothing kernel
# driver that wine's winedevice runs as the npcap service
# (fake_npcap_sys.c); keepalive.exe keeps wine's service manager up.  Wine has a wpcap.dll of its own (a wrapper of the
# host's libpcap) and prefers it: WINEDLLOVERRIDES=wpcap=n makes it load the
# stand-ins.  No network: mono and gecko are switched off.  The program under
# test is built from the sources, not from $INDYNET_BUILD: the ASan pass skips.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"

t_init windows-npcap
t_need_cmd x86_64-w64-mingw32-gcc
t_indynetd
if nm -D "$INDYNETD" 2>/dev/null | grep -c __asan_init >/dev/null; then
	t_skip "built from the sources with mingw-w64, not from this ASan build: tested in the plain pass"
fi
WINE=$(command -v wine64 || ls /usr/lib/wine/wine64 2>/dev/null || command -v wine) || t_skip "needs wine64 (scripts/install-deps.sh)"
WINESERVER=$(command -v wineserver || ls /usr/lib/wine/wineserver64 2>/dev/null) || t_skip "needs wineserver"
TOP=$(t_repo)
W=$TOP/tests/windows
export WINEPREFIX=$T_TMP/pfx WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=;wpcap=n' WINEARCH=win64
SYS=$WINEPREFIX/drive_c/windows/system32
DIR='C:\windows\system32\Npcap'
URL='https://npcap.com/#download'

t_log "cross-building with mingw-w64"
CFLAGS=(-std=c17 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
	-Wno-missing-field-initializers -I"$TOP/include" -I"$TOP/src")
t_check "caccess_windows.c and npcap_check.c build with x86_64-w64-mingw32-gcc, warning-free" \
	x86_64-w64-mingw32-gcc "${CFLAGS[@]}" -o "$T_TMP/npcap_check.exe" "$W/npcap_check.c" \
	"$TOP/src/backend/caccess_windows.c" "$TOP/src/backend/caccess.c"
t_check "the stand-in wpcap.dll builds" x86_64-w64-mingw32-gcc "${CFLAGS[@]}" -shared -o "$T_TMP/wpcap.dll" "$W/fake_wpcap.c"
t_check "an old WinPcap-like wpcap.dll builds" x86_64-w64-mingw32-gcc "${CFLAGS[@]}" -shared \
	-DWPCAP_TEXT='"WinPcap version 4.1.3 (in System32)"' -o "$T_TMP/winpcap.dll" "$W/fake_wpcap.c"
t_check "keepalive.exe builds" x86_64-w64-mingw32-gcc "${CFLAGS[@]}" -o "$T_TMP/keepalive.exe" "$W/keepalive.c"
t_check "the stand-in npcap.sys driver builds" x86_64-w64-mingw32-gcc "${CFLAGS[@]}" -shared -nostdlib \
	-Wl,--subsystem,native -Wl,--entry,DriverEntry -o "$T_TMP/npcap.sys" "$W/fake_npcap_sys.c" -lntoskrnl

t_log "creating the wine prefix"
start=$SECONDS
"$WINE" wineboot.exe --init >"$T_TMP/wineboot.log" 2>&1 || t_fail "wineboot --init failed" "$(cat "$T_TMP/wineboot.log")"
"$WINESERVER" -w # its session ends first: a second service manager would answer half of the calls
t_pass "the fake Windows tree is made (wineboot --init: $((SECONDS - start)) s)"
# wine ends its services (and the driver) when no program runs: one runs throughout
t_defer "$WINESERVER" -k
"$WINE" "$T_TMP/keepalive.exe" >/dev/null 2>&1 &
OUT=$T_TMP/out
t_evidence "$OUT"

check() { # check: run npcap_check.exe; output (\r dropped) in $OUT, exit status echoed
	"$WINE" "$T_TMP/npcap_check.exe" >"$OUT.raw" 2>&1
	local rc=$?
	tr -d '\r' <"$OUT.raw" >"$OUT"
	echo $rc
}
expect_line() { # expect_line DESC LINE: $OUT has this exact line
	if grep -qxF -- "$2" "$OUT"; then t_pass "$1"; else t_fail "$1: no line '$2'" "$(cat "$OUT")"; fi
}

# no Npcap; an old wpcap.dll in System32 itself (WinPcap's place) must not count nor load
cp "$T_TMP/winpcap.dll" "$SYS/wpcap.dll"
t_expect_eq "no Npcap: the check exits 1" 1 "$(check)"
expect_line "verdict no-driver" "verdict: no-driver"
expect_line "the reason names the missing DLL" \
	"reason: Npcap is not installed (no $DIR\\wpcap.dll); packet capture on Windows needs it"
expect_line "the fix points to Npcap's download page, nothing is fetched" \
	"fix: install Npcap from $URL, then start indynetd again (indynet does not include it: its licence forbids redistribution)"
expect_line "System32's wpcap.dll is not loaded in its place" "load: wpcap.dll not loaded"

# the DLL but no driver service
mkdir -p "$SYS/Npcap" && cp "$T_TMP/wpcap.dll" "$SYS/Npcap/wpcap.dll"
t_expect_eq "wpcap.dll without the service: exits 1" 1 "$(check)"
expect_line "verdict no-driver" "verdict: no-driver"
expect_line "the reason names the missing service" \
	"reason: $DIR\\wpcap.dll is there, but Npcap's driver service (npcap) is not installed"

# the service installed, not started
cp "$T_TMP/npcap.sys" "$SYS/drivers/npcap.sys"
t_check "sc create npcap (a kernel driver service)" \
	"$WINE" sc.exe create npcap type= kernel start= demand binpath= 'C:\windows\system32\drivers\npcap.sys'
t_expect_eq "service stopped: exits 1" 1 "$(check)"
expect_line "verdict failed" "verdict: failed"
expect_line "the reason says the driver is not running (Npcap's DLL answered)" \
	"reason: Npcap version 1.79 (test stand-in), based on libpcap version 1.10.4 is installed, but its driver (service npcap) is not running"
expect_line "the fix starts it" "fix: as administrator: sc start npcap (or restart Windows)"

# the driver running: works, with Npcap's own DLL (the System32 one says WinPcap)
t_check "sc start npcap" "$WINE" sc.exe start npcap
t_expect_eq "Npcap installed and running: exits 0" 0 "$(check)"
expect_line "verdict works" "verdict: works"
expect_line "wpcap.dll was loaded from System32\\Npcap" \
	"reason: Npcap version 1.79 (test stand-in), based on libpcap version 1.10.4 loaded from $DIR; its driver (service npcap) is running"
expect_line "caccess_npcap_load() loads it" "load: wpcap.dll loaded"
t_done
