#!/usr/bin/env bash
# load-test.sh — start the packaged server on a free port, drive it with nc and with the bench,
# write a report, stop the server.
#
#   client-sample/scripts/load-test.sh                 # ~10 s per scenario
#   client-sample/scripts/load-test.sh --duration 2s   # quicker
#
# Scenarios (redis-benchmark style flags of `dispatchd-client bench`):
#   1conn-P1     1 connection, no pipelining
#   50conn-P1    50 connections, no pipelining
#   50conn-P16   50 connections, pipeline 16
#   rate-N       50 connections at a fixed aggregate rate N req/s (latency from the due time)
# Report directory: results.csv, report.md (Markdown table), one .hgrm per scenario, server.log,
# and latency.png when gnuplot is installed. Builds the jars first if they are missing.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/../.." && pwd)
server_jar=$root/server/target/dispatchd-server.jar
client_jar=$root/client-sample/target/dispatchd-client.jar

duration=10s
warmup=1s
rate=10000
server_args=""
out=""

usage() {
    cat >&2 <<USAGE
usage: $(basename "$0") [--duration 10s] [--warmup 1s] [--rate 10000] [--server-args "ARGS"] [--out DIR]
  --duration     measured time per scenario (default 10s)
  --warmup       unmeasured time before each scenario (default 1s)
  --rate         aggregate req/s of the fixed-rate scenario (default 10000)
  --server-args  extra server flags, e.g. "--engine-iterations 0 --workers 8" (default: none, the defaults)
  --out          report directory (default client-sample/target/load-test/TIMESTAMP)
USAGE
    exit 2
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --duration) duration=${2:?}; shift 2 ;;
        --warmup) warmup=${2:?}; shift 2 ;;
        --rate) rate=${2:?}; shift 2 ;;
        --server-args) server_args=${2?}; shift 2 ;;
        --out) out=${2:?}; shift 2 ;;
        -h|--help) usage ;;
        *) echo "load-test: unknown argument: $1" >&2; usage ;;
    esac
done

if [[ ! -f $server_jar || ! -f $client_jar ]]; then
    echo "load-test: building the jars (mvn -q -DskipTests package)" >&2
    (cd "$root" && mvn -q -DskipTests package)
fi

out=${out:-$root/client-sample/target/load-test/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
: >"$out/server.out" # exists before the server starts writing: polled below

# Engine tokens are for watching a server by eye; here they would only fill a file.
export DISPATCHD_ENGINE_LEVEL=${DISPATCHD_ENGINE_LEVEL:-OFF}
# shellcheck disable=SC2086 # server_args is a list of flags
java -jar "$server_jar" --port 0 --admin-port off $server_args >"$out/server.out" 2>"$out/server.log" &
server_pid=$!
stop_server() {
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}
trap stop_server EXIT

port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/^dispatchd listening on .*:\([0-9][0-9]*\)$/\1/p' "$out/server.out" | head -n 1)
    [[ -n $port ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "load-test: the server did not start:" >&2
        cat "$out/server.log" >&2
        exit 1
    fi
    sleep 0.2
done
[[ -n $port ]] || { echo "load-test: the server printed no port within 20 s" >&2; exit 1; }
echo "load-test: server pid $server_pid on 127.0.0.1:$port, args: ${server_args:-(defaults)}; report in $out" >&2

smoke="passed"
"$script_dir/smoke-nc.sh" 127.0.0.1 "$port" >&2 || smoke="FAILED"

run_scenario() { # label, then bench flags
    local label=$1
    shift
    echo "load-test: $label: bench $*" >&2
    java -jar "$client_jar" bench --port "$port" -d "$duration" --warmup "$warmup" --timeout 10s \
        --csv --label "$label" --hgrm "$out/$label.hgrm" "$@" >"$out/$label.csv" || true
}
run_scenario 1conn-P1 -c 1 -P 1
run_scenario 50conn-P1 -c 50 -P 1
run_scenario 50conn-P16 -c 50 -P 16
run_scenario "rate-$rate" -c 50 -P 16 --rate "$rate"

# results.csv: one header, one row per scenario that produced output
first=1
: >"$out/results.csv"
for f in "$out"/1conn-P1.csv "$out"/50conn-P1.csv "$out"/50conn-P16.csv "$out/rate-$rate.csv"; do
    [[ -s $f ]] || continue
    if [[ $first == 1 ]]; then head -n 1 "$f" >>"$out/results.csv"; first=0; fi
    tail -n +2 "$f" >>"$out/results.csv"
done

{
    echo "# dispatchd load test"
    echo
    echo "- when: $(date -u +%Y-%m-%dT%H:%M:%SZ), host $(uname -n), $(nproc) cores, $(java -version 2>&1 | head -n 1)"
    echo "- server: \`java -jar server/target/dispatchd-server.jar --port 0 --admin-port off ${server_args}\`"
    echo "- each scenario: ${duration} measured after ${warmup} warm-up; nc smoke test (a 88, b 12, c 44, d 37): ${smoke}"
    echo
    awk -F, '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
                  print "| scenario | conns | pipeline | rate | requests | req/s | + | - | ? | ! | missed | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors |"
                  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
                  next }
        { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
              $col["label"], $col["connections"], $col["pipeline"], ($col["rate"] + 0 > 0 ? $col["rate"] : "max"),
              $col["requests"], $col["throughput"], $col["ok"], $col["failed"], $col["bad_request"], $col["busy"], $col["missed"],
              $col["p50_ms"], $col["p90_ms"], $col["p99_ms"], $col["p999_ms"], $col["max_ms"], $col["errors"] }
    ' "$out/results.csv"
} >"$out/report.md"

if command -v gnuplot >/dev/null 2>&1; then
    plots=()
    for h in "$out"/*.hgrm; do
        [[ -s $h ]] || continue
        # numeric rows only: value(ms) percentile count 1/(1-percentile); the 100% row is infinite
        awk 'NF == 4 && $1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/' "$h" >"${h%.hgrm}.dat"
        plots+=("'${h%.hgrm}.dat' using 4:1 with lines lw 2 title '$(basename "${h%.hgrm}")'")
    done
    if [[ ${#plots[@]} -gt 0 ]]; then
        gnuplot <<GNUPLOT && echo >>"$out/report.md" && echo "![latency by percentile](latency.png)" >>"$out/report.md"
set terminal pngcairo size 1000,600 noenhanced
set output '$out/latency.png'
set title 'dispatchd latency by percentile'
set logscale x
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xlabel 'percentile'
set ylabel 'latency (ms)'
set logscale y
set grid
set key top left
plot $(IFS=,; echo "${plots[*]}")
GNUPLOT
    fi
fi

stop_server
trap - EXIT
cat "$out/report.md"
echo
echo "load-test: report in $out" >&2
