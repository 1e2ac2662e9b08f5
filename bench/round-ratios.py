#!/usr/bin/env python3
"""Per-round ratios of dispatchd to each peer from ../shared/tools/peers.sh output.

peers.sh restarts every server each round and runs the peers one after the other, so on a noisy
machine the ratios within one round are what to compare; summarize.py gives medians of the
absolute figures across rounds instead.

usage: bench/round-ratios.py RUN.txt [RUN.txt ...] [--target LABEL]   (default label: dispatchd)
Prints, per file, round and setting: dispatchd / peer throughput (closed loop), or p99 / p99.9
in ms for every system (fixed rate, settings with @RATE), and dispatchd's non-'+' replies.
"""
import collections
import sys

args = sys.argv[1:]
target = 'dispatchd'
if '--target' in args:
    i = args.index('--target')
    target = args[i + 1]
    del args[i:i + 2]
if not args:
    sys.exit(__doc__)

runs = collections.defaultdict(dict)
for path in args:
    for line in open(path):
        if not line.startswith('RESULT'):
            continue
        kv = dict(x.split('=', 1) for x in line.split()[1:] if '=' in x)
        peer, setting, rnd = kv['label'].split('/')
        runs[(path, rnd, setting)][peer] = kv

for (path, rnd, setting), peers in sorted(runs.items()):
    t = peers.get(target)
    if t is None:
        continue
    cells = [path.rsplit('/', 1)[-1], rnd, setting]
    fixed_rate = 'R' in setting
    for name, kv in sorted(peers.items()):
        if fixed_rate:
            cells.append('%s p99 %.1f / p99.9 %.1f ms' % (name, float(kv['p99_us']) / 1000, float(kv['p999_us']) / 1000))
        elif name != target:
            cells.append('/%s %.2f' % (name, float(t['rps']) / float(kv['rps'])))
    cells.append('%s rps %s, errors %s' % (target, t['rps'], t['errors']))
    print(' | '.join(cells))
