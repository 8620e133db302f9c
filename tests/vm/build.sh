#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build.sh: build (once, cached) the test guest: Debian kernel + busybox initramfs with UDP-capable NFS modules.
#
# Usage: tests/vm/build.sh [-f]        (-f: rebuild the initramfs even if cached)
#
# Output, all under $INDYNET_VM_DIR (default /var/tmp/indynet-vm), never in the repo:
#   vmlinuz            the kernel that Debian's linux-image-amd64 currently points at
#   initrd.cpio.gz     busybox initramfs: virtio-net, e1000, sunrpc, nfs (UDP re-enabled),
#                      nfsv2, nfsv3, the /init of tests/vm/init.sh and the udhcpc hook
#                      tests/vm/udhcpc.script, /lib/indynet-guest.sh (tests/vm/guest-lib.sh)
#   kver               the kernel version string
#
# Steps (each one skipped when its output already exists):
#   1. apt-get download linux-image-$KVER, dpkg -x, depmod (nothing is installed).
#   2. Rebuild fs/nfs out of tree from linux-source-6.1 against the matching
#      linux-headers with NFS over UDP re-enabled.  Debian sets
#      CONFIG_NFS_DISABLE_UDP_SUPPORT=y, which makes the stock client refuse
#      proto=udp with EINVAL for every NFS version; only two #ifdefs in fs/nfs
#      depend on it, so flipping them and building nfs/nfsv2/nfsv3 gives modules
#      that load next to the stock sunrpc/lockd (same symbol CRCs, unsigned:
#      the kernel only taints).
#   3. Pack the initramfs (busybox-static + modules in dependency order + /init).
#      Its cache key is a hash of this script, init.sh, udhcpc.script, guest-lib.sh,
#      the kernel version and the busybox binary.
# A lock ($W/.lock) serialises concurrent callers.  Prints the time it took.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=${INDYNET_VM_DIR:-/var/tmp/indynet-vm}
FORCE=0
[ "${1:-}" = -f ] && FORCE=1
T0=$SECONDS
MODS="virtio_pci virtio_net e1000 nfsv3 nfsv2"

log() { echo "vm/build: $*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$W/debs"
exec 9>"$W/.lock"
flock 9

# fetch PKG: make sure PKG_*.deb is in $W/debs (refreshing the apt lists once if needed)
APT_UPDATED=0
fetch() {
	local p=$1
	compgen -G "$W/debs/${p}_*.deb" >/dev/null && return 0
	log "apt-get download $p"
	(cd "$W/debs" && apt-get download -q "$p" >/dev/null 2>&1) && return 0
	if [ $APT_UPDATED = 0 ] && [ "$(id -u)" = 0 ]; then
		log "apt-get update"
		apt-get update -qq || true
		APT_UPDATED=1
	fi
	(cd "$W/debs" && apt-get download "$p") || die "cannot download $p"
}

apt_kernel() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/{sub("linux-image-", "", $2); print $2; exit}'
}

