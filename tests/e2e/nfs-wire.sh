#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-wire.sh: wire check — every RPC reply of a v2 + v3 session captured by indynetd --capture-file decodes in tshark without malformed packets or expert errors.
#
# indynetd --export DIR --capture-file cap.pcapng; the guest mounts v3 (32 KiB, via the
# portmapper) and v2 (8 KiB) and uses most procedures: NULL/GETPORT, MNT/UMNT, FSINFO,
# PATHCONF, FSSTAT/STATFS (df), GETATTR, SETATTR (chmod, touch -d, truncate), LOOKUP,
# ACCESS, READ/WRITE (1 MiB, so replies and calls leave and arrive IP-fragmented),
# COMMIT, CREATE, MKDIR, SYMLINK, READLINK, LINK, RENAME, REMOVE, RMDIR, MKNOD (a FIFO),
# READDIR and READDIRPLUS over a 300-entry directory.  Then tshark must find:
#   - no "_ws.malformed" frame and no expert info of severity error;
#   - RPC replies decoded for portmap (100000), MOUNT (100005) and NFS (100003) v2 and v3;
#   - NFSv2 READDIR replies fit 1472 bytes of UDP payload (IRIX) whatever count asks;
#   - every reply accepted (no MSG_DENIED, accept_stat SUCCESS), every call answered
#     (tshark two-pass: no call without a reply frame).  NFSACL (100227), which the
#     Linux client probes, may answer PROG_UNAVAIL.
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"
t_need_cmd tshark

CAP=$NFS_W/cap.pcapng
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF'
head -c 1048576 /dev/urandom >/tmp/r.bin
for c in "v3 vers=3,rsize=32768,wsize=32768" "v2 vers=2,rsize=8192,wsize=8192"; do
	set -- $c
	t=$1 m=/mnt/$1
	gmount "$t" "$2" || { gfail "$t: mount -o $2"; continue; }
	df "$m" >/dev/null || gfail "$t: df"
	mkdir "$m/$t" && cd "$m/$t" || { gfail "$t: mkdir"; continue; }
	cp /tmp/r.bin r.bin && sync || gfail "$t: write"
	chmod 600 r.bin && touch -d '2010-10-10 10:10:10' r.bin || gfail "$t: setattr"
	ln -s r.bin sl && [ "$(readlink sl)" = r.bin ] || gfail "$t: symlink/readlink"
	ln r.bin hl || gfail "$t: link"
	mv hl hl2 && rm hl2 || gfail "$t: rename/remove"
	mkdir dd && rmdir dd || gfail "$t: mkdir/rmdir"
	mkfifo fifo 2>/dev/null && rm fifo
	echo abcdef >tr && truncate -s 2 tr || gfail "$t: truncate"
	mkdir many && i=1
	while [ $i -le 300 ]; do : >"many/entry-with-a-longer-name-$i"; i=$((i + 1)); done
	cd /
	gumount "$t"
	gmount "$t" "$2" || { gfail "$t: remount"; continue; }
	cmp /tmp/r.bin "$m/$t/r.bin" || gfail "$t: read back differs"
	[ "$(ls "$m/$t/many" | wc -l)" = 300 ] || gfail "$t: ls many"
	[ "$(ls -l "$m/$t/many" | grep -c entry-)" = 300 ] || gfail "$t: ls -l many"
	gumount "$t" && gok "$t: session done"
done
gend
EOF
} >"$G"

nfs_daemon_start stream --export "$NFS_EXPORT" --capture-file "$CAP"
nfs_vm_run "$G" "$CON" 400
rc=$?
nfs_daemon_stop
grep -aE 'GUEST-' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
[ -s "$CAP" ] || nfs_die "no capture file $CAP"

nfs_wire_check "$CAP" 2 3
nfs_check "portmap was used" test "$(nfs_wire_count 'rpc.program == 100000')" -gt 0
nfs_expect_eq "NFSv3 READ replies with data decoded" \
	"$(nfs_wire_count 'nfs.procedure_v3 == 6 && rpc.msgtyp == 1 && nfs.data' | awk '{print ($1 > 0)}')" 1
nfs_expect_eq "NFSv2 READ replies with data decoded" \
	"$(nfs_wire_count 'nfs.procedure_v2 == 6 && rpc.msgtyp == 1 && nfs.data' | awk '{print ($1 > 0)}')" 1
nfs_expect_eq "NFSv2 READDIR replies decoded" \
	"$(nfs_wire_count 'nfs.procedure_v2 == 16 && rpc.msgtyp == 1' | awk '{print ($1 > 0)}')" 1
nfs_expect_eq "NFSv3 READDIRPLUS replies decoded" \
	"$(nfs_wire_count 'nfs.procedure_v3 == 17 && rpc.msgtyp == 1' | awk '{print ($1 > 0)}')" 1
if [ "$NFS_FAILS" != 0 ]; then
	NFS_KEEP=1
	nfs_show_logs "$CON"
fi
nfs_finish
