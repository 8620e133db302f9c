#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge.sh: bridge mode under a busy LAN (an even flood from bench/tools/paceflood.c: guest-frame loss, ping p50/p99, 32 MiB vs 2 MiB capture buffer) and bridged TCP throughput against a Linux kernel bridge + TAP (ping under the same flood too), same run, with ratios.
#
# Usage: bench/bridge.sh [BUILD_DIR]     (as root; BUILD_DIR or $INDYNET_BUILD holds
#                                          src/daemon/indynetd, default ./build)
# Env:   RUNS (3)  DUR (5: seconds per measurement)  UNI_PPS (200000)  BC_PPS (20000)
#        BUSY_TCP (1; 0: the busy-LAN cases ping without the iperf3 transfer beside)
#        BUSY_TCP_RATE (unset: the transfer as fast as it goes; e.g. 100M: iperf3 -b)
#        BC_BURST_PPS (unset: the broadcast is even; N: each second's BC_PPS sent
#        at N from the start of the second, as trafgen -b does)
#        OUT (results folder, default /var/tmp/indynet-bench/bridge-<time>)
#
# Topology (three network namespaces this script creates; no real interface is used):
#   netns $LNS "LAN":   veth lan3 = 10.77.3.1/24 (full checksums, "tx off", as from a
#                       wire), iperf3 -s; paceflood floods from here.
#   netns $HNS "host":  the veth's other end cap3 (no address): what the bridge uses.
#   netns $GNS "guest": 10.77.3.50/24 on the guest's interface; pings and iperf3 -c.
# Bridges compared (each one user-space hop between the guest and the LAN):
#   indynet      indynetd --mode bridge --interface cap3 --tap tap0 in $GNS (pcap)
#   kbridge      a Linux bridge joining cap3 and a TAP; bench/tools/tappump.c copies
#                frames between that TAP and the guest's TAP in $GNS (the path of
#                QEMU's "-netdev tap" on a host bridge, the setup a user would pick
#                instead of indynet's)
# Per run:
#   quiet / flood     ping -i 0.01 of the LAN host for DUR s while iperf3 sends
#                     guest->LAN, without and with the flood: UNI_PPS frames/s
#                     unicast to other MACs plus BC_PPS broadcast ARP requests
#                     (paceflood: a batch every 1 ms; trafgen's -b sent each
#                     second's 20,000 broadcasts in ~130 ms bursts); indynet with
#                     the default 32 MiB capture buffer, the flood again with
#                     2 MiB (flood-2m), and the kernel bridge quiet and under the
#                     same flood (kb-quiet, kb-flood; the flood's 250 unicast MACs
#                     are static entries behind cap3, so it discards them as
#                     indynet's kernel filter does).  Metrics: ping
#                     p50/p99 (ms) and lost, capture kernel drops, guest RX ring
#                     drops, broadcast shed, the flood rate really sent, the share of
#                     the machine's CPU time left idle (/proc/stat; 0 % means the
#                     generator, the transfer and the bridge saturate it).
#   tput              iperf3 guest->LAN and LAN->guest (-R), no flood, Gbit/s,
#                     indynet and kbridge.
# Output: median [min-max] over RUNS, and indynet/kbridge throughput ratios.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUILD=${1:-${INDYNET_BUILD:-$TOP/build}}
RUNS=${RUNS:-3}
DUR=${DUR:-5}
BUSY_TCP=${BUSY_TCP:-1}
UNI_PPS=${UNI_PPS:-200000}
BC_PPS=${BC_PPS:-20000}
BC_BURST_PPS=${BC_BURST_PPS:-}
OUT=${OUT:-/var/tmp/indynet-bench/bridge-$(date +%Y%m%d-%H%M%S)}
LNS=brf3l-$$
HNS=brf3h-$$
GNS=brf3g-$$
LAN_IP=10.77.3.1
GUEST_IP=10.77.3.50
INDYNETD=$BUILD/src/daemon/indynetd
CTL=$OUT/ctl.sock

