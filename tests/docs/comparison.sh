#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# comparison.sh: every indynetd option docs/COMPARISON.md names is one `indynetd --help` lists.
#
# Usage: comparison.sh INDYNETD docs/COMPARISON.md
# The indynetd column (the second cell of each table row) is searched for
# `--flag` words; each must appear in --help.  Exits 1 naming the first that
# does not, 0 when all do (and at least ten were checked).
set -uo pipefail
help=$("$1" --help 2>&1)
n=0
while IFS= read -r flag; do
	if ! grep -q -- "  $flag\b" <<<"$help"; then
		echo "comparison.sh: $2 names $flag, which indynetd --help does not list" >&2
		exit 1
	fi
	n=$((n + 1))
done < <(awk -F'|' '/^\| / {print $3}' "$2" | grep -o -- '--[a-z0-9-]*' | sort -u)
[ "$n" -ge 10 ] || { echo "comparison.sh: only $n options found in $2's indynetd column" >&2; exit 1; }
echo "comparison.sh: $n options named in $2 are all in indynetd --help"
