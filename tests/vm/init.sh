#!/bin/sh
# SPDX-License-Identifier: MIT
# init.sh: /init of the test guest's initramfs (busybox ash): network up, run /vmrun, report, power off.
#
# Kernel command line parameters (dotted names: the kernel ignores them):
#   vm.ip=dhcp | none | A.B.C.D/P[,GW]   eth0 configuration (default dhcp, udhcpc)
#   vm.shell=1                           after /vmrun (or without one) open a shell on
#                                        the console; its exit status is the result
# /vmrun is a script appended to the initramfs by tests/vm/run.sh.  /init prints
# "VM-NET: ..." once eth0 is configured and "VM-RESULT: rc=N" at the end, then
# writes N to the isa-debug-exit port (0xf4), so QEMU exits with 2N+1, and powers off.
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
uptime_s() { cut -d' ' -f1 /proc/uptime; }
echo "init: start uptime=$(uptime_s)"

param() { # param NAME: print the value of NAME= from the kernel command line
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1="*) echo "${w#*=}"; return 0 ;; esac
	done
	return 1
}

for m in $(cat /lib/modules/load.order); do
	insmod "/lib/modules/$m" 2>/dev/null || echo "init: insmod $m failed"
done

ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	IPCFG=$(param vm.ip || echo dhcp)
	case "$IPCFG" in
	dhcp) udhcpc -i eth0 -n -q -t 6 -T 2 -s /usr/share/udhcpc/default.script ||
		echo "init: dhcp failed" ;;
	none) ;;
	*) ip addr add "${IPCFG%%,*}" dev eth0
		case "$IPCFG" in *,*) ip route add default via "${IPCFG#*,}" dev eth0 ;; esac ;;
	esac
	echo "VM-NET: addr=$(ip -4 -o addr show dev eth0 | awk '{print $4}' | head -n1)" \
		"gw=$(ip route show default | awk '{print $3}' | head -n1)" \
		"dns=$(awk '/^nameserver/{print $2; exit}' /etc/resolv.conf 2>/dev/null)" \
		"uptime=$(uptime_s)"
else
	echo "init: no eth0"
fi

rc=0
if [ -f /vmrun ]; then
	echo "init: running /vmrun"
	sh /vmrun
	rc=$?
fi
if [ "$(param vm.shell)" = 1 ] || [ ! -f /vmrun ]; then
	echo "init: shell on the console (exit or Ctrl-D powers off; Ctrl-A x quits QEMU)"
	setsid cttyhack sh -l
	rc=$?
fi
echo "VM-RESULT: rc=$rc"
sync
if [ -c /dev/port ]; then
	printf "$(printf '\\%03o' $((rc & 255)))" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
fi
poweroff -f
