#!/usr/bin/env bash
# perf/scripts/peers.sh - dispatchd side by side with the servers a user would pick instead, on this
# machine, in one run, and one table of ratios (dispatchd / peer).
#
# usage: perf/scripts/peers.sh [-s "CxP ..."] [-d SEC] [-W SEC] [-g lineload|client] [-o DIR] [-x "SERVER FLAGS"] [PEER ...]
#   -s  settings, connections x pipeline depth (default "50x1 50x16"); "CxP@RATE" = fixed rate
#   -d  measured seconds per run (default 10)      -W  warm-up seconds per run (default 3)
#   -g  load generator (default: client if its generic mode is built, else lineload):
#         client    the project's own: java -jar client-sample/target/dispatchd-client.jar bench
#                   --raw ... --reply ... --expect ... (or CLIENT_JAR=/path/dispatchd-client.jar)
#         lineload  ../shared/tools/lineload (C, epoll; far less CPU than a JVM client on 2 cores:
#                   use it to cross-check the headline rows)
#   -o  keep logs in DIR (default: a temp dir, removed at the end)
#   -x  dispatchd flags (default: --engine-iterations 0, accept mode, the other defaults)
#   PEER: redis-lpush-resp redis-lpush beanstalkd memcached floor (default: every one installed;
#         floor needs ../shared/tools/floor)
#
# Every server binds 127.0.0.1 on a high port (base PEERS_BASE_PORT, default 17500), runs alone
# while it is measured, and is stopped afterwards; Ctrl-C stops whatever is running. A run can
# never hang: each load run is capped at d + W + 30 s. Requests answered with anything else than
# the expected prefix (for dispatchd: '!' or '?') count as errors and are shown.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"
TOOLS_SRC=$(cd "$ROOT/../shared/tools" 2>/dev/null && pwd || true)
JAVA=${JAVA:-java}
SERVER_JAR=${SERVER_JAR:-$ROOT/server/target/dispatchd-server.jar}
CLIENT_JAR=${CLIENT_JAR:-$ROOT/client-sample/target/dispatchd-client.jar}
BASE=${PEERS_BASE_PORT:-17500}
SETTINGS="50x1 50x16"; DUR=10; WARM=3; GEN=; OUTDIR=; SERVER_FLAGS="--engine-iterations 0"
usage() { awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; }
while getopts "s:d:W:g:o:x:h" o; do
  case $o in
    s) SETTINGS=$OPTARG ;; d) DUR=$OPTARG ;; W) WARM=$OPTARG ;; g) GEN=$OPTARG ;;
    o) OUTDIR=$OPTARG ;; x) SERVER_FLAGS=$OPTARG ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

WORK=$(mktemp -d /tmp/dispatchd-peers.XXXXXX)
[ -z "$OUTDIR" ] && OUTDIR=$WORK/logs
mkdir -p "$OUTDIR"
SPID=
stop_server() {
  [ -z "$SPID" ] && return
  kill -TERM "$SPID" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$SPID" 2>/dev/null && kill -KILL "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
  SPID=
}
LPID=
cleanup() { [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build what is missing ----------------------------------------------------------------
if [ ! -f "$SERVER_JAR" ]; then
  echo "# building the server jar" >&2
  (cd "$ROOT" && mvn -q -DskipTests package -pl server -am) || exit 1
fi
client_has_generic() { [ -f "$CLIENT_JAR" ] && "$JAVA" -jar "$CLIENT_JAR" bench --help 2>&1 | grep -q -- '--raw'; }
LINELOAD=${LINELOAD:-}
if [ -z "$LINELOAD" ] && [ -n "$TOOLS_SRC" ]; then
  TOOLS=$("$TOOLS_SRC/build.sh" 2>/dev/null) && LINELOAD=$TOOLS/lineload
fi
if [ -z "$GEN" ]; then
  if client_has_generic; then GEN=client; else GEN=lineload; fi
fi
case $GEN in
  client) client_has_generic || { echo "peers: no client with generic mode at $CLIENT_JAR (build client-sample, or -g lineload)" >&2; exit 1; } ;;
  lineload) [ -x "${LINELOAD:-}" ] || { echo "peers: no lineload (needs ../shared/tools or LINELOAD=...)" >&2; exit 1; } ;;
  *) echo "peers: unknown generator $GEN" >&2; exit 2 ;;
