#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-dgram.sh: the Linux test guest on indynetd --qemu-dgram: DHCP, ping, 4 MiB TCP both ways with md5 compare.
set -uo pipefail
. "$(dirname "$0")/../lib/e2e-nat.sh"
t_init nat-dgram
nat_e2e dgram
