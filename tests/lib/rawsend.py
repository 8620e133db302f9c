#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# rawsend.py: send hostile Ethernet frames (truncated, malformed, oversized, random) out of an interface via AF_PACKET.
"""Usage: rawsend.py [--only N | --none | --list] [--random COUNT] [--seed S] IFACE DST_MAC GW_IP GUEST_IP

Sends a fixed list of malformed frames aimed at the gateway (--only N: just
the Nth, to find the one that hurts; --none: none of them), then COUNT
(default 2000) frames of random length and content with a valid Ethernet
header, reproducible from the seed (default 1).  Prints how many frames of each
kind the kernel accepted.  Frames longer than the interface MTU + 14 are
refused by the kernel, so raise the MTU first to send oversized ones."""
import argparse
import random
import socket
import struct


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ihl=5, tot=None, frag=0, ident=1, ver=4, options=b""):
    tot = 20 + len(options) + len(payload) if tot is None else tot
    hdr = struct.pack("!BBHHHBBH4s4s", (ver << 4) | ihl, 0, tot & 0xFFFF, ident, frag, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst)) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(sport, dport, data, length=None):
    length = 8 + len(data) if length is None else length
    return struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0) + data


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", type=int)
    ap.add_argument("--none", action="store_true")
    ap.add_argument("--list", action="store_true", help="print the hand-made frames' names and exit")
    ap.add_argument("--random", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("ifname")
    ap.add_argument("dst")
    ap.add_argument("gw")
    ap.add_argument("me")
    a = ap.parse_args()
    ifname, dst, gw, me, only, count = a.ifname, a.dst, a.gw, a.me, a.only, a.random
    rnd = random.Random(a.seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src = s.getsockname()[4]
    dmac = bytes.fromhex(dst.replace(":", ""))
    eth = lambda et: dmac + src + struct.pack("!H", et)
    dns = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x04test\x00\x00\x01\x00\x01"
    frames = {
        "eth header only (IPv4)": eth(0x0800),
        "eth header only (ARP)": eth(0x0806),
        "IPv4 shorter than 20 bytes": eth(0x0800) + b"\x45\x00\x00",
        "IPv4 ihl=15 in a 20-byte packet": eth(0x0800) + ipv4(me, gw, 17, b"", ihl=15),
        "IPv4 ihl=2": eth(0x0800) + ipv4(me, gw, 17, udp(1, 53, b"x"), ihl=2),
        "IPv4 version 6 in an IPv4 frame": eth(0x0800) + ipv4(me, gw, 17, udp(1, 53, b"x"), ver=6),
        "IPv4 total length > frame": eth(0x0800) + ipv4(me, gw, 17, udp(1000, 53, dns), tot=1400),
        "IPv4 total length < header": eth(0x0800) + ipv4(me, gw, 17, udp(1000, 53, dns), tot=8),
        "UDP length > datagram": eth(0x0800) + ipv4(me, gw, 17, udp(1000, 53, dns, length=900)),
        "UDP length < 8": eth(0x0800) + ipv4(me, gw, 17, udp(1000, 53, dns, length=3)),
        "UDP header cut": eth(0x0800) + ipv4(me, gw, 17, b"\x03\xe8\x00"),
        "DNS query cut in half": eth(0x0800) + ipv4(me, gw, 17, udp(1000, 53, dns[:9])),
        "TCP header cut": eth(0x0800) + ipv4(me, gw, 6, b"\x03\xe8\x00\x50\x00"),
        "ICMP header cut": eth(0x0800) + ipv4(me, gw, 1, b"\x08"),
        "ARP cut": eth(0x0806) + b"\x00\x01\x08\x00\x06\x04\x00\x01",
        "ARP with silly lengths": eth(0x0806) + b"\x00\x01\x08\x00\xff\xff\x00\x01" + b"\0" * 20,
        "first fragment, never completed": eth(0x0800) + ipv4(me, gw, 17, udp(1000, 2049, b"a" * 64, length=4000),
                                                              frag=0x2000, ident=7),
        "fragment offset beyond 65535": eth(0x0800) + ipv4(me, gw, 17, b"b" * 1000, frag=0x1FFF, ident=8),
        "overlapping fragment 1": eth(0x0800) + ipv4(me, gw, 17, udp(1000, 2049, b"c" * 100, length=500),
                                                     frag=0x2000, ident=9),
        "overlapping fragment 2": eth(0x0800) + ipv4(me, gw, 17, b"d" * 200, frag=0x2000 | 8, ident=9),
        "zero-length fragment": eth(0x0800) + ipv4(me, gw, 17, b"", frag=0x2000 | 100, ident=10),
    }
    mtu = int(open("/sys/class/net/%s/mtu" % ifname).read())
    frames["frame of %d bytes (interface MTU %d)" % (mtu + 14, mtu)] = eth(0x0800) + ipv4(me, gw, 17, udp(1, 9, b"o" * (mtu - 28)))
    sent = 0
    items = list(frames.items())
    if a.list:
        for i, (name, f) in enumerate(items):
            print("%d %s (%d bytes)" % (i, name, len(f)))
        return
    if only is not None:
        items = [items[only]]
        print("frame %d: %s (%d bytes)" % (only, items[0][0], len(items[0][1])))
    if a.none:
        items = []
    for name, f in items:
        try:
            s.send(f)
            sent += 1
        except OSError as e:
            print("kernel refused %s: %s" % (name, e))
    if items:
        print("sent %d of %d hand-made malformed frames" % (sent, len(items)))
    ok = 0
    for _ in range(count):
        n = rnd.randint(0, min(mtu, 1500))
        et = rnd.choice([0x0800, 0x0806, 0x86DD, rnd.randint(0, 0xFFFF)])
        body = bytes(rnd.getrandbits(8) for _ in range(n))
        if et == 0x0800 and n >= 20 and rnd.random() < 0.7:
            # a plausible IPv4 header (to the gateway) over random contents
            body = ipv4(me, gw, rnd.choice([1, 6, 17]), body[20:], ihl=5, tot=rnd.choice([n, rnd.randint(0, 0xFFFF)]),
                        frag=rnd.choice([0, 0x2000, rnd.getrandbits(16)]), ident=rnd.getrandbits(16))
        try:
            s.send(eth(et) + body)
            ok += 1
        except OSError:
            pass
    if count:
        print("sent %d of %d random frames" % (ok, count))


if __name__ == "__main__":
    main()
