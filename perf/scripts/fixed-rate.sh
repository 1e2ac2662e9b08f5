#!/usr/bin/env bash
# perf/scripts/fixed-rate.sh - server configurations side by side at fixed request rates, in alternating
# rounds: the server's CPU for the same work, and the latency it gives. On a noisy 2-core VM a
# closed-loop req/s moves by +-30% between runs; the CPU a server needs for a fixed rate moves far
# less, so this is how small changes are told apart.
#
# usage: perf/scripts/fixed-rate.sh [-k] [-r ROUNDS] [-s "CxP@RATE ..."] [-d SEC] NAME='COMMAND' ...
#   COMMAND runs one server in the foreground on 127.0.0.1; the word PORT in it is replaced by a
#   fresh port per run, e.g.
#     perf/scripts/fixed-rate.sh -r 4 "old=java -jar /tmp/old.jar --port PORT --admin-port off --engine-iterations 0" \
#                              "new=java -jar server/target/dispatchd-server.jar --port PORT --admin-port off --engine-iterations 0"
#   defaults: -r 3 -s "50x1@40000 50x4@100000" -d 5
#   -k  keep the servers: start them all once, then alternate their windows round by round on the
#       same processes (idle ones use no CPU). Rounds then differ only in the moment, not in a
#       JVM's start, so a few minutes of rounds compare servers under the same machine weather.
#   A NAME ending in @resp is a Redis-protocol server: it is sent RESP LPUSH q 88 and answers a
#   line starting ':' (e.g. "redis@resp=redis-server --bind 127.0.0.1 --port PORT --save ''").
# Every server gets 5 s of unrecorded c=50 P=16 load after it starts (the JIT), then each setting
# runs 2 s of warm-up and SEC measured seconds. One line per run: req/s, p99, p99.9, errors,
# lineload's CPU and the server's (% of one core, over warm-up and measurement). Save the output
# and run perf/scripts/fixed-rate-summary.py on it for the medians across rounds.
# env: LINELOAD (default ~/.cache/dispatchd-tools/lineload), MSG (default 'a 88\n'),
#      EXPECT (default +), BASE_PORT (default 17600)
set -u
. "$(dirname "$0")/lib.sh"
LINELOAD=${LINELOAD:-$HOME/.cache/dispatchd-tools/lineload}
MSG=${MSG:-'a 88\n'}; EXPECT=${EXPECT:-+}
ROUNDS=3; SETTINGS="50x1@40000 50x4@100000"; DUR=5; KEEP=
while getopts "kr:s:d:h" o; do
  case $o in
    k) KEEP=1 ;; r) ROUNDS=$OPTARG ;; s) SETTINGS=$OPTARG ;; d) DUR=$OPTARG ;;
    h) awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
case "$ROUNDS$DUR" in *[!0-9]*) echo "fixed-rate: -r and -d take whole numbers" >&2; exit 2 ;; esac
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "fixed-rate: name at least one NAME='COMMAND'" >&2; exit 2; }
[ -x "$LINELOAD" ] || { echo "fixed-rate: no lineload at $LINELOAD (run ../shared/tools/build.sh)" >&2; exit 1; }
for s in $SETTINGS; do
  case $s in *x*@*) ;; *) echo "fixed-rate: setting '$s' is not CxP@RATE" >&2; exit 2 ;; esac
done
HZ=$(getconf CLK_TCK)
LOG=$(mktemp /tmp/fixed-rate.XXXXXX)
PIDS=(); LP=
trap '[ -n "$LP" ] && kill "$LP" 2>/dev/null; [ ${#PIDS[@]} -gt 0 ] && { kill -9 "${PIDS[@]}"; wait "${PIDS[@]}"; } 2>/dev/null; rm -f "$LOG"' EXIT
trap 'exit 130' INT TERM

