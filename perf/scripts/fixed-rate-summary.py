#!/usr/bin/env python3
"""Medians across rounds of perf/scripts/fixed-rate.sh output, per setting and server.

fixed-rate.sh prints one line per server, setting and round. This gives, for each setting and
server: the median p99 (with its range) and p99.9, server CPU (median and mean, % of one core),
lineload's CPU, and in how many rounds p99.9 was within LIMIT ms and p99 at or below that round's
Redis (the first name ending in @resp, if any).

usage: perf/scripts/fixed-rate-summary.py OUTPUT.txt [--limit MS]   (default limit: 10, the p99.9 goal at 100 000 req/s)
"""
import collections
import re
import statistics
import sys

args = sys.argv[1:]
limit = 10.0
if '--limit' in args:
    i = args.index('--limit')
    try:
        limit = float(args[i + 1])
    except (IndexError, ValueError):
        sys.exit(__doc__)
    del args[i:i + 2]
if len(args) != 1:
    sys.exit(__doc__)

LINE = re.compile(r'(?P<name>\S+)/(?P<setting>\S+)\s+round (?P<round>\d+)\s+rps\s+\d+\s+'
                  r'p99\s+(?P<p99>[\d.]+) ms\s+p99\.9\s+(?P<p999>[\d.]+) ms.*'
                  r'client\s+(?P<client>\d+)%\s+server\s+(?P<server>\d+)%')

# setting -> round -> name -> figures; names kept in the order they first appear
runs = collections.defaultdict(lambda: collections.defaultdict(dict))
names = collections.defaultdict(list)
for line in open(args[0]):
    m = LINE.match(line)
    if not m:
        continue
    setting, name = m['setting'], m['name']
    runs[setting][int(m['round'])][name] = {k: float(m[k]) for k in ('p99', 'p999', 'client', 'server')}
    if name not in names[setting]:
        names[setting].append(name)

for setting, rounds in runs.items():
    redis = next((n for n in names[setting] if n.endswith('@resp')), None)
    print(f'== {setting}: {len(rounds)} rounds; p99.9 limit {limit:g} ms'
          + (f'; p99 compared with {redis} in the same round' if redis else ''))
    for name in names[setting]:
        mine = [r[name] for r in rounds.values() if name in r]
        p99 = [x['p99'] for x in mine]
        line = (f'{name:16s} p99 {statistics.median(p99):6.2f} ms ({min(p99):.2f}-{max(p99):.2f})'
                f'  p99.9 {statistics.median(x["p999"] for x in mine):6.2f} ms'
                f'  p99.9<={limit:g}: {sum(x["p999"] <= limit for x in mine)}/{len(mine)}')
        if redis and name != redis:
            both = [r for r in rounds.values() if name in r and redis in r]
            line += f'  p99<=redis: {sum(r[name]["p99"] <= r[redis]["p99"] for r in both)}/{len(both)}'
        server = [x['server'] for x in mine]
        line += (f'  server {statistics.median(server):.0f}% (mean {statistics.mean(server):.1f})'
                 f'  client {statistics.median(x["client"] for x in mine):.0f}%')
        print(line)
