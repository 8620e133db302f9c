#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check.sh: the macOS capture files on Linux: plist well-formed and valid, its keys, the scripts (sh -n, shellcheck), caccess_macos.c compiles.
#
# Usage: check.sh SOURCE_ROOT CC
# The C check compiles src/backend/caccess_macos.c with __APPLE__ defined
# against this system's headers and tests/macos/stub (<mach-o/dyld.h>):
# it catches typos and type errors, not macOS API differences.
set -uo pipefail
root=$1
cc=$2
dir=$root/installer/macos/chmod-bpf
plist=$dir/org.indynet.ChmodBPF.plist
fails=0

check() { # check DESC CMD...
	local out
	if out=$("${@:2}" 2>&1); then
		echo "ok   - $1"
	else
		echo "FAIL - $1"
		printf '%s\n' "$out" | sed 's/^/       | /'
		fails=$((fails + 1))
	fi
}
plist_value() { # plist_value KEY: "ELEMENT TEXT" of the value after <key>KEY</key>
	local at="/plist/dict/key[.='$1']/following-sibling::*[1]"
	echo "$(xmllint --nonet --xpath "name($at)" "$plist") $(xmllint --nonet --xpath "string($at)" "$plist")"
}
expect() { # expect DESC WANT GOT
	if [ "$2" = "$3" ]; then echo "ok   - $1"; else echo "FAIL - $1: want '$2', got '$3'"; fails=$((fails + 1)); fi
}

check "plist is well-formed (xmllint --noout)" xmllint --nonet --noout "$plist"
check "plist is valid against the property list DTD" \
	env XML_CATALOG_FILES="$root/tests/macos/catalog.xml" xmllint --nonet --noout --valid "$plist"
expect "Label is the file's name" "string org.indynet.ChmodBPF" "$(plist_value Label)"
expect "RunAtLoad is true" "true " "$(plist_value RunAtLoad)"
expect "nothing else is set (no KeepAlive: it runs once per boot)" 3 \
	"$(xmllint --nonet --xpath "count(/plist/dict/key)" "$plist")"
expect "ProgramArguments runs where install-root.sh puts ChmodBPF" \
	"/Library/Application Support/indynet/ChmodBPF/ChmodBPF" \
	"$(xmllint --nonet --xpath "string(/plist/dict/key[.='ProgramArguments']/following-sibling::array[1]/string[1])" "$plist")"
grep -qF '"$here/ChmodBPF" "$dest/ChmodBPF"' "$dir/install-root.sh" && grep -qF 'dest="/Library/Application Support/indynet/ChmodBPF"' "$dir/install-root.sh"
expect "install-root.sh installs ChmodBPF there" 0 $?
grep -qF 'plist=/Library/LaunchDaemons/org.indynet.ChmodBPF.plist' "$dir/install-root.sh" &&
	grep -qF '"/Library/LaunchDaemons/org.indynet.ChmodBPF.plist"' "$root/src/backend/caccess.h"
expect "install-root.sh and the C check name the same LaunchDaemon" 0 $?
for s in ChmodBPF install.sh install-root.sh; do
	check "$s: sh -n" sh -n "$dir/$s"
	check "$s: shellcheck" shellcheck -s sh "$dir/$s"
	check "$s: executable" test -x "$dir/$s"
done
grep -q 'with administrator privileges' "$dir/install.sh"
expect "install.sh asks once, through osascript's administrator dialog" 0 $?
check "caccess_macos.c compiles with __APPLE__ ($cc)" "$cc" -fsyntax-only -std=c17 -D_GNU_SOURCE -Wall -Wextra \
	-Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -D__APPLE__ -I"$root/tests/macos/stub" \
	-I"$root/include" -I"$root/src" "$root/src/backend/caccess_macos.c"
[ $fails -eq 0 ] || exit 1
