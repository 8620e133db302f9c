#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# api.sh: the control API (unix socket and TCP) and indynetctl against a running daemon with a guest namespace.
#
# Every resource and method (NFS clients and calls per procedure after a
# mount from the guest), the error codes (400 naming the field, 401, 403,
# 404, 405, 409), the token file's mode, a remote bind refused without
# --http-allow-remote, the event stream, a forward added through the API and
# used from the host into the guest namespace, and each indynetctl verb with
# --json parsed.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/netns.sh"

t_init api
t_need_root
t_need_cmd ip unshare busybox socat ss curl python3
t_indynetd
CTL=$(dirname "$INDYNETD")/indynetctl
[ -x "$CTL" ] || t_fail "indynetctl not built next to $INDYNETD"

HTTP_PORT=18600
NAT_DNS=0 nat_setup
mkdir -p "$T_TMP/export"
nat_start --export "$T_TMP/export" --http "127.0.0.1:$HTTP_PORT"
TOKEN_FILE=$INDY_CTL.token
guest_dhcp_start
guest_dhcp_wait 20 || t_fail "no DHCP lease within 20 s"
t_check "the guest pings the gateway (the engine learns its IP)" ip netns exec "$NS_GUEST" ping -c 1 -W 3 "$GUEST_GW"

# api METHOD PATH [BODY]: over the unix socket; prints "STATUS BODY"
api() {
	local data=()
	[ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data-binary "$3")
	ip netns exec "$NS_HOST" curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 10 \
		--unix-socket "$INDY_CTL" -X "$1" "${data[@]}" "http://localhost$2"
	printf ' %s' "$(cat "$T_TMP/body")"
}
# tcp CURL-ARGS...: over TCP in the host namespace; prints "STATUS BODY"
tcp() {
	ip netns exec "$NS_HOST" curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 10 "$@"
	printf ' %s' "$(cat "$T_TMP/body")"
}
# json EXPR: evaluate a Python expression on the JSON in $T_TMP/body (as j)
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$T_TMP/body"; }
expect_json() { # expect_json DESC EXPR: EXPR true on the last body
	[ "$(json "$2")" = True ] || t_fail "$1: $2" "$(cat "$T_TMP/body")"
	t_pass "$1"
}
expect_status() { # expect_status DESC WANT "STATUS BODY" [TEXT]: status and (optionally) a text in the body
	local got=${3%% *}
	[ "$got" = "$2" ] || t_fail "$1: want HTTP $2" "got: $3"
	if [ $# -ge 4 ] && [[ $3 != *"$4"* ]]; then t_fail "$1: body lacks '$4'" "got: $3"; fi
	t_pass "$1: HTTP $2 ${3#* }"
}

# ---- the unix socket: file mode, every resource ----
t_expect_eq "control socket mode" 600 "$(stat -c %a "$INDY_CTL")"
t_expect_eq "token file mode" 600 "$(stat -c %a "$TOKEN_FILE")"
t_expect_eq "token file holds 64 hex digits" 64 "$(tr -d '\n' <"$TOKEN_FILE" | grep -cE '^[0-9a-f]{64}$' | sed 's/1/64/')"
grep -q "panel: http://127.0.0.1:$HTTP_PORT/#token=$(cat "$TOKEN_FILE")" "$INDY_LOG" ||
	t_fail "the log does not print the panel URL with the token once" "$(cat "$INDY_LOG")"
t_pass "the log prints the panel URL with the token"

r=$(api GET /api/status)
expect_status "GET /api/status" 200 "$r" '"mode":"nat"'
t_expect_eq "status: liveness after DHCP" active "$(json 'j["liveness"]')"
t_expect_eq "status: guest IP learned" "$GUEST_IP" "$(json 'j["guest"]["ip"]')"
t_expect_eq "status: NFS export" "$T_TMP/export" "$(json 'j["nfs"]["export"]')"
t_expect_eq "status: gateway" "$GUEST_GW" "$(json 'j["nat"]["gateway"]')"
[ "$(json 'j["counters"]["tx_frames"]')" -gt 0 ] || t_fail "status: no tx frames counted"
t_pass "status: counters moved (tx_frames $(json 'j["counters"]["tx_frames"]'))"
expect_status "HEAD /api/status" 200 "$(api HEAD /api/status)"
expect_status "POST /api/status" 405 "$(api POST /api/status '{}')" "allowed: GET, HEAD"
expect_status "GET /api/nonexistent" 404 "$(api GET /api/nonexistent)" "no resource /api/nonexistent"

ip netns exec "$NS_HOST" curl -s -N --max-time 3 --unix-socket "$INDY_CTL" http://localhost/api/events \
	>"$T_TMP/events" 2>/dev/null
n=$(grep -c '^event: status$' "$T_TMP/events")
[ "$n" -ge 2 ] || t_fail "GET /api/events: want >= 2 status events in 3 s" "$(head -c 300 "$T_TMP/events")"
t_pass "GET /api/events: $n status events in 3 s"
expect_status "POST /api/events" 405 "$(api POST /api/events '{}')"

# forwards: add through the API, use it from the host into the guest namespace
ns_bg "$NS_GUEST" "$T_TMP/g90.log" socat TCP-LISTEN:90,reuseaddr,fork SYSTEM:'echo api-forward-90'
t_wait 5 ns_listening "$NS_GUEST" tcp 90 || t_fail "guest service did not start"
expect_status "GET /api/forwards (empty)" 200 "$(api GET /api/forwards)" '{"forwards":[]}'
expect_status "POST /api/forwards" 201 \
	"$(api POST /api/forwards '{"proto":"tcp","host_port":18090,"guest_port":90,"bind":"127.0.0.1"}')" '"id":"tcp:18090"'
got=$(ip netns exec "$NS_HOST" timeout 10 socat -T 5 - TCP:127.0.0.1:18090 </dev/null 2>&1)
t_expect_eq "forward added through the API: host 127.0.0.1:18090 -> guest :90" api-forward-90 "$got"
expect_status "GET /api/forwards lists it" 200 "$(api GET /api/forwards)" \
	'{"proto":"tcp","host_port":18090,"guest_addr":null,"guest_port":90,"bind":"127.0.0.1","id":"tcp:18090","target":"'"$GUEST_IP"'"}'
expect_status "POST the same forward again" 409 \
	"$(api POST /api/forwards '{"proto":"tcp","host_port":18090,"guest_port":90}')"
expect_status "POST a bad proto" 400 "$(api POST /api/forwards '{"proto":"icmp","host_port":1,"guest_port":2}')" '"field":"proto"'
expect_status "POST a bad port" 400 "$(api POST /api/forwards '{"proto":"tcp","host_port":70000,"guest_port":2}')" '"field":"host_port"'
expect_status "POST a port as text" 400 "$(api POST /api/forwards '{"proto":"tcp","host_port":"80","guest_port":2}')" '"field":"host_port"'
expect_status "POST without guest_port" 400 "$(api POST /api/forwards '{"proto":"tcp","host_port":18091}')" '"field":"guest_port"'
expect_status "POST an unknown field" 400 "$(api POST /api/forwards '{"proto":"tcp","hostport":1}')" '"field":"hostport"'
expect_status "POST an empty field name" 400 "$(api POST /api/forwards '{"":1}')" "unknown field ''"
expect_status "POST bad JSON" 400 "$(api POST /api/forwards '{"proto":')" "invalid JSON"
expect_status "POST a JSON array" 400 "$(api POST /api/forwards '[1]')" "must be a JSON object"
expect_status "POST duplicate keys" 400 "$(api POST /api/forwards '{"proto":"tcp","proto":"udp"}')" "invalid JSON"
expect_status "POST a body over 16 KiB" 413 "$(api POST /api/forwards "{\"spec\":\"$(head -c 20000 /dev/zero | tr '\0' a)\"}")"
expect_status "PUT /api/forwards" 405 "$(api PUT /api/forwards '{}')" "allowed: GET, POST, DELETE"
expect_status "DELETE with the wrong guest port" 404 \
	"$(api DELETE /api/forwards '{"proto":"tcp","host_port":18090,"guest_port":91}')" "goes to guest port 90, not 91"
expect_status "DELETE /api/forwards/tcp:18090" 200 "$(api DELETE /api/forwards/tcp:18090)"
t_wait 5 eval '! ns_listening '"$NS_HOST"' tcp 18090' || t_fail "removed forward: 18090 still listening"
expect_status "DELETE it again" 404 "$(api DELETE /api/forwards/tcp:18090)" "no forward tcp:18090 is active"
expect_status "DELETE a bad id" 400 "$(api DELETE /api/forwards/icmp:1)" '"field":"id"'
expect_status "POST udp forward" 201 "$(api POST /api/forwards '{"proto":"udp","host_port":18092,"guest_port":92}')"
expect_status "DELETE udp forward by body" 200 "$(api DELETE /api/forwards '{"proto":"udp","host_port":18092}')"

# NAT subnet, mount help, bridge-only resources
expect_status "GET /api/nat-subnet" 200 "$(api GET /api/nat-subnet)" '"gateway":"192.168.0.1"'
expect_status "PUT a host address" 400 "$(api PUT /api/nat-subnet '{"subnet":"10.5.0.7/24"}')" 'did you mean 10.5.0.0/24?'
expect_status "PUT /31" 400 "$(api PUT /api/nat-subnet '{"subnet":"10.5.0.0/31"}')" '"field":"subnet"'
expect_status "PUT without subnet" 400 "$(api PUT /api/nat-subnet '{}')" '"field":"subnet"'
expect_status "GET /api/mount-help" 200 "$(api GET /api/mount-help)" \
	"mount -t nfs -o vers=3,nolock $GUEST_GW:/ /mnt"
r=$(api GET '/api/mount-help?os=irix')
expect_status "GET /api/mount-help?os=irix" 200 "$r" "/usr/etc/ifconfig ec0 inet $GUEST_IP netmask 0xffffff00 up"
t_expect_eq "mount help for IRIX only" "False" "$(json '"linux" in j')"
# NFS use: a client in the guest mounts the export and looks a file up (bench/tools/nfsload.c)
cc -std=c17 -O2 -o "$T_TMP/nfsload" "$(t_repo)/bench/tools/nfsload.c" || t_fail "cannot build nfsload"
echo hello >"$T_TMP/export/hello"
t_check "the guest mounts the export and looks up hello (MNT + LOOKUP over UDP)" \
	ip netns exec "$NS_GUEST" timeout 20 "$T_TMP/nfsload" "$GUEST_GW" 1234 2049 / handle hello 0
expect_status "GET /api/status after a mount" 200 "$(api GET /api/status)"
expect_json "status: the guest listed among the NFS clients, with the path it mounted" \
	'j["nfs"]["clients"] == [{"addr": "'"$GUEST_IP"'", "path": "/"}]'
expect_json "status: calls per procedure: v3 lookup counted, v2 write not" \
	'j["nfs"]["procedures"]["v3"]["lookup"] >= 1 and j["nfs"]["procedures"]["v2"]["write"] == 0 and len(j["nfs"]["procedures"]["v3"]) == 22 and len(j["nfs"]["procedures"]["v2"]) == 18'
expect_status "GET /api/mount-help?os=beos" 400 "$(api GET '/api/mount-help?os=beos')" '"field":"os"'
for res in "GET /api/interfaces" "PUT /api/interface" "GET /api/nfs-ip" "PUT /api/nfs-ip" \
	"GET /api/nfs-ip/suggest" "GET /api/capture-access" "POST /api/capture-access/enable"; do
	set -- $res
	body=()
	[ "$1" != GET ] && body=('{}')
	[ "$2" = /api/interface ] && body=('{"interface":"eth0"}')
	[ "$2" = /api/nfs-ip ] && [ "$1" = PUT ] && body=('{"ip":"10.0.0.9"}')
	expect_status "$res in NAT mode" 409 "$(api "$1" "$2" "${body[@]}")" "not in bridge mode"
done

# ---- TCP: token, Host, no CORS ----
URL=http://127.0.0.1:$HTTP_PORT
AUTH="Authorization: Bearer $(cat "$TOKEN_FILE")"
expect_status "TCP without a token" 401 "$(tcp "$URL/api/status")" "bearer token"
expect_status "TCP with a wrong token" 401 "$(tcp -H "Authorization: Bearer $(printf '%064d' 0)" "$URL/api/status")"
expect_status "TCP with the token in a cookie" 401 "$(tcp -H "Cookie: token=$(cat "$TOKEN_FILE")" "$URL/api/status")"
expect_status "TCP with the token" 200 "$(tcp -H "$AUTH" "$URL/api/status")" '"mode":"nat"'
expect_status "TCP with a foreign Host (DNS rebinding)" 403 \
	"$(tcp -H "$AUTH" -H "Host: attacker.example:$HTTP_PORT" "$URL/api/status")" "does not name this server"
expect_status "TCP with Host localhost" 200 "$(tcp -H "$AUTH" -H "Host: localhost:$HTTP_PORT" "$URL/api/status")"
headers=$(ip netns exec "$NS_HOST" curl -s -D - -o /dev/null -H "$AUTH" -H "Origin: http://attacker.example" "$URL/api/status")
if echo "$headers" | grep -qi '^access-control-'; then t_fail "a CORS header was sent" "$headers"; fi
t_pass "no CORS header, even with an Origin"
expect_status "OPTIONS (CORS preflight)" 405 "$(tcp -X OPTIONS -H "$AUTH" "$URL/api/forwards")"
expect_status "the panel without a token" 200 "$(tcp "$URL/")"
expect_status "TCP POST /api/forwards" 201 \
	"$(tcp -H "$AUTH" -X POST --data-binary '{"proto":"tcp","host_port":18093,"guest_port":90}' "$URL/api/forwards")"
got=$(ip netns exec "$NS_HOST" timeout 10 socat -T 5 - TCP:127.0.0.1:18093 </dev/null 2>&1)
t_expect_eq "forward added over TCP reaches the guest" api-forward-90 "$got"

# ---- indynetctl: each verb, --json parsed ----
ctl() { ip netns exec "$NS_HOST" "$CTL" --socket "$INDY_CTL" "$@" >"$T_TMP/body" 2>"$T_TMP/ctl.err"; }
ctl_ok() { # ctl_ok DESC EXPR ARGS...: exit 0 and EXPR true on the --json output
	local desc=$1 expr=$2
	shift 2
	ctl --json "$@" || t_fail "indynetctl --json $*: exit $?" "$(cat "$T_TMP/body" "$T_TMP/ctl.err")"
	[ "$(json "$expr")" = True ] || t_fail "indynetctl --json $*: $expr" "$(cat "$T_TMP/body")"
	t_pass "indynetctl $*: $desc"
}
ctl_refused() { # ctl_refused DESC TEXT ARGS...: exit 1, the daemon's reason on stderr
	local desc=$1 text=$2 rc
	shift 2
	ctl "$@"
	rc=$?
	[ $rc = 1 ] || t_fail "indynetctl $*: want exit 1, got $rc" "$(cat "$T_TMP/ctl.err")"
	grep -q -- "$text" "$T_TMP/ctl.err" || t_fail "indynetctl $*: stderr lacks '$text'" "$(cat "$T_TMP/ctl.err")"
	t_pass "indynetctl $*: $desc ($(head -n1 "$T_TMP/ctl.err"))"
}
ctl_ok "status" 'j["mode"] == "nat" and j["liveness"] in ("active", "idle")' status
ctl --json watch --count 2 || t_fail "indynetctl --json watch --count 2: exit $?" "$(cat "$T_TMP/ctl.err")"
t_expect_eq "indynetctl watch --json --count 2: two status objects, one a line" 2 \
	"$(python3 -c 'import json,sys; print(sum(json.loads(l)["mode"] == "nat" for l in open(sys.argv[1])))' "$T_TMP/body")"
ctl watch --count 2 || t_fail "indynetctl watch --count 2: exit $?" "$(cat "$T_TMP/ctl.err")"
t_expect_eq "indynetctl watch --count 2: two counter lines" 2 "$(grep -cE ' (active|idle) +tx [0-9]+ frames' "$T_TMP/body")"
ctl_ok "forwards add" 'j["id"] == "tcp:18094"' forwards add tcp:18094:90
ctl_ok "forwards list" '[f["id"] for f in j["forwards"]] == ["tcp:18093", "tcp:18094"]' forwards list
ctl_ok "forwards remove SPEC" 'j["guest_port"] == 90' forwards remove tcp:18094:90
ctl_ok "forwards remove ID" 'j["host_port"] == 18093' forwards remove tcp:18093
ctl_ok "nat-subnet" 'j["subnet"] == "192.168.0.0/24"' nat-subnet
ctl_ok "mount-help" '"linux" in j and "irix" in j' mount-help
ctl_ok "mount-help irix" 'list(j["irix"])[-1] == "mount '"$GUEST_GW"':/ /shared"' mount-help irix
ctl --json interfaces
t_expect_eq "indynetctl --json interfaces: exit 1 with the error as JSON" True "$(json '"not in bridge mode" in j["error"]')"
ctl_refused "interface refused in NAT mode" "not in bridge mode" interface eth0
ctl_refused "nfs-ip refused in NAT mode" "not in bridge mode" nfs-ip
ctl_refused "nfs-ip suggest refused in NAT mode" "not in bridge mode" nfs-ip suggest
ctl_refused "capture-access refused in NAT mode" "not in bridge mode" capture-access
ctl_refused "a bad subnet named" "did you mean 10.6.0.0/24" nat-subnet 10.6.0.1/24
ctl status || t_fail "indynetctl status (table)" "$(cat "$T_TMP/ctl.err")"
grep -qE "^liveness   (active|idle) " "$T_TMP/body" || t_fail "indynetctl status: no liveness row" "$(cat "$T_TMP/body")"
grep -qE "^clients    $GUEST_IP:/$" "$T_TMP/body" || t_fail "indynetctl status: no NFS clients row" "$(cat "$T_TMP/body")"
grep -qE "^calls      [0-9]+ .*v3/lookup [1-9]" "$T_TMP/body" || t_fail "indynetctl status: no calls row" "$(cat "$T_TMP/body")"
t_pass "indynetctl status prints a table ($(grep -c . "$T_TMP/body") rows)"
ip netns exec "$NS_HOST" "$CTL" --url "$URL" --token-file "$TOKEN_FILE" --json status >"$T_TMP/body" ||
	t_fail "indynetctl --url --token-file status"
t_expect_eq "indynetctl over TCP with the token file" nat "$(json 'j["mode"]')"
ip netns exec "$NS_HOST" "$CTL" --socket "$INDY_CTL" frobnicate 2>/dev/null
t_expect_eq "indynetctl: unknown verb exits 2" 2 "$?"
"$CTL" --socket /nonexistent/sock status 2>/dev/null
t_expect_eq "indynetctl: no daemon exits 1" 1 "$?"

# the subnet last: the guest moves
ctl_ok "nat-subnet CIDR" 'j["gateway"] == "10.66.0.1"' nat-subnet 10.66.0.0/24
t_expect_eq "--ctl alias still answers" "ok" "$(nat_ctl forward list)"

# ---- start-up refusals ----
out=$(ip netns exec "$NS_HOST" "$INDYNETD" --qemu-dgram "$T_TMP/d.sock" --control "$T_TMP/c2.sock" --http 0.0.0.0:18601 2>&1)
rc=$?
t_expect_eq "--http 0.0.0.0 without --http-allow-remote: exit 2" 2 "$rc"
case $out in *"not a loopback address; add --http-allow-remote"*) t_pass "remote bind refused: $out" ;;
*) t_fail "remote bind refusal message" "$out" ;; esac
out=$(ip netns exec "$NS_HOST" "$INDYNETD" --qemu-dgram "$T_TMP/d.sock" --http 127.0.0.1:18601 2>&1)
t_expect_eq "--http without a token file or control socket: exit 2" 2 "$?"

