#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# api-bridge.sh: the control API and indynetctl in bridge mode: interfaces, a live interface switch, capture status, the phantom NFS IP (suggest, refuse, claim), mount help naming it, and permission-denied with its fix.
#
# Topology: tests/lib/bridge.sh with this test's own namespace names (api1-*,
# api2-*): LAN 1 = 10.77.1.0/24 (Linux host .1 + dnsmasq; it also holds .213,
# the first phantom candidate, so that it answers ARP probes for it) on cap1,
# LAN 2 = 10.77.2.0/24 (a Linux host .1) on cap2.  The host namespace's
# default route goes through 10.77.1.1 on cap1: the LAN's router in mount help.
#   1. GET resources: status (bridge, capture active on cap1), interfaces
#      (cap1 and cap2, cap1 current), nfs-ip (off), mount help refused (409).
#   2. nfs-ip: suggest skips .213 (.214), PUT .213 refused naming the LAN
#      host's MAC, PUT nonsense 400, PUT .214 claimed; mount help then names
#      .214 and the IRIX lines carry the guest's lease, /24 mask and router.
#   3. PUT /api/interface cap2: the guest (given a LAN 2 address) pings LAN
#      2's host, which it could not before, and the phantom lets .214 go (not on
#      cap2's subnet); a bad name is 400 and cap2 stays; back to cap1 by its
#      list index, where the phantom claims .214 again.
#   4. indynetctl's bridge verbs with --json parsed.
#   5. a second daemon, run by nobody: capture permission-denied, the status
#      and GET /api/capture-access name the setcap fix, POST .../enable runs
#      "indynetd --capture-access enable" (through a recording pkexec) and
#      reports its failure (with --sandbox off: the sandbox runs no other program).
#   6. the same daemon with its sandbox on: the verdict is still no-permission (its
#      own no_new_privs does not count) and enable refuses, naming the fix.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

t_init api-bridge
t_need_root
t_need_cmd ip unshare dnsmasq busybox curl python3 setpriv
t_indynetd
CTL=$(dirname "$INDYNETD")/indynetctl
[ -x "$CTL" ] || t_fail "indynetctl not built next to $INDYNETD"
NS_HOST=api1-h-$$
NS_GUEST=api1-g-$$
lan_ns() { echo "api2-l$1-$$"; }

