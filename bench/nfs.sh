#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs.sh: guest 64 MiB sequential NFS write/read: the in-core server (v3/UDP 32K, v2/UDP 8K, v3/TCP 32K and 1M) against nfs-ganesha (v3/UDP 32K, v3/TCP 32K and 1M) behind the same indynetd NAT.
#
# Usage: bench/nfs.sh [BUILD_DIR]      (or INDYNET_BUILD=...; run as root)
# Knobs (environment): RUNS (default 3), SIZE_MIB (default 64), CASES (default
# "core-v3 core-v2 ganesha-v3 ganesha-qemu core-v3-tcp ganesha-v3-tcp"), MTU (default 1500: the guest's and
# indynetd's), BENCH_OUT (a file to append the raw results to).
#
# Everything runs in a private network namespace (tests/e2e/lib-nfs.sh): only "lo".
# rpcbind + nfs-ganesha (bench/ganesha/ganesha.conf.in: NFS 2049, MOUNT 1234, UDP) run
# on the namespace's loopback for the whole run.  Each run boots the test guest once
# per case, alternating the cases:
#   core-v3     indynetd --qemu-stream S --export DIR; mount vers=3,rsize=wsize=32768
#   core-v2     indynetd --qemu-stream S --export DIR; mount vers=2,rsize=wsize=8192
#   ganesha-v3  indynetd --qemu-stream S (no --export: 192.168.0.1:2049/1234 are NATed
#               by libslirp to ganesha on 127.0.0.1); mount vers=3,rsize=wsize=32768
#   ganesha-qemu no indynetd: QEMU's own slirp (-netdev user), the guest mounts
#               10.0.2.2 (= the namespace's 127.0.0.1); the issue's anchor setup
#   core-v3-tcp, ganesha-v3-tcp   as core-v3 and ganesha-v3, over TCP: the in-core
#               server's TCP ends in indynetd's virtual host, ganesha's TCP is NATed
#               by libslirp to a host socket
#   core-v3-tcp1m, ganesha-v3-tcp1m   the same with rsize=wsize=1048576 (what a stock
#               Linux client negotiates over TCP from both servers)
#   core-v3-dgram  as core-v3 on --qemu-dgram (QEMU -netdev dgram) with the namespace's
#               default net.unix.max_dgram_qlen (10): a 32 KiB READ reply (23 frames)
#               overflows QEMU's socket queue; compare with core-v3 (not in the default CASES)
# All mounts: proto=udp,mountproto=udp (tcp for the -tcp cases),nolock,port=2049,mountport=1234.  The guest
# writes SIZE_MIB with dd bs=1M conv=fsync, unmounts, drops its caches, mounts again
# and reads the file back with dd bs=1M; MiB/s = SIZE_MIB / the guest's wall seconds
# around dd.  Each line of raw results also shows the RPC ops/transmissions the guest's
# mountstats counted (retransmissions), how busy the guest's vCPU was during each dd
# (when it is ~100%, the TCG guest, not the server, limits the figure), the CPU seconds
# indynetd used for the whole boot, the host CPU seconds of the NFS service for the boot
# (indynetd, plus ganesha's for the ganesha cases; "-" for indynetd in ganesha-qemu,
# where the NAT runs inside QEMU) and indynetd's non-zero drop counters
# (indynetd --ctl stats), and the guest's UDP/reassembly loss counters (/proc/net/snmp:
# RcvbufErrors, InErrors, ReasmFails).  Printed: median [min-max] per case and direction, and the
# ratios in-core/ganesha (target >= 1.5 for read and write against ganesha-v3).
set -uo pipefail
if [ -z "${NFS_IN_NS:-}" ] && [ -n "${1:-}" ]; then INDYNET_BUILD=$(realpath "$1"); export INDYNET_BUILD; fi
. "$(dirname "$0")/../tests/e2e/lib-nfs.sh"
nfs_init "$0" "$@"

RUNS=${RUNS:-3}
NFS_LOGLEVEL=${NFS_LOGLEVEL:-warn}
SIZE=${SIZE_MIB:-64}
CASES=${CASES:-core-v3 core-v2 ganesha-v3 ganesha-qemu core-v3-tcp ganesha-v3-tcp}
MTU=${MTU:-1500}
GEXPORT=$NFS_W/ganesha-export
mkdir -p "$GEXPORT"
RES=$NFS_W/results.txt
: >"$RES"

case " $CASES " in *" ganesha-"*) nfs_ganesha_start "$GEXPORT" ;; esac

