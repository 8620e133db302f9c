#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# abi.sh: libindynet.so's ABI (the functions and types include/indynet/ declares) against the recorded baseline.
#
# Usage: abi.sh [--update] LIBINDYNET.so INCLUDE_DIR BASELINE
# abidw (Debian's abigail-tools) reads the library's DWARF, keeping only what
# the public headers declare; abidiff compares that with BASELINE.  Any
# difference fails, additions included: a compatible change still has to be
# recorded on purpose, an incompatible one (a removed function, a moved field)
# needs a new soname.  --update rewrites BASELINE instead (make abi-baseline).
set -euo pipefail

update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
lib="$1"
headers="$2"
baseline="$3"

for tool in abidw abidiff; do
	if ! command -v "$tool" >/dev/null; then
		echo "abi.sh: $tool not found (abigail-tools: scripts/install-deps.sh)" >&2
		exit 1
	fi
done
# The baseline describes x86-64 (type sizes, alignment); other machines skip.
if [ "$(uname -m)" != x86_64 ]; then
	echo "abi.sh: the baseline is x86-64's; skipped on $(uname -m)"
	exit 77
fi
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
	echo "abi.sh: $lib has no debug information (a release build); skipped"
	exit 77
fi

dump() { # dump OUT: the library's public ABI as abixml, without paths or line numbers
	abidw --headers-dir "$headers" --exported-interfaces-only --drop-private-types --drop-undefined-syms \
		--no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed --type-id-style hash \
		--out-file "$1" "$lib"
}

if [ $update -eq 1 ]; then
	dump "$baseline"
	echo "abi.sh: recorded $(grep -c '<elf-symbol ' "$baseline") functions in $baseline"
	exit 0
fi

current="$(mktemp "${TMPDIR:-/tmp}/indynet-abi.XXXXXX")"
trap 'rm -f "$current"' EXIT
dump "$current"
rc=0
abidiff "$baseline" "$current" || rc=$?
if [ $rc -ne 0 ]; then
	# abidiff's status is a bit set: 4 a change, 8 an incompatible one, 1/2 its own failure
	if [ $((rc & 3)) -ne 0 ]; then
		echo "abi.sh: abidiff failed (status $rc)" >&2
	elif [ $((rc & 8)) -ne 0 ]; then
		echo "abi.sh: the change above removes what programs built against the baseline use: it needs a new soname" >&2
	else
		echo "abi.sh: the public ABI changed (above).  An addition: run 'make abi-baseline' and commit $baseline." >&2
		echo "abi.sh: a changed type, size or field offset breaks embedders: new soname, or a config version (indynet.h)." >&2
	fi
	exit 1
fi
echo "abi.sh: $(grep -c '<elf-symbol ' "$baseline") functions, public ABI as recorded in $baseline"
