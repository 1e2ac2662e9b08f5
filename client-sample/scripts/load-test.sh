#!/usr/bin/env bash
# load-test.sh — what the packaged server does with the flags you give it, in one Markdown report:
# how many of its jobs it completes a second (its capacity), load below and above that capacity,
# and what dispatch alone costs. Starts its own servers on free ports, one at a time (engine
# tokens off: DISPATCHD_ENGINE_LEVEL=OFF), and stops them with SIGTERM.
#
#   client-sample/scripts/load-test.sh                            # ~10 s per scenario, about 80 s in all
#   client-sample/scripts/load-test.sh --duration 2s              # quicker
#   client-sample/scripts/load-test.sh --server-args "--workers 256"
#
# Scenarios (flags of `dispatchd-client bench`):
#   capacity        a server with your flags and --ack complete, 2 x max-running jobs in flight for
#                   3 s: the jobs a second it completes. The two fixed rates below follow it.
#   below-capacity  50 connections at half the capacity, against a server with your flags
#   above-capacity  the same at a rate that fills the job queue about a third of the way in (at
#                   least 1.5 x capacity): `+` while the queue takes the excess, then `!`
#   rate-N          with --rate N: 50 connections at N req/s, same server
#   dispatch-1conn-P1, dispatch-50conn-P1, dispatch-50conn-P16
#                   closed loop (1 or 50 connections, pipeline 1 or 16) against a server with your
#                   flags and --engine-iterations 0: empty jobs, the cost of dispatch alone
# Report directory: report.md (Markdown), results.csv (every column of `bench --csv`), one .hgrm
# per scenario, each server's output (NAME.out, NAME.log), and latency.png when gnuplot is
# installed. Builds the jars first if they are missing.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/../.." && pwd)
server_jar=$root/server/target/dispatchd-server.jar
client_jar=$root/client-sample/target/dispatchd-client.jar

duration=10s
warmup=1s
rate=""
server_args=""
out=""

usage() {
    cat >&2 <<USAGE
usage: $(basename "$0") [--duration 10s] [--warmup 1s] [--rate N] [--server-args "ARGS"] [--out DIR]
  --duration     measured time per scenario (default 10s)
  --warmup       unmeasured time before each scenario (default 1s)
  --rate         also run a scenario at this fixed aggregate req/s (default: none; the below- and
                 above-capacity rates follow the measured capacity)
  --server-args  server flags, e.g. "--workers 256" or "--ack complete" (default: none, the defaults)
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

# A duration as the server prints it and bench takes it (100us, 50ms, 10s, 2m) in seconds; "x" if unreadable.
seconds() {
    awk -v d="$1" 'BEGIN {
        if (!match(d, /^[0-9]+(\.[0-9]+)?/)) { print "x"; exit }
        n = substr(d, 1, RLENGTH); u = substr(d, RLENGTH + 1)
        f = u == "ns" ? 1e-9 : u == "us" ? 1e-6 : u == "ms" ? 1e-3 : (u == "s" || u == "") ? 1 : u == "m" ? 60 : u == "h" ? 3600 : -1
        if (f < 0) print "x"; else printf "%.9f\n", n * f }'
}
[[ -z $rate || $rate =~ ^[1-9][0-9]*$ ]] || { echo "load-test: --rate takes a whole number of req/s" >&2; usage; }
for d in "$duration" "$warmup"; do
    [[ $(seconds "$d") != x ]] || { echo "load-test: '$d' is not a duration (10s, 500ms, 2m)" >&2; usage; }
done

if [[ ! -f $server_jar || ! -f $client_jar ]]; then
    echo "load-test: building the jars (mvn -q -DskipTests package)" >&2
    (cd "$root" && mvn -q -DskipTests package)
fi

