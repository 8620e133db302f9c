#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-switch.sh: bridge mode's live interface switch: the guest keeps pinging (a few lost at most) and its address while the capture moves between two LANs; a bad interface keeps the old capture and says why.
#
# Topology: tests/lib/bridge.sh with two LAN namespaces.  LAN 1 (veth lan1/cap1)
# has the Linux host 10.77.1.1 and dnsmasq; LAN 2 (lan2/cap2) stands for the same
# network reached through another host interface (a laptop's wired and wireless
# NIC on one LAN): its host also answers for 10.77.1.1, with the same MAC, so the
# guest's ARP entry stays right across the switch.  Which LAN answers is read
# from each namespace's ICMP counters, so a switch that did not happen fails.
#   1. The guest leases from LAN 1 and pings 10.77.1.1 every 100 ms while the
#      control socket switches the capture to cap2: at most 5 of 80 lost, LAN 2
#      answers the rest, LAN 1 stops seeing them; same guest address and MAC.
#   2. The new capture carries the guest's kernel filter: LAN 2's unicast to a
#      third MAC never reaches indynet (capture counters unchanged).
#   3. A name that does not exist and an interface that is down are refused
#      ("reopen failed ... keeping the previous interface"); cap2 stays, pings answer.
#   4. Back to cap1 by the same command: LAN 1 answers again.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

t_init bridge-switch
t_need_root
t_need_cmd ip unshare dnsmasq busybox nstat
t_indynetd
NS_HOST=bri1h-$$
NS_GUEST=bri1g-$$
BRIDGE_LAN_NS=bri1l

bridge_setup
lan_add 1
BRIDGE_DHCP=0 lan_add 2
LAN1=$(lan_ns 1)
LAN2=$(lan_ns 2)
MAC1=$(ip -n "$LAN1" -o link show lan1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$LAN2" link set lan2 address "$MAC1"
ip -n "$LAN2" addr add 10.77.1.1/24 dev lan2

echos() { ip netns exec "$1" nstat -asz IcmpInEchos | awk '/IcmpInEchos/ { print $2 }'; }
stat_of() { nat_ctl stats | grep -o "$1=[^ ]*" | cut -d= -f2; }
ping_lost() { # ping_lost LOG: transmitted - received
	awk '/packets transmitted/ { print $1 - $4 }' "$1"
}

bridge_start --interface cap1
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease from LAN 1 within 20 s"
GUEST_MAC=$(stat_of guest_mac)
t_log "guest $GUEST_IP ($GUEST_MAC)"
t_check "ping 10.77.1.1 over cap1" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.1.1

# 1. switch while the guest pings
ns_bg "$NS_GUEST" "$T_TMP/ping1.log" ping -c 80 -i 0.1 -W 1 10.77.1.1
ping_pid=$NS_BGPID
sleep 2
l2_before=$(echos "$LAN2")
reply=$(nat_ctl interface cap2)
t_log "interface cap2 -> $reply"
sleep 0.5
l1_after=$(echos "$LAN1")
t_check "interface cap2: the reply names cap2 active" sh -c "echo '$reply' | grep -q 'cap2' && echo '$reply' | grep -q active"
t_wait 15 eval '! kill -0 '"$ping_pid" || t_fail "the guest's ping did not end"
t_evidence "$T_TMP/ping1.log"
lost=$(ping_lost "$T_TMP/ping1.log")
t_log "pings lost across the switch: $lost of 80"
[ -n "$lost" ] && [ "$lost" -le 5 ] && t_pass "at most 5 of 80 pings lost across the switch ($lost)" ||
	t_fail "pings lost across the switch: ${lost:-no summary}" "$(cat "$T_TMP/ping1.log")"
l2_got=$(($(echos "$LAN2") - l2_before))
[ "$l2_got" -ge 40 ] && t_pass "LAN 2 answered the pings after the switch ($l2_got)" ||
	t_fail "LAN 2 saw only $l2_got echo requests: the capture did not move"
t_expect_eq "LAN 1 saw no echo request after the switch" "$l1_after" "$(echos "$LAN1")"
t_expect_eq "stats: capture active on cap2" "active cap2" "$(stat_of capture) $(stat_of interface)"
t_expect_eq "stats: one reopen" 1 "$(stat_of capture_reopens)"
t_expect_eq "the guest kept its MAC" "$GUEST_MAC" "$(stat_of guest_mac)"
t_expect_eq "the guest kept its address (engine)" "$GUEST_IP" "$(stat_of guest_ip)"
t_check "the guest kept its address (tap0)" sh -c "ip -n '$NS_GUEST' -4 addr show tap0 | grep -q 'inet $GUEST_IP/'"

# 2. the guest's filter is on the new capture: unicast to a third MAC stays in the kernel
frames=$(stat_of capture_frames)
other=$(stat_of capture_not_for_guest)
ip -n "$LAN2" neigh replace 10.77.1.77 lladdr 02:00:00:00:b1:77 dev lan2 nud permanent
ip netns exec "$LAN2" ping -c 20 -i 0.05 -W 1 10.77.1.77 >/dev/null 2>&1
t_expect_eq "LAN 2's unicast to another MAC never reached indynet (filter on cap2)" \
	"$frames $other" "$(stat_of capture_frames) $(stat_of capture_not_for_guest)"

# 3. refusals keep the capture
refused() { # refused NAME WHY
	local r
	r=$(nat_ctl interface "$1")
	t_log "interface $1 -> $r"
	t_check "interface $1 ($2): refused, keeping the previous interface" \
		sh -c "echo '$r' | grep -q 'reopen failed: .*; keeping the previous interface'"
	t_expect_eq "after $1: capture still active on cap2" "active cap2" "$(stat_of capture) $(stat_of interface)"
}
refused bri1nosuch "no such interface"
ip -n "$NS_HOST" link add bri1d type veth peer name bri1e
refused bri1d "down"
t_check "pings still answer over cap2" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.1.1

# 4. and back
l1_before=$(echos "$LAN1")
reply=$(nat_ctl interface cap1)
t_log "interface cap1 -> $reply"
t_check "back on cap1: ping 10.77.1.1" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.1.1
[ $(($(echos "$LAN1") - l1_before)) -ge 3 ] && t_pass "LAN 1 answers again" || t_fail "LAN 1 saw no echo request"
t_expect_eq "stats: capture active on cap1, two reopens" "active cap1 2" \
	"$(stat_of capture) $(stat_of interface) $(stat_of capture_reopens)"
nat_stop
t_done
