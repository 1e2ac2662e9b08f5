#!/usr/bin/env python3
"""Per-round ratios of dispatchd to each peer from ../shared/tools/peers.sh output.

peers.sh restarts every server each round and runs the peers one after the other, so on a noisy
machine the ratios within one round are what to compare; summarize.py gives medians of the
absolute figures across rounds instead.

usage: perf/scripts/round-ratios.py RUN.txt [RUN.txt ...] [--target LABEL] [--medians]
       (default label: dispatchd)
Prints, per file, round and setting: dispatchd / peer throughput (closed loop), or p99 / p99.9
in ms for every system (fixed rate, settings with @RATE), and dispatchd's non-'+' replies.
With --medians, then per setting over every round read: the median of each ratio and in how many
rounds it was at least 1; at a fixed rate, each system's median p50, p90, p99 and p99.9, and in how
many rounds dispatchd's percentile was at or below that system's.
"""
import collections
import statistics
import sys

args = sys.argv[1:]
target = 'dispatchd'
if '--target' in args:
    i = args.index('--target')
    target = args[i + 1]
    del args[i:i + 2]
medians = '--medians' in args
if medians:
    args.remove('--medians')
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

if medians:
    by_setting = collections.defaultdict(list)
    for (path, rnd, setting), peers in runs.items():
        if target in peers:
            by_setting[setting].append(peers)
    for setting, rounds in sorted(by_setting.items()):
        names = sorted({name for peers in rounds for name in peers})
        print('== %s: %d rounds' % (setting, len(rounds)))
        for name in names:
            both = [peers for peers in rounds if name in peers]
            if 'R' in setting:
                cells = []
                for pct in ('p50_us', 'p90_us', 'p99_us', 'p999_us'):
                    ms = statistics.median(float(p[name][pct]) for p in both) / 1000
                    cell = '%s %.2f ms' % (pct[:-3], ms)
                    if name != target:
                        cell += ' (%s at or below in %d/%d)' % (
                            target, sum(float(p[target][pct]) <= float(p[name][pct]) for p in both), len(both))
                    cells.append(cell)
                print('  %-18s %s' % (name, ', '.join(cells)))
            elif name != target:
                ratios = [float(p[target]['rps']) / float(p[name]['rps']) for p in both]
                print('  %s / %-18s median %.2f (%.2f-%.2f), at least 1 in %d/%d' % (
                    target, name, statistics.median(ratios), min(ratios), max(ratios),
                    sum(r >= 1 for r in ratios), len(ratios)))
