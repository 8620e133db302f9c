#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# capture.sh: indynetd --capture-file writes pcapng that tshark decodes: DHCP and ICMP both ways, nothing malformed.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init capture
t_need_root
t_need_cmd ip unshare busybox tshark
t_indynetd

CAP=$T_TMP/guest.pcapng
NAT_DNS=0 nat_setup
nat_start --capture-file "$CAP"
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
t_check "ping the gateway 5 times" ip netns exec "$NS_GUEST" ping -c 5 -i 0.2 -W 3 "$GUEST_GW"
MAC=$(ip -n "$NS_GUEST" -o link show tap0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
nat_stop

t_check "capture file is pcapng" sh -c "file '$CAP' | grep -qi pcapng"
# checksums are verified too: a bad one is an error-level expert item
TS_OPTS=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE)
count() { # count FILTER: frames matching the display filter, -1 if tshark fails
	if tshark -r "$CAP" "${TS_OPTS[@]}" -Y "$1" -T fields -e frame.number >"$T_TMP/tshark.out" 2>"$T_TMP/tshark.err"; then
		wc -l <"$T_TMP/tshark.out"
	else
		echo -1
	fi
}
t_evidence "$T_TMP/tshark.err"
at_least() { # at_least DESC MIN N
	if [ "$3" -ge "$2" ]; then t_pass "$1 ($3)"; else t_fail "$1: want >= $2, got $3"; fi
}
t_check "tshark reads the whole file without error" tshark -r "$CAP" -q -z io,stat,0
total=$(count frame)
[ "$total" -gt 0 ] || t_fail "no frames in the capture"
t_pass "capture holds $total frames"
n=$(count "dhcp.option.dhcp == 1 && eth.src == $MAC")
at_least "DHCP DISCOVER from the guest" 1 "$n"
n=$(count "dhcp.option.dhcp == 2 && eth.dst == $MAC || dhcp.option.dhcp == 2 && eth.dst == ff:ff:ff:ff:ff:ff")
at_least "DHCP OFFER to the guest" 1 "$n"
n=$(count "dhcp.option.dhcp == 5")
at_least "DHCP ACK" 1 "$n"
n=$(count "icmp.type == 8 && eth.src == $MAC && ip.dst == $GUEST_GW")
at_least "ICMP echo requests guest->gateway" 5 "$n"
n=$(count "icmp.type == 0 && eth.dst == $MAC && ip.src == $GUEST_GW")
at_least "ICMP echo replies gateway->guest" 5 "$n"
n=$(count "arp")
at_least "ARP request and reply" 2 "$n"
n=$(count "_ws.malformed || _ws.expert.severity >= error")
if [ "$n" != 0 ]; then
	[ "$n" = -1 ] && t_fail "tshark failed on the malformed-frame filter"
	t_fail "$n malformed frames or frames with errors (bad checksums...)" \
		"$(tshark -r "$CAP" "${TS_OPTS[@]}" -Y "_ws.malformed || _ws.expert.severity >= error" 2>&1 | head -20)"
fi
t_pass "no malformed frames, no bad checksums"
t_done
