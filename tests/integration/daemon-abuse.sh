#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# daemon-abuse.sh: what a hostile local process does to indynetd's sockets costs a few log lines, no CPU.
#
# Each abuse runs for a few seconds against a fresh daemon (unix sockets
# only, no privilege needed) and must leave fewer than 100 log lines at the
# default level, with the daemon still answering `stats`:
#   dgram      two senders alternate datagrams on --qemu-dgram ("QEMU is at")
#   stall      a --qemu-dgram peer that stops reading: retries back off
#              (under 200 wake-ups of the main thread in 2 s, not 2,000)
#   reconnect  connect and close --qemu-stream in a loop
#   prefix     connect, send the length prefix 0xFFFFFFFF, close, in a loop
#   control    8 idle control clients, then connections beyond the limit
#   emfile     the daemon at its descriptor limit: QEMU, a control client and
#              a client of a port forward (libslirp's accept) connect; accept
#              fails (EMFILE): logged, no spin (CPU < 0.3 s in 3 s), and
#              accepting again once a descriptor is free
#   signals    SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM in a loop: logged,
#              the daemon lives on; SIGQUIT shuts it down cleanly (sockets gone)
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"

t_init daemon-abuse
t_need_cmd python3 prlimit
t_indynetd
SECS=${ABUSE_SECS:-3}
MAX_LINES=100
SOCK=$T_TMP/qemu.sock
CTL=$T_TMP/ctl.sock

