#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-faults.sh: host faults under a mounted Linux guest: a file made unreadable, a full disk, the export renamed away and back, indynetd SIGKILLed in a 64 MiB write.
#
# One guest boot (QEMU -netdev dgram, so that a new daemon reaches the same guest), the
# guest's kernel client on NFSv3 and NFSv2 over UDP.  indynetd runs as "nobody", as a
# user would run it: root bypasses the host's permission bits (CAP_DAC_OVERRIDE), so a
# file mode 000 stays readable to a daemon run as root; the client's credentials are
# never trusted for host access (docs/SECURITY.md), so what the guest may do is what
# the daemon's user may do.  The export is a directory on a small tmpfs (96 MiB, 400
# inodes) of which "ballast", beside the export, takes all but 6 MiB; the renamed-away
# export goes to "elsewhere/moved" with a sentinel beside it.
#
# Steps (the guest announces each on its console, the host acts, then creates a go-*
# file in the export or the guest polls for the effect):
#   perm     secret.bin (mode 000) and secretdir/ (000): "Permission denied" on v3 and
#            v2 (read, append, list), every other file unaffected;
#   nospc    a 16 MiB dd into the 6 MiB left: "No space left on device"; CREATE until
#            the inodes run out: "No space left on device"; files written before keep
#            their md5; once the guest removed its fill, writes and creates succeed;
#   rename   the host renames the export away: the guest's calls fail cleanly (Stale
#            file handle or Input/output error, none hangs), nothing is created in the
#            moved directory nor beside it; renamed back: the service resumes, the
#            files keep their md5, a file opened before reads on;
#   kill     (ballast removed) dd of 64 MiB; the host SIGKILLs indynetd once 16 MiB
#            reached the export and starts a new one on the same export: dd completes
#            or fails with an error, a rewrite of the whole file matches its md5 on the
#            host and read back in the guest (caches dropped), and descriptors opened
#            before the kill read and append on.
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"
T0=$(date +%s)

FS=$NFS_W/fs
mkdir -p "$FS"
mount -t tmpfs -o size=96m,nr_inodes=400,mode=0755 flt0fs "$FS" || nfs_die "mount the tmpfs"
NFS_EXPORT=$FS/export
mkdir -p "$NFS_EXPORT/secretdir" "$FS/elsewhere"
echo "sentinel" >"$FS/elsewhere/sentinel"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$NFS_EXPORT/open.bin"
echo "hidden" >"$NFS_EXPORT/secretdir/inner"
echo "secret" >"$NFS_EXPORT/secret.bin"
OPENMD5=$(md5sum <"$NFS_EXPORT/open.bin" | cut -d' ' -f1)
chown -R nobody:nogroup "$NFS_EXPORT"
chmod 000 "$NFS_EXPORT/secret.bin" "$NFS_EXPORT/secretdir"
avail=$(df -B1 --output=avail "$FS" | tail -n1)
head -c $((avail - 6 * 1024 * 1024)) /dev/zero >"$FS/ballast" || nfs_die "ballast"
nfs_log "tmpfs: $(df -h --output=size,used,avail "$FS" | tail -n1), export owned by nobody"
# indynetd as nobody: its sockets live in NFS_W; QEMU's datagram socket must be writable by it
chmod 1777 "$NFS_W"
REAL_INDYNETD=$INDYNETD
cat >"$NFS_W/indynetd-nobody" <<EOF
#!/bin/sh
exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$REAL_INDYNETD" "\$@"
EOF
chmod 755 "$NFS_W/indynetd-nobody"
INDYNETD=$NFS_W/indynetd-nobody

G=$NFS_W/guest.sh
{
	nfs_guest_prelude "$NFS_EXPORT"
	echo "OPENMD5=$OPENMD5"
	cat <<'EOF'
chk() { _c=$1; shift; if "$@"; then gok "$_c"; else gfail "$_c"; fi; }
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }
# errmsg TEXT CMD...: CMD fails and its stderr contains TEXT
errmsg() { _t=$1; shift; if "$@" >/dev/null 2>/tmp/em; then gfail "$* succeeded, want '$_t'";
	elif grep -q "$_t" /tmp/em; then gok "$* -> $_t"; else gfail "$*: '$(cat /tmp/em)', want '$_t'"; fi; }
