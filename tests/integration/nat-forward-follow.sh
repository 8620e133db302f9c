#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-forward-follow.sh: forwards follow a guest with a static address when it moves; an explicit guest address wins.
#
# The guest netns is configured by hand (no DHCP), as IRIX usually is: first
# 192.168.0.50, then 192.168.0.51.  tcp:18090:80 has no guest address and
# must reach the guest where it is; tcp:18092:192.168.0.50:80 (CLI) and
# tcp:18093:192.168.0.50:80 (control socket) must reach .50 even while the
# guest's traffic comes from .51.  `forward list` shows where each goes.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-forward-follow
t_need_root
t_need_cmd ip unshare socat ss
t_indynetd

NAT_DNS=0 nat_setup
nat_start --forward tcp:18090:80 --forward tcp:18092:192.168.0.50:80
g() { ip netns exec "$NS_GUEST" "$@"; }
g ip link set tap0 up
g ip addr add 192.168.0.50/24 dev tap0
g ip route add default via 192.168.0.1
ns_bg "$NS_GUEST" "$T_TMP/g50.log" socat TCP-LISTEN:80,bind=192.168.0.50,reuseaddr,fork SYSTEM:'echo at-50'
t_wait 5 ns_listening "$NS_GUEST" tcp 80 || t_fail "guest service on .50 did not start"

host_tcp() { ip netns exec "$NS_HOST" timeout 10 socat -T 5 - TCP:127.0.0.1:"$1" </dev/null 2>&1; }
listed() { nat_ctl forward list | tr ' ' '\n' | grep -qx -- "$1"; }

t_check "the guest at .50 reaches the gateway" g ping -c 1 -W 3 192.168.0.1
t_wait 5 listed "tcp:18090:80->192.168.0.50" || t_fail "forward list should show tcp:18090:80 going to .50" \
	"$(nat_ctl forward list)"
t_pass "forward list: tcp:18090:80->192.168.0.50"
t_expect_eq "tcp:18090:80 reaches the guest at .50" at-50 "$(host_tcp 18090)"
t_expect_eq "tcp:18092:192.168.0.50:80 (from the command line) reaches .50" at-50 "$(host_tcp 18092)"

# the guest moves to .51
g ip addr del 192.168.0.50/24 dev tap0
g ip addr add 192.168.0.51/24 dev tap0
g ip route add default via 192.168.0.1
ns_bg "$NS_GUEST" "$T_TMP/g51.log" socat TCP-LISTEN:80,bind=192.168.0.51,reuseaddr,fork SYSTEM:'echo at-51'
t_wait 5 eval 'g ss -Hltn "src 192.168.0.51:80" | grep -q .' || t_fail "guest service on .51 did not start"
t_check "the guest at .51 reaches the gateway" g ping -c 1 -W 3 192.168.0.1
t_wait 5 listed "tcp:18090:80->192.168.0.51" || t_fail "forward list should show tcp:18090:80 going to .51" \
	"$(nat_ctl forward list)"
t_pass "forward list: tcp:18090:80->192.168.0.51 (followed)"
t_expect_eq "tcp:18090:80 follows the guest to .51" at-51 "$(host_tcp 18090)"

# an explicit guest address wins: .50 again, as a second address of the guest
g ip addr add 192.168.0.50/24 dev tap0
t_check "forward list: tcp:18092:192.168.0.50:80->192.168.0.50 (explicit)" listed "tcp:18092:192.168.0.50:80->192.168.0.50"
t_expect_eq "tcp:18092:192.168.0.50:80 still reaches .50" at-50 "$(host_tcp 18092)"
t_expect_eq "tcp:18090:80 still reaches .51" at-51 "$(host_tcp 18090)"
reply=$(nat_ctl forward add tcp:18093:192.168.0.50:80)
t_expect_eq "--ctl forward add tcp:18093:192.168.0.50:80" ok "$reply"
t_expect_eq "the control socket's explicit forward reaches .50" at-50 "$(host_tcp 18093)"
reply=$(nat_ctl forward remove tcp:18093:80)
case $reply in error:*) t_pass "forward remove tcp:18093:80 does not remove tcp:18093:192.168.0.50:80: $reply" ;;
*) t_fail "forward remove tcp:18093:80 must name the guest address too" "$reply" ;; esac
t_expect_eq "forward remove tcp:18093:192.168.0.50:80" ok "$(nat_ctl forward remove tcp:18093:192.168.0.50:80)"
reply=$(nat_ctl forward add tcp:18094:10.9.9.9:80)
case $reply in *"not a host address of the NAT subnet"*) t_pass "an address outside the subnet is refused: $reply" ;;
*) t_fail "forward add tcp:18094:10.9.9.9:80 should be refused" "$reply" ;; esac

nat_stop
t_done
