#!/usr/bin/env python3
"""Who takes the CPU from a thread when it is preempted. Reads `perf sched timehist --state`
output; for each thread name given (pid suffixes and trailing digits ignored), counts the times it
was switched out while still runnable (state R) and which thread ran next on that CPU, with that
thread's run time. Usage:
    perf sched record -a -o sched.data -- sleep 4      # while the load runs
    perf sched timehist -i sched.data --state | perf/scripts/preemptions.py multiThreadIoEv lineload
"""
import collections
import re
import sys

names = sys.argv[1:]
by_cpu = collections.defaultdict(list)
run_ms = collections.Counter()
for line in sys.stdin:
    f = line.split()
    if len(f) < 7 or not f[1].startswith('['):
        continue
    try:
        run, state = float(f[-2]), f[-1]
    except ValueError:
        continue
    name = re.sub(r'\[\d+(/\d+)?\]$', '', ' '.join(f[2:-4]))
    by_cpu[f[1]].append((name, run, state))
    run_ms[name] += run

for target in names:
    taken_by, times = collections.Counter(), collections.Counter()
    for seq in by_cpu.values():
        for (name, _, state), nxt in zip(seq, seq[1:]):
            if name == target and state == 'R':
                taken_by[nxt[0]] += nxt[1]
                times[nxt[0]] += 1
    print(f"{target}: ran {run_ms[target]:.0f} ms, preempted {sum(times.values())} times")
    for who, n in times.most_common(6):
        print(f"    by {who:<20} {n:7d} times, {taken_by[who]:8.1f} ms")
