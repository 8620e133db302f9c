#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-all.sh: run every benchmark (in-process benches of the build, bench/nat.sh, bench/nfs.sh, bench/nfs-netns.sh, bench/nfs-scale.sh, bench/bridge.sh) and keep their output.
#
# Usage: bench/run-all.sh [BUILD_DIR]     (as root for the namespace benches; `make bench`)
# Env:   RUNS, DUR, BACKENDS ... are passed through to the scripts;
#        BENCH_LOGDIR (default /var/tmp/indynet-bench/run-<time>) keeps each bench's output.
# Runs, in order: the build's in-process benchmarks (meson benchmark(): nfs-core,
# seeq, ... run one at a time with their registered arguments through
# `meson test --benchmark`), bench/nat.sh, bench/nfs.sh, bench/nfs-netns.sh, bench/nfs-scale.sh, bench/bridge.sh.  A bench that fails
# is reported and the others still run; the exit status is 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=$(realpath "${1:-${INDYNET_BUILD:-build}}")
export INDYNET_BUILD=$BUILD
LOGDIR=${BENCH_LOGDIR:-/var/tmp/indynet-bench/run-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$LOGDIR"
failed=()

run() { # run NAME CMD...: run one bench, output to the console and LOGDIR/NAME.txt
	local name=$1 rc
	shift
	echo "==== $name: $*"
	local start=$SECONDS
	"$@" 2>&1 | tee "$LOGDIR/$name.txt"
	rc=${PIPESTATUS[0]}
	echo "==== $name: exit $rc after $((SECONDS - start)) s"
	[ "$rc" = 0 ] || failed+=("$name")
}

if [ -n "$(meson test -C "$BUILD" --benchmark --list 2>/dev/null)" ]; then
	run in-process meson test -C "$BUILD" --benchmark --verbose --num-processes 1
fi
run nat bash bench/nat.sh "$BUILD"
run nfs bash bench/nfs.sh "$BUILD"
run nfs-netns bash bench/nfs-netns.sh "$BUILD"
run nfs-scale bash bench/nfs-scale.sh "$BUILD"
run rss bash bench/rss.sh "$BUILD"
run bridge bash bench/bridge.sh "$BUILD"

echo
echo "outputs in $LOGDIR"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
echo "all benchmarks ran"
