#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-netboot.sh: QEMU's iPXE firmware boots the test guest from the network through indynetd: DHCP names the boot script, iPXE loads the kernel and initramfs over TFTP, the booted guest mounts the in-core NFS share and checks a file's md5.
#
# No -kernel: QEMU starts SeaBIOS with an e1000 NIC and its iPXE ROM (Debian's
# ipxe-qemu; this QEMU never ran the virtio ROM) and -boot n, attached with --qemu-stream; only boot.ipxe puts
# indynet.netboot=1 on the kernel command line.  indynetd serves
# --tftp DIR (boot.ipxe, vmlinuz, the initramfs with the guest script
# appended, as tests/vm/run.sh builds it) with --bootfile boot.ipxe, and
# --export EXP holding a random file.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/vm.sh"

t_init nat-netboot
t_indynetd
ROM=/usr/lib/ipxe/qemu/pxe-e1000.rom
[ -f "$ROM" ] || t_skip "needs Debian's ipxe-qemu ($ROM)"
vm_setup
W=${INDYNET_VM_DIR:-/var/tmp/indynet-vm}
D=$T_TMP/tftp EXP=$T_TMP/export
mkdir -p "$D" "$EXP" "$T_TMP/ovl"
head -c 1048576 /dev/urandom >"$EXP/netboot.bin"
SUM=$(md5sum <"$EXP/netboot.bin" | cut -d' ' -f1)
cat >"$T_TMP/ovl/vmrun" <<GUEST
. /lib/indynet-guest.sh
check "booted by boot.ipxe (its marker on the kernel command line)" grep -q 'indynet.netboot=1' /proc/cmdline
mkdir -p /mnt/n
check "mount the in-core NFS share (v3 over UDP)" mount -t nfs -o vers=3,proto=udp,nolock 192.168.0.1:$EXP /mnt/n
check "md5 of netboot.bin over NFS" [ "\$(md5 /mnt/n/netboot.bin)" = "$SUM" ]
umount /mnt/n
finish
GUEST
(cd "$T_TMP/ovl" && find . -print0 | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$T_TMP/ovl.cpio.gz"
cat "$W/initrd.cpio.gz" "$T_TMP/ovl.cpio.gz" >"$D/initrd"
cp "$W/vmlinuz" "$D/vmlinuz"
printf '#!ipxe\nkernel vmlinuz console=ttyS0 panic=-1 quiet loglevel=4 vm.ip=dhcp vm.shell=0 indynet.netboot=1\ninitrd initrd\nboot\n' \
	>"$D/boot.ipxe"

vm_daemon_start stream --tftp "$D" --bootfile boot.ipxe --export "$EXP"
VM_CONSOLE=$T_TMP/console.log
t_evidence "$VM_CONSOLE"
# iPXE's ROM only runs with a display adapter (SeaBIOS's serial console skips it); the
# kernel's console is the serial port
ip netns exec "$NS_HOST" timeout 300 qemu-system-x86_64 -accel tcg -cpu max,-erms,-fsrm -m 512M -smp 1 \
	-display none -vga std -no-reboot -serial stdio -monitor none -boot n \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$T_TMP/indy.sock" \
	-device "e1000,netdev=n0,mac=52:54:00:12:34:56,romfile=$ROM" >"$VM_CONSOLE" 2>&1 &
VM_PID=$!
t_defer kill "$VM_PID"
vm_wait 300
vm_checks
t_expect_eq "the network-booted guest finished with status 0 (QEMU 1 = guest 0)" 1 "$VM_RC"
vm_daemon_stop
t_done
