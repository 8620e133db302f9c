#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-tcp.sh: the Linux guest with Debian's stock NFS modules (UDP disabled) mounts the in-core server over TCP with default options (v3) and proto=tcp (v2): 16 MiB md5, list, rename, remove.
#
# Guest attached with --qemu-stream; indynetd --export DIR.  The guest's NFS modules
# are replaced by the kernel package's own (tests/vm/build.sh keeps it unpacked in
# kpkg/), built with CONFIG_NFS_DISABLE_UDP_SUPPORT=y like every distribution's:
#   1. mount -o vers=3,proto=udp must be refused (proves the stock modules);
#   2. mount -t nfs -o vers=3 SRV:/ (the README's line: TCP by default): the kernel
#      shows proto=tcp and rsize=wsize=1048576 (FSINFO over TCP); 16 MiB written, remounted, read back, md5 in the guest and of
#      the host's copy; ls, mv, rm seen on the host;
#   3. the same with vers=2,proto=tcp and 4 MiB.
# Usage: tests/e2e/nfs-tcp.sh   (INDYNET_BUILD set)
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

VMDIR=${INDYNET_VM_DIR:-/var/tmp/indynet-vm}
KV=$(cat "$VMDIR/kver")
mkdir -p "$NFS_W/stock/lib/modules"
for m in nfs nfsv2 nfsv3; do
	cp "$VMDIR/kpkg/lib/modules/$KV/kernel/fs/nfs/$m.ko" "$NFS_W/stock/lib/modules/" ||
		nfs_die "no stock $m.ko for $KV in $VMDIR/kpkg"
done
# shellcheck disable=SC2034 # read by nfs_vm_start (lib-nfs.sh)
NFS_VM_EXTRA=$NFS_W/stock

G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF2'
mkdir -p /mnt/udp
if mount -t nfs -o vers=3,proto=udp,nolock "$SRV:/" /mnt/udp 2>/tmp/udp.err; then
	gfail "stock modules: a UDP mount succeeded (the rebuilt modules are loaded)"
	umount /mnt/udp
else
	gok "stock modules: proto=udp refused: $(cat /tmp/udp.err)"
fi
# tcase TAG OPTS MIB: mount with OPTS only (plus nolock: no statd in the guest)
tcase() {
	tag=$1 opts=$2 mib=$3
	head -c $((mib * 1048576)) /dev/urandom >/tmp/data.bin
	sum=$(md5sum /tmp/data.bin | cut -d' ' -f1)
	echo "DATA-MD5-$tag=$sum"
	mkdir -p "/mnt/$tag"
	t0=$(up)
	mount -t nfs -o "$opts,nolock" "$SRV:/" "/mnt/$tag" || { gfail "$tag: mount -o $opts $SRV:/"; dmesg | tail -n 5; return; }
	gok "$tag: mounted in $(echo "$(up) - $t0" | bc) s: $(gmountopts "$tag")"
	ghasopt "$tag" proto=tcp || gfail "$tag: the kernel does not show proto=tcp"
	if [ "$tag" = v3 ]; then # FSINFO over TCP offers 1 MiB: the stock client takes it
		for o in rsize=1048576 wsize=1048576; do
			ghasopt "$tag" $o && gok "$tag: negotiated $o" || gfail "$tag: no $o: $(gmountopts "$tag")"
		done
	fi
	t0=$(up)
	cp /tmp/data.bin "/mnt/$tag/data-$tag.bin" && sync || gfail "$tag: writing $mib MiB"
	echo "TIME-$tag-write=$(echo "$(up) - $t0" | bc)"
	gumount "$tag" || return
	mount -t nfs -o "$opts,nolock" "$SRV:/" "/mnt/$tag" || { gfail "$tag: remount"; return; }
	t0=$(up)
	s=$(md5sum "/mnt/$tag/data-$tag.bin" | cut -d' ' -f1)
	echo "TIME-$tag-read=$(echo "$(up) - $t0" | bc)"
	echo "MD5-$tag=$s"
	[ "$s" = "$sum" ] && gok "$tag: md5 read back after the remount matches" || gfail "$tag: md5 '$s', wrote $sum"
	echo hello >"/mnt/$tag/a-$tag.txt" && mv "/mnt/$tag/a-$tag.txt" "/mnt/$tag/b-$tag.txt" || gfail "$tag: create + rename"
	echo gone >"/mnt/$tag/gone-$tag.txt" && rm "/mnt/$tag/gone-$tag.txt" || gfail "$tag: create + remove"
	l=$(ls "/mnt/$tag" | grep -- "-$tag" | tr '\n' ' ')
	[ "$l" = "b-$tag.txt data-$tag.bin " ] && gok "$tag: listing after rename and remove: $l" || gfail "$tag: listing '$l'"
	gumount "$tag"
}
tcase v3 vers=3 16
tcase v2 vers=2,proto=tcp 4
grep -E '^ +(READ|WRITE):' /proc/self/mountstats 2>/dev/null | head -n 2
gend
EOF2
} >"$G"

nfs_daemon_start stream --export "$NFS_EXPORT"
nfs_vm_run "$G" "$CON" 900
rc=$?
nfs_daemon_stop
grep -aE 'GUEST-|MD5|TIME-' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
for tag in v3 v2; do
	want=$(nfs_console_value "$CON" "DATA-MD5-$tag")
	nfs_check "$tag: the guest reported its file's md5" test -n "$want"
	nfs_expect_eq "$tag: md5 the guest read back" "$(nfs_console_value "$CON" "MD5-$tag")" "$want"
	nfs_expect_eq "$tag: md5 of the host's copy" "$(md5sum <"$NFS_EXPORT/data-$tag.bin" 2>/dev/null | cut -d' ' -f1)" "$want"
	nfs_expect_eq "$tag: the host sees the renamed file" "$(cat "$NFS_EXPORT/b-$tag.txt" 2>&1)" hello
	nfs_check "$tag: the removed file is gone on the host" test ! -e "$NFS_EXPORT/gone-$tag.txt"
done
for o in rsize wsize; do
	nfs_check "v3: the stock client negotiated $o=1048576" grep -aq "GUEST-OK: v3: negotiated $o=1048576" "$CON"
done
nfs_check "no TCP record was refused" sh -c "! grep -q 'connection reset' '$NFS_DLOG'"
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
