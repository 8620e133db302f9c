#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-host.sh: bridge mode's host reach: the guest reaches services on the host's own LAN address (TCP both ways by md5, UDP echo, ping), the host reaches the guest's LAN address (TCP, ping, UDP), the LAN still works, and with --bridge-host-reach off neither direction does.
#
# Topology: tests/lib/bridge.sh, LAN 1: the LAN host 10.77.1.1 (lan1), the host
# namespace's capture end cap1 = 10.77.1.2 (the host's own LAN address), the
# guest behind --tap at 10.77.1.60/24 (static: nothing here needs DHCP).
# The services listen on 10.77.1.2 only, in the host namespace, as a host's X
# or web server would.  A frame indynet injects on cap1 leaves towards lan1
# and never climbs the host namespace's stack, so only host reach makes them
# reachable.
#   1. Host reach on (the default): the guest's ARP for 10.77.1.2 is answered
#      with cap1's MAC; the guest downloads 4 MiB and uploads 3 MiB over TCP to
#      10.77.1.2 (md5 both), a UDP echo answers, ping answers; the LAN host
#      and the guest still ping each other; stats count host frames.
#      The other direction, the host's own stack connecting to the guest's LAN
#      address 10.77.1.60: the host gets a permanent neighbour entry for it at
#      the guest's MAC; the host downloads 4 MiB from a TCP service in the
#      guest (md5), pings the guest, gets a UDP echo from it, while a guest
#      download from the host runs on the same addresses; stats count the
#      answers handed to the host's stack; the entry goes with the daemon.
#   2. --bridge-host-reach off: the same TCP connection fails, the counters stay 0;
#      the host's ARP for the guest never resolves, so the host reaches it neither.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

t_init bridge-host
t_need_root
t_need_cmd ip unshare busybox socat
t_indynetd
NS_HOST=brf1h-$$
NS_GUEST=brf1g-$$
BRIDGE_LAN_NS=brf1l
BRIDGE_DHCP=0
H=10.77.1.2
G=10.77.1.60

