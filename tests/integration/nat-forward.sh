#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-forward.sh: host->guest port forwards (TCP, UDP) given at start, and a forward added and removed on the running daemon.
#
# The guest netns runs the services; the host netns reaches them on its own
# 127.0.0.1 through indynetd's forwards.  Checks the bind address (127.0.0.1
# by default, any with ":any"), the payload, and that a removed forward is gone.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-forward
t_need_root
t_need_cmd ip unshare busybox socat ss
t_indynetd

NAT_DNS=0 nat_setup
nat_start --forward tcp:18080:80 --forward udp:18081:81 --forward tcp:18083:83:any
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"

# services in the guest netns
ns_bg "$NS_GUEST" "$T_TMP/g80.log" socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo tcp-forward-80'
ns_bg "$NS_GUEST" "$T_TMP/g81.log" socat UDP-LISTEN:81,reuseaddr,fork PIPE
ns_bg "$NS_GUEST" "$T_TMP/g82.log" socat TCP-LISTEN:82,reuseaddr,fork SYSTEM:'echo tcp-forward-82'
ns_bg "$NS_GUEST" "$T_TMP/g83.log" socat TCP-LISTEN:83,reuseaddr,fork SYSTEM:'echo tcp-forward-83'
ns_bg "$NS_GUEST" "$T_TMP/g85.log" socat UDP-LISTEN:85,reuseaddr,fork PIPE
t_wait 5 ns_listening "$NS_GUEST" tcp 83 || t_fail "guest services did not start"

host_tcp() { ip netns exec "$NS_HOST" timeout 10 socat -T 5 - TCP:127.0.0.1:"$1" </dev/null 2>&1; }
listen_addr() { # listen_addr PROTO PORT: local address indynetd listens on in the host netns
	local f=-Hltn
	[ "$1" = udp ] && f=-Hlun
	ip netns exec "$NS_HOST" ss $f "sport = :$2" | awk '{print $4}' | head -n1
}

# forwards from the command line
t_expect_eq "tcp:18080:80 is bound to 127.0.0.1" 127.0.0.1:18080 "$(listen_addr tcp 18080)"
t_expect_eq "udp:18081:81 is bound to 127.0.0.1" 127.0.0.1:18081 "$(listen_addr udp 18081)"
any=$(listen_addr tcp 18083)
case $any in
0.0.0.0:18083 | \*:18083 | "[::]:18083") t_pass "tcp:18083:83:any is bound to any address ($any)" ;;
*) t_fail "tcp:18083:83:any should listen on any address" "got: $any" ;;
esac
t_expect_eq "TCP forward host 127.0.0.1:18080 -> guest :80" tcp-forward-80 "$(host_tcp 18080)"
t_expect_eq "TCP forward host 127.0.0.1:18083 -> guest :83 (any)" tcp-forward-83 "$(host_tcp 18083)"
token="udp-forward-$RANDOM$RANDOM"
got=$(echo "$token" | ip netns exec "$NS_HOST" timeout 10 socat -T 3 - UDP:127.0.0.1:18081 2>&1)
t_expect_eq "UDP forward host 127.0.0.1:18081 -> guest :81 (echo)" "$token" "$got"

# a forward added and removed on the running daemon
reply=$(nat_ctl forward add tcp:18082:82)
case $reply in ok*) t_pass "--ctl forward add tcp:18082:82 -> $reply" ;;
*) t_fail "--ctl forward add tcp:18082:82 should answer ok" "$reply" ;; esac
t_wait 5 ns_listening "$NS_HOST" tcp 18082 || t_fail "added forward: nothing listens on 18082"
t_expect_eq "added forward: bound to 127.0.0.1" 127.0.0.1:18082 "$(listen_addr tcp 18082)"
t_expect_eq "added forward host 127.0.0.1:18082 -> guest :82" tcp-forward-82 "$(host_tcp 18082)"

reply=$(nat_ctl forward remove tcp:18082:82)
case $reply in ok*) t_pass "--ctl forward remove tcp:18082:82 -> $reply" ;;
*) t_fail "--ctl forward remove tcp:18082:82 should answer ok" "$reply" ;; esac
t_wait 5 eval '! ns_listening '"$NS_HOST"' tcp 18082' || t_fail "removed forward: 18082 still listening"
t_pass "removed forward: nothing listens on 18082 any more"
if out=$(host_tcp 18082) && [ "$out" = tcp-forward-82 ]; then
	t_fail "removed forward still reaches the guest" "$out"
fi
t_pass "removed forward: connecting to 127.0.0.1:18082 fails ($out)"
t_expect_eq "the other forwards survive the removal" tcp-forward-80 "$(host_tcp 18080)"

# the same for UDP
reply=$(nat_ctl forward add udp:18085:85)
case $reply in ok*) t_pass "--ctl forward add udp:18085:85 -> $reply" ;;
*) t_fail "--ctl forward add udp:18085:85 should answer ok" "$reply" ;; esac
t_expect_eq "added UDP forward: bound to 127.0.0.1" 127.0.0.1:18085 "$(listen_addr udp 18085)"
token="udp-added-$RANDOM$RANDOM"
got=$(echo "$token" | ip netns exec "$NS_HOST" timeout 10 socat -T 3 - UDP:127.0.0.1:18085 2>&1)
t_expect_eq "added UDP forward host 127.0.0.1:18085 -> guest :85 (echo)" "$token" "$got"
reply=$(nat_ctl forward remove udp:18085:85)
case $reply in ok*) t_pass "--ctl forward remove udp:18085:85 -> $reply" ;;
*) t_fail "--ctl forward remove udp:18085:85 should answer ok" "$reply" ;; esac
t_wait 5 eval '! ns_listening '"$NS_HOST"' udp 18085' || t_fail "removed UDP forward: 18085 still bound"
t_pass "removed UDP forward: nothing bound to udp 18085 any more"

# bad requests are refused with an error, the daemon keeps running
for bad in "tcp:99999:82" "icmp:18084:84" "tcp:18080:80"; do
	reply=$(nat_ctl forward add "$bad")
	case $reply in error:*) t_pass "--ctl forward add $bad refused: $reply" ;;
	*) t_fail "--ctl forward add $bad should answer error: ..." "$reply" ;; esac
done
reply=$(nat_ctl forward remove tcp:18089:89)
case $reply in error:*) t_pass "--ctl forward remove of an unknown forward refused: $reply" ;;
*) t_fail "--ctl forward remove tcp:18089:89 should answer error: ..." "$reply" ;; esac
t_check "indynetd still running after the bad requests" kill -0 "$INDY_PID"

nat_stop
t_done
