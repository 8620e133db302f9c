#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat.sh: NAT throughput and latency, indynetd (TAP) against slirp4netns and pasta in the same run, with ratios.
#
# Usage: bench/nat.sh [BUILD_DIR]        (as root; BUILD_DIR or $INDYNET_BUILD holds
#                                          src/daemon/indynetd, default ./build)
# Env:   RUNS (3)  DUR (10: seconds per iperf3 run)  RR_COUNT (20000: TCP round trips)
#        BACKENDS ("indynet-1500 slirp-1500 pasta-1500 indynet-65520 slirp-65520 pasta-65520")
#        OUT (results folder, default /var/tmp/indynet-bench/nat-<time>)
#
# Topology (two network namespaces this script creates; no real interface is used):
#   netns $HNS "host":  lo 127.0.0.1 (+ 198.51.100.254/32 for pasta's gateway), a veth
#                       pair sink0/sink1 giving a default route into nowhere (pasta
#                       copies its addresses from the default-route interface).
#                       The backend runs here; iperf3 -s and tcprr server listen on
#                       127.0.0.1 here.
#   netns $GNS "guest": tap0, created and served by the backend; the clients run here
#                       and target the backend's "host loopback" gateway address.
# Backends:
#   indynet-MTU   indynetd --tap tap0 --tap-netns /run/netns/$GNS (NAT 192.168.0.0/24,
#                 guest by DHCP (busybox udhcpc), gateway 192.168.0.1 = host loopback)
#   slirp-MTU     slirp4netns --configure [--mtu=65520]: gateway 10.0.2.2
#   pasta-MTU     pasta --config-net -T none -U none [-m 1500] --runas 0:0: gateway
#                 198.51.100.254 mapped to the host loopback (tap path, no splicing)
# Metrics per run: iperf3 TCP guest->host and host->guest (-R), receiver Gbit/s;
# tcprr (bench/tools/tcprr.c) 1-byte TCP round trip p50/p99 in microseconds; the
# backend process's CPU time during each (% of one core, all its threads).
# Output: median [min-max] over RUNS per backend and MTU, and indynet/peer ratios
# (throughput: higher is better; latency: lower is better).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUILD=${1:-${INDYNET_BUILD:-$TOP/build}}
RUNS=${RUNS:-3}
DUR=${DUR:-10}
RR_COUNT=${RR_COUNT:-20000}
BACKENDS=${BACKENDS:-"indynet-1500 slirp-1500 pasta-1500 indynet-65520 slirp-65520 pasta-65520"}
OUT=${OUT:-/var/tmp/indynet-bench/nat-$(date +%Y%m%d-%H%M%S)}
HNS=ibench-h-$$
GNS=ibench-g-$$
PASTA_GW=198.51.100.254
IPERF_PORT=5201
RR_PORT=5202
INDYNETD=$BUILD/src/daemon/indynetd

[ "$(id -u)" = 0 ] || { echo "nat.sh: run as root (network namespaces)" >&2; exit 1; }
for c in iperf3 ip python3 cc slirp4netns pasta; do
	command -v $c >/dev/null || { echo "nat.sh: needs $c (scripts/install-deps.sh)" >&2; exit 1; }
done
mkdir -p "$OUT/raw"
RES=$OUT/results.csv
echo "backend,mtu,metric,run,value" >"$RES"
LOG=$OUT/log.txt
log() { echo "[$(date +%T)] $*" | tee -a "$LOG" >&2; }

TCPRR=$OUT/tcprr
cc -std=c17 -O2 -Wall -Wextra -o "$TCPRR" "$HERE/tools/tcprr.c"

BPID=""
cleanup() {
	set +e
	stop_backend
	for sig in TERM KILL; do
		for ns in "$GNS" "$HNS"; do
			for p in $(ip netns pids "$ns" 2>/dev/null); do kill -s $sig "$p" 2>/dev/null; done
		done
		sleep 0.3
	done
	ip netns del "$GNS" 2>/dev/null
	ip netns del "$HNS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_host() {
	ip netns add "$HNS"
	ip -n "$HNS" link set lo up
	ip -n "$HNS" addr add $PASTA_GW/32 dev lo
	ip -n "$HNS" link add sink0 type veth peer name sink1
	ip -n "$HNS" addr add 198.51.100.2/24 dev sink0
	ip -n "$HNS" link set sink0 up
	ip -n "$HNS" link set sink1 up
	ip -n "$HNS" route add default via 198.51.100.1 dev sink0
	ip netns exec "$HNS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
}

