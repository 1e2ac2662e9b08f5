#!/usr/bin/env bash
# Runs a real single-node Apache Kafka 4.3.1 broker (KRaft, combined broker+controller)
# on this machine, built only from Maven Central artifacts (tools/kafka/pom.xml): no Docker,
# no Kafka tarball. Meant for local benchmarks/comparisons against dispatchd.
#
# usage: tools/kafka-broker.sh start [--port 9092] [--dir DIR] [--partitions N]
#        tools/kafka-broker.sh stop [--dir DIR]
#        tools/kafka-broker.sh topic NAME [--partitions N] [--port PORT] [--dir DIR]
#        tools/kafka-broker.sh lag [--group dispatchd] [--port PORT] [--dir DIR]
#        tools/kafka-broker.sh producer-perf [ProducerPerformance args...]
#        tools/kafka-broker.sh classpath
# Needs only java (17), mvn, bash and coreutils.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
POM=$ROOT/tools/kafka/pom.xml
DEFAULT_DIR=${TMPDIR:-/tmp}/dispatchd-kafka
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/dispatchd-kafka
# The broker's JVM options; override with KAFKA_HEAP_OPTS / KAFKA_JVM_OPTS.
# The GC flags are the ones Kafka's own bin/kafka-run-class.sh uses for the broker.
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
# The command-line tools (topic, producer-perf) get a small heap of their own.
TOOLS_HEAP_OPTS=${TOOLS_HEAP_OPTS:--Xmx256m}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<EOF

Subcommands:
  start          format (first time only) and start the broker in the background; the
                 PLAINTEXT listener is 127.0.0.1:PORT, the KRaft controller 127.0.0.1:PORT+1.
                 DIR (default $DEFAULT_DIR) holds server.properties, the data (DIR/data),
                 the broker's log (DIR/broker.log) and its pid (DIR/broker.pid). Starting
                 again on an existing DIR keeps its topics; remove DIR for a fresh cluster.
                 --partitions sets num.partitions for new topics (default 12: a share group spreads
                 partitions over its consumers, two per worker node; with few partitions the
                 spread is uneven).
  stop           SIGTERM the broker, SIGKILL after 30 s.
  topic          create a topic (if it does not exist yet); PORT defaults to the one DIR's
                 broker was started on, else 9092.
  lag            the share group's state per partition (LAG 0 everywhere: every job produced
                 has been acknowledged by a worker)
  producer-perf  org.apache.kafka.tools.ProducerPerformance with the given arguments, e.g.
                 --topic t --num-records 100000 --record-size 20 --throughput -1
                 --bootstrap-server 127.0.0.1:9092 --command-property acks=all linger.ms=1
                 (4.3 still takes --producer-props but prints a deprecation warning)
  classpath      print the Kafka classpath (to run Kafka's classes from other scripts:
                 java -cp "\$(tools/kafka-broker.sh classpath)" ...)

Environment: KAFKA_HEAP_OPTS (default "-Xms512m -Xmx512m"), KAFKA_JVM_OPTS, TOOLS_HEAP_OPTS.
EOF
}

die() { echo "kafka-broker: $*" >&2; exit 1; }

# --- classpath -------------------------------------------------------------------------
# Resolved once with Maven and cached, keyed by the pom's checksum so that editing the
# pom (e.g. a version bump) re-resolves. Re-resolved too if a cached jar has gone missing
# (a cleaned ~/.m2). Maven's own output goes to stderr so that `classpath` prints only it.
classpath() {
  local sum file
  sum=$(sha256sum "$POM" | cut -c1-16)
  file=$CACHE_DIR/classpath-$sum.txt
  if [[ -s $file ]] && all_jars_exist "$file"; then
    printf '%s\n' "$(<"$file")"; return
  fi
  mkdir -p "$CACHE_DIR"
  # -B: no ANSI colour codes; -q: quiet. Write to a temp file first so an interrupted
  # resolution never leaves a truncated classpath behind.
  mvn -B -q -f "$POM" dependency:build-classpath -Dmdep.outputFile="$file.tmp" >&2 \
    || die "could not resolve the Kafka classpath with Maven ($POM)"
  mv "$file.tmp" "$file"
  printf '%s\n' "$(<"$file")"
}

