#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-wifi-nfs.sh: the real Linux guest bridged with --bridge-mac host through an "access point" that drops every frame not from the host's MAC: its own DHCP lease, ping of the LAN host and the phantom, NFS v3 mounts from the phantom (UDP 32 KiB, TCP) with md5; nothing but the host's MAC reaches the LAN.
#
# Inside lib-nfs.sh's private namespace: a LAN namespace (10.77.1.1/24 on
# veth lan1, dnsmasq handing out .100-.150) whose nftables netdev ingress rule
# drops every frame whose source MAC is not cap1's (as an access point drops
# stations that did not associate), the capture end cap1 = 10.77.1.2/24 here,
# and indynetd --mode bridge --interface cap1 --bridge-mac host --export DIR
# --nfs-bridge-ip 10.77.1.213 with the guest on --qemu-stream.  The guest
# gets a lease of its own, pings the LAN host and the phantom, mounts the
# phantom (v3, 32 KiB over UDP, then over TCP), writes 8 MiB, remounts and
# reads back.  A
# tcpdump on lan1 records every frame arriving from the host side: none may
# carry another source MAC than cap1's.
# Usage: tests/e2e/bridge-wifi-nfs.sh   (INDYNET_BUILD set)
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"
t_need_cmd dnsmasq tcpdump ethtool nft
"$INDYNETD" --help 2>&1 | grep -c -- '--bridge-mac' >/dev/null || nfs_skip "indynetd has no --bridge-mac"

PH=10.77.1.213
nfs_bridge_lan wif2-e2e-lan$$
HOST_MAC=$(ip -br link show cap1 | awk '{print $3}')
LAN_MAC=$(ip -n "$LAN" -br link show lan1 | awk '{print $3}')
ip netns exec "$LAN" nft -f - <<EOF || nfs_die "nft: the access point's rule"
table netdev wifap {
	chain in {
		type filter hook ingress device "lan1" priority 0; policy accept;
		ether saddr != $HOST_MAC counter drop
	}
}
EOF
nfs_lan_dhcp
# frames from the host side that the access point let in (its rule runs after the packet taps: filter here)
ip netns exec "$LAN" tcpdump -n -e -i lan1 -U -w "$NFS_W/lan.pcap" "not ether src $LAN_MAC" \
	>"$NFS_W/tcpdump.log" 2>&1 &
TCPDUMP=$!

NFS_GW=$PH
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF2'
ip -4 addr show dev eth0 | grep -q 'inet 10\.77\.1\.1[0-5][0-9]/24' && gok "lease from the LAN's dnsmasq: $(ip -4 -o addr show dev eth0 | awk '{print $4}')" || gfail "no LAN lease: $(ip -4 -o addr show dev eth0)"
echo "GUEST-MAC=$(cat /sys/class/net/eth0/address)"
echo "GUEST-IP=$(ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)"
ping -c 3 -W 3 10.77.1.1 >/tmp/ping.txt 2>&1 && gok "ping the LAN host: $(grep -o '[0-9]* packets received' /tmp/ping.txt)" || gfail "ping 10.77.1.1: $(cat /tmp/ping.txt)"
ping -c 3 -W 3 "$SRV" >/tmp/ping.txt 2>&1 && gok "ping $SRV: $(grep -o '[0-9]* packets received' /tmp/ping.txt)" || gfail "ping $SRV: $(cat /tmp/ping.txt)"
ip neigh show "$SRV" | grep -q 02:00:de:ad:bf:53 && gok "$SRV is at the phantom's MAC" || gfail "ARP: $(ip neigh show "$SRV")"
head -c 8388608 /dev/urandom >/tmp/data.bin
SUM=$(md5sum /tmp/data.bin | cut -d' ' -f1)
echo "DATA-MD5=$SUM"
one_case() { # one_case TAG OPTS [PROTO]
	tag=$1 opts=$2 GPROTO=${3:-udp}
	gmount "$tag" "$opts" || { gfail "$tag: mount -o $opts $SRV:$EXPORT_PATH"; dmesg | tail -n 5; return; }
	gok "$tag: mounted: $(gmountopts "$tag")"
	ghasopt "$tag" "proto=$GPROTO" || gfail "$tag: kernel mount options lack proto=$GPROTO"
	cp /tmp/data.bin "/mnt/$tag/data-$tag.bin" && sync || gfail "$tag: writing 8 MiB"
	gumount "$tag" || return
	gmount "$tag" "$opts" || { gfail "$tag: remount"; return; }
	s=$(md5sum "/mnt/$tag/data-$tag.bin" | cut -d' ' -f1)
	echo "MD5-$tag=$s"
	[ "$s" = "$SUM" ] && gok "$tag: md5 read back after the remount matches" || gfail "$tag: md5 '$s', wrote $SUM"
	gumount "$tag"
}
one_case v3-32k vers=3,rsize=32768,wsize=32768
one_case v3-tcp vers=3 tcp
gend
EOF2
} >"$G"

