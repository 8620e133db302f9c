#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-wifi.sh: bridging through an "access point" that drops every frame not from the host's MAC: --bridge-mac guest gets nothing, host gets the guest its own lease, ping and TCP; auto picks by wireless.
#
# The LAN (tests/lib/bridge.sh: 10.77.1.1 + dnsmasq, veth lan1/cap1) plays a
# Wi-Fi access point: an nftables netdev ingress rule on lan1 drops every
# frame whose source MAC is not cap1's (the host interface's), as an AP drops
# frames from a station that did not associate.
#   1. --bridge-mac guest: the guest's DHCP never reaches dnsmasq (the rule's
#      counter shows its frames dropped): the filter works.
#   2. --bridge-mac host: the guest (netns behind --tap) gets a lease of its
#      own (dnsmasq acknowledges its own MAC), pings the LAN host and is
#      pinged, TCP moves 4 MiB down and 3 MiB up with md5 intact; the LAN sees
#      the guest's address at cap1's MAC; the host's own ping still works;
#      the guest taking the host's address is refused and counted.
#   3. --bridge-mac auto on the veth is guest; with a sysfs tree
#      (INDYNET_SYSFS_ROOT) saying cap1 is wireless it is host.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

NS_HOST=wif1-h-$$
NS_GUEST=wif1-g-$$
lan_ns() { echo "wif1-l$1-$$"; }

t_init bridge-wifi
t_need_root
t_need_cmd ip unshare dnsmasq busybox socat nft
t_indynetd

bridge_setup
lan_add 1
LAN=$(lan_ns 1)
HOST_MAC=$(ip netns exec "$NS_HOST" cat /sys/class/net/cap1/address)
ip netns exec "$LAN" nft -f - <<EOF || t_fail "nft: cannot install the access point's rule"
table netdev wifap {
	chain in {
		type filter hook ingress device "lan1" priority 0; policy accept;
		ether saddr != $HOST_MAC counter drop
	}
}
EOF
ap_drops() { ip netns exec "$LAN" nft list chain netdev wifap in | grep -o 'packets [0-9]*' | cut -d' ' -f2; }
stat_of() { nat_ctl stats | grep -o "$1=[a-z0-9-]*" | cut -d= -f2; }

# 1. plain bridging: the access point drops the guest's frames
bridge_start --interface cap1 --bridge-mac guest
t_check "the log says bridge-mac guest" grep -q "cap1 is not wireless: bridge-mac guest" "$INDY_LOG"
guest_dhcp_start
guest_dhcp_wait 6 && t_fail "guest mode: the guest got $GUEST_IP through the access point (the filter does not work)"
t_pass "guest mode: no lease within 6 s"
drops=$(ap_drops)
[ "${drops:-0}" -gt 0 ] && t_pass "the access point dropped $drops frames of the guest's MAC" ||
	t_fail "the access point dropped nothing: the guest's frames never reached it"
t_check "dnsmasq never saw the guest's DISCOVER" sh -c "! grep -q DHCPDISCOVER '$T_TMP/dnsmasq-lan1.log'"
kill "$GUEST_DHCP_PID" 2>/dev/null
nat_stop

# 2. MAC translation
bridge_start --interface cap1 --bridge-mac host
t_check "the log says bridge-mac host" grep -q "cap1 is not wireless: bridge-mac host" "$INDY_LOG"
t_check "stats: bridge_mac=host" test "$(stat_of bridge_mac)" = host
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "host mode: no DHCP lease within 20 s" "$(nat_ctl stats)"
GUEST_MAC=$(ip netns exec "$NS_GUEST" cat /sys/class/net/tap0/address)
case $GUEST_IP in
10.77.1.1[0-4][0-9] | 10.77.1.150) t_pass "host mode: lease $GUEST_IP from the LAN's pool" ;;
*) t_fail "host mode: $GUEST_IP is not in the LAN pool" ;;
esac
t_check "dnsmasq leased $GUEST_IP to the guest's own MAC $GUEST_MAC" \
	grep -q "DHCPACK(lan1) $GUEST_IP $GUEST_MAC" "$T_TMP/dnsmasq-lan1.log"
t_check "ping the LAN host (5 of 5)" ip netns exec "$NS_GUEST" ping -c 5 -i 0.2 -W 3 10.77.1.1
t_check "the LAN host pings the guest" ip netns exec "$LAN" ping -c 3 -i 0.2 -W 3 "$GUEST_IP"
t_check "the LAN sees $GUEST_IP at the host's MAC $HOST_MAC" \
	sh -c "ip -n '$LAN' neigh show '$GUEST_IP' | grep -q 'lladdr $HOST_MAC'"
t_check "the host's own traffic is undisturbed (the host pings the LAN host)" \
	ip netns exec "$NS_HOST" ping -c 3 -i 0.2 -W 3 10.77.1.1