all_jars_exist() {
  local jar
  while IFS= read -r -d: jar || [[ -n $jar ]]; do
    [[ -f $jar ]] || return 1
  done < "$1"
}

# log4j2 config for the command-line tools: warnings and errors to stderr only, as Kafka's
# own config/tools-log4j2.yaml does (without a config log4j2 prints only errors, with a
# status-logger complaint).
tools_log_config() {
  local f=$CACHE_DIR/tools-log4j2.properties
  mkdir -p "$CACHE_DIR"
  [[ -f $f ]] || cat > "$f" <<'EOF'
status = error
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = STDERR
EOF
  echo "$f"
}

run_tool() {  # run_tool MAIN_CLASS ARGS...: one of Kafka's tools on the cached classpath
  local cp log_config
  cp=$(classpath); log_config=$(tools_log_config)
  # shellcheck disable=SC2086  # the *_OPTS variables are word lists on purpose
  exec java $TOOLS_HEAP_OPTS -Dlog4j2.configurationFile="$log_config" -cp "$cp" "$@"
}

# --- process helpers -------------------------------------------------------------------
# The pid in DIR/broker.pid counts as our broker only if that process is alive AND is a
# kafka.Kafka started with this DIR's server.properties: a stale pid file whose pid has been
# reused by an unrelated process must never be reported as running, nor be signalled.
broker_pid() {  # prints the live broker's pid for DIR, or fails
  local dir=$1 pid
  [[ -f $dir/broker.pid ]] || return 1
  pid=$(<"$dir/broker.pid")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $dir/server.properties" || return 1
  echo "$pid"
}

