# SPDX-License-Identifier: MIT
# guest-lib.sh: check helpers for scripts that run inside the test guest (installed as /lib/indynet-guest.sh).
#
# Note: Debian's busybox 1.35 wget crashes with -T; wrap commands in busybox timeout instead.
#
# A guest script does ". /lib/indynet-guest.sh", then:
#   check DESC CMD...      run CMD; print "VM-CHECK ok DESC" or "VM-CHECK FAIL DESC"
#                          followed by CMD's output (indented); time in ms is printed too
#   report KEY VALUE       print "VM-VALUE KEY VALUE" (read by the host side)
#   md5 FILE               print FILE's md5 (hex only)
#   finish                 exit 0 if every check passed, else 1
# The host side (tests/lib/vm.sh: vm_checks) turns these lines into its own results.
VM_FAILED=0
now_ms() { awk '{printf "%d", $1 * 1000}' /proc/uptime; }
check() {
	desc=$1
	shift
	t0=$(now_ms)
	if out=$("$@" 2>&1); then
		echo "VM-CHECK ok $desc ($(($(now_ms) - t0)) ms)"
	else
		echo "VM-CHECK FAIL $desc ($(($(now_ms) - t0)) ms)"
		echo "$out" | tail -n 15 | sed 's/^/    | /'
		VM_FAILED=1
	fi
}
report() { echo "VM-VALUE $1 $2"; }
md5() { md5sum "$1" | cut -d' ' -f1; }
finish() { exit $VM_FAILED; }