esac

# ---- the generator switch: one branch per generator, same results ---------------------------
# load PORT CONNS PIPELINE RATE MSG REPLY EXPECT LOG -> sets R (req/s), E (errors), L (p99 us).
# The generator runs in the background and the script waits for it, so Ctrl-C is handled at once.
load() {
  local port=$1 c=$2 p=$3 rate=$4 msg=$5 reply=$6 expect=$7 log=$8 cap=$((DUR + WARM + 30))
  if [ "$GEN" = lineload ]; then
    timeout "$cap" "$LINELOAD" -p "$port" -c "$c" -P "$p" -d "$DUR" -W "$WARM" ${rate:+-R "$rate"} \
      -m "$msg" -r "$reply" -e "$expect" > "$log" 2>&1 &
  else
    timeout "$cap" "$JAVA" -jar "$CLIENT_JAR" bench --host 127.0.0.1 --port "$port" -c "$c" -P "$p" \
      -d "${DUR}s" --warmup "${WARM}s" ${rate:+--rate "$rate"} --raw "$msg" --reply "$reply" \
      --expect "$expect" --csv -q > "$log" 2>&1 &
  fi
  LPID=$!
  wait "$LPID"
  LPID=
  if [ "$GEN" = lineload ]; then
    read -r R E L < <(awk '/^RESULT/{for(i=2;i<=NF;i++){split($i,kv,"="); v[kv[1]]=kv[2]} print v["rps"], v["errors"], v["p99_us"]}' "$log")
  else
    # CSV: a header row, then one row; errors = unexpected replies + unanswered requests
    read -r R E L < <(awk -F, '/^label,/{for(i=1;i<=NF;i++) h[$i]=i; next}
      h["throughput"]{printf "%.0f %d %.1f\n", $h["throughput"], $h["unexpected"]+$h["unanswered"], $h["p99_ms"]*1000; exit}' "$log")
  fi
  R=${R:-0}; E=${E:-NA}; L=${L:-NA}
}

start_server() { # name port cmd...
  local name=$1 port=$2; shift 2
  if port_open "$port"; then echo "peers: port $port in use, skipping $name" >&2; return 1; fi
  "$@" > "$OUTDIR/$name.server.log" 2>&1 &
  SPID=$!
  wait_for_port "$port" 300 "$SPID" && return 0
  echo "peers: $name did not come up on $port (see $OUTDIR/$name.server.log)" >&2
  stop_server; return 1
}

peer_def() { # sets PORT MSG REPLY EXPECT JVM CMD
  local d=$WORK/$1; mkdir -p "$d"; JVM=0; REPLY=line
  case $1 in
    dispatchd)
      PORT=$BASE; JVM=1; MSG='a 88\n'; REPLY=bytes:1; EXPECT='+'
      # shellcheck disable=SC2206
      CMD=("$JAVA" -Ddispatchd.engine.level=OFF -jar "$SERVER_JAR" --bind 127.0.0.1 --port "$PORT" --admin-port off $SERVER_FLAGS) ;;
    redis-lpush|redis-lpush-resp)
      command -v redis-server > /dev/null || return 1
      PORT=$((BASE + 1)); EXPECT=':'
      CMD=(redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --dir "$d" --logfile "$d/redis.log")
      if [ "$1" = redis-lpush ]; then MSG='LPUSH q 88\r\n'; else MSG='*3\r\n$5\r\nLPUSH\r\n$1\r\nq\r\n$2\r\n88\r\n'; fi ;;
    beanstalkd)
      command -v beanstalkd > /dev/null || return 1
      PORT=$((BASE + 2)); CMD=(beanstalkd -l 127.0.0.1 -p "$PORT"); MSG='put 0 0 60 2\r\n88\r\n'; EXPECT='INSERTED' ;;
    memcached)
      command -v memcached > /dev/null || return 1
      PORT=$((BASE + 3)); CMD=(memcached -l 127.0.0.1 -p "$PORT" -U 0 -u nobody -m 64)
      MSG='set k 0 0 2\r\n88\r\n'; EXPECT='STORED' ;;
    floor)
      [ -n "$TOOLS_SRC" ] && [ -x "$TOOLS_SRC/floor/run.sh" ] || return 1
      PORT=$((BASE + 4)); JVM=1; CMD=("$TOOLS_SRC/floor/run.sh" "$PORT" 1); MSG='a 88\n'; REPLY=bytes:1; EXPECT='+' ;;
    *) echo "peers: unknown peer $1" >&2; return 1 ;;
  esac
}

