#!/usr/bin/env bash
# perf/scripts/journal-peers.sh - the durable dispatchd beside the durable peers, each policy in one
# ../shared/tools/peers.sh run with its counterpart, plus the memory-only server beside Redis:
#   run always:   dispatchd --journal --fsync always    vs redis-aof-always (appendfsync always)
#   run everysec: dispatchd --journal --fsync everysec  vs redis-aof-everysec, beanstalkd-binlog
#   run off:      dispatchd without a journal           vs redis-lpush-resp, floor
# Accept mode, --engine-iterations 0, every ack '+'. Needs redis-server and beanstalkd
# (apt-get install -y redis-server beanstalkd) and a built server jar (mvn -q -DskipTests package).
#
# usage: perf/scripts/journal-peers.sh [-r ROUNDS] [-d SEC] [-s "CxP ..."] [-o DIR] [always|everysec|off ...]
#   defaults: -r 6 -d 5 -s "50x1 50x16" -o docs/runs, all three runs
# Each run writes DIR/journal-peers-RUN.txt (RESULT lines) and prints its median table
# (../shared/tools/summarize.py) and the ratios (perf/scripts/journal-ratios.py).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${SERVER_JAR:-$ROOT/server/target/dispatchd-server.jar}
ROUNDS=6; DUR=5; SETTINGS="50x1 50x16"; OUT=$ROOT/docs/runs
while getopts "r:d:s:o:h" o; do
  case $o in
    r) ROUNDS=$OPTARG ;; d) DUR=$OPTARG ;; s) SETTINGS=$OPTARG ;; o) OUT=$OPTARG ;;
    h) awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
RUNS=${*:-always everysec off}
TOOLS=$(cd "$ROOT/../shared/tools" 2>/dev/null && pwd) || { echo "journal-peers: no $ROOT/../shared/tools (its peers.sh runs the rounds)" >&2; exit 1; }
[ -f "$JAR" ] || { echo "journal-peers: no $JAR (mvn -q -DskipTests package)" >&2; exit 1; }
mkdir -p "$OUT"
PORT=17410
JDIR=$(mktemp -d /tmp/dispatchd-journal-peers.XXXXXX)
trap 'rm -rf "$JDIR"' EXIT
for run in $RUNS; do
  flags="--port $PORT --admin-port off --engine-iterations 0"
  case $run in
    always|everysec) flags="$flags --journal $JDIR/j --fsync $run"; peers="redis-aof-$run" ;;
    off) peers="redis-lpush-resp floor" ;;
    *) echo "journal-peers: unknown run '$run'" >&2; exit 2 ;;
  esac
  [ "$run" = everysec ] && peers="$peers beanstalkd-binlog"
  # A fresh journal at every start: each round measures a server that starts empty, as Redis does.
  TARGET_CMD="bash -c 'rm -rf $JDIR/j; exec java -Ddispatchd.engine.level=OFF -jar $JAR $flags'" \
    TARGET_PORT=$PORT TARGET_LABEL="dispatchd-$run" \
    "$TOOLS/peers.sh" -r "$ROUNDS" -d "$DUR" -s "$SETTINGS" $peers target | tee "$OUT/journal-peers-$run.txt"
  python3 "$TOOLS/summarize.py" "$OUT/journal-peers-$run.txt"
  python3 "$ROOT/perf/scripts/journal-ratios.py" "$OUT/journal-peers-$run.txt"
done
