#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-dns.sh: --dns ADDR relays the gateway's DNS (IPv4 and ::3) to the chosen resolver instead of the host's resolv.conf.
#
# Three resolvers in the host netns answer the same name differently:
# dnsmasq on 127.0.0.1 (the host's resolv.conf) says 192.0.2.55, one on
# 127.0.0.2 says 192.0.2.2 and one on 127.0.0.3 says 192.0.2.3.  The guest
# asks its gateway (and ::3) and must get the chosen resolver's answer; the
# chosen resolver's log must show the query and the host's resolver none.
# A bad --dns value is refused at start, naming it.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-dns
t_need_root
t_need_cmd ip unshare dnsmasq busybox dig
t_indynetd
NS_HOST=nat1-h-$$
NS_GUEST=nat1-g-$$

resolver() { # resolver ADDR ANSWER: dnsmasq on ADDR:53 answering indynet.test = ANSWER
	ns_bg "$NS_HOST" "$T_TMP/dns-$1.log" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
		--conf-file=/dev/null --pid-file= --user=root --group=root --listen-address="$1" \
		--bind-interfaces --port=53 --address=/indynet.test/"$2" --log-queries --log-facility=-
	t_evidence "$T_TMP/dns-$1.log"
}
ask() { # ask SERVER: the guest's A answer for indynet.test
	ip netns exec "$NS_GUEST" timeout 10 dig +short +tries=2 +time=3 @"$1" indynet.test A 2>&1
}
queries() { grep -c 'query\[A\] indynet.test' "$1"; }
guest_static() { # a restarted indynetd made tap0 anew: the guest's address by hand
	ip -n "$NS_GUEST" addr add 192.168.0.2/24 dev tap0
	ip -n "$NS_GUEST" link set tap0 up
}

nat_setup
ip -n "$NS_HOST" addr add 127.0.0.2/8 dev lo 2>/dev/null
ip -n "$NS_HOST" addr add 127.0.0.3/8 dev lo 2>/dev/null
resolver 127.0.0.2 192.0.2.2
resolver 127.0.0.3 192.0.2.3
t_wait 5 eval '[ "$(ip netns exec "$NS_HOST" ss -Hlun "sport = :53" | wc -l)" -ge 3 ]' ||
	t_fail "the three resolvers did not start" "$(ip netns exec "$NS_HOST" ss -Hlun)"

nat_start --dns 127.0.0.3 --nat-prefix6 fd42:9::/64
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s" "$(ip -n "$NS_GUEST" addr show tap0)"
t_expect_eq "--dns 127.0.0.3: the gateway answers with that resolver's address" 192.0.2.3 "$(ask "$GUEST_GW")"
t_expect_eq "the host's resolver (127.0.0.1) was not asked" 0 "$(queries "$T_TMP/dnsmasq.log")"
t_expect_eq "the other resolver (127.0.0.2) was not asked" 0 "$(queries "$T_TMP/dns-127.0.0.2.log")"
t_expect_eq "the chosen resolver saw the query once" 1 "$(queries "$T_TMP/dns-127.0.0.3.log")"
out=$(ip netns exec "$NS_GUEST" busybox nslookup -type=a indynet.test "$GUEST_GW" 2>&1)
case $out in *192.0.2.3*) t_pass "busybox nslookup through the gateway: 192.0.2.3" ;;
*) t_fail "busybox nslookup through the gateway should give 192.0.2.3" "$out" ;; esac
t_wait 20 eval '[ -n "$(ip -n "$NS_GUEST" -6 addr show dev tap0 scope global)" ]' ||
	t_fail "no SLAAC address within 20 s"
t_expect_eq "DNS at fd42:9::3 goes to the chosen resolver too" 192.0.2.3 "$(ask fd42:9::3)"
t_expect_eq "a query to 127.0.0.3's relay keeps the guest's id and port (dig checks both): a second answer" \
	192.0.2.3 "$(ask "$GUEST_GW")"
kill "$GUEST_DHCP_PID" 2>/dev/null
nat_stop

nat_start --dns 127.0.0.2
guest_static
t_expect_eq "--dns 127.0.0.2: the other resolver's answer" 192.0.2.2 "$(ask 192.168.0.1)"
nat_stop

nat_start
guest_static
t_expect_eq "without --dns: the host's resolv.conf (127.0.0.1)" 192.0.2.55 "$(ask 192.168.0.1)"
nat_stop

out=$(timeout 10 "$INDYNETD" --tap nat1x --control "$T_TMP/ctl2.sock" --dns 10.0.0.300 2>&1)
rc=$?
t_expect_eq "--dns 10.0.0.300 exits with status 2" 2 "$rc"
case $out in *"10.0.0.300"*) t_pass "the error names the bad value: $out" ;;
*) t_fail "the error should name 10.0.0.300" "$out" ;; esac
t_done
