#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-ro.sh: --read-only answers every modification with EROFS; --nfs-version v2 refuses a v3 mount and serves v2 (and v3 the reverse).
#
# Phase ro:  indynetd --export DIR --read-only.  The guest mounts v3 and v2, reads a
#            file the host put there, and every modification (create, mkdir, remove,
#            rmdir, rename, symlink, link, chmod, touch -d) must fail with the text
#            "Read-only file system"; a write into an existing file must fail too
#            (dd conv=fsync: v3 refuses the open, v2 reports the WRITE's error).
#            The host checks the export is byte-for-byte unchanged.
# Phase v2:  indynetd --export DIR --nfs-version v2.  A vers=3 mount fails (via the
#            portmapper and with explicit ports); vers=2 mounts and writes a file.
# Phase v3:  indynetd --export DIR --nfs-version v3.  The reverse.
# Each phase is captured; the refusals must show on the wire as PROG_MISMATCH with the
# served range (MOUNT 1..2 for v2 only, 3..3 for v3 only).
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

mkdir -p "$NFS_EXPORT/sub" "$NFS_EXPORT/empty"
echo "read-only content" >"$NFS_EXPORT/ro.txt"
echo "in sub" >"$NFS_EXPORT/sub/inner.txt"
snapshot() { (cd "$NFS_EXPORT" && find . -printf '%p %m %s %T@ %n\n' | LC_ALL=C sort && cat ro.txt sub/inner.txt); }

GUEST_COMMON=$(
	cat <<'EOF'
chk() { _c=$1; shift; if "$@"; then gok "$_c"; else gfail "$_c"; fi; }
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }
# erofs DESC CMD: CMD must fail and say "Read-only file system"
erofs() {
	out=$(timeout -s KILL 30 sh -c "$2" </dev/null 2>&1) && { gfail "$1: succeeded on a read-only export"; return; }
	case $out in
	"" | Killed) gfail "$1: no answer within 30 s (hard mount hangs)" ;;
	*"Read-only file system"*) gok "$1: $out" ;;
	*) gfail "$1: failed without EROFS: $out" ;;
	esac
}
# mustfail DESC OPTS: a mount that must be refused
mustfail() {
	mkdir -p /mnt/refused
	if out=$(mount -t nfs -o "$2,proto=udp,mountproto=udp,nolock,addr=$SRV,mountaddr=$SRV,timeo=10,retrans=2" \
		"$SRV:$EXPORT_PATH" /mnt/refused 2>&1); then
		gfail "$1: mount -o $2 succeeded"
		umount /mnt/refused
	else
		case $out in
		*"Invalid argument"*) gfail "$1: mount -o $2 failed for a wrong reason: $out" ;;
		*) gok "$1: mount -o $2 refused: $out" ;;
		esac
	fi
}
# rwcheck TAG OPTS: a mount that must work, read and write
rwcheck() {
	gmount "$1" "$2" || { gfail "$1: mount -o $2"; return; }
	ghasopt "$1" "$(echo "$2" | cut -d, -f1)" || gfail "$1: mount options $(gmountopts "$1")"
	eq "$1: read" "$(cat "/mnt/$1/ro.txt")" "read-only content"
	chk "$1: write" sh -c "echo 'written by $1' >/mnt/$1/$1.txt"
	gumount "$1"
}
EOF
)

phase() { # phase NAME GUESTBODY DAEMONARGS...
	local name=$1 body=$2 con=$NFS_W/console-$1.log g=$NFS_W/guest-$1.sh rc
	shift 2
	echo "==== phase $name: indynetd $*"
	{
		nfs_guest_prelude "$NFS_EXPORT"
		echo "$GUEST_COMMON"
		echo "$body"
		echo gend
	} >"$g"
	nfs_daemon_start stream --export "$NFS_EXPORT" --capture-file "$NFS_W/cap-$name.pcapng" "$@"
	nfs_vm_run "$g" "$con" 400
	rc=$?
	nfs_daemon_stop
	grep -aE 'GUEST-' "$con"
	nfs_expect_eq "$name: guest script exit status" "$rc" 0
	[ "$rc" = 0 ] || nfs_show_logs "$con"
}

