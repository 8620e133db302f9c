#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh: `make demo`: boot a small Linux guest on indynetd's NAT and show what it can reach, step by step.
#
# Usage: scripts/demo.sh [--shell] [BUILD_DIR]       (as root; BUILD_DIR default ./build)
#
# What happens (everything inside a private network namespace, so the guest can
# reach nothing but that namespace's loopback):
#   1. the test guest is built if missing (tests/vm/build.sh: Debian kernel + busybox
#      initramfs, cached in /var/tmp/indynet-vm; about a minute the first time);
#   2. ./share is created with a hello.txt if it does not exist;
#   3. a web server (python3 -m http.server) starts on 127.0.0.1:8080;
#   4. indynetd starts in NAT mode (192.168.0.0/24) with --qemu-stream, and with
#      --export ./share when this indynetd has the NFS server;
#   5. the guest boots in QEMU (TCG), gets a DHCP lease, pings the gateway
#      192.168.0.1, fetches the web page through it, mounts the share over
#      NFSv3/UDP and lists it;
#   6. a summary: one line per step (✓ or ✗, with its time), the guest's address.
# --shell: after those steps the guest's shell stays open on this terminal; type
# `exit` (or Ctrl-D) to power the guest off, or press Ctrl-A then x to quit QEMU.
# Logs: .demo/ (console.log, indynetd.log, http.log).
set -uo pipefail

SHELL_MODE=0
if [ "${1:-}" = --shell ]; then
	SHELL_MODE=1
	shift
fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath "${1:-$TOP/build}")
INDYNETD=$BUILD/src/daemon/indynetd
NS=indynet-demo-$$
DEMO=$TOP/.demo
SHARE=$TOP/share
GW=192.168.0.1
LIFETIME=600 # seconds: indynetd and the web server stop by themselves after this

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
say() { echo "demo: $*"; }
die() { echo "demo: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (the demo uses a private network namespace)"
[ -x "$INDYNETD" ] || die "no $INDYNETD; build first (make)"
for c in qemu-system-x86_64 python3 ip; do
	command -v $c >/dev/null || die "needs $c (make deps)"
done
mkdir -p "$DEMO"
rm -f "$DEMO"/*.log "$DEMO"/*.sock

cleanup() {
	set +e
	local p
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$SECONDS
bold "indynet demo: a Linux guest on indynetd's NAT"
say "preparing the guest (tests/vm/build.sh; cached in /var/tmp/indynet-vm)"
bash "$TOP/tests/vm/build.sh" 2>&1 | sed 's/^/      /' | tail -n 3
[ "${PIPESTATUS[0]}" = 0 ] || die "building the guest failed"

if [ ! -d "$SHARE" ]; then
	mkdir -p "$SHARE"
	echo "Hello from the host! This file lives in $SHARE." >"$SHARE/hello.txt"
	say "created $SHARE with hello.txt"
fi

ip netns add "$NS" || die "ip netns add failed"
ip -n "$NS" link set lo up
# the gateway answers the guest's ping through an ICMP datagram socket
ip netns exec "$NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

mkdir -p "$DEMO/www"
cat >"$DEMO/www/index.html" <<EOF
<html><head><title>indynet demo</title></head>
<body><p>Hello, guest! This page comes from a web server on the host's 127.0.0.1:8080.</p></body></html>
EOF
[ $SHELL_MODE = 1 ] && LIFETIME=86400
ip netns exec "$NS" timeout "$LIFETIME" python3 -m http.server --bind 127.0.0.1 --directory "$DEMO/www" 8080 \
	>"$DEMO/http.log" 2>&1 &

start_daemon() { # start_daemon ARGS...: indynetd in the netns; 0 once its socket exists
	rm -f "$DEMO/indy.sock"
	ip netns exec "$NS" timeout -s TERM "$LIFETIME" "$INDYNETD" --qemu-stream "$DEMO/indy.sock" --log-level info "$@" \
		>"$DEMO/indynetd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 1 100); do
		[ -S "$DEMO/indy.sock" ] && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
NFS=0
NFS_NOTE="this indynetd has no --export"
if "$INDYNETD" --help 2>&1 | grep -c -- '--export' >/dev/null; then
	NFS=1
	if ! start_daemon --export "$SHARE"; then
		NFS=0
		NFS_NOTE="indynetd refused --export: $(tail -n 1 "$DEMO/indynetd.log")"
		say "$NFS_NOTE; going on without NFS"
	fi
fi
if [ $NFS = 0 ]; then
	start_daemon || { cat "$DEMO/indynetd.log" >&2; die "indynetd did not start"; }
fi
say "indynetd running: NAT 192.168.0.0/24, gateway $GW$([ $NFS = 1 ] && echo ", NFS export $SHARE")"
for _ in $(seq 1 50); do
	ip netns exec "$NS" ss -Hltn "sport = :8080" | grep -q . && break
	sleep 0.1
done
say "web server on the host's 127.0.0.1:8080"

cat >"$DEMO/guest.sh" <<EOF
. /lib/indynet-guest.sh
NFS=$NFS
SHARE=$SHARE
EOF
cat >>"$DEMO/guest.sh" <<'EOF'
GW=192.168.0.1
check "DHCP lease from indynetd" sh -c 'ip -4 addr show dev eth0 | grep -q "inet "'
report address "$(ip -4 -o addr show dev eth0 | awk '{print $4}')"
check "ping the gateway $GW" sh -c "ping -c 3 -i 0.2 -W 3 $GW >/tmp/ping.txt"
report ping "$(sed -n 's|.*= \([0-9.]*\)/\([0-9.]*\)/.*|\2|p' /tmp/ping.txt)"
check "fetch http://$GW:8080/ (the host's 127.0.0.1:8080)" timeout 20 wget -q -O /tmp/page.html http://$GW:8080/
echo "demo-page: $(sed -n 's/.*<p>\(.*\)<\/p>.*/\1/p' /tmp/page.html)"
if [ "$NFS" = 1 ]; then
	mkdir -p /mnt/share
	check "mount the NFS share (v3, UDP)" mount -t nfs \
		-o vers=3,proto=udp,mountproto=udp,nolock,port=2049,mountport=1234,addr=$GW,mountaddr=$GW \
		"$GW:$SHARE" /mnt/share
	check "list the share" ls -l /mnt/share
	ls -l /mnt/share | sed 's/^/demo-ls: /'
	[ -f /mnt/share/hello.txt ] && echo "demo-hello: $(head -c 200 /mnt/share/hello.txt)"
fi
finish
EOF

if [ $SHELL_MODE = 1 ]; then
	bold "booting the guest; its shell stays open here (exit/Ctrl-D powers off, Ctrl-A x quits QEMU)"
	ip netns exec "$NS" bash "$TOP/tests/vm/run.sh" -s -n "stream:$DEMO/indy.sock" -f "$DEMO/guest.sh" -t 86400
	say "guest stopped"
	exit 0
fi

say "booting the guest (QEMU, TCG; ~5 s to the network)"
ip netns exec "$NS" bash "$TOP/tests/vm/run.sh" -n "stream:$DEMO/indy.sock" -f "$DEMO/guest.sh" -t 240 \
	>"$DEMO/console.log" 2>&1 &
VMPID=$!
# follow the guest's own output while it runs
tail -n +1 -f --pid=$VMPID "$DEMO/console.log" 2>/dev/null |
	grep --line-buffered -E 'VM-NET|VM-CHECK|demo-|udhcpc: (lease|bound)' |
	sed -u -E 's/^\[ *([0-9.]+)\] /  [\1 s] /; s/VM-CHECK ok /✓ /; s/VM-CHECK FAIL /✗ /'
wait $VMPID
rc=$?

echo
bold "summary"
fail=0
while IFS= read -r line; do
	case $line in
	*"VM-CHECK ok "*) printf '  ✓ %s\n' "${line#*VM-CHECK ok }" ;;
	*"VM-CHECK FAIL "*) printf '  ✗ %s\n' "${line#*VM-CHECK FAIL }"; fail=1 ;;
	esac
done <"$DEMO/console.log"
[ $NFS = 1 ] || printf '  - %s\n' "NFS share: skipped ($NFS_NOTE)"
addr=$(sed -n 's/.*VM-VALUE address \([^[:space:]]*\).*/\1/p' "$DEMO/console.log")
rtt=$(sed -n 's/.*VM-VALUE ping \([^[:space:]]*\).*/\1/p' "$DEMO/console.log")
net=$(sed -n 's/^\[ *\([0-9.]*\)\] VM-NET.*/\1/p' "$DEMO/console.log" | head -n1)
echo "  guest address: ${addr:-none}   gateway: $GW   ping avg: ${rtt:-?} ms"
echo "  guest network up ${net:-?} s after QEMU started; whole demo $((SECONDS - T0)) s"
echo "  logs: $DEMO/{console,indynetd,http}.log"
kill "$DPID" 2>/dev/null
if [ $rc != 0 ] || [ $fail != 0 ] || ! grep -q 'VM-CHECK ok' "$DEMO/console.log"; then
	bold "demo: something failed (guest status $rc); see $DEMO/console.log"
	exit 1
fi
bold "demo: all steps passed"
