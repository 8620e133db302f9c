#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-lan.sh: bridge mode: a guest netns behind indynetd --tap gets its lease from the LAN's dnsmasq, pings the LAN host, TCP both ways, and GRO super-frames arrive intact.
#
# The LAN is a namespace with a plain Linux host (10.77.1.1) and dnsmasq on one
# end of a veth pair; indynetd captures on the other end (tests/lib/bridge.sh).
# Nothing in indynet answers DHCP or ARP in bridge mode, so a lease from the
# 10.77.1.100-150 pool and answered pings prove the frames cross the bridge.
# TCP runs both ways and from both sides: the guest downloads from a LAN
# server, and the LAN host connects to a server in the guest and uploads.
# Last, GRO is switched on at the capture veth: the kernel then merges the
# LAN's segments into super-frames far above the guest's MTU, which indynet
# must cut back to the MTU with the data intact (capture_resegmented > 0).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

t_init bridge-lan
t_need_root
t_need_cmd ip unshare dnsmasq busybox socat ethtool
t_indynetd

bridge_setup
lan_add 1
LAN=$(lan_ns 1)
bridge_start --interface cap1
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease from the LAN's dnsmasq within 20 s"
case $GUEST_IP in
10.77.1.1[0-4][0-9] | 10.77.1.150) t_pass "DHCP: lease $GUEST_IP from the LAN's dnsmasq pool" ;;
*) t_fail "DHCP: $GUEST_IP is not in the LAN pool 10.77.1.100-150" ;;
esac
t_check "the LAN's dnsmasq acknowledged the guest" grep -q "DHCPACK(lan1) $GUEST_IP" "$T_TMP/dnsmasq-lan1.log"
t_check "indynetd installed the guest's capture filter" \
	grep -q "capture filter 'ether dst .* or ether broadcast or ether multicast'" "$INDY_LOG"
t_check "ping the LAN host 10.77.1.1 (5 of 5 answered)" \
	ip netns exec "$NS_GUEST" ping -c 5 -i 0.2 -W 3 10.77.1.1
t_check "the LAN host pings the guest $GUEST_IP" ip netns exec "$LAN" ping -c 2 -i 0.2 -W 3 "$GUEST_IP"

head -c 4M /dev/urandom >"$T_TMP/down.bin"
head -c 3M /dev/urandom >"$T_TMP/up.bin"

download() { # download PORT: the guest fetches down.bin from the LAN host
	ns_bg "$LAN" "$T_TMP/srv-$1.log" timeout 60 socat -u OPEN:"$T_TMP/down.bin" TCP-LISTEN:"$1",reuseaddr
	t_wait 5 ns_listening "$LAN" tcp "$1" || t_fail "LAN server on $1 not listening"
	rm -f "$T_TMP/down.got"
	ip netns exec "$NS_GUEST" timeout 60 socat -u TCP:10.77.1.1:"$1" CREATE:"$T_TMP/down.got"
}

download 7001
t_expect_eq "TCP guest <- LAN (guest connects), 4 MiB: md5 matches" \
	"$(t_md5 "$T_TMP/down.bin")" "$(t_md5 "$T_TMP/down.got")"

ns_bg "$NS_GUEST" "$T_TMP/srv-up.log" timeout 60 socat -u TCP-LISTEN:7002,reuseaddr CREATE:"$T_TMP/up.got"
up_pid=$NS_BGPID
t_wait 5 ns_listening "$NS_GUEST" tcp 7002 || t_fail "guest server not listening"
t_check "TCP LAN -> guest (the LAN host connects), 3 MiB" \
	ip netns exec "$LAN" timeout 60 socat -u OPEN:"$T_TMP/up.bin" TCP:"$GUEST_IP":7002
t_wait 10 eval '! kill -0 '"$up_pid" || t_fail "guest server did not see the end of the stream"
t_expect_eq "TCP LAN -> guest: md5 matches" "$(t_md5 "$T_TMP/up.bin")" "$(t_md5 "$T_TMP/up.got")"

stats=$(nat_ctl stats)
t_log "$stats"
t_check "stats: capture active on cap1" sh -c "echo '$stats' | grep -q 'capture=active interface=cap1'"
t_expect_eq "stats: no frame of the guest's own came back" 0 \
	"$(echo "$stats" | grep -o 'capture_own_frames=[0-9]*' | cut -d= -f2)"

# GRO on the capture veth: super-frames above the MTU must be cut back to it
ip netns exec "$NS_HOST" ethtool -K cap1 gro on >/dev/null 2>&1 || t_skip "cannot switch GRO on for a veth"
download 7003
t_expect_eq "TCP guest <- LAN with GRO on cap1, 4 MiB: md5 matches" \
	"$(t_md5 "$T_TMP/down.bin")" "$(t_md5 "$T_TMP/down.got")"
reseg=$(nat_ctl stats | grep -o 'capture_resegmented=[0-9]*' | cut -d= -f2)
t_log "GRO super-frames re-segmented: $reseg"
[ "${reseg:-0}" -gt 0 ] && t_pass "GRO super-frames arrived and were re-segmented ($reseg)" ||
	t_fail "no GRO super-frame was re-segmented (the test proves nothing)" "$(nat_ctl stats)"
nat_stop
t_done
