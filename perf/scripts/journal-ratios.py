#!/usr/bin/env python3
"""Per-round ratios of dispatchd to each peer in journal-peers.sh output, and their medians.

usage: perf/scripts/journal-ratios.py FILE...
Reads peers.sh RESULT lines (label=PEER/cCpP/rN); for every setting prints, per peer, the
median over rounds of dispatchd's req/s divided by the peer's in the same round, with the range.
"""
import re
import statistics
import sys
from collections import defaultdict

rps = defaultdict(dict)  # (setting, round) -> {peer: rps}
for fn in sys.argv[1:]:
    for line in open(fn):
        if not line.startswith("RESULT "):
            continue
        kv = dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", line))
        peer, setting, rnd = (kv.get("label", "?/?/?").split("/") + ["?", "?"])[:3]
        rps[(setting, rnd)][peer] = float(kv["rps"])

ratios = defaultdict(list)  # (setting, peer) -> [ratio per round]
for (setting, _), by_peer in sorted(rps.items()):
    ours = [p for p in by_peer if p.startswith("dispatchd")]
    for mine in ours:
        for peer, value in by_peer.items():
            if peer != mine and value > 0:
                ratios[(setting, f"{mine} ÷ {peer}")].append(by_peer[mine] / value)

print("| setting | ratio | median | min | max | rounds |")
print("|---|---|---|---|---|---|")
for (setting, name), rs in sorted(ratios.items()):
    print(f"| {setting} | {name} | {statistics.median(rs):.2f} | {min(rs):.2f} | {max(rs):.2f} | {len(rs)} |")
