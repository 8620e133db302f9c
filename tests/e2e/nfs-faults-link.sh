#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-faults-link.sh: QEMU's stream connection dropped and re-made in the middle of NFS transfers (indynetd --qemu-stream-connect): md5 identical.
#
# QEMU listens (-netdev stream,server=on); indynetd --qemu-stream-connect reaches it
# through socat (UNIX-LISTEN,fork -> QEMU's socket), so killing socat's child for the
# current connection drops the stream on both sides at once, as a QEMU that closes its
# socket would: QEMU listens again, indynetd reconnects (100 ms backoff), socat forks a
# new child.  The guest mounts NFSv3 over UDP and over TCP (the TCP connection ends
# inside indynetd, so it survives the drop: only frames are lost), then
#   write  dd of 48 MiB over UDP (conv=fsync): the host drops the connection at 8 and
#          at 24 MiB of the file on the host;
#   read   a 48 MiB host file over TCP in 4 chunks of 12 MiB: the host drops the
#          connection as the second and as the third chunk start; md5 compared;
# each drop must come before the guest finished that transfer (else the check fails),
# and the md5s match on both sides.  (--qemu-dgram has no connection to drop: a new
# daemon on the same datagram socket in the middle of a 64 MiB write is
# nfs-faults.sh's kill step.)
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"
t_need_cmd socat
T0=$(date +%s)

head -c $((48 * 1024 * 1024)) /dev/urandom >"$NFS_EXPORT/host.bin"
HOSTMD5=$(md5sum <"$NFS_EXPORT/host.bin" | cut -d' ' -f1)

G=$NFS_W/guest.sh
{
	nfs_guest_prelude "$NFS_EXPORT"
	echo "HOSTMD5=$HOSTMD5"
	cat <<'EOF'
chk() { _c=$1; shift; if "$@"; then gok "$_c"; else gfail "$_c"; fi; }
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }
gmount udp vers=3,rsize=32768,wsize=32768 || { gfail "mount v3/udp"; exit 1; }
GPROTO=tcp gmount tcp vers=3,rsize=65536,wsize=65536 || { gfail "mount v3/tcp"; exit 1; }
dd if=/dev/urandom of=/tmp/src bs=1M count=48 2>/dev/null
SRCMD5=$(md5sum </tmp/src | cut -d' ' -f1)
echo "SRCMD5=$SRCMD5"
echo "STEP-write uptime=$(up)"
chk "48 MiB written over UDP across two drops" timeout 300 dd if=/tmp/src of=/mnt/udp/guest.bin bs=1M conv=fsync
echo "STEP-read uptime=$(up)"
: >/tmp/r
for i in 0 1 2 3; do
	echo "READ-CHUNK-$i uptime=$(up)"
	timeout 120 dd if=/mnt/tcp/host.bin bs=1M count=12 skip=$((i * 12)) 2>/dev/null >>/tmp/r || gfail "read chunk $i"
done
eq "md5 of the 48 MiB read over TCP across two drops" "$(md5sum </tmp/r | cut -d' ' -f1)" "$HOSTMD5"
echo "STEP-done uptime=$(up)"
echo 3 >/proc/sys/vm/drop_caches
eq "md5 of guest.bin read back over TCP" "$(md5sum </mnt/tcp/guest.bin | cut -d' ' -f1)" "$SRCMD5"
gumount udp
gumount tcp
gend
EOF
} >"$G"

CON=$NFS_W/console.log
DROPS=0
drop() { # drop WHY NEXT_STEP: kill socat's child for the current connection, before the guest reached NEXT_STEP
	local c
	c=$(pgrep -P "$SOCAT_PID")
	[ -n "$c" ] || { nfs_log "no connection to drop ($1)"; return; }
	kill $c
	if grep -aq "STEP-$2 " "$CON"; then
		nfs_check "the drop ($1) came in the middle of the transfer" false
		return
	fi
	DROPS=$((DROPS + 1))
	nfs_log "dropped the stream connection ($1)"
}
size_at_least() { # size_at_least FILE MiB SECS
	local i
	for i in $(seq 1 $(($3 * 10))); do
		[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge $(($2 * 1024 * 1024)) ] && return 0
		sleep 0.1
	done
	return 1
}
nfs_daemon_start stream-connect --export "$NFS_EXPORT"
socat UNIX-LISTEN:"$NFS_W/qemu-listen.sock",fork UNIX-CONNECT:"$NFS_W/qemu-real.sock" 2>"$NFS_W/socat.log" &
SOCAT_PID=$!
NFS_VMNET=stream-connect:$NFS_W/qemu-real.sock
nfs_vm_start "$G" "$CON" 900
tb=$(date +%s)
if nfs_wait_console "$CON" "STEP-write" 400; then
	tw=$(date +%s)
	size_at_least "$NFS_EXPORT/guest.bin" 8 200 && drop "write, 8 MiB on the host" read
	size_at_least "$NFS_EXPORT/guest.bin" 24 200 && drop "write, 24 MiB on the host" read
else
	nfs_check "guest reached the write step" false
fi
if nfs_wait_console "$CON" "STEP-read" 400; then
	tr=$(date +%s)
	nfs_wait_console "$CON" "READ-CHUNK-1 " 200 && drop "read, second 12 MiB" done
	nfs_wait_console "$CON" "READ-CHUNK-2 " 200 && drop "read, third 12 MiB" done
fi
nfs_wait_console "$CON" "STEP-done" 400 && td=$(date +%s)
nfs_vm_wait
rc=$?
t_end=$(date +%s)
kill "$SOCAT_PID" 2>/dev/null
nfs_daemon_stop
grep -aE 'GUEST-|STEP-' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
nfs_expect_eq "connections dropped" "$DROPS" 4
nfs_check "indynetd reconnected after each drop ($(grep -c 'connected' "$NFS_DLOG") 'connected' lines)" \
	test "$(grep -c 'connected' "$NFS_DLOG")" -ge 5
nfs_expect_eq "host: guest.bin matches the guest's source" "$(md5sum <"$NFS_EXPORT/guest.bin" | cut -d' ' -f1)" \
	"$(nfs_console_value "$CON" SRCMD5)"
nfs_log "wall: boot+mount $((${tw:-tb} - tb)) s, write $((${tr:-tb} - ${tw:-tb})) s, read $((${td:-tb} - ${tr:-tb})) s," \
	"whole test $((t_end - T0)) s"
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