out=${out:-$root/client-sample/target/load-test/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
# Run copies of the jars, so that a rebuild during the test cannot change classes under a running JVM.
jars=$(mktemp -d "${TMPDIR:-/tmp}/load-test-jars.XXXXXX")
cp "$server_jar" "$client_jar" "$jars/"
server_jar=$jars/$(basename "$server_jar")
client_jar=$jars/$(basename "$client_jar")

# Engine tokens are for watching a server by eye; here they would only fill a file.
export DISPATCHD_ENGINE_LEVEL=${DISPATCHD_ENGINE_LEVEL:-OFF}

read -r -a user_args <<<"$server_args" # a list of flags, split on blanks
# Sets ARGS to the user's flags without FLAG and its value (--flag V or --flag=V): the server
# refuses a flag given twice, and some scenarios set one of their own.
args_without() { # FLAG
    ARGS=()
    local skip=0 a
    for a in ${user_args[@]+"${user_args[@]}"}; do
        if ((skip)); then skip=0; continue; fi
        case $a in "$1") skip=1 ;; "$1"=*) ;; *) ARGS+=("$a") ;; esac
    done
}

server_pids=()
# Starts a server, waits for its port: sets PORT and SERVER_PID; output in $out/NAME.out and NAME.log.
start_server() { # NAME FLAG...
    local name=$1
    shift
    : >"$out/$name.out" # exists before the server starts writing: polled below
    java -jar "$server_jar" --port 0 --admin-port off "$@" >"$out/$name.out" 2>"$out/$name.log" &
    SERVER_PID=$!
    server_pids+=("$SERVER_PID")
    PORT=""
    for _ in $(seq 1 100); do
        PORT=$(sed -n 's/^dispatchd listening on .*:\([0-9][0-9]*\)$/\1/p' "$out/$name.out" | head -n 1)
        [[ -n $PORT ]] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "load-test: the $name server did not start (flags: $*):" >&2
            cat "$out/$name.log" >&2
            exit 1
        fi
        sleep 0.2
    done
    [[ -n $PORT ]] || { echo "load-test: the $name server printed no port within 20 s" >&2; exit 1; }
    echo "load-test: $name server pid $SERVER_PID on 127.0.0.1:$PORT, flags: ${*:-(defaults)}" >&2
}
# SIGTERM: the server drains. A queue left full by the above-capacity scenario holds seconds of
# work nobody waits for, so after 3 s a second SIGTERM ends the drain at once.
stop_server() { # PID
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}
stop_all() { for pid in ${server_pids[@]+"${server_pids[@]}"}; do stop_server "$pid"; done; }
trap 'stop_all; rm -rf "$jars"' EXIT

# KEY's value in the "configuration: key=value ..." line a server logs at start.
config_value() { # LOG KEY
    sed -n "s/.* configuration: .* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1
}
# Column COL of the data row of a `bench --csv` file.
csv_value() { # FILE COL
    awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } NR == 2 && c in col { print $col[c] }' "$1"
}

run_scenario() { # LABEL PORT DURATION WARMUP, then bench flags
    local label=$1 port=$2 d=$3 w=$4
    shift 4
    echo "load-test: $label: bench -d $d --warmup $w $*" >&2
    java -jar "$client_jar" bench --port "$port" -d "$d" --warmup "$w" --timeout 10s \
        --csv --label "$label" --hgrm "$out/$label.hgrm" "$@" >"$out/$label.csv" || true
}

# ---- 1. capacity: the user's flags in complete mode, where an ack means the job ran ----------
args_without --ack
start_server capacity ${ARGS[@]+"${ARGS[@]}"} --ack complete
workers=$(config_value "$out/capacity.log" workers)
running=$(config_value "$out/capacity.log" max-running)
queue=$(config_value "$out/capacity.log" queue-capacity)
iterations=$(config_value "$out/capacity.log" engine-iterations)
pause=$(config_value "$out/capacity.log" engine-pause)
backpressure=$(config_value "$out/capacity.log" backpressure)
[[ $workers =~ ^[0-9]+$ && $queue =~ ^[0-9]+$ ]] || {
    echo "load-test: cannot read workers and queue-capacity from $out/capacity.log; assuming 64 and 10000" >&2
    workers=64 queue=10000
}
# Jobs in progress at most: the engine's jobs wait out their pauses without a worker thread.
[[ $running =~ ^[0-9]+$ ]] || running=$workers
# Enough jobs in flight to keep --max-running of them in progress, never so many that the queue refuses one.
inflight=$((running + (running < queue / 2 ? running : queue / 2)))
probe_conns=$((inflight < 8 ? inflight : 8))
probe_pipeline=$(((inflight + probe_conns - 1) / probe_conns))
if ((probe_pipeline > 1024)); then # --max-in-flight's default per connection
    probe_pipeline=1024
    probe_conns=$(((inflight + 1023) / 1024))
