#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-restart-deep.sh: indynetd restarts (cold page cache) under a guest holding files open deep in a 100 k-file export; no ESTALE, no stall (v3 and v2).
#
# The host builds a 3-level export of 100,000 empty files (bench/tools/mktree.c, fan-out
# 47) plus a 4 MiB file deep.bin in its last directory (d045/d012).  The guest mounts it twice (v3 with
# lookupcache=positive, v2), opens deep.bin on both mounts, reads its first MiB, changes
# its working directory to deep.bin's on v3, prints RESTART-NOW and waits for the file "go".  The host stops indynetd, drops the page cache
# (echo 3 > drop_caches), starts a new indynetd with a small node cache (1,024 objects:
# the export is 100 times larger) and creates "go" directly in the export.  The guest
# lists its working directory and reads the rest through the old descriptors (so the READs carry the old daemon's
# handles, which the new one has never seen; its working directory first, READDIR with
# that directory's old handle), lists another deep directory, stats a file at
# the other end of the tree and compares md5s.  The host checks the console for "Stale",
# that the new daemon, sandboxed as by default, resolved the handles through the kernel's
# handle (nfs_handles_kernel > 0) without a search, and kept its cache bound.
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

MKTREE=$NFS_W/mktree
cc -std=c17 -O2 -Wall -Wextra -Werror -o "$MKTREE" "$NFS_REPO/bench/tools/mktree.c" -lm || nfs_die "cannot build mktree"
t0=$SECONDS
OUT=$("$MKTREE" "$NFS_EXPORT" 100000) || nfs_die "mktree failed"
DEEP=$(sed -n 's/.*deepest=//p' <<<"$OUT")
DEEP=${DEEP%/*}
nfs_log "built a 100,000-file export in $((SECONDS - t0)) s: $OUT"
head -c $((4 * 1024 * 1024)) /dev/urandom >"$NFS_EXPORT/$DEEP/deep.bin"
BIGMD5=$(md5sum <"$NFS_EXPORT/$DEEP/deep.bin" | cut -d' ' -f1)
CTL=$NFS_W/ctl.sock

G=$NFS_W/guest.sh
{
	nfs_guest_prelude "$NFS_EXPORT"
	echo "BIGMD5=$BIGMD5"
	echo "DEEP=$DEEP DEEPN=$(ls "$NFS_EXPORT/$DEEP" | wc -l)"
	cat <<'EOF'
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }
gmount v3 vers=3,rsize=32768,wsize=32768,lookupcache=positive || { gfail "mount v3"; exit 1; }
gmount v2 vers=2,rsize=8192,wsize=8192 || { gfail "mount v2"; exit 1; }
exec 3</mnt/v3/$DEEP/deep.bin 4</mnt/v2/$DEEP/deep.bin
dd bs=1M count=1 of=/tmp/v3.a <&3 2>/dev/null || gfail "v3: first read"
dd bs=1M count=1 of=/tmp/v2.a <&4 2>/dev/null || gfail "v2: first read"
cd /mnt/v3/$DEEP || gfail "v3: cd into $DEEP"
echo "RESTART-NOW uptime=$(up)"
i=0
while [ ! -e /mnt/v3/go ]; do
	i=$((i + 1))
	[ $i -gt 900 ] && { gfail "no go file from the host after 180 s"; exit 1; }
	sleep 0.2
done
echo "GO-SEEN uptime=$(up)"
echo 3 >/proc/sys/vm/drop_caches
# first the shell's working directory: READDIR with that directory's own old handle
eq "v3: entries of the directory the shell sits in" "$(ls 2>&1 | wc -l)" "$DEEPN"
cat <&3 >/tmp/v3.b 2>/tmp/err3 || gfail "v3: reading the rest of the open file: $(cat /tmp/err3)"
cat <&4 >/tmp/v2.b 2>/tmp/err4 || gfail "v2: reading the rest of the open file: $(cat /tmp/err4)"
echo "READ-DONE uptime=$(up)"
cd /
eq "v3: md5 of the deep file read across the restart" "$(cat /tmp/v3.a /tmp/v3.b | md5sum | cut -d' ' -f1)" "$BIGMD5"
eq "v2: md5 of the deep file read across the restart" "$(cat /tmp/v2.a /tmp/v2.b | md5sum | cut -d' ' -f1)" "$BIGMD5"
for m in v3 v2; do
	eq "$m: entries of a deep directory" "$(ls /mnt/$m/d044/d046 2>&1 | wc -l)" 47
	eq "$m: a file at the other end of the tree" "$(wc -c </mnt/$m/d000/d001/f002 2>&1)" 0
done
exec 3<&- 4<&-
dmesg | grep -i -E 'stale|nfs:' | tail -n 5
gumount v3
gumount v2
gend
EOF
} >"$G"

CON=$NFS_W/console.log
nfs_daemon_start dgram --export "$NFS_EXPORT"
nfs_vm_start "$G" "$CON" 500
if nfs_wait_console "$CON" RESTART-NOW 300; then
	nfs_daemon_stop
	sync
	echo 3 >/proc/sys/vm/drop_caches
	nfs_daemon_start dgram --export "$NFS_EXPORT" --nfs-cache-nodes 1024 --control "$CTL"
	echo go >"$NFS_EXPORT/go"
	nfs_log "restarted indynetd (cold page cache, node cache 1,024); go file created"
else
	nfs_check "guest reached the restart point" false
fi
nfs_vm_wait
rc=$?
STATS=$("$INDYNETD" --ctl "$CTL" stats 2>&1)
nfs_daemon_stop
grep -aE 'GUEST-|RESTART-NOW|GO-SEEN|READ-DONE' "$CON"
echo "daemon after the guest: $(tr ' ' '\n' <<<"$STATS" | grep '^nfs_' | tr '\n' ' ')"
nfs_expect_eq "guest script exit status" "$rc" 0
nfs_check "no 'Stale' on the guest console" sh -c "! grep -ai stale '$CON'"
stat_of() { tr ' ' '\n' <<<"$STATS" | sed -n "s/^nfs_$1=//p"; }
# root keeps CAP_DAC_READ_SEARCH in the sandbox: every old handle goes through the kernel's
# handle, with the dentry cache cold (a search here meant the sandbox refused the reconnection)
nfs_check "the new daemon resolved the old handles through the kernel's handle ($(stat_of handles_kernel))" \
	test "$(stat_of handles_kernel)" -gt 0
nfs_expect_eq "... and searched for none of them (searched + answered JUKEBOX)" \
	"$(($(stat_of handles_searched) + $(stat_of handles_jukebox)))" 0
nfs_check "its node cache stayed within 1,024 objects ($(stat_of nodes))" \
	test "$(stat_of nodes | cut -d/ -f1)" -le 1024
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
