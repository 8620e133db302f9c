#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# nfsflood.py: hostile load on indynet's gateway from a guest netns: a fragment flood, many DRC callers, an NFS NULL probe.
"""Usage:
  nfsflood.py frag IFACE DST_MAC GW_IP [--datagrams N] [--sources S]
      64 UDP datagrams to GW:2049 of 43 fragments each, never completed (the
      reassembler's whole budget: 64 datagrams, 4 MiB), then N (default 10000)
      incomplete datagrams from S (default 1000) spoofed source addresses with
      distinct ids (a first fragment of 1480 bytes, MF set).
  nfsflood.py bad IFACE DST_MAC GW_IP
      20 overlapping reassemblies (two fragments whose blocks overlap) and 20
      oversized ones (a fragment ending past 65535 bytes).
  nfsflood.py drc IFACE DST_MAC GW_IP FH_HEX [--addrs A] [--ports P] [--rounds R]
      A*P (default 100*10) distinct (address, port) callers 192.168.0.100+a:
      800+p send an NFSv3 REMOVE of a name that does not exist (non-idempotent,
      so entered in the duplicate-request cache) with R (default 3) different
      xids; every call is retransmitted once, 200 calls later.
  nfsflood.py mount GW_IP      prints the export root's NFSv3 handle (portmap, MOUNT v3)
  nfsflood.py null GW_IP       an NFSv3 NULL call over UDP: exit 0 when answered in 3 s
Frames go out of IFACE through AF_PACKET (UDP checksum 0, allowed over IPv4)."""
import argparse
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawsend import ipv4, udp  # noqa: E402

NFS_PROG, MOUNT_PROG, PMAP_PROG = 100003, 100005, 100000


def xdr_opaque(b):
    return struct.pack("!I", len(b)) + b + b"\0" * (-len(b) % 4)


def rpc_call(xid, prog, vers, proc, args):
    cred = struct.pack("!I", 0) + xdr_opaque(b"flt") + struct.pack("!III", 0, 0, 0)
    return struct.pack("!IIIIII", xid, 0, 2, prog, vers, proc) + struct.pack("!I", 1) + xdr_opaque(cred) + \
        struct.pack("!II", 0, 0) + args


def call_udp(gw, port, msg, timeout=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(msg, (gw, port))
        return s.recv(65536)
    finally:
        s.close()


def accepted_body(reply):
    xid, mtype, stat = struct.unpack("!III", reply[:12])
    flavor, vlen = struct.unpack("!II", reply[12:20])
    off = 20 + vlen + (-vlen % 4)
    if mtype != 1 or stat != 0 or struct.unpack("!I", reply[off:off + 4])[0] != 0:
        raise SystemExit("call not accepted: %s" % reply[:32].hex())
    return reply[off + 4:]


def root_handle(gw):
    body = accepted_body(call_udp(gw, 111, rpc_call(1, PMAP_PROG, 2, 3, struct.pack("!IIII", MOUNT_PROG, 3, 17, 0))))
    port = struct.unpack("!I", body[:4])[0]
    body = accepted_body(call_udp(gw, port, rpc_call(2, MOUNT_PROG, 3, 1, xdr_opaque(b"/"))))
    st, n = struct.unpack("!II", body[:8])
    if st != 0:
        raise SystemExit("MOUNT status %d" % st)
    return body[8:8 + n]


def pace(n, every=50):
    """A pause every @every frames: the TAP's queue (1000 frames) must not overflow."""
    if n % every == 0:
        time.sleep(0.003)


def frame(dst_mac, src_mac, pkt):
    return dst_mac + src_mac + b"\x08\x00" + pkt


def frag(src, gw, ident, off8, mf, payload):
    return ipv4(src, gw, 17, payload, frag=(0x2000 if mf else 0) | off8, ident=ident)


def cmd_frag(a, sock, dst, src_mac):
    first = udp(40000, 2049, b"\xAA" * 1472)   # 1480 bytes: a first fragment
    n = 0
    for d in range(64):         # fill: 64 datagrams of 43 fragments (63,640 bytes), never completed
        for k in range(43):
            sock.send(frame(dst, src_mac, frag("10.250.0.%d" % (d + 1), a.gw, 5, k * 185, True,
                                               first if k == 0 else b"\xAB" * 1480)))
            n += 1
            pace(n)
    for i in range(a.datagrams):
        s = i % a.sources
        src = "10.%d.%d.%d" % (s >> 16 & 255 or 1, s >> 8 & 255, s & 255 or 254)
        sock.send(frame(dst, src_mac, frag(src, a.gw, 1000 + i // a.sources, 0, True, first)))
        n += 1
        pace(n)
    print("sent 64 datagrams of 43 fragments each, then %d incomplete datagrams from %d sources" %
          (a.datagrams, a.sources))


def cmd_bad(a, sock, dst, src_mac):
    first = udp(40000, 2049, b"\xAA" * 1472)
    for i in range(20):         # overlap: 0..1479 then 1472..2951
        src = "10.200.0.%d" % (i + 1)
        sock.send(frame(dst, src_mac, frag(src, a.gw, 7, 0, True, first)))
        sock.send(frame(dst, src_mac, frag(src, a.gw, 7, 184, True, b"\xBB" * 1480)))
    for i in range(20):         # oversized: a fragment at 65528 carrying 1480 bytes
        src = "10.201.0.%d" % (i + 1)
        sock.send(frame(dst, src_mac, frag(src, a.gw, 9, 8191, False, b"\xCC" * 1480)))
    print("sent 20 overlapping and 20 oversized reassemblies")


LAG = 200   # a call is retransmitted after this many others: within the cache's 1,024 entries


def cmd_drc(a, sock, dst, src_mac):
    fh = bytes.fromhex(a.fh)
    calls = []
    for ad in range(a.addrs):
        for p in range(a.ports):
            for r in range(a.rounds):
                xid = 0x464c0000 + (ad * a.ports + p) * a.rounds + r
                args = xdr_opaque(fh) + xdr_opaque(b"flt-absent-%d-%d-%d" % (ad, p, r))
                calls.append(frame(dst, src_mac, ipv4("192.168.0.%d" % (100 + ad), a.gw, 17,
                                                      udp(800 + p, 2049, rpc_call(xid, NFS_PROG, 3, 12, args)))))
    for n, f in enumerate(calls + [None] * LAG):
        if f:
            sock.send(f)
        if n >= LAG:
            sock.send(calls[n - LAG])
        pace(n, 4)  # ~2,000 calls a second: the server's queue (128 calls) must not overflow
    print("%d callers, %d calls, each retransmitted once %d calls later" % (a.addrs * a.ports, len(calls), LAG))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["frag", "bad", "drc", "mount", "null"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--datagrams", type=int, default=10000)
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--addrs", type=int, default=100)
    ap.add_argument("--ports", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if a.what == "mount":
        print(root_handle(a.args[0]).hex())
        return
    if a.what == "null":
        try:
            accepted_body(call_udp(a.args[0], 2049, rpc_call(0x464c4e55, NFS_PROG, 3, 0, b"")))
        except socket.timeout:
            raise SystemExit("no answer to NULL in 3 s")
        print("NULL answered")
        return
    iface, dst, a.gw = a.args[0], bytes.fromhex(a.args[1].replace(":", "")), a.args[2]
    if a.what == "drc":
        a.fh = a.args[3]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    src_mac = sock.getsockname()[4]
    {"frag": cmd_frag, "bad": cmd_bad, "drc": cmd_drc}[a.what](a, sock, dst, src_mac)


if __name__ == "__main__":
    main()