fi
run_scenario capacity "$PORT" 3s 1s -c "$probe_conns" -P "$probe_pipeline"
stop_server "$SERVER_PID"

# What the flags predict: max-running / job time, a job being (iterations - 1) pauses.
job_s=$(awk -v n="${iterations:-0}" -v p="$(seconds "${pause:-0}")" 'BEGIN { t = (n > 1 && p != "x") ? (n - 1) * p : 0; printf "%.9f\n", t }')
cap_flags=$(awk -v w="$running" -v t="$job_s" 'BEGIN { printf "%.0f\n", (t > 0 ? w / t : 0) }')
cap_measured=$(awk -v ok="$(csv_value "$out/capacity.csv" ok)" -v s="$(csv_value "$out/capacity.csv" seconds)" \
    'BEGIN { printf "%.0f\n", ((ok > 0 && s > 0) ? ok / s : 0) }')
capacity=$((cap_measured > 0 ? cap_measured : cap_flags))
((capacity > 0)) || { echo "load-test: the capacity run failed (see $out/capacity.csv, $out/capacity.log)" >&2; exit 1; }
# Above capacity the queue grows by (rate - capacity) a second: fill it about a third of the way in.
total_s=$(awk -v d="$(seconds "$duration")" -v w="$(seconds "$warmup")" 'BEGIN { print d + w }')
below=$(awk -v c="$capacity" 'BEGIN { r = c / 2; printf "%.0f\n", (r < 1 ? 1 : r) }')
above=$(awk -v c="$capacity" -v q="$queue" -v t="$total_s" 'BEGIN { f = 1 + q / (c * t / 3); printf "%.0f\n", c * (f < 1.5 ? 1.5 : f) }')
fill_s=$(awk -v c="$capacity" -v q="$queue" -v r="$above" 'BEGIN { printf "%.1f\n", q / (r - c) }')
ratio() { awk -v r="$1" -v c="$capacity" 'BEGIN { printf "%.1f×", r / c }'; }

# ---- 2. below and above capacity: the user's flags --------------------------------------------
start_server engine ${user_args[@]+"${user_args[@]}"}
engine_pid=$SERVER_PID
ack_mode=$(config_value "$out/engine.log" ack)
smoke="passed"
"$script_dir/smoke-nc.sh" 127.0.0.1 "$PORT" >&2 || smoke="FAILED"
run_scenario below-capacity "$PORT" "$duration" "$warmup" -c 50 -P 16 --rate "$below"
run_scenario above-capacity "$PORT" "$duration" "$warmup" -c 50 -P 16 --rate "$above"
[[ -n $rate ]] && run_scenario "rate-$rate" "$PORT" "$duration" "$warmup" -c 50 -P 16 --rate "$rate"
stop_server "$engine_pid"

# ---- 3. dispatch cost only: empty jobs -----------------------------------------------------------
args_without --engine-iterations
start_server dispatch ${ARGS[@]+"${ARGS[@]}"} --engine-iterations 0
run_scenario dispatch-1conn-P1 "$PORT" "$duration" "$warmup" -c 1 -P 1
run_scenario dispatch-50conn-P1 "$PORT" "$duration" "$warmup" -c 50 -P 1
run_scenario dispatch-50conn-P16 "$PORT" "$duration" "$warmup" -c 50 -P 16
stop_server "$SERVER_PID"

