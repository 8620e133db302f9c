#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# capture-access.sh: indynetd --capture-access check|enable for an unprivileged user: each verdict, its fix, exit codes, pkexec.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"

t_init capture-access
t_need_root
t_need_cmd ip setpriv getcap setcap
t_indynetd

# a veth pair in a namespace of our own; nobody runs a copy of indynetd (file capabilities are per file)
NS=cap0ns
ip netns del "$NS" 2>/dev/null
ip netns add "$NS" || t_fail "cannot create namespace $NS"
t_defer ip netns del "$NS"
ip -n "$NS" link add cap0a type veth peer name cap0b || t_fail "cannot create veth"
ip -n "$NS" link set cap0a up && ip -n "$NS" link set cap0b up
chmod 755 "$T_TMP"
BIN=$T_TMP/indynetd
cp "$INDYNETD" "$BIN" && chmod 755 "$BIN"
OUT=$T_TMP/out
t_evidence "$OUT"

as_nobody() { # as_nobody CMD...: no capabilities, no ambient or inheritable ones; output in $OUT, status echoed
	ip netns exec "$NS" setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all "$@" >"$OUT" 2>&1
	echo $?
}
expect_line() { # expect_line DESC LINE: $OUT has this exact line
	if grep -qxF -- "$2" "$OUT"; then t_pass "$1"; else t_fail "$1: no line '$2'" "$(cat "$OUT")"; fi
}

t_expect_eq "no capability: check exits 1" 1 "$(as_nobody "$BIN" --capture-access check --interface cap0a)"
expect_line "verdict no-permission" "verdict: no-permission"
expect_line "it names the interface" "interface: cap0a"
expect_line "the fix is the exact setcap command" \
	"fix: sudo setcap cap_net_raw,cap_net_admin+eip $BIN (or: indynetd --capture-access enable)"

t_expect_eq "missing interface: check exits 1" 1 "$(as_nobody "$BIN" --capture-access check --interface cap0zz)"
expect_line "verdict no-interface" "verdict: no-interface"
t_expect_eq "an invalid interface name is bad input (2)" 2 \
	"$(as_nobody "$BIN" --capture-access check --interface 'cap0/x')"
t_expect_eq "an unknown mode is bad input (2)" 2 "$(as_nobody "$BIN" --capture-access grant)"

# no pkexec: enable prints the command and fails
mkdir -p "$T_TMP/bin" && chmod 755 "$T_TMP/bin"
t_expect_eq "enable without pkexec exits 1" 1 \
	"$(as_nobody env PATH=/nonexistent "$BIN" --capture-access enable --interface cap0a)"
expect_line "and prints the setcap command" "  sudo setcap cap_net_raw,cap_net_admin+eip $BIN"

# a pkexec that records how it was called (and grants nothing): the re-exec keeps the desktop's variables
cat >"$T_TMP/bin/pkexec" <<EOS
#!/bin/sh
printf '%s\n' "\$@" >$T_TMP/pkexec.args
EOS
chmod 755 "$T_TMP/bin/pkexec"
: >"$T_TMP/pkexec.args" && chmod 666 "$T_TMP/pkexec.args"
t_expect_eq "enable through pkexec, then a fresh check: still 1 (the fake granted nothing)" 1 \
	"$(as_nobody env PATH="$T_TMP/bin:/usr/bin:/bin" DISPLAY=:7 XAUTHORITY=/x/auth HOME=/nonexistent \
		APPIMAGE="$T_TMP/indy.AppImage" "$BIN" --capture-access enable --interface cap0a)"
want="/usr/bin/env
DISPLAY=:7
XAUTHORITY=/x/auth
HOME=/nonexistent
APPIMAGE=$T_TMP/indy.AppImage
$T_TMP/indy.AppImage
--capture-access
enable
--interface
cap0a"
t_expect_eq "pkexec ran env with the session's variables, then \$APPIMAGE" "$want" "$(cat "$T_TMP/pkexec.args")"
expect_line "the fresh check ran after pkexec" "verdict: no-permission"

# root: enable applies the capabilities with libcap and checks again
t_check "enable as root exits 0" "$BIN" --capture-access enable --interface lo
t_expect_eq "the binary carries the capabilities" "$BIN cap_net_admin,cap_net_raw=eip" "$(getcap "$BIN")"
t_expect_eq "now nobody's check exits 0" 0 "$(as_nobody "$BIN" --capture-access check --interface cap0a)"
expect_line "verdict works" "verdict: works"
expect_line "through the file capabilities" \
	"reason: a capture opened on cap0a (through the file capabilities of the executable)"
t_expect_eq "enable as nobody when it works: exits 0, nothing to do" 0 \
	"$(as_nobody env PATH=/nonexistent "$BIN" --capture-access enable --interface cap0a)"

# no_new_privs: the capabilities are there but never reach the process
t_expect_eq "no_new_privs: check exits 1" 1 \
	"$(as_nobody setpriv --no-new-privs "$BIN" --capture-access check --interface cap0a)"
expect_line "verdict caps-ignored" "verdict: caps-ignored"
grep -q "^reason: .*no_new_privs set" "$OUT" || t_fail "the reason names no_new_privs" "$(cat "$OUT")"
t_pass "the reason names no_new_privs"

# a nosuid mount: the same capabilities, ignored
mkdir "$T_TMP/nosuid"
mount -t tmpfs -o nosuid,mode=755 cap0tmp "$T_TMP/nosuid" || t_fail "cannot mount a nosuid tmpfs"
t_defer umount "$T_TMP/nosuid"
cp -p "$BIN" "$T_TMP/nosuid/indynetd"
setcap cap_net_raw,cap_net_admin+eip "$T_TMP/nosuid/indynetd" || t_fail "tmpfs holds no file capabilities here"
t_expect_eq "nosuid: check exits 1" 1 "$(as_nobody "$T_TMP/nosuid/indynetd" --capture-access check --interface cap0a)"
expect_line "verdict caps-ignored" "verdict: caps-ignored"
grep -q "^reason: .*carries cap_net_raw,cap_net_admin+eip, but its filesystem is mounted nosuid" "$OUT" ||
	t_fail "the reason names the nosuid mount" "$(cat "$OUT")"
t_pass "the reason names the nosuid mount"
t_done