bridge_setup
lan_add 1
BRIDGE_DHCP=0 lan_add 2
LAN1=$(lan_ns 1)
LAN2=$(lan_ns 2)
ip -n "$LAN1" addr add 10.77.1.213/24 dev lan1
LAN_MAC=$(ip -n "$LAN1" -o link show lan1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$NS_HOST" route add default via 10.77.1.1 dev cap1
EXPORT=$T_TMP/export
mkdir -p "$EXPORT"
bridge_start --interface cap1 --export "$EXPORT"
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease from LAN 1's dnsmasq within 20 s"
t_check "the guest pings LAN 1's host" ip netns exec "$NS_GUEST" ping -c 1 -W 3 10.77.1.1

# api METHOD PATH [BODY]: over the unix socket; prints "STATUS BODY"
api() {
	local data=()
	[ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data-binary "$3")
	ip netns exec "$NS_HOST" curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 30 \
		--unix-socket "$INDY_CTL" -X "$1" "${data[@]}" "http://localhost$2"
	printf ' %s' "$(cat "$T_TMP/body")"
}
# json EXPR: evaluate a Python expression on the JSON in $T_TMP/body (as j)
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$T_TMP/body"; }
expect_status() { # expect_status DESC WANT "STATUS BODY" [TEXT]
	local got=${3%% *}
	[ "$got" = "$2" ] || t_fail "$1: want HTTP $2" "got: $3"
	if [ $# -ge 4 ] && [[ $3 != *"$4"* ]]; then t_fail "$1: body lacks '$4'" "got: $3"; fi
	t_pass "$1: HTTP $2 ${3#* }"
}
expect_json() { # expect_json DESC EXPR: EXPR true on the last body
	[ "$(json "$2")" = True ] || t_fail "$1: $2" "$(cat "$T_TMP/body")"
	t_pass "$1"
}
capture_on() { api GET /api/status >/dev/null && [ "$(json 'j["capture"]["state"] + " " + j["capture"]["interface"]')" = "active $1" ]; }

# ---- 1. reading ----
expect_status "GET /api/status" 200 "$(api GET /api/status)" '"mode":"bridge"'
expect_json "status: capture active on cap1, phantom off, guest $GUEST_IP learned" \
	'j["capture"]["state"] == "active" and j["capture"]["interface"] == "cap1" and j["nfs"]["phantom"]["state"] == "off" and j["guest"]["ip"] == "'"$GUEST_IP"'" and j["nat"] is None'
expect_status "GET /api/interfaces" 200 "$(api GET /api/interfaces)" '"current":"cap1"'
expect_json "interfaces: cap1 (10.77.1.2/24, up) and cap2 listed with 1-based indexes" \
	'[i["addresses"] for i in j["interfaces"] if i["name"] == "cap1"] == ["10.77.1.2/24"] and "cap2" in [i["name"] for i in j["interfaces"]] and sorted(i["index"] for i in j["interfaces"]) == list(range(1, len(j["interfaces"]) + 1))'
CAP1_INDEX=$(json '[i["index"] for i in j["interfaces"] if i["name"] == "cap1"][0]')
expect_status "POST /api/interfaces" 405 "$(api POST /api/interfaces '{}')" "allowed: GET"
expect_status "GET /api/nfs-ip (none yet)" 200 "$(api GET /api/nfs-ip)" '"state":"off"'
expect_status "GET /api/mount-help before an NFS IP" 409 "$(api GET /api/mount-help)" "no NFS server IP is serving yet"
expect_status "GET /api/forwards in bridge mode" 409 "$(api GET /api/forwards)" "not in NAT mode"
expect_status "PUT /api/nat-subnet in bridge mode" 409 "$(api PUT /api/nat-subnet '{"subnet":"10.9.0.0/24"}')" "not in NAT mode"
expect_status "GET /api/capture-access" 200 "$(api GET /api/capture-access)" '"verdict":"works"'
expect_json "capture access: permitted on cap1, nothing to fix" 'j["permitted"] and j["interface"] == "cap1" and j["fix"] == ""'
expect_status "POST /api/capture-access/enable when it works" 200 "$(api POST /api/capture-access/enable)" \
	'"message":"packet capture already works"'
expect_status "GET /api/capture-access/enable" 405 "$(api GET /api/capture-access/enable)" "allowed: POST"

# ---- 2. the phantom NFS IP ----
t0=$SECONDS
expect_status "GET /api/nfs-ip/suggest skips .213 (the LAN host answers for it)" 200 \
	"$(api GET /api/nfs-ip/suggest)" '{"ip":"10.77.1.214"}'
t_check "the suggestion waited for its ARP probe (3 s or more)" test $((SECONDS - t0)) -ge 3
expect_status "PUT /api/nfs-ip 10.77.1.213 (taken)" 409 "$(api PUT /api/nfs-ip '{"ip":"10.77.1.213"}')" \
	"10.77.1.213 is in use on cap1 by $LAN_MAC"
expect_json "the refusal names the field" 'j["field"] == "ip"'
expect_status "PUT /api/nfs-ip nonsense" 400 "$(api PUT /api/nfs-ip '{"ip":"10.77.1"}')" '"field":"ip"'
expect_status "PUT /api/nfs-ip 10.77.1.214" 200 "$(api PUT /api/nfs-ip '{"ip":"10.77.1.214"}')" '"state":"active"'
expect_json "claimed with the phantom's MAC" 'j["ip"] == "10.77.1.214" and j["mac"] == "02:00:de:ad:bf:53"'
t_check "the guest pings the phantom 10.77.1.214" ip netns exec "$NS_GUEST" ping -c 2 -i 0.2 -W 3 10.77.1.214
expect_status "GET /api/status names the NFS address" 200 "$(api GET /api/status)" '"address":"10.77.1.214"'
expect_status "GET /api/mount-help" 200 "$(api GET /api/mount-help)" \
	"mount -t nfs -o vers=3,nolock 10.77.1.214:/ /mnt"
expect_json "IRIX lines: the guest's lease, the LAN's /24 mask and router, the phantom" \
	'j["irix"] == ["/usr/etc/ifconfig ec0 inet '"$GUEST_IP"' netmask 0xffffff00 up", "/usr/etc/route add default 10.77.1.1 1", "mkdir /shared", "mount 10.77.1.214:/ /shared"] and j["netmask"] == "255.255.255.0"'

# ---- 3. live interface switch ----
ip -n "$NS_GUEST" addr add 10.77.2.50/24 dev tap0
t_check "before the switch the guest cannot reach LAN 2's host" \
	sh -c "! ip netns exec '$NS_GUEST' ping -c 1 -W 1 10.77.2.1 >/dev/null"
expect_status "PUT /api/interface cap2" 200 "$(api PUT /api/interface '{"interface":"cap2"}')" '"interface":"cap2"'
t_wait 10 capture_on cap2 || t_fail "capture not active on cap2" "$(cat "$T_TMP/body")"
t_pass "status: capture active on cap2"
t_check "after the switch the guest pings LAN 2's host 10.77.2.1" \
	ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.2.1
expect_status "GET /api/nfs-ip on cap2" 200 "$(api GET /api/nfs-ip)" '"state":"refused"'
expect_json "the phantom gives up 10.77.1.214 off its subnet, saying why" \
	'"is not a host address on cap2" in j["error"]'
expect_status "PUT /api/interface nosuch0" 400 "$(api PUT /api/interface '{"interface":"nosuch0"}')" '"field":"interface"'
t_check "a refused switch keeps cap2" capture_on cap2
expect_status "PUT /api/interface without a name" 400 "$(api PUT /api/interface '{}')" '"field":"interface"'
expect_status "PUT /api/interface with a number" 400 "$(api PUT /api/interface '{"interface":1}')" "must be a string"
expect_status "PUT /api/interface $CAP1_INDEX (cap1 by its index)" 200 \
	"$(api PUT /api/interface "{\"interface\":\"$CAP1_INDEX\"}")" '"interface":"cap1"'
t_wait 10 capture_on cap1 || t_fail "capture not back on cap1" "$(cat "$T_TMP/body")"
t_check "back on cap1: the guest pings LAN 1's host" ip netns exec "$NS_GUEST" ping -c 2 -i 0.2 -W 3 10.77.1.1
phantom_active() { api GET /api/nfs-ip >/dev/null && [ "$(json 'j["state"]')" = active ]; }
t_wait 15 phantom_active || t_fail "back on cap1, the phantom did not claim 10.77.1.214 again" "$(cat "$T_TMP/body")"
t_pass "back on cap1, the phantom claims 10.77.1.214 again (probed anew)"

# ---- 4. indynetctl ----
ctl() { ip netns exec "$NS_HOST" "$CTL" --socket "$INDY_CTL" "$@" >"$T_TMP/body" 2>"$T_TMP/ctl.err"; }
ctl_ok() { # ctl_ok DESC EXPR ARGS...: exit 0 and EXPR true on the --json output
	local desc=$1 expr=$2
	shift 2
	ctl --json "$@" || t_fail "indynetctl --json $*: exit $?" "$(cat "$T_TMP/body" "$T_TMP/ctl.err")"
	[ "$(json "$expr")" = True ] || t_fail "indynetctl --json $*: $expr" "$(cat "$T_TMP/body")"
	t_pass "indynetctl $*: $desc"
}
ctl_ok "status" 'j["mode"] == "bridge" and j["capture"]["interface"] == "cap1"' status
ctl_ok "interfaces" 'j["current"] == "cap1" and "cap2" in [i["name"] for i in j["interfaces"]]' interfaces
ctl_ok "nfs-ip 10.77.1.214" 'j["state"] == "active"' nfs-ip 10.77.1.214
ctl_ok "nfs-ip" 'j["state"] == "active" and j["ip"] == "10.77.1.214"' nfs-ip
ctl_ok "nfs-ip suggest: not .213 (taken) nor .214 (the phantom's)" 'j["ip"] == "10.77.1.215"' nfs-ip suggest
ctl_ok "mount-help linux" 'j["linux"][-1].endswith(" 10.77.1.214:/ /mnt")' mount-help linux
ctl --json nfs-ip 10.77.1.213
t_expect_eq "indynetctl nfs-ip 10.77.1.213: exit 1, the MAC in the JSON error" True \
	"$(json '"in use on cap1 by '"$LAN_MAC"'" in j["error"]')"
ctl_ok "interface cap2" 'j["interface"] == "cap2"' interface cap2
ctl_ok "interface cap1" 'j["interface"] == "cap1"' interface cap1
t_wait 15 phantom_active || t_fail "the phantom did not come back after indynetctl's switches" "$(cat "$T_TMP/body")"
ctl interfaces || t_fail "indynetctl interfaces (table)" "$(cat "$T_TMP/ctl.err")"
grep -qE "^\* $CAP1_INDEX +cap1 +up +10\.77\.1\.2/24" "$T_TMP/body" || t_fail "indynetctl interfaces: no cap1 row" "$(cat "$T_TMP/body")"
t_pass "indynetctl interfaces prints a table ($(grep -c . "$T_TMP/body") rows)"
ctl status || t_fail "indynetctl status (table)" "$(cat "$T_TMP/ctl.err")"
grep -qE "^capture +active on cap1" "$T_TMP/body" || t_fail "indynetctl status: no capture row" "$(cat "$T_TMP/body")"
grep -qE "^nfs +.*10\.77\.1\.214" "$T_TMP/body" || t_fail "indynetctl status: no NFS address" "$(cat "$T_TMP/body")"
t_pass "indynetctl status names the capture and the phantom"
nat_stop

# ---- 5. no capture permission: permission-denied, the fix, "enable" running the grant ----
# nobody runs a copy of indynetd (file capabilities are per file) with a QEMU datagram
# frontend (a TAP needs CAP_NET_ADMIN) and a pkexec on its PATH that records its
# arguments and grants nothing
chmod 755 "$T_TMP"
mkdir -p "$T_TMP/nobody" "$T_TMP/bin" && chmod 777 "$T_TMP/nobody" && chmod 755 "$T_TMP/bin"
BIN=$T_TMP/bin/indynetd
cp "$INDYNETD" "$BIN" && chmod 755 "$BIN"
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >%s/nobody/pkexec.args\nexit 126\n' "$T_TMP" >"$T_TMP/bin/pkexec"
chmod 755 "$T_TMP/bin/pkexec"
ip netns exec "$NS_HOST" setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all \
	env PATH="$T_TMP/bin:/usr/bin:/bin" timeout -s TERM 120 "$BIN" --mode bridge --interface cap1 \
	--qemu-dgram "$T_TMP/nobody/d.sock" --control "$T_TMP/nobody/c2.sock" --sandbox off >"$T_TMP/denied.log" 2>&1 &
DENIED_PID=$!
t_defer kill "$DENIED_PID"
t_evidence "$T_TMP/denied.log"
INDY_CTL=$T_TMP/nobody/c2.sock
t_wait 10 test -S "$INDY_CTL" || t_fail "the daemon without capture permission did not start" "$(cat "$T_TMP/denied.log")"
denied() { api GET /api/status >/dev/null && [ "$(json 'j["capture"]["state"]')" = permission-denied ]; }
t_wait 10 denied || t_fail "no permission-denied without CAP_NET_RAW" "$(cat "$T_TMP/body")"
t_pass "without CAP_NET_RAW/CAP_NET_ADMIN: capture permission-denied on cap1"
expect_json "the status names the fix (setcap ... on indynetd)" \
	'"setcap cap_net_raw,cap_net_admin+eip" in j["capture"]["error"] and j["capture"]["interface"] == "cap1"'
expect_status "GET /api/capture-access (nobody)" 200 "$(api GET /api/capture-access)" '"verdict":"no-permission"'
expect_json "not permitted, can be enabled, the exact fix for this binary" \
	'not j["permitted"] and j["can_enable"] and j["fix"] == "sudo setcap cap_net_raw,cap_net_admin+eip '"$BIN"'" and j["binary"] == "'"$BIN"'"'
expect_status "POST /api/capture-access/enable (pkexec grants nothing)" 409 \
	"$(api POST /api/capture-access/enable)" "enabling packet capture failed ($BIN exit 1)"
t_expect_eq "enable ran pkexec with the binary's own enable for cap1" \
	"$BIN --capture-access enable --interface cap1" "$(tail -n 5 "$T_TMP/nobody/pkexec.args" | tr '\n' ' ' | sed 's/ $//')"
ctl status || t_fail "indynetctl status (permission-denied)" "$(cat "$T_TMP/ctl.err")"
grep -qE "^capture +permission-denied on cap1: .*setcap" "$T_TMP/body" ||
	t_fail "indynetctl status: no fix in the capture row" "$(cat "$T_TMP/body")"
t_pass "indynetctl status shows the fix"
ctl_ok "capture-access" 'j["verdict"] == "no-permission" and not j["permitted"]' capture-access
ctl --json capture-access enable
t_expect_eq "indynetctl capture-access enable: exit 1, the failure in the JSON" True \
	"$(json '"enabling packet capture failed" in j["error"]')"
kill "$DENIED_PID"
wait "$DENIED_PID" 2>/dev/null

# ---- 6. the same, sandboxed (the default) ----
t_wait 10 eval '! test -e "$INDY_CTL"' || t_fail "the unsandboxed daemon left its control socket"
ip netns exec "$NS_HOST" setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all \
	env PATH="$T_TMP/bin:/usr/bin:/bin" timeout -s TERM 120 "$BIN" --mode bridge --interface cap1 \
	--qemu-dgram "$T_TMP/nobody/d.sock" --control "$T_TMP/nobody/c2.sock" >"$T_TMP/denied2.log" 2>&1 &
DENIED_PID=$!
t_defer kill "$DENIED_PID"
t_evidence "$T_TMP/denied2.log"
t_wait 10 test -S "$INDY_CTL" || t_fail "the sandboxed daemon did not start" "$(cat "$T_TMP/denied2.log")"
t_check "it runs sandboxed" grep -c "sandbox: uid $(id -u nobody) .*no_new_privs" "$T_TMP/denied2.log"
expect_status "GET /api/capture-access (nobody, sandboxed)" 200 "$(api GET /api/capture-access)" '"verdict":"no-permission"'
expect_status "POST /api/capture-access/enable (sandboxed): refused, naming the fix" 409 \
	"$(api POST /api/capture-access/enable)" "the sandbox runs no other program (restart with --sandbox off, or run: sudo setcap cap_net_raw,cap_net_admin+eip $BIN)"
kill "$DENIED_PID"
wait "$DENIED_PID" 2>/dev/null
t_done
