#!/usr/bin/env bash
# perf/scripts/dashboard-cost.sh - what open dashboards cost the request path: lineload at 50 x 16
# against one server (empty jobs, every ack '+'), ROUNDS rounds alternating between no viewer and
# VIEWERS open /events streams (curl -N, as a browser's dashboard holds one), DUR seconds each.
# Needs a built server jar (mvn -q -DskipTests package), lineload (../shared/tools/build.sh), curl.
#
# usage: perf/scripts/dashboard-cost.sh [-r ROUNDS] [-d SEC] [-v VIEWERS]   defaults: -r 4 -d 5 -v 10
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"
JAR=${SERVER_JAR:-$ROOT/server/target/dispatchd-server.jar}
LINELOAD=${LINELOAD:-$HOME/.cache/dispatchd-tools/lineload}
ROUNDS=4; DUR=5; VIEWERS=10
while getopts "r:d:v:h" o; do
  case $o in
    r) ROUNDS=$OPTARG ;; d) DUR=$OPTARG ;; v) VIEWERS=$OPTARG ;;
    h) awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
PORT=17920; ADMIN=17921
java -Ddispatchd.engine.level=OFF -jar "$JAR" --port $PORT --admin-port $ADMIN --engine-iterations 0 >/dev/null 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null' EXIT
wait_for_port $PORT 300 $SP || { echo "server did not start" >&2; exit 1; }
"$LINELOAD" -p $PORT -c 50 -P 16 -m 'a 88\n' -r bytes:1 -e + -d 3 -q >/dev/null # warm-up
for r in $(seq "$ROUNDS"); do
  "$LINELOAD" -p $PORT -c 50 -P 16 -m 'a 88\n' -r bytes:1 -e + -d "$DUR" -q -l "viewers=0"
  viewers=()
  for v in $(seq "$VIEWERS"); do curl -sN "http://127.0.0.1:$ADMIN/events" >/dev/null & viewers+=($!); done
  sleep 1 # the streams open and get their first sample
  "$LINELOAD" -p $PORT -c 50 -P 16 -m 'a 88\n' -r bytes:1 -e + -d "$DUR" -q -l "viewers=$VIEWERS"
  kill "${viewers[@]}" 2>/dev/null; wait "${viewers[@]}" 2>/dev/null
done
