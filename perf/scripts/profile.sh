#!/usr/bin/env bash
# perf/scripts/profile.sh - where does a request's CPU go? Runs the packaged server alone under a
# closed-loop lineload and records, for one measured window:
#   * requests completed (lineload RESULT line)
#   * voluntary / involuntary context switches and CPU ticks per thread group
#     (from /proc/PID/task/*/{status,stat}), and so wake-ups per request
#   * optionally a JFR recording (-j), a perf profile with JIT symbols (-p),
#     and a syscall count with strace -c (-s; strace slows the server, so it runs last)
#
# usage: perf/scripts/profile.sh [-o DIR] [-c CONNS] [-P DEPTH] [-d SEC] [-W SEC] [-j] [-p] [-s]
#                         [-- extra server flags]
#   defaults: -c 50 -P 16 -d 10 -W 8, server flags --engine-iterations 0
# env: JAVA (default java), JAVA_OPTS, SERVER_JAR, LINELOAD, PORT (default 17410),
#      ENGINE_LEVEL (default OFF: engine tokens silenced; INFO prints them to the server's stdout,
#      which goes to /dev/null)
# Binds 127.0.0.1 only; stops the server it started, also on Ctrl-C.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"
JAVA=${JAVA:-java}
SERVER_JAR=${SERVER_JAR:-$ROOT/server/target/dispatchd-server.jar}
LINELOAD=${LINELOAD:-$HOME/.cache/dispatchd-tools/lineload}
PORT=${PORT:-17410}
OUT=; C=50; P=16; D=10; W=8; JFR=0; PERF=0; STRACE=0
while getopts "o:c:P:d:W:jpsh" o; do
  case $o in
    o) OUT=$OPTARG ;; c) C=$OPTARG ;; P) P=$OPTARG ;; d) D=$OPTARG ;; W) W=$OPTARG ;;
    j) JFR=1 ;; p) PERF=1 ;; s) STRACE=1 ;;
    h) awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
