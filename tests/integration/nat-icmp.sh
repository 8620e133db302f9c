#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nat-icmp.sh: a closed port behind the gateway fails at once in the guest ("connection refused"), never by timeout.
#
# No resolver runs on the host's 127.0.0.1:53 and nothing listens on UDP 9:
# libslirp learns of the refusal from the host's kernel, whose ICMP names
# 127.0.0.1 as the offender.  indynet must hand the guest an error from the
# gateway (the address it talked to): a Linux guest drops one from 127.0.0.1
# as a martian and waits for its own timeout (3 s per try for dig).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init nat-icmp
t_need_root
t_need_cmd ip unshare busybox dig python3
t_indynetd

NAT_DNS=0 nat_setup
nat_start
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
t_check "the guest reaches the gateway (ping $GUEST_GW)" ip netns exec "$NS_GUEST" ping -c 1 -W 3 "$GUEST_GW"

ms_now() { date +%s%3N; }

# dig @gateway with the host's resolver down
start=$(ms_now)
out=$(ip netns exec "$NS_GUEST" dig +tries=1 +timeout=3 @"$GUEST_GW" indynet.test A 2>&1)
ms=$(($(ms_now) - start))
t_log "dig @$GUEST_GW took $ms ms: $(echo "$out" | grep -m1 ';;')"
case $out in
*"connection refused"*) t_pass "dig @$GUEST_GW with the resolver down: connection refused" ;;
*) t_fail "dig @$GUEST_GW with the resolver down should fail with connection refused" "$out" ;;
esac
[ "$ms" -lt 1000 ] || t_fail "dig should fail in well under a second, took $ms ms"
t_pass "dig failed in $ms ms (< 1000)"

# a UDP "connect" to a closed host port through the gateway
udp_probe() { # udp_probe ADDR PORT: prints the outcome and the milliseconds it took
	ip netns exec "$NS_GUEST" python3 - "$1" "$2" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], int(sys.argv[2])))
t = time.monotonic()
s.send(b"probe")
try:
    s.recv(100)
    r = "answered"
except ConnectionRefusedError:
    r = "refused"
except socket.timeout:
    r = "timeout"
print(r, int((time.monotonic() - t) * 1000))
EOF
}
read -r verdict ms < <(udp_probe "$GUEST_GW" 9)
t_expect_eq "UDP to the gateway's closed port 9: ECONNREFUSED" refused "$verdict"
[ "$ms" -lt 1000 ] || t_fail "the refusal should arrive in well under a second, took $ms ms"
t_pass "refused in $ms ms (< 1000)"

nat_stop
t_done
