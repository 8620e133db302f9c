#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-restrict.sh: --host-loopback off keeps the guest from the host's 127.0.0.1 services; --restrict keeps it from everything outside; forwards, DHCP, DNS and the in-core NFS server keep working under both.
#
# The host netns runs a TCP and a UDP service on 127.0.0.1 and an "outside"
# TCP service on 198.51.100.1 (an address of its lo); the guest netns runs
# the forward's service.  Each phase starts its own indynetd.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-restrict
t_need_root
t_need_cmd ip unshare busybox socat rpcinfo
t_indynetd

GW=192.168.0.1
stat_of() { nat_ctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"; }
guest_tcp() { ip netns exec "$NS_GUEST" timeout 8 socat -T 3 - "TCP:$1,connect-timeout=3" </dev/null 2>&1; }
guest_udp() { echo ping | ip netns exec "$NS_GUEST" timeout 6 socat -T 3 - "UDP:$1" 2>&1; }
host_fwd() { ip netns exec "$NS_HOST" timeout 8 socat -T 3 - TCP:127.0.0.1:18097 </dev/null 2>&1; }
start() { # start ARGS...: a daemon with a lease for the guest and the forward's service
	nat_start --export "$T_TMP/export" --forward tcp:18097:97 "$@"
	guest_dhcp_start
	guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s ($*)"
}
stop() { kill "$GUEST_DHCP_PID" 2>/dev/null; nat_stop; }

mkdir -p "$T_TMP/export"
nat_setup
ip -n "$NS_HOST" addr add 198.51.100.1/32 dev lo
ns_bg "$NS_HOST" "$T_TMP/h1.log" socat TCP-LISTEN:8097,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo host-lo'
ns_bg "$NS_HOST" "$T_TMP/h2.log" socat UDP-LISTEN:8098,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo host-lo-udp'
ns_bg "$NS_HOST" "$T_TMP/h3.log" socat TCP-LISTEN:8099,bind=198.51.100.1,reuseaddr,fork SYSTEM:'echo outside'
ns_bg "$NS_GUEST" "$T_TMP/g.log" socat TCP-LISTEN:97,reuseaddr,fork SYSTEM:'echo guest-97'
ns_bg "$NS_GUEST" "$T_TMP/g6.log" socat UDP6-RECVFROM:5301,ipv6only=1,reuseaddr,fork SYSTEM:'read l; echo g6-$l'
t_wait 5 ns_listening "$NS_HOST" tcp 8099 || t_fail "the host services did not start"

# the default: the gateway reaches the host's loopback, the guest the outside
start
t_expect_eq "default: TCP to the gateway reaches the host's 127.0.0.1" host-lo "$(guest_tcp $GW:8097)"
t_expect_eq "default: the guest reaches an outside address" outside "$(guest_tcp 198.51.100.1:8099)"
stop

start --host-loopback off
out=$(guest_tcp $GW:8097)
[ "$out" != host-lo ] || t_fail "--host-loopback off: TCP to the gateway still reaches the host's 127.0.0.1"
t_pass "--host-loopback off: TCP to $GW:8097 does not reach the host ($out)"
out=$(guest_udp $GW:8098)
[ "$out" != host-lo-udp ] || t_fail "--host-loopback off: UDP to the gateway still reaches the host's 127.0.0.1"
t_pass "--host-loopback off: UDP to $GW:8098 does not reach the host"
t_expect_eq "--host-loopback off: the forward still reaches the guest" guest-97 "$(host_fwd)"
t_expect_eq "--host-loopback off: the guest still reaches the outside" outside "$(guest_tcp 198.51.100.1:8099)"
out=$(ip netns exec "$NS_GUEST" busybox nslookup -type=a indynet.test $GW 2>&1)
case $out in *192.0.2.55*) t_pass "--host-loopback off: DNS at the gateway still answers" ;;
*) t_fail "--host-loopback off: DNS at the gateway should answer" "$out" ;; esac
stop

start --restrict
d0=$(stat_of drop_backend)
out=$(guest_tcp 198.51.100.1:8099)
[ "$out" != outside ] || t_fail "--restrict: the guest still reaches an outside address"
t_pass "--restrict: TCP to 198.51.100.1:8099 fails ($out)"
out=$(guest_tcp $GW:8097)
[ "$out" != host-lo ] || t_fail "--restrict: TCP to the gateway still reaches the host"
t_pass "--restrict: TCP to the gateway's 8097 fails"
if ip netns exec "$NS_GUEST" ping -c 1 -W 2 198.51.100.1 >/dev/null 2>&1; then
	t_fail "--restrict: ping of an outside address answered"
fi
t_pass "--restrict: ping of an outside address goes unanswered"
t_check "--restrict: ping of the gateway answers" ip netns exec "$NS_GUEST" ping -c 1 -W 3 $GW
d1=$(stat_of drop_backend)
[ "$((d1 - d0))" -ge 3 ] || t_fail "--restrict: refused frames should be counted (drop_backend $d0 -> $d1)"
t_pass "--restrict: refused frames counted (drop_backend $d0 -> $d1)"
t_check "--restrict: the guest got its lease" guest_lease_ok 192.168.0.
t_expect_eq "--restrict: the forward still reaches the guest" guest-97 "$(host_fwd)"
# an IPv6 UDP forward: the guest's answer from its port passes (the first datagram may be
# lost while the gateway resolves the guest's address: a few tries)
t_wait 20 eval '[ -n "$(ip -n "$NS_GUEST" -6 addr show dev tap0 scope global)" ]' || t_fail "--restrict: no SLAAC address"
g6=$(ip -n "$NS_GUEST" -6 addr show dev tap0 scope global | awk '/inet6/ {sub("/.*", "", $2); print $2; exit}')
t_expect_eq "--restrict: forward add udp:[::1]:18098:[$g6]:5301" ok "$(nat_ctl forward add "udp:[::1]:18098:[$g6]:5301")"
udp6_fwd() { [ "$(echo ping | ip netns exec "$NS_HOST" timeout 5 socat -T 1 - 'UDP6:[::1]:18098' 2>/dev/null)" = g6-ping ]; }
t_wait 10 udp6_fwd || t_fail "--restrict: the answer through the IPv6 UDP forward to port 5301 should reach the host"
t_pass "--restrict: the IPv6 UDP forward's answer reaches the host"
out=$(ip netns exec "$NS_GUEST" busybox nslookup -type=a indynet.test $GW 2>&1)
case $out in *192.0.2.55*) t_pass "--restrict: DNS at the gateway still answers" ;;
*) t_fail "--restrict: DNS at the gateway should answer" "$out" ;; esac
t_check "--restrict: the in-core NFS server answers (rpcinfo, NFS v3 over UDP)" \
	ip netns exec "$NS_GUEST" timeout 10 rpcinfo -T udp $GW nfs 3
stop
t_done
