#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# panel-bridge.sh: the web panel of a bridge-mode daemon in headless chromium (tests/browser/panel-bridge.test.mjs).
#
# Topology: tests/lib/bridge.sh with this test's own namespace names (api3-*,
# api4-*): LAN 1 (10.77.1.0/24, its host also holding 10.77.1.213) on cap1,
# LAN 2 on cap2.  The panel shows PCAP with the NAT settings hidden, the
# interface picker (auto + the list, applied on Enter or blur only, refused
# names inline, a live switch to cap2), the capture status, the NFS server IP
# with its "Use 10.77.1.214" suggestion (a taken address refused inline), and
# mount help naming the phantom; a client in the guest mounts the phantom and
# the panel lists it with its calls per procedure.  A second daemon, run by
# nobody, shows permission-denied with the setcap fix and "Enable packet
# capture", which reports the grant's failure (its pkexec grants nothing).  The screenshot
# goes to $T_TMP unless PANEL_SCREENSHOT names a path (the committed
# docs/img/panel-bridge.png is made with PANEL_SCREENSHOT=docs/img/panel-bridge.png).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

t_init panel-bridge
t_need_root
t_need_cmd ip unshare dnsmasq busybox node setpriv
t_indynetd
BROWSER=$(t_repo)/tests/browser
[ -x /usr/bin/chromium ] || t_skip "needs Debian's chromium (scripts/install-deps.sh)"
[ -d "$BROWSER/node_modules/playwright-core" ] || t_skip "needs playwright-core (scripts/install-deps.sh runs npm ci in tests/browser)"
NS_HOST=api3-h-$$
NS_GUEST=api3-g-$$
lan_ns() { echo "api4-l$1-$$"; }

bridge_setup
lan_add 1
BRIDGE_DHCP=0 lan_add 2
ip -n "$(lan_ns 1)" addr add 10.77.1.213/24 dev lan1
LAN_MAC=$(ip -n "$(lan_ns 1)" -o link show lan1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$NS_HOST" route add default via 10.77.1.1 dev cap1
mkdir -p "$T_TMP/export"
bridge_start --interface cap1 --export "$T_TMP/export" --http 127.0.0.1:18630
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease from LAN 1's dnsmasq within 20 s"
ns_bg "$NS_GUEST" "$T_TMP/ping.log" ping -i 0.5 10.77.1.1
printf '#!/bin/sh\nkill %s\n' "$NS_BGPID" >"$T_TMP/guest-quiet.sh" && chmod +x "$T_TMP/guest-quiet.sh"

# the second daemon: no capture permission; nobody runs a copy of indynetd (file
# capabilities are per file) with a datagram frontend (a TAP needs CAP_NET_ADMIN)
# and a pkexec on its PATH that grants nothing; --sandbox off, because a confined
# daemon runs no other program (its refusal is checked in api-bridge.sh part 6)
chmod 755 "$T_TMP"
mkdir -p "$T_TMP/nobody" "$T_TMP/bin" && chmod 777 "$T_TMP/nobody" && chmod 755 "$T_TMP/bin"
BIN=$T_TMP/bin/indynetd
cp "$INDYNETD" "$BIN" && chmod 755 "$BIN"
printf '#!/bin/sh\nexit 126\n' >"$T_TMP/bin/pkexec" && chmod 755 "$T_TMP/bin/pkexec"
ip netns exec "$NS_HOST" setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all \
	env PATH="$T_TMP/bin:/usr/bin:/bin" timeout -s TERM 300 "$BIN" --mode bridge --interface cap1 \
	--qemu-dgram "$T_TMP/nobody/d.sock" --control "$T_TMP/nobody/c2.sock" --http 127.0.0.1:18631 \
	--sandbox off >"$T_TMP/denied.log" 2>&1 &
DENIED_PID=$!
t_defer kill "$DENIED_PID"
t_evidence "$T_TMP/denied.log"
t_wait 10 test -s "$T_TMP/nobody/c2.sock.token" || t_fail "the daemon without capture permission did not start" "$(cat "$T_TMP/denied.log")"

# an NFS client in the guest (bench/tools/nfsload.c): MNT + LOOKUP, run by the browser test once the phantom serves
cc -std=c17 -O2 -o "$T_TMP/nfsload" "$(t_repo)/bench/tools/nfsload.c" || t_fail "cannot build nfsload"
echo hello >"$T_TMP/export/hello"
cat >"$T_TMP/nfs-mount.sh" <<SH
#!/bin/sh
ip netns exec $NS_GUEST timeout 20 $T_TMP/nfsload 10.77.1.214 1234 2049 / handle hello 0
SH
chmod +x "$T_TMP/nfs-mount.sh"
shot=${PANEL_SCREENSHOT:-$T_TMP/panel-bridge.png}
ip netns exec "$NS_HOST" env PANEL_URL="http://127.0.0.1:18630/#token=$(cat "$INDY_CTL.token")" \
	DENIED_URL="http://127.0.0.1:18631/#token=$(cat "$T_TMP/nobody/c2.sock.token")" LAN_MAC="$LAN_MAC" \
	NFS_MOUNT="$T_TMP/nfs-mount.sh" GUEST_IP="$GUEST_IP" GUEST_QUIET="$T_TMP/guest-quiet.sh" \
	SCREENSHOT="$shot" HOME="$T_TMP" node "$BROWSER/panel-bridge.test.mjs" >"$T_TMP/browser.log" 2>&1
rc=$?
cat "$T_TMP/browser.log" >&2
[ $rc = 0 ] || t_fail "the browser test failed (rc $rc)" "$(tail -5 "$T_TMP/browser.log")"
T_CHECKS=$((T_CHECKS + $(grep -c '^ok ' "$T_TMP/browser.log")))
[ -s "$shot" ] || t_fail "no screenshot at $shot"
t_pass "bridge panel screenshot: $shot ($(stat -c %s "$shot") bytes)"
kill "$DENIED_PID"
wait "$DENIED_PID" 2>/dev/null
nat_stop
t_done