# kernel_version: set KV to the version linux-image-amd64 depends on (or $KVER; cached in $W/kver)
kernel_version() {
	local k=""
	if [ -n "${KVER:-}" ]; then KV=$KVER; return; fi
	k=$(apt_kernel)
	if [ -z "$k" ] && [ -f "$W/kver" ]; then k=$(cat "$W/kver"); fi
	if [ -z "$k" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq >&2 || true
		APT_UPDATED=1
		k=$(apt_kernel)
	fi
	[ -n "$k" ] || die "cannot find the kernel linux-image-amd64 points at (apt-get update?)"
	KV=$k
}

unpack_kernel() {
	local kv=$1
	[ -f "$W/kpkg/lib/modules/$kv/modules.dep" ] && return 0
	fetch "linux-image-$kv"
	log "unpacking linux-image-$kv"
	rm -rf "$W/kpkg"
	dpkg -x "$W"/debs/linux-image-"${kv}"_*.deb "$W/kpkg"
	/sbin/depmod -b "$W/kpkg" "$kv"
}

build_nfs_udp() {
	local kv=$1 common=${1%-amd64}-common b=$W/nfsudp/$1
	[ -f "$b/out/nfsv3.ko" ] && return 0
	local p
	for p in linux-source-6.1 "linux-headers-$kv" "linux-headers-$common" linux-kbuild-6.1; do
		fetch "$p"
	done
	log "building nfs.ko with UDP enabled for $kv"
	rm -rf "$b"
	mkdir -p "$b/hdr" "$b/src" "$b/out"
	for p in "linux-headers-$kv" "linux-headers-$common" linux-kbuild-6.1; do
		dpkg -x "$W"/debs/"${p}"_*.deb "$b/hdr"
	done
	local h=$b/hdr/usr/src/linux-headers-$kv
	# the packaged Makefile includes an absolute /usr/src path: point it at our copy
	echo "include $b/hdr/usr/src/linux-headers-$common/Makefile" >"$h/Makefile"
	dpkg-deb --fsys-tarfile "$W"/debs/linux-source-6.1_*.deb |
		tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$b/src" --strip-components=3 linux-source-6.1/fs/nfs
	sed -i 's|^#ifdef CONFIG_NFS_DISABLE_UDP_SUPPORT$|#if 0 /* indynet: UDP re-enabled */|' "$b/src/fs_context.c"
	sed -i 's|^#ifndef CONFIG_NFS_DISABLE_UDP_SUPPORT$|#if 1 /* indynet: UDP re-enabled */|' "$b/src/client.c"
	[ "$(grep -c 'UDP re-enabled' "$b/src/fs_context.c" "$b/src/client.c" | awk -F: '{s+=$2} END{print s}')" -ge 2 ] ||
		die "fs/nfs sources changed: the UDP switches were not found"
	local cc=gcc-12
	command -v $cc >/dev/null || cc=gcc
	make -s -C "$h" M="$b/src" CC=$cc -j"$(nproc)" \
		CONFIG_NFS_V4= CONFIG_PNFS_FILE_LAYOUT= CONFIG_PNFS_BLOCK= CONFIG_PNFS_FLEXFILE_LAYOUT= \
		modules >"$b/make.log" 2>&1 || { tail -30 "$b/make.log" >&2; die "nfs module build failed"; }
	cp "$b"/src/{nfs,nfsv2,nfsv3}.ko "$b/out/"
	strip --strip-debug "$b"/out/*.ko
	rm -rf "$b/src" "$b/hdr"
	log "nfs modules: $(/sbin/modinfo -F vermagic "$b/out/nfs.ko")"
}

busybox_path() {
	local bb
	for bb in /bin/busybox /usr/bin/busybox "$(command -v busybox || true)"; do
		[ -x "$bb" ] && file -L "$bb" | grep -q 'statically linked' && { echo "$bb"; return; }
	done
	die "need a static busybox (package busybox-static)"
}

pack_initrd() {
	local kv=$1 bb key stage
	bb=$(busybox_path)
	key=$(cat "$0" "$HERE/init.sh" "$HERE/udhcpc.script" "$HERE/guest-lib.sh" "$bb" | sha256sum | cut -c1-16)-$kv
	if [ $FORCE = 0 ] && [ -f "$W/initrd.cpio.gz" ] && [ "$(cat "$W/initrd.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	log "packing initramfs"
	stage=$(mktemp -d "$W/stage.XXXXXX")
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,etc,root,run,var/run,lib/modules,usr/share/udhcpc}
	cp "$bb" "$stage/bin/busybox"
	local a
	for a in $("$bb" --list-full); do
		[ -e "$stage/$a" ] || ln -s /bin/busybox "$stage/$a"
	done
	local ovr=$W/nfsudp/$kv/out ko m
	: >"$stage/lib/modules/load.order"
	for m in $MODS; do
		/sbin/modprobe -d "$W/kpkg" -S "$kv" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | while read -r ko; do
		m=$(basename "$ko")
		if [ -f "$ovr/$m" ]; then cp "$ovr/$m" "$stage/lib/modules/$m"; else cp "$ko" "$stage/lib/modules/$m"; fi
		echo "$m" >>"$stage/lib/modules/load.order"
	done
	log "modules: $(tr '\n' ' ' <"$stage/lib/modules/load.order")"
	grep -q '^nfs.ko$' "$stage/lib/modules/load.order" || die "nfs.ko missing from the module list"
	install -m 755 "$HERE/init.sh" "$stage/init"
	install -m 755 "$HERE/udhcpc.script" "$stage/usr/share/udhcpc/default.script"
	install -m 644 "$HERE/guest-lib.sh" "$stage/lib/indynet-guest.sh"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
	printf 'root:x:0:\n' >"$stage/etc/group"
	printf '127.0.0.1 localhost\n' >"$stage/etc/hosts"
	(cd "$stage" && find . -print0 | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -6 >"$W/initrd.cpio.gz.tmp"
	mv "$W/initrd.cpio.gz.tmp" "$W/initrd.cpio.gz"
	echo "$key" >"$W/initrd.key"
	rm -rf "$stage"
	log "initramfs $(du -h "$W/initrd.cpio.gz" | cut -f1)"
}

kernel_version
unpack_kernel "$KV"
build_nfs_udp "$KV"
pack_initrd "$KV"
ln -sfn "kpkg/boot/vmlinuz-$KV" "$W/vmlinuz"
echo "$KV" >"$W/kver"
log "ready: $W/vmlinuz $W/initrd.cpio.gz (kernel $KV) in $((SECONDS - T0)) s"
