#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# nat-summary.py: turn bench/nat.sh's results.csv into median [min-max] tables and indynet/peer ratios.
"""Usage: nat-summary.py results.csv

results.csv columns: backend,mtu,metric,run,value with metric one of
tcp_g2h, tcp_h2g (Gbit/s, higher is better), rr_p50, rr_p99 (microseconds,
lower is better), cpu_tcp_g2h, cpu_tcp_h2g, cpu_rr (backend CPU, % of one core).  Prints one markdown table per MTU, then the ratio of
indynet's median to each peer's median per column, oriented so that > 1.0
always means "indynet is better" (throughput: indynet/peer; latency:
peer/indynet)."""
import csv
import statistics
import sys
from collections import defaultdict

METRICS = [("tcp_g2h", "TCP guest->host Gbit/s", True),
           ("tcp_h2g", "TCP host->guest Gbit/s", True),
           ("rr_p50", "TCP RR p50 us", False),
           ("rr_p99", "TCP RR p99 us", False)]
CPU = [("cpu_tcp_g2h", "guest->host"), ("cpu_tcp_h2g", "host->guest"), ("cpu_rr", "TCP RR")]
NAMES = {"slirp": "slirp4netns"}


def load(path):
    vals = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                vals[(row["backend"], row["mtu"], row["metric"])].append(float(row["value"]))
            except ValueError:
                continue
    return vals


def cell(xs, digits):
    if not xs:
        return "n/a"
    fmt = "%%.%df" % digits
    return (fmt + " [" + fmt + "-" + fmt + "]") % (statistics.median(xs), min(xs), max(xs))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    vals = load(sys.argv[1])
    mtus = sorted({k[1] for k in vals}, key=int)
    for mtu in mtus:
        backends = [b for b in ("indynet", "slirp", "pasta") if any(k[:2] == (b, mtu) for k in vals)]
        runs = max(len(v) for k, v in vals.items() if k[1] == mtu and not k[2].startswith("cpu_"))
        print("\n### MTU %s (median [min-max] of %d runs)\n" % (mtu, runs))
        print("| backend | " + " | ".join(m[1] for m in METRICS) + " |")
        print("|---" * (len(METRICS) + 1) + "|")
        for b in backends:
            cells = [cell(vals.get((b, mtu, m), []), 2 if up else 1) for m, _, up in METRICS]
            print("| %s | %s |" % (NAMES.get(b, b), " | ".join(cells)))
        for peer in ("slirp", "pasta"):
            if "indynet" not in backends or peer not in backends:
                continue
            cells = []
            for m, _, up in METRICS:
                a, p = vals.get(("indynet", mtu, m)), vals.get((peer, mtu, m))
                if not a or not p or min(statistics.median(a), statistics.median(p)) <= 0:
                    cells.append("n/a")
                    continue
                ma, mp = statistics.median(a), statistics.median(p)
                cells.append("%.2fx" % (ma / mp if up else mp / ma))
            print("| **indynet vs %s** | %s |" % (NAMES.get(peer, peer), " | ".join(cells)))
        if any(k[1] == mtu and k[2].startswith("cpu_") for k in vals):
            print("\nBackend CPU, %% of one core, MTU %s:\n" % mtu)
            print("| backend | " + " | ".join(c[1] for c in CPU) + " |")
            print("|---" * (len(CPU) + 1) + "|")
            for b in backends:
                print("| %s | %s |" % (NAMES.get(b, b), " | ".join(cell(vals.get((b, mtu, c), []), 0) for c, _ in CPU)))
    print("\nRatios: > 1.00x means indynet is better (throughput indynet/peer, latency peer/indynet).")


if __name__ == "__main__":
    main()