# guest_script OPTS PATH PROTO: the guest's part of one measurement
guest_script() {
	nfs_guest_prelude "$2"
	cat <<EOF
OPTS=$1,port=2049,mountport=1234 SIZE=$SIZE GPROTO=$3
ip link set eth0 mtu $MTU || gfail "ip link set eth0 mtu $MTU"
EOF
	cat <<'EOF'
# xprt_stat OP: "ops/transmissions" of OP from this mount's /proc/self/mountstats
xprt_stat() { awk -v op="$1:" '$1 == op {print $2 "/" $3; exit}' /proc/self/mountstats; }
# cpu_ticks: "busy total" jiffies of the guest's CPU (to tell whether the guest is the bottleneck)
cpu_ticks() { awk '$1 == "cpu" {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }
busy_pct() { echo "$1 $2" | awk '{printf "%d%%", 100 * ($3 - $1) / (($4 - $2) ? ($4 - $2) : 1)}'; }
gmount b "$OPTS" || { gfail "mount -o $OPTS"; exit 1; }
echo "BENCH-sizes=$(gmountopts b | tr ',' '\n' | grep -E '^[rw]size=' | tr '\n' ',')"
t0=$(up) c0=$(cpu_ticks)
dd if=/dev/zero of=/mnt/b/bench.bin bs=1M count=$SIZE conv=fsync 2>/tmp/dd.err || { gfail "dd write: $(cat /tmp/dd.err)"; exit 1; }
t1=$(up) c1=$(cpu_ticks)
echo "BENCH-write=$(echo "$t1 - $t0" | bc) BENCH-write-ops=$(xprt_stat WRITE) BENCH-write-busy=$(busy_pct "$c0" "$c1")"
gumount b || exit 1
gmount b "$OPTS" || { gfail "remount"; exit 1; }
t0=$(up) c0=$(cpu_ticks)
dd if=/mnt/b/bench.bin of=/dev/null bs=1M 2>/tmp/dd.err || { gfail "dd read: $(cat /tmp/dd.err)"; exit 1; }
t1=$(up) c1=$(cpu_ticks)
grep -q "^$SIZE+0 records in" /tmp/dd.err || gfail "dd read a short file: $(head -n 1 /tmp/dd.err)"
echo "BENCH-read=$(echo "$t1 - $t0" | bc) BENCH-read-ops=$(xprt_stat READ) BENCH-read-busy=$(busy_pct "$c0" "$c1")"
rm -f /mnt/b/bench.bin
gumount b
# snmp PROTO FIELD: a counter of the guest's /proc/net/snmp (where lost replies would show)
snmp() { awk -v p="$1:" -v f="$2" '$1 == p && !h {for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next}
	$1 == p && h {print $c[f]; exit}' /proc/net/snmp; }
echo "BENCH-guest-drops=udp_rcvbuf:$(snmp Udp RcvbufErrors),udp_inerr:$(snmp Udp InErrors),reasm_fails:$(snmp Ip ReasmFails),reasm_timeout:$(snmp Ip ReasmTimeout 2>/dev/null)"
gend
EOF
}

# cpu_s PID: user+system CPU seconds of PID so far (0 when there is none)
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/${1:-none}/stat" 2>/dev/null || echo 0; }
# ganesha_pid: the ganesha.nfsd process (a child of its timeout wrapper), if running
ganesha_pid() { [ -n "${NFS_GPID:-}" ] && pgrep -P "$NFS_GPID" | head -n 1; }

# one CASE RUN: boot the guest for one measurement, append "case run write read" to RES
one() {
	local c=$1 r=$2 opts=vers=3,rsize=32768,wsize=32768 path=$GEXPORT srv=$NFS_GW mtu=$MTU proto=udp
	local con=$NFS_W/console-$1-$2.log g=$NFS_W/guest-$1.sh rc w rd drops=- dcpu=- scpu g0=0 g1=0
	case $c in *-tcp) proto=tcp ;; *-tcp1m) proto=tcp opts=vers=3,rsize=1048576,wsize=1048576 ;; esac
	case ${c%-tcp*} in
	core-v3) path=$NFS_EXPORT
		nfs_daemon_start stream --mtu "$MTU" --export "$NFS_EXPORT" --control "$NFS_W/ctl.sock" ;;
	core-v3-dgram) path=$NFS_EXPORT
		nfs_daemon_start dgram --mtu "$MTU" --export "$NFS_EXPORT" --control "$NFS_W/ctl.sock" ;;
	core-v2) opts=vers=2,rsize=8192,wsize=8192 path=$NFS_EXPORT
		nfs_daemon_start stream --mtu "$MTU" --export "$NFS_EXPORT" --control "$NFS_W/ctl.sock" ;;
	ganesha-v3) nfs_daemon_start stream --mtu "$MTU" --control "$NFS_W/ctl.sock" ;;
	ganesha-qemu) NFS_VMNET=user srv=10.0.2.2 mtu=1500 NFS_DPID= ;;
	*) nfs_die "unknown case $c" ;;
	esac
	NFS_GW=$srv MTU=$mtu guest_script "$opts" "$path" "$proto" >"$g"
	g0=$(cpu_s "$(ganesha_pid)")
	nfs_vm_run "$g" "$con" 600
	rc=$?
	g1=$(cpu_s "$(ganesha_pid)")
	if [ -n "$NFS_DPID" ]; then
		drops=$("$INDYNETD" --ctl "$NFS_W/ctl.sock" stats | tr ' ' '\n' | grep '^drop_' | grep -v '=0$' | tr '\n' ',')
		dcpu=$(cpu_s "$(pgrep -P "$NFS_DPID" | head -n 1)")
		nfs_daemon_stop >/dev/null
	fi
	scpu=$(awk -v d="$dcpu" -v a="$g0" -v b="$g1" 'BEGIN {printf "%.2f", d + b - a}')
	w=$(nfs_console_value "$con" BENCH-write)
	rd=$(nfs_console_value "$con" BENCH-read)
	if [ "$rc" != 0 ] || [ -z "$w" ] || [ -z "$rd" ]; then
		echo "bench/nfs: $c run $r failed (guest rc=$rc)"
		grep -aE 'GUEST-FAIL|BENCH' "$con"
		tail -n 15 "${NFS_DLOG:-/dev/null}"
		return 1
	fi
	printf '%s %s %s %s %s %s %s %s %s %s %s %s %s\n' "$c" "$r" "$w" "$rd" "$(nfs_console_value "$con" BENCH-write-ops)" \
		"$(nfs_console_value "$con" BENCH-read-ops)" "$(nfs_console_value "$con" BENCH-write-busy)" \
		"$(nfs_console_value "$con" BENCH-read-busy)" "${dcpu:-?}" "$scpu" "${drops:-none}" "$(nfs_console_value "$con" BENCH-guest-drops)" \
		"$(nfs_console_value "$con" BENCH-sizes)" | tee -a "$RES"
}

