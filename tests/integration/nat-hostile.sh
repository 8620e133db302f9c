#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-hostile.sh: truncated, malformed, oversized and random frames from the guest netns; indynetd survives, counts drops, keeps working.
#
# The guest side raises tap0's MTU to 4000 so that it can send frames larger
# than indynetd's MTU (1500); tests/lib/rawsend.py sends ~20 hand-made bad
# frames (one at a time, so a crash names its frame) and 2 x 3000 random ones
# (fixed seeds, unicast to the gateway and broadcast) through AF_PACKET.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-hostile
t_need_root
t_need_cmd ip unshare busybox python3
t_indynetd

NAT_DNS=0 nat_setup
nat_start
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
t_check "ping the gateway before" ip netns exec "$NS_GUEST" ping -c 1 -W 3 "$GUEST_GW"
GWMAC=$(ip -n "$NS_GUEST" neigh show "$GUEST_GW" | awk '{print $5}')
[ -n "$GWMAC" ] || t_fail "no ARP entry for the gateway"
before=$(nat_ctl stats)
case $before in ok*) t_pass "--ctl stats answers: ${before:0:80}..." ;; *) t_fail "--ctl stats" "$before" ;; esac

RAW=(ip netns exec "$NS_GUEST" python3 "$(t_repo)/tests/lib/rawsend.py")
ip -n "$NS_GUEST" link set tap0 mtu 4000
"${RAW[@]}" --list tap0 "$GWMAC" "$GUEST_GW" "$GUEST_IP" >"$T_TMP/frames.txt" 2>&1 ||
	t_fail "rawsend.py --list" "$(cat "$T_TMP/frames.txt")"
# one hand-made frame at a time, so that a crash names its frame
while read -r n name; do
	out=$("${RAW[@]}" --only "$n" --random 0 tap0 "$GWMAC" "$GUEST_GW" "$GUEST_IP" 2>&1) ||
		t_fail "rawsend.py --only $n" "$out"
	sleep 0.1
	kill -0 "$INDY_PID" 2>/dev/null || t_fail "indynetd died on hand-made frame $n: $name" \
		"reproduce: tests/lib/rawsend.py --only $n --random 0 tap0 $GWMAC $GUEST_GW $GUEST_IP"
done <"$T_TMP/frames.txt"
t_pass "indynetd survived $(wc -l <"$T_TMP/frames.txt") hand-made malformed frames (one by one)"
for seed in 7 8; do
	dst=$GWMAC
	[ $seed = 8 ] && dst=ff:ff:ff:ff:ff:ff
	out=$("${RAW[@]}" --none --random 3000 --seed $seed tap0 "$dst" "$GUEST_GW" "$GUEST_IP" 2>&1)
	sleep 0.2
	kill -0 "$INDY_PID" 2>/dev/null || t_fail "indynetd died on random frames to $dst (seed $seed)" \
		"$out"$'\n'"reproduce: tests/lib/rawsend.py --none --random 3000 --seed $seed tap0 $dst $GUEST_GW $GUEST_IP"
	t_pass "indynetd survived random frames to $dst (seed $seed): $out"
done
ip -n "$NS_GUEST" link set tap0 mtu 1500

t_check "indynetd is still running" kill -0 "$INDY_PID"
after=$(nat_ctl stats)
case $after in ok*) ;; *) t_fail "--ctl stats after the frames" "$after" ;; esac
drops() { echo "$1" | tr ' ' '\n' | awk -F= '/^drop_/ {s += $2} END {print s + 0}'; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
t_log "stats after: $after"
[ "$(drops "$after")" -gt "$(drops "$before")" ] ||
	t_fail "no drop counter moved" "before: $before"$'\n'"after:  $after"
t_pass "drop counters moved: $(drops "$before") -> $(drops "$after") ($(echo "$after" | tr ' ' '\n' | grep '^drop_' | grep -v '=0$' | tr '\n' ' '))"
[ "$(field "$after" tx_frames)" -gt "$(field "$before" tx_frames)" ] || t_fail "tx_frames did not grow"
t_pass "tx_frames $(field "$before" tx_frames) -> $(field "$after" tx_frames)"
t_check "ping the gateway after" ip netns exec "$NS_GUEST" ping -c 2 -i 0.2 -W 3 "$GUEST_GW"
t_check "DHCP still answers (renew)" guest_dhcp_renew
sleep 1
t_check "guest keeps 192.168.0.2" guest_lease_ok 192.168.0.2

nat_stop
t_done
