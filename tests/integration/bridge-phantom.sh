#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-phantom.sh: bridge mode's phantom NFS host: claimed after an ARP probe, answers the guest's ping and RPC over UDP, none of it on the LAN; an address in use is refused naming its MAC; --suggest-nfs-ip skips it; nfs-ip moves it live.
#
# Topology: tests/lib/bridge.sh (LAN 1 = 10.77.1.0/24 with a Linux host .1 and
# dnsmasq; indynetd captures on cap1 = 10.77.1.2; the guest netns behind --tap).
# The LAN host also takes 10.77.1.213 (the first candidate), so that it answers
# ARP probes for it the way any Linux host does.
#   1. --suggest-nfs-ip --interface cap1 prints 10.77.1.214: .213 is skipped.
#   2. indynetd --nfs-bridge-ip 10.77.1.213: refused; the log and `nfs-ip get`
#      name the LAN host's MAC.
#   3. nfs-ip 10.77.1.214 on the control socket: claimed (probe first), the
#      guest pings it and rpcinfo (portmap, MOUNT v3, NFS v2/v3 over UDP and TCP) answers;
#      a tcpdump on the LAN host's veth sees none of it.
#   4. nfs-ip 10.77.1.213 again while .214 serves: refused with the MAC, .214 stays.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/bridge.sh"

t_init bridge-phantom
t_need_root
t_need_cmd ip unshare dnsmasq busybox rpcinfo tcpdump
t_indynetd

bridge_setup
lan_add 1
LAN=$(lan_ns 1)
ip -n "$LAN" addr add 10.77.1.213/24 dev lan1
LAN_MAC=$(ip -n "$LAN" -o link show lan1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
EXPORT=$T_TMP/export
mkdir -p "$EXPORT"

# 1. the suggestion skips the address the LAN host answers for
sugg=$(ip netns exec "$NS_HOST" timeout 30 "$INDYNETD" --suggest-nfs-ip --interface cap1 2>"$T_TMP/suggest.err")
t_expect_eq "--suggest-nfs-ip --interface cap1: .213 answered, .214 suggested" 10.77.1.214 "$sugg"

# 2. an address in use is refused, naming the MAC that answered
bridge_start --interface cap1 --export "$EXPORT" --nfs-bridge-ip 10.77.1.213
phantom_state() { nat_ctl nfs-ip get | grep -o '"state":"[a-z]*"' | cut -d'"' -f4; }
phantom_is() { [ "$(phantom_state)" = "$1" ]; }
t_wait 15 phantom_is refused || t_fail "the phantom did not refuse 10.77.1.213" "$(nat_ctl nfs-ip get)"
t_check "refused: the log names the LAN host's MAC $LAN_MAC" \
	grep -q "10.77.1.213 is in use on cap1 by $LAN_MAC" "$INDY_LOG"
t_check "nfs-ip get names the MAC too" sh -c "'$INDYNETD' --ctl '$INDY_CTL' nfs-ip get | grep -q '\"conflict_mac\":\"$LAN_MAC\"'"

guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease from the LAN's dnsmasq within 20 s"
t_log "guest $GUEST_IP"
t_check "the refused address is not answered: the guest's ping reaches the LAN host owning it" \
	sh -c "ip netns exec '$NS_GUEST' ping -c 1 -W 3 10.77.1.213 >/dev/null && ip -n '$NS_GUEST' neigh show 10.77.1.213 | grep -q '$LAN_MAC'"

# 3. a live change to a free address: probed, then served to the guest only
ns_bg "$LAN" "$T_TMP/lan.tcpdump.log" tcpdump -n -i lan1 -w "$T_TMP/lan.pcap" -U host 10.77.1.214
t_wait 5 test -s "$T_TMP/lan.tcpdump.log"
t0=$SECONDS
reply=$(nat_ctl nfs-ip 10.77.1.214)
t_log "nfs-ip 10.77.1.214 -> $reply ($((SECONDS - t0)) s)"
t_check "nfs-ip 10.77.1.214: claimed" phantom_is active
t_check "the claim waited for the probe (3 s or more)" test $((SECONDS - t0)) -ge 3
t_check "ping 10.77.1.214 from the guest (3 of 3)" ip netns exec "$NS_GUEST" ping -c 3 -i 0.2 -W 3 10.77.1.214
t_check "the guest's ARP entry is the phantom's MAC" \
	sh -c "ip -n '$NS_GUEST' neigh show 10.77.1.214 | grep -q 02:00:de:ad:bf:53"
for p in "portmapper 2" "mountd 3" "mountd 1" "nfs 3" "nfs 2"; do
	t_check "rpcinfo -T udp 10.77.1.214 $p" ip netns exec "$NS_GUEST" timeout 10 rpcinfo -T udp 10.77.1.214 $p
	t_check "rpcinfo -t 10.77.1.214 $p (TCP)" ip netns exec "$NS_GUEST" timeout 10 rpcinfo -t 10.77.1.214 $p
done
t_check "a big ping (fragmented both ways) answers" ip netns exec "$NS_GUEST" ping -c 2 -s 4000 -W 3 10.77.1.214
sleep 1
kill "$NS_BGPID" 2>/dev/null
wait "$NS_BGPID" 2>/dev/null
n=$(tcpdump -n -r "$T_TMP/lan.pcap" 2>/dev/null | grep -vc 'ARP')
t_expect_eq "the LAN host's veth saw no IP traffic of the phantom (only its ARP probes)" 0 "$n"
t_check "the LAN saw the phantom's ARP probes" sh -c "tcpdump -n -r '$T_TMP/lan.pcap' 2>/dev/null | grep -q 'who-has 10.77.1.214 tell 0.0.0.0'"

# 4. back to the taken address: refused, the current one stays
reply=$(nat_ctl nfs-ip 10.77.1.213)
t_log "nfs-ip 10.77.1.213 -> $reply"
t_check "nfs-ip 10.77.1.213: refused naming $LAN_MAC" sh -c "echo '$reply' | grep -q 'in use on cap1 by $LAN_MAC'"
t_check "10.77.1.214 still serves" ip netns exec "$NS_GUEST" timeout 10 rpcinfo -T udp 10.77.1.214 nfs 3
t_check "stats: nfs address 10.77.1.214, phantom active" \
	sh -c "'$INDYNETD' --ctl '$INDY_CTL' stats | grep -q 'nfs_phantom=active nfs_ip=10.77.1.214'"
nat_stop
t_done
