#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-traffic.sh: TCP both ways and UDP (small and fragmented) from a guest netns to the host netns' loopback through the gateway.
#
# Services listen on 127.0.0.1 in the host netns only; the guest reaches them
# at the gateway address (libslirp maps it to the host's loopback).  Every
# transfer is checked byte for byte (md5 or exact echo).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-traffic
t_need_root
t_need_cmd ip unshare busybox socat
t_indynetd

NAT_DNS=0 nat_setup
nat_start
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
GW=$GUEST_GW
t_log "guest $GUEST_IP, gateway $GW"

head -c 3M /dev/urandom >"$T_TMP/down.bin"
head -c 2M /dev/urandom >"$T_TMP/up.bin"

# host -> guest: the guest downloads 3 MiB from 127.0.0.1:7001 of the host netns
ns_bg "$NS_HOST" "$T_TMP/srv-down.log" timeout 60 socat -u OPEN:"$T_TMP/down.bin" \
	TCP-LISTEN:7001,bind=127.0.0.1,reuseaddr
t_wait 5 ns_listening "$NS_HOST" tcp 7001 || t_fail "download server not listening"
t_check "TCP download of 3 MiB from the host's loopback via $GW:7001" \
	ip netns exec "$NS_GUEST" timeout 60 socat -u TCP:"$GW":7001 CREATE:"$T_TMP/down.got"
t_expect_eq "TCP download: md5 matches" "$(t_md5 "$T_TMP/down.bin")" "$(t_md5 "$T_TMP/down.got")"

# guest -> host: the guest uploads 2 MiB to 127.0.0.1:7002 of the host netns
rm -f "$T_TMP/up.got"
ns_bg "$NS_HOST" "$T_TMP/srv-up.log" timeout 60 socat -u TCP-LISTEN:7002,bind=127.0.0.1,reuseaddr \
	CREATE:"$T_TMP/up.got"
up_pid=$NS_BGPID
t_wait 5 ns_listening "$NS_HOST" tcp 7002 || t_fail "upload server not listening"
t_check "TCP upload of 2 MiB to the host's loopback via $GW:7002" \
	ip netns exec "$NS_GUEST" timeout 60 socat -u OPEN:"$T_TMP/up.bin" TCP:"$GW":7002
t_wait 10 eval '! kill -0 '"$up_pid" || t_fail "upload server did not see the end of the stream"
t_expect_eq "TCP upload: md5 matches" "$(t_md5 "$T_TMP/up.bin")" "$(t_md5 "$T_TMP/up.got")"

# UDP echo on the host's loopback
ns_bg "$NS_HOST" "$T_TMP/srv-udp.log" timeout 60 socat -b 65536 UDP-LISTEN:7003,bind=127.0.0.1,reuseaddr,fork PIPE
t_wait 5 ns_listening "$NS_HOST" udp 7003 || t_fail "UDP echo server not listening"
token="indynet-udp-$RANDOM$RANDOM"
got=$(echo "$token" | ip netns exec "$NS_GUEST" timeout 10 socat -T 3 - UDP:"$GW":7003)
t_expect_eq "UDP datagram echoed by the host's loopback via $GW:7003" "$token" "$got"

# 6000 bytes: the guest fragments it (MTU 1500), the NAT reassembles it, and
# the 6000-byte answer comes back fragmented by the NAT
head -c 6000 /dev/urandom | base64 -w0 | head -c 6000 >"$T_TMP/big.txt"
ip netns exec "$NS_GUEST" timeout 10 socat -b 65536 -T 3 - UDP:"$GW":7003 <"$T_TMP/big.txt" >"$T_TMP/big.got"
t_expect_eq "6000-byte UDP datagram (fragmented both ways) echoed intact" \
	"$(t_md5 "$T_TMP/big.txt")" "$(t_md5 "$T_TMP/big.got")"

nat_stop
t_done
