#!/usr/bin/env bash
# Sustained jobs completed per second with the default engine (500 tokens x 100us),
# complete mode, for a worker count: sends 4 x WORKERS jobs over 8 connections, times the acks.
# usage: perf/scripts/engine-rate.sh WORKERS [on|off]   (engine tokens printed to /dev/null, or silenced)
set -euo pipefail
W=${1:-64}; TOKENS=${2:-off}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"; JAR=$ROOT/server/target/dispatchd-server.jar
[ -f "$JAR" ] || (cd "$ROOT" && mvn -q -DskipTests package)
PORT=${PORT:-$((17000 + RANDOM % 2000))}
LEVEL=$([ "$TOKENS" = on ] && echo INFO || echo OFF)
java -Ddispatchd.engine.level=$LEVEL -jar "$JAR" --port "$PORT" --admin-port off --ack complete \
  --workers "$W" --queue-capacity 100000 >/dev/null 2>&1 &
SERVER=$!; trap 'kill -9 $SERVER 2>/dev/null || true' EXIT
wait_for_port "$PORT" 100 "$SERVER" || { echo "server did not start on $PORT" >&2; exit 1; }
python3 - "$PORT" "$W" "$TOKENS" "$SERVER" <<'PY'
import socket, sys, time, threading
port, w, tokens, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / 100
def burst(n):
    per = n // 8
    failures = []
    def one(k):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=600)  # bounded, even for a stuck server
            s.sendall(b"".join(b"a %d-%d\n" % (k, i) for i in range(per)))
            got = b""
            while len(got) < per:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError(f"server closed the connection after {len(got)} of {per} acks")
                got += chunk
            if set(got) != {ord("+")}:
                raise RuntimeError(f"acks other than '+': {sorted(set(got))}")
            s.close()
        except Exception as e:  # reported below: a failed burst must not print a rate
            failures.append(f"connection {k}: {e}")
    ts = [threading.Thread(target=one, args=(k,)) for k in range(8)]
    [t.start() for t in ts]; [t.join() for t in ts]
    if failures:
        sys.exit("engine-rate: " + "; ".join(failures))
    return per * 8
burst(w)                      # warm-up: one wave
c0, t = cpu(), time.time(); n = burst(4 * w); el = time.time() - t; c1 = cpu()
print(f"workers={w} tokens={tokens}: {n} jobs in {el:.2f} s = {n/el:.0f} jobs/s, "
      f"{el/(n/w)*1e3:.1f} ms per job (ideal 49.9), server CPU {100*(c1-c0)/el:.0f}% of one core")
PY