[ "$(id -u)" = 0 ] || { echo "bridge.sh: run as root (network namespaces)" >&2; exit 1; }
for c in iperf3 ip python3 cc ping bridge; do
	command -v $c >/dev/null || { echo "bridge.sh: needs $c (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$INDYNETD" ] || { echo "bridge.sh: no $INDYNETD (build first)" >&2; exit 1; }
mkdir -p "$OUT/raw"
RES=$OUT/results.csv
echo "case,metric,run,value" >"$RES"
LOG=$OUT/log.txt
log() { echo "[$(date +%T)] $*" | tee -a "$LOG" >&2; }
PUMP=$OUT/tappump
FLOOD=$OUT/paceflood
cc -std=c17 -O2 -Wall -Wextra -o "$PUMP" "$HERE/tools/tappump.c"
cc -std=c17 -O2 -Wall -Wextra -o "$FLOOD" "$HERE/tools/paceflood.c"

BPID=""
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}" $BPID; do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for ns in "$LNS" "$HNS" "$GNS"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

# ---- topology ----
for ns in "$LNS" "$HNS" "$GNS"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$LNS" link add lan3 type veth peer name cap3 netns "$HNS"
ip netns exec "$LNS" ethtool -K lan3 tx off >/dev/null 2>&1 || true
ip -n "$LNS" addr add $LAN_IP/24 dev lan3
ip -n "$LNS" link set lan3 up
ip -n "$HNS" link set cap3 up
ip netns exec "$LNS" iperf3 -s -D -I "$OUT/iperf3.pid" >/dev/null
sleep 0.5
PIDS+=("$(cat "$OUT/iperf3.pid")")

# ---- the two bridges ----
indynet_up() { # indynet_up BUFFER_BYTES
	rm -f "$CTL"
	ip netns exec "$HNS" "$INDYNETD" --tap tap0 --tap-netns "/run/netns/$GNS" --mode bridge --interface cap3 \
		--capture-buffer "$1" --control "$CTL" --log-level warn >>"$OUT/indynetd.log" 2>&1 &
	BPID=$!
	for _ in $(seq 100); do
		[ -S "$CTL" ] && ip -n "$GNS" link show tap0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	guest_if tap0
}

indynet_stat() { "$INDYNETD" --ctl "$CTL" stats | grep -o "$1=[0-9]*" | cut -d= -f2; }

kbridge_up() {
	ip -n "$HNS" link add brf3br type bridge
	ip -n "$HNS" link set cap3 master brf3br
	ip -n "$HNS" link set brf3br up
	# the flood's unicast MACs known behind cap3, as a switch would know them: the bridge
	# discards those frames as indynet's kernel filter does; the broadcasts go to the TAP
	for i in $(seq 1 250); do printf 'fdb add 02:be:ef:00:01:%02x dev cap3 master static\n' "$i"; done |
		ip netns exec "$HNS" bridge -batch -
	ip netns exec "$HNS" "$PUMP" brf3ta brf3tb >"$OUT/pump.log" 2>&1 &
	BPID=$!
	for _ in $(seq 50); do grep -q ready "$OUT/pump.log" && break; sleep 0.1; done
	ip -n "$HNS" link set brf3ta master brf3br
	ip -n "$HNS" link set brf3ta up
	ip -n "$HNS" link set brf3tb netns "$GNS"
	guest_if brf3tb
}

guest_if() { # guest_if DEV: the guest's address on DEV, a fresh ARP cache on the LAN host
	ip -n "$GNS" addr add $GUEST_IP/24 dev "$1"
	ip -n "$GNS" link set "$1" up
	ip -n "$LNS" neigh flush all
	for _ in $(seq 50); do ip netns exec "$GNS" ping -c 1 -W 1 $LAN_IP >/dev/null 2>&1 && return 0; done
	log "the guest cannot reach the LAN host"
	exit 1
}

bridge_down() {
	kill "$BPID" 2>/dev/null || true
	wait "$BPID" 2>/dev/null || true
	BPID=""
	ip -n "$HNS" link del brf3br 2>/dev/null || true
	sleep 0.3
}

