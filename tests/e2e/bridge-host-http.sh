#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bridge-host-http.sh: the real Linux guest in bridge mode fetches a file over HTTP from a server on the host's own LAN address (host reach, #15), md5 compared, and pings that address.
#
# Inside lib-nfs.sh's private namespace ("the host"): a LAN namespace (10.77.1.1/24
# on a veth, dnsmasq handing out .100-.150), the capture end cap1 = 10.77.1.2/24
# here, indynetd --mode bridge --interface cap1 with the guest on --qemu-stream,
# and python3's http.server bound to 10.77.1.2 only.  Frames indynet injects on
# cap1 leave towards the LAN and never reach this namespace's stack: only host
# reach brings the guest's connection to the server.  The guest leases from the
# LAN, pings 10.77.1.2, fetches 4 MiB with busybox wget and prints its md5.
# Usage: tests/e2e/bridge-host-http.sh   (INDYNET_BUILD set)
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"
t_need_cmd dnsmasq ethtool python3
"$INDYNETD" --help 2>&1 | grep -c -- '--bridge-host-reach' >/dev/null || nfs_skip "indynetd has no --bridge-host-reach"

H=10.77.1.2
nfs_bridge_lan bri5-lan$$
nfs_lan_dhcp

mkdir -p "$NFS_W/www"
head -c 4194304 /dev/urandom >"$NFS_W/www/data.bin"
WANT=$(md5sum <"$NFS_W/www/data.bin" | cut -d' ' -f1)
python3 -m http.server 8080 --bind $H --directory "$NFS_W/www" >"$NFS_W/http.log" 2>&1 &
for i in $(seq 1 50); do
	ss -Hltn 'sport = :8080' | grep -q . && break
	sleep 0.1
done

NFS_GW=$H
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<'EOF2'
ip -4 addr show dev eth0 | grep -q 'inet 10\.77\.1\.1[0-5][0-9]/24' && gok "lease from the LAN's dnsmasq: $(ip -4 -o addr show dev eth0 | awk '{print $4}')" || gfail "no LAN lease: $(ip -4 -o addr show dev eth0)"
ping -c 3 -W 3 "$SRV" >/tmp/ping.txt 2>&1 && gok "ping of the host $SRV: $(grep -o '[0-9]* packets received' /tmp/ping.txt)" || gfail "ping $SRV: $(cat /tmp/ping.txt)"
command -v wget >/dev/null || gfail "no wget in the guest"
if wget -q -O /tmp/data.bin "http://$SRV:8080/data.bin"; then
	echo "HTTP-MD5=$(md5sum /tmp/data.bin | cut -d' ' -f1)"
	gok "wget http://$SRV:8080/data.bin: $(wc -c </tmp/data.bin) bytes"
else
	gfail "wget http://$SRV:8080/data.bin failed"
fi
gend
EOF2
} >"$G"

nfs_daemon_start stream --mode bridge --interface cap1 --control "$NFS_W/ctl.sock"
nfs_vm_run "$G" "$CON" 900
rc=$?
stats=$("$INDYNETD" --ctl "$NFS_W/ctl.sock" stats 2>&1)
nfs_daemon_stop
grep -aE 'GUEST-|MD5' "$CON"
nfs_expect_eq "guest script exit status" "$rc" 0
nfs_expect_eq "md5 of the file the guest fetched from the host" "$(nfs_console_value "$CON" HTTP-MD5)" "$WANT"
nfs_check "the HTTP server on $H served the guest" grep -q '"GET /data.bin HTTP/1.1" 200' "$NFS_W/http.log"
hf=$(echo "$stats" | grep -o 'capture_host_frames=[0-9]*' | cut -d= -f2)
nfs_check "stats: host reach on, frames taken for the host (${hf:-none})" \
	sh -c "echo '$stats' | grep -q 'capture_host_reach=on' && [ '${hf:-0}' -gt 20 ]"
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON"
nfs_finish
