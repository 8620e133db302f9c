#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-nfs.sh: the real Linux guest in bridge mode gets its lease from the LAN's dnsmasq, pings the phantom NFS host and mounts it over UDP (v3 32 KiB, v2 8 KiB) and TCP (v3), md5 of a file written and read back; the LAN never sees the phantom's RPC traffic.
#
# Inside lib-nfs.sh's private namespace: a LAN namespace (10.77.1.1/24 on a veth,
# dnsmasq handing out .100-.150), the capture end cap1 = 10.77.1.2/24 here, and
# indynetd --mode bridge --interface cap1 --export DIR --nfs-bridge-ip 10.77.1.213
# with the guest on --qemu-stream.  The phantom claims .213 after its ARP probe;
# the guest then pings it and mounts it three times (v3 rsize/wsize 32768, v2 8192
# over UDP, v3 with the kernel's default sizes over TCP),
# writes 8 MiB, remounts, reads back; md5 in the guest and of the host's copy.
# A tcpdump on the LAN host's veth must show nothing of the phantom but its
# ARP probes.
# Usage: tests/e2e/bridge-nfs.sh   (INDYNET_BUILD set)
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"
t_need_cmd dnsmasq tcpdump ethtool
"$INDYNETD" --help 2>&1 | grep -c -- '--nfs-bridge-ip' >/dev/null || nfs_skip "indynetd has no --nfs-bridge-ip"

PH=10.77.1.213
nfs_bridge_lan indy-e2e-lan$$
nfs_lan_dhcp
ip netns exec "$LAN" tcpdump -n -i lan1 -U -w "$NFS_W/lan.pcap" host "$PH" >"$NFS_W/tcpdump.log" 2>&1 &
TCPDUMP=$!

NFS_GW=$PH
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF2'
ip -4 addr show dev eth0 | grep -q 'inet 10\.77\.1\.1[0-5][0-9]/24' && gok "lease from the LAN's dnsmasq: $(ip -4 -o addr show dev eth0 | awk '{print $4}')" || gfail "no LAN lease: $(ip -4 -o addr show dev eth0)"
ping -c 3 -W 3 "$SRV" >/tmp/ping.txt 2>&1 && gok "ping $SRV: $(grep -o '[0-9]* packets received' /tmp/ping.txt)" || gfail "ping $SRV: $(cat /tmp/ping.txt)"
ip neigh show "$SRV" | grep -q 02:00:de:ad:bf:53 && gok "$SRV is at the phantom's MAC" || gfail "ARP: $(ip neigh show "$SRV")"
head -c 8388608 /dev/urandom >/tmp/data.bin
SUM=$(md5sum /tmp/data.bin | cut -d' ' -f1)
echo "DATA-MD5=$SUM"
one_case() { # one_case TAG OPTS [PROTO]
	tag=$1 opts=$2 GPROTO=${3:-udp}
	gmount "$tag" "$opts" || { gfail "$tag: mount -o $opts $SRV:$EXPORT_PATH"; dmesg | tail -n 5; return; }
	gok "$tag: mounted: $(gmountopts "$tag")"
	for o in $(echo "$opts" | tr ',' ' ') proto=$GPROTO; do
		ghasopt "$tag" "$o" || gfail "$tag: kernel mount options lack $o"
	done
	cp /tmp/data.bin "/mnt/$tag/data-$tag.bin" && sync || gfail "$tag: writing 8 MiB"
	gumount "$tag" || return
	gmount "$tag" "$opts" || { gfail "$tag: remount"; return; }
	s=$(md5sum "/mnt/$tag/data-$tag.bin" | cut -d' ' -f1)
	echo "MD5-$tag=$s"
	[ "$s" = "$SUM" ] && gok "$tag: md5 read back after the remount matches" || gfail "$tag: md5 '$s', wrote $SUM"
	gumount "$tag"
}
one_case v3-32k vers=3,rsize=32768,wsize=32768
one_case v2-8k vers=2,rsize=8192,wsize=8192
one_case v3-tcp vers=3 tcp
gend
EOF2
} >"$G"

nfs_daemon_start stream --mode bridge --interface cap1 --export "$NFS_EXPORT" --nfs-bridge-ip "$PH" \
	--control "$NFS_W/ctl.sock"
for i in $(seq 1 100); do
	"$INDYNETD" --ctl "$NFS_W/ctl.sock" nfs-ip get 2>/dev/null | grep -q '"state":"active"' && break
	sleep 0.1
done
nfs_check "the phantom claimed $PH after its ARP probe" \
	sh -c "'$INDYNETD' --ctl '$NFS_W/ctl.sock' nfs-ip get | grep -q '\"state\":\"active\"'"
nfs_vm_run "$G" "$CON" 900
rc=$?
sleep 1
kill "$TCPDUMP" 2>/dev/null
wait "$TCPDUMP" 2>/dev/null
nfs_daemon_stop
grep -aE 'GUEST-|MD5' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
want=$(nfs_console_value "$CON" DATA-MD5)
nfs_check "guest reported the md5 of its 8 MiB file" test -n "$want"
for tag in v3-32k v2-8k v3-tcp; do
	nfs_expect_eq "$tag: md5 the guest read back" "$(nfs_console_value "$CON" "MD5-$tag")" "$want"
	nfs_expect_eq "$tag: md5 of the host's copy" "$(md5sum <"$NFS_EXPORT/data-$tag.bin" 2>/dev/null | cut -d' ' -f1)" "$want"
done
nfs_check "the guest's lease came from the LAN's dnsmasq" grep -q DHCPACK "$NFS_W/dnsmasq.log"
lanpkts=$(tcpdump -n -r "$NFS_W/lan.pcap" 2>/dev/null | grep -vc ARP)
nfs_expect_eq "IP packets to or from $PH on the LAN host's veth" "$lanpkts" 0
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
