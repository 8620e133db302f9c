# SPDX-License-Identifier: MIT
# lib-nfs.sh: shared plumbing of the NFS end-to-end tests (tests/e2e/nfs-*.sh) and bench/nfs.sh.
#
# Uses tests/lib/common.sh (t_skip, t_need_root, t_need_cmd, t_indynetd).  Source it,
# then call nfs_init first:
#   . "$(dirname "$0")/lib-nfs.sh"; nfs_init "$0" "$@"
#
# nfs_init SCRIPT ARGS...   checks the prerequisites (exit 77 when one is truly missing:
#                           no indynetd, no --export in its --help, no QEMU, not root),
#                           builds the guest (tests/vm/build.sh, cached), then re-execs
#                           SCRIPT inside a private net+mount+pid namespace (only "lo",
#                           private /run) so the guest and the daemons reach nothing but
#                           loopback.  Inside it sets:
#                             NFS_W       scratch dir (removed at exit unless NFS_KEEP=1)
#                             NFS_EXPORT  an empty export directory under NFS_W
#                             INDYNETD    the daemon binary
# nfs_daemon_start FRONTEND ARGS...   start indynetd in the background; FRONTEND is
#                           stream | stream-connect | dgram (sockets under NFS_W);
#                           ARGS go to indynetd (e.g. --export "$NFS_EXPORT").  Sets
#                           NFS_DPID, NFS_VMNET (the tests/vm/run.sh -n value) and
#                           NFS_DLOG; waits until the socket exists.
# nfs_daemon_stop           SIGTERM, wait (5 s, then SIGKILL); fails if it did not exit 0.
# nfs_vm_start SCRIPT LOG [TIMEOUT]   boot the guest in the background (console to LOG);
#                           NFS_VM_EXTRA=DIR adds DIR's tree to the guest (run.sh -x).
# nfs_vm_wait               wait for it; returns the guest's exit status.
# nfs_vm_run SCRIPT LOG [TIMEOUT]     start + wait.
# nfs_wait_console LOG PATTERN SECS   poll LOG until a line matches PATTERN.
# nfs_guest_prelude EXPORT_PATH       prints the guest-side shell helpers (mount helpers,
#                           ok/fail reporting) to put at the top of a guest script.
# nfs_check DESC CMD...     run CMD; print "ok DESC" or "FAIL DESC" (and count it).
# nfs_expect_eq DESC GOT WANT
# nfs_finish                print a summary; exit 1 when any check failed.
# nfs_console_value LOG KEY prints the value of the last "KEY=value" line of LOG.
# nfs_wire_check CAP VERS... tshark checks of an indynetd --capture-file: no malformed
#                           frame, no expert error, replies decoded for MOUNT and NFS of
#                           each VERS (2, 3), all accepted (NFSACL may be PROG_UNAVAIL),
#                           every call answered, v2 READDIR replies within 1472 bytes.
#                           Defines nfs_wire_count FILTER for further checks.
# nfs_ganesha_start EXPORT  rpcbind + nfs-ganesha (bench/ganesha/ganesha.conf.in: NFSv3,
#                           UDP, NFS 2049, MOUNT 1234) on the namespace's loopback.
# nfs_ganesha_stop
# NFS_LIB_HOOK=FILE         a file sourced at the end of this library (debugging aid: e.g.
#                           redefine nfs_daemon_start to try the guest scripts elsewhere).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "lib-nfs.sh is a library for tests/e2e/nfs-*.sh, not a test"
	exit 77
fi
NFS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$NFS_REPO/tests/lib/common.sh"
NFS_FAILS=0
NFS_GW=${NFS_GW:-192.168.0.1}

nfs_log() { echo "nfs-e2e: $*"; }
nfs_skip() { t_skip "$@"; }
nfs_die() { echo "FAIL: $*"; exit 1; }

