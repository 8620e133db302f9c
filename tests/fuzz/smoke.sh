#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# smoke.sh: build every libFuzzer target (fuzz_*) and run each for a short while with a seed corpus.
#
# Usage: tests/fuzz/smoke.sh [seconds per target, default $FUZZ_SECONDS or 15] (make fuzz FUZZ_SECONDS=N)
# Configures build-fuzz (clang, -Dfuzz=true -Dtests=false) when it is missing,
# builds only the fuzz_* targets, runs each with -max_total_time, prints the
# executions per target and exits non-zero when any target crashes or fails.
set -euo pipefail

secs="${1:-${FUZZ_SECONDS:-15}}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/build-fuzz"
cd "$root"

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Dtests=false
fi

# Regenerate first so that targets added since the last configure are listed.
ninja -C "$build" build.ninja >/dev/null

# Target output paths (relative to the build dir) of every executable named fuzz_*.
mapfile -t outputs < <(meson introspect "$build" --targets | python3 -c '
import json, os, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["name"].startswith("fuzz_"):
        for f in t["filename"]:
            print(os.path.relpath(f, sys.argv[1]))
' "$build")
if [ "${#outputs[@]}" -eq 0 ]; then
	echo "smoke.sh: no fuzz_* targets configured in $build" >&2
	exit 1
fi
ninja -C "$build" "${outputs[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/indynet-fuzz.XXXXXX")"
echo "smoke.sh: corpora, logs and crash artifacts in $work (removed when every target passes)"

hex2file() { # hex2file FILE HEX...: write the bytes spelled in hex
	local out="$1"
	shift
	printf "$(printf '%s' "$*" | tr -d ' \n' | sed 's/../\\x&/g')" >"$out"
}

seed_core() { # seed_core NAME DIR: seeds for the core targets
	local eth_ip="525400abcdef 525400123456 0800"
	local mac="525400123456"
	case "$1" in
	fuzz_frame)
		# MTU 1500 + repair flag; a UDP/IPv4 frame captured by tshark (checksums good).
		hex2file "$2/udp" 05dc00 "$eth_ip" \
			4500002d1c4600004011dd26c0a80002c0a8000103ff0801001917ba \
			696e64796e6574204e4653207465737421
		# MTU 68, checksums repaired by the target: a 228-byte UDP packet to fragment.
		hex2file "$2/udp-frag" 000001 "$eth_ip" 450000e400010000401100000a0000020a000001 \
			03ff080100d00000 "$(printf '%0400d' 0)"
		# ARP who-has 192.168.0.1 tell 192.168.0.2.
		hex2file "$2/arp" 05dc00 ffffffffffff "$mac" 0806 0001080006040001 "$mac" c0a80002 \
			000000000000 c0a80001
		# A bare ICMP echo request (no Ethernet header), checksum repaired.
		hex2file "$2/icmp" 05dc01 4500001c00020000400100000a0000020a000001 0800f7fd00010001
		;;
	fuzz_reasm)
		# Two fragments of datagram 1 that complete it.
		hex2file "$2/complete" 080000001000 00112233445566778899aabbccddeeff \
			000002000500 0102030405
		# An overlap, then a datagram left to age out.
		hex2file "$2/overlap" 090000001000 00000000000000000000000000000000 \
			090001001000 11111111111111111111111111111111 \
			0a0000000800 0000000000000000 0000000000ff 0000000000ff
		;;
	esac
}

status=0
summary=()
for out in "${outputs[@]}"; do
	exe="$build/$out"
	name="$(basename "$exe")"
	corpus="$work/corpus-$name"
	mkdir -p "$corpus" "$work/artifacts"
	seed_core "$name" "$corpus"
	# Seeds a module keeps next to its target, in tests/fuzz/<module>/: files
	# directly in seeds/ or corpus/, or in seeds/<target>/ or corpus/<target>/.
	moddir="$root/$(dirname "$out")"
	for d in "$moddir/seeds" "$moddir/corpus" "$moddir/seeds/$name" "$moddir/corpus/$name"; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f -exec cp {} "$corpus"/ \;
	done
	[ -n "$(ls -A "$corpus")" ] || head -c 64 /dev/urandom >"$corpus/random"
	log="$work/$name.log"
	echo "smoke.sh: $name for ${secs}s"
	rc=0
	"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/$name-" "$corpus" >"$log" 2>&1 || rc=$?
	execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
	if [ "$rc" -ne 0 ]; then
		status=1
		summary+=("$(printf '%-24s FAILED (exit %d) after %s execs, see %s' "$name" "$rc" "${execs:-?}" "$log")")
		grep -m 5 -E 'ERROR|SUMMARY|deadly' "$log" >&2 || true
	else
		summary+=("$(printf '%-24s ok  %12s execs' "$name" "${execs:-?}")")
	fi
done

echo "smoke.sh: results (${secs}s per target)"
printf '  %s\n' "${summary[@]}"
if [ "$status" -eq 0 ]; then
	rm -rf "$work" # nothing to look at: keep /tmp clean across runs
else
	echo "smoke.sh: kept $work (logs and crash artifacts)"
fi
exit "$status"