# ---- measurements ----
rec() { echo "$1,$2,$3,$4" >>"$RES"; }

iperf() { # iperf CASE METRIC RUN [-R]: one iperf3 run, receiver Gbit/s recorded
	local f=$OUT/raw/$1-$2-$3.json v
	ip netns exec "$GNS" iperf3 -c $LAN_IP -t "$DUR" -J ${4:-} >"$f" 2>&1 || true
	v=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9)' "$f" 2>/dev/null || echo nan)
	rec "$1" "$2" "$3" "$v"
	log "$1 $2 run $3: $v Gbit/s"
}

ping_stats() { # ping_stats LOG: "p50 p99 lost" (ms)
	python3 - "$1" <<'EOF'
import re, statistics, sys
t = open(sys.argv[1]).read()
rtt = sorted(float(x) for x in re.findall(r"time=([0-9.]+)", t))
m = re.search(r"(\d+) packets transmitted, (\d+) received", t)
lost = int(m.group(1)) - int(m.group(2)) if m else -1
def pct(p):
    return rtt[min(len(rtt) - 1, int(round(p / 100 * (len(rtt) - 1))))] if rtt else float("nan")
print("%.3f %.3f %d" % (pct(50), pct(99), lost))
EOF
}

lan_tx() { ip netns exec "$LNS" cat /sys/class/net/lan3/statistics/tx_packets; }
cpu_ticks() { head -n 1 /proc/stat; } # "cpu user nice system idle iowait irq softirq steal ..."
idle_pct() { # idle_pct BEFORE AFTER: the machine's idle share between two cpu_ticks, in %
	python3 - "$1" "$2" <<'PY'
import sys
a, b = ([int(x) for x in s.split()[1:9]] for s in sys.argv[1:3])
d = [y - x for x, y in zip(a, b)]
print(round(100.0 * (d[3] + d[4]) / max(1, sum(d)), 1))
PY
}

flood_start() {
	ip netns exec "$LNS" "$FLOOD" lan3 uni "$UNI_PPS" >>"$OUT/flood.log" 2>&1 &
	PIDS+=($!)
	ip netns exec "$LNS" "$FLOOD" lan3 bc "$BC_PPS" ${BC_BURST_PPS:+"$BC_BURST_PPS"} >>"$OUT/flood.log" 2>&1 &
	PIDS+=($!)
	sleep 1
}

flood_stop() {
	kill -INT "${PIDS[@]:1}" 2>/dev/null || true
	wait "${PIDS[@]:1}" 2>/dev/null || true
	PIDS=("${PIDS[0]}")
}

busy() { # busy CASE RUN: ping + TCP guest->LAN for DUR s; indynet's drop counters recorded (kb-*: the kernel bridge's case, none)
	local c=$1 r=$2 k0=0 q0=0 s0=0 tx0 t0 cpu0 st
	[ "${c#kb-}" != "$c" ] || k0=$(indynet_stat capture_kernel_drops) q0=$(indynet_stat drop_rx_ring_full) s0=$(indynet_stat capture_shed)
	tx0=$(lan_tx) t0=$(date +%s.%N) cpu0=$(cpu_ticks)
	local ip=""
	if [ "$BUSY_TCP" = 1 ]; then
		ip netns exec "$GNS" iperf3 -c $LAN_IP -t "$DUR" ${BUSY_TCP_RATE:+-b "$BUSY_TCP_RATE"} -J >"$OUT/raw/$c-tcp-$r.json" 2>&1 &
		ip=$!
	fi
	ip netns exec "$GNS" ping -i 0.01 -w "$DUR" -W 1 $LAN_IP >"$OUT/raw/$c-ping-$r.txt" 2>&1 || true
	[ -z "$ip" ] || wait "$ip" || true
	rec "$c" cpu_idle "$r" "$(idle_pct "$cpu0" "$(cpu_ticks)")"
	rec "$c" pps "$r" "$(python3 -c "print(round(($(lan_tx) - $tx0) / ($(date +%s.%N) - $t0)))")"
	read -r p50 p99 lost <<<"$(ping_stats "$OUT/raw/$c-ping-$r.txt")"
	rec "$c" ping_p50 "$r" "$p50"
	rec "$c" ping_p99 "$r" "$p99"
	rec "$c" ping_lost "$r" "$lost"
	if [ "${c#kb-}" = "$c" ]; then
		rec "$c" kernel_drops "$r" $(($(indynet_stat capture_kernel_drops) - k0))
		rec "$c" ring_drops "$r" $(($(indynet_stat drop_rx_ring_full) - q0))
		rec "$c" shed "$r" $(($(indynet_stat capture_shed) - s0))
	fi
	st=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9)' "$OUT/raw/$c-tcp-$r.json" 2>/dev/null || echo nan)
	[ -z "$ip" ] || rec "$c" tcp "$r" "$st"
	log "$c run $r: ping p50 $p50 p99 $p99 lost $lost, tcp $st Gbit/s"
}

