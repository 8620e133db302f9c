#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# rpctcp.py: a raw ONC RPC client over TCP for the tests: record-marking edge cases, NFSv3 copy, DRC on reconnect.
"""Usage: rpctcp.py HOST CHECK [ARGS]

Checks (each prints what it did and exits 0 on success, 1 with a reason):
  split        one NULL call in three fragments, each in its own segment,
               byte-at-a-time headers; then two calls in one segment
  oversize     a record header announcing 2 MiB: the server resets or closes
  stall SECS   half a record, then silence: another connection is still
               served meanwhile, and the stalled one is reset within SECS
  copy FILE [CHUNK]
               MOUNT "/" and NFSv3 CREATE/WRITE/READ of FILE as "tcp.bin"
               over one connection in CHUNK-byte calls (default 32768; up to
               1 MiB), 16 calls pipelined; the data read back must equal FILE
  drc          REMOVE "drc.tmp" (created first), reset the connection,
               reconnect from the same port and repeat the same xid: the
               cached OK, not NOENT
"""
import os
import socket
import struct
import sys
import time

PMAP, NFS, MOUNT = 100000, 100003, 100005
XID = [int.from_bytes(os.urandom(4), "big")]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def opaque(b):
    return u32(len(b)) + b + b"\0" * (-len(b) % 4)


def call(prog, vers, proc, args=b"", xid=None):
    """An RPC call message with AUTH_SYS uid 0."""
    if xid is None:
        XID[0] = (XID[0] + 1) & 0xFFFFFFFF
        xid = XID[0]
    cred = u32(0) + opaque(b"rpctcp") + u32(0) + u32(0) + u32(0)
    return xid, u32(xid) + u32(0) + u32(2) + u32(prog) + u32(vers) + u32(proc) + u32(1) + opaque(cred) + u32(0) + u32(0) + args


def mark(body, last=True):
    return u32((0x80000000 if last else 0) | len(body)) + body


