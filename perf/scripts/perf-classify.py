#!/usr/bin/env python3
"""Buckets `perf script -F comm,ip,sym` output (from perf/scripts/profile.sh -p) by thread group and by
what the stack is doing: futex park/unpark, socket write/read, epoll, scheduling, or the Java/native
leaf frame. Usage: perf script -i DIR/perf.data -F comm,ip,sym | perf/scripts/perf-classify.py [TOP]"""
import collections
import re
import sys

top = int(sys.argv[1]) if len(sys.argv) > 1 else 40
samples, cur = [], None
for line in sys.stdin:
    if not line.strip():
        if cur:
            samples.append(cur)
        cur = None
    elif not line[0].isspace():
        cur = [line.strip(), []]
    elif cur is not None:
        parts = line.strip().split(None, 1)
        cur[1].append(parts[1] if len(parts) > 1 else '')
if cur:
    samples.append(cur)


def bucket(frames):
    s = ' | '.join(frames)
    for needle, name in (('futex_wait', 'kernel: futex wait (park)'),
                         ('futex_wake', 'kernel: futex wake (unpark/signal)'),
                         ('writev', 'kernel: socket write(v)'), ('tcp_sendmsg', 'kernel: socket write(v)'),
                         ('recvfrom', 'kernel: socket read'), ('tcp_recvmsg', 'kernel: socket read'),
                         ('epoll_wait', 'kernel: epoll_wait'), ('epoll_pwait', 'kernel: epoll_wait'),
                         ('schedule', 'kernel: scheduling/preemption'),
                         ('exit_to_user_mode', 'kernel: scheduling/preemption')):
        if needle in s:
            return name
    return 'leaf: ' + (frames[0][:100] if frames else '?')


groups, kinds = collections.Counter(), collections.Counter()
for comm, frames in samples:
    g = re.sub(r'[#0-9]+$', '', comm.split()[0] if comm else '?')
    groups[g] += 1
    kinds[(g, bucket(frames))] += 1
n = max(1, len(samples))
print(f'{len(samples)} samples')
for g, v in groups.most_common():
    print(f'{100 * v / n:5.1f}%  {g}')
print()
for (g, k), v in kinds.most_common(top):
    print(f'{100 * v / n:5.1f}%  {g:18s} {k}')
