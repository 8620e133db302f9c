#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-dhcp.sh: a guest netns behind indynetd --tap gets a DHCP lease, pings the gateway and resolves a name through it.
#
# The name indynet.test exists only in the test's own resolver (dnsmasq on the
# host netns' 127.0.0.1, reached through indynetd's /etc/resolv.conf), so a right
# answer proves the DNS relay at the gateway (.1) works end to end.  Guests with
# other MACs get other addresses, never the gateway's, and each a different one.
# --hostname and --dns-search reach the guest in the lease; a bad value is
# refused at start.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-dhcp
t_need_root
t_need_cmd ip unshare dnsmasq busybox
t_indynetd

# nat_start_fails ARGS...: the error of an indynetd that must refuse ARGS at start
nat_start_fails() {
	local rc
	timeout 10 "$INDYNETD" --tap tapx0 --control "$T_TMP/ctl2.sock" "$@" 2>&1
	rc=$?
	[ $rc = 2 ] || echo "(exit status $rc instead of 2)"
}

nat_setup
nat_start
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s" "$(ip -n "$NS_GUEST" addr show tap0)"
t_expect_eq "DHCP: guest address" 192.168.0.2 "$GUEST_IP"
t_expect_eq "DHCP: netmask" 24 "$(sed -n 's/^mask=//p' "$T_TMP/guest.lease")"
t_expect_eq "DHCP: router" 192.168.0.1 "$GUEST_GW"
t_expect_eq "DHCP: DNS server (the gateway)" 192.168.0.1 "$GUEST_DNS"
t_expect_eq "DHCP: lease time" 86400 "$(sed -n 's/^lease=//p' "$T_TMP/guest.lease")"
t_check "guest default route via the gateway" \
	sh -c "ip -n $NS_GUEST route show default | grep -q 'via 192.168.0.1 dev tap0'"

t_check "ping the gateway 192.168.0.1 (3 of 3 answered)" \
	ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 192.168.0.1

out=$(ip netns exec "$NS_GUEST" busybox nslookup -type=a indynet.test 192.168.0.1 2>&1)
if echo "$out" | grep -q 'Address:[[:space:]]*192\.0\.2\.55'; then
	t_pass "DNS via the gateway 192.168.0.1: indynet.test = 192.0.2.55 (from the test's resolver)"
else
	t_fail "DNS via the gateway 192.168.0.1: indynet.test should be 192.0.2.55" "$out"
fi
t_check "the test's resolver saw the relayed query" grep -q 'query\[A\] indynet.test' "$T_TMP/dnsmasq.log"

# a guest that comes back with another MAC (a new QEMU on the same daemon) must
# not be handed the gateway's address, nor one already leased
bb=$(command -v busybox)
seen=" $GUEST_IP "
for mac in 02:11:22:33:44:55 02:11:22:33:44:66; do
	kill "$GUEST_DHCP_PID" 2>/dev/null
	ip -n "$NS_GUEST" link set tap0 address "$mac"
	out=$(ip netns exec "$NS_GUEST" "$bb" udhcpc -i tap0 -n -q -t 5 -T 1 -s /bin/true 2>&1)
	addr=$(echo "$out" | sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p')
	case $seen in *" $addr "*) t_fail "DHCP for MAC $mac: $addr was already leased" "$out" ;; esac
	seen="$seen$addr "
	case $addr in
	192.168.0.1 | 192.168.0.255 | "") t_fail "DHCP for MAC $mac: got '$addr' (the gateway's or broadcast address, or none)" "$out" ;;
	192.168.0.*) t_pass "DHCP for another MAC $mac: $addr (a fresh address, not the gateway's)" ;;
	*) t_fail "DHCP for MAC $mac: $addr is outside 192.168.0.0/24" "$out" ;;
	esac
done

# what QEMU's user network offers besides: a host name and a domain search list
nat_stop
ip -n "$NS_GUEST" link set tap0 address 02:11:22:33:44:77 2>/dev/null
nat_start --hostname indy-guest --dns-search lab.example,indynet.test
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s (--hostname, --dns-search)"
t_expect_eq "DHCP: host name (--hostname)" indy-guest "$(sed -n 's/^hostname=//p' "$T_TMP/guest.lease")"
t_expect_eq "DHCP: domain search list (--dns-search)" "lab.example indynet.test" \
	"$(sed -n 's/^search=//p' "$T_TMP/guest.lease")"
out=$(nat_start_fails --hostname 'bad_name!')
case $out in *"(exit status"*) t_fail "a bad --hostname must exit with status 2" "$out" ;;
*"hostname 'bad_name!'"*) t_pass "a bad --hostname is refused, naming it" ;;
*) t_fail "--hostname bad_name! should be refused, naming the value" "$out" ;; esac

nat_stop
t_done