port_answers() {  # bash's /dev/tcp: something accepts TCP connections on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }

# --- start -----------------------------------------------------------------------------
cmd_start() {
  local port=9092 dir=$DEFAULT_DIR partitions=12
  while (($#)); do
    case $1 in
      --port) port=${2:?--port needs a value}; shift 2 ;;
      --dir) dir=${2:?--dir needs a value}; shift 2 ;;
      --partitions) partitions=${2:?--partitions needs a value}; shift 2 ;;
      *) die "start: unknown argument '$1' (see --help)" ;;
    esac
  done
  [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65535)) || die "bad --port '$port'"
  [[ $partitions =~ ^[0-9]+$ ]] && ((partitions > 0)) || die "bad --partitions '$partitions'"
  dir=$(abs_dir "$dir")
  local cport=$((port + 1)) pid
  if pid=$(broker_pid "$dir"); then
    echo "kafka broker already running (pid $pid, 127.0.0.1:$(cat "$dir/port" 2>/dev/null || echo '?'), data $dir)"
    exit 0
  fi
  # A KRaft controller started with --standalone records its own endpoint (CONTROLLER
  # listener, PORT+1) in the formatted metadata log as the quorum's only voter, so an
  # existing data dir is tied to the port it was formatted for.
  if [[ -f $dir/data/meta.properties && -f $dir/port && $(<"$dir/port") != "$port" ]]; then
    die "$dir was formatted for port $(<"$dir/port"); use --port $(<"$dir/port"), or another --dir, or remove $dir"
  fi
  port_answers "$port" && die "something already listens on 127.0.0.1:$port"
  port_answers "$cport" && die "something already listens on 127.0.0.1:$cport (the controller port, PORT+1)"

  local cp
  cp=$(classpath)

  write_server_properties "$dir" "$port" "$cport" "$partitions"
  write_broker_log_config "$dir"

  if [[ ! -f $dir/data/meta.properties ]]; then
    # Format once: a new cluster id, and --standalone makes this node a single-voter
    # dynamic KRaft quorum (it requires controller.quorum.bootstrap.servers, not
    # controller.quorum.voters). Feature levels default to the newest stable release
    # (metadata.version 4.3-IV0), which in 4.3.1 already includes share.version=1: share
    # groups (KIP-932) are on without --feature (`kafka.tools.StorageTool version-mapping`
    # lists the defaults).
    local cluster_id
    cluster_id=$(java -Xmx128m -Dlog4j2.configurationFile="$(tools_log_config)" -cp "$cp" kafka.tools.StorageTool random-uuid)
    java -Xmx256m -Dlog4j2.configurationFile="$(tools_log_config)" -cp "$cp" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$dir/server.properties" --standalone > "$dir/format.out" 2>&1 \
      || { cat "$dir/format.out" >&2; die "formatting $dir/data failed"; }
  fi
  echo "$port" > "$dir/port"

  # Keep the previous run's log apart: readiness below is detected from this run's log.
  [[ -f $dir/broker.log ]] && mv -f "$dir/broker.log" "$dir/broker.log.prev"
  local started=$SECONDS
  # nohup + background: the broker survives the terminal closing and ignores the Ctrl-C
  # meant for a foreground command. stdout/stderr (JVM warnings, anything printed before
  # log4j2 is up) go to DIR/broker.out; the broker's log4j2 log goes to DIR/broker.log.
  # shellcheck disable=SC2086  # the *_OPTS variables are word lists on purpose
  nohup java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -Dkafka.logs.dir="$dir" \
    -cp "$cp" kafka.Kafka "$dir/server.properties" < /dev/null > "$dir/broker.out" 2>&1 &
  pid=$!
  echo "$pid" > "$dir/broker.pid"

  # Ready = the broker logged "Kafka Server started" (it opens the client listener for
  # requests only once startup has finished) and the port accepts connections.
  local deadline=$((SECONDS + 60))
  until grep -qF 'Kafka Server started' "$dir/broker.log" 2>/dev/null && port_answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$dir/broker.pid"
      { echo "--- $dir/broker.out"; tail -n 20 "$dir/broker.out"
        echo "--- $dir/broker.log"; tail -n 30 "$dir/broker.log" 2>/dev/null || true; } >&2
      die "the broker exited during startup"
    fi
    ((SECONDS < deadline)) || die "the broker (pid $pid) is not up after 60 s; see $dir/broker.log (stop it with: $0 stop --dir $dir)"
    sleep 0.5
  done
  echo "kafka broker on 127.0.0.1:$port (data $dir, log $dir/broker.log) - pid $pid, up in $((SECONDS - started)) s"
}

write_server_properties() {
  local dir=$1 port=$2 cport=$3 partitions=$4
  cat > "$dir/server.properties" <<EOF
# Written by tools/kafka-broker.sh: a single-node KRaft cluster, this node is both the
# broker and the (only) controller.
process.roles=broker,controller
node.id=1
# Dynamic quorum (formatted with --standalone): the controller is found through this.
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data

# Topics: auto-created on first use, with --partitions partitions and one replica.
auto.create.topics.enable=true
num.partitions=$partitions
default.replication.factor=1

# One broker: every internal topic gets replication factor 1 and min ISR 1 (the defaults
# of 3 / 2 would make the group, transaction and share coordinators unavailable).
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer partitions for the internal topics than the default 50 each: quicker to create on
# a 2-core machine, and one broker gains nothing from more coordinator shards.
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
share.coordinator.state.topic.num.partitions=4

# Share groups (KIP-932): how long a delivered record stays locked to the consumer that
# got it before the broker hands it to another one. 15 s (the minimum allowed; default
# 30 s) so that the jobs a killed worker held come back to the others within 15 s.
group.share.record.lock.duration.ms=15000
# A worker that dies keeps its share of the partitions until its session expires (45 s by
# default): 10 s, with heartbeats every 2 s, so the others take over its partitions sooner.
group.share.min.session.timeout.ms=6000
group.share.session.timeout.ms=10000
group.share.min.heartbeat.interval.ms=1000
group.share.heartbeat.interval.ms=2000
# Classic consumer groups: no 3 s wait for more members before the first rebalance.
group.initial.rebalance.delay.ms=0
EOF
}