# ---- --http-allow-remote and a token given in a file ----
GIVEN=$T_TMP/given.token
printf '%064d\n' 7 | tr 0 a >"$GIVEN" && chmod 600 "$GIVEN"
ip netns exec "$NS_HOST" timeout -s TERM 60 "$INDYNETD" --qemu-dgram "$T_TMP/d3.sock" --http 0.0.0.0:18602 \
	--http-allow-remote --http-token-file "$GIVEN" >"$T_TMP/remote.log" 2>&1 &
REMOTE_PID=$!
t_defer kill "$REMOTE_PID"
t_evidence "$T_TMP/remote.log"
t_wait 10 ns_listening "$NS_HOST" tcp 18602 || t_fail "--http 0.0.0.0:18602 --http-allow-remote did not listen" "$(cat "$T_TMP/remote.log")"
ip netns exec "$NS_HOST" ss -Hltn "sport = :18602" | grep -q "0.0.0.0:18602" || t_fail "not bound to 0.0.0.0"
t_pass "--http-allow-remote: bound to 0.0.0.0:18602"
expect_status "the given token is the one in force" 200 \
	"$(tcp -H "Authorization: Bearer $(cat "$GIVEN")" -H "Host: 0.0.0.0:18602" http://127.0.0.1:18602/api/status)" '"mode":"nat"'
expect_status "no other token" 401 "$(tcp -H "$AUTH" -H "Host: 0.0.0.0:18602" http://127.0.0.1:18602/api/status)"
kill -TERM "$REMOTE_PID"
t_wait 30 eval '! kill -0 $REMOTE_PID' || t_fail "the --http-allow-remote daemon did not stop within 30 s"
t_expect_eq "a given token file is left in place at shutdown" "$(printf '%064d' 7 | tr 0 a)" "$(cat "$GIVEN")"

nat_stop
[ ! -e "$TOKEN_FILE" ] || t_fail "the generated token file is left behind"
t_pass "the generated token file is removed at shutdown"
t_done
