#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-tftp.sh: --tftp DIR and --bootfile: the guest gets the boot file by DHCP and fetches files over TFTP from the gateway; nothing outside DIR, nothing written.
#
# DIR holds a boot script, a 300 KiB kernel stand-in (many blocks), a link
# that stays inside and two that leave it (absolute and relative) towards a
# secret beside DIR.  The guest is a netns behind --tap with busybox tftp.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-tftp
t_need_root
t_need_cmd ip unshare busybox md5sum
t_indynetd

GW=192.168.0.1
D=$T_TMP/tftp
mkdir -p "$D/sub" "$T_TMP/outside"
echo "secret-$RANDOM" >"$T_TMP/outside/secret"
printf '#!ipxe\nkernel vmlinuz\nboot\n' >"$D/boot.ipxe"
head -c 307200 /dev/urandom >"$D/sub/vmlinuz"
ln -s sub/vmlinuz "$D/kernel"
ln -s "$T_TMP/outside" "$D/abs"
ln -s ../outside "$D/rel"
get() { # get NAME OUT: busybox tftp in the guest; its output on failure
	ip netns exec "$NS_GUEST" timeout 20 busybox tftp -b 1432 -g -r "$1" -l "$2" $GW 2>&1
}

NAT_DNS=0 nat_setup
nat_start --tftp "$D" --bootfile boot.ipxe
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
t_expect_eq "DHCP names the boot file" boot.ipxe "$(sed -n 's/^bootfile=//p' "$T_TMP/guest.lease")"
t_expect_eq "DHCP names the gateway as next server" $GW "$(sed -n 's/^siaddr=//p' "$T_TMP/guest.lease")"

t_check "TFTP: the boot script" get boot.ipxe "$T_TMP/got.ipxe"
t_check "TFTP: the boot script arrives intact" cmp "$D/boot.ipxe" "$T_TMP/got.ipxe"
t_check "TFTP: 300 KiB in a subfolder" get sub/vmlinuz "$T_TMP/got.k"
t_expect_eq "TFTP: 300 KiB intact" "$(md5sum <"$D/sub/vmlinuz")" "$(md5sum <"$T_TMP/got.k")"
t_check "TFTP: a link that stays inside the folder" get kernel "$T_TMP/got.k2"
for name in abs/secret rel/secret ../outside/secret "$T_TMP/outside/secret" sub /etc/hostname nothing-here; do
	rm -f "$T_TMP/leak"
	out=$(get "$name" "$T_TMP/leak")
	if [ -s "$T_TMP/leak" ] && grep -q secret "$T_TMP/leak"; then
		t_fail "TFTP served '$name' from outside the folder"
	fi
	case $out in *"ccess violation"* | *"ot found"* | *"Illegal"* | *"server error"*) t_pass "TFTP refuses '$name' ($(echo "$out" | tail -n1))" ;;
	*) t_fail "TFTP should refuse '$name' with an error" "$out" ;; esac
done
echo overwrite >"$T_TMP/up"
out=$(ip netns exec "$NS_GUEST" timeout 10 busybox tftp -p -l "$T_TMP/up" -r boot.ipxe $GW 2>&1)
t_check "TFTP: a write request is refused" cmp "$D/boot.ipxe" "$T_TMP/got.ipxe"
case $out in *"llegal"*) t_pass "TFTP: the write request got error 4 ($out)" ;;
*) t_fail "TFTP: a write request should get error 4 (illegal operation)" "$out" ;; esac
t_check "indynetd still running" kill -0 "$INDY_PID"
nat_stop
t_done
