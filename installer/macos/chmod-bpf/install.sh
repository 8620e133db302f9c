#!/bin/sh
# SPDX-License-Identifier: MIT
# install.sh: give this user packet capture on macOS (ChmodBPF + access_bpf) with a single administrator prompt.
#
# Everything that needs root is install-root.sh, run once through
# osascript's "with administrator privileges" (the system's password
# dialog).  Group membership reaches only processes started after it, so
# the emulator must be quit and reopened afterwards.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
user=$(id -un)

osascript - "$here/install-root.sh" "$user" <<'EOS'
on run argv
	do shell script "/bin/sh " & quoted form of (item 1 of argv) & " " & quoted form of (item 2 of argv) with administrator privileges
end run
EOS
echo "Packet capture is set up for $user (group access_bpf, /dev/bpf* read/write at every boot)."
echo "Quit and reopen the emulator (or indynetd) so that it runs with the new group."
