#!/bin/sh
# SPDX-License-Identifier: MIT
# install-root.sh USER: as root: install ChmodBPF and its LaunchDaemon, create access_bpf, add USER, run it now.
set -eu
[ $# -eq 1 ] || { echo "usage: install-root.sh USER" >&2; exit 2; }
user=$1
here=$(cd "$(dirname "$0")" && pwd)
dest="/Library/Application Support/indynet/ChmodBPF"
plist=/Library/LaunchDaemons/org.indynet.ChmodBPF.plist

mkdir -p "$dest"
install -m 0755 -o root -g wheel "$here/ChmodBPF" "$dest/ChmodBPF"
install -m 0644 -o root -g wheel "$here/org.indynet.ChmodBPF.plist" "$plist"
if ! dseditgroup -o read access_bpf >/dev/null 2>&1; then
	dseditgroup -o create -r "BPF device access (packet capture)" access_bpf
fi
dseditgroup -o edit -a "$user" -t user access_bpf
launchctl bootout system "$plist" >/dev/null 2>&1 || true
launchctl bootstrap system "$plist"