# What config N (1-based) is sent, how it answers: sets NAME CMD PROTO_MSG PROTO_REPLY PROTO_EXPECT.
CFGS=("$@")
config() {
  local cfg=${CFGS[$1 - 1]}
  NAME=${cfg%%=*}; CMD=${cfg#*=}
  if [ "${NAME%@resp}" != "$NAME" ]; then
    PROTO_MSG='*3\r\n$5\r\nLPUSH\r\n$1\r\nq\r\n$2\r\n88\r\n'; PROTO_REPLY=line; PROTO_EXPECT=':'
  else
    PROTO_MSG=$MSG; PROTO_REPLY=bytes:1; PROTO_EXPECT=$EXPECT
  fi
}

NEXT_PORT=${BASE_PORT:-17600}
# Starts config N on a fresh port and warms it: sets SP and PORT.
start() {
  config "$1"; NEXT_PORT=$((NEXT_PORT + 1)); PORT=$NEXT_PORT
  port_open "$PORT" && { echo "fixed-rate: port $PORT is in use (set BASE_PORT)" >&2; exit 1; }
  bash -c "exec ${CMD//PORT/$PORT}" > /dev/null 2>&1 &
  SP=$!; PIDS+=("$SP")
  wait_for_port "$PORT" 300 "$SP" || { echo "fixed-rate: $NAME did not start: $CMD" >&2; exit 1; }
  timeout 60 "$LINELOAD" -p "$PORT" -c 50 -P 16 -d 5 -m "$PROTO_MSG" -r "$PROTO_REPLY" -e "$PROTO_EXPECT" -q > /dev/null 2>&1
}

stop() { # PID
  kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null
  local keep=() p; for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done; PIDS=("${keep[@]}")
}

# Every setting once against config N, running as SP on PORT.
windows() { # N ROUND
  config "$1"
  local s c rest p rate a b t0 t1 out
  for s in $SETTINGS; do
    c=${s%%x*}; rest=${s#*x}; p=${rest%%@*}; rate=${rest#*@}
    a=$(cpu_ticks "$SP"); t0=$(date +%s.%N)
    # In the background and waited for, so that Ctrl-C (the trap) can stop it.
    timeout $((DUR + 60)) "$LINELOAD" -p "$PORT" -c "$c" -P "$p" -d "$DUR" -W 2 -R "$rate" \
      -m "$PROTO_MSG" -r "$PROTO_REPLY" -e "$PROTO_EXPECT" > "$LOG" 2>&1 &
    LP=$!; wait "$LP"; LP=
    b=$(cpu_ticks "$SP" 2>/dev/null); t1=$(date +%s.%N)
    out=$(grep '^RESULT' "$LOG")
    if [ -z "$out" ] || [ -z "$b" ]; then
      echo "$NAME/$s round $2 FAILED: $( [ -z "$b" ] && echo 'the server died' || tail -1 "$LOG")"
      continue
    fi
    echo "$out" | awk -v name="$NAME/$s" -v r="$2" -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" -v hz="$HZ" '
      { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
      END { printf "%-28s round %s  rps %7.0f  p99 %6.2f ms  p99.9 %6.2f ms  errors %s  client %3s%%  server %3.0f%%\n",
              name, r, v["rps"], v["p99_us"] / 1000, v["p999_us"] / 1000, v["errors"], v["client_cpu_pct"],
              100 * (b - a) / hz / (t1 - t0) }'
  done
}

echo "# fixed-rate.sh $(date -u +%FT%TZ) rounds=$ROUNDS settings='$SETTINGS' d=$DUR${KEEP:+ keep}"
if [ -n "$KEEP" ]; then
  declare -a KEPT_PID KEPT_PORT
  for n in $(seq $#); do start "$n"; KEPT_PID[n]=$SP; KEPT_PORT[n]=$PORT; done
  for round in $(seq "$ROUNDS"); do
    for n in $(seq $#); do SP=${KEPT_PID[n]}; PORT=${KEPT_PORT[n]}; windows "$n" "$round"; done
  done
else
  for round in $(seq "$ROUNDS"); do
    for n in $(seq $#); do start "$n"; windows "$n" "$round"; stop "$SP"; done
  done
fi