nfs_daemon_start stream --mode bridge --interface cap1 --bridge-mac host --export "$NFS_EXPORT" \
	--nfs-bridge-ip "$PH" --control "$NFS_W/ctl.sock"
for i in $(seq 1 100); do
	"$INDYNETD" --ctl "$NFS_W/ctl.sock" nfs-ip get 2>/dev/null | grep -q '"state":"active"' && break
	sleep 0.1
done
nfs_check "the phantom claimed $PH after its ARP probe" \
	sh -c "'$INDYNETD' --ctl '$NFS_W/ctl.sock' nfs-ip get | grep -q '\"state\":\"active\"'"
nfs_vm_run "$G" "$CON" 900
rc=$?
STATS=$("$INDYNETD" --ctl "$NFS_W/ctl.sock" stats 2>&1)
sleep 1
kill "$TCPDUMP" 2>/dev/null
wait "$TCPDUMP" 2>/dev/null
nfs_daemon_stop
grep -aE 'GUEST-|MD5' "$CON"
nfs_log "$STATS"
nfs_expect_eq "guest script exit status" "$rc" 0
want=$(nfs_console_value "$CON" DATA-MD5)
gmac=$(nfs_console_value "$CON" GUEST-MAC)
gip=$(nfs_console_value "$CON" GUEST-IP)
nfs_check "guest reported the md5 of its 8 MiB file" test -n "$want"
for tag in v3-32k v3-tcp; do
	nfs_expect_eq "$tag: md5 the guest read back" "$(nfs_console_value "$CON" "MD5-$tag")" "$want"
	nfs_expect_eq "$tag: md5 of the host's copy" "$(md5sum <"$NFS_EXPORT/data-$tag.bin" 2>/dev/null | cut -d' ' -f1)" "$want"
done
nfs_check "dnsmasq leased $gip to the guest's own MAC $gmac" grep -q "DHCPACK(lan1) $gip $gmac" "$NFS_W/dnsmasq.log"
nfs_check "stats: bridge_mac=host" sh -c "echo '$STATS' | grep -q 'bridge_mac=host'"
nfs_check "stats: frames translated" sh -c "echo '$STATS' | grep -q 'capture_mac_translated=[1-9]'"
total=$(tcpdump -n -r "$NFS_W/lan.pcap" 2>/dev/null | wc -l)
others=$(tcpdump -n -r "$NFS_W/lan.pcap" "not ether src $HOST_MAC" 2>/dev/null | wc -l)
nfs_check "the LAN received frames from the host side ($total)" test "$total" -gt 0
nfs_expect_eq "frames on the LAN with a source MAC other than the host's" "$others" 0
lanpkts=$(tcpdump -n -r "$NFS_W/lan.pcap" host "$PH" 2>/dev/null | grep -vc ARP)
nfs_expect_eq "IP packets to or from $PH on the LAN host's veth" "$lanpkts" 0
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
