#!/usr/bin/env bash
# perf/scripts/kafka-scale.sh - dispatchd on Kafka, broker included on the same machine (so the
# figures share its cores with the broker, as they would on a 2-core box in production):
#   1. front:  a front's accepted requests/s (lineload -c 50 -P 16, 'a 88', every ack '+'), beside
#              Kafka's own ProducerPerformance with the same record ('a 88': 4 bytes), acks=all,
#              idempotence and linger.ms=1 - what a bare producer does on this machine; ROUNDS
#              alternating pairs, and the median of their ratios; at 50 x 16 and at 50 x 64
#              (DEPTHS="16 64"): the bare producer has no bound on jobs in flight, the front 50 x P.
#   2. drain:  jobs/s end to end for 1 and 2 worker processes: the workers and a front run, a
#              warm-up of 2000 jobs lets the workers join the share group, then the clock runs
#              from the first of JOBS requests to the moment the workers' dispatchd_jobs_completed_total
#              add up to them all. With --engine-iterations 0 (the cost of the path) and with the
#              default engine (500 x 100us, 50 ms jobs).
# Needs a built server jar (mvn -q -DskipTests package) and lineload (../shared/tools/build.sh).
#
# usage: perf/scripts/kafka-scale.sh [-r ROUNDS] [-d SEC] [-n JOBS0] [-N JOBS50] [front] [drain]
#   defaults: -r 5 -d 10 -n 200000 -N 20000, both parts
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"
JAR=${SERVER_JAR:-$ROOT/server/target/dispatchd-server.jar}
LINELOAD=${LINELOAD:-$HOME/.cache/dispatchd-tools/lineload}
DUR=10; JOBS0=200000; JOBS50=20000; ROUNDS=5; DEPTHS=${DEPTHS:-16 64}
while getopts "r:d:n:N:h" o; do
  case $o in
    r) ROUNDS=$OPTARG ;; d) DUR=$OPTARG ;; n) JOBS0=$OPTARG ;; N) JOBS50=$OPTARG ;;
    h) awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
PARTS=${*:-front drain}
[ -f "$JAR" ] || { echo "kafka-scale: no $JAR (mvn -q -DskipTests package)" >&2; exit 1; }
[ -x "$LINELOAD" ] || { echo "kafka-scale: no $LINELOAD (../shared/tools/build.sh)" >&2; exit 1; }
KPORT=19192; KDIR=$(mktemp -d /tmp/dispatchd-kafka-scale.XXXXXX)
BROKER="$ROOT/tools/kafka-broker.sh"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  "$BROKER" stop --dir "$KDIR" >/dev/null 2>&1
  rm -rf "$KDIR"
}
trap cleanup EXIT
"$BROKER" start --port $KPORT --dir "$KDIR" || exit 1
BOOT=127.0.0.1:$KPORT

# node ROLE TOPIC ADMIN_PORT [flags...]: starts a node in the background; its pid in NODE_PID
node() {
  local role=$1 topic=$2 admin=$3; shift 3
  java -Ddispatchd.engine.level=OFF -jar "$JAR" --kafka $BOOT --role "$role" --kafka-topic "$topic" \
    --kafka-group "$topic" --admin-port "$admin" "$@" >"$KDIR/$role-$admin.log" 2>&1 &
  NODE_PID=$!; PIDS+=("$NODE_PID")
}
completed() { # ADMIN_PORT...: the jobs completed OK on these nodes, summed
  local sum=0 n
  for p in "$@"; do
    n=$(curl -s "127.0.0.1:$p/metrics" | awk '/^dispatchd_jobs_completed_total\{.*outcome="ok"/ {s+=$2} END {printf "%d", s}')
    sum=$((sum + ${n:-0}))
  done
  echo $sum
}
# waits until the nodes have completed N jobs in all; exit 1 after 300 s without progress
await_completed() { # N ADMIN_PORT...
  local want=$1; shift
  local last=-1 since=$SECONDS now
  while now=$(completed "$@"); [ "$now" -lt "$want" ]; do
    if [ "$now" -ne "$last" ]; then last=$now; since=$SECONDS; fi
    if (( SECONDS - since > 300 )); then echo "drain stalled at $now of $want jobs" >&2; exit 1; fi
    sleep 0.1
  done
}
stop_nodes() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done; PIDS=(); }

