# SPDX-License-Identifier: MIT
# bridge.sh: bridge-mode fixtures: LAN namespaces with dnsmasq on veth pairs, indynetd capturing on the peer ends.
#
# Source tests/lib/common.sh and tests/lib/netns.sh first and call t_init.  Layout:
#
#   netns $NS_LAN<N> ("LAN N"): lo + veth "lan<N>" = 10.77.<N>.1/24, dnsmasq serving DHCP
#                   10.77.<N>.100-10.77.<N>.150 (no router, no DNS), a plain Linux host.
#   netns $NS_HOST  ("the host"): lo + the peer ends "cap<N>" = 10.77.<N>.2/24: what
#                   indynetd --mode bridge --interface cap<N> captures on (the
#                   address is the host's own on that LAN, as eth0's would be; the
#                   phantom NFS host learns the LAN's subnet from it).
#   netns $NS_GUEST ("the guest"): lo + tap0, created by indynetd --tap tap0.
#
# IPv6 is off in all of them (no ND/MLD chatter in the counts) and the LAN
# veth sends with full checksums and no TSO ("tx off"), as a frame from a
# real wire has: a veth peer otherwise hands over partial checksums.
#
#   bridge_setup               create $NS_HOST and $NS_GUEST (netns.sh) for bridge tests
#   lan_add N                  create LAN N (namespace, veth pair, dnsmasq); $NS_LAN<N>
#   lan_ns N                   print LAN N's namespace name
#   lan_ip N                   print LAN N's host address (10.77.N.1)
#   cap_veth_del N / cap_veth_add N   delete / recreate the pair of LAN N (dnsmasq keeps
#                              running; the LAN end gets its address back)
#   bridge_start ARGS...       nat_start --mode bridge ARGS... (wait for tap0 + control socket)
#   bridge_capture_state       print the capture state from `stats` ("active" ...)
#   bridge_wait_state SECS S   wait until the capture state is S
#
# Tunables: BRIDGE_DHCP=0 skips dnsmasq in new LANs; BRIDGE_LAN_NS, the LAN namespaces'
# name prefix (default indy-l: indy-l<N>-<pid>).

lan_ns() { echo "${BRIDGE_LAN_NS:-indy-l}$1-$$"; }
lan_ip() { echo "10.77.$1.1"; }

bridge_setup() {
	local ns
	ns_create "$NS_HOST"
	ns_create "$NS_GUEST"
	for ns in "$NS_HOST" "$NS_GUEST"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	echo "nameserver 127.0.0.1" >"$T_TMP/resolv.conf"
}

# the veth pair of LAN N: lan<N> in the LAN, cap<N> in the host
cap_veth_add() {
	local ns
	ns=$(lan_ns "$1")
	ip -n "$ns" link add "lan$1" type veth peer name "cap$1" netns "$NS_HOST" || t_fail "veth lan$1/cap$1"
	ip netns exec "$ns" ethtool -K "lan$1" tx off >/dev/null 2>&1
	ip -n "$ns" addr add "$(lan_ip "$1")/24" dev "lan$1"
	ip -n "$ns" link set "lan$1" up
	ip -n "$NS_HOST" addr add "10.77.$1.2/24" dev "cap$1"
	ip -n "$NS_HOST" link set "cap$1" up
}

cap_veth_del() { ip -n "$NS_HOST" link del "cap$1"; }

lan_add() {
	local ns
	ns=$(lan_ns "$1")
	ns_create "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	cap_veth_add "$1"
	[ "${BRIDGE_DHCP:-1}" = 1 ] || return 0
	ns_bg "$ns" "$T_TMP/dnsmasq-lan$1.log" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
		--conf-file=/dev/null --pid-file= --user=root --group=root --port=0 --interface="lan$1" \
		--bind-dynamic --dhcp-range="10.77.$1.100,10.77.$1.150,255.255.255.0,1h" \
		--dhcp-option=3 --dhcp-option=6 --dhcp-leasefile="$T_TMP/lan$1.leases" --log-dhcp --log-facility=-
	t_evidence "$T_TMP/dnsmasq-lan$1.log"
	t_wait 5 ns_listening "$ns" udp 67 || t_fail "dnsmasq did not start in LAN $1" "$(cat "$T_TMP/dnsmasq-lan$1.log")"
}

bridge_start() { nat_start --mode bridge "$@"; }

bridge_capture_state() { nat_ctl stats | grep -o 'capture=[a-z-]*' | cut -d= -f2; }

bridge_state_is() { [ "$(bridge_capture_state)" = "$1" ]; }

bridge_wait_state() { t_wait "$1" bridge_state_is "$2"; }