echo "bench/nfs: $RUNS runs x ($CASES), ${SIZE} MiB, $(nproc) CPUs, $(date -u +%FT%TZ)"
echo "case run write_s read_s write_ops/xmits read_ops/xmits guest_busy_w guest_busy_r indynetd_cpu_s host_cpu_s indynetd_drops guest_drops sizes"
for r in $(seq 1 "$RUNS"); do
	for c in $CASES; do one "$c" "$r"; done
done
[ -z "${BENCH_OUT:-}" ] || cat "$RES" >>"$BENCH_OUT"
[ "${CASES#*ganesha}" = "$CASES" ] || nfs_ganesha_stop

# stats CASE FIELD: "median min max" of SIZE/seconds over the runs (MiB/s)
stats() {
	awk -v c="$1" -v f="$2" -v s="$SIZE" '$1 == c && $f > 0 {print s / $f}' "$RES" | sort -g |
		awk '{v[NR] = $1} END {
			if (NR == 0) { print "- - -"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}
echo
printf '%-12s %-26s %-26s\n' case "write MiB/s med [min-max]" "read MiB/s med [min-max]"
for c in $CASES; do
	read -r wm wl wh <<<"$(stats "$c" 3)"
	read -r rm rl rh <<<"$(stats "$c" 4)"
	printf '%-12s %-26s %-26s\n' "$c" "$wm [$wl-$wh]" "$rm [$rl-$rh]"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else print "-" }'; }
# ratio_line CASE BASE: in-core/BASE for write and read (medians), when both ran
ratio_line() {
	case " $CASES " in *" $1 "*) ;; *) return 0 ;; esac
	case " $CASES " in *" $2 "*) ;; *) return 0 ;; esac
	echo "ratio $1/$2 (medians): write $(ratio "$(stats "$1" 3 | cut -d' ' -f1)" "$(stats "$2" 3 | cut -d' ' -f1)")" \
		"read $(ratio "$(stats "$1" 4 | cut -d' ' -f1)" "$(stats "$2" 4 | cut -d' ' -f1)")"
}
ratio_line core-v3 ganesha-v3
ratio_line core-v3-dgram core-v3
ratio_line core-v2 ganesha-v3
ratio_line core-v3 ganesha-qemu
ratio_line core-v3-tcp ganesha-v3-tcp
ratio_line core-v3-tcp1m ganesha-v3-tcp1m
echo "(target: core-v3/ganesha-v3 >= 1.50x for read and for write)"
