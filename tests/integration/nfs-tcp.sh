#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-tcp.sh: portmap, MOUNT and NFS over TCP at the NAT gateway, against the guest netns' own Linux TCP.
#
# indynetd serves an export at the gateway; the guest namespace's kernel TCP
# (no NFS client needed) talks to it:
#   1. rpcinfo -t for portmap, MOUNT v1/v3, NFS v2/v3; rpcinfo -p lists tcp entries.
#   2. record marking from a raw client (tests/lib/rpctcp.py): fragments and
#      headers split over segments, two records in one segment, a 2 MiB
#      record header (reset, logged), half a record (others still served, the
#      stalled connection reset after its 20 s).
#   3. 4 MiB written and read back over one connection, 16 calls in flight,
#      and the file in the export matches; the same with 8 MiB in 1 MiB calls; a REMOVE retransmitted on a new
#      connection from the same port gets the cached reply.
#   4. the control socket's stats count it (nfs_tcp_*: oversize, timeouts, records).
#   5. no host socket: indynetd listens on no TCP port for any of it.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nfs-tcp
t_need_root
t_need_cmd ip unshare busybox rpcinfo python3 ss
t_indynetd
RPCTCP="$(t_repo)/tests/lib/rpctcp.py"

NAT_DNS=0 nat_setup
mkdir -p "$T_TMP/export"
nat_start --export "$T_TMP/export"
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
GW=$GUEST_GW
t_log "guest $GUEST_IP, gateway $GW"

for p in "portmapper 2" "portmapper 4" "mountd 3" "mountd 1" "nfs 3" "nfs 2"; do
	t_check "rpcinfo -t $GW $p" ip netns exec "$NS_GUEST" timeout 10 rpcinfo -t "$GW" $p
done
t_check "rpcinfo -p lists NFS v3 over tcp on 2049" \
	sh -c "ip netns exec '$NS_GUEST' timeout 10 rpcinfo -p '$GW' | grep -Eq '100003 +3 +tcp +2049'"
t_check "rpcbind GETADDR (rpcinfo -T tcp) names 2049" \
	sh -c "ip netns exec '$NS_GUEST' timeout 10 rpcinfo -T tcp '$GW' nfs 3"

gx() { ip netns exec "$NS_GUEST" timeout 60 python3 "$RPCTCP" "$GW" "$@"; }
t_check "split fragments and headers; two records in one segment" gx split
t_check "a 2 MiB record: connection reset" gx oversize
t_check "the oversize record is logged" grep -q "a record larger than 1052672 bytes, connection reset" "$INDY_LOG"
t_check "half a record: others served, the stalled connection reset within 30 s" gx stall 30

head -c 4M /dev/urandom >"$T_TMP/data.bin"
t_check "4 MiB written and read back over TCP" gx copy "$T_TMP/data.bin"
t_expect_eq "the export holds the same bytes" "$(t_md5 "$T_TMP/data.bin")" "$(t_md5 "$T_TMP/export/tcp.bin")"
head -c 8M /dev/urandom >"$T_TMP/data8.bin"
t_check "8 MiB written and read back in 1 MiB calls, 16 in flight" gx copy "$T_TMP/data8.bin" 1048576
t_expect_eq "the export holds the same 8 MiB" "$(t_md5 "$T_TMP/data8.bin")" "$(t_md5 "$T_TMP/export/tcp.bin")"
t_check "REMOVE retransmitted on a new connection: the cached reply" gx drc

stat_of() { nat_ctl stats | grep -o " $1=[^ ]*" | cut -d= -f2; }
t_log "$(nat_ctl stats | tr ' ' '\n' | grep '^nfs_tcp_' | tr '\n' ' ')"
t_expect_eq "stats: one connection reset for an oversize record" "$(stat_of nfs_tcp_oversize)" 1
t_check "stats: the stalled connection counted as a timeout" test "$(stat_of nfs_tcp_timeouts)" -ge 1
t_check "stats: connections opened" test "$(stat_of nfs_tcp_opened)" -ge 6
t_check "stats: call records counted (the copies alone are 270)" test "$(stat_of nfs_tcp_records)" -ge 270
t_check "no TCP socket listens in indynetd's namespace" sh -c "[ -z \"\$(ip netns exec '$NS_HOST' ss -Hltn)\" ]"
nat_stop
t_done