bridge_setup
lan_add 1
LAN=$(lan_ns 1)
# ping_group_range stays at its default ("1 0": no ICMP datagram sockets): libslirp
# falls back on a raw socket, which the capture's CAP_NET_RAW allows anyway
HOST_MAC=$(ip -n "$NS_HOST" -o link show cap1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
stat_of() { nat_ctl stats | grep -o "$1=[^ ]*" | cut -d= -f2; }

guest_up() {
	ip -n "$NS_GUEST" addr add $G/24 dev tap0
	ip -n "$NS_GUEST" link set tap0 up
}

head -c 4M /dev/urandom >"$T_TMP/down.bin"
head -c 3M /dev/urandom >"$T_TMP/up.bin"
serve_down() { # serve_down PORT: a one-shot server on H sending down.bin
	ns_bg "$NS_HOST" "$T_TMP/srv-$1.log" timeout 60 socat -u OPEN:"$T_TMP/down.bin" TCP-LISTEN:"$1",bind=$H,reuseaddr
	t_wait 5 ns_listening "$NS_HOST" tcp "$1" || t_fail "host server on $1 not listening"
}

# 1. host reach on
bridge_start --interface cap1
guest_up
t_check "the guest pings the LAN host" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.1.1
t_check "ping of the host's address $H answers (3 of 3)" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 $H
t_check "the guest's ARP entry for $H is the host's MAC $HOST_MAC" \
	sh -c "ip -n '$NS_GUEST' neigh show $H | grep -q '$HOST_MAC'"

serve_down 7101
ip netns exec "$NS_GUEST" timeout 60 socat -u TCP:$H:7101,connect-timeout=5 CREATE:"$T_TMP/down.got"
t_expect_eq "TCP guest <- host $H:7101, 4 MiB: md5 matches" "$(t_md5 "$T_TMP/down.bin")" "$(t_md5 "$T_TMP/down.got")"

ns_bg "$NS_HOST" "$T_TMP/srv-up.log" timeout 60 socat -u TCP-LISTEN:7102,bind=$H,reuseaddr CREATE:"$T_TMP/up.got"
up_pid=$NS_BGPID
t_wait 5 ns_listening "$NS_HOST" tcp 7102 || t_fail "host upload server not listening"
t_check "TCP guest -> host $H:7102, 3 MiB" \
	ip netns exec "$NS_GUEST" timeout 60 socat -u OPEN:"$T_TMP/up.bin" TCP:$H:7102,connect-timeout=5
t_wait 10 eval '! kill -0 '"$up_pid" || t_fail "host server did not see the end of the stream"
t_expect_eq "TCP guest -> host: md5 matches" "$(t_md5 "$T_TMP/up.bin")" "$(t_md5 "$T_TMP/up.got")"

ns_bg "$NS_HOST" "$T_TMP/udp.log" socat UDP4-RECVFROM:7103,bind=$H,fork EXEC:cat
t_wait 5 ns_listening "$NS_HOST" udp 7103 || t_fail "UDP echo not listening"
got=$(echo "hello host" | ip netns exec "$NS_GUEST" timeout 10 socat -T 3 - UDP4:$H:7103)
t_expect_eq "UDP echo on $H:7103 answers" "hello host" "$got"

# the other direction: the host's own stack opens the connections
GUEST_MAC=$(ip -n "$NS_GUEST" -o link show tap0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
t_check "the host's neighbour entry for $G is the guest's MAC $GUEST_MAC, permanent" \
	sh -c "ip -n '$NS_HOST' neigh show $G dev cap1 | grep -q '$GUEST_MAC PERMANENT'"
t_check "the host pings the guest's LAN address $G (3 of 3)" ip netns exec "$NS_HOST" ping -c 3 -i 0.2 -W 3 $G
ns_bg "$NS_GUEST" "$T_TMP/gsrv.log" timeout 60 socat -u OPEN:"$T_TMP/down.bin" TCP-LISTEN:7105,bind=$G,reuseaddr
t_wait 5 ns_listening "$NS_GUEST" tcp 7105 || t_fail "guest server not listening"
serve_down 7106 # a guest-opened flow to the host at the same time
ip netns exec "$NS_GUEST" timeout 60 socat -u TCP:$H:7106,connect-timeout=5 CREATE:"$T_TMP/both.got" &
both_pid=$!
ip netns exec "$NS_HOST" timeout 60 socat -u TCP:$G:7105,connect-timeout=5 CREATE:"$T_TMP/host.got"
wait $both_pid
t_expect_eq "TCP host -> guest $G:7105, 4 MiB: md5 matches" "$(t_md5 "$T_TMP/down.bin")" "$(t_md5 "$T_TMP/host.got")"
t_expect_eq "TCP guest <- host at the same time: md5 matches" "$(t_md5 "$T_TMP/down.bin")" "$(t_md5 "$T_TMP/both.got")"
ns_bg "$NS_GUEST" "$T_TMP/gudp.log" socat UDP4-RECVFROM:7107,bind=$G,fork EXEC:cat
t_wait 5 ns_listening "$NS_GUEST" udp 7107 || t_fail "guest UDP echo not listening"
got=$(echo "hello guest" | ip netns exec "$NS_HOST" timeout 10 socat -T 3 - UDP4:$G:7107)
t_expect_eq "UDP echo on the guest's $G:7107 answers the host" "hello guest" "$got"

t_check "the LAN host still pings the guest" ip netns exec "$LAN" ping -c 2 -i 0.2 -W 3 $G
t_check "the guest still pings the LAN host" ip netns exec "$NS_GUEST" ping -c 2 -i 0.2 -W 3 10.77.1.1
stats=$(nat_ctl stats)
t_log "$stats"
t_check "stats: host reach on" sh -c "echo '$stats' | grep -q 'capture_host_reach=on'"
n=$(stat_of capture_host_direct)
[ "${n:-0}" -gt 1000 ] && t_pass "stats: the guest's answers to the host's connections went to its stack ($n)" ||
	t_fail "capture_host_direct=${n:-none}"
[ "$(stat_of capture_host_neigh)" -ge 1 ] && t_pass "stats: neighbour entry counted" || t_fail "capture_host_neigh=0"
n=$(stat_of capture_host_frames)
[ "${n:-0}" -gt 2000 ] && t_pass "stats: guest frames taken for the host ($n)" ||
	t_fail "capture_host_frames=${n:-none}: the traffic did not go through host reach"
[ "$(stat_of capture_host_replies)" -gt 2000 ] && t_pass "stats: the host's answers counted" ||
	t_fail "capture_host_replies=$(stat_of capture_host_replies)"
[ "$(stat_of capture_host_arp)" -ge 1 ] && t_pass "stats: ARP for the host answered" || t_fail "capture_host_arp=0"
nat_stop
t_check "the neighbour entry went with the daemon" \
	sh -c "! ip -n '$NS_HOST' neigh show $G dev cap1 | grep -q PERMANENT"

# 2. host reach off: the same connection fails
bridge_start --interface cap1 --bridge-host-reach off
guest_up
t_check "reach off: the guest still pings the LAN host" ip netns exec "$NS_GUEST" ping -c 2 -i 0.2 -W 3 10.77.1.1
serve_down 7104
t_check "reach off: TCP to $H:7104 fails" \
	eval '! ip netns exec "$NS_GUEST" timeout 10 socat -u TCP:'$H':7104,connect-timeout=5 CREATE:"$T_TMP/off.got"'
t_check "reach off: ping of $H does not answer" eval '! ip netns exec "$NS_GUEST" ping -c 2 -i 0.2 -W 1 '$H
ns_bg "$NS_GUEST" "$T_TMP/gsrv-off.log" timeout 30 socat -u OPEN:"$T_TMP/down.bin" TCP-LISTEN:7108,bind=$G,reuseaddr
t_wait 5 ns_listening "$NS_GUEST" tcp 7108 || t_fail "guest server not listening (reach off)"
t_check "reach off: the host's TCP to the guest's $G:7108 fails" \
	eval '! ip netns exec "$NS_HOST" timeout 10 socat -u TCP:'$G':7108,connect-timeout=4 CREATE:"$T_TMP/hoff.got"'
t_check "reach off: the host's neighbour entry for $G never resolves" \
	sh -c "! ip -n '$NS_HOST' neigh show $G dev cap1 | grep -Eq 'REACHABLE|STALE|PERMANENT'"
t_expect_eq "reach off: stats say so, nothing taken" "off 0 0" \
	"$(stat_of capture_host_reach) $(stat_of capture_host_frames) $(stat_of capture_host_direct)"
nat_stop
t_done
