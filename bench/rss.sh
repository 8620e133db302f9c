#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# rss.sh: indynetd's resident memory idle and after 64 MiB NFS transfers (bench/tools/nfsload.c in a netns on its TAP).
#
# Usage: bench/rss.sh [BUILD_DIR]     (as root; BUILD_DIR or $INDYNET_BUILD holds src/daemon/indynetd)
# Env:   RUNS (3)  SIZE_MIB (64)  DATA_DIR (/var/tmp: where the export lives)
#
# Per run: a fresh indynetd --tap --export DIR (NAT mode, tests/lib/netns.sh namespaces
# flt2-h-PID / flt2-g-PID), a DHCP lease, then VmRSS of /proc/PID/status (KiB): idle
# (1 s after the lease; also its RssAnon, the part that is not mapped files), after nfsload writes SIZE_MIB (NFSv3/UDP, 16 WRITEs of 32 KiB
# in flight, COMMIT), after it reads the file back, and VmHWM (the peak).  Printed: the
# raw lines and median [min-max] per column.  No peer: this is indynetd's own figure.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
[ -n "${1:-}" ] && INDYNET_BUILD=$(realpath "$1") && export INDYNET_BUILD
. "$HERE/../tests/lib/common.sh"
t_need_root
t_need_cmd ip cc busybox
t_indynetd
RUNS=${RUNS:-3}
SIZE=${SIZE_MIB:-64}
TMPDIR=${DATA_DIR:-/var/tmp}
export TMPDIR
t_init rss
NAT_DNS=0
INDY_LOG_LEVEL=warn
. "$HERE/../tests/lib/netns.sh"
NS_HOST=flt2-h-$$
NS_GUEST=flt2-g-$$

NFSLOAD=$T_TMP/nfsload
cc -std=c17 -O2 -Wall -Wextra -Werror -o "$NFSLOAD" "$HERE/tools/nfsload.c" || t_fail "cannot build nfsload"
EXPORT=$T_TMP/export
mkdir -p "$EXPORT"
RES=$T_TMP/results.txt
: >"$RES"
nat_setup

daemon_pid() {
	local p
	for p in $(ip netns pids "$NS_HOST"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = indynetd ] && { echo "$p"; return 0; }
	done
	t_fail "no indynetd in $NS_HOST"
}
vm() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }   # vm PID VmRSS|VmHWM
load() { # load OP FILE
	ip netns exec "$NS_GUEST" timeout 600 "$NFSLOAD" "$GUEST_GW" 1234 2049 "$EXPORT" "$1" "$2" "$SIZE" \
		--window 16 --io 32768 >/dev/null 2>&1 || t_fail "nfsload $1 failed"
}

echo "bench/rss: $RUNS runs, $SIZE MiB, $(nproc) CPUs, $(uname -r), $(date -u +%FT%TZ)"
echo "indynetd: $("$INDYNETD" --version 2>&1 | head -n 1) ($INDYNETD)"
printf '%-4s %10s %10s %12s %12s %10s\n' run idle_KiB idle_anon after_w_KiB after_r_KiB peak_KiB
for r in $(seq 1 "$RUNS"); do
	nat_start --export "$EXPORT"
	guest_dhcp_start
	guest_dhcp_wait 20 192.168.0. || t_fail "no DHCP lease"
	pid=$(daemon_pid)
	sleep 1
	idle="$(vm "$pid" VmRSS) $(vm "$pid" RssAnon)"
	load write "rss-$r.bin"
	w=$(vm "$pid" VmRSS)
	load read "rss-$r.bin"
	printf '%-4s %10s %10s %12s %12s %10s\n' "$r" $idle "$w" "$(vm "$pid" VmRSS)" "$(vm "$pid" VmHWM)" | tee -a "$RES"
	nat_stop >/dev/null
	kill "$GUEST_DHCP_PID" 2>/dev/null
	wait "$GUEST_DHCP_PID" 2>/dev/null
	rm -f "$EXPORT/rss-$r.bin"
done
med() { # med COLUMN: "median [min-max]" in MiB
	awk -v c="$1" '{print $c}' "$RES" | sort -g | awk '{v[NR] = $1} END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f [%.1f-%.1f] MiB", m / 1024, v[1] / 1024, v[NR] / 1024 }'
}
echo
echo "idle $(med 2) (anonymous $(med 3), the rest shared-library and binary pages);" \
	"after the ${SIZE} MiB write $(med 4); after the read $(med 5); peak $(med 6)"
