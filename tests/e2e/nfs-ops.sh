#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-ops.sh: namespace operations through the Linux NFS client on v3 and v2 (mkdir … 2,000-entry READDIR), checked in the guest and in the host's export.
#
# For each version (v3 with port=2049,mountport=1234; v2 via the portmapper) the guest
# works in its own directory <export>/<tag>: mkdir (nested), rename (also over an
# existing file), remove, rmdir, symlink + readlink, hard link, chmod (file and
# directory), touch -d, truncate (shrink and grow), and creates 2,000 files in one
# directory.  It then unmounts (caches dropped), mounts again and checks everything
# from the server's answers: attributes, link counts, the 2,000-entry listing complete
# with no duplicates.  The host then checks its own view of the export: names, modes,
# link counts, inode identity of the hard link, mtime of touch -d, sizes and contents,
# and that the guest's and the host's numbers agree.  The session is captured
# (--capture-file) and goes through the tshark wire check of lib-nfs.sh.
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

NFILES=2000
MTIME_TXT='2001-02-03 04:05:06'
MTIME=$(TZ=UTC date -d "$MTIME_TXT" +%s)
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<EOF
NFILES=$NFILES MTIME_TXT='$MTIME_TXT' MTIME=$MTIME
EOF
	cat <<'EOF'
export TZ=UTC
# chk DESC CMD...: gok/gfail on CMD's status
chk() { _c=$1; shift; if "$@"; then gok "$_c"; else gfail "$_c"; fi; }
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }

# make TAG: the modifying operations
make_ops() {
	d=/mnt/$1/$1
	chk "$1: mkdir" mkdir "$d"
	chk "$1: mkdir nested" sh -c "mkdir '$d/kept' && mkdir '$d/kept/sub'"
	chk "$1: chmod 750 dir" chmod 750 "$d/kept"
	echo "renamed content $1" >"$d/orig" || gfail "$1: create orig"
	chk "$1: rename" mv "$d/orig" "$d/renamed"
	chk "$1: source gone after rename" test ! -e "$d/orig"
	echo old >"$d/target" && echo new >"$d/replacer"
	chk "$1: rename over an existing file" mv "$d/replacer" "$d/target"
	eq "$1: content after rename-over" "$(cat "$d/target")" new
	echo gone >"$d/removed"
	chk "$1: remove" rm "$d/removed"
	chk "$1: removed file is gone" test ! -e "$d/removed"
	mkdir "$d/rmd" || gfail "$1: mkdir rmd"
	chk "$1: rmdir" rmdir "$d/rmd"
	chk "$1: rmdir of a non-empty dir fails" sh -c "! rmdir '$d/kept' 2>/dev/null"
	chk "$1: symlink" ln -s renamed "$d/sl"
	chk "$1: hard link" ln "$d/renamed" "$d/hl"
	echo m >"$d/modes" && chk "$1: chmod 640" chmod 640 "$d/modes"
	chk "$1: touch -d" touch -d "$MTIME_TXT" "$d/touched"
	head -c 100000 /dev/urandom >"$d/shrink" && chk "$1: truncate shrink" truncate -s 1234 "$d/shrink"
	printf abc >"$d/grow" && chk "$1: truncate grow" truncate -s 70000 "$d/grow"
	mkdir "$d/big" || gfail "$1: mkdir big"
	t0=$(up)
	i=1
	while [ $i -le $NFILES ]; do
		: >"$d/big/f$i" || { gfail "$1: create big/f$i"; break; }
		i=$((i + 1))
	done
	echo "TIME-$1-create$NFILES=$(echo "$(up) - $t0" | bc)"
}

# verify TAG: after a remount, everything from the server's answers
verify_ops() {
	d=/mnt/$1/$1
	eq "$1: mode of kept" "$(stat -c %a "$d/kept")" 750
	eq "$1: nlink of kept (has sub)" "$(stat -c %h "$d/kept")" 3
	chk "$1: sub is a directory" test -d "$d/kept/sub"
	eq "$1: content of renamed" "$(cat "$d/renamed")" "renamed content $1"
	chk "$1: orig, removed, rmd absent" sh -c "! ls -d '$d/orig' '$d/removed' '$d/rmd' 2>/dev/null"
	chk "$1: sl is a symlink" test -L "$d/sl"
	eq "$1: readlink sl" "$(readlink "$d/sl")" renamed
	eq "$1: read through the symlink" "$(cat "$d/sl")" "renamed content $1"
	eq "$1: nlink of renamed" "$(stat -c %h "$d/renamed")" 2
	eq "$1: hl is the same inode" "$(stat -c %i "$d/hl")" "$(stat -c %i "$d/renamed")"
	eq "$1: mode of modes" "$(stat -c %a "$d/modes")" 640
	eq "$1: mtime of touched" "$(stat -c %Y "$d/touched")" "$MTIME"
	eq "$1: size of shrink" "$(stat -c %s "$d/shrink")" 1234
	eq "$1: size of grow" "$(stat -c %s "$d/grow")" 70000
	eq "$1: grow keeps its head" "$(head -c 3 "$d/grow")" abc
	eq "$1: grow's tail is zeros" "$(tail -c +4 "$d/grow" | tr -d '\0' | wc -c)" 0
	t0=$(up)
	ls "$d/big" >/tmp/list-$1 || gfail "$1: ls big"
	echo "TIME-$1-ls$NFILES=$(echo "$(up) - $t0" | bc)"
	eq "$1: entries listed in big" "$(wc -l </tmp/list-$1)" "$NFILES"
	eq "$1: duplicate names in the listing" "$(sort /tmp/list-$1 | uniq -d | wc -l)" 0
	eq "$1: distinct names in the listing" "$(sort -u /tmp/list-$1 | wc -l)" "$NFILES"
	eq "$1: ls -l of big (READDIRPLUS/LOOKUPs) lists all" "$(ls -l "$d/big" | grep -c ' f[0-9]*$')" "$NFILES"
	echo "VIEW-$1-kept-nlink=$(stat -c %h "$d/kept")"
	echo "VIEW-$1-renamed-ino=$(stat -c %i "$d/renamed")"
	echo "VIEW-$1-grow-size=$(stat -c %s "$d/grow")"
}

