# SPDX-License-Identifier: MIT
# common.sh: shell helpers shared by the integration/e2e tests, the demo and the benchmarks (source it).
#
# tests/lib holds the shell helpers every script test sources (each documents
# its functions at its top):
#   common.sh   this file: checks, skips, waiting, cleanup, finding indynetd
#   netns.sh    "host" + guest network namespaces around indynetd --tap (integration)
#   vm.sh       indynetd + the QEMU test guest in a private netns (e2e, demo-like)
#   e2e-nat.sh  the NAT end-to-end scenario of tests/e2e/nat-*.sh
#   rawsend.py  hostile Ethernet frames through AF_PACKET (nat-hostile.sh)
# The guest itself is built by tests/vm/build.sh and booted by tests/vm/run.sh.
#
# Conventions: a test prints one line per check ("ok   - ..." / "FAIL - ...");
# a failure prints the evidence and exits 1; exit 77 means "skipped"
# (tests/run-all.sh counts it as such).  Everything a test starts is undone by
# the EXIT trap that t_init installs.
#
#   t_init NAME           start a test: $T_TMP (scratch dir), EXIT trap, timer
#   t_defer CMD...        run CMD at exit (last registered runs first)
#   t_evidence FILE...    files whose tail is printed when a check fails
#   t_log MSG             progress line on stderr ("[ 1.234s] MSG")
#   t_pass DESC           print "ok   - DESC"
#   t_fail DESC [TEXT]    print "FAIL - DESC", TEXT, the evidence files; exit 1
#   t_check DESC CMD...   run CMD; pass, or fail with its output as evidence
#   t_expect_eq DESC WANT GOT     pass if WANT = GOT, else fail showing both
#   t_skip REASON         exit 77
#   t_need_root           skip unless root
#   t_need_cmd CMD...     skip unless every CMD is on PATH
#   t_wait SECS CMD...    poll CMD every 0.1 s until it succeeds; 1 on timeout
#   t_indynetd            set $INDYNETD to the daemon binary (from $INDYNET_BUILD,
#                         else build/ or build-*/ in the tree) or skip
#   t_md5 FILE            print FILE's md5 (hex only)
#   t_repo                print the repository's top directory
#   t_done                print the summary line (checks passed, time)
#
# Set T_KEEP=1 to keep $T_TMP after the test (its path is printed).

T_CHECKS=0
T_DEFER=()
T_EVIDENCE=()

t_repo() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

t_init() {
	T_NAME=$1
	T_START=$SECONDS
	T_T0=${EPOCHREALTIME/./}
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/indynet-$T_NAME.XXXXXX")
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM
}

t_cleanup() {
	local rc=$? i
	set +e
	for ((i = ${#T_DEFER[@]} - 1; i >= 0; i--)); do
		eval "${T_DEFER[$i]}" >/dev/null 2>&1
	done
	if [ "${T_KEEP:-0}" = 1 ]; then
		echo "kept $T_TMP" >&2
	else
		rm -rf "$T_TMP"
	fi
	exit $rc
}

t_defer() { T_DEFER+=("$(printf '%q ' "$@")"); }
t_evidence() { T_EVIDENCE+=("$@"); }

t_elapsed() {
	local t=$((${EPOCHREALTIME/./} - T_T0))
	printf '%d.%03d' $((t / 1000000)) $((t / 1000 % 1000))
}

t_log() { echo "[$(printf '%8s' "$(t_elapsed)")s] $*" >&2; }

t_pass() {
	T_CHECKS=$((T_CHECKS + 1))
	echo "ok   - $*"
}

t_fail() {
	local f
	echo "FAIL - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/       | /'
	for f in "${T_EVIDENCE[@]}"; do
		[ -s "$f" ] || continue
		echo "------- tail of $f"
		tail -n 30 "$f"
	done
	exit 1
}

t_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_pass "$desc"
	else
		t_fail "$desc" "\$ $*"$'\n'"$out"
	fi
}

t_expect_eq() {
	if [ "$2" = "$3" ]; then
		t_pass "$1 ($3)"
	else
		t_fail "$1" "want: $2"$'\n'"got:  $3"
	fi
}

t_skip() {
	echo "SKIP: $*"
	exit 77
}

t_need_root() { [ "$(id -u)" = 0 ] || t_skip "needs root (network namespaces)"; }

t_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || t_skip "needs $c (run scripts/install-deps.sh)"
	done
}

t_wait() {
	local secs=$1 i n
	shift
	n=$((secs * 10))
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

t_indynetd() {
	local c top
	top=$(t_repo)
	for c in "${INDYNET_BUILD:+$INDYNET_BUILD/src/daemon/indynetd}" "$top/build/src/daemon/indynetd" \
		"$top"/build-*/src/daemon/indynetd; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			INDYNETD=$c
			return 0
		fi
	done
	t_skip "indynetd not built (set INDYNET_BUILD)"
}

t_md5() { md5sum "$1" | cut -d' ' -f1; }

t_done() { echo "all $T_CHECKS checks passed in $((SECONDS - T_START)) s"; }