cat >"$T_TMP/abuse.py" <<'PY'
import os, socket, sys, time
what, path, secs, tmp = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
end = time.time() + secs
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + b"\x00" * 46
def stream():
    while True:  # a full backlog says EAGAIN: the daemon has not accepted yet
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            time.sleep(0.001)
if what == "dgram":
    socks = []
    for name in ("a", "b"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(os.path.join(tmp, "peer-" + name))
        socks.append(s)
    i = 0
    while time.time() < end:
        socks[i % 2].sendto(frame, path)
        i += 1
        if i % 100 == 0:
            time.sleep(0.001)
elif what in ("reconnect", "prefix"):
    while time.time() < end:
        s = stream()
        if what == "prefix":
            s.send(b"\xff\xff\xff\xff")
            try:
                s.recv(1)
            except OSError:
                pass
        s.close()
elif what == "control":
    idle = [stream() for _ in range(8)]
    while time.time() < end:
        try:
            s = stream()
            s.send(b"GET /api/v1/stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
            s.recv(4096)
            s.close()
        except OSError:
            pass
elif what == "stall":
    # ask the gateway's MAC 50 times, then read nothing: the daemon's datagrams back up
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(os.path.join(tmp, "peer-stall"))
    mac = bytes.fromhex("020000000001")
    arp = (b"\xff" * 6 + mac + b"\x08\x06" + bytes.fromhex("0001080006040001") + mac +
           bytes([192, 168, 0, 15]) + b"\x00" * 6 + bytes([192, 168, 0, 1]) + b"\x00" * 18)
    for _ in range(50):
        s.sendto(arp, path)
    time.sleep(secs)
elif what == "hold":
    s = stream()
    time.sleep(secs)
elif what == "tcphold":
    s = socket.create_connection(("127.0.0.1", int(path)), timeout=2)
    time.sleep(secs)
PY
abuse() { python3 "$T_TMP/abuse.py" "$1" "$2" "${3:-$SECS}" "$T_TMP"; }

# start LOG ARGS...: indynetd in the background, its stderr in $T_TMP/LOG
start() {
	local log=$T_TMP/$1
	shift
	rm -f "$SOCK" "$CTL"
	${WRAP:-} "$INDYNETD" --control "$CTL" "$@" 2>"$log" &
	PID=$!
	t_defer kill "$PID"
	t_evidence "$log"
	t_wait 5 "$INDYNETD" --ctl "$CTL" stats || t_fail "indynetd did not start" "$(cat "$log")"
}
stop() { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
answers() { timeout 5 "$INDYNETD" --ctl "$CTL" stats >/dev/null || t_fail "$1: stats not answered"; }
few_lines() { # few_lines NAME LOG
	local n
	n=$(wc -l <"$T_TMP/$2")
	[ "$n" -lt $MAX_LINES ] || t_fail "$1: $n log lines (at most $MAX_LINES)" "$(sort "$T_TMP/$2" | uniq -c | sort -rn | head)"
	t_pass "$1: $n log lines"
}

start dgram.log --qemu-dgram "$SOCK"
abuse dgram "$SOCK"
answers dgram
stop
few_lines "two alternating datagram senders for $SECS s" dgram.log
grep -q "suppressed [0-9]* similar lines" "$T_TMP/dgram.log" ||
	t_fail "the suppressed 'QEMU is at' lines should be summarised at shutdown"
t_pass "suppressed lines summarised"

# A datagram peer that stops reading: the daemon retries with a backoff, not every millisecond.
start stall.log --qemu-dgram "$SOCK"
abuse stall "$SOCK" $((SECS + 1)) &
stall=$!
sleep 1
sw() { sed -n 's/^voluntary_ctxt_switches:\s*//p' "/proc/$PID/status"; }
s0=$(sw)
sleep 2
s1=$(sw)
wait $stall
[ $((s1 - s0)) -lt 200 ] ||
	t_fail "the main thread woke $((s1 - s0)) times in 2 s for a datagram peer that does not read"
t_pass "a datagram peer that does not read: $((s1 - s0)) wake-ups in 2 s"
answers stall
stop
few_lines "a datagram peer that stopped reading" stall.log

start reconnect.log --qemu-stream "$SOCK"
abuse reconnect "$SOCK"
answers reconnect
stop
few_lines "QEMU reconnecting in a loop for $SECS s" reconnect.log

start prefix.log --qemu-stream "$SOCK"
abuse prefix "$SOCK"
answers prefix
stop
few_lines "a bad length prefix per connection for $SECS s" prefix.log

start control.log --qemu-stream "$SOCK"
abuse control "$CTL"
stop
few_lines "8 idle control clients and a flood beyond them for $SECS s" control.log

# Once started, the daemon's descriptor limit is lowered to its lowest free descriptor: none is left for an accept.
FWD=$((20000 + $$ % 20000))
start emfile.log --qemu-stream "$SOCK" --forward "tcp:$FWD:80"
free=$(python3 -c 'import os,sys; u={int(f) for f in os.listdir(sys.argv[1])}; print(min(set(range(len(u)+1))-u))' "/proc/$PID/fd")
prlimit --pid "$PID" --nofile="$free:" || t_fail "cannot lower the descriptor limit"
abuse hold "$SOCK" $((SECS + 1)) &
hold1=$!
abuse hold "$CTL" $((SECS + 1)) &
hold2=$!
abuse tcphold "$FWD" $((SECS + 1)) &
hold3=$!
sleep 0.5
t0=$(cpu_ticks)
sleep "$SECS"
t1=$(cpu_ticks)
wait $hold1 $hold2 $hold3
[ $((t1 - t0)) -lt 30 ] || t_fail "at the descriptor limit indynetd used $((t1 - t0)) ticks of CPU in $SECS s (a spin)"
t_pass "no spin at the descriptor limit ($((t1 - t0)) ticks in $SECS s)"
grep -q "qemu-stream: accept failed: Too many open files" "$T_TMP/emfile.log" ||
	t_fail "the frontend's failed accept should be logged"
grep -q "control: accept failed: Too many open files" "$T_TMP/emfile.log" ||
	t_fail "the control socket's failed accept should be logged"
grep -q "nat: a forwarded connection cannot be accepted: out of descriptors" "$T_TMP/emfile.log" ||
	t_fail "the forward's failed accept should be logged"
t_pass "failed accepts logged (frontend, control, forward)"
prlimit --pid "$PID" --nofile=1024:
abuse hold "$SOCK" 0.1
abuse tcphold "$FWD" 0.1
t_wait 5 grep -q "qemu-stream: accepting again" "$T_TMP/emfile.log" || t_fail "no accept once descriptors are free"
t_wait 5 grep -q "nat: forwarded connections accepted again" "$T_TMP/emfile.log" ||
	t_fail "no forwarded connection accepted once descriptors are free"
t_pass "accepting again once descriptors are free"
answers emfile
stop
few_lines "accepts failing for lack of descriptors for $SECS s" emfile.log

start signals.log --qemu-stream "$SOCK"
end=$((SECONDS + SECS))
while [ $SECONDS -lt $end ]; do
	for sig in HUP USR1 USR2 PIPE ALRM; do kill -s $sig "$PID" || t_fail "indynetd died of SIG$sig"; done
done
answers signals
kill -s QUIT "$PID"
wait "$PID"
t_expect_eq "SIGQUIT: clean exit" 0 $?
[ ! -e "$SOCK" ] && [ ! -e "$CTL" ] || t_fail "SIGQUIT left socket files behind"
t_pass "SIGQUIT: sockets unlinked"
few_lines "signals in a loop for $SECS s" signals.log

t_done
