#!/usr/bin/env bash
# A local single-node Kafka broker (KRaft, combined broker + controller) on 127.0.0.1,
# run from the Maven-resolved jars listed in deploy/target/kafka.classpath (no Docker, no download).
#
#   deploy/local/kafka.sh start|stop|status|restart
#
# Environment:
#   KAFKA_DATA_DIR         data folder (default <repo>/var/kafka): server.properties, logs/server.log,
#                          data/ (log.dirs), kafka.pid, kafka.out
#   KAFKA_PORT             client (PLAINTEXT) port, default 9092
#   KAFKA_CONTROLLER_PORT  KRaft controller port, default 9093
#   KAFKA_HEAP_OPTS        default "-Xms128m -Xmx512m"
#   KAFKA_JVM_OPTS         extra JVM options for the broker
#   KAFKA_NICE             run the broker at this niceness (0-19; default: unchanged). A broker sharing a small
#                          machine with a job it feeds then takes the CPU the job leaves idle (bin/igm bench-train)
#   KAFKA_START_TIMEOUT    seconds to wait for "Kafka Server started" (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait for a clean shutdown before SIGKILL (default 30)
#   JAVA_HOME / JAVA       the java to run (default: $JAVA_HOME/bin/java, else java on PATH)
#
# The broker settings live in deploy/local/server.properties.template (the only copy; the Java
# launcher dev.igm.kafka.LocalKafkaBroker calls this script). Every command is idempotent:
# start on a running broker and stop on a stopped one succeed and say so.
# Exit codes: 0 ok; 1 error; status exits 3 when the broker is not running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/var/kafka}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
JVM_OPTS="${KAFKA_JVM_OPTS:-}"
NICE="${KAFKA_NICE:-}"
if [[ -n "${JAVA:-}" ]]; then :; elif [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

CLASSPATH_FILE="$ROOT/deploy/target/kafka.classpath"
TEMPLATE="$SCRIPT_DIR/server.properties.template"
LOG4J_CONFIG="$SCRIPT_DIR/log4j2-broker.properties"

DATA_DIR="$(realpath -m "$DATA_DIR")"
PROPS="$DATA_DIR/server.properties"
LOG_DIR="$DATA_DIR/logs"
LOG_DIRS="$DATA_DIR/data"
SERVER_LOG="$LOG_DIR/server.log"
OUT_FILE="$DATA_DIR/kafka.out"
PID_FILE="$DATA_DIR/kafka.pid"

die() { echo "kafka.sh: $*" >&2; exit 1; }

log_tail() {
  local f
  for f in "$SERVER_LOG" "$OUT_FILE" "$DATA_DIR/format.log"; do
    if [[ -s "$f" ]]; then echo "----- last lines of $f -----" >&2; tail -n 40 "$f" >&2; fi
  done
}

# The pid from the pid file if that process is a Kafka broker of this data dir, else nothing.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid cmd
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *kafka.Kafka*"$PROPS"* ]] || return 1
  echo "$pid"
}

# The client port of the broker recorded in <data dir>/server.properties (status of a running broker).
recorded_port() {
  sed -n 's/^listeners=PLAINTEXT:\/\/[^:]*:\([0-9]*\).*/\1/p' "$PROPS" 2>/dev/null | head -n 1
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

ensure_classpath() {
  if [[ ! -s "$CLASSPATH_FILE" ]]; then
    echo "kafka.sh: $CLASSPATH_FILE missing; resolving the Kafka jars with Maven" >&2
    command -v mvn >/dev/null || die "mvn not found; build the deploy module first (mvn -pl deploy generate-resources)"
    mvn -B -ntp -q -f "$ROOT/pom.xml" -pl deploy generate-resources >&2 \
      || die "mvn -pl deploy generate-resources failed"
    [[ -s "$CLASSPATH_FILE" ]] || die "$CLASSPATH_FILE still missing after the Maven build"
  fi
  CP="$(cat "$CLASSPATH_FILE")"
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

write_properties() {
  [[ -f "$TEMPLATE" ]] || die "missing $TEMPLATE"
  sed -e "s|@HOST@|$HOST|g" \
      -e "s|@PORT@|$PORT|g" \
      -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@LOG_DIRS@|$(sed_escape "$LOG_DIRS")|g" \
      "$TEMPLATE" > "$PROPS.tmp"
  mv "$PROPS.tmp" "$PROPS"
}

java_base() {
  # shellcheck disable=SC2206
  JAVA_CMD=("$JAVA" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true $JVM_OPTS
            "-Dlog4j2.configurationFile=$LOG4J_CONFIG" "-Dkafka.logs.dir=$LOG_DIR" -cp "$CP")
}

format_storage() {
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then return 0; fi
  local cluster_id="-"
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding (22 characters). Like Kafka's Uuid.randomUuid, never
  # one that starts with '-': the storage tool would read it as an option (1 format in 64 failed that way).
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  java_base
  if ! "${JAVA_CMD[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" --ignore-formatted \
      > "$DATA_DIR/format.log" 2>&1; then
    log_tail
    die "formatting $LOG_DIRS failed (see $DATA_DIR/format.log)"
  fi
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    echo "Kafka already running (pid $pid, data $DATA_DIR)"
    echo "Kafka listening on $HOST:$(recorded_port)"
    return 0
  fi
  [[ -f "$PID_FILE" ]] && rm -f "$PID_FILE"
  port_in_use "$PORT" && die "port $HOST:$PORT is already in use (set KAFKA_PORT)"
  port_in_use "$CONTROLLER_PORT" && die "controller port $HOST:$CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"
  ensure_classpath
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$LOG_DIRS"
  write_properties
  format_storage
  # A fresh server.log, so that the readiness check cannot see an earlier run's line.
  [[ -f "$SERVER_LOG" ]] && mv -f "$SERVER_LOG" "$SERVER_LOG.previous"
  java_base
  local niced=()
  if [[ -n "$NICE" ]]; then
    [[ "$NICE" =~ ^[0-9]+$ && "$NICE" -le 19 ]] || die "KAFKA_NICE must be 0..19, got '$NICE'"
    niced=(nice -n "$NICE")
  fi
  nohup "${niced[@]}" "${JAVA_CMD[@]}" kafka.Kafka "$PROPS" >"$OUT_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$PID_FILE"

  local deadline=$((SECONDS + START_TIMEOUT))
  until grep -q "Kafka Server started" "$SERVER_LOG" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log_tail
      die "the broker exited during start-up (data $DATA_DIR)"
    fi
    if (( SECONDS >= deadline )); then
      log_tail
      kill -TERM "$pid" 2>/dev/null || true
      sleep 2
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      die "the broker did not log 'Kafka Server started' within ${START_TIMEOUT}s (data $DATA_DIR)"
    fi
    sleep 0.2
  done
  echo "Kafka started (pid $pid, data $DATA_DIR, log $SERVER_LOG)"
  echo "Kafka listening on $HOST:$PORT"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "Kafka not running (data $DATA_DIR)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then
      echo "kafka.sh: broker pid $pid did not stop within ${STOP_TIMEOUT}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  echo "Kafka stopped (pid $pid, data $DATA_DIR)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "Kafka running (pid $pid) on $HOST:$(recorded_port), data $DATA_DIR"
    return 0
  fi
  echo "Kafka not running (data $DATA_DIR)"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  *) echo "usage: $0 start|stop|status|restart   (env: KAFKA_DATA_DIR, KAFKA_PORT, KAFKA_CONTROLLER_PORT)" >&2; exit 2 ;;
esac
