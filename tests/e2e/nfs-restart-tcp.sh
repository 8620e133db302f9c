#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-restart-tcp.sh: nfs-restart.sh with the guest's mounts over TCP: the new daemon resets the old connection, the client reconnects, no ESTALE.
#
# Usage: tests/e2e/nfs-restart-tcp.sh   (INDYNET_BUILD set; NFS_RESTART_FRONTENDS, default dgram)
NFS_RESTART_PROTO=tcp NFS_RESTART_FRONTENDS=${NFS_RESTART_FRONTENDS:-dgram} exec bash "$(dirname "$0")/nfs-restart.sh" "$@"
