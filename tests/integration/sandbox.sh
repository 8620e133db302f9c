#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sandbox.sh: indynetd confines itself: Landlock refuses a file outside the export, seccomp kills on a foreign system call, --user, --sandbox off.
#
#   1. the default (--sandbox on) as root with an export: the start-up line says
#      what is enforced, /proc shows no_new_privs, seccomp mode 2 and only the
#      kept capabilities; the guest still gets its lease and pings the gateway.
#   2. with the test hooks (-Dtest_hooks=true, the ASan build of `make test`):
#      the daemon opens a file in the export, but gets EACCES for a file beside
#      it and for /etc/passwd; a system call outside its list kills it with
#      SIGSYS (the kernel's audit line names the call), and a restarted daemon
#      serves the guest again.
#   3. --user nobody: the ids are nobody's, the capabilities those a runtime path
#      uses (no CAP_DAC_OVERRIDE), the guest gets its lease, SIGTERM exits 0.
#   4. --sandbox off: nothing is restricted (the hooks open the file beside the
#      export and the foreign system call returns).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init sandbox
t_need_root
t_need_cmd ip unshare dnsmasq busybox setpriv
t_indynetd
NS_HOST=san1-h-$$
NS_GUEST=san1-g-$$
nat_setup
mkdir -p "$T_TMP/exp" && echo inside >"$T_TMP/exp/file" && echo secret >"$T_TMP/secret"
chmod 755 "$T_TMP"

daemon_pid() { # the indynetd process itself (nat_start's pid is its wrapper)
	local p
	for p in $(ip netns pids "$NS_HOST"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = indynetd ] && echo "$p" && return 0
	done
	return 1
}
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
lease() {
	guest_dhcp_start
	guest_dhcp_wait 15 || t_fail "$1: no DHCP lease" "$(tail -5 "$INDY_LOG")"
	t_check "$1: the guest pings the gateway" ip netns exec "$NS_GUEST" ping -c 1 -W 2 "$GUEST_GW"
	kill "$GUEST_DHCP_PID" 2>/dev/null
}
hooks() { nat_ctl test-open "$T_TMP/exp/file" | grep -c '"errno"' >/dev/null; }
open_errno() { nat_ctl test-open "$1" | sed -n 's/^ok .*"errno":\([0-9]*\).*/\1/p'; }

# ---- 1. the default: confined ----
nat_start --export "$T_TMP/exp"
PID=$(daemon_pid) || t_fail "no indynetd process in $NS_HOST"
line=$(grep -m1 'sandbox:' "$INDY_LOG")
t_log "$line"
case $line in
*"no_new_privs, Landlock ABI "*", seccomp ("*" system calls, otherwise kill)"*) t_pass "start-up line names what is enforced" ;;
*) t_fail "start-up line names Landlock and seccomp" "$line" ;;
esac
t_expect_eq "no_new_privs" 1 "$(status_field "$PID" NoNewPrivs)"
t_expect_eq "seccomp filter mode" 2 "$(status_field "$PID" Seccomp)"
# kept (NAT): net_bind_service (10), dac_read_search (2), dac_override (1), fowner (3)
t_expect_eq "effective capabilities: only those a runtime path uses" 000000000000040e "$(status_field "$PID" CapEff)"
t_expect_eq "bounding set narrowed to the same" 000000000000040e "$(status_field "$PID" CapBnd)"
lease "sandbox on"

# ---- 2. the hooks: Landlock and seccomp seen from inside ----
if hooks; then
	t_expect_eq "a file in the export opens" 0 "$(open_errno "$T_TMP/exp/file")"
	t_expect_eq "a file beside the export: EACCES (Landlock)" 13 "$(open_errno "$T_TMP/secret")"
	t_expect_eq "/etc/passwd: EACCES (Landlock)" 13 "$(open_errno /etc/passwd)"
	t_expect_eq "/proc/self/status is still readable" 0 "$(open_errno /proc/self/status)"
	nat_ctl test-syscall >/dev/null
	t_wait 10 eval '! kill -0 $INDY_PID' || t_fail "indynetd survived a system call outside its list"
	wait "$INDY_PID"
	t_expect_eq "killed by SIGSYS (timeout reports 128 + 31)" 159 "$?"
	t_check "the kernel logged the call (syslog, 103) for pid $PID" \
		sh -c "dmesg | grep 'type=1326' | grep -c 'pid=$PID .*sig=31 .*syscall=103 '"
	rm -f "$INDY_CTL"
	nat_start --export "$T_TMP/exp"
	lease "restarted after SIGSYS"
	nat_stop
else
	t_log "no test hooks in $INDYNETD (built without -Dtest_hooks=true): part 2 left to the ASan build"
	nat_stop
fi

# ---- 3. --user nobody ----
chown -R nobody "$T_TMP/exp"
nat_start --export "$T_TMP/exp" --user nobody
PID=$(daemon_pid) || t_fail "no indynetd process in $NS_HOST"
t_expect_eq "runs as nobody" "$(id -u nobody)" "$(status_field "$PID" Uid)"
t_expect_eq "with nobody's group" "$(id -g nobody)" "$(status_field "$PID" Gid)"
t_expect_eq "capabilities: net_bind_service, dac_read_search" 0000000000000404 \
	"$(status_field "$PID" CapEff)"
t_check "the start-up line names the user" grep -c "sandbox: uid $(id -u nobody) gid" "$INDY_LOG"
lease "--user nobody"
nat_stop

# ---- 4. --sandbox off ----
nat_start --export "$T_TMP/exp" --sandbox off
PID=$(daemon_pid) || t_fail "no indynetd process in $NS_HOST"
t_check "the start-up line says the sandbox is off" grep -c "sandbox: off" "$INDY_LOG"
t_expect_eq "no seccomp" 0 "$(status_field "$PID" Seccomp)"
t_expect_eq "no no_new_privs" 0 "$(status_field "$PID" NoNewPrivs)"
if hooks; then
	t_expect_eq "the file beside the export opens" 0 "$(open_errno "$T_TMP/secret")"
	t_check "the foreign system call returns" sh -c "'$INDYNETD' --ctl '$INDY_CTL' test-syscall | grep -c '^ok .*result'"
	t_check "and the daemon lives on" kill -0 "$PID"
fi
lease "sandbox off"
nat_stop
t_done