for c in "v3 vers=3,port=2049,mountport=1234" "v2 vers=2"; do
	set -- $c
	gmount "$1" "$2" || { gfail "$1: mount -o $2"; continue; }
	make_ops "$1"
	gumount "$1" || continue
	gmount "$1" "$2" || { gfail "$1: remount"; continue; }
	verify_ops "$1"
	gumount "$1"
done
gend
EOF
} >"$G"

nfs_daemon_start stream --export "$NFS_EXPORT" --capture-file "$NFS_W/cap.pcapng"
nfs_vm_run "$G" "$CON" 600
rc=$?
nfs_daemon_stop
grep -aE 'GUEST-FAIL|GUEST-SUMMARY|TIME-' "$CON"
echo "($(grep -ac GUEST-OK "$CON") guest checks passed)"
nfs_expect_eq "guest script exit status" "$rc" 0

# host_view TAG: the export as the host sees it after the guest's work
host_view() {
	local t=$1 d=$NFS_EXPORT/$1
	[ -d "$d" ] || { nfs_check "$t: directory $d exists on the host" false; return; }
	nfs_expect_eq "$t: host mode of kept" "$(stat -c %a "$d/kept")" 750
	nfs_expect_eq "$t: host nlink of kept" "$(stat -c %h "$d/kept")" 3
	nfs_expect_eq "$t: guest and host agree on kept's nlink" "$(nfs_console_value "$CON" "VIEW-$t-kept-nlink")" 3
	nfs_check "$t: host has kept/sub" test -d "$d/kept/sub"
	nfs_expect_eq "$t: host content of renamed" "$(cat "$d/renamed")" "renamed content $t"
	nfs_expect_eq "$t: host content of target (renamed over)" "$(cat "$d/target")" new
	local gone
	for gone in orig removed rmd replacer; do
		nfs_check "$t: host has no $gone" test ! -e "$d/$gone" -a ! -L "$d/$gone"
	done
	nfs_check "$t: host sl is a symlink" test -L "$d/sl"
	nfs_expect_eq "$t: host readlink sl" "$(readlink "$d/sl")" renamed
	nfs_expect_eq "$t: host nlink of renamed" "$(stat -c %h "$d/renamed")" 2
	nfs_expect_eq "$t: host hl and renamed share the inode" "$(stat -c %i "$d/hl")" "$(stat -c %i "$d/renamed")"
	nfs_expect_eq "$t: host mode of modes" "$(stat -c %a "$d/modes")" 640
	nfs_expect_eq "$t: host mtime of touched" "$(stat -c %Y "$d/touched")" "$MTIME"
	nfs_expect_eq "$t: host size of shrink" "$(stat -c %s "$d/shrink")" 1234
	nfs_expect_eq "$t: host size of grow" "$(stat -c %s "$d/grow")" 70000
	nfs_expect_eq "$t: host grow content" "$(md5sum <"$d/grow")" "$( (printf abc; head -c 69997 /dev/zero) | md5sum)"
	nfs_expect_eq "$t: guest and host agree on grow's size" "$(nfs_console_value "$CON" "VIEW-$t-grow-size")" 70000
	nfs_expect_eq "$t: host entries in big" "$(find "$d/big" -mindepth 1 | wc -l)" "$NFILES"
	nfs_expect_eq "$t: host names in big are f1..f$NFILES" \
		"$(ls "$d/big" | sort | md5sum)" "$(seq 1 "$NFILES" | sed 's/^/f/' | sort | md5sum)"
	nfs_expect_eq "$t: no stray files in $t" "$(ls -A "$d" | tr '\n' ' ')" \
		"big grow hl kept modes renamed shrink sl target touched "
}
host_view v3
host_view v2
nfs_wire_check "$NFS_W/cap.pcapng" 3 2
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
