#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-netns.sh: NFSv3/UDP server path cost without a TCG guest: a native load client (bench/tools/nfsload.c) in a netns on indynetd's TAP, in-core server against nfs-ganesha.
#
# Usage: bench/nfs-netns.sh [BUILD_DIR]     (as root; BUILD_DIR or $INDYNET_BUILD holds
#                                            src/daemon/indynetd, default: see t_indynetd)
# Env:   RUNS (3)  SIZE_MIB (64)  WINDOW (16: RPCs in flight)  IO (32768: bytes per RPC)
#        DATA_DIR (/var/tmp: where both exports live, the same host filesystem)
#        CC, NFSLOAD_CFLAGS (how nfsload is built, e.g. CC=clang NFSLOAD_CFLAGS=-fsanitize=address,undefined)
#
# Topology (tests/lib/netns.sh; nothing reaches a real interface):
#   netns $NS_HOST   lo only.  indynetd --tap tap0 --tap-netns $NS_GUEST runs here;
#                    rpcbind + nfs-ganesha (bench/ganesha/ganesha.conf.in, NFS 2049,
#                    MOUNT 1234, UDP, via tests/e2e/lib-nfs.sh nfs_ganesha_start) listen
#                    on its 127.0.0.1 for the whole run.
#   netns $NS_GUEST  tap0 (MTU 1500), address by DHCP (busybox udhcpc); nfsload runs
#                    here against the gateway 192.168.0.1, MOUNT 1234, NFS 2049.
# Cases, alternated within each of RUNS runs:
#   core     indynetd --export DIR: the in-core server answers in the frame path
#   ganesha  indynetd without --export: 192.168.0.1:2049/1234 are NATed by libslirp to
#            ganesha on 127.0.0.1
# Per run and case: nfsload write SIZE_MIB (CREATE, WRITE UNSTABLE, COMMIT), then
# nfsload read of the same file; the CPU seconds indynetd and ganesha.nfsd used during
# each, and where datagrams were lost (UDP RcvbufErrors in the host and guest netns, the
# guest's IP ReasmFails, frames the guest's tap0 dropped on transmit, the host sockets that dropped by port, e.g. 2049 = ganesha,
# an ephemeral port = libslirp's socket towards ganesha; indynetd's drop_ counters).
# Each run writes a new file name: ganesha caches names, and the script removes the
# file behind its back.  Printed: the raw lines, median [min-max] MiB/s per case and
# direction, the median CPU seconds (each process, and their sum per case), and the
# ratios core/ganesha of the medians.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)

# helper mode: rpcbind + ganesha inside the host netns (ip netns exec gives us a private
# mount namespace: /run and /var/lib/nfs get private tmpfs mounts there)
if [ "${1:-}" = --ganesha-helper ]; then
	. "$TOP/tests/e2e/lib-nfs.sh"
	NFS_W=$3
	mount -t tmpfs tmpfs /run || exit 1
	nfs_ganesha_start "$2"
	echo "ganesha ready" >"$NFS_W/ganesha.ready"
	wait
	exit 0
fi

[ -n "${1:-}" ] && INDYNET_BUILD=$(realpath "$1") && export INDYNET_BUILD
. "$TOP/tests/lib/common.sh"
t_need_root
t_need_cmd ip cc busybox ganesha.nfsd rpcbind rpcinfo
t_indynetd
"$INDYNETD" --help 2>&1 | grep -c -- '--export' >/dev/null || t_skip "indynetd has no --export"
RUNS=${RUNS:-3}
SIZE=${SIZE_MIB:-64}
WINDOW=${WINDOW:-16}
IO=${IO:-32768}
TMPDIR=${DATA_DIR:-/var/tmp}
export TMPDIR
t_init nfs-netns
NAT_DNS=0
INDY_LOG_LEVEL=warn
. "$TOP/tests/lib/netns.sh"

NFSLOAD=$T_TMP/nfsload
read -ra NFSLOAD_EXTRA <<<"${NFSLOAD_CFLAGS:-}"
"${CC:-cc}" -std=c17 -O2 -Wall -Wextra -Werror "${NFSLOAD_EXTRA[@]}" -o "$NFSLOAD" "$HERE/tools/nfsload.c" || t_fail "cannot build nfsload"
CORE_EXPORT=$T_TMP/core-export
G_EXPORT=$T_TMP/ganesha-export
mkdir -p "$CORE_EXPORT" "$G_EXPORT"
chmod 755 "$T_TMP" "$CORE_EXPORT" "$G_EXPORT"
RES=$T_TMP/results.txt
: >"$RES"

