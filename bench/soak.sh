#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# soak.sh: indynetd under a long mixed workload from the Linux guest on a lossy link: RSS flat, no fd growth, no corrupt byte.
#
# Usage: [DURATION=1800] [IMPAIR=loss=2%] [WARMUP=300] bash bench/soak.sh [BUILD_DIR]
#
# One guest boot (tests/vm/run.sh, QEMU, TCG unless VM_ACCEL=kvm) behind
# indynetd --qemu-stream --export --impair "$IMPAIR" --control, in the private
# namespace of tests/e2e/lib-nfs.sh.  Until DURATION seconds have passed the
# guest loops over: a 4 MiB NFS copy in and out (NFSv3 over UDP; timeo=3 and
# rsize=wsize=8192, as one mounts over a lossy link: a lost fragment costs the
# whole datagram, and 0.3 s rather than 1.1 s before the retransmission) with
# md5 and a byte count of differences (cmp -l) against its source, a recursive
# listing, small-file churn (100 files created, renamed, hard-linked,
# removed), pings to the gateway, a 2 MiB wget through the NAT from a web
# server on the namespace's loopback (md5 against the host's file).
# Meanwhile the host samples indynetd's RSS (VmRSS) and descriptor count
# (/proc/PID/fd) every SAMPLE seconds.  After WARMUP seconds, RSS must stay
# within +-10 % of its post-warm-up median and the descriptor count must not
# grow: the NFS server's descriptor cache (--nfs-cache-fds) rises and falls
# with the churn, so the second half's highest count may not exceed the first
# half's; every corrupt byte counts as a failure.  The warm-up has to cover the
# first iteration (the caches fill there: on the loaded 2-core VM an iteration
# took 80-200 s), so a DURATION shorter than a few iterations fails those two
# checks by design (DURATION=30 WARMUP=0: "RSS", "descriptor growth").  The daemon's counters (stats) are printed at the end.
# Not in CI (it takes DURATION plus the boot); docs/PERFORMANCE.md has a run.
set -uo pipefail
if [ -z "${NFS_IN_NS:-}" ] && [ -n "${1:-}" ]; then INDYNET_BUILD=$(realpath "$1"); export INDYNET_BUILD; fi
. "$(dirname "$0")/../tests/e2e/lib-nfs.sh"
nfs_init "$0" "$@"

DURATION=${DURATION:-1800}
IMPAIR=${IMPAIR:-loss=2%}
WARMUP=${WARMUP:-$((DURATION / 6))}
SAMPLE=${SAMPLE:-10}
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
SAMPLES=$NFS_W/samples.txt
CTL=$NFS_W/ctl.sock

mkdir -p "$NFS_W/www"
head -c 2M /dev/urandom >"$NFS_W/www/down.bin"
python3 -m http.server --bind 127.0.0.1 --directory "$NFS_W/www" 8000 >"$NFS_W/http.log" 2>&1 &
HTTP_PID=$!
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<EOF
DURATION=$DURATION
DOWN_MD5=$(md5sum <"$NFS_W/www/down.bin" | cut -d' ' -f1)
EOF
	cat <<'EOF'
