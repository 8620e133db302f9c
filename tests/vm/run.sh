#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh: boot the test guest (tests/vm/build.sh) in QEMU and return the guest script's exit status.
#
# Usage: tests/vm/run.sh [options] [-- extra qemu args]
#   -n NET    network attachment (default none):
#               stream:PATH            QEMU connects to the unix stream socket PATH
#                                      (indynetd --qemu-stream PATH must listen there;
#                                      run.sh waits up to 10 s for the socket to appear)
#               stream-connect:PATH    QEMU listens on PATH (server=on); the backend
#                                      connects (indynetd --qemu-stream-connect PATH)
#               dgram:LOCAL:REMOTE     QEMU binds the unix datagram socket LOCAL and sends
#                                      to REMOTE (indynetd --qemu-dgram REMOTE; waited for)
#               user                   QEMU's own slirp (for comparison only)
#               none                   no NIC
#   -f FILE   guest script, run as /vmrun (sh) after the network is up
#   -c CMD    guest command (instead of -f)
#   -x DIR    extra files: DIR's tree is added to the guest's root (repeatable)
#   -i CFG    guest IP configuration: dhcp (default) | none | A.B.C.D/P[,GW]
#   -s        interactive: leave a shell on the console after the script
#             (Ctrl-A x quits QEMU); needs a terminal
#   -t SECS   wall-clock timeout for the whole VM (default 300)
#   -m MEM    guest memory (default 512M)
#   -N MODEL  NIC model (default virtio-net-pci; e1000 also packed)
#   -M MAC    guest MAC (default 52:54:00:12:34:56)
#   -a ARGS   extra kernel command line
# The console goes to stdout, each line prefixed with seconds since QEMU started.
# Exit status: the guest's (via isa-debug-exit), 124 on timeout, 125 if the guest
# stopped without reporting one, 126 if the artifacts or the backend socket are missing.
# Environment: INDYNET_VM_DIR (default /var/tmp/indynet-vm), VM_ACCEL (tcg | kvm).
set -uo pipefail

W=${INDYNET_VM_DIR:-/var/tmp/indynet-vm}
NET=none CMD="" CMDFILE="" IPCFG=dhcp MEM=512M NIC=virtio-net-pci TMO=300 XAPPEND="" SHELL_MODE=0
MAC=52:54:00:12:34:56
EXTRA=()
usage() { sed -n '3,30p' "$0" >&2; exit 126; }
while getopts "n:f:c:x:i:st:m:N:M:a:h" o; do
	case $o in
	n) NET=$OPTARG ;; f) CMDFILE=$OPTARG ;; c) CMD=$OPTARG ;; x) EXTRA+=("$OPTARG") ;;
	i) IPCFG=$OPTARG ;; s) SHELL_MODE=1 ;; t) TMO=$OPTARG ;; m) MEM=$OPTARG ;;
	N) NIC=$OPTARG ;; M) MAC=$OPTARG ;; a) XAPPEND=$OPTARG ;; *) usage ;;
	esac
done
shift $((OPTIND - 1))

