#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-dhcp.sh: a guest netns behind indynetd --tap gets a DHCP lease, pings the gateway and resolves a name through it.
#
# The name indynet.test exists only in the test's own resolver (dnsmasq on the
# host netns' 127.0.0.1, reached through indynetd's /etc/resolv.conf), so a right
# answer proves the DNS relay at .3 works end to end.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-dhcp
t_need_root
t_need_cmd ip unshare dnsmasq busybox
t_indynetd

nat_setup
nat_start
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s" "$(ip -n "$NS_GUEST" addr show tap0)"
t_expect_eq "DHCP: guest address" 192.168.0.2 "$GUEST_IP"
t_expect_eq "DHCP: netmask" 24 "$(sed -n 's/^mask=//p' "$T_TMP/guest.lease")"
t_expect_eq "DHCP: router" 192.168.0.1 "$GUEST_GW"
t_expect_eq "DHCP: DNS server" 192.168.0.3 "$GUEST_DNS"
t_expect_eq "DHCP: lease time" 86400 "$(sed -n 's/^lease=//p' "$T_TMP/guest.lease")"
t_check "guest default route via the gateway" \
	sh -c "ip -n $NS_GUEST route show default | grep -q 'via 192.168.0.1 dev tap0'"

t_check "ping the gateway 192.168.0.1 (3 of 3 answered)" \
	ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 192.168.0.1

out=$(ip netns exec "$NS_GUEST" busybox nslookup -type=a indynet.test 192.168.0.3 2>&1)
if echo "$out" | grep -q 'Address:[[:space:]]*192\.0\.2\.55'; then
	t_pass "DNS via 192.168.0.3: indynet.test = 192.0.2.55 (from the test's resolver)"
else
	t_fail "DNS via 192.168.0.3: indynet.test should be 192.0.2.55" "$out"
fi
t_check "the test's resolver saw the relayed query" grep -q 'query\[A\] indynet.test' "$T_TMP/dnsmasq.log"

nat_stop
t_done
