#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exports.sh: libindynet.so exports exactly the functions include/indynet/ marks INDYNET_API, each in an INDYNET_ version node.
#
# Usage: exports.sh LIBINDYNET.so INCLUDE_DIR
# Fails on an exported symbol no public header declares, on a declared function
# the library does not export, on a public declaration without INDYNET_API and on
# a symbol outside the version script's nodes.
set -euo pipefail

lib="$1"
headers="$2"

fail() { # fail WHAT LIST
	echo "exports.sh: $1:" >&2
	sed 's/^/  /' <<<"$2" >&2
	exit 1
}

# name@@NODE for every defined dynamic symbol but the version nodes themselves (type A)
versioned="$(nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort -u)"
[ -n "$versioned" ] || fail "$lib exports nothing" "(nm -D --defined-only is empty)"
unversioned="$(grep -vE '@@INDYNET_[0-9.]+$' <<<"$versioned" || true)"
[ -z "$unversioned" ] || fail "exported outside an INDYNET_ version node (src/libindynet.map)" "$unversioned"
exported="$(sed 's/@.*//' <<<"$versioned" | sort -u)"

# Declarations are one line each, in column 0, starting with INDYNET_API.
decls="$(cat "$headers"/*.h | grep -E '^[A-Za-z_]' | grep -v '^typedef' | grep -E '\b(indynet|seeq)_[a-z0-9_]+\(' || true)"
unmarked="$(grep -v '^INDYNET_API ' <<<"$decls" || true)"
[ -z "$unmarked" ] || fail "public declarations without INDYNET_API (they would be hidden)" "$unmarked"
declared="$(grep -oE '\b(indynet|seeq)_[a-z0-9_]+\(' <<<"$decls" | tr -d '(' | sort -u)"

stray="$(comm -13 <(echo "$declared") <(echo "$exported"))"
[ -z "$stray" ] || fail "$lib exports symbols no public header declares" "$stray"
missing="$(comm -23 <(echo "$declared") <(echo "$exported"))"
[ -z "$missing" ] || fail "declared in $headers but not exported" "$missing"
echo "exports.sh: $(wc -l <<<"$exported") symbols, exactly the functions $headers declares, all versioned"
