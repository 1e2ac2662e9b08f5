#!/usr/bin/env bash
# RSS of dispatchd holding N idle connections, default flags (the goal: <= 256 MB at 10 000).
# usage: perf/scripts/idle-connections.sh [N]   (needs python3; raises its own open-files limit)
set -euo pipefail
N=${1:-10000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"
JAR=$ROOT/server/target/dispatchd-server.jar
[ -f "$JAR" ] || (cd "$ROOT" && mvn -q -DskipTests package)
ulimit -n $((N + 1024))
PORT=${PORT:-$((19000 + RANDOM % 1000))}
java -Ddispatchd.engine.level=OFF -jar "$JAR" --port "$PORT" --admin-port off >/dev/null 2>&1 &
SERVER=$!
trap 'kill -9 $SERVER 2>/dev/null || true' EXIT
wait_for_port "$PORT" 100 "$SERVER" || { echo "server did not start on $PORT" >&2; exit 1; }
rss() { awk '/VmRSS/{print $2}' /proc/$SERVER/status; }
echo "server pid $SERVER, RSS at start: $(( $(rss) / 1024 )) MB"
python3 - "$PORT" "$N" "$SERVER" <<'PY'
import socket, sys, time
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)  # bounded, even for a stuck server
    conns.append(s)
# one request on each, so every connection has really been served, then idle
for s in conns:
    s.sendall(b"a 1\n")
for s in conns:
    assert s.recv(1) in (b"+", b"!")
time.sleep(2)
print(f"{n} idle connections (each served one request): RSS {rss()} MB")
PY