nat_setup
ns_bg "$NS_HOST" "$T_TMP/ganesha-helper.log" bash "$0" --ganesha-helper "$G_EXPORT" "$T_TMP"
t_evidence "$T_TMP/ganesha-helper.log" "$T_TMP/ganesha.log"
t_wait 30 test -s "$T_TMP/ganesha.ready" || t_fail "nfs-ganesha did not start"

# pid_of NAME: the process called NAME in the host netns
pid_of() {
	local p
	for p in $(ip netns pids "$NS_HOST"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && { echo "$p"; return 0; }
	done
	echo none
}
# cpu_s PID: user+system CPU seconds of PID (all its threads) so far
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# snmp NS PROTO FIELD: a counter of NS's /proc/net/snmp (UDP receive-buffer drops, reassembly failures)
snmp() {
	ip netns exec "$1" cat /proc/net/snmp | awk -v p="$2:" -v f="$3" \
		'$1 == p && !h {for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next} $1 == p && h {print $c[f]; exit}'
}
# drops: where datagrams were lost so far: host/guest UDP RcvbufErrors, guest ReasmFails,
# frames the guest's tap0 dropped on transmit (its queue towards indynetd was full)
drops() {
	echo "$(snmp "$NS_HOST" Udp RcvbufErrors) $(snmp "$NS_GUEST" Udp RcvbufErrors) $(snmp "$NS_GUEST" Ip ReasmFails)" \
		"$(ip netns exec "$NS_GUEST" cat /sys/class/net/tap0/statistics/tx_dropped)"
}
# sock_drops: "port drops" lines of the UDP sockets in the host netns
sock_drops() {
	local sl laddr rest
	ip netns exec "$NS_HOST" cat /proc/net/udp /proc/net/udp6 | while read -r sl laddr rest; do
		[ "$sl" = sl ] || printf '%d %s\n' "0x${laddr##*:}" "${rest##* }"
	done
}
# sock_drops_delta BEFORE AFTER: "port:drops," for every socket that dropped in between
sock_drops_delta() {
	awk 'NR == FNR {b[$1] += $2; next} {a[$1] += $2} END {
		for (p in a) if (a[p] > b[p]) printf "%s:%d,", p, a[p] - b[p] }' <(echo "$1") <(echo "$2")
}
delta() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

# load CASE OP PATH RUN: one nfsload run; sets LOAD to "MiB/s retrans indynetd_cpu_s ganesha_cpu_s"
load() {
	local out d0 g0 ipid gpid
	ipid=$(pid_of indynetd) gpid=$(pid_of ganesha.nfsd)
	d0=$(cpu_s "$ipid") g0=$(cpu_s "$gpid")
	out=$(ip netns exec "$NS_GUEST" timeout 600 "$NFSLOAD" "$GUEST_GW" 1234 2049 "$3" "$2" "bench-$4.bin" "$SIZE" \
		--window "$WINDOW" --io "$IO" 2>&1) || t_fail "$1: nfsload $2 failed" "$out"
	LOAD="$(sed -n 's/.*mib_s=\([0-9.]*\).*/\1/p' <<<"$out") $(sed -n 's/.*retrans=\([0-9]*\).*/\1/p' <<<"$out")"
	LOAD="$LOAD $(delta "$d0" "$(cpu_s "$ipid")") $(delta "$g0" "$(cpu_s "$gpid")")"
}

