# SPDX-License-Identifier: MIT
# e2e-nat.sh: the NAT end-to-end scenario shared by nat-stream.sh, nat-dgram.sh and nat-stream-connect.sh.
#
# nat_e2e FRONTEND: indynetd (NAT defaults) and the Linux test guest in a private
# netns, attached through FRONTEND (stream | dgram | stream-connect).  The guest
# gets a DHCP lease, pings the gateway, downloads a 4 MiB random file with busybox
# wget from a web server on the netns' loopback through the gateway and uploads
# 4 MiB of its own with busybox nc to a TCP sink there; md5s are compared on the
# host side.  With NAT_E2E_RESTART=1 the daemon is restarted while the guest runs
# and the guest must get through again (the point of --qemu-stream-connect);
# otherwise a second guest boots on the same daemon once the first has gone, and
# must get its lease and reach the gateway (a new QEMU replaces the old peer).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
. "$(dirname "${BASH_SOURCE[0]}")/vm.sh"

nat_e2e_guest_script() {
	cat <<'GUEST'
. /lib/indynet-guest.sh
GW=192.168.0.1
check "DHCP lease 192.168.0.2/24" sh -c 'ip -4 addr show dev eth0 | grep "inet 192.168.0.2/24"'
check "default route via $GW" sh -c "ip route show default | grep 'via $GW'"
check "resolv.conf names the gateway 192.168.0.1" grep -q 'nameserver 192.168.0.1' /etc/resolv.conf
check "ping the gateway $GW" ping -c 3 -W 3 $GW
check "wget 4 MiB from the host's loopback via $GW:8000" timeout 60 wget -q -O /tmp/down.bin http://$GW:8000/down.bin
report down_md5 "$(md5 /tmp/down.bin)"
report down_size "$(wc -c < /tmp/down.bin)"
dd if=/dev/urandom of=/tmp/up.bin bs=64k count=64 2>/dev/null
report up_md5 "$(md5 /tmp/up.bin)"
check "nc upload of 4 MiB to the host's loopback via $GW:8001" sh -c "nc $GW 8001 < /tmp/up.bin"
if [ "${RESTART:-0}" = 1 ]; then
	echo "VM-STEP restart-daemon"
	# wait for the link to go away, then for it to come back
	i=0; while ping -c 1 -W 1 $GW >/dev/null 2>&1 && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.2; done
	[ $i -lt 50 ] && report link_down_seen yes
	check "the gateway answers again after the daemon restart" sh -c \
		"i=0; until ping -c 1 -W 1 $GW; do i=\$((i + 1)); [ \$i -lt 40 ] || exit 1; done"
	check "wget after the restart" timeout 30 wget -q -O /tmp/again.txt http://$GW:8000/small.txt
	report again "$(cat /tmp/again.txt)"
fi
finish
GUEST
}

nat_e2e() {
	local fe=$1
	t_need_root
	t_indynetd
	vm_setup
	mkdir -p "$T_TMP/www"
	head -c 4M /dev/urandom >"$T_TMP/www/down.bin"
	echo "still-there-$RANDOM" >"$T_TMP/www/small.txt"
	srv_http "$T_TMP/www" 8000
	srv_sink "$T_TMP/up.got" 8001
	local sink_pid=$NS_BGPID
	{
		[ "${NAT_E2E_RESTART:-0}" = 1 ] && echo "RESTART=1"
		nat_e2e_guest_script
	} >"$T_TMP/guest.sh"

	vm_daemon_start "$fe"
	vm_boot "$T_TMP/guest.sh"
	if [ "${NAT_E2E_RESTART:-0}" = 1 ]; then
		vm_wait_line 'VM-STEP restart-daemon' 240 || t_fail "the guest never asked for the daemon restart"
		t_log "restarting indynetd"
		vm_daemon_stop
		sleep 1
		vm_daemon_start "$fe"
	fi
	vm_wait 280
	grep -q 'VM-RESULT' "$VM_CONSOLE" || t_fail "the guest reported no result (status $VM_RC)"
	vm_checks
	t_expect_eq "guest exit status" 0 "$VM_RC"
	t_expect_eq "download: size seen by the guest" 4194304 "$(vm_value down_size)"
	t_expect_eq "download: md5 guest = host" "$(t_md5 "$T_TMP/www/down.bin")" "$(vm_value down_md5)"
	t_wait 10 eval '! kill -0 '"$sink_pid" || t_fail "the upload sink did not see the end of the stream"
	t_expect_eq "upload: md5 host = guest" "$(vm_value up_md5)" "$(t_md5 "$T_TMP/up.got")"
	if [ "${NAT_E2E_RESTART:-0}" = 1 ]; then
		t_expect_eq "the guest saw the gateway go away during the restart" yes "$(vm_value link_down_seen)"
		t_expect_eq "fetch after the restart" "$(cat "$T_TMP/www/small.txt")" "$(vm_value again)"
	fi
	t_log "guest: $(grep -m1 'VM-NET:' "$VM_CONSOLE" | sed 's/.*VM-NET: //')"
	if [ "${NAT_E2E_RESTART:-0}" != 1 ]; then
		cat >"$T_TMP/guest2.sh" <<'GUEST'
. /lib/indynet-guest.sh
check "second guest on the same daemon: DHCP lease 192.168.0.2/24" sh -c 'ip -4 addr show dev eth0 | grep "inet 192.168.0.2/24"'
check "second guest: ping the gateway" ping -c 2 -W 3 192.168.0.1
check "second guest: wget through the gateway" timeout 30 wget -q -O /tmp/s.txt http://192.168.0.1:8000/small.txt
finish
GUEST
		VM_CONSOLE_FILE=$T_TMP/console2.log vm_boot "$T_TMP/guest2.sh"
		vm_wait 200
		vm_checks
		t_expect_eq "second guest exit status" 0 "$VM_RC"
	fi
	vm_daemon_stop
	t_done
}
