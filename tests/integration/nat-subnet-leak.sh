#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-subnet-leak.sh: after a live subnet change, a guest on its old lease sends nothing to the host's network at its old subnet's addresses.
#
# The host netns gets a "LAN" (a veth into a third namespace) on the guest's
# first subnet, 10.1.0.0/24, with a stand-in router at 10.1.0.1 running a
# resolver that forges answers.  After `subnet 192.168.77.0/24` the guest
# still holds 10.1.0.2: its DNS to 10.1.0.1 (UDP and TCP) must be answered
# by the host's resolver through indynet's relay, everything else to the old
# subnet dropped and counted, and the stand-in router must see no packet at
# all.  Then the guest renews into the new subnet, works there, and reaches
# 10.1.0.1 through the NAT like any outside address.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-subnet-leak
t_need_root
t_need_cmd ip unshare busybox dig socat dnsmasq python3
t_indynetd

NS_LAN=indy-l-$$
nat_setup
nat_start --nat-subnet 10.1.0.0/24
guest_dhcp_start
guest_dhcp_wait 20 10.1.0. || t_fail "no DHCP lease in 10.1.0.0/24 within 20 s"
t_expect_eq "first lease" 10.1.0.2 "$GUEST_IP"

# the host's LAN on the old subnet, with a stand-in router that forges DNS
ns_create "$NS_LAN"
for ns in "$NS_HOST" "$NS_LAN"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1; done
ip -n "$NS_HOST" link add lan0 type veth peer name eth0 netns "$NS_LAN" || t_fail "cannot create the veth pair"
ip -n "$NS_HOST" addr add 10.1.0.100/24 dev lan0
ip -n "$NS_LAN" addr add 10.1.0.1/24 dev eth0
ip -n "$NS_HOST" link set lan0 up
ip -n "$NS_LAN" link set eth0 up
ns_bg "$NS_LAN" "$T_TMP/forger.log" dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null \
	--pid-file= --user=root --group=root --listen-address=10.1.0.1 --bind-interfaces --port=53 \
	--address=/indynet.test/198.51.100.66 --log-queries --log-facility=-
ns_bg "$NS_LAN" "$T_TMP/router80.log" socat TCP-LISTEN:80,bind=10.1.0.1,reuseaddr,fork SYSTEM:'echo router'
t_wait 5 eval 'ip netns exec '"$NS_LAN"' ss -Hlun "sport = :53" | grep -q .' || t_fail "stand-in resolver did not start"
t_evidence "$T_TMP/forger.log"
t_wait 5 eval 'ip netns exec '"$NS_LAN"' ss -Hltn "sport = :80" | grep -q .' || t_fail "stand-in web server did not start"
lan_rx() { ip netns exec "$NS_LAN" cat /sys/class/net/eth0/statistics/rx_packets; }
drops() { nat_ctl stats | tr ' ' '\n' | sed -n 's/^drop_old_subnet=//p'; }

reply=$(nat_ctl subnet 192.168.77.0/24)
case $reply in ok*) t_pass "--ctl subnet 192.168.77.0/24 -> $reply" ;;
*) t_fail "--ctl subnet 192.168.77.0/24 should answer ok" "$reply" ;; esac
t_check "the guest still holds its old lease" guest_lease_ok 10.1.0.
rx0=$(lan_rx)
d0=$(drops)

# DNS at the old gateway: the host's resolver answers through indynet, never the stand-in
got=$(ip netns exec "$NS_GUEST" dig +short +tries=2 +timeout=3 @10.1.0.1 indynet.test A 2>&1)
t_expect_eq "UDP DNS at the old gateway 10.1.0.1 is relayed to the host's resolver" 192.0.2.55 "$got"
got=$(ip netns exec "$NS_GUEST" dig +tcp +short +tries=2 +timeout=3 @10.1.0.1 indynet.test A 2>&1)
t_expect_eq "TCP DNS at the old gateway 10.1.0.1 is relayed to the host's resolver" 192.0.2.55 "$got"

# everything else to the old subnet goes nowhere
if ip netns exec "$NS_GUEST" ping -c 2 -i 0.3 -W 1 10.1.0.1 >/dev/null 2>&1; then
	t_fail "ping of the old gateway 10.1.0.1 should go unanswered"
fi
t_pass "ping of the old gateway goes unanswered"
if out=$(ip netns exec "$NS_GUEST" timeout 3 socat -T 2 - TCP:10.1.0.1:80,connect-timeout=2 </dev/null 2>&1) &&
	[ "$out" = router ]; then
	t_fail "TCP to the old gateway 10.1.0.1:80 reached the stand-in router"
fi
t_pass "TCP to the old gateway's port 80 goes nowhere"
ip netns exec "$NS_GUEST" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for a in ("10.1.0.1", "10.1.0.77", "10.1.0.255"):
    s.sendto(b"leak?", (a, 9))'
sleep 1
rx1=$(lan_rx)
t_expect_eq "the stand-in router at 10.1.0.1 saw no packet at all (rx_packets)" "$rx0 0" "$rx1 $rx1"
d1=$(drops)
[ $((d1 - d0)) -ge 6 ] || t_fail "drops to the old subnet should be counted (drop_old_subnet $d0 -> $d1)"
t_pass "drops to the old subnet counted: drop_old_subnet $d0 -> $d1"
[ -z "$(grep 'query\[' "$T_TMP/forger.log")" ] || t_fail "the stand-in resolver got a query" "$(cat "$T_TMP/forger.log")"
t_pass "the stand-in resolver got no query"

# the guest renews into the new subnet and works there
guest_dhcp_renew
guest_dhcp_wait 30 192.168.77. || t_fail "guest did not move to 192.168.77.0/24 within 30 s" "$(cat "$T_TMP/guest.lease")"
t_expect_eq "renewed lease" 192.168.77.2 "$GUEST_IP"
got=$(ip netns exec "$NS_GUEST" dig +short +tries=2 +timeout=3 @192.168.77.1 indynet.test A 2>&1)
t_expect_eq "DNS at the new gateway" 192.0.2.55 "$got"
# moved, the guest reaches 10.1.0.1 through the NAT like any outside address
t_check "the moved guest reaches the LAN's 10.1.0.1 through the NAT" \
	ip netns exec "$NS_GUEST" ping -c 1 -W 3 10.1.0.1
t_expect_eq "... and TCP to its port 80" router \
	"$(ip netns exec "$NS_GUEST" timeout 10 socat -T 5 - TCP:10.1.0.1:80 </dev/null 2>&1)"

nat_stop
t_done
