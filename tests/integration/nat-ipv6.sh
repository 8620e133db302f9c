#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-ipv6.sh: IPv6 behind the NAT: SLAAC in the configured /64, echo to the gateway (::2), a host [::1] service through the gateway, DNS at ::3; --no-ipv6 turns it all off.
#
# The guest netns (tap0 from indynetd --tap) configures itself from
# libslirp's router advertisements as any Linux guest does.  The host netns
# runs a TCP service on [::1]:8096 and the test's own resolvers (dnsmasq on
# 127.0.0.1 and on ::1, both in the host's resolv.conf).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-ipv6
t_need_root
t_need_cmd ip unshare busybox socat ping dig dnsmasq
t_indynetd

PREFIX=fd42:1:2:3
stat_of() { nat_ctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"; }
slaac_addr() { ip -n "$NS_GUEST" -6 addr show dev tap0 scope global | awk '/inet6/ {print $2; exit}'; }
guest_up() { ip -n "$NS_GUEST" link set tap0 up; }

nat_setup
# libslirp relays DNS at ::3 to the host's first IPv6 nameserver (as slirp4netns does)
echo "nameserver ::1" >>"$T_TMP/resolv.conf"
ns_bg "$NS_HOST" "$T_TMP/dnsmasq6.log" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--conf-file=/dev/null --pid-file= --user=root --group=root --listen-address=::1 \
	--bind-interfaces --port=53 --address=/indynet.test/192.0.2.56 --log-facility=-
ns_bg "$NS_HOST" "$T_TMP/svc6.log" socat TCP6-LISTEN:8096,bind=[::1],reuseaddr,fork SYSTEM:'echo host-loopback-v6'
t_wait 5 ns_listening "$NS_HOST" tcp 8096 || t_fail "the host's [::1]:8096 service did not start"

nat_start --nat-prefix6 "$PREFIX::/64"
guest_up
t_wait 20 eval '[ -n "$(slaac_addr)" ]' || t_fail "no SLAAC address within 20 s" "$(ip -n "$NS_GUEST" -6 addr)"
addr=$(slaac_addr)
case $addr in "$PREFIX":*/64) t_pass "SLAAC address in the configured prefix: $addr" ;;
*) t_fail "the SLAAC address should be in $PREFIX::/64" "$addr" ;; esac
t_expect_eq "default route via the gateway's link-local address" 1 \
	"$(ip -n "$NS_GUEST" -6 route show default | grep -c 'via fe80::')"

t_check "ping6 of the gateway $PREFIX::2" ip netns exec "$NS_GUEST" ping -6 -c 2 -W 3 "$PREFIX::2"
got=$(ip netns exec "$NS_GUEST" timeout 10 socat -T 5 - "TCP6:[$PREFIX::2]:8096" </dev/null 2>&1)
t_expect_eq "TCP to [$PREFIX::2]:8096 reaches the host's [::1]:8096" host-loopback-v6 "$got"
got=$(ip netns exec "$NS_GUEST" timeout 10 dig +short +tries=2 +time=3 @"$PREFIX::3" indynet.test A 2>&1)
t_expect_eq "DNS at $PREFIX::3 is relayed to the host's IPv6 resolver" 192.0.2.56 "$got"
t_expect_eq "IPv6 flows are counted against the flow cap (stats nat_flows > 0)" yes \
	"$([ "$(stat_of nat_flows)" -gt 0 ] 2>/dev/null && echo yes || echo "no: $(stat_of nat_flows)")"
nat_stop

nat_start --no-ipv6
ip -n "$NS_GUEST" -6 addr flush dev tap0 scope global 2>/dev/null
guest_up
sleep 4
t_expect_eq "--no-ipv6: no SLAAC address after 4 s" "" "$(slaac_addr)"
if ip netns exec "$NS_GUEST" ping -6 -c 1 -W 2 -I tap0 ff02::2 >/dev/null 2>&1; then
	t_fail "--no-ipv6: something answered ping6 to all-routers"
fi
t_pass "--no-ipv6: no router answers on the link"
nat_stop
t_done