guest_ready() {
	ip -n "$GNS" -4 addr show dev tap0 2>/dev/null | grep -q inet &&
		ip -n "$GNS" route show default | grep -q default
}

# indynetd's MTU knob: --mtu if the daemon has it, else a config file
indynet_mtu_args() {
	if "$INDYNETD" --help 2>&1 | grep -c -- '--mtu' >/dev/null; then
		echo "--mtu $1"
	else
		printf '[network]\nmtu = %s\n' "$1" >"$OUT/indynetd-$1.ini"
		echo "--config $OUT/indynetd-$1.ini"
	fi
}

# start_backend NAME MTU: sets BPID and GW (the address the clients target)
start_backend() {
	local kind=$1 mtu=$2 blog=$OUT/raw/$1-$2.backend.log i
	ip netns del "$GNS" 2>/dev/null || true
	ip netns add "$GNS"
	ip -n "$GNS" link set lo up
	case $kind in
	indynet)
		[ -x "$INDYNETD" ] || { log "no $INDYNETD: skipping indynet"; return 1; }
		# shellcheck disable=SC2046
		ip netns exec "$HNS" "$INDYNETD" --tap tap0 --tap-netns "/run/netns/$GNS" --log-level warn \
			$( [ "$mtu" = 1500 ] || indynet_mtu_args "$mtu" ) >"$blog" 2>&1 &
		BPID=$!
		GW=192.168.0.1
		for i in $(seq 1 50); do ip -n "$GNS" link show tap0 >/dev/null 2>&1 && break; sleep 0.1; done
		ip -n "$GNS" link set tap0 mtu "$mtu" 2>>"$blog" || true
		ip netns exec "$GNS" env RESOLV_CONF=/dev/null busybox udhcpc -i tap0 -n -q -t 10 -T 1 \
			-s "$TOP/tests/vm/udhcpc.script" >>"$blog" 2>&1 || true ;;
	slirp)
		local m=()
		[ "$mtu" = 1500 ] || m=(--mtu="$mtu")
		ip netns exec "$HNS" slirp4netns --configure "${m[@]}" --netns-type=path "/run/netns/$GNS" tap0 \
			>"$blog" 2>&1 &
		BPID=$!
		GW=10.0.2.2 ;;
	pasta)
		local m=()
		[ "$mtu" = 65520 ] || m=(-m "$mtu")
		ip netns exec "$HNS" pasta -f -q --runas 0:0 --config-net --netns "/run/netns/$GNS" -I tap0 \
			-g $PASTA_GW -D none -t none -u none -T none -U none "${m[@]}" >"$blog" 2>&1 &
		BPID=$!
		GW=$PASTA_GW ;;
	*) log "unknown backend $kind"; return 1 ;;
	esac
	for i in $(seq 1 100); do
		guest_ready && break
		kill -0 "$BPID" 2>/dev/null || { log "$kind-$mtu died: $(tail -5 "$blog")"; return 1; }
		sleep 0.1
	done
	guest_ready || { log "$kind-$mtu: guest side not configured: $(tail -5 "$blog")"; stop_backend; return 1; }
	log "$kind-$mtu: pid $BPID, gateway $GW, tap0 mtu $(ip -n "$GNS" -o link show tap0 | sed 's/.* mtu \([0-9]*\).*/\1/')"
}

stop_backend() {
	if [ -n "$BPID" ] && kill -0 "$BPID" 2>/dev/null; then
		kill "$BPID"
		wait "$BPID" 2>/dev/null || true
	fi
	BPID=""
}

