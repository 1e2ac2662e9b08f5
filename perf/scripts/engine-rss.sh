#!/usr/bin/env bash
# The services-that-wait figure: the default server (its engine's 500 tokens 100 us apart, tokens
# to /dev/null) in complete mode under lineload -c 100 -P 64, with its peak RSS (VmRSS sampled
# every 0.5 s) and its thread count at the end of the load.
# usage: perf/scripts/engine-rss.sh [SECONDS] [JVM FLAG...]   e.g. engine-rss.sh 20 -Xmx128m
# env: LINELOAD (default ~/.cache/dispatchd-tools/lineload), SERVER_JAR, PORT (default 17800)
set -euo pipefail
D=${1:-20}; shift || true
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"
LINELOAD=${LINELOAD:-$HOME/.cache/dispatchd-tools/lineload}
JAR=${SERVER_JAR:-$ROOT/server/target/dispatchd-server.jar}
PORT=${PORT:-17800}
[ -x "$LINELOAD" ] || { echo "engine-rss: no lineload at $LINELOAD (run ../shared/tools/build.sh)" >&2; exit 1; }
[ -f "$JAR" ] || (cd "$ROOT" && mvn -q -DskipTests package)
java "$@" -jar "$JAR" --ack complete --port "$PORT" --admin-port off >/dev/null 2>&1 &
SERVER=$!; trap 'kill -9 $SERVER 2>/dev/null || true' EXIT
wait_for_port "$PORT" 100 "$SERVER" || { echo "server did not start on $PORT" >&2; exit 1; }
peak=0
sample() { local r; r=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0); [ "${r:-0}" -gt "$peak" ] && peak=$r; true; }
"$LINELOAD" -p "$PORT" -c 100 -P 64 -m 'a 88\n' -r bytes:1 -e + -W 3 -d "$D" -q &
LOAD=$!
while kill -0 "$LOAD" 2>/dev/null; do sample; threads=$(ls "/proc/$SERVER/task" | wc -l); sleep 0.5; done
wait "$LOAD"
echo "RESULT engine-rss jvm_flags='$*' peak_rss_mb=$((peak / 1024)) threads=$threads"
