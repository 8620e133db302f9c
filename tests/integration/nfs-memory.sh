#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-memory.sh: a fragment flood and a thousand retransmitting NFS callers from the guest netns; indynetd's RSS stays within its documented bounds.
#
# The guest netns (behind indynetd --tap, NAT mode, an export) sends through
# AF_PACKET (tests/lib/nfsflood.py):
#   frag  64 datagrams of 43 fragments (the reassembler's whole budget: 64
#         datagrams, 4 MiB; src/core/reasm.h, docs/SECURITY.md), then 10,000 first
#         fragments of UDP datagrams to the gateway's port 2049 that never complete,
#         from 1,000 spoofed source addresses with distinct ids: RSS grows by less
#         than 4 MiB + 1 MiB of slack, the limit drops are counted, an NFS NULL call
#         is answered right after; 6 s later the held datagrams have timed out;
#   bad   20 overlapping and 20 oversized reassemblies: each dropped and counted.
#   drc   1,000 distinct (address, port) callers each send 3 REMOVEs of absent names
#         (non-idempotent: each enters the duplicate-request cache) and retransmit
#         each 200 calls later: the cache holds at most its 1,024 entries (NFS_DRC_ENTRIES, 4 MiB of
#         replies at most) and RSS grows by less than 4 MiB + 1 MiB; the replays are
#         counted.
# RSS is VmRSS of /proc/PID/status, before (after one NULL call) and after; the bounds
# are not asserted on an ASan build (redzones, quarantine), the counters are.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nfs-memory
t_need_root
t_need_cmd ip unshare busybox python3 curl
t_indynetd
NS_HOST=flt1-h-$$
NS_GUEST=flt1-g-$$
EXPORT=$T_TMP/export
mkdir -p "$EXPORT"
SLACK_KB=1024
BOUND_KB=4096
# under ASan (run-all.sh's second pass) redzones and the free quarantine inflate RSS:
# the bounds are asserted on the plain build only, the counters on both
ASAN=0
grep -qa __asan_init "$INDYNETD" && ASAN=1
rss_within() { # rss_within WHAT GROWTH_KB
	if [ "$ASAN" = 1 ]; then t_log "ASan build: RSS grew by $2 KiB under $1 (bound not asserted)"; return; fi
	[ "$2" -lt $((BOUND_KB + SLACK_KB)) ] ||
		t_fail "RSS grew by $2 KiB under $1 (bound ${BOUND_KB} + ${SLACK_KB} KiB)"
	t_pass "RSS grew by $2 KiB under $1 (< ${BOUND_KB} + ${SLACK_KB} KiB)"
}

NAT_DNS=0 nat_setup
nat_start --export "$EXPORT"
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
t_check "ping the gateway" ip netns exec "$NS_GUEST" ping -c 1 -W 3 "$GUEST_GW"
GWMAC=$(ip -n "$NS_GUEST" neigh show "$GUEST_GW" | awk '{print $5}')
[ -n "$GWMAC" ] || t_fail "no ARP entry for the gateway"
FLOOD=(ip netns exec "$NS_GUEST" python3 "$(t_repo)/tests/lib/nfsflood.py")
DPID=
for p in $(ip netns pids "$NS_HOST"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = indynetd ] && DPID=$p
done
[ -n "$DPID" ] || t_fail "cannot find indynetd's pid in $NS_HOST"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$DPID/status"; }
status_num() { # status_num EXPR: a number from GET /api/status (as d)
	ip netns exec "$NS_HOST" curl -s --max-time 10 --unix-socket "$INDY_CTL" http://localhost/api/status |
		python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

t_check "an NFS NULL call is answered before" "${FLOOD[@]}" null "$GUEST_GW"
FH=$("${FLOOD[@]}" mount "$GUEST_GW") || t_fail "MOUNT the export" "$FH"
t_log "root handle $FH"
rss0=$(rss)
t_log "idle RSS ${rss0} KiB"

out=$("${FLOOD[@]}" frag tap0 "$GWMAC" "$GUEST_GW" 2>&1) || t_fail "nfsflood.py frag" "$out"
t_log "$out"
t_check "an NFS NULL call is answered right after the fragment flood" "${FLOOD[@]}" null "$GUEST_GW"
rss1=$(rss)
t_log "RSS after the fragment flood ${rss1} KiB (+$((rss1 - rss0)))"
rss_within "the fragment flood" $((rss1 - rss0))
lim=$(status_num 'd["reassembly"]["limit"]')
# 64 datagrams held at most: nearly all of the 10,000 meet a full table
t_check "reassembly limit drops: $lim >= 9000" test "$lim" -ge 9000
sleep 6
t_check "a NULL call once the held fragments aged out" "${FLOOD[@]}" null "$GUEST_GW"
tmo=$(status_num 'd["reassembly"]["timeout"]')
t_check "held datagrams aged out: timeout=$tmo >= 64" test "$tmo" -ge 64
out=$("${FLOOD[@]}" bad tap0 "$GWMAC" "$GUEST_GW" 2>&1) || t_fail "nfsflood.py bad" "$out"
t_log "$out"
t_check "an NFS NULL call is answered right after them" "${FLOOD[@]}" null "$GUEST_GW"
ovl=$(status_num 'd["reassembly"]["overlap"]')
big=$(status_num 'd["reassembly"]["too_big"]')
t_log "reassembly drops: limit=$lim timeout=$tmo overlap=$ovl too_big=$big"
t_expect_eq "overlapping reassemblies dropped" 20 "$ovl"
t_expect_eq "oversized reassemblies dropped" 20 "$big"
rss1=$(rss)

replays0=$(status_num 'd["nfs"]["server"]["drc_replays"]')
out=$("${FLOOD[@]}" drc tap0 "$GWMAC" "$GUEST_GW" "$FH" 2>&1) || t_fail "nfsflood.py drc" "$out"
t_log "$out"
sleep 1
t_check "an NFS NULL call is answered after the DRC load" "${FLOOD[@]}" null "$GUEST_GW"
rss2=$(rss)
ent=$(status_num 'd["nfs"]["server"]["drc_entries"]')
replays=$(status_num 'd["nfs"]["server"]["drc_replays"]')
t_log "server: $(status_num 'd["nfs"]["server"]')"
t_log "RSS after the DRC load ${rss2} KiB (+$((rss2 - rss1)) over the flood), drc_entries=$ent," \
	"drc_replays=$((replays - replays0))"
t_check "DRC entries within the cache's bound: $ent <= 1024" test "$ent" -le 1024
t_check "DRC full: $ent >= 1000" test "$ent" -ge 1000
t_check "retransmissions answered from the cache: $((replays - replays0)) >= 2900 of 3000" \
	test $((replays - replays0)) -ge 2900
rss_within "1,000 DRC callers" $((rss2 - rss1))
t_check "no file was created by the REMOVEs" test -z "$(ls -A "$EXPORT")"
nat_stop
t_done
