#!/usr/bin/env bash
# perf/scripts/tls-peers.sh - dispatchd over TLS beside Redis over TLS, and beside itself in plain
# text, loaded by the client sample's bench in its generic (--raw) mode so both servers get the
# same load generator, TLS stack and framing:
#   dispatchd-tls    --tls-cert-file/--tls-key-file, 'a 88\n', one-byte replies, every one '+'
#   redis-tls        redis-server --tls-port (Debian's build has TLS), 'LPUSH q 88\r\n', ':' replies
#   dispatchd-plain  the same dispatchd without TLS, the same bench without --tls
# ROUNDS rounds of the three in turn at each CxP setting, DUR seconds each after a 2 s warm-up,
# then full handshakes per second: HS connections (bench -c HS -n HS) against each TLS server.
# Certificates are made with openssl in a temporary directory (EC P-256, TLS 1.3 negotiated).
# Needs redis-server and openssl, and the built jars (mvn -q -DskipTests package).
#
# usage: perf/scripts/tls-peers.sh [-r ROUNDS] [-d SEC] [-s "CxP ..."] [-H HS]
#   defaults: -r 3 -d 5 -s "50x16 50x1" -H 2000
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/perf/scripts/lib.sh"
JAR=${SERVER_JAR:-$ROOT/server/target/dispatchd-server.jar}
CLIENT=${CLIENT_JAR:-$ROOT/client-sample/target/dispatchd-client.jar}
ROUNDS=3; DUR=5; SETTINGS="50x16 50x1"; HS=2000
while getopts "r:d:s:H:h" o; do
  case $o in
    r) ROUNDS=$OPTARG ;; d) DUR=$OPTARG ;; s) SETTINGS=$OPTARG ;; H) HS=$OPTARG ;;
    h) awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
for f in "$JAR" "$CLIENT"; do [ -f "$f" ] || { echo "tls-peers: no $f (mvn -q -DskipTests package)" >&2; exit 1; }; done
command -v redis-server >/dev/null || { echo "tls-peers: needs redis-server (apt-get install -y redis-server)" >&2; exit 1; }
D=$(mktemp -d /tmp/dispatchd-tls-peers.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$D"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=perf-ca \
  -keyout "$D/ca.key" -out "$D/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$D/server.key" -out "$D/server.csr" 2>/dev/null
openssl x509 -req -in "$D/server.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial -days 2 \
  -out "$D/server.crt" -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1') 2>/dev/null

TLS_PORT=17610; PLAIN_PORT=17611; REDIS_PORT=17612
java -Ddispatchd.engine.level=OFF -jar "$JAR" --port $TLS_PORT --admin-port off --engine-iterations 0 \
  --tls-cert-file "$D/server.crt" --tls-key-file "$D/server.key" >"$D/tls.log" 2>&1 & PIDS+=($!)
java -Ddispatchd.engine.level=OFF -jar "$JAR" --port $PLAIN_PORT --admin-port off --engine-iterations 0 \
  >"$D/plain.log" 2>&1 & PIDS+=($!)
redis-server --port 0 --tls-port $REDIS_PORT --tls-cert-file "$D/server.crt" --tls-key-file "$D/server.key" \
  --tls-ca-cert-file "$D/ca.crt" --tls-auth-clients no --save '' --appendonly no >"$D/redis.log" 2>&1 & PIDS+=($!)
for p in $TLS_PORT $PLAIN_PORT $REDIS_PORT; do wait_for_port $p 300 || { echo "port $p did not open"; cat "$D"/*.log; exit 1; }; done
grep -h "TLS by" "$D/tls.log" | sed 's/.* - /dispatchd: /'

TLS=(--host localhost --tls --tls-ca-file "$D/ca.crt")
bench() { # LABEL PORT C P [bench args...]: prints the RESULT line
  local label=$1 port=$2 c=$3 p=$4; shift 4
  java -jar "$CLIENT" bench --port "$port" -c "$c" -P "$p" -d "${DUR}s" --warmup 2s --label "$label" --json "$@" 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print("RESULT label=%s rps=%.0f p50_ms=%s p99_ms=%s replies=%s errors=%d" % (r["label"], r["throughput"], r["latency_ms"]["p50"], r["latency_ms"]["p99"], r["replies"], len(r["errors"])))'
}
for s in $SETTINGS; do
  c=${s%x*}; p=${s#*x}
  for r in $(seq "$ROUNDS"); do
    bench "dispatchd-tls-$s" $TLS_PORT "$c" "$p" "${TLS[@]}" --raw 'a 88\n' --reply bytes:1 --expect +
    bench "redis-tls-$s" $REDIS_PORT "$c" "$p" "${TLS[@]}" --raw 'LPUSH q 88\r\n' --reply line --expect :
    bench "dispatchd-plain-$s" $PLAIN_PORT "$c" "$p" --raw 'a 88\n' --reply bytes:1 --expect +
  done
done
# full handshakes: HS connections, one request each, every connection a new TLS session
for target in "dispatchd $TLS_PORT a_88\\n bytes:1 +" "redis $REDIS_PORT LPUSH_q_88\\r\\n line :"; do
  set -- $target
  echo "handshakes $1: $(java -jar "$CLIENT" bench --port "$2" -c "$HS" -n "$HS" "${TLS[@]}" --raw "${3//_/ }" \
    --reply "$4" --expect "$5" 2>/dev/null | grep -i handshake)"
done