# in 1 MiB reads: with actimeo=0 the client revalidates (GETATTR) on every read()
md5() { dd if="$1" bs=1M 2>/dev/null | md5sum | cut -d' ' -f1; }
waitgo() { _i=0; while [ ! -e "/mnt/v3/go-$1" ]; do _i=$((_i + 1)); [ $_i -gt 900 ] && { gfail "no go-$1 from the host in 180 s"; return 1; }; sleep 0.2; done; }
step() { echo "STEP-$1 uptime=$(up)"; }
gmount v3 vers=3,rsize=32768,wsize=32768,actimeo=0,lookupcache=none || { gfail "mount v3"; exit 1; }
gmount v2 vers=2,rsize=8192,wsize=8192,actimeo=0 || { gfail "mount v2"; exit 1; }

dd if=/dev/urandom of=/tmp/pre bs=64k count=16 2>/dev/null
step perm
for m in v3 v2; do
	errmsg "Permission denied" cat /mnt/$m/secret.bin
	errmsg "Permission denied" dd if=/tmp/pre of=/mnt/$m/secret.bin bs=4k conv=notrunc,fsync
	errmsg "Permission denied" cat /mnt/$m/secretdir/inner
	# busybox ls takes a failed readdir() for the end of the listing: nothing may show
	eq "$m: listing of the unreadable directory" "$(ls -A /mnt/$m/secretdir 2>&1)" ""
	eq "$m: open.bin beside it reads" "$(md5 /mnt/$m/open.bin)" "$OPENMD5"
	chk "$m: the listing shows secret.bin" ls /mnt/$m/secret.bin
done
chk "v3: create beside the unreadable file" sh -c 'echo fine >/mnt/v3/fine.txt'
eq "v2: reads it" "$(cat /mnt/v2/fine.txt)" fine

step nospc
cp /tmp/pre /mnt/v3/pre.bin || gfail "write pre.bin"
PREMD5=$(md5 /tmp/pre)
errmsg "No space left on device" dd if=/dev/zero of=/mnt/v3/fill.bin bs=1M count=16 conv=fsync
errmsg "No space left on device" dd if=/dev/zero of=/mnt/v2/fill2.bin bs=8k count=2048 conv=fsync
i=0
while touch /mnt/v3/n$i 2>/tmp/terr; do i=$((i + 1)); [ $i -gt 600 ] && break; done
echo "created $i files before: $(cat /tmp/terr)"
chk "v3: CREATE with no inodes left -> No space left on device" grep -q "No space left on device" /tmp/terr
errmsg "No space left on device" mkdir /mnt/v2/nodir
echo 3 >/proc/sys/vm/drop_caches
eq "v3: pre.bin after the disk filled" "$(md5 /mnt/v3/pre.bin)" "$PREMD5"
eq "v2: open.bin after the disk filled" "$(md5 /mnt/v2/open.bin)" "$OPENMD5"
rm -f /mnt/v3/fill.bin /mnt/v2/fill2.bin /mnt/v3/n* || gfail "rm the fill"
chk "v3: a 2 MiB write after space was freed" dd if=/tmp/pre of=/mnt/v3/after.bin bs=64k conv=fsync
chk "v2: a create after space was freed" sh -c 'echo ok >/mnt/v2/after2.txt'
echo 3 >/proc/sys/vm/drop_caches
eq "v3: after.bin" "$(md5 /mnt/v3/after.bin)" "$PREMD5"

exec 3</mnt/v3/open.bin
dd bs=1M count=1 of=/tmp/o.a <&3 2>/dev/null || gfail "read 1 MiB of open.bin"
step rename
i=0
while ls /mnt/v3 >/dev/null 2>&1; do i=$((i + 1)); [ $i -gt 600 ] && { gfail "the export still answers 120 s after STEP-rename"; break; }; sleep 0.2; done
echo "AWAY-SEEN uptime=$(up) $(ls /mnt/v3 2>&1)"
for m in v3 v2; do
	for c in "ls /mnt/$m" "cat /mnt/$m/open.bin" "touch /mnt/$m/created-while-away" "mkdir /mnt/$m/dir-while-away" \
		"rm /mnt/$m/fine.txt" "mv /mnt/$m/pre.bin /mnt/$m/moved.bin"; do
		if timeout 60 sh -c "$c" >/dev/null 2>/tmp/em; then gfail "$c succeeded while the export is away"
		elif grep -qE "Stale file handle|Input/output error" /tmp/em; then gok "$c while away -> $(head -n1 /tmp/em)"
		else gfail "$c while away: '$(cat /tmp/em)'"; fi
	done
