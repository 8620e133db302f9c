#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-scale.sh: the NFS server never stalls the frame path: ping under NFS load, and handle resolution after a restart at 10 k-3 M files.
#
# Usage: bench/nfs-scale.sh [BUILD_DIR]     (as root; BUILD_DIR or $INDYNET_BUILD holds
#                                            src/daemon/indynetd)
# Env:   RUNS (3)             runs of the stall part, each binary in turn
#        BASELINE (unset)     another indynetd measured in the same runs (e.g. one built
#                             from before the NFS worker thread): its figures and the ratio
#        PINGS_MS (10)        ping interval of the stall part, ms
#        SIZES ("10000 100000 1000000 3000000")   restart part: export sizes (files)
#        CACHES ("warm cold") restart part: page cache kept, or dropped before the restart
#        MODES ("kernel search")  restart part: with CAP_DAC_READ_SEARCH (kernel handles),
#                             and without it (setpriv drops it: the background search)
#        DATA_DIR (/var/tmp)  where the trees live (DATA_DIR/indynet-nfs-scale/tN, kept
#                             between runs with a tN.made marker: building 3 M files takes
#                             13 minutes here; delete the marker to check a tree again)
#        PART ("stall restart")
#
# Topology: tests/lib/netns.sh (indynetd --tap in netns $NS_HOST, the guest netns behind
# tap0, DHCP by busybox udhcpc).  The load clients (bench/tools/nfsload.c) and ping run
# in the guest netns against the gateway 192.168.0.1.
#
# Stall part, per run and binary: ping -i PINGS_MS the gateway (answered by libslirp on
# the engine thread, so every ms the engine spends elsewhere shows) alone for 5 s, then
# during each load: a 256 MiB NFSv3 write (window 4, COMMIT at the end), a 64 MiB NFSv2
# write (stable 8 KiB WRITEs, window 4), and a 1,000-file CREATE+REMOVE churn.  Printed:
# p50/p99/max RTT (ms) per case, and the medians over the runs.
#
# Restart part, per size, mode and cache: start indynetd on the tree, LOOKUP the deepest
# file (3 levels) for its handle, stop indynetd, (cold: sync; drop_caches), start a new
# indynetd, then nfsload resolve: GETATTR with the old handle every 50 ms until it is not
# JUKEBOX, while NULL calls go every 20 ms from another socket.  Printed: time to the
# answer, its status (0 = OK), JUKEBOX answers, the longest a NULL call waited for its
# answer and the longest gap between two NULL answers (20 ms when nothing stalls), the
# daemon's RSS after it, and its nfs_ counters.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
[ -n "${1:-}" ] && INDYNET_BUILD=$(realpath "$1") && export INDYNET_BUILD
. "$TOP/tests/lib/common.sh"
t_need_root
t_need_cmd ip cc busybox ping setpriv
t_indynetd
RUNS=${RUNS:-3}
PINGS_MS=${PINGS_MS:-10}
SIZES=${SIZES:-10000 100000 1000000 3000000}
CACHES=${CACHES:-warm cold}
MODES=${MODES:-kernel search}
PART=${PART:-stall restart}
DATA=${DATA_DIR:-/var/tmp}/indynet-nfs-scale
t_init nfs-scale
NAT_DNS=0
INDY_LOG_LEVEL=warn
. "$TOP/tests/lib/netns.sh"

NFSLOAD=$T_TMP/nfsload
MKTREE=$T_TMP/mktree
cc -std=c17 -O2 -Wall -Wextra -Werror -o "$NFSLOAD" "$HERE/tools/nfsload.c" || t_fail "cannot build nfsload"
cc -std=c17 -O2 -Wall -Wextra -Werror -o "$MKTREE" "$HERE/tools/mktree.c" -lm || t_fail "cannot build mktree"
CURRENT=$INDYNETD
EXPORT=$T_TMP/export
mkdir -p "$EXPORT" "$DATA"
chmod 755 "$T_TMP" "$EXPORT"
RES=$T_TMP/results.txt
: >"$RES"
nat_setup

pid_of() {
	local p
	for p in $(ip netns pids "$NS_HOST"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = indynetd ] && { echo "$p"; return 0; }
	done
	echo none
}
load() { ip netns exec "$NS_GUEST" timeout 900 "$NFSLOAD" "$GUEST_GW" 1234 2049 "$@"; }
up() { # up BINARY ARGS...: indynetd and a lease
	INDYNETD=$1
	shift
	nat_start "$@"
	guest_dhcp_start
	guest_dhcp_wait 20 192.168.0. || t_fail "no DHCP lease"
}
down() {
	nat_stop >/dev/null
	kill "$GUEST_DHCP_PID" 2>/dev/null
	wait "$GUEST_DHCP_PID" 2>/dev/null
}
# pct FILE: "p50 p99 max" of the RTTs (ms) in FILE
pct() {
	sort -g "$1" | awk '{v[NR] = $1} END {
		if (NR == 0) { print "- - -"; exit }
		i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
		printf "%.3f %.3f %.3f\n", v[i50], v[i99], v[NR] }'
}
# pinged CASE LABEL CMD...: ping the gateway while CMD runs (5 s when CMD is "sleep 5")
pinged() {
	local c=$1 label=$2 raw=$T_TMP/ping-$1-$2.raw rtt=$T_TMP/rtt-$1-$2.txt out ppid
	shift 2
	ip netns exec "$NS_GUEST" ping -n -i "0.$(printf '%03d' "$PINGS_MS")" "$GUEST_GW" >"$raw" 2>/dev/null &
	ppid=$!
	sleep 0.5
	out=$("$@" 2>&1) || t_fail "$c $label: $* failed" "$out"
	sleep 0.2
	kill "$ppid" 2>/dev/null
	wait "$ppid" 2>/dev/null
	sed -n 's/.*time=\([0-9.]*\).*/\1/p' "$raw" >"$rtt"
	printf '%-9s %-8s %6s %s   %s\n' "$c" "$label" "$(wc -l <"$rtt")" "$(pct "$rtt")" \
		"$(tr '\n' ' ' <<<"$out" | cut -c1-70)" | tee -a "$RES"
}