write_broker_log_config() {
  local dir=$1
  # Kafka 4.x logs through SLF4J -> log4j2 (log4j 1.x/reload4j is gone). One rolling file
  # for everything (server, controller, state-change, request loggers), as Kafka's
  # config/log4j2.yaml does minus the split into several files. Properties format rather
  # than YAML so that it does not depend on jackson-dataformat-yaml being on the classpath.
  cat > "$dir/log4j2.properties" <<EOF
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $dir/broker.log
appender.file.filePattern = $dir/broker.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 100MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
# As in Kafka's own config: the request logger only for warnings.
logger.request.name = kafka.request.logger
logger.request.level = warn
EOF
}

# --- stop ------------------------------------------------------------------------------
cmd_stop() {
  local dir=$DEFAULT_DIR
  while (($#)); do
    case $1 in
      --dir) dir=${2:?--dir needs a value}; shift 2 ;;
      *) die "stop: unknown argument '$1' (see --help)" ;;
    esac
  done
  [[ -d $dir ]] || { echo "no kafka broker running (no $dir)"; return 0; }
  dir=$(cd "$dir" && pwd)
  local pid
  if ! pid=$(broker_pid "$dir"); then
    rm -f "$dir/broker.pid"
    echo "no kafka broker running (data $dir)"
    return 0
  fi
  # SIGTERM runs the broker's controlled shutdown (flushes logs, closes segments cleanly,
  # so the next start needs no log recovery); SIGKILL only if that hangs for 30 s.
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "broker (pid $pid) still running after 30 s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$dir/broker.pid"
  echo "kafka broker stopped (pid $pid, data $dir)"
}

# --- topic -----------------------------------------------------------------------------
cmd_topic() {
  [[ $# -ge 1 && $1 != -* ]] || die "topic: usage: topic NAME [--partitions N] [--port PORT] [--dir DIR]"
  local name=$1 port="" dir=$DEFAULT_DIR partitions=()
  shift
  while (($#)); do
    case $1 in
      --partitions) partitions=(--partitions "${2:?--partitions needs a value}"); shift 2 ;;
      --port) port=${2:?--port needs a value}; shift 2 ;;
      --dir) dir=${2:?--dir needs a value}; shift 2 ;;
      *) die "topic: unknown argument '$1' (see --help)" ;;
    esac
  done
  # Default port: the one DIR's broker was started on, else Kafka's 9092.
  [[ -n $port ]] || port=$(cat "$dir/port" 2>/dev/null || echo 9092)
  # Without --partitions the broker's num.partitions applies; replication factor 1 (the
  # broker's default.replication.factor).
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" \
    --create --if-not-exists --topic "$name" "${partitions[@]}"
}

# --- main ------------------------------------------------------------------------------
# The share group's state per partition: a LAG of 0 everywhere means every job produced so far
# has been acknowledged by some worker (run OK, or rejected after --max-attempts).
cmd_lag() {
  local group=dispatchd port="" dir=$DEFAULT_DIR
  while (($#)); do
    case $1 in
      --group) group=${2:?--group needs a value}; shift 2 ;;
      --port) port=${2:?--port needs a value}; shift 2 ;;
      --dir) dir=${2:?--dir needs a value}; shift 2 ;;
      *) die "lag: unknown argument '$1' (see --help)" ;;
    esac
  done
  [[ -n $port ]] || port=$(cat "$dir/port" 2>/dev/null || echo 9092)
  run_tool org.apache.kafka.tools.consumer.group.ShareGroupCommand --bootstrap-server "127.0.0.1:$port" \
    --describe --group "$group"
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  topic) shift; cmd_topic "$@" ;;
  lag) shift; cmd_lag "$@" ;;
  producer-perf) shift; run_tool org.apache.kafka.tools.ProducerPerformance "$@" ;;
  classpath) shift; (($# == 0)) || die "classpath takes no arguments"; classpath ;;
  -h|--help|help) usage ;;
  "") usage >&2; exit 2 ;;
  *) die "unknown subcommand '$1' (see --help)" ;;
esac