done
step renamed-seen
i=0
while ! ls /mnt/v3/open.bin >/dev/null 2>&1; do i=$((i + 1)); [ $i -gt 900 ] && { gfail "no service 180 s after renamed-seen"; break; }; sleep 0.2; done
echo "BACK-SEEN uptime=$(up)"
echo 3 >/proc/sys/vm/drop_caches
for m in v3 v2; do
	eq "$m: open.bin after the export came back" "$(md5 /mnt/$m/open.bin)" "$OPENMD5"
	eq "$m: pre.bin after the export came back" "$(md5 /mnt/$m/pre.bin)" "$PREMD5"
done
dd bs=1M <&3 >/tmp/o.b 2>/tmp/em || gfail "read on through the fd opened before the rename: $(cat /tmp/em)"
eq "v3: open.bin read across the rename" "$(cat /tmp/o.a /tmp/o.b | md5sum | cut -d' ' -f1)" "$OPENMD5"
exec 3<&-
chk "v3: create after the export came back" sh -c 'echo back >/mnt/v3/back.txt'

step kill-ready
waitgo kill
dd if=/dev/urandom of=/tmp/src bs=1M count=64 2>/dev/null
SRCMD5=$(md5 /tmp/src)
echo "SRCMD5=$SRCMD5"
exec 3</mnt/v3/open.bin 4>>/mnt/v3/log.txt 5</mnt/v2/open.bin
dd bs=1M count=1 of=/tmp/o.a <&3 2>/dev/null
dd bs=8k count=128 of=/tmp/o2.a <&5 2>/dev/null
echo "before kill" >&4
step kill-now
t0=$(up)
timeout 400 dd if=/tmp/src of=/mnt/v3/big.bin bs=1M conv=fsync 2>/tmp/dderr
rc=$?
echo "FIRST-DD rc=$rc from $t0 to $(up): $(tail -n1 /tmp/dderr)"
chk "the dd across the kill ended within 400 s (rc $rc)" test "$rc" != 124
[ "$rc" = 0 ] || chk "the failed dd says why" test -s /tmp/dderr
chk "rewrite of the whole 64 MiB after the restart" dd if=/tmp/src of=/mnt/v3/big.bin bs=1M conv=fsync
# read back over the wire (caches dropped); 400-500 s before fe_dgram waited for QEMU's queue by POLLOUT
sync
echo 3 >/proc/sys/vm/drop_caches
t0=$(up)
eq "v3: the rewrite read back in the guest" "$(timeout 300 md5sum </mnt/v3/big.bin | cut -d' ' -f1)" "$SRCMD5"
echo "READBACK 64 MiB in $(echo "$(up) - $t0" | bc) s"
dd bs=1M <&3 >/tmp/o.b 2>/tmp/em || gfail "v3: read on through the fd opened before the kill: $(cat /tmp/em)"
dd bs=1M <&5 >/tmp/o2.b 2>/tmp/em || gfail "v2: read on through the fd opened before the kill: $(cat /tmp/em)"
eq "v3: open.bin read across the kill" "$(cat /tmp/o.a /tmp/o.b | md5sum | cut -d' ' -f1)" "$OPENMD5"
eq "v2: open.bin read across the kill" "$(cat /tmp/o2.a /tmp/o2.b | md5sum | cut -d' ' -f1)" "$OPENMD5"
chk "append through the fd opened before the kill" sh -c 'echo "after kill" >&4'
exec 3<&- 4>&- 5<&-
eq "log.txt" "$(cat /mnt/v3/log.txt | tr '\n' '|')" "before kill|after kill|"
dmesg | grep -i nfs | tail -n 8
gumount v3
gumount v2
gend
EOF
} >"$G"

