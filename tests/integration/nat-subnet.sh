#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-subnet.sh: change the NAT subnet of a running indynetd; the guest renews into it and reaches the new gateway.
#
# Also checks that bad subnets are refused with the documented error texts and
# leave the running subnet alone.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-subnet
t_need_root
t_need_cmd ip unshare busybox socat dnsmasq
t_indynetd

nat_setup
nat_start
guest_dhcp_start
guest_dhcp_wait 20 192.168.0. || t_fail "no DHCP lease in 192.168.0.0/24 within 20 s"
t_expect_eq "first lease" 192.168.0.2 "$GUEST_IP"

ctl_error() { # ctl_error DESC TEXT ARGS...: the reply is an error containing TEXT
	local desc=$1 want=$2 reply
	shift 2
	reply=$(nat_ctl "$@")
	case $reply in
	error:*"$want"*) t_pass "$desc: $reply" ;;
	*) t_fail "$desc: want an error containing '$want'" "$reply" ;;
	esac
}
ctl_error "subnet /31 refused" "prefix /31 is too small (minimum /30)" subnet 10.77.0.0/31
ctl_error "host address refused" \
	"192.168.0.5/24 is not the network address for /24 (did you mean 192.168.0.0/24?)" subnet 192.168.0.5/24
ctl_error "garbage refused" "" subnet not-a-subnet
t_check "still on 192.168.0.0/24 after the refusals: ping 192.168.0.1" \
	ip netns exec "$NS_GUEST" ping -c 1 -W 3 192.168.0.1

reply=$(nat_ctl subnet 10.77.0.0/24)
case $reply in ok*) t_pass "--ctl subnet 10.77.0.0/24 -> $reply" ;;
*) t_fail "--ctl subnet 10.77.0.0/24 should answer ok" "$reply" ;; esac

t_check "indynetd kept running (same pid)" kill -0 "$INDY_PID"
t_check "tap0 is still there" ip -n "$NS_GUEST" link show tap0
guest_dhcp_renew
guest_dhcp_wait 30 10.77.0. || t_fail "guest did not get a lease in 10.77.0.0/24 within 30 s" \
	"$(cat "$T_TMP/guest.lease")"
t_expect_eq "renewed lease: guest address" 10.77.0.2 "$GUEST_IP"
t_expect_eq "renewed lease: router" 10.77.0.1 "$GUEST_GW"
t_expect_eq "renewed lease: DNS server (the new gateway)" 10.77.0.1 "$GUEST_DNS"
t_check "ping the new gateway 10.77.0.1" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.0.1

ns_bg "$NS_HOST" "$T_TMP/srv.log" timeout 30 socat TCP-LISTEN:7010,bind=127.0.0.1,reuseaddr SYSTEM:'echo new-subnet-ok'
t_wait 5 ns_listening "$NS_HOST" tcp 7010 || t_fail "test server not listening"
t_expect_eq "TCP to the host's loopback via the new gateway" new-subnet-ok \
	"$(ip netns exec "$NS_GUEST" timeout 10 socat -T 5 - TCP:10.77.0.1:7010 </dev/null 2>&1)"
out=$(ip netns exec "$NS_GUEST" busybox nslookup -type=a indynet.test 10.77.0.1 2>&1)
if echo "$out" | grep -q 'Address:[[:space:]]*192\.0\.2\.55'; then
	t_pass "DNS via the new gateway 10.77.0.1: indynet.test = 192.0.2.55"
else
	t_fail "DNS via the new gateway 10.77.0.1 should answer 192.0.2.55" "$out"
fi

nat_stop
t_done
