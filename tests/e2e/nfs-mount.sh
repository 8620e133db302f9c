#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-mount.sh: the Linux kernel NFS client mounts the in-core server over UDP (v2 8K, v3 8K, v3 32K), writes 16 MiB, remounts, reads back, md5 on both sides.
#
# Guest attached with --qemu-stream; indynetd --export DIR; the guest mounts
# 192.168.0.1 (the NAT gateway) three times:
#   v2-8k   vers=2,rsize=wsize=8192            via the portmapper, path = export dir
#   v3-8k   vers=3,rsize=wsize=8192            port=2049,mountport=1234, path = "/"
#   v3-32k  vers=3,rsize=wsize=32768           via the portmapper, path = export dir
# Each: the kernel's mount options must show the version, sizes and proto=udp; a 16 MiB
# random file is copied in, the share is unmounted (caches dropped) and mounted again,
# the file is read back and its md5 compared with the original's, in the guest and on
# the host's copy in the export.  Then, for v3 and v2, MNT of a directory below the
# export must serve that directory, and MNT of /etc, of export/.., of a symlink in the
# export pointing to /etc and of a missing path must be refused.
# Usage: tests/e2e/nfs-mount.sh   (INDYNET_BUILD set)
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF'
head -c 16777216 /dev/urandom >/tmp/data.bin
SUM=$(md5sum /tmp/data.bin | cut -d' ' -f1)
echo "DATA-MD5=$SUM"
# one_case TAG OPTS PATH
one_case() {
	tag=$1 opts=$2 path=$3
	t0=$(up)
	gmount "$tag" "$opts" "$path" || { gfail "$tag: mount -o $opts $SRV:$path"; dmesg | tail -n 5; return; }
	gok "$tag: mounted $SRV:$path in $(echo "$(up) - $t0" | bc) s: $(gmountopts "$tag")"
	for o in $(echo "$opts" | tr ',' ' ') proto=udp; do
		case $o in port=*|mountport=*) continue ;; esac
		ghasopt "$tag" "$o" || gfail "$tag: kernel mount options lack $o"
	done
	t0=$(up)
	cp /tmp/data.bin "/mnt/$tag/data-$tag.bin" && sync || gfail "$tag: writing 16 MiB"
	echo "TIME-$tag-write=$(echo "$(up) - $t0" | bc)"
	gumount "$tag" || return
	gmount "$tag" "$opts" "$path" || { gfail "$tag: remount"; return; }
	t0=$(up)
	s=$(md5sum "/mnt/$tag/data-$tag.bin" | cut -d' ' -f1)
	echo "TIME-$tag-read=$(echo "$(up) - $t0" | bc)"
	echo "MD5-$tag=$s"
	if [ "$s" = "$SUM" ]; then gok "$tag: md5 of the file read back after the remount matches"
	else gfail "$tag: md5 after the remount is '$s', wrote $SUM"; fi
	sz=$(stat -c %s "/mnt/$tag/data-$tag.bin")
	[ "$sz" = 16777216 ] || gfail "$tag: size $sz after the remount"
	gumount "$tag"
}
one_case v2-8k vers=2,rsize=8192,wsize=8192 "$EXPORT_PATH"
one_case v3-8k vers=3,rsize=8192,wsize=8192,port=2049,mountport=1234 /
one_case v3-32k vers=3,rsize=32768,wsize=32768 "$EXPORT_PATH"
# MNT of a directory below the export serves that directory; paths outside are refused
for v in 3 2; do
	if gmount "sub$v" "vers=$v" "$EXPORT_PATH/sub/deeper"; then
		s=$(cat "/mnt/sub$v/inner.txt")
		[ "$s" = "inner file" ] && gok "v$v: mount of a subdirectory serves it" || gfail "v$v: subdirectory mount shows '$s'"
		gumount "sub$v"
	else
		gfail "v$v: mount of $EXPORT_PATH/sub/deeper"
	fi
	for bad in /etc "$EXPORT_PATH/.." "$EXPORT_PATH/escape" "$EXPORT_PATH/nonexistent"; do
		mkdir -p /mnt/bad
		if out=$(mount -t nfs -o "vers=$v,proto=udp,mountproto=udp,nolock,addr=$SRV,mountaddr=$SRV" "$SRV:$bad" /mnt/bad 2>&1); then
			gfail "v$v: mount of $bad (outside the export) succeeded: $(ls /mnt/bad | head -n 3 | tr '\n' ' ')"
			umount /mnt/bad
		else
			case $out in
			*"Invalid argument"*) gfail "v$v: mount of $bad failed for a wrong reason: $out" ;;
			*) gok "v$v: mount of $bad refused: ${out##*: }" ;;
			esac
		fi
	done
done
grep -E '^ +(READ|WRITE|GETATTR|LOOKUP):' /proc/self/mountstats 2>/dev/null | head -n 4
gend
EOF
} >"$G"

mkdir -p "$NFS_EXPORT/sub/deeper"
echo "inner file" >"$NFS_EXPORT/sub/deeper/inner.txt"
ln -s /etc "$NFS_EXPORT/escape"
nfs_daemon_start stream --export "$NFS_EXPORT"
nfs_vm_run "$G" "$CON" 600
rc=$?
nfs_daemon_stop
grep -aE 'GUEST-|MD5|TIME-' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
want=$(nfs_console_value "$CON" DATA-MD5)
nfs_check "guest reported the md5 of its 16 MiB file" test -n "$want"
for tag in v2-8k v3-8k v3-32k; do
	f=$NFS_EXPORT/data-$tag.bin
	if [ -f "$f" ]; then
		nfs_expect_eq "$tag: size of the host's copy" "$(stat -c %s "$f")" 16777216
		nfs_expect_eq "$tag: md5 of the host's copy" "$(md5sum <"$f" | cut -d' ' -f1)" "$want"
	else
		nfs_check "$tag: host's copy $f exists" false
	fi
	nfs_expect_eq "$tag: md5 the guest read back" "$(nfs_console_value "$CON" "MD5-$tag")" "$want"
done
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
