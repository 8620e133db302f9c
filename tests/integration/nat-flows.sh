#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-flows.sh: a guest sending UDP from 1,100 source ports cannot take the daemon's descriptors (NAT flow cap).
#
# libslirp opens a host socket per guest UDP source port and keeps it 240 s.
# indynetd runs with a descriptor limit of 1024 (the usual default) and the
# default flow cap; the guest sends one datagram from each of 1,100 ports
# to a closed port behind the gateway.  The daemon must keep its descriptors
# well under the limit, refuse and count the flows past the cap, answer
# `stats` at once (it shows the cap), keep serving the guest's established
# flows, and take a configured cap (--nat-max-flows 64).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-flows
t_need_root
t_need_cmd ip tc unshare busybox python3 prlimit socat ss ping
t_indynetd

daemon_pid() { pgrep -P "$INDY_PID" -x indynetd || echo "$INDY_PID"; }
fds() { ls "/proc/$(daemon_pid)/fd" | wc -l; }
stat_of() { echo "$STATS" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
spray() { # spray FIRST COUNT: one UDP datagram to the gateway's port 9 from each port FIRST..FIRST+COUNT-1
	ip netns exec "$NS_GUEST" python3 - "$GUEST_GW" "$1" "$2" <<'PY'
import socket, sys
gw, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for p in range(first, first + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", p))
    s.sendto(b"x", (gw, 9))
    s.close()
PY
}

# the guest kernel may drop some of the burst in tap0's qdisc or queue before indynetd
# reads it: those never reached the daemon and are not its to count
tap_lost() {
	echo $(($(ip -n "$NS_GUEST" -s -j link show tap0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])') +
		$(tc -n "$NS_GUEST" -s -j qdisc show dev tap0 | python3 -c 'import json,sys; print(sum(q.get("drops", 0) for q in json.load(sys.stdin)))')))
}
# the daemon has read the burst once every datagram not lost is a flow or a refusal (the ASan build on a loaded machine takes seconds)
burst_read() {
	local flows refused
	STATS=$(nat_ctl stats) || return 1
	flows=$(stat_of nat_flows) refused=$(stat_of drop_flow_limit)
	[ $((${flows:-0} + ${refused:-0})) -ge $((1100 - $(tap_lost))) ]
}

NAT_DNS=0 nat_setup
# the usual descriptor limit; the default cap must fit under it
INDY_WRAP="prlimit --nofile=1024:1024" nat_start
t_expect_eq "indynetd runs with 1024 descriptors" 1024 "$(sed -n 's/^Max open files *\([0-9]*\).*/\1/p' /proc/"$(daemon_pid)"/limits)"
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
# the gateway's MAC resolved first: while ARP is unresolved the guest kernel queues at most
# about 100 datagrams and silently discards the rest (unresolved_discards), which a loaded
# machine's slow first answer turned into "lost" datagrams no counter of tap0 shows
ip netns exec "$NS_GUEST" ping -c 1 -W 10 "$GUEST_GW" >/dev/null || t_fail "the guest cannot ping the gateway"
fd0=$(fds)
spray 20000 1100
t_wait 20 burst_read || t_log "the burst was not all read within 20 s: $STATS"
fd1=$(fds)
t_log "descriptors: $fd0 before, $fd1 after 1,100 source ports"
[ "$fd1" -lt 1000 ] || t_fail "indynetd holds $fd1 descriptors after 1,100 UDP source ports (limit 1024)"
t_pass "descriptors stay under the limit: $fd0 -> $fd1"
start=$(date +%s%3N)
STATS=$(timeout 5 "$INDYNETD" --ctl "$INDY_CTL" stats 2>&1)
ms=$(($(date +%s%3N) - start))
[ "$ms" -lt 2000 ] || t_fail "stats took $ms ms"
t_pass "stats answered in $ms ms"
cap=$(stat_of nat_flow_cap)
t_log "stats: nat_flows=$(stat_of nat_flows) nat_flow_cap=$cap drop_flow_limit=$(stat_of drop_flow_limit)"
[ -n "$cap" ] && [ "$cap" -le $((1024 - 64)) ] && [ "$cap" -ge 16 ] ||
	t_fail "stats should show a flow cap that fits 1024 descriptors" "$STATS"
t_pass "nat_flow_cap=$cap fits the descriptor limit"
[ "$(stat_of nat_flows)" -le "$cap" ] || t_fail "more flows than the cap" "$STATS"
lost=$(tap_lost)
t_log "$lost datagrams of the burst lost in the guest before tap0"
[ "$(stat_of drop_flow_limit)" -ge $((1100 - cap - lost)) ] ||
	t_fail "the refused flows should be counted ($lost lost in the guest)" "$STATS"
t_pass "flows past the cap refused and counted: drop_flow_limit=$(stat_of drop_flow_limit)"
nat_stop

# a configured cap; the guest's established flows keep working when it is reached
kill "$GUEST_DHCP_PID" 2>/dev/null
nat_start --nat-max-flows 64
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s (second daemon)"
ns_bg "$NS_HOST" "$T_TMP/echo.log" socat UDP-LISTEN:7011,bind=127.0.0.1,reuseaddr,fork PIPE
t_wait 5 ns_listening "$NS_HOST" udp 7011 || t_fail "echo server not listening"
exec 7< <(ip netns exec "$NS_GUEST" python3 - "$GUEST_GW" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], 7011))
for i in range(2):
    s.send(b"ping%d" % i)
    print(s.recv(100).decode(), flush=True)
    time.sleep(4)
PY
)
read -r -t 10 first <&7
t_expect_eq "an established UDP flow answers" ping0 "$first"
spray 30000 300
read -r -t 10 second <&7
t_expect_eq "... and still answers after 300 more source ports hit the cap" ping1 "$second"
refused_past() { STATS=$(nat_ctl stats) && [ "$(stat_of drop_flow_limit)" -ge "$1" ]; }
t_wait 20 refused_past 236 || t_log "fewer than 236 refusals within 20 s"
t_expect_eq "stats: nat_flow_cap" 64 "$(stat_of nat_flow_cap)"
[ "$(stat_of nat_flows)" -le 64 ] || t_fail "more flows than --nat-max-flows 64" "$STATS"
[ "$(stat_of drop_flow_limit)" -ge 236 ] || t_fail "refused flows should be counted" "$STATS"
t_pass "--nat-max-flows 64: nat_flows=$(stat_of nat_flows) drop_flow_limit=$(stat_of drop_flow_limit)"

nat_stop
t_done