md5() { md5sum "$1" | cut -d' ' -f1; }
# diffbytes A B: how many bytes differ (cmp -l lists one line per byte; a short file counts its missing tail)
diffbytes() {
	n=$(cmp -l "$1" "$2" 2>/dev/null | wc -l)
	a=$(stat -c %s "$1"); b=$(stat -c %s "$2")
	echo $((n + (a > b ? a - b : b - a)))
}
head -c 4194304 /dev/urandom >/tmp/src.bin
SRC_MD5=$(md5 /tmp/src.bin)
gmount s "vers=3,port=2049,mountport=1234,timeo=3,retrans=10,rsize=8192,wsize=8192" || { gfail "mount"; gend; exit 1; }
D=/mnt/s/soak
mkdir -p $D/churn || gfail "mkdir $D"
t_end=$(( $(cut -d. -f1 /proc/uptime) + DURATION ))
it=0 corrupt=0 errs=0
while [ "$(cut -d. -f1 /proc/uptime)" -lt "$t_end" ]; do
	it=$((it + 1))
	# NFS copy in and out, compared byte for byte
	cp /tmp/src.bin $D/big.$((it % 2)) || errs=$((errs + 1))
	echo 3 >/proc/sys/vm/drop_caches
	cp $D/big.$((it % 2)) /tmp/back.bin || errs=$((errs + 1))
	c=$(diffbytes /tmp/src.bin /tmp/back.bin)
	[ "$c" = 0 ] || gfail "iteration $it: $c bytes differ after the NFS round trip"
	corrupt=$((corrupt + c))
	rm -f /tmp/back.bin
	# listings
	ls -lR /mnt/s >/dev/null || errs=$((errs + 1))
	# small-file churn: create, rename, hard-link, remove
	i=0
	while [ $i -lt 100 ]; do echo "$it.$i" >$D/churn/f$i || errs=$((errs + 1)); i=$((i + 1)); done
	i=0
	while [ $i -lt 100 ]; do
		mv $D/churn/f$i $D/churn/r$i || errs=$((errs + 1))
		[ $((i % 10)) = 0 ] && { ln $D/churn/r$i $D/churn/h$i || errs=$((errs + 1)); }
		i=$((i + 1))
	done
	[ "$(cat $D/churn/r42)" = "$it.42" ] || gfail "iteration $it: r42 holds '$(cat $D/churn/r42)'"
	rm -f $D/churn/* || errs=$((errs + 1))
	[ -z "$(ls -A $D/churn)" ] || gfail "iteration $it: churn not empty: $(ls -A $D/churn | head -c 200)"
	# pings and a TCP transfer through the NAT to the host's loopback
	ping -c 3 -W 2 $SRV >/dev/null || echo "SOAK-NOTE: iteration $it: pings lost (link loss)"
	if timeout 120 wget -q -O /tmp/down.bin http://$SRV:8000/down.bin; then
		[ "$(md5 /tmp/down.bin)" = "$DOWN_MD5" ] || { gfail "iteration $it: wget md5"; corrupt=$((corrupt + 1)); }
	else
		errs=$((errs + 1)); echo "SOAK-NOTE: iteration $it: wget failed"
	fi
	rm -f /tmp/down.bin
	echo "SOAK-ITER it=$it up=$(cut -d' ' -f1 /proc/uptime) corrupt=$corrupt errs=$errs"
done
[ "$(md5 $D/big.$((it % 2)))" = "$SRC_MD5" ] || gfail "last copy's md5"
echo "SOAK-RESULT iterations=$it corrupt=$corrupt errs=$errs src_md5=$SRC_MD5"
[ "$corrupt" = 0 ] || gfail "$corrupt corrupt bytes"
[ "$errs" = 0 ] || gfail "$errs failed operations"
gumount s
gend
EOF
} >"$G"

NFS_DAEMON_TMO=$((DURATION + 1200)) nfs_daemon_start stream --export "$NFS_EXPORT" --impair "$IMPAIR" --control "$CTL"
nfs_log "soak: DURATION=$DURATION s, IMPAIR=$IMPAIR, warm-up $WARMUP s, a sample every $SAMPLE s"
DPID=$(tr -d " " <"/proc/$NFS_DPID/task/$NFS_DPID/children") # NFS_DPID is timeout(1)'s
nfs_log "indynetd is pid $DPID"
T0=$SECONDS
nfs_vm_start "$G" "$CON" $((DURATION + 900))
: >"$SAMPLES"
while kill -0 "$NFS_VMPID" 2>/dev/null; do
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$DPID/status" 2>/dev/null)
	fds=$(ls "/proc/$DPID/fd" 2>/dev/null | wc -l)
	[ -n "$rss" ] && echo "$((SECONDS - T0)) $rss $fds" >>"$SAMPLES"
	sleep "$SAMPLE"
done
nfs_vm_wait
rc=$?
STATS=$("$INDYNETD" --ctl "$CTL" stats 2>&1)
nfs_daemon_stop
kill "$HTTP_PID" 2>/dev/null

grep -aE 'GUEST-FAIL|GUEST-SUMMARY|SOAK-RESULT' "$CON"
echo "SOAK-NOTE lines (pings or wget lost on the link): $(grep -ac SOAK-NOTE "$CON")"
nfs_expect_eq "guest script exit status" "$rc" 0
nfs_expect_eq "corrupt bytes" "$(nfs_console_value "$CON" corrupt)" 0
nfs_check "the guest ran at least one iteration ($(nfs_console_value "$CON" iterations))" \
	test "$(nfs_console_value "$CON" iterations)" -ge 1
nfs_expect_eq "host copy = guest source (md5)" "$(md5sum "$NFS_EXPORT"/soak/big.* | cut -d' ' -f1 | sort -u | tr '\n' ' ')" \
	"$(nfs_console_value "$CON" src_md5) "

# RSS and descriptors after the warm-up
awk -v w="$WARMUP" '$1 >= w' "$SAMPLES" >"$NFS_W/steady.txt"
nfs_check "samples after the warm-up: $(wc -l <"$NFS_W/steady.txt")" test "$(wc -l <"$NFS_W/steady.txt")" -ge 3
read -r med lo hi < <(awk '{print $2}' "$NFS_W/steady.txt" | sort -n |
	awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)], v[1], v[NR]}')
read -r fd1 fd2 fdlast < <(awk '{v[NR]=$3} END {h=int(NR/2); for (i=1;i<=NR;i++) if (i<=h) {if (v[i]>a) a=v[i]} else if (v[i]>b) b=v[i]; print a+0, b+0, v[NR]+0}' "$NFS_W/steady.txt")
nfs_log "RSS after warm-up: median ${med:-?} KiB, min ${lo:-?}, max ${hi:-?} (all samples: $(awk '{print $2}' "$SAMPLES" | sort -n | sed -n '1p;$p' | tr '\n' ' ')KiB)"
nfs_log "descriptors after warm-up: highest ${fd1:-?} in the first half, ${fd2:-?} in the second, last ${fdlast:-?}"
nfs_check "RSS within +-10 % of its median after the warm-up" \
	awk -v m="${med:-0}" -v a="${lo:-0}" -v b="${hi:-0}" 'BEGIN {exit !(m > 0 && a >= 0.9 * m && b <= 1.1 * m)}'
nfs_check "no descriptor growth (second half's highest ${fd2:-?} <= first half's ${fd1:-?})" \
	test "${fd2:-1}" -le "${fd1:-0}"
echo "counters: $STATS" | tr ' ' '\n' | grep -E '^(counters:|ok|tx_|rx_|drop_[a-z_]*=[1-9]|impair_|nfs_(calls|drc|queue))' | tr '\n' ' '
echo
nfs_log "wall time $((SECONDS - T0)) s (DURATION=$DURATION)"
cp "$SAMPLES" "${SOAK_SAMPLES_OUT:-/dev/null}" 2>/dev/null
nfs_finish
