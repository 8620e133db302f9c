#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-mapped.sh: --attr-model mapped keeps the guest's owners, modes and special files (chown, setuid, mknod, mkfifo, tar -xp) on v3 and v2.
#
# indynetd --export DIR --attr-model mapped.  For each version the guest, in its own
# directory: chowns a file to 1234:5678 with mode 4751, chowns a directory, creates
# a character device (4,64), a block device (8,1) and a FIFO, and extracts a tar
# archive (tar -xp) whose members belong to 100:200 and 300:400.  After a remount
# (caches dropped) every owner, mode, type and device number must read back as set.
# On the host the export's files stay owned by the daemon's user, and each carries
# the guest's owner in its user.indynet.attr extended attribute.
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"
command -v python3 >/dev/null || nfs_skip "no python3 (reads the xattrs)"
python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.t", b"1"); os.removexattr(sys.argv[1], "user.t")' "$NFS_EXPORT" 2>/dev/null ||
	nfs_skip "the filesystem under $NFS_EXPORT has no user xattrs"

G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF'
chk() { _c=$1; shift; if "$@"; then gok "$_c"; else gfail "$_c"; fi; }
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }
mkdir -p /tmp/src/tree && echo a >/tmp/src/tree/a && echo b >/tmp/src/tree/b
chown 100:200 /tmp/src/tree/a && chown 300:400 /tmp/src/tree/b && chmod 640 /tmp/src/tree/b
(cd /tmp/src && tar cf /tmp/t.tar tree) || gfail "tar cf"
for c in "v3 vers=3" "v2 vers=2"; do
	set -- $c
	t=$1 d=/mnt/$1/$1
	gmount "$t" "$2" || { gfail "$t: mount -o $2"; continue; }
	mkdir "$d" || gfail "$t: mkdir"
	echo x >"$d/owned" && chk "$t: chown 1234:5678" chown 1234:5678 "$d/owned"
	chk "$t: chmod 4751" chmod 4751 "$d/owned"
	mkdir "$d/dir" && chk "$t: chown a directory 42:43" chown 42:43 "$d/dir"
	chk "$t: mknod c 4 64" mknod "$d/tty" c 4 64
	chk "$t: mknod b 8 1" mknod "$d/disk" b 8 1
	chk "$t: mkfifo" mkfifo "$d/fifo"
	chk "$t: tar -xp" tar -x -p -f /tmp/t.tar -C "$d"
	gumount "$t" || continue
	gmount "$t" "$2" || { gfail "$t: remount"; continue; }
	eq "$t: owner, group, mode of owned" "$(stat -c '%u %g %a' "$d/owned")" "1234 5678 4751"
	eq "$t: owner of dir" "$(stat -c '%u %g %F' "$d/dir")" "42 43 directory"
	eq "$t: char device" "$(stat -c '%F %t %T' "$d/tty")" "character special file 4 40"
	eq "$t: block device" "$(stat -c '%F %t %T' "$d/disk")" "block special file 8 1"
	eq "$t: fifo" "$(stat -c '%F' "$d/fifo")" "fifo"
	eq "$t: tar member a" "$(stat -c '%u %g' "$d/tree/a")" "100 200"
	eq "$t: tar member b" "$(stat -c '%u %g %a' "$d/tree/b")" "300 400 640"
	eq "$t: tar content" "$(cat "$d/tree/a" "$d/tree/b" | tr '\n' ' ')" "a b "
	gumount "$t"
done
gend
EOF
} >"$G"

nfs_daemon_start stream --export "$NFS_EXPORT" --attr-model mapped
nfs_vm_run "$G" "$CON" 400
rc=$?
nfs_daemon_stop
grep -aE 'GUEST-FAIL|GUEST-SUMMARY' "$CON"
echo "($(grep -ac GUEST-OK "$CON") guest checks passed)"
nfs_expect_eq "guest script exit status" "$rc" 0

# xattr FILE: the guest attributes the server stored for FILE ("" when none)
xattr() { python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.indynet.attr", follow_symlinks=False).decode())' "$1" 2>/dev/null; }
me="$(id -u) $(id -g)"
for t in v3 v2; do
	d=$NFS_EXPORT/$t
	[ -d "$d" ] || { nfs_check "$t: $d exists on the host" false; continue; }
	nfs_expect_eq "$t: host owner of owned stays the daemon's" "$(stat -c '%u %g' "$d/owned")" "$me"
	nfs_expect_eq "$t: owned's xattr starts with the guest owner" "$(xattr "$d/owned" | cut -d' ' -f1-2)" "1234 5678"
	nfs_expect_eq "$t: dir's xattr starts with the guest owner" "$(xattr "$d/dir" | cut -d' ' -f1-2)" "42 43"
	nfs_expect_eq "$t: tree/b's xattr starts with the guest owner" "$(xattr "$d/tree/b" | cut -d' ' -f1-2)" "300 400"
	nfs_check "$t: the device nodes are not devices on the host" test ! -c "$d/tty" -a ! -b "$d/disk"
	nfs_check "$t: the device nodes carry an xattr" test -n "$(xattr "$d/tty")" -a -n "$(xattr "$d/disk")"
done
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