# nfs_prereq: exit 77 when a prerequisite is truly unavailable (tests/lib/common.sh checks)
nfs_prereq() {
	t_need_root
	t_need_cmd qemu-system-x86_64 unshare ip md5sum timeout
	t_indynetd
	"$INDYNETD" --help 2>&1 | grep -c -- '--export' >/dev/null || t_skip "indynetd has no --export yet"
	[ -f "$NFS_REPO/tests/vm/run.sh" ] && [ -f "$NFS_REPO/tests/vm/build.sh" ] || t_skip "no tests/vm/run.sh"
	bash "$NFS_REPO/tests/vm/build.sh" || nfs_die "tests/vm/build.sh failed"
	export INDYNETD
}

nfs_cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${NFS_KEEP:-0}" = 1 ]; then nfs_log "kept $NFS_W"; else rm -rf "$NFS_W"; fi
}

# nfs_bridge_lan NAME: the LAN of the bridge tests: namespace NAME (sets $LAN; removed
# at exit) holding lan1 = 10.77.1.1/24, joined by a veth to cap1 = 10.77.1.2/24 here;
# IPv6 off on both sides, no TX checksum offload on the LAN end
nfs_bridge_lan() {
	LAN=$1
	ip netns add "$LAN" || nfs_die "ip netns add $LAN"
	trap 'ip netns del "$LAN" 2>/dev/null; nfs_cleanup' EXIT
	ip link add cap1 type veth peer name lan1 netns "$LAN" || nfs_die "veth cap1-lan1"
	ip netns exec "$LAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$LAN" ethtool -K lan1 tx off >/dev/null 2>&1
	ip -n "$LAN" addr add 10.77.1.1/24 dev lan1
	ip -n "$LAN" link set lo up
	ip -n "$LAN" link set lan1 up
	ip addr add 10.77.1.2/24 dev cap1
	ip link set cap1 up
}

# nfs_lan_dhcp: dnsmasq in $LAN handing out 10.77.1.100-150 (no router, no DNS); log in $NFS_W/dnsmasq.log
nfs_lan_dhcp() {
	ip netns exec "$LAN" dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --pid-file= \
		--user=root --group=root --port=0 --interface=lan1 --bind-dynamic \
		--dhcp-range=10.77.1.100,10.77.1.150,255.255.255.0,1h --dhcp-option=3 --dhcp-option=6 \
		--dhcp-leasefile="$NFS_W/lan.leases" --log-dhcp --log-facility=- >"$NFS_W/dnsmasq.log" 2>&1 &
}

nfs_init() {
	local script=$1
	shift
	if [ -z "${NFS_IN_NS:-}" ]; then
		nfs_prereq
		exec unshare --net --mount --pid --fork --kill-child --propagation private --mount-proc \
			env NFS_IN_NS=1 INDYNETD="$INDYNETD" bash "$script" "$@"
	fi
	ip link set lo up || nfs_die "cannot bring lo up in the namespace"
	mount -t tmpfs tmpfs /run || nfs_die "cannot mount a private /run"
	NFS_W=$(mktemp -d /var/tmp/indynet-nfs-e2e.XXXXXX)
	NFS_EXPORT=$NFS_W/export
	mkdir -p "$NFS_EXPORT"
	chmod 755 "$NFS_W" "$NFS_EXPORT"
	trap nfs_cleanup EXIT
	nfs_log "namespace ready: $(ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')work=$NFS_W"
}

nfs_wait_sock() { # nfs_wait_sock PATH SECS
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ -S "$1" ] && return 0
		kill -0 "$NFS_DPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

