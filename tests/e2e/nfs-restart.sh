#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-restart.sh: indynetd restarts under a mounted guest; open files, directories and writes go on with no ESTALE (v3 and v2).
#
# For each frontend in NFS_RESTART_FRONTENDS (default "dgram stream-connect": QEMU 7.2
# never reconnects a client-mode stream, so the guest is attached so that a new daemon
# can reach it) the host puts files in the export, the guest mounts it twice (v3 with
# lookupcache=positive so it sees the host's signal file at once, and v2), opens
# big.bin on both mounts (exec 3< / 4<) and an append fd (exec 5>>), reads the first
# 4 MiB, prints RESTART-NOW and waits for the file "go".  The host stops indynetd
# (SIGTERM), starts a new one on the same export and creates "go" (directly in the
# export).  The guest drops its caches, reads the rest of both open files (so the
# READs use the handles of the old daemon), lists the directories, appends through
# the old fd and to existing files, creates a new file, and compares md5s.  The host
# then checks the files' contents and that the console shows no "Stale".
# NFS_RESTART_PROTO=tcp mounts over TCP (nfs-restart-tcp.sh): the client's connection
# meets a daemon that never knew it, is reset, and the client reconnects.
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

mkdir -p "$NFS_EXPORT/dir1"
head -c $((8 * 1024 * 1024)) /dev/urandom >"$NFS_EXPORT/big.bin"
for i in 1 2 3 4 5; do echo "file $i" >"$NFS_EXPORT/dir1/f$i"; done
BIGMD5=$(md5sum <"$NFS_EXPORT/big.bin" | cut -d' ' -f1)

G=$NFS_W/guest.sh
{
	nfs_guest_prelude "$NFS_EXPORT"
	echo "BIGMD5=$BIGMD5"
	echo "GPROTO=${NFS_RESTART_PROTO:-udp}"
	cat <<'EOF'
chk() { _c=$1; shift; if "$@"; then gok "$_c"; else gfail "$_c"; fi; }
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }
gmount v3 vers=3,rsize=32768,wsize=32768,lookupcache=positive || { gfail "mount v3"; exit 1; }
gmount v2 vers=2,rsize=8192,wsize=8192 || { gfail "mount v2"; exit 1; }
for m in v3 v2; do ghasopt $m "proto=$GPROTO" && gok "$m: mounted over $GPROTO" || gfail "$m: not over $GPROTO: $(gmountopts $m)"; done
echo before >/mnt/v3/existing3.txt && echo before >/mnt/v2/existing2.txt || gfail "create existing files"
exec 3</mnt/v3/big.bin 4</mnt/v2/big.bin 5>>/mnt/v3/appended.txt
echo "line before restart" >&5
dd bs=1M count=4 of=/tmp/v3.a <&3 2>/dev/null || gfail "v3: first read"
dd bs=1M count=4 of=/tmp/v2.a <&4 2>/dev/null || gfail "v2: first read"
ls /mnt/v3/dir1 >/dev/null && ls /mnt/v2/dir1 >/dev/null || gfail "list dir1 before"
echo "RESTART-NOW uptime=$(up)"
i=0
while [ ! -e /mnt/v3/go ]; do
	i=$((i + 1))
	[ $i -gt 600 ] && { gfail "no go file from the host after 120 s"; exit 1; }
	sleep 0.2
done
echo "GO-SEEN uptime=$(up)"
echo 3 >/proc/sys/vm/drop_caches
cat <&3 >/tmp/v3.b 2>/tmp/err3 || gfail "v3: reading the rest of the open file: $(cat /tmp/err3)"
cat <&4 >/tmp/v2.b 2>/tmp/err4 || gfail "v2: reading the rest of the open file: $(cat /tmp/err4)"
eq "v3: md5 of the file read across the restart" "$(cat /tmp/v3.a /tmp/v3.b | md5sum | cut -d' ' -f1)" "$BIGMD5"
eq "v2: md5 of the file read across the restart" "$(cat /tmp/v2.a /tmp/v2.b | md5sum | cut -d' ' -f1)" "$BIGMD5"
eq "v3: md5 of big.bin reopened" "$(md5sum </mnt/v3/big.bin | cut -d' ' -f1)" "$BIGMD5"
for m in v3 v2; do
	eq "$m: listing dir1 after the restart" "$(ls /mnt/$m/dir1 2>&1 | tr '\n' ' ')" "f1 f2 f3 f4 f5 "
	eq "$m: reading dir1/f3 after the restart" "$(cat /mnt/$m/dir1/f3 2>&1)" "file 3"
done
chk "v3: write through the fd opened before the restart" sh -c 'echo "line after restart" >&5'
exec 5>&-
chk "v3: append to an existing file" sh -c 'echo after >>/mnt/v3/existing3.txt'
chk "v2: append to an existing file" sh -c 'echo after >>/mnt/v2/existing2.txt'
chk "v3: create a new file" sh -c 'echo new3 >/mnt/v3/dir1/new3'
chk "v2: create a new file" sh -c 'echo new2 >/mnt/v2/dir1/new2'
exec 3<&- 4<&-
eq "v3: content of appended.txt" "$(cat /mnt/v3/appended.txt | tr '\n' '|')" "line before restart|line after restart|"
dmesg | grep -i -E 'stale|nfs:' | tail -n 5
gumount v3
gumount v2
gend
EOF
} >"$G"

for fe in ${NFS_RESTART_FRONTENDS:-dgram stream-connect}; do
	echo "==== frontend $fe"
	CON=$NFS_W/console-$fe.log
	rm -f "$NFS_EXPORT/go" "$NFS_EXPORT"/existing*.txt "$NFS_EXPORT/appended.txt" "$NFS_EXPORT"/dir1/new*
	nfs_daemon_start "$fe" --export "$NFS_EXPORT"
	nfs_vm_start "$G" "$CON" 400
	if nfs_wait_console "$CON" RESTART-NOW 300; then
		nfs_daemon_stop
		nfs_daemon_start "$fe" --export "$NFS_EXPORT"
		echo go >"$NFS_EXPORT/go"
		nfs_log "restarted indynetd; go file created"
	else
		nfs_check "$fe: guest reached the restart point" false
	fi
	nfs_vm_wait
	rc=$?
	nfs_daemon_stop
	grep -aE 'GUEST-|RESTART-NOW|GO-SEEN' "$CON"
	nfs_expect_eq "$fe: guest script exit status" "$rc" 0
	nfs_check "$fe: no 'Stale' on the guest console" sh -c "! grep -ai stale '$CON'"
	nfs_expect_eq "$fe: host sees appended.txt" "$(tr '\n' '|' <"$NFS_EXPORT/appended.txt" 2>&1)" \
		"line before restart|line after restart|"
	nfs_expect_eq "$fe: host sees existing3.txt" "$(tr '\n' '|' <"$NFS_EXPORT/existing3.txt" 2>&1)" "before|after|"
	nfs_expect_eq "$fe: host sees existing2.txt" "$(tr '\n' '|' <"$NFS_EXPORT/existing2.txt" 2>&1)" "before|after|"
	nfs_expect_eq "$fe: host sees dir1/new3" "$(cat "$NFS_EXPORT/dir1/new3" 2>&1)" new3
	nfs_expect_eq "$fe: host sees dir1/new2" "$(cat "$NFS_EXPORT/dir1/new2" 2>&1)" new2
	[ "$NFS_FAILS" = 0 ] || { nfs_show_logs "$CON"; break; }
done
nfs_finish