RO_BODY=$(
	cat <<'EOF'
for c in "v3 vers=3" "v2 vers=2"; do
	set -- $c
	t=$1 m=/mnt/$1
	gmount "$t" "$2" || { gfail "$t: mount"; continue; }
	eq "$t: read an existing file" "$(cat $m/ro.txt)" "read-only content"
	eq "$t: read in a subdirectory" "$(cat $m/sub/inner.txt)" "in sub"
	erofs "$t: create" "echo x >$m/new.txt"
	erofs "$t: mkdir" "mkdir $m/newdir"
	erofs "$t: remove" "rm $m/ro.txt"
	erofs "$t: rmdir" "rmdir $m/empty"
	erofs "$t: rename" "mv $m/ro.txt $m/moved.txt"
	erofs "$t: symlink" "ln -s ro.txt $m/sl"
	erofs "$t: hard link" "ln $m/ro.txt $m/hl"
	erofs "$t: chmod" "chmod 600 $m/ro.txt"
	erofs "$t: touch -d" "touch -d '2001-01-01 00:00:00' $m/ro.txt"
	# v3 refuses the open (ACCESS grants no MODIFY); v2 has no ACCESS: the WRITE's
	# error shows at fsync
	out=$(timeout -s KILL 30 dd if=/dev/zero of=$m/ro.txt bs=4 count=1 conv=notrunc,fsync </dev/null 2>&1) &&
		gfail "$t: writing into an existing file succeeded" ||
		gok "$t: writing into an existing file refused: $(echo "$out" | head -n 1)"
	gumount "$t"
done
EOF
)
before=$(snapshot)
phase ro "$RO_BODY" --read-only
nfs_expect_eq "ro: the export is unchanged on the host" "$(snapshot | md5sum)" "$(echo "$before" | md5sum)"
[ "$(snapshot | md5sum)" = "$(echo "$before" | md5sum)" ] || diff <(echo "$before") <(snapshot)

V2_BODY=$(
	cat <<'EOF'
mustfail "v2-only" vers=3
mustfail "v2-only (no portmapper)" vers=3,port=2049,mountport=1234
rwcheck v2 vers=2
EOF
)
phase v2only "$V2_BODY" --nfs-version v2
# mismatch CAP: "program version min max" of every PROG_MISMATCH reply in CAP
mismatch() {
	tshark -2 -n -d udp.port==1234,rpc -r "$1" -Y 'rpc.msgtyp == 1 && rpc.state_accept == 2' -T fields \
		-e rpc.program -e rpc.programversion -e rpc.programversion.min -e rpc.programversion.max 2>/dev/null |
		sort -u | tr '\t\n' ' ;'
}
m=$(mismatch "$NFS_W/cap-v2only.pcapng")
nfs_check "v2only: the wire shows MOUNT v3 refused with PROG_MISMATCH 1..1 or 1..2 ($m)" \
	test "$m" = "100005 3 1 2;" -o "$m" = "100005 3 1 1;"
nfs_expect_eq "v2only: host sees the v2 write" "$(cat "$NFS_EXPORT/v2.txt" 2>&1)" "written by v2"
nfs_check "v2only: no v3 file on the host" test ! -e "$NFS_EXPORT/v3.txt"

V3_BODY=$(
	cat <<'EOF'
mustfail "v3-only" vers=2
mustfail "v3-only (no portmapper)" vers=2,port=2049,mountport=1234
rwcheck v3 vers=3
EOF
)
rm -f "$NFS_EXPORT/v2.txt"
phase v3only "$V3_BODY" --nfs-version v3
nfs_expect_eq "v3only: the wire shows MOUNT v1 refused with PROG_MISMATCH 3..3" "$(mismatch "$NFS_W/cap-v3only.pcapng")" \
	"100005 1 3 3;"
nfs_expect_eq "v3only: host sees the v3 write" "$(cat "$NFS_EXPORT/v3.txt" 2>&1)" "written by v3"
nfs_check "v3only: no v2 file on the host" test ! -e "$NFS_EXPORT/v2.txt"
nfs_finish
