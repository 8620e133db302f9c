# SPDX-License-Identifier: MIT
# netns.sh: network-namespace fixtures for NAT tests: a "host" netns running indynetd and a guest netns behind its TAP.
#
# Source tests/lib/common.sh first and call t_init.  Layout:
#
#   netns $NS_HOST  ("the host"): only lo (127.0.0.1).  indynetd runs here in a
#                   private mount namespace whose /etc/resolv.conf is
#                   $T_TMP/resolv.conf (nameserver 127.0.0.1), so libslirp's DNS
#                   relay reaches the test's own resolver (dnsmasq on 127.0.0.1:53,
#                   answering indynet.test = 192.0.2.55 and nothing else).
#                   Services the guest reaches through the gateway listen on 127.0.0.1.
#   netns $NS_GUEST ("the guest"): lo + tap0, created by indynetd --tap tap0
#                   --tap-netns /run/netns/$NS_GUEST.  busybox udhcpc configures it.
#
# Nothing leaves these namespaces: neither has a route to any real network.
#
#   ns_create NAME         create netns NAME (lo up), deleted at exit with its processes
#   ns_exec NS CMD...      run CMD in netns NS
#   ns_bg NS LOG CMD...    start CMD in NS in the background (stdout+stderr to LOG),
#                          killed at exit; its pid is left in $NS_BGPID
#   ns_listening NS PROTO PORT   true when something listens on 127.0.0.1/any PORT
#   nat_setup              create $NS_HOST/$NS_GUEST, start dnsmasq in $NS_HOST
#   nat_start ARGS...      start indynetd --tap tap0 --tap-netns ... --control
#                          $INDY_CTL ARGS... in $NS_HOST, wait for tap0 and the control
#                          socket; $INDY_PID, $INDY_LOG
#   nat_stop               SIGTERM indynetd; fail unless it exits 0 within 10 s
#   nat_ctl ARGS...        indynetd --ctl $INDY_CTL ARGS...  (prints the reply)
#   guest_dhcp_start       run udhcpc on tap0 in the guest (background, renews)
#   guest_dhcp_wait SECS [PREFIX]   wait for a lease (address starting with PREFIX);
#                          sets GUEST_IP, GUEST_GW, GUEST_DNS
#   guest_dhcp_renew       ask udhcpc for a renewal (SIGUSR1)
#
# Tunables: NAT_DNS=0 skips dnsmasq; INDY_LOG_LEVEL (default info); INDY_WRAP, words put
# before indynetd's command (e.g. "prlimit --nofile=1024:1024").

NS_HOST=indy-h-$$
NS_GUEST=indy-g-$$
NS_BGPID=

ns_create() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" || t_fail "ip netns add $1"
	t_defer ns_destroy "$1"
	ip -n "$1" link set lo up
}