CON=$NFS_W/console.log
daemon_rss() { # VmRSS (KiB) of the indynetd that timeout(1) runs for nfs_daemon_start
	awk '/^VmRSS:/ {print $2}' "/proc/$(pgrep -P "$NFS_DPID" -x indynetd)/status"
}
# wall time of each step, from the guest's STEP lines as the host sees them
step_at() { nfs_wait_console "$CON" "STEP-$1 " "$2" && date +%s; }
nfs_daemon_start dgram --export "$NFS_EXPORT"
sleep 0.5
rss_idle=$(daemon_rss)
umask 000   # QEMU's datagram socket: writable by the daemon's user
nfs_vm_start "$G" "$CON" 1500
umask 022
tb=$(date +%s)
t_perm=$(step_at perm 400) || nfs_check "guest reached STEP-perm" false
t_nospc=$(step_at nospc 300)
t_ren=$(step_at rename 600)
if [ -n "$t_ren" ]; then
	# names, sizes, modes and mtimes of its entries ("." and ".." change with the rename itself)
	before=$(cd "$NFS_EXPORT" && ls -lA --time-style=+%s.%N | md5sum)
	mv "$NFS_EXPORT" "$FS/elsewhere/moved" || nfs_die "rename the export away"
	nfs_log "export renamed to $FS/elsewhere/moved"
	nfs_wait_console "$CON" "STEP-renamed-seen" 400 || nfs_check "guest saw the export away" false
	nfs_expect_eq "nothing created beside the moved export" "$(ls "$FS/elsewhere" | tr '\n' ' ')" "moved sentinel "
	nfs_expect_eq "sentinel beside it untouched" "$(cat "$FS/elsewhere/sentinel")" sentinel
	nfs_expect_eq "moved export unchanged while away" "$(cd "$FS/elsewhere/moved" && ls -lA --time-style=+%s.%N | md5sum)" "$before"
	mv "$FS/elsewhere/moved" "$NFS_EXPORT" || nfs_die "rename the export back"
	nfs_log "export renamed back"
fi
t_kill=$(step_at kill-ready 400)
if [ -n "$t_kill" ]; then
	rm -f "$FS/ballast"
	echo go >"$NFS_EXPORT/go-kill"
	nfs_wait_console "$CON" "STEP-kill-now" 300
	for i in $(seq 1 1200); do
		[ "$(stat -c %s "$NFS_EXPORT/big.bin" 2>/dev/null || echo 0)" -ge $((16 * 1024 * 1024)) ] && break
		sleep 0.1
	done
	nfs_log "big.bin at $(stat -c %s "$NFS_EXPORT/big.bin" 2>/dev/null) bytes: SIGKILL indynetd"
	kill -KILL "$(pgrep -P "$NFS_DPID" -x indynetd)"   # the daemon, not timeout(1) running it
	wait "$NFS_DPID" 2>/dev/null
	nfs_check "the SIGKILLed indynetd is gone" sh -c "! pgrep -u nobody -x indynetd >/dev/null"
	nfs_daemon_start dgram --export "$NFS_EXPORT"
	nfs_log "new indynetd started"
fi
nfs_vm_wait
rc=$?
t_end=$(date +%s)
rss_after=$(daemon_rss)
nfs_log "indynetd RSS: idle ${rss_idle} KiB; the restarted daemon after writing 64 MiB twice" \
	"${rss_after} KiB"
nfs_daemon_stop
grep -aE 'GUEST-|STEP-|SEEN|FIRST-DD|created ' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
SRCMD5=$(nfs_console_value "$CON" SRCMD5)
nfs_expect_eq "host: big.bin matches the guest's source" "$(md5sum <"$NFS_EXPORT/big.bin" | cut -d' ' -f1)" "$SRCMD5"
nfs_expect_eq "host: secret.bin untouched" "$(cat "$NFS_EXPORT/secret.bin")" secret
nfs_expect_eq "host: back.txt" "$(cat "$NFS_EXPORT/back.txt" 2>&1)" back
nfs_check "host: nothing was created while the export was away" \
	sh -c "! ls -d '$NFS_EXPORT'/created-while-away '$NFS_EXPORT'/dir-while-away 2>/dev/null | grep -c . >/dev/null"
nfs_check "host: no crash in the daemon logs" sh -c "! grep -aiE 'sanitizer|runtime error|segfault' '$NFS_W'/indynetd.*.log"
nfs_log "wall: boot+mount $((${t_perm:-tb} - tb)) s, perm $((${t_nospc:-tb} - ${t_perm:-tb})) s," \
	"nospc $((${t_ren:-tb} - ${t_nospc:-tb})) s, rename $((${t_kill:-tb} - ${t_ren:-tb})) s," \
	"kill $((t_end - ${t_kill:-t_end})) s, whole test $((t_end - T0)) s"
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
umount "$FS" 2>/dev/null
nfs_finish
