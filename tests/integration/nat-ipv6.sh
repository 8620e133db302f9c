#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-ipv6.sh: IPv6 behind the NAT: SLAAC in the configured /64, echo to the gateway (::2), a host [::1] service through the gateway, DNS at ::3, IPv6 forwards (command line, control socket, HTTP API); --no-ipv6 turns it all off.
#
# The guest netns (tap0 from indynetd --tap) configures itself from
# libslirp's router advertisements as any Linux guest does.  The host netns
# runs a TCP service on [::1]:8096 and the test's own resolvers (dnsmasq on
# 127.0.0.1 and on ::1, both in the host's resolv.conf).  IPv6 forwards carry
# host connections to [::1]:PORT into services the guest netns runs on its
# SLAAC address: a 256 KiB file (md5 checked) over TCP and a UDP echo.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-ipv6
t_need_root
t_need_cmd ip unshare busybox socat ping dig dnsmasq curl python3 md5sum
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

head -c 262144 /dev/urandom >"$T_TMP/payload"
want_md5=$(md5sum <"$T_TMP/payload" | cut -d' ' -f1)
nat_start --nat-prefix6 "$PREFIX::/64" --forward 'tcp:[::1]:18097:8080' --forward tcp:18097:8081
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

# IPv6 forwards: the guest serves on its SLAAC address (IPv6 only)
gaddr=${addr%/64}
ip -n "$NS_GUEST" addr add 192.168.0.2/24 dev tap0 # where an IPv4 forward goes until the guest is seen
ns_bg "$NS_GUEST" "$T_TMP/gtcp6.log" socat TCP6-LISTEN:8080,ipv6only=1,reuseaddr,fork OPEN:"$T_TMP/payload",rdonly
ns_bg "$NS_GUEST" "$T_TMP/gtcp4.log" socat TCP4-LISTEN:8081,reuseaddr,fork SYSTEM:'echo via-ipv4'
ns_bg "$NS_GUEST" "$T_TMP/gudp6.log" socat UDP6-RECVFROM:5300,ipv6only=1,reuseaddr,fork SYSTEM:'read l; echo udp6-$l'
t_wait 5 ns_listening "$NS_GUEST" tcp 8080 || t_fail "the guest's TCP service did not start"
host6() { ip netns exec "$NS_HOST" timeout 10 socat -T 5 - "$1" </dev/null 2>/dev/null; }
got=$(host6 'TCP6:[::1]:18097' | md5sum | cut -d' ' -f1)
t_expect_eq "--forward tcp:[::1]:18097:8080 carries 256 KiB into the guest (md5)" "$want_md5" "$got"
t_expect_eq "tcp:18097:8081 (IPv4) shares the port number with the IPv6 forward" via-ipv4 "$(host6 TCP4:127.0.0.1:18097)"
t_expect_eq "control socket: forward add udp:[::1]:18098:[$gaddr]:5300" ok \
	"$(nat_ctl forward add "udp:[::1]:18098:[$gaddr]:5300")"
# UDP may lose the first datagram while the gateway resolves the guest's address: a few tries
udp6_echo() { [ "$(echo ping | ip netns exec "$NS_HOST" timeout 5 socat -T 1 - 'UDP6:[::1]:18098' 2>/dev/null)" = udp6-ping ]; }
t_wait 10 udp6_echo || t_fail "the live IPv6 UDP forward should reach the guest's echo (udp6-ping) within 10 s"
t_pass "the live IPv6 UDP forward reaches the guest's echo"
list=$(nat_ctl forward list)
case $list in *"tcp:[::1]:18097:8080"*"udp:[::1]:18098:[$gaddr]:5300"*) t_pass "forward list shows both IPv6 forwards: $list" ;;
*) t_fail "forward list should show tcp:[::1]:18097:8080 and udp:[::1]:18098:[$gaddr]:5300" "$list" ;; esac
t_expect_eq "forward remove udp:[::1]:18098:[$gaddr]:5300" ok "$(nat_ctl forward remove "udp:[::1]:18098:[$gaddr]:5300")"
t_expect_eq "after removal nothing listens on [::1]:18098" 0 \
	"$(ip netns exec "$NS_HOST" ss -Hlun 'sport = :18098' | wc -l)"
reply=$(nat_ctl forward add 'udp:[::1]:18099:5300')
case $reply in *"udp:[::1]:18099:5300"*"needs the guest address"*) t_pass "an IPv6 UDP forward without a guest address is refused, named: $reply" ;;
*) t_fail "forward add udp:[::1]:18099:5300 should be refused (libslirp follows the guest for TCP only)" "$reply" ;; esac
reply=$(nat_ctl forward add 'tcp:[::1]:18099:[2001:db8::7]:80')
case $reply in *"2001:db8::7"*"not a host of the NAT's IPv6 prefix"*) t_pass "a guest address outside the prefix is refused, named: $reply" ;;
*) t_fail "forward add tcp:[::1]:18099:[2001:db8::7]:80 should be refused naming it" "$reply" ;; esac
reply=$(nat_ctl forward add 'tcp:[::1x]:18099:80')
case $reply in *"host address '[::1x]'"*) t_pass "a bad host address is named: $reply" ;;
*) t_fail "forward add tcp:[::1x]:18099:80 should name the bad address" "$reply" ;; esac
# the HTTP API (on the control socket): fields, then DELETE by id
api() { ip netns exec "$NS_HOST" curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 10 --unix-socket "$INDY_CTL" "$@"; }
code=$(api -X POST -H 'Content-Type: application/json' \
	-d '{"proto":"tcp","bind":"::1","host_port":18096,"guest_port":8080}' http://localhost/api/forwards)
t_expect_eq "POST /api/forwards {bind ::1, host_port 18096}: 201" 201 "$code"
t_expect_eq "POST's answer names the forward" 'tcp:[::1]:18096:8080' \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spec"])' "$T_TMP/body")"
got=$(host6 'TCP6:[::1]:18096' | md5sum | cut -d' ' -f1)
t_expect_eq "the API's IPv6 forward carries the file (md5)" "$want_md5" "$got"
t_expect_eq "DELETE /api/forwards/tcp6:18096: 200" 200 "$(api -X DELETE http://localhost/api/forwards/tcp6:18096)"
[ -z "$(host6 'TCP6:[::1]:18096')" ] || t_fail "tcp6:18096 still forwards after DELETE"
t_pass "after DELETE [::1]:18096 is closed"
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
reply=$(nat_ctl forward add 'tcp:[::1]:18099:80')
case $reply in *"IPv6 is off"*) t_pass "--no-ipv6: an IPv6 forward is refused: $reply" ;;
*) t_fail "--no-ipv6: forward add tcp:[::1]:18099:80 should be refused" "$reply" ;; esac
nat_stop
t_done