SERVER_ARGS=("$@"); [ ${#SERVER_ARGS[@]} -eq 0 ] && SERVER_ARGS=(--engine-iterations 0)
OUT=${OUT:-$(mktemp -d /tmp/dispatchd-profile.XXXXXX)}; mkdir -p "$OUT"
[ -f "$SERVER_JAR" ] || (cd "$ROOT" && mvn -q -DskipTests package -pl server -am) || exit 1
[ -x "$LINELOAD" ] || { echo "profile: no lineload at $LINELOAD (run ../shared/tools/build.sh)" >&2; exit 1; }

SP=
cleanup() { [ -n "$SP" ] && kill -TERM "$SP" 2>/dev/null && wait "$SP" 2>/dev/null; SP=; }
trap cleanup EXIT
trap 'exit 130' INT TERM

JOPTS=(-Ddispatchd.engine.level=${ENGINE_LEVEL:-OFF})
[ "$PERF" = 1 ] && JOPTS+=(-XX:+PreserveFramePointer)
[ "$JFR" = 1 ] && JOPTS+=("-XX:StartFlightRecording=delay=${W}s,duration=${D}s,filename=$OUT/server.jfr,settings=profile")
# shellcheck disable=SC2086
"$JAVA" ${JAVA_OPTS:-} "${JOPTS[@]}" -jar "$SERVER_JAR" --bind 127.0.0.1 --port "$PORT" --admin-port off \
  "${SERVER_ARGS[@]}" > /dev/null 2> "$OUT/server.log" &
SP=$!
wait_for_port "$PORT" 300 "$SP" || { echo "profile: the server did not start (see $OUT/server.log)" >&2; exit 1; }

# per thread group (name without trailing digits): voluntary, involuntary switches, CPU ticks
snap() {
  awk '/^Name:/{sub(/^Name:[ \t]*/,""); n=$0; sub(/-?[0-9]+$/,"",n)}
       /^voluntary_ctxt_switches/{v[n]+=$2} /^nonvoluntary_ctxt_switches/{nv[n]+=$2}
       END{for(k in v) printf "%s\t%d\t%d\n", k, v[k], nv[k]}' /proc/"$SP"/task/*/status 2>/dev/null | sort
}
ticks() {
  for f in /proc/"$SP"/task/*/stat; do
    n=$(cat "${f%stat}comm" 2>/dev/null) || continue
    n=${n%%[0-9]*}; awk -v n="$n" '{sub(/^.*\) /,""); print n "\t" $12+$13}' "$f" 2>/dev/null
  done | awk -F'\t' '{t[$1]+=$2} END{for(k in t) printf "%s\t%d\n", k, t[k]}' | sort
}

echo "# $(date -u +%FT%TZ) $(uptime)" | tee "$OUT/summary.txt"
echo "# server ($("$JAVA" -version 2>&1 | head -1), engine tokens ${ENGINE_LEVEL:-OFF}): ${SERVER_ARGS[*]}  load: -c $C -P $P -d $D (warm-up $W s)" | tee -a "$OUT/summary.txt"
timeout $((W + 60)) "$LINELOAD" -p "$PORT" -c "$C" -P "$P" -d "$W" -m 'a 88\n' -r bytes:1 -e + -q > "$OUT/warmup.txt" 2>&1
snap > "$OUT/cs0.txt"; ticks > "$OUT/ticks0.txt"
if [ "$PERF" = 1 ]; then
  perf record -F 999 -g -p "$SP" -o "$OUT/perf.data" -- sleep "$D" > "$OUT/perf-record.log" 2>&1 &
  PERFPID=$!
fi
timeout $((D + 60)) "$LINELOAD" -p "$PORT" -c "$C" -P "$P" -d "$D" -m 'a 88\n' -r bytes:1 -e + > "$OUT/load.txt" 2>&1
snap > "$OUT/cs1.txt"; ticks > "$OUT/ticks1.txt"
if [ "$PERF" = 1 ]; then
  wait "$PERFPID"
  jcmd "$SP" Compiler.perfmap > /dev/null 2>&1   # /tmp/perf-PID.map: JIT symbols for perf report
fi
grep '^RESULT' "$OUT/load.txt" | tee -a "$OUT/summary.txt"
REQ=$(awk '/requests .* completed in window/{gsub(/[()]/,""); for(i=1;i<=NF;i++) if($i=="total") print $(i-1)}' "$OUT/load.txt")
REQ=${REQ:-$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$OUT/load.txt")}
echo "# requests sent in the window: $REQ; per thread group: voluntary, involuntary switches, CPU ms, per 1000 requests" | tee -a "$OUT/summary.txt"
join -t$'\t' "$OUT/cs0.txt" "$OUT/cs1.txt" | join -t$'\t' - <(join -t$'\t' "$OUT/ticks0.txt" "$OUT/ticks1.txt") |
  awk -F'\t' -v r="$REQ" -v hz="$(getconf CLK_TCK)" '{v=$4-$2; nv=$5-$3; ms=($7-$6)*1000/hz;
    if (v+nv+ms>0) printf "%-28s vol=%9d invol=%8d cpu_ms=%7d | per 1000 req: vol=%7.1f invol=%6.1f cpu_ms=%6.3f\n",
      $1, v, nv, ms, 1000*v/r, 1000*nv/r, 1000*ms/r}' | tee -a "$OUT/summary.txt"
if [ "$STRACE" = 1 ]; then
  timeout 70 "$LINELOAD" -p "$PORT" -c "$C" -P "$P" -d 6 -m 'a 88\n' -r bytes:1 -e + -q > "$OUT/load-strace.txt" 2>&1 &
  LP=$!; sleep 1
  timeout 4 strace -c -f -p "$SP" -o "$OUT/strace.txt" 2>/dev/null
  wait "$LP"
  { echo "# strace -c -f for 4 s (server slowed by ptrace; counts are ratios, not rates)"; head -15 "$OUT/strace.txt";
    grep '^RESULT' "$OUT/load-strace.txt"; } | tee -a "$OUT/summary.txt"
fi
echo "# $(uptime)" | tee -a "$OUT/summary.txt"
echo "# output in $OUT"