nfs_daemon_start() {
	local fe=$1 n=${NFS_DN:-0}
	shift
	NFS_DN=$((n + 1))
	NFS_DLOG=$NFS_W/indynetd.$NFS_DN.log
	local fargs=()
	case $fe in
	stream) fargs=(--qemu-stream "$NFS_W/qemu.sock"); NFS_VMNET=stream:$NFS_W/qemu.sock ;;
	stream-connect) fargs=(--qemu-stream-connect "$NFS_W/qemu-listen.sock")
		NFS_VMNET=stream-connect:$NFS_W/qemu-listen.sock ;;
	dgram) fargs=(--qemu-dgram "$NFS_W/indynetd.dgram")
		NFS_VMNET=dgram:$NFS_W/qemu.dgram:$NFS_W/indynetd.dgram ;;
	*) nfs_die "nfs_daemon_start: bad frontend $fe" ;;
	esac
	[ "$fe" = stream-connect ] || rm -f "${fargs[1]}"
	nfs_log "start: indynetd ${fargs[*]} $* (log $NFS_DLOG)"
	timeout -k 5 "${NFS_DAEMON_TMO:-1200}" "$INDYNETD" "${fargs[@]}" --log-level "${NFS_LOGLEVEL:-info}" "$@" \
		>"$NFS_DLOG" 2>&1 &
	NFS_DPID=$!
	if [ "$fe" != stream-connect ]; then
		nfs_wait_sock "${fargs[1]}" 10 || { cat "$NFS_DLOG"; nfs_die "indynetd did not come up"; }
	else
		sleep 0.2
		kill -0 "$NFS_DPID" 2>/dev/null || { cat "$NFS_DLOG"; nfs_die "indynetd exited at start"; }
	fi
}

nfs_daemon_stop() {
	local i rc
	[ -n "${NFS_DPID:-}" ] || return 0
	kill -TERM "$NFS_DPID" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$NFS_DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$NFS_DPID" 2>/dev/null && { nfs_log "indynetd ignored SIGTERM for 5 s; SIGKILL"; kill -KILL "$NFS_DPID"; }
	wait "$NFS_DPID"
	rc=$?
	NFS_DPID=
	nfs_check "indynetd exits 0 on SIGTERM (rc=$rc)" test "$rc" = 0
}

nfs_vm_start() { # nfs_vm_start SCRIPT LOG [TIMEOUT]
	nfs_log "boot guest: run.sh -n $NFS_VMNET -f $1 (console $2)"
	bash "$NFS_REPO/tests/vm/run.sh" -n "$NFS_VMNET" -t "${3:-600}" -f "$1" ${NFS_VM_EXTRA:+-x "$NFS_VM_EXTRA"} \
		>"$2" 2>&1 &
	NFS_VMPID=$!
}

nfs_vm_wait() {
	local rc
	wait "$NFS_VMPID"
	rc=$?
	NFS_VMPID=
	return $rc
}

nfs_vm_run() {
	nfs_vm_start "$@"
	nfs_vm_wait
}

nfs_wait_console() { # nfs_wait_console LOG PATTERN SECS
	local i
	for i in $(seq 1 $(($3 * 5))); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		[ -n "${NFS_VMPID:-}" ] && ! kill -0 "$NFS_VMPID" 2>/dev/null && return 1
		sleep 0.2
	done
	return 1
}

nfs_console_value() { # nfs_console_value LOG KEY
	grep -aoE "$2=[^ ]*" "$1" | tail -n1 | cut -d= -f2-
}

nfs_check() { # nfs_check DESC CMD...
	local d=$1
	shift
	if "$@"; then echo "ok   $d"; else echo "FAIL $d"; NFS_FAILS=$((NFS_FAILS + 1)); fi
}

nfs_expect_eq() { # nfs_expect_eq DESC GOT WANT
	if [ "$2" = "$3" ]; then echo "ok   $1 ($2)"
	else echo "FAIL $1: got '$2', want '$3'"; NFS_FAILS=$((NFS_FAILS + 1)); fi
}

# nfs_show_logs CONSOLE: evidence after a failure
nfs_show_logs() {
	echo "---- guest console ($1)"
	sed 's/^/  /' "$1"
	echo "---- indynetd log(s)"
	tail -n 40 "$NFS_W"/indynetd.*.log 2>/dev/null | sed 's/^/  /'
}

nfs_finish() {
	if [ "$NFS_FAILS" = 0 ]; then echo "PASS ($(basename "$0"))"; exit 0; fi
	echo "FAILED: $NFS_FAILS check(s) ($(basename "$0"))"
	exit 1
}

