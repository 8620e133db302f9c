#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-stream-connect.sh: the Linux test guest on indynetd --qemu-stream-connect: DHCP, ping, 4 MiB TCP both ways with md5 compare, and a daemon restart the guest survives.
set -uo pipefail
. "$(dirname "$0")/../lib/e2e-nat.sh"
t_init nat-stream-connect
NAT_E2E_RESTART=1 nat_e2e stream-connect