stall_run() { # stall_run CASE BINARY RUN
	local c=$1 r=$3
	rm -rf "${EXPORT:?}"/*
	up "$2" --export "$EXPORT"
	pinged "$c" idle sleep 5
	pinged "$c" v3write load "$EXPORT" write "v3-$r.bin" 256 --window 4
	pinged "$c" v2write load "$EXPORT" write2 "v2-$r.bin" 64 --window 4
	pinged "$c" churn load "$EXPORT" churn "c$r-" 1000
	echo "$c run $r: $(nat_ctl stats | tr ' ' '\n' | grep -E '^nfs_(queue|drc|calls)' | tr '\n' ' ')"
	down
}

stall_part() {
	local r
	echo "== stall: ping ${PINGS_MS} ms to the gateway alone and during NFS load; RTT p50 p99 max (ms)"
	printf '%-9s %-8s %6s %s\n' case load pings "p50 p99 max"
	for r in $(seq 1 "$RUNS"); do
		stall_run current "$CURRENT" "$r"
		[ -n "${BASELINE:-}" ] && stall_run baseline "$BASELINE" "$r"
	done
	echo "medians over $RUNS runs (p50 p99 max, ms):"
	for c in current ${BASELINE:+baseline}; do
		for l in idle v3write v2write churn; do
			printf '%-9s %-8s' "$c" "$l"
			for f in 4 5 6; do
				awk -v c="$c" -v l="$l" -v f="$f" '$1 == c && $2 == l {print $f}' "$RES" | sort -g |
					awk '{v[NR] = $1} END {printf " %s", NR ? v[int((NR + 1) / 2)] : "-"}'
			done
			echo
		done
	done
}

# the daemon without CAP_DAC_READ_SEARCH: open_by_handle_at is refused, handles are searched for
nocap_wrapper() {
	cat >"$T_TMP/indynetd-nocap" <<EOF
#!/bin/sh
exec setpriv --inh-caps=-dac_read_search --bounding-set=-dac_read_search "$CURRENT" "\$@"
EOF
	chmod 755 "$T_TMP/indynetd-nocap"
}

restart_one() { # restart_one SIZE MODE CACHE
	local n=$1 mode=$2 cache=$3 tree=$DATA/t$1 deep fh bin=$CURRENT out rss stats
	[ -s "$tree.made" ] || "$MKTREE" "$tree" "$n" >"$tree.made" || t_fail "mktree $tree $n failed"
	deep=$(sed -n 's/.*deepest=//p' "$tree.made")
	[ "$mode" = search ] && bin=$T_TMP/indynetd-nocap
	up "$bin" --export "$tree"
	fh=$(load "$tree" handle "$deep" 0 | sed -n 's/^fh=//p')
	[ -n "$fh" ] || t_fail "no handle for $deep"
	down
	if [ "$cache" = cold ]; then
		sync
		echo 3 >/proc/sys/vm/drop_caches
	fi
	up "$bin" --export "$tree"
	out=$(load "$tree" resolve "$fh" 0)
	rss=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$(pid_of)/status" 2>/dev/null)
	stats=$(nat_ctl stats | tr ' ' '\n' | grep -E '^nfs_(nodes|handles_kernel|handles_searched|handles_jukebox|search_entries)=' |
		tr '\n' ' ')
	down
	printf '%-8s %-7s %-5s %s rss_mib=%s %s\n' "$n" "$mode" "$cache" "$out" "$rss" "$stats" | tee -a "$RES"
}

restart_part() {
	local n m c
	nocap_wrapper
	echo "== restart at scale: a deep handle (3 levels) after a restart; NULL calls every 20 ms meanwhile"
	for n in $SIZES; do
		for m in $MODES; do
			for c in $CACHES; do restart_one "$n" "$m" "$c"; done
		done
	done
}

echo "bench/nfs-scale: $(nproc) CPUs, $(uname -r), $(date -u +%FT%TZ); indynetd $CURRENT${BASELINE:+, baseline $BASELINE}"
case " $PART " in *" stall "*) stall_part ;; esac
case " $PART " in *" restart "*) restart_part ;; esac