# nfs_guest_prelude EXPORT_PATH: shell helpers for the guest script (busybox ash).
#   gmount NAME OPTS    mount SRV:EXPORT_PATH on /mnt/NAME with OPTS + proto/mountproto
#                       $GPROTO (default udp)
#   gumount NAME        unmount, drop caches
#   gok MSG / gfail MSG print "GUEST-OK: MSG" / "GUEST-FAIL: MSG" (gfail counts)
#   gend                exit 0 when no gfail, else 1
nfs_guest_prelude() {
	cat <<EOF
set -u
SRV=$NFS_GW
EXPORT_PATH=$1
EOF
	cat <<'EOF'
GFAILS=0
gok() { echo "GUEST-OK: $*"; }
gfail() { echo "GUEST-FAIL: $*"; GFAILS=$((GFAILS + 1)); }
gend() { echo "GUEST-SUMMARY: fails=$GFAILS"; [ "$GFAILS" = 0 ]; }
up() { cut -d' ' -f1 /proc/uptime; }
gmount() { # gmount NAME OPTS [PATH]
	mkdir -p "/mnt/$1"
	mount -t nfs -o "$2,proto=${GPROTO:-udp},mountproto=${GPROTO:-udp},nolock,addr=$SRV,mountaddr=$SRV" \
		"$SRV:${3:-$EXPORT_PATH}" "/mnt/$1"
}
# gholders DIR: the processes with a file, cwd or root under DIR
gholders() {
	for _p in /proc/[0-9]*; do
		for _f in "$_p"/cwd "$_p"/root "$_p"/fd/*; do
			case "$(readlink "$_f" 2>/dev/null)" in "$1"/* | "$1") echo "$_p ($(tr '\0' ' ' <"$_p"/cmdline)): $_f";; esac
		done
	done
}
# busybox timeout's watcher (a grandchild polling once a second) outlives the command
# by up to 1 s holding its descriptors, so a busy mount gets 3 s before it counts
gumount() {
	_n=0
	until umount "/mnt/$1" 2>/tmp/umerr; do
		_n=$((_n + 1))
		[ $_n = 1 ] && echo "umount /mnt/$1: $(cat /tmp/umerr); held by: $(gholders "/mnt/$1")"
		[ $_n -le 6 ] && grep -q busy /tmp/umerr && { sleep 0.5; continue; }
		gfail "umount /mnt/$1: $(cat /tmp/umerr) $(gholders "/mnt/$1")"
		return 1
	done
	echo 3 >/proc/sys/vm/drop_caches
}
# gmountopts NAME: the options the kernel really uses for /mnt/NAME
gmountopts() { awk -v m="/mnt/$1" '$2 == m && $3 ~ /^nfs/ {print $4}' /proc/mounts; }
# ghasopt NAME OPT: the mount of /mnt/NAME shows OPT
ghasopt() { gmountopts "$1" | tr ',' '\n' | grep -qx "$2"; }
EOF
}

# MOUNT's port 1234 is no well-known RPC port: without a portmap exchange in the capture
# tshark would decode it as another protocol ("AC DR"), so decode it as RPC.
NFS_TSHARK=(tshark -n -d udp.port==1234,rpc)

nfs_wire_count() { # nfs_wire_count FILTER: frames of NFS_CAP matching (two-pass: replies know their calls)
	"${NFS_TSHARK[@]}" -2 -r "$NFS_CAP" -Y "$1" 2>/dev/null | wc -l
}

nfs_wire_check() {
	local v n calls
	NFS_CAP=$1
	shift
	command -v tshark >/dev/null || { nfs_log "no tshark: wire check skipped"; return 0; }
	[ -s "$NFS_CAP" ] || { nfs_check "capture file $NFS_CAP exists" false; return; }
	nfs_check "tshark reads the capture" "${NFS_TSHARK[@]}" -r "$NFS_CAP" -c 1 -q
	nfs_log "capture: $(stat -c %s "$NFS_CAP") bytes, $(nfs_wire_count frame) frames, $(nfs_wire_count rpc) RPC messages"
	nfs_expect_eq "wire: frames tshark flags malformed" "$(nfs_wire_count _ws.malformed)" 0
	nfs_expect_eq "wire: expert infos of severity error" "$(nfs_wire_count '_ws.expert.severity == 8388608')" 0
	calls=$(nfs_wire_count 'rpc.msgtyp == 0 && rpc.program == 100000')
	nfs_expect_eq "wire: portmap replies decoded (one per call)" \
		"$(nfs_wire_count 'rpc.msgtyp == 1 && rpc.program == 100000')" "$calls"
	n=$(nfs_wire_count "rpc.msgtyp == 1 && rpc.program == 100005")
	nfs_check "wire: MOUNT replies decoded: $n" test "$n" -gt 0
	for v in "$@"; do
		n=$(nfs_wire_count "rpc.msgtyp == 1 && rpc.program == 100003 && rpc.programversion == $v")
		nfs_check "wire: NFSv$v replies decoded: $n" test "$n" -gt 0
	done
	nfs_expect_eq "wire: NFSv2 READDIR replies over 1472 bytes of UDP payload (IRIX limit)" \
		"$(nfs_wire_count 'nfs.procedure_v2 == 16 && rpc.msgtyp == 1 && udp.length > 1480')" 0
	nfs_expect_eq "wire: denied replies (MSG_DENIED)" "$(nfs_wire_count 'rpc.msgtyp == 1 && rpc.replystat != 0')" 0
	nfs_expect_eq "wire: replies with accept_stat other than SUCCESS" \
		"$(nfs_wire_count 'rpc.msgtyp == 1 && rpc.state_accept != 0 && rpc.program != 100227')" 0
	nfs_expect_eq "wire: calls without a reply" "$(nfs_wire_count 'rpc.msgtyp == 0 && !rpc.reqframe && !rpc.repframe')" 0
	[ "$NFS_FAILS" = 0 ] && return 0
	echo "---- tshark: malformed / errors / unanswered calls"
	"${NFS_TSHARK[@]}" -2 -r "$NFS_CAP" -Y '_ws.malformed || _ws.expert.severity == 8388608 || (rpc.msgtyp == 0 && !rpc.reqframe && !rpc.repframe)' 2>/dev/null | head -n 30
	"${NFS_TSHARK[@]}" -r "$NFS_CAP" -q -z expert,error 2>/dev/null | head -n 30
}

nfs_ganesha_start() { # nfs_ganesha_start EXPORT
	local t i
	for t in ganesha.nfsd rpcbind rpcinfo; do
		command -v "$t" >/dev/null || nfs_skip "no $t (nfs-ganesha, rpcbind)"
	done
	# glibc's getaddrinfo(AI_ADDRCONFIG) ignores 127.0.0.1; ganesha needs one more address
	ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	mkdir -p /run/rpcbind /run/ganesha
	chown _rpc /run/rpcbind 2>/dev/null
	[ -d /var/lib/nfs ] && mount -t tmpfs tmpfs /var/lib/nfs
	sed "s|@EXPORT@|$1|" "$NFS_REPO/bench/ganesha/ganesha.conf.in" >"$NFS_W/ganesha.conf"
	rpcbind -f -w &
	NFS_RPCBPID=$!
	for i in $(seq 1 50); do rpcinfo -p 127.0.0.1 >/dev/null 2>&1 && break; sleep 0.1; done
	timeout -k 5 "${NFS_DAEMON_TMO:-1200}" ganesha.nfsd -F -f "$NFS_W/ganesha.conf" -L "$NFS_W/ganesha.log" \
		-p /run/ganesha/ganesha.pid -N NIV_EVENT &
	NFS_GPID=$!
	for i in $(seq 1 150); do
		rpcinfo -p 127.0.0.1 2>/dev/null | grep -q ' 100003 *3 *udp' && return 0
		kill -0 "$NFS_GPID" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$NFS_W/ganesha.log"
	nfs_die "nfs-ganesha did not register NFSv3/UDP"
}

nfs_ganesha_stop() {
	kill "$NFS_GPID" "$NFS_RPCBPID" 2>/dev/null
	wait "$NFS_GPID" "$NFS_RPCBPID" 2>/dev/null
	umount /var/lib/nfs 2>/dev/null
	NFS_GPID="" NFS_RPCBPID=""
}

if [ -n "${NFS_LIB_HOOK:-}" ]; then . "$NFS_LIB_HOOK"; fi