# ---- report -------------------------------------------------------------------------------------
labels=(capacity below-capacity above-capacity)
[[ -n $rate ]] && labels+=("rate-$rate")
labels+=(dispatch-1conn-P1 dispatch-50conn-P1 dispatch-50conn-P16)

# results.csv: one header, one row per scenario that produced output
first=1
: >"$out/results.csv"
for label in "${labels[@]}"; do
    f=$out/$label.csv
    [[ -s $f ]] || continue
    if [[ $first == 1 ]]; then head -n 1 "$f" >>"$out/results.csv"; first=0; fi
    tail -n +2 "$f" >>"$out/results.csv"
done

if [[ $ack_mode == complete ]]; then
    below_shows="below capacity: every request \`+\`; latency is about one job"
    above_shows="above capacity: acks wait for jobs, so the client's window fills: latency and \`missed\` grow"
else
    below_shows="below capacity: every request \`+\`, the queue stays empty"
    above_shows="above capacity: \`+\` until the queue is full (~${fill_s} s in), then \`!\`: the bound working"
fi
load_of() { # LABEL
    case $1 in
        capacity) echo "${probe_conns} conns × ${probe_pipeline} in flight, complete mode" ;;
        below-capacity) echo "50 conns at ${below}/s ($(ratio "$below"))" ;;
        above-capacity) echo "50 conns at ${above}/s ($(ratio "$above"))" ;;
        rate-*) echo "50 conns at ${rate}/s ($(ratio "$rate"))" ;;
        dispatch-1conn-P1) echo "1 conn, closed loop" ;;
        dispatch-50conn-P1) echo "50 conns, closed loop" ;;
        dispatch-50conn-P16) echo "50 conns × 16 pipelined, closed loop" ;;
    esac
}
shows_of() { # LABEL
    case $1 in
        capacity) echo "the capacity: jobs completed a second, each ack after its job ran" ;;
        below-capacity) echo "$below_shows" ;;
        above-capacity) echo "$above_shows" ;;
        rate-*) echo "the rate you asked for" ;;
        dispatch-1conn-P1) echo "dispatch cost only: one request at a time, the round trip" ;;
        dispatch-50conn-P1) echo "dispatch cost only: 50 clients, each waiting for its ack" ;;
        dispatch-50conn-P16) echo "dispatch cost only: pipelined, the server's ceiling on this machine" ;;
    esac
}

if [[ $iterations =~ ^[0-9]+$ ]] && ((iterations > 1)) && [[ $(seconds "$pause") != x ]]; then
    job_ms=$(awk -v t="$job_s" 'BEGIN { printf "%.1f", t * 1000 }')
    engine="engine ${iterations} tokens ${pause} apart (a job ≈ ${job_ms} ms)"
    predicted="; the flags predict ${running} jobs in progress (--max-running) ÷ ${job_ms} ms ≈ ${cap_flags} jobs/s"
else
    engine="engine ${iterations:-?} tokens (no pauses: a job costs almost nothing)"
    predicted=""