wait_listen() {
	local i
	for i in $(seq 1 100); do
		ip netns exec "$HNS" ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

record() { echo "$1,$2,$3,$4,$5" >>"$RES"; }

# CPU time of the backend process (all threads) in clock ticks, and the tick rate
ticks() { awk '{print $14 + $15}' "/proc/$BPID/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)
cpu_start() { CPU_T0=$(ticks); CPU_W0=${EPOCHREALTIME/./}; }
cpu_record() { # cpu_record KIND MTU METRIC RUN: backend CPU % of one core since cpu_start
	local t1 w1
	t1=$(ticks)
	w1=${EPOCHREALTIME/./}
	record "$1" "$2" "$3" "$4" "$(awk -v t="$((t1 - CPU_T0))" -v w="$((w1 - CPU_W0))" -v hz="$HZ" \
		'BEGIN { printf "%.1f", 100 * t / hz / (w / 1e6) }')"
}

iperf_run() { # iperf_run KIND MTU METRIC RUN ARGS...
	local kind=$1 mtu=$2 metric=$3 run=$4 f spid v
	shift 4
	f=$OUT/raw/$kind-$mtu.$metric.$run.json
	ip netns exec "$HNS" timeout $((DUR + 60)) iperf3 -s -1 -B 127.0.0.1 -p $IPERF_PORT \
		>>"$OUT/raw/iperf3-server.log" 2>&1 &
	spid=$!
	wait_listen $IPERF_PORT || log "iperf3 server not listening"
	cpu_start
	if ip netns exec "$GNS" timeout $((DUR + 30)) iperf3 -c "$GW" -p $IPERF_PORT -t "$DUR" -J "$@" >"$f" 2>>"$LOG"; then
		cpu_record "$kind" "$mtu" "cpu_$metric" "$run"
		v=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9)' "$f")
		record "$kind" "$mtu" "$metric" "$run" "$v"
	else
		log "WARN $kind-$mtu $metric run $run failed"
		kill "$spid" 2>/dev/null || true
	fi
	wait "$spid" 2>/dev/null || true
}

rr_run() { # rr_run KIND MTU RUN
	local kind=$1 mtu=$2 run=$3 f spid
	f=$OUT/raw/$kind-$mtu.rr.$run.txt
	ip netns exec "$HNS" timeout 120 "$TCPRR" server 127.0.0.1 $RR_PORT >>"$LOG" 2>&1 &
	spid=$!
	wait_listen $RR_PORT || log "tcprr server not listening"
	cpu_start
	if ip netns exec "$GNS" timeout 120 "$TCPRR" client "$GW" $RR_PORT "$RR_COUNT" >"$f" 2>>"$LOG"; then
		cpu_record "$kind" "$mtu" cpu_rr "$run"
		record "$kind" "$mtu" rr_p50 "$run" "$(sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p' "$f")"
		record "$kind" "$mtu" rr_p99 "$run" "$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' "$f")"
	else
		log "WARN $kind-$mtu rr run $run failed"
		kill "$spid" 2>/dev/null || true
	fi
	wait "$spid" 2>/dev/null || true
}

{
	echo "date: $(date -Is)  kernel: $(uname -r)  cpus: $(nproc)"
	echo "settings: RUNS=$RUNS DUR=$DUR RR_COUNT=$RR_COUNT BACKENDS=$BACKENDS"
	[ -x "$INDYNETD" ] && echo "indynetd: $("$INDYNETD" --version 2>&1 | head -n1) ($INDYNETD)"
	slirp4netns --version 2>/dev/null | head -n2
	dpkg-query -W -f='${Package} ${Version}\n' slirp4netns libslirp0 passt iperf3 2>/dev/null
} | tee "$OUT/versions.txt" >&2

setup_host
# Runs are interleaved (run 1 of every backend, then run 2 ...) so that a slow
# drift of this shared machine weighs on every backend alike.
for r in $(seq 1 "$RUNS"); do
	for b in $BACKENDS; do
		kind=${b%-*} mtu=${b##*-}
		start_backend "$kind" "$mtu" || continue
		log "$b run $r/$RUNS: rr, tcp g2h, tcp h2g"
		rr_run "$kind" "$mtu" "$r"
		iperf_run "$kind" "$mtu" tcp_g2h "$r"
		iperf_run "$kind" "$mtu" tcp_h2g "$r" -R
		stop_backend
	done
done

python3 "$HERE/tools/nat-summary.py" "$RES" | tee "$OUT/summary.md"
log "results in $OUT"