PEERS="$*"
[ -z "$PEERS" ] && PEERS="floor redis-lpush-resp redis-lpush beanstalkd memcached"
echo "# perf/scripts/peers.sh $(date -u +%FT%TZ) $(nproc) cpus, generator=$GEN, settings='$SETTINGS' d=$DUR W=$WARM"
echo "# dispatchd flags: $SERVER_FLAGS"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A RPS ERR P99
for peer in dispatchd $PEERS; do
  peer_def "$peer" || { echo "# $peer: not installed, skipped"; continue; }
  start_server "$peer" "$PORT" "${CMD[@]}" || continue
  # JIT warm-up for the JVM servers, unrecorded
  [ "$JVM" = 1 ] && load "$PORT" 50 16 "" "$MSG" "$REPLY" "$EXPECT" "$OUTDIR/$peer.prewarm.log"
  for s in $SETTINGS; do
    set_=${s%@*}; rate=; [ "$s" != "$set_" ] && rate=${s#*@}
    R=; E=; L=
    load "$PORT" "${set_%x*}" "${set_#*x}" "$rate" "$MSG" "$REPLY" "$EXPECT" "$OUTDIR/$peer.$s.log"
    RPS[$peer/$s]=$R; ERR[$peer/$s]=$E; P99[$peer/$s]=$L
    printf "# %-18s %-12s rps=%-9s errors=%-7s p99_us=%s\n" "$peer" "$s" "$R" "$E" "$L"
  done
  stop_server
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf "%-12s %-18s %12s %10s %12s %14s\n" setting peer "peer req/s" "p99 us" "dispatchd/peer" "p99 ratio"
for s in $SETTINGS; do
  printf "%-12s %-18s %12s %10s %12s %14s\n" "$s" "dispatchd" "${RPS[dispatchd/$s]:-0}" "${P99[dispatchd/$s]:-NA}" "1.00" "1.00"
  for peer in $PEERS; do
    [ -n "${RPS[$peer/$s]:-}" ] || continue
    awk -v s="$s" -v p="$peer" -v d="${RPS[dispatchd/$s]:-0}" -v r="${RPS[$peer/$s]}" -v dl="${P99[dispatchd/$s]:-0}" -v pl="${P99[$peer/$s]}" \
      'BEGIN{printf "%-12s %-18s %12s %10s %12s %14s\n", s, p, r, pl, (r>0? sprintf("%.2f", d/r) : "NA"), (pl>0? sprintf("%.2f", dl/pl) : "NA")}'
  done
done
echo "# dispatchd errors (non-'+' acks or unanswered) per setting:$(for s in $SETTINGS; do printf ' %s=%s' "$s" "${ERR[dispatchd/$s]:-NA}"; done)"
[ "$OUTDIR" != "$WORK/logs" ] && echo "# logs in $OUTDIR"
exit 0