for part in $PARTS; do
  case $part in
  front)
    # ROUNDS alternating runs of the same length: the front under lineload, then a bare producer
    # (its first ~2 s of records as warm-up, as the front gets -W 2); the median of the ratios.
    node front front 17481 --port 17480 --engine-iterations 0
    wait_for_port 17480 300 "$NODE_PID" || { echo "front did not start"; cat "$KDIR"/front-17481.log; exit 1; }
    "$BROKER" topic perf --port $KPORT --dir "$KDIR" >/dev/null
    for depth in $DEPTHS; do
    ratios=()
    for r in $(seq "$ROUNDS"); do
      front=$("$LINELOAD" -p 17480 -c 50 -P "$depth" -m 'a 88\n' -r bytes:1 -e + -W 3 -d "$DUR" -q -l "dispatchd-front-50x$depth")
      echo "$front"
      fps=$(echo "$front" | sed -E 's/.*rps=([0-9.]+).*/\1/')
      # as many records as the front took in DUR seconds, plus 2 s of them as warm-up
      n=$(echo "$fps * $DUR / 1" | bc); warm=$(echo "$fps * 2 / 1" | bc)
      bare=$("$BROKER" producer-perf --topic perf --num-records $((n + warm)) --warmup-records "$warm" --record-size 4 \
        --throughput -1 --bootstrap-server $BOOT --command-property acks=all enable.idempotence=true linger.ms=1 \
        2>/dev/null | tail -1)
      echo "producer-perf: $bare"
      pps=$(echo "$bare" | sed -E 's/^[^,]*, ([0-9.]+) records\/sec.*/\1/')
      ratios+=("$(echo "scale=3; $fps / $pps" | bc)")
    done
    echo "RESULT front-50x$depth/producer-perf ratios: ${ratios[*]} median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')"
    done
    stop_nodes
    ;;
  drain)
    for engine in 0 500; do
      jobs=$JOBS0; [ $engine = 500 ] && jobs=$JOBS50
      for workers in 1 2; do
        topic=drain-e$engine-w$workers
        ports=()
        for w in $(seq "$workers"); do
          node worker "$topic" $((17490 + w)) --engine-iterations $engine; ports+=($((17490 + w)))
        done
        node front "$topic" 17481 --port 17480
        wait_for_port 17480 300 "$NODE_PID" || { echo "front did not start"; exit 1; }
        # warm-up: the workers join the share group (seconds) and the JITs warm, off the clock
        warm=2000
        "$LINELOAD" -p 17480 -c 10 -P 16 -m 'a 88\n' -r bytes:1 -e + -n $warm -q >/dev/null
        await_completed $warm "${ports[@]}"
        start=$(date +%s.%N)
        "$LINELOAD" -p 17480 -c 50 -P 16 -m 'a 88\n' -r bytes:1 -e + -n "$jobs" -q -l produce-$topic
        await_completed $((warm + jobs)) "${ports[@]}"
        end=$(date +%s.%N)
        echo "RESULT end-to-end engine-iterations=$engine workers=$workers jobs=$jobs seconds=$(echo "$end - $start" | bc)" \
          "jobs_per_s=$(echo "$jobs / ($end - $start)" | bc) per-worker=$(for p in "${ports[@]}"; do printf '%s,' "$(completed $p)"; done)"
        stop_nodes
      done
    done
    ;;
  *) echo "kafka-scale: unknown part '$part'" >&2; exit 2 ;;
  esac
done