head -c 4M /dev/urandom >"$T_TMP/down.bin"
head -c 3M /dev/urandom >"$T_TMP/up.bin"
ns_bg "$LAN" "$T_TMP/srv-down.log" timeout 60 socat -u OPEN:"$T_TMP/down.bin" TCP-LISTEN:7101,reuseaddr
t_wait 5 ns_listening "$LAN" tcp 7101 || t_fail "LAN server not listening"
ip netns exec "$NS_GUEST" timeout 60 socat -u TCP:10.77.1.1:7101 CREATE:"$T_TMP/down.got"
t_expect_eq "TCP guest <- LAN, 4 MiB: md5 matches" "$(t_md5 "$T_TMP/down.bin")" "$(t_md5 "$T_TMP/down.got")"
ns_bg "$NS_GUEST" "$T_TMP/srv-up.log" timeout 60 socat -u TCP-LISTEN:7102,reuseaddr CREATE:"$T_TMP/up.got"
up_pid=$NS_BGPID
t_wait 5 ns_listening "$NS_GUEST" tcp 7102 || t_fail "guest server not listening"
t_check "TCP LAN -> guest (the LAN host connects), 3 MiB" \
	ip netns exec "$LAN" timeout 60 socat -u OPEN:"$T_TMP/up.bin" TCP:"$GUEST_IP":7102
t_wait 10 eval '! kill -0 '"$up_pid" || t_fail "guest server did not see the end of the stream"
t_expect_eq "TCP LAN -> guest, 3 MiB: md5 matches" "$(t_md5 "$T_TMP/up.bin")" "$(t_md5 "$T_TMP/up.got")"

translated=$(stat_of capture_mac_translated)
[ "${translated:-0}" -gt 2000 ] && t_pass "stats: $translated frames translated" ||
	t_fail "stats: only ${translated:-0} frames translated" "$(nat_ctl stats)"
t_expect_eq "stats: nothing refused yet" 0 "$(stat_of capture_mac_refused)"

# broadcast and multicast both ways (the guest's leave with the host's MAC, the LAN's pass as they are)
udp_both_ways() { # udp_both_ways DEST PORT WHAT: DEST:PORT from the guest to the LAN and back
	local jl="" jg=""
	case $1 in 2[23][0-9].*) jl=",ip-add-membership=$1:10.77.1.1" jg=",ip-add-membership=$1:$GUEST_IP" ;; esac
	ns_bg "$LAN" "$T_TMP/recv-lan-$2.log" timeout 10 socat -u UDP-RECV:"$2",reuseaddr$jl OPEN:"$T_TMP/lan-$2.got",creat
	ns_bg "$NS_GUEST" "$T_TMP/recv-guest-$2.log" timeout 10 socat -u UDP-RECV:"$2",reuseaddr$jg OPEN:"$T_TMP/guest-$2.got",creat
	t_wait 5 ns_listening "$LAN" udp "$2" && t_wait 5 ns_listening "$NS_GUEST" udp "$2" || t_fail "UDP receivers on $2"
	echo "from the guest $3" | ip netns exec "$NS_GUEST" socat -u - UDP-DATAGRAM:"$1":"$2",broadcast,ip-multicast-if="$GUEST_IP"
	echo "from the LAN $3" | ip netns exec "$LAN" socat -u - UDP-DATAGRAM:"$1":"$2",broadcast,ip-multicast-if=10.77.1.1
	t_wait 5 grep -q "from the guest $3" "$T_TMP/lan-$2.got" || t_fail "the LAN did not receive the guest's $3"
	t_wait 5 grep -q "from the LAN $3" "$T_TMP/guest-$2.got" || t_fail "the guest did not receive the LAN's $3"
	t_pass "UDP $3 both ways"
}
udp_both_ways 10.77.1.255 7201 broadcast
udp_both_ways 239.1.2.3 7202 multicast

# the guest takes the host's address: refused, the host keeps it
ip -n "$NS_GUEST" addr add 10.77.1.2/32 dev tap0
ip netns exec "$NS_GUEST" ping -c 2 -i 0.2 -W 1 -I 10.77.1.2 10.77.1.1 >/dev/null 2>&1
refused=$(stat_of capture_mac_refused)
[ "${refused:-0}" -gt 0 ] && t_pass "the guest's claim of the host's address was refused ($refused frames)" ||
	t_fail "the guest's frames from the host's address were not refused" "$(nat_ctl stats)"
t_check "the refusal is logged" grep -q "the guest claimed the host's own address 10.77.1.2: refused" "$INDY_LOG"
t_check "the host still reaches the LAN from its address" ip netns exec "$NS_HOST" ping -c 2 -i 0.2 -W 3 10.77.1.1
t_log "$(nat_ctl stats)"
kill "$GUEST_DHCP_PID" 2>/dev/null
nat_stop

# 3. auto: a veth is not wireless; the same veth reported wireless (sysfs test hook) is
bridge_start --interface cap1
t_check "auto on a veth: bridge-mac guest" test "$(stat_of bridge_mac)" = guest
nat_stop
mkdir -p "$T_TMP/sys/class/net/cap1/phy80211"
export INDYNET_SYSFS_ROOT=$T_TMP/sys
bridge_start --interface cap1 --bridge-mac auto
unset INDYNET_SYSFS_ROOT
t_check "auto on a 'wireless' interface: bridge-mac host" test "$(stat_of bridge_mac)" = host
t_check "the log says cap1 is wireless" grep -q "cap1 is wireless: bridge-mac host" "$INDY_LOG"
nat_stop
t_done