# one CASE RUN: indynetd for CASE, a lease, write then read; appends a line to RES
one() {
	local c=$1 r=$2 path w rd wm wr wd wg rdm rdr rdd rdg h0 g0 f0 h1 g1 f1 idrops sdrops s0 t0 t1
	case $c in
	core) path=$CORE_EXPORT; nat_start --export "$CORE_EXPORT" ;;
	ganesha) path=$G_EXPORT; nat_start ;;
	esac
	guest_dhcp_start
	guest_dhcp_wait 20 192.168.0. || t_fail "$c: no DHCP lease"
	read -r h0 g0 f0 t0 <<<"$(drops)"
	s0=$(sock_drops)
	load "$c" write "$path" "$r"
	w=$LOAD
	load "$c" read "$path" "$r"
	rd=$LOAD
	read -r h1 g1 f1 t1 <<<"$(drops)"
	idrops=$(nat_ctl stats | tr ' ' '\n' | grep '^drop_' | grep -v '=0$' | tr '\n' ',')
	sdrops=$(sock_drops_delta "$s0" "$(sock_drops)")
	nat_stop >/dev/null
	kill "$GUEST_DHCP_PID" 2>/dev/null
	wait "$GUEST_DHCP_PID" 2>/dev/null
	rm -f "$path/bench-$r.bin" # a fresh name each run: ganesha caches names
	read -r wm wr wd wg <<<"$w"
	read -r rdm rdr rdd rdg <<<"$rd"
	printf '%-8s %-3s %9s %9s %5s %5s %8s %8s %8s %8s  %s %s %s\n' "$c" "$r" "$wm" "$rdm" "$wr" "$rdr" "$wd" "$rdd" \
		"$wg" "$rdg" "rcvbuf_h/g/reasmfail/tap_txdrop=$((h1 - h0))/$((g1 - g0))/$((f1 - f0))/$((t1 - t0))" "host_udp_port:drops=${sdrops:-none}" \
		"indynetd:${idrops:-none}" |
		tee -a "$RES"
}

echo "bench/nfs-netns: $RUNS runs x (core ganesha), $SIZE MiB, window $WINDOW, io $IO, MTU 1500," \
	"$(nproc) CPUs, $(uname -r), $(date -u +%FT%TZ)"
echo "indynetd: $("$INDYNETD" --version 2>&1 | head -n 1) ($INDYNETD);" \
	"$(dpkg-query -W -f='${Package} ${Version}' nfs-ganesha 2>/dev/null)"
printf '%-8s %-3s %9s %9s %5s %5s %8s %8s %8s %8s  %s\n' case run w_MiB/s r_MiB/s w_rtx r_rtx \
	indy_w_s indy_r_s gan_w_s gan_r_s "drops (write+read)"
for r in $(seq 1 "$RUNS"); do
	for c in core ganesha; do one "$c" "$r"; done
done

# stats CASE FIELDS [DIGITS]: "median min max" over the runs of column FIELDS ("3", or a sum "7+9")
stats() {
	awk -v c="$1" -v f="$2" '$1 == c {n = split(f, k, "+"); v = 0; for (i = 1; i <= n; i++) v += $k[i]; print v}' "$RES" |
		sort -g |
		awk -v d="${3:-1}" '{v[NR] = $1} END {
			if (NR == 0) { print "- - -"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.*f %.*f %.*f\n", d, m, d, v[1], d, v[NR] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else print "-" }'; }
echo
printf '%-8s %-24s %-24s %-22s %-22s\n' case "write MiB/s med [min-max]" "read MiB/s med [min-max]" \
	"indynetd CPU s w / r" "ganesha CPU s w / r"
for c in core ganesha; do
	read -r wm wl wh <<<"$(stats "$c" 3)"
	read -r rdm rl rh <<<"$(stats "$c" 4)"
	printf '%-8s %-24s %-24s %-22s %-22s\n' "$c" "$wm [$wl-$wh]" "$rdm [$rl-$rh]" \
		"$(stats "$c" 7 2 | cut -d' ' -f1) / $(stats "$c" 8 2 | cut -d' ' -f1)" \
		"$(stats "$c" 9 2 | cut -d' ' -f1) / $(stats "$c" 10 2 | cut -d' ' -f1)"
done
echo "host CPU s of the NFS service (indynetd + ganesha.nfsd), medians: core write $(stats core 7+9 2 | cut -d' ' -f1)" \
	"read $(stats core 8+10 2 | cut -d' ' -f1); ganesha write $(stats ganesha 7+9 2 | cut -d' ' -f1)" \
	"read $(stats ganesha 8+10 2 | cut -d' ' -f1)"
echo "ratio core/ganesha (medians): write $(ratio "$(stats core 3 | cut -d' ' -f1)" "$(stats ganesha 3 | cut -d' ' -f1)")" \
	"read $(ratio "$(stats core 4 | cut -d' ' -f1)" "$(stats ganesha 4 | cut -d' ' -f1)")"