def connect(host, port, sport=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if sport:
        s.bind(("0.0.0.0", sport))
    s.settimeout(15)
    s.connect((host, port))
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            fail("connection closed after %d of %d bytes" % (len(b), n))
        b += c
    return b


def recv_record(s):
    rec = b""
    while True:
        h = struct.unpack(">I", recv_exact(s, 4))[0]
        rec += recv_exact(s, h & 0x7FFFFFFF)
        if h & 0x80000000:
            return rec


def reply_body(rec, xid):
    """The results behind an accepted, successful reply header."""
    x, mtype, stat = struct.unpack(">III", rec[:12])
    if x != xid or mtype != 1 or stat != 0:
        fail("reply xid %#x type %d stat %d (wanted xid %#x)" % (x, mtype, stat, xid))
    flen = struct.unpack(">I", rec[16:20])[0]
    off = 20 + flen + (-flen % 4)
    if struct.unpack(">I", rec[off:off + 4])[0] != 0:
        fail("accept_stat %d" % struct.unpack(">I", rec[off:off + 4])[0])
    return rec[off + 4:]


def rpc(s, prog, vers, proc, args=b""):
    xid, msg = call(prog, vers, proc, args)
    s.sendall(mark(msg))
    return reply_body(recv_record(s), xid)


def check_split(host):
    s = connect(host, 2049)
    xid, msg = call(NFS, 3, 0)
    parts = [msg[:10], msg[10:25], msg[25:]]
    for i, p in enumerate(parts):
        hdr = mark(p, last=(i == len(parts) - 1))[:4]
        for b in hdr:  # the header one byte per segment
            s.sendall(bytes([b]))
            time.sleep(0.02)
        s.sendall(p)
        time.sleep(0.05)
    reply_body(recv_record(s), xid)
    print("NULL in 3 fragments, headers byte by byte: answered")
    x1, m1 = call(NFS, 3, 0)
    x2, m2 = call(MOUNT, 3, 0)
    s.sendall(mark(m1) + mark(m2))
    # MOUNT on the NFS port: its program is not served there (PROG_UNAVAIL), but it is answered
    got = {}
    for _ in range(2):
        r = recv_record(s)
        got[struct.unpack(">I", r[:4])[0]] = r
    if x1 not in got or x2 not in got:
        fail("two records in one segment: answers for %s" % sorted(got))
    reply_body(got[x1], x1)
    print("two records in one segment: both answered")
    s.close()


def check_oversize(host):
    s = connect(host, 2049)
    s.sendall(u32(0x80000000 | (2 << 20)) + b"\0" * 1000)
    try:
        while True:
            if not s.recv(4096):
                break
    except ConnectionResetError:
        pass
    except socket.timeout:
        fail("a 2 MiB record header: the connection is still open after 15 s")
    print("a 2 MiB record header: connection closed by the server")
    s2 = connect(host, 2049)
    rpc(s2, NFS, 3, 0)
    print("a new connection is served")


def check_stall(host, stall_wait):
    s = connect(host, 2049)
    xid, msg = call(NFS, 3, 0)
    s.sendall(mark(msg)[:20])
    time.sleep(0.5)
    s2 = connect(host, 2049)
    rpc(s2, NFS, 3, 0)
    print("half a record on one connection; another is served meanwhile")
    s.settimeout(float(stall_wait))
    t0 = time.time()
    try:
        if s.recv(4096):
            fail("the stalled connection got data")
    except ConnectionResetError:
        pass
    except socket.timeout:
        fail("the stalled connection is still open after %s s" % stall_wait)
    print("the stalled connection was reset after %.0f s" % (time.time() - t0 + 0.5))


def mount_root(s):
    res = rpc(s, MOUNT, 3, 1, opaque(b"/"))
    if struct.unpack(">I", res[:4])[0] != 0:
        fail("MNT / status %d" % struct.unpack(">I", res[:4])[0])
    n = struct.unpack(">I", res[4:8])[0]
    return res[8:8 + n]


def create(s, root, name):
    sattr = u32(1) + u32(0o644) + u32(0) * 3 + u32(0) + u32(0)
    res = rpc(s, NFS, 3, 8, opaque(root) + opaque(name) + u32(0) + sattr)
    if struct.unpack(">I", res[:4])[0] != 0 or struct.unpack(">I", res[4:8])[0] != 1:
        fail("CREATE %s status %d" % (name, struct.unpack(">I", res[:4])[0]))
    n = struct.unpack(">I", res[8:12])[0]
    return res[12:12 + n]


def pipelined(s, msgs):
    """Send every call at once, then collect the replies by xid."""
    s.sendall(b"".join(mark(m) for _, m in msgs))
    got = {}
    while len(got) < len(msgs):
        rec = recv_record(s)
        got[struct.unpack(">I", rec[:4])[0]] = rec
    return [reply_body(got[x], x) for x, _ in msgs]


def check_copy(host, path, chunk="32768"):
    data = open(path, "rb").read()
    chunk = int(chunk)
    s = connect(host, 2049)
    m = connect(host, 1234)
    root = mount_root(m)
    fh = create(s, root, b"tcp.bin")
    off = 0
    while off < len(data):
        msgs = []
        for o in range(off, min(off + 16 * chunk, len(data)), chunk):
            piece = data[o:o + chunk]
            msgs.append(call(NFS, 3, 7, opaque(fh) + u64(o) + u32(len(piece)) + u32(2) + opaque(piece)))
        for res in pipelined(s, msgs):
            if struct.unpack(">I", res[:4])[0] != 0:
                fail("WRITE status %d" % struct.unpack(">I", res[:4])[0])
        off += 16 * chunk
    back = bytearray()
    for off in range(0, len(data), 16 * chunk):
        msgs = [call(NFS, 3, 6, opaque(fh) + u64(o) + u32(chunk)) for o in range(off, min(off + 16 * chunk, len(data)), chunk)]
        for res in pipelined(s, msgs):
            if struct.unpack(">I", res[:4])[0] != 0:
                fail("READ status %d" % struct.unpack(">I", res[:4])[0])
            p = 8 + (84 if struct.unpack(">I", res[4:8])[0] else 0)
            n = struct.unpack(">I", res[p:p + 4])[0]
            if n != min(chunk, len(data) - len(back)):
                fail("READ of %d at %d returned %d bytes" % (chunk, len(back), n))
            back += res[p + 12:p + 12 + n]
    if bytes(back) != data:
        fail("read back %d bytes, differ from the %d written" % (len(back), len(data)))
    print("%d bytes written and read back over TCP in %d-byte calls, 16 in flight" % (len(data), chunk))


def check_drc(host):
    m = connect(host, 1234)
    root = mount_root(m)
    s = connect(host, 2049)
    create(s, root, b"drc.tmp")
    sport = s.getsockname()[1]
    xid, msg = call(NFS, 3, 12, opaque(root) + opaque(b"drc.tmp"))
    s.sendall(mark(msg))
    first = struct.unpack(">I", reply_body(recv_record(s), xid)[:4])[0]
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # RST: no TIME_WAIT, the port may be bound again
    time.sleep(0.2)
    s = connect(host, 2049, sport)
    s.sendall(mark(msg))
    again = struct.unpack(">I", reply_body(recv_record(s), xid)[:4])[0]
    if first != 0 or again != 0:
        fail("REMOVE answered %d, its retransmission on a new connection %d (want 0, 0)" % (first, again))
    print("REMOVE retransmitted on a new connection from port %d: the cached OK" % sport)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    host, what = sys.argv[1], sys.argv[2]
    checks = {"split": check_split, "oversize": check_oversize, "drc": check_drc}
    if what in ("copy", "stall"):
        {"copy": check_copy, "stall": check_stall}[what](host, *sys.argv[3:5])
    else:
        checks[what](host)


if __name__ == "__main__":
    main()
