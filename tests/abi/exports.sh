#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exports.sh: libindynet.so exports exactly the public API: indynet_*/seeq_* and every function the public headers declare.
set -euo pipefail

lib="$1"
headers="$2"

exported="$(nm -D --defined-only "$lib" | awk '{ print $3 }' | sed 's/@.*//' | sort -u)"
if [ -z "$exported" ]; then
	echo "exports.sh: $lib exports nothing" >&2
	exit 1
fi
stray="$(grep -vE '^(indynet_|seeq_)' <<<"$exported" || true)"
if [ -n "$stray" ]; then
	echo "exports.sh: $lib exports symbols outside the public API:" >&2
	sed 's/^/  /' <<<"$stray" >&2
	exit 1
fi
# Declarations start in column 0 with their return type; comments start with a space or '/'.
declared="$(cat "$headers"/*.h | grep -E '^[A-Za-z_]' | grep -oE '\b(indynet|seeq)_[a-z0-9_]+\(' | tr -d '(' | sort -u)"
missing="$(comm -23 <(echo "$declared") <(echo "$exported"))"
if [ -n "$missing" ]; then
	echo "exports.sh: declared in $headers but not exported:" >&2
	sed 's/^/  /' <<<"$missing" >&2
	exit 1
fi
echo "exports.sh: $(wc -l <<<"$exported") symbols, all public API, every declared function exported"
