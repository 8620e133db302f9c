#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-stream.sh: the Linux test guest on indynetd --qemu-stream: DHCP, ping, 4 MiB TCP both ways with md5 compare.
set -uo pipefail
. "$(dirname "$0")/../lib/e2e-nat.sh"
t_init nat-stream
nat_e2e stream