ns_destroy() {
	local p
	for p in $(ip netns pids "$1" 2>/dev/null); do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $(ip netns pids "$1" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	ip netns del "$1" 2>/dev/null
}

ns_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

ns_bg() {
	local ns=$1 logf=$2
	shift 2
	ip netns exec "$ns" "$@" >"$logf" 2>&1 &
	NS_BGPID=$!
	t_defer kill "$NS_BGPID"
}

ns_listening() {
	local flag=-Hltn
	[ "$2" = udp ] && flag=-Hlun
	ip netns exec "$1" ss $flag "sport = :$3" | grep -q .
}

nat_setup() {
	ns_create "$NS_HOST"
	ns_create "$NS_GUEST"
	# libslirp answers the guest's ping of the gateway with an ICMP datagram
	# socket, which needs the gid in ping_group_range (systemd hosts set this)
	ip netns exec "$NS_HOST" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	echo "nameserver 127.0.0.1" >"$T_TMP/resolv.conf"
	if [ "${NAT_DNS:-1}" = 1 ]; then
		ns_bg "$NS_HOST" "$T_TMP/dnsmasq.log" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
			--conf-file=/dev/null --pid-file= --user=root --group=root --listen-address=127.0.0.1 \
			--bind-interfaces --port=53 --address=/indynet.test/192.0.2.55 --log-queries --log-facility=-
		t_evidence "$T_TMP/dnsmasq.log"
		t_wait 5 ns_listening "$NS_HOST" udp 53 || t_fail "dnsmasq did not start" "$(cat "$T_TMP/dnsmasq.log")"
	fi
}

nat_start() {
	INDY_CTL=$T_TMP/ctl.sock
	INDY_LOG=$T_TMP/indynetd.log
	t_evidence "$INDY_LOG"
	# a private mount namespace in which /etc/resolv.conf is the test's own
	ip netns exec "$NS_HOST" unshare --mount -- sh -c \
		'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$T_TMP/resolv.conf" ${INDY_WRAP:-} \
		timeout -s TERM 600 "$INDYNETD" --tap tap0 --tap-netns "/run/netns/$NS_GUEST" \
		--control "$INDY_CTL" --log-level "${INDY_LOG_LEVEL:-info}" "$@" >"$INDY_LOG" 2>&1 &
	INDY_PID=$!
	t_defer kill "$INDY_PID"
	if ! t_wait 10 nat_ready; then
		kill -0 "$INDY_PID" 2>/dev/null || t_fail "indynetd exited at start-up" "$(cat "$INDY_LOG")"
		t_fail "indynetd: no tap0 in $NS_GUEST or no control socket within 10 s" "$(ip -n "$NS_GUEST" link)"
	fi
	t_log "indynetd running (pid $INDY_PID): $*"
}

nat_ready() { [ -S "$INDY_CTL" ] && ip -n "$NS_GUEST" link show tap0 >/dev/null 2>&1; }

nat_stop() {
	local rc
	kill -TERM "$INDY_PID" 2>/dev/null
	t_wait 10 eval '! kill -0 $INDY_PID' || t_fail "indynetd did not stop within 10 s of SIGTERM"
	wait "$INDY_PID"
	rc=$?
	t_expect_eq "indynetd exits cleanly on SIGTERM" 0 "$rc"
}

nat_ctl() { "$INDYNETD" --ctl "$INDY_CTL" "$@" 2>&1; }

guest_dhcp_start() {
	local bb
	bb=$(command -v busybox) || t_skip "needs busybox"
	: >"$T_TMP/guest.lease"
	ip netns exec "$NS_GUEST" env RESOLV_CONF="$T_TMP/guest-resolv.conf" UDHCPC_STATE="$T_TMP/guest.lease" \
		"$bb" udhcpc -f -i tap0 -t 10 -T 1 -A 1 -s "$(t_repo)/tests/vm/udhcpc.script" \
		>"$T_TMP/udhcpc.log" 2>&1 &
	GUEST_DHCP_PID=$!
	t_defer kill "$GUEST_DHCP_PID"
	t_evidence "$T_TMP/udhcpc.log"
}

guest_lease_ok() { # guest_lease_ok PREFIX: the lease file holds an address starting with PREFIX
	[ -s "$T_TMP/guest.lease" ] || return 1
	grep -q "^ip=${1//./\\.}" "$T_TMP/guest.lease" &&
		ip -n "$NS_GUEST" -4 addr show dev tap0 | grep -q "inet ${1//./\\.}"
}

guest_dhcp_wait() {
	if ! t_wait "$1" guest_lease_ok "${2:-}"; then
		return 1
	fi
	GUEST_IP=$(sed -n 's/^ip=//p' "$T_TMP/guest.lease")
	GUEST_GW=$(sed -n 's/^router=//p' "$T_TMP/guest.lease")
	GUEST_DNS=$(sed -n 's/^dns=//p' "$T_TMP/guest.lease")
	return 0
}

guest_dhcp_renew() { kill -USR1 "$GUEST_DHCP_PID"; }