for r in $(seq "$RUNS"); do
	log "run $r/$RUNS"
	indynet_up 33554432
	busy quiet "$r"
	flood_start
	busy flood "$r"
	flood_stop
	iperf indynet tput_g2l "$r"
	iperf indynet tput_l2g "$r" -R
	bridge_down
	indynet_up 2097152
	flood_start
	busy flood-2m "$r"
	flood_stop
	bridge_down
	kbridge_up
	busy kb-quiet "$r"
	flood_start
	busy kb-flood "$r"
	flood_stop
	iperf kbridge tput_g2l "$r"
	iperf kbridge tput_l2g "$r" -R
	bridge_down
done

python3 - "$RES" <<'EOF'
import csv, statistics, sys
from collections import defaultdict
v = defaultdict(list)
for row in csv.DictReader(open(sys.argv[1])):
    try:
        v[(row["case"], row["metric"])].append(float(row["value"]))
    except ValueError:
        pass
def cell(xs, d=3):
    if not xs:
        return "n/a"
    f = "%%.%df" % d
    return (f + " [" + f + "-" + f + "]") % (statistics.median(xs), min(xs), max(xs))
print("## busy LAN (indynet; ping -i 0.01 + iperf3 guest->LAN; median [min-max])\n")
cols = [("pps", "flood sent pps", 0), ("ping_p50", "ping p50 ms", 3), ("ping_p99", "ping p99 ms", 3),
        ("ping_lost", "pings lost", 0), ("kernel_drops", "capture kernel drops", 0),
        ("ring_drops", "RX ring drops", 0), ("shed", "broadcast shed", 0), ("tcp", "TCP Gbit/s", 3),
        ("cpu_idle", "machine idle %", 1)]
print("| case | " + " | ".join(c[1] for c in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for case in ("quiet", "flood", "flood-2m", "kb-quiet", "kb-flood"):
    print("| %s | " % case + " | ".join(cell(v[(case, m)], d) for m, _, d in cols) + " |")
q, f = v[("quiet", "ping_p99")], v[("flood", "ping_p99")]
if q and f:
    print("\nping p99 under the flood minus quiet: %+.3f ms (target <= +1 ms)" % (statistics.median(f) - statistics.median(q)))
kq, kf = v[("kb-quiet", "ping_p99")], v[("kb-flood", "ping_p99")]
if kq and kf:
    print("the kernel bridge + TAP, same flood: %+.3f ms" % (statistics.median(kf) - statistics.median(kq)))
print("\n## bridged TCP throughput, Gbit/s (median [min-max])\n")
print("| direction | indynet | kernel bridge + TAP | indynet/kbridge |")
print("|---|---|---|---|")
for m, name in (("tput_g2l", "guest -> LAN"), ("tput_l2g", "LAN -> guest")):
    a, b = v[("indynet", m)], v[("kbridge", m)]
    ratio = statistics.median(a) / statistics.median(b) if a and b and statistics.median(b) else float("nan")
    print("| %s | %s | %s | %.2f |" % (name, cell(a), cell(b), ratio))
EOF
log "results in $OUT"
