#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-inform.sh: a guest with a static address asks for the rest by DHCPINFORM (dhcpcd --inform) and is answered at once.
#
# libslirp answers only DISCOVER and REQUEST; indynet answers DHCPINFORM
# itself with a DHCPACK: router, DNS server (the gateway), netmask and server
# identifier, no address and no lease.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-inform
t_need_root
t_need_cmd ip unshare dhcpcd
t_indynetd

NAT_DNS=0 nat_setup
nat_start
ip -n "$NS_GUEST" link set tap0 up
ip -n "$NS_GUEST" addr add 192.168.0.50/24 dev tap0

out=$(ip netns exec "$NS_GUEST" timeout 20 dhcpcd --debug -4 --test --inform=192.168.0.50/24 --timeout 5 tap0 2>&1)
echo "$out" >"$T_TMP/dhcpcd.log"
t_evidence "$T_TMP/dhcpcd.log"
var() { echo "$out" | sed -n "s/^new_$1='\(.*\)'$/\1/p"; }
t_expect_eq "DHCPINFORM answered with a DHCPACK (message type 5)" 5 "$(var dhcp_message_type)"
t_expect_eq "router" 192.168.0.1 "$(var routers)"
t_expect_eq "DNS server (the gateway)" 192.168.0.1 "$(var domain_name_servers)"
t_expect_eq "netmask" 255.255.255.0 "$(var subnet_mask)"
t_expect_eq "server identifier" 192.168.0.1 "$(var dhcp_server_identifier)"
t_expect_eq "no lease time in the answer" "" "$(var dhcp_lease_time)"
t_expect_eq "answered at the first try (INFORMs sent)" 1 "$(echo "$out" | grep -c 'sending INFORM')"

nat_stop
t_done
