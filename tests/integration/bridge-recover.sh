#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-recover.sh: bridge mode's capture status and retries: an absent interface comes up when created, a deleted one is device-error and active again when recreated (no restart), and without CAP_NET_RAW/CAP_NET_ADMIN the status is permission-denied naming the fix.
#
# Topology: tests/lib/bridge.sh, LAN 1 (the host 10.77.1.1 and dnsmasq on lan1, the
# capture end cap1 in the host namespace).  The veth pair is deleted and created
# again under a running indynetd; dnsmasq (--bind-dynamic) follows lan1.
#   1. indynetd --interface cap1 starts while cap1 does not exist: device-error;
#      cap1 created: active within the retry cap, the guest leases and pings.
#   2. cap1 deleted under the running daemon: device-error, the log says it is gone;
#      recreated: active again, one more reopen, the same process, the guest's
#      address and pings back.
#   3. A second indynetd (datagram frontend, so it needs no TAP) under capsh
#      without CAP_NET_RAW and CAP_NET_ADMIN: permission-denied, the error names
#      setcap; it keeps running and retrying.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

t_init bridge-recover
t_need_root
t_need_cmd ip unshare dnsmasq busybox capsh
t_indynetd
NS_HOST=bri2h-$$
NS_GUEST=bri2g-$$
BRIDGE_LAN_NS=bri2l

bridge_setup
lan_add 1
cap_veth_del 1

stat_of() { nat_ctl stats | grep -o "$1=[^ ]*" | cut -d= -f2; }
cap_error() { nat_ctl stats | sed -n 's/.*capture_error=//p'; }

# 1. absent at start
bridge_start --interface cap1
t_check "started without cap1: device-error" bridge_wait_state 5 device-error
t_log "error: $(cap_error)"
t_check "the error names cap1" sh -c "'$INDYNETD' --ctl '$INDY_CTL' stats | grep -q 'capture_error=cap1: '"
cap_veth_add 1
t0=$SECONDS
t_check "cap1 created: active without a restart" bridge_wait_state 10 active
t_log "active $((SECONDS - t0)) s after cap1 appeared"
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease from the LAN's dnsmasq within 20 s"
t_check "the guest pings the LAN host" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.1.1
reopens=$(stat_of capture_reopens)
LAN_MAC=$(ip -n "$(lan_ns 1)" -o link show lan1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

# 2. deleted and recreated under the running daemon
log_at=$(wc -l <"$INDY_LOG")
cap_veth_del 1
t_check "cap1 deleted: device-error" bridge_wait_state 5 device-error
t_log "error: $(cap_error)"
# a deleted veth goes down before it is gone: the capture's error may come in between
# ("the interface failed: Network is down") or after ("the interface disappeared");
# the retries that follow say "No such device exists", and the log keeps each change
gone_logged() {
	tail -n +"$((log_at + 1))" "$INDY_LOG" |
		grep -qE "capture on cap1: device-error: cap1: (the interface disappeared|No such device exists)"
}
t_check "the log says cap1 is gone" t_wait 5 gone_logged
t_check "stats name cap1 in the error" sh -c "'$INDYNETD' --ctl '$INDY_CTL' stats | grep -q 'capture_error=cap1: '"
t_check "the guest's ping fails meanwhile" eval '! ip netns exec "$NS_GUEST" ping -c 1 -W 1 10.77.1.1'
cap_veth_add 1
ip -n "$(lan_ns 1)" link set lan1 address "$LAN_MAC" # the LAN host is the same machine, the cable was replugged
t_check "cap1 recreated: active again" bridge_wait_state 10 active
t_expect_eq "one more reopen" $((reopens + 1)) "$(stat_of capture_reopens)"
t_check "the same indynetd process" kill -0 "$INDY_PID"
t_expect_eq "the guest kept its address" "$GUEST_IP" "$(stat_of guest_ip)"
t_check "the guest pings the LAN host again" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.1.1
t_check "the LAN host pings the guest" ip netns exec "$(lan_ns 1)" ping -c 2 -i 0.2 -W 3 "$GUEST_IP"

# 3. no capture privileges
CTL2=$T_TMP/ctl2.sock
ip netns exec "$NS_HOST" capsh --drop=cap_net_raw,cap_net_admin -- -c \
	'exec "$0" "$@"' "$INDYNETD" --qemu-dgram "$T_TMP/dgram.sock" --mode bridge --interface cap1 \
	--control "$CTL2" >"$T_TMP/indynetd2.log" 2>&1 &
pid2=$!
t_defer kill "$pid2"
t_evidence "$T_TMP/indynetd2.log"
stats2() { "$INDYNETD" --ctl "$CTL2" stats 2>&1; }
denied() { stats2 | grep -q 'capture=permission-denied'; }
t_check "without CAP_NET_RAW/CAP_NET_ADMIN: permission-denied" t_wait 10 denied
t_log "$(stats2 | sed -n 's/.*capture_error=//p')"
t_check "the error names the fix (setcap cap_net_raw,cap_net_admin+eip)" \
	sh -c "'$INDYNETD' --ctl '$CTL2' stats | grep -q 'capture_error=cap1: .*setcap cap_net_raw,cap_net_admin+eip'"
t_check "the log says so too" grep -q "permission-denied.*CAP_NET_RAW and CAP_NET_ADMIN" "$T_TMP/indynetd2.log"
t_check "the unprivileged daemon keeps running (retrying)" kill -0 "$pid2"
kill "$pid2"
nat_stop
t_done
