#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-all.sh: the whole test suite (unit, unit under ASan/UBSan, fuzz smoke, integration, e2e).
#
# Usage: [NOPCAP_BUILD=DIR] tests/run-all.sh BUILD_DIR [ASAN_BUILD_DIR]
# Every script tests/{integration,e2e}/*.sh (but lib*.sh, sourced helpers) is one test: exit 0 passes, 77 skips,
# anything else fails.  TESTS=pattern limits the scripts run (a grep -E on the path).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=$(realpath "${1:-build}")
ASAN=${2:-}
export INDYNET_BUILD=$BUILD
pass=0 fail=0 skip=0 failed=()
LOGDIR=${TEST_LOGDIR:-$BUILD/test-logs}
mkdir -p "$LOGDIR"

record() { # record NAME RC
	case $2 in
	0) pass=$((pass + 1)); echo "PASS $1" ;;
	77) skip=$((skip + 1)); echo "SKIP $1" ;;
	*) fail=$((fail + 1)); failed+=("$1"); echo "FAIL $1 (rc=$2)" ;;
	esac
}

run_meson() { # run_meson DIR LABEL [MESON TEST ARGS...]
	local out=$LOGDIR/meson-$2.txt
	meson test -C "$1" --print-errorlogs --num-processes 2 "${@:3}" >"$out" 2>&1
	local rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$out" | sed "s/^/[$2] /"
	record "unit tests ($2)" $rc
	[ $rc -eq 0 ] || tail -60 "$out"
}

run_meson "$BUILD" unit
if [ -n "$ASAN" ]; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		run_meson "$(realpath "$ASAN")" asan-ubsan
fi

# the build without packet capture (-Dpcap=disabled): the suites whose code depends on it
if [ -n "${NOPCAP_BUILD:-}" ]; then
	run_meson "$(realpath "$NOPCAP_BUILD")" no-pcap --suite engine --suite daemon --suite packaging
fi

run_failure() { # run_failure LOG: the failed checks first (a long log's tail may not hold them), then the tail
	echo "  failed checks:"
	grep -aE '^FAIL|GUEST-FAIL' "$1" | head -n 15 | sed 's/^/  | /'
	tail -40 "$1"
}

run_script() { # run_script SCRIPT LABEL: one test script against the indynetd of $INDYNET_BUILD
	local t=$1 name=${1#tests/}$2 log rc start=$SECONDS
	if [ -n "${TESTS:-}" ] && ! echo "$t" | grep -qE "$TESTS"; then return; fi
	log=$LOGDIR/${name//[\/ ()]/_}.log
	echo "---- $name"
	timeout -k 10 900 bash "$t" >"$log" 2>&1
	rc=$?
	record "$name ($((SECONDS - start)) s)" $rc
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || run_failure "$log"
}

for t in tests/fuzz/smoke.sh tests/integration/*.sh tests/e2e/*.sh; do
	case ${t##*/} in lib*) continue ;; esac # sourced helpers, not tests
	[ -f "$t" ] && run_script "$t" ""
done
# the daemon itself under ASan/UBSan, against the namespace tests
if [ -n "$ASAN" ]; then
	for t in tests/integration/*.sh; do
		INDYNET_BUILD=$(realpath "$ASAN") ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			run_script "$t" " (asan-ubsan)"
	done
fi

echo
[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
