#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# panel.sh: the web panel in headless chromium (tests/browser/panel.test.mjs) against a daemon with a guest namespace.
#
# The panel opens with the token, its badge turns green when the guest namespace
# sends frames, a forward added in the UI is used from the host into the guest,
# a bad subnet is rejected inline, and the screenshot docs/img/panel.png is saved
# (into $T_TMP unless PANEL_SCREENSHOT names another path; the committed one is
# made with PANEL_SCREENSHOT=docs/img/panel.png).
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init panel
t_need_root
t_need_cmd ip unshare busybox socat node
t_indynetd
BROWSER=$(t_repo)/tests/browser
[ -x /usr/bin/chromium ] || t_skip "needs Debian's chromium (scripts/install-deps.sh)"
[ -d "$BROWSER/node_modules/playwright-core" ] || t_skip "needs playwright-core (scripts/install-deps.sh runs npm ci in tests/browser)"

HTTP_PORT=18610
NAT_DNS=0 nat_setup
# a silent guest until GUEST_UP: no IPv6 autoconfiguration frames when tap0 comes up
ip netns exec "$NS_GUEST" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
mkdir -p "$T_TMP/export"
echo hello >"$T_TMP/export/README"
nat_start --export "$T_TMP/export" --http "127.0.0.1:$HTTP_PORT"
ns_bg "$NS_GUEST" "$T_TMP/g23.log" socat TCP-LISTEN:23,reuseaddr,fork SYSTEM:'echo guest-telnet'
t_wait 5 ns_listening "$NS_GUEST" tcp 23 || t_fail "guest service did not start"

cat >"$T_TMP/guest-up.sh" <<SH
#!/bin/sh
# the guest namespace takes a lease (its first frames) and keeps talking
ip netns exec $NS_GUEST env RESOLV_CONF=$T_TMP/guest-resolv.conf UDHCPC_STATE=$T_TMP/guest.lease \
	$(command -v busybox) udhcpc -n -q -i tap0 -t 10 -T 1 -s $(t_repo)/tests/vm/udhcpc.script >$T_TMP/udhcpc.log 2>&1
ip netns exec $NS_GUEST ping -c 30 -i 0.5 192.168.0.1 >$T_TMP/ping.log 2>&1 &
SH
cat >"$T_TMP/host-get.sh" <<SH
#!/bin/sh
ip netns exec $NS_HOST timeout 10 socat -T 5 - TCP:127.0.0.1:\$1 </dev/null
SH
chmod +x "$T_TMP/guest-up.sh" "$T_TMP/host-get.sh"
t_evidence "$T_TMP/udhcpc.log"

# the browser runs in the host namespace: it reaches the daemon's loopback port
shot=${PANEL_SCREENSHOT:-$T_TMP/panel.png}
ip netns exec "$NS_HOST" env PANEL_URL="http://127.0.0.1:$HTTP_PORT/#token=$(cat "$INDY_CTL.token")" \
	GUEST_UP="$T_TMP/guest-up.sh" HOST_GET="$T_TMP/host-get.sh" SCREENSHOT="$shot" HOME="$T_TMP" \
	node "$BROWSER/panel.test.mjs" >"$T_TMP/browser.log" 2>&1
rc=$?
cat "$T_TMP/browser.log" >&2
[ $rc = 0 ] || t_fail "the browser test failed (rc $rc)" "$(tail -5 "$T_TMP/browser.log")"
T_CHECKS=$((T_CHECKS + $(grep -c '^ok ' "$T_TMP/browser.log")))
[ -s "$shot" ] || t_fail "no screenshot at $shot"
t_pass "panel screenshot: $shot ($(stat -c %s "$shot") bytes)"
nat_stop
t_done