fi
defaults_note=""
[[ -n $server_args ]] || defaults_note=" (the default flags)"
queue_s=$(awk -v q="$queue" -v c="$capacity" 'BEGIN { printf "%.1f", q / c }')
{
    echo "# dispatchd load test"
    echo
    echo "- when: $(date -u +%Y-%m-%dT%H:%M:%SZ), host $(uname -n), $(nproc) cores, $(java -version 2>&1 | head -n 1)"
    echo "- server: \`java -jar server/target/dispatchd-server.jar --port 0 --admin-port off${server_args:+ $server_args}\`${defaults_note}:"
    echo "  ${ack_mode:-?} mode, ${workers} workers, max-running ${running}, queue ${queue}, ${engine}"
    echo "- **capacity: ${capacity} jobs/s**, measured$( ((cap_measured > 0)) || echo " (the run failed: predicted)")${predicted}."
    echo "  Beyond it admitted jobs wait in the queue (${queue} jobs ≈ ${queue_s} s of work); once it is full,"
    echo "  requests get \`!\` (nothing ran; retry later) instead of waiting without end."
    echo "- each scenario: ${duration} measured after ${warmup} warm-up (capacity: 3s after 1s);"
    echo "  nc smoke test (a 88, b 12, c 44, d 37): ${smoke}"
    echo
    echo "| scenario | load | req/s | + | ! | other | missed | p50 ms | p99 ms | p99.9 ms | max ms | what it shows |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for label in "${labels[@]}"; do
        f=$out/$label.csv
        if [[ ! -s $f ]]; then
            echo "| $label | $(load_of "$label") | | | | | | | | | | the run failed: see $label.csv |"
            continue
        fi
        awk -F, -v label="$label" -v load="$(load_of "$label")" -v shows="$(shows_of "$label")" '
            NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
            NR == 2 && $col["requests"] + $col["ok"] == 0 {
                printf "| %s | %s | | | | | | | | | | no replies: see %s.csv and the server log |\n", label, load, label; next }
            NR == 2 {
                n = $col["requests"]; busy = $col["busy"]
                other = $col["failed"] + $col["bad_request"] + $col["other"] + $col["unanswered"]
                printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                    label, load, $col["throughput"], $col["ok"],
                    (busy > 0 ? sprintf("%d (%.0f%%)", busy, 100 * busy / n) : busy),
                    other + $col["errors"], $col["missed"],
                    $col["p50_ms"], $col["p99_ms"], $col["p999_ms"], $col["max_ms"], shows }' "$f"
    done
    echo
    echo "Reading it:"
    echo
    if [[ $ack_mode == complete ]]; then
        echo "- \`+\` means the job ran and succeeded (complete mode), \`!\` that the server was busy and"
        echo "  nothing ran; other = \`-\`, \`?\`, unanswered and connection errors."
    else
        echo "- \`+\` means the job was admitted (accept mode: it runs later), \`!\` that the queue was full"
        echo "  and nothing ran; other = \`-\`, \`?\`, unanswered and connection errors."
    fi
    echo "- Capacity is jobs in progress ÷ job time: the built-in engine's jobs wait without a worker, so"
    echo "  \`--max-running\` (default 4096), not \`--workers\`, is what raises it."
    echo "- Above capacity a client sees \`!\` for the share the server cannot take: that is the"
    echo "  server refusing to queue without end, not a failure. Latency there includes the"
    echo "  \`--backpressure\` pauses (${backpressure:-?}) the server takes before it refuses."
    echo "- The dispatch rows run empty jobs (\`--engine-iterations 0\`): what the server itself costs"
    echo "  per request, with the client on the same machine."
    echo "- missed: requests that fell due at the fixed rate but could not be sent (the window was full)."
} >"$out/report.md"

if command -v gnuplot >/dev/null 2>&1; then
    plots=()
    for label in "${labels[@]}"; do
        h=$out/$label.hgrm
        [[ -s $h ]] || continue
        # numeric rows only: value(ms) percentile count 1/(1-percentile); the 100% row is infinite
        awk 'NF == 4 && $1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/' "$h" >"$out/$label.dat"
        [[ -s $out/$label.dat ]] || continue
        case $label in dispatch-*) style="lw 2 dt 2" ;; *) style="lw 2" ;; esac
        plots+=("'$out/$label.dat' using 4:1 with lines $style title '$label'")
    done
    if [[ ${#plots[@]} -gt 0 ]]; then
        gnuplot <<GNUPLOT && echo >>"$out/report.md" && echo "![latency by percentile](latency.png)" >>"$out/report.md"
set terminal pngcairo size 1200,600 noenhanced
set output '$out/latency.png'
set title 'dispatchd latency by percentile (dashed: dispatch cost only)'
set logscale x
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xlabel 'percentile'
set ylabel 'latency (ms)'
set logscale y
set grid
set key outside right top
plot $(IFS=,; echo "${plots[*]}")
GNUPLOT
    fi
fi

stop_all
rm -rf "$jars"
trap - EXIT
cat "$out/report.md"
echo
echo "load-test: report in $out" >&2