[ -e "$W/vmlinuz" ] && [ -f "$W/initrd.cpio.gz" ] ||
	{ echo "run.sh: no guest in $W; run tests/vm/build.sh first" >&2; exit 126; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/indynet-vmrun.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The kernel unpacks concatenated cpio archives in order: the script and the
# extra files go into a small second archive, the cached base image stays as is.
RD=$W/initrd.cpio.gz
if [ -n "$CMD$CMDFILE" ] || [ ${#EXTRA[@]} -gt 0 ]; then
	mkdir -p "$TMP/ovl"
	for d in "${EXTRA[@]}"; do cp -a "$d/." "$TMP/ovl/"; done
	if [ -n "$CMDFILE" ]; then cp "$CMDFILE" "$TMP/ovl/vmrun"; elif [ -n "$CMD" ]; then printf '%s\n' "$CMD" >"$TMP/ovl/vmrun"; fi
	(cd "$TMP/ovl" && find . -print0 | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$TMP/ovl.cpio.gz"
	cat "$W/initrd.cpio.gz" "$TMP/ovl.cpio.gz" >"$TMP/initrd"
	RD=$TMP/initrd
fi

wait_sock() { # wait_sock PATH: the backend's socket must exist before QEMU starts
	local _
	for _ in $(seq 1 100); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	echo "run.sh: no backend socket at $1" >&2
	exit 126
}

NETARGS=()
case $NET in
stream:*) wait_sock "${NET#stream:}"
	NETARGS=(-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=${NET#stream:}") ;;
stream-connect:*) rm -f "${NET#stream-connect:}"
	NETARGS=(-netdev "stream,id=n0,server=on,addr.type=unix,addr.path=${NET#stream-connect:}") ;;
dgram:*) p=${NET#dgram:}
	wait_sock "${p#*:}"
	rm -f "${p%%:*}"
	NETARGS=(-netdev "dgram,id=n0,local.type=unix,local.path=${p%%:*},remote.type=unix,remote.path=${p#*:}") ;;
user) NETARGS=(-netdev user,id=n0) ;;
none) ;;
*) echo "run.sh: bad -n $NET" >&2; exit 126 ;;
esac
# romfile= skips the iPXE option ROM (faster boot, no network boot attempts)
if [ ${#NETARGS[@]} -gt 0 ]; then
	NETARGS+=(-device "$NIC,netdev=n0,mac=$MAC,romfile=")
else
	NETARGS=(-nic none)
fi

# Under TCG every iteration of a string instruction is a trip through the
# translated block: with ERMS/FSRM advertised the guest kernel copies memory
# one byte per iteration ("rep movsb"), without them eight ("rep movsq"), which
# makes the guest's NFS writes 1.3x and reads 1.6x faster (bench/nfs.sh).
if [ "${VM_ACCEL:-tcg}" = kvm ]; then ACC=(-accel kvm -cpu host); else ACC=(-accel tcg -cpu max,-erms,-fsrm); fi
# no_timer_check: on a loaded host a TCG guest can miss the IO-APIC timer test's
# few ticks and panic at boot ("IO-APIC + timer doesn't work"), as cloud images
# know; the check only matters on broken real hardware.
APPEND="console=ttyS0 panic=-1 quiet loglevel=4 no_timer_check vm.ip=$IPCFG vm.shell=$SHELL_MODE $XAPPEND"
QEMU=(qemu-system-x86_64 "${ACC[@]}" -m "$MEM" -smp 1 -nographic -no-reboot
	-serial mon:stdio -monitor none -kernel "$W/vmlinuz" -initrd "$RD" -append "$APPEND"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${NETARGS[@]}" "$@")

status() { # status QEMU_RC: the guest's exit status
	if [ "$1" = 124 ] || [ "$1" = 137 ]; then echo 124
	elif [ $(($1 & 1)) = 1 ]; then echo $(($1 >> 1))
	else echo 125; fi
}

echo "run.sh: net=$NET nic=$NIC timeout=${TMO}s" >&2
if [ $SHELL_MODE = 1 ]; then
	echo "run.sh: interactive console; Ctrl-A x quits QEMU" >&2
	timeout --foreground "$TMO" "${QEMU[@]}"
	exit "$(status $?)"
fi

us() { echo "${EPOCHREALTIME/./}"; }
T0=$(us)
timeout --foreground -k 5 "$TMO" "${QEMU[@]}" </dev/null | while IFS= read -r line; do
	t=$(($(us) - T0))
	printf '[%4d.%03d] %s\n' $((t / 1000000)) $((t / 1000 % 1000)) "${line%$'\r'}"
done
rc=${PIPESTATUS[0]}
t=$(($(us) - T0))
echo "run.sh: qemu exit $rc after $((t / 1000000)).$((t / 1000 % 1000)) s" >&2
exit "$(status "$rc")"
