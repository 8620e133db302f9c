# SPDX-License-Identifier: MIT
# vm.sh: end-to-end fixtures: indynetd and the QEMU test guest inside a private network namespace.
#
# Source tests/lib/common.sh and tests/lib/netns.sh first, call t_init.  Layout:
#
#   netns $NS_HOST: only lo.  indynetd, QEMU (TCG) and the services the guest
#   talks to (bound to 127.0.0.1) all run here, so the guest can reach nothing
#   but this namespace's loopback through the NAT gateway.
#
#   vm_setup               build/refresh the guest (tests/vm/build.sh, cached), create $NS_HOST
#   vm_daemon_start FRONTEND ARGS...
#                          start indynetd in $NS_HOST with FRONTEND = stream | dgram |
#                          stream-connect (sockets in $T_TMP) plus ARGS; sets $VM_NET
#                          (run.sh -n value), $INDY_PID, $INDY_LOG
#   vm_daemon_stop         SIGTERM indynetd, fail unless it exits 0 within 10 s
#   vm_boot SCRIPT [run.sh options]   boot the guest running SCRIPT (a file) in the
#                          background; console in $VM_CONSOLE (= $VM_CONSOLE_FILE if
#                          set, else $T_TMP/console.log), pid in $VM_PID
#   vm_wait_line REGEX SECS          wait for a console line matching REGEX (1 if the
#                          guest stops or SECS pass first)
#   vm_wait SECS           wait for the guest to finish; sets $VM_RC (guest exit status)
#   vm_checks              copy the guest's "VM-CHECK" lines into this test's results
#                          (fails on the first failed one, printing its evidence)
#   vm_value KEY           the value of the guest's "report KEY VALUE" line
#   srv_http DIR PORT      python3 http.server for DIR on 127.0.0.1:PORT in $NS_HOST
#   srv_sink FILE PORT     one TCP connection's bytes on 127.0.0.1:PORT into FILE; pid $NS_BGPID
#
# Guest scripts use /lib/indynet-guest.sh (tests/vm/guest-lib.sh).

vm_setup() {
	t_need_root
	t_need_cmd qemu-system-x86_64 ip timeout python3 socat
	t_log "building/refreshing the guest (tests/vm/build.sh)"
	bash "$(t_repo)/tests/vm/build.sh" >"$T_TMP/vm-build.log" 2>&1 ||
		t_fail "tests/vm/build.sh failed" "$(tail -n 30 "$T_TMP/vm-build.log")"
	t_log "$(tail -n 1 "$T_TMP/vm-build.log")"
	ns_create "$NS_HOST"
	ip netns exec "$NS_HOST" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
}

vm_daemon_start() {
	local fe=$1 args
	shift
	INDY_LOG=${INDY_LOG:-$T_TMP/indynetd.log}
	case $fe in
	stream) args=(--qemu-stream "$T_TMP/indy.sock"); VM_NET=stream:$T_TMP/indy.sock ;;
	dgram) args=(--qemu-dgram "$T_TMP/indy.sock"); VM_NET=dgram:$T_TMP/qemu.sock:$T_TMP/indy.sock ;;
	stream-connect) args=(--qemu-stream-connect "$T_TMP/qemu.sock"); VM_NET=stream-connect:$T_TMP/qemu.sock ;;
	*) t_fail "vm_daemon_start: unknown frontend $fe" ;;
	esac
	[ "$fe" = stream-connect ] || rm -f "$T_TMP/indy.sock"
	t_evidence "$INDY_LOG"
	ip netns exec "$NS_HOST" timeout -s TERM 800 "$INDYNETD" "${args[@]}" \
		--log-level "${INDY_LOG_LEVEL:-info}" "$@" >>"$INDY_LOG" 2>&1 &
	INDY_PID=$!
	t_defer kill "$INDY_PID"
	if [ "$fe" != stream-connect ]; then
		t_wait 10 test -S "$T_TMP/indy.sock" ||
			t_fail "indynetd did not create $T_TMP/indy.sock within 10 s" "$(cat "$INDY_LOG")"
	else
		sleep 0.2
		kill -0 "$INDY_PID" 2>/dev/null || t_fail "indynetd exited at start-up" "$(cat "$INDY_LOG")"
	fi
	t_log "indynetd running (pid $INDY_PID): ${args[*]} $*"
}

vm_daemon_stop() {
	local rc
	kill -TERM "$INDY_PID" 2>/dev/null
	t_wait 10 eval '! kill -0 $INDY_PID' || t_fail "indynetd did not stop within 10 s of SIGTERM"
	wait "$INDY_PID"
	rc=$?
	t_expect_eq "indynetd exits cleanly on SIGTERM" 0 "$rc"
}

vm_boot() {
	local script=$1
	shift
	VM_CONSOLE=${VM_CONSOLE_FILE:-$T_TMP/console.log}
	t_evidence "$VM_CONSOLE"
	ip netns exec "$NS_HOST" bash "$(t_repo)/tests/vm/run.sh" -n "$VM_NET" -f "$script" \
		-t "${VM_TIMEOUT:-300}" "$@" >"$VM_CONSOLE" 2>&1 &
	VM_PID=$!
	t_defer kill "$VM_PID"
	t_log "guest booting (console: $VM_CONSOLE)"
}

vm_wait_line() {
	local i n=$(($2 * 10))
	for ((i = 0; i < n; i++)); do
		grep -qE "$1" "$VM_CONSOLE" 2>/dev/null && return 0
		kill -0 "$VM_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

vm_wait() {
	local i n=$(($1 * 10))
	for ((i = 0; i < n; i++)); do
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$VM_PID" 2>/dev/null && t_fail "the guest did not finish within $1 s"
	wait "$VM_PID"
	VM_RC=$?
	t_log "guest finished: status $VM_RC"
}

vm_checks() {
	local line n=0
	while IFS= read -r line; do
		case $line in
		*"VM-CHECK ok "*) t_pass "guest: ${line#*VM-CHECK ok }"; n=$((n + 1)) ;;
		*"VM-CHECK FAIL "*)
			t_fail "guest: ${line#*VM-CHECK FAIL }" \
				"$(grep -A 15 -F "$line" "$VM_CONSOLE" | tail -n +2 | grep -F '    | ')" ;;
		esac
	done <"$VM_CONSOLE"
	[ $n -gt 0 ] || t_fail "the guest reported no checks (did it boot?)"
}

vm_value() { sed -n "s/.*VM-VALUE $1 \\([^[:space:]]*\\).*/\\1/p" "$VM_CONSOLE" | tail -n 1; }

srv_http() {
	ns_bg "$NS_HOST" "$T_TMP/http-$2.log" timeout 800 python3 -m http.server --bind 127.0.0.1 \
		--directory "$1" "$2"
	t_wait 10 ns_listening "$NS_HOST" tcp "$2" || t_fail "HTTP server on 127.0.0.1:$2 did not start"
}

srv_sink() {
	ns_bg "$NS_HOST" "$T_TMP/sink-$2.log" timeout 800 socat -u \
		TCP-LISTEN:"$2",bind=127.0.0.1,reuseaddr CREATE:"$1"
	t_wait 10 ns_listening "$NS_HOST" tcp "$2" || t_fail "TCP sink on 127.0.0.1:$2 did not start"
}
