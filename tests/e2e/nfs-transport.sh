#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-transport.sh: --nfs-transport udp serves only UDP (a TCP mount fails), --nfs-transport tcp only TCP (a UDP mount fails).
#
# The UDP-capable guest (tests/vm: NFS modules rebuilt with UDP) on --qemu-dgram, so
# that indynetd can be replaced under it:
#   1. indynetd --nfs-transport udp: a v3 mount with proto=udp works and lists the
#      export; one with proto=tcp (portmap, MOUNT and NFS over TCP) fails.
#   2. the guest prints SWITCH-NOW; the host starts indynetd --nfs-transport tcp in
#      its place; the guest waits 10 s: proto=tcp mounts and lists, proto=udp fails.
# Usage: tests/e2e/nfs-transport.sh   (INDYNET_BUILD set)
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

echo hello >"$NFS_EXPORT/hello.txt"
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF2'
# works PROTO: mount over PROTO, read hello.txt, unmount
works() {
	GPROTO=$1 gmount "$1" vers=3 || { gfail "$1: mount over $1 failed"; return; }
	ghasopt "$1" "proto=$1" && gok "$1: mounted over $1" || gfail "$1: $(gmountopts "$1")"
	[ "$(cat "/mnt/$1/hello.txt")" = hello ] && gok "$1: hello.txt read" || gfail "$1: hello.txt"
	gumount "$1"
}
# refused PROTO: a mount over PROTO must fail
refused() {
	t0=$(up)
	if GPROTO=$1 gmount "no$1" "vers=3,soft,timeo=10,retrans=1" 2>/tmp/err; then
		gfail "$1: mounted over $1, which is switched off"
		umount "/mnt/no$1"
	else
		gok "$1: mount over $1 refused after $(echo "$(up) - $t0" | bc) s: $(cat /tmp/err)"
	fi
}
works udp
refused tcp
echo "SWITCH-NOW uptime=$(up)"
sleep 10
works tcp
refused udp
gend
EOF2
} >"$G"

nfs_daemon_start dgram --export "$NFS_EXPORT" --nfs-transport udp
nfs_vm_start "$G" "$CON" 600
if nfs_wait_console "$CON" SWITCH-NOW 400; then
	nfs_daemon_stop
	nfs_daemon_start dgram --export "$NFS_EXPORT" --nfs-transport tcp
	nfs_log "indynetd restarted with --nfs-transport tcp"
else
	nfs_check "the guest reached the switch" false
fi
nfs_vm_wait
rc=$?
nfs_daemon_stop
grep -aE 'GUEST-|SWITCH-NOW' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
for want in "udp: mounted over udp" "tcp: mount over tcp refused" "tcp: mounted over tcp" "udp: mount over udp refused"; do
	nfs_check "guest: $want" grep -aq "GUEST-OK: $want" "$CON"
done
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
