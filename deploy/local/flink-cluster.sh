#!/usr/bin/env bash
# A local Flink 2.2 session cluster on 127.0.0.1 without Docker and without flink-dist: one JobManager
# (StandaloneSessionClusterEntrypoint) and N TaskManagers (TaskManagerRunner), each its own JVM, run from the
# Maven-resolved jars listed in deploy/target/flink.classpath (written by the deploy/flink module).
#
#   deploy/local/flink-cluster.sh start|stop|status|restart
#   deploy/local/flink-cluster.sh submit JAR [--class MAIN] [--parallelism N] [-- PROGRAM ARGS...]
#
# start    writes <data dir>/conf/config.yaml (only while the JobManager is down), starts the JobManager and every
#          TaskManager that is not running, and waits until the REST endpoint lists all of them (GET /overview,
#          /taskmanagers). On a running cluster it only (re)starts missing TaskManagers, e.g. after a kill -9.
# stop     SIGTERM to all processes, SIGKILL after FLINK_STOP_TIMEOUT; removes the pid files.
# status   the processes, the REST address and the job overview; exit 3 when the JobManager is not running.
# submit   uploads JAR (POST /jars/upload) and runs it (POST /jars/:id/run); prints the job id. Needs curl.
#
# Environment:
#   FLINK_DATA_DIR        data folder (default <repo>/var/flink): conf/ (config.yaml, memory parameters),
#                         logs/ (jobmanager.log, taskmanager-<i>.log, *.out), *.pid, taskmanager-<i>.id,
#                         checkpoints/, savepoints/, rocksdb/, tmp/ (io.tmp.dirs, blobs, web uploads)
#   FLINK_REST_PORT       REST port (default 8081)
#   FLINK_RPC_PORT        JobManager RPC port (default 6123); TaskManager ports are picked by the OS
#   FLINK_TASKMANAGERS    number of TaskManagers (default 2)
#   FLINK_SLOTS           task slots per TaskManager (default 2)
#   FLINK_JM_MEMORY       jobmanager.memory.process.size (default 1024m)
#   FLINK_TM_MEMORY       taskmanager.memory.process.size (default 1536m)
#   FLINK_METRICS_PORTS   Prometheus endpoints of the JobManager and TaskManagers, on 127.0.0.1: a port range, each
#                         process takes the first free port of it (default 9249-9259); "none" for no endpoint. Flink's
#                         own Prometheus reporter binds every interface, so these run the product's reporter
#                         (dev.igm.metrics.BoundPrometheusReporterFactory: the same metrics, bound to one address)
#   FLINK_PROPERTIES      extra config.yaml lines ("key: value", one a line); a key given here replaces the default
#   FLINK_JVM_OPTS        extra JVM options for every process
#   FLINK_EXTRA_CLASSPATH jars appended to every process's classpath (flink-dist's lib/ equivalent), e.g. native
#                         libraries that must be loaded once per JVM, not once per job class loader
#   FLINK_START_TIMEOUT   seconds to wait for the REST endpoint to list all TaskManagers (default 120)
#   FLINK_STOP_TIMEOUT    seconds to wait for a clean shutdown before SIGKILL (default 30)
#   JAVA_HOME / JAVA      the java to run (default: $JAVA_HOME/bin/java, else java on PATH)
#
# Every process also gets the settings the product's trainers expect (as bin/igm sets them): DJL offline with one
# intra-op thread (-Dai.djl.pytorch.num_threads, override through FLINK_JVM_OPTS), libtorch and JavaCPP caches under
# the data dir, OPENBLAS_NUM_THREADS=1 unless set.
#
# Every command is idempotent: start on a running cluster and stop on a stopped one succeed and say so.
# Exit codes: 0 ok; 1 error; 2 usage; status exits 3 when the cluster is not running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
HOST=127.0.0.1
DATA_DIR="${FLINK_DATA_DIR:-$ROOT/var/flink}"
REST_PORT="${FLINK_REST_PORT:-8081}"
RPC_PORT="${FLINK_RPC_PORT:-6123}"
NUM_TM="${FLINK_TASKMANAGERS:-2}"
SLOTS="${FLINK_SLOTS:-2}"
JM_MEMORY="${FLINK_JM_MEMORY:-1024m}"
TM_MEMORY="${FLINK_TM_MEMORY:-1536m}"
EXTRA_PROPERTIES="${FLINK_PROPERTIES:-}"
METRICS_PORTS="${FLINK_METRICS_PORTS:-9249-9259}"
EXTRA_CLASSPATH="${FLINK_EXTRA_CLASSPATH:-}"
JVM_OPTS="-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 ${FLINK_JVM_OPTS:-}"
START_TIMEOUT="${FLINK_START_TIMEOUT:-120}"
STOP_TIMEOUT="${FLINK_STOP_TIMEOUT:-30}"
if [[ -n "${JAVA:-}" ]]; then :; elif [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
CLASSPATH_FILE="$ROOT/deploy/target/flink.classpath"
LOG4J_CONFIG="$SCRIPT_DIR/log4j-flink.properties"

DATA_DIR="$(realpath -m "$DATA_DIR")"
export OPT_OUT_TRACKING=true OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$DATA_DIR/djl}"
JVM_OPTS="$JVM_OPTS -Dorg.bytedeco.javacpp.cachedir=$DATA_DIR/javacpp"
CONF_DIR="$DATA_DIR/conf"
CONFIG="$CONF_DIR/config.yaml"
LOG_DIR="$DATA_DIR/logs"
TMP_DIR="$DATA_DIR/tmp"
JM_PID_FILE="$DATA_DIR/jobmanager.pid"

# The JVM options flink-dist's config.yaml ships as env.java.opts.all for Java 17 (Kryo, Pekko and RocksDB need them).
JAVA17_OPTS=(--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED)

die() { echo "flink-cluster.sh: $*" >&2; exit 1; }

tm_pid_file() { echo "$DATA_DIR/taskmanager-$1.pid"; }
tm_id_file() { echo "$DATA_DIR/taskmanager-$1.id"; }

log_tail() {
  local f
  for f in "$@"; do
    if [[ -s "$f" ]]; then echo "----- last lines of $f -----" >&2; tail -n 40 "$f" >&2; fi
  done
}

# The pid in pid file $1 if that process runs main class $2 with this data dir's configuration, else nothing.
running_pid() {
  local file="$1" main="$2" pid cmd
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' < "$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *"$main"*"--configDir $CONF_DIR "* || "$cmd" == *"$main"*"--configDir $CONF_DIR" ]] || return 1
  echo "$pid"
}

jm_pid() { running_pid "$JM_PID_FILE" "$JM_CLASS"; }
tm_pid() { running_pid "$(tm_pid_file "$1")" "$TM_CLASS"; }

# A value recorded in the running cluster's config.yaml (flat keys, as this script writes them).
recorded() { sed -n "s/^$1: *//p" "$CONFIG" 2>/dev/null | head -n 1; }

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# GET http://<rest address><path> to stdout (curl if present, else plain bash).
http_get() {
  local port="$1" path="$2"
  if command -v curl >/dev/null; then
    curl -sf --max-time 5 "http://$HOST:$port$path"
    return
  fi
  local body
  body="$(exec 3<>"/dev/tcp/$HOST/$port" && printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$HOST" >&3 && cat <&3)" || return 1
  [[ "$body" == "HTTP/1."?" 200"* ]] || return 1
  printf '%s' "$body" | sed '1,/^\r$/d'
}

json_number() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -n 1; }
json_string() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }

ensure_classpath() {
  if [[ ! -s "$CLASSPATH_FILE" ]]; then
    echo "flink-cluster.sh: $CLASSPATH_FILE missing; resolving the Flink jars with Maven" >&2
    command -v mvn >/dev/null || die "mvn not found; build the deploy modules first (mvn -pl deploy,deploy/prometheus,deploy/flink compile)"
    # compile, not only generate-resources: the classpath lists deploy/prometheus's classes (the metrics reporter)
    mvn -B -ntp -q -f "$ROOT/pom.xml" -pl deploy,deploy/prometheus,deploy/flink compile >&2 \
      || die "mvn -pl deploy,deploy/prometheus,deploy/flink compile failed"
    [[ -s "$CLASSPATH_FILE" ]] || die "$CLASSPATH_FILE still missing after the Maven build"
  fi
  CP="$(cat "$CLASSPATH_FILE")"
  if [[ -n "$EXTRA_CLASSPATH" ]]; then CP="$CP:$EXTRA_CLASSPATH"; fi
}

# config.yaml: the defaults below, each replaced by a FLINK_PROPERTIES line with the same key. Flat keys.
write_config() {
  local -a keys=() values=()
  set_key() {
    local i
    for i in "${!keys[@]}"; do
      if [[ "${keys[$i]}" == "$1" ]]; then values[$i]="$2"; return; fi
    done
    keys+=("$1"); values+=("$2")
  }
  set_key jobmanager.rpc.address "$HOST"
  set_key jobmanager.rpc.port "$RPC_PORT"
  set_key jobmanager.bind-host "$HOST"
  set_key taskmanager.bind-host "$HOST"
  set_key taskmanager.host "$HOST"
  set_key rest.address "$HOST"
  set_key rest.bind-address "$HOST"
  set_key rest.port "$REST_PORT"
  set_key jobmanager.memory.process.size "$JM_MEMORY"
  set_key taskmanager.memory.process.size "$TM_MEMORY"
  set_key taskmanager.numberOfTaskSlots "$SLOTS"
  set_key parallelism.default 2
  # State: RocksDB with incremental checkpoints, everything under the data dir.
  set_key state.backend.type rocksdb
  set_key state.backend.rocksdb.localdir "$DATA_DIR/rocksdb"
  set_key execution.checkpointing.dir "file://$DATA_DIR/checkpoints"
  set_key execution.checkpointing.savepoint-dir "file://$DATA_DIR/savepoints"
  set_key execution.checkpointing.incremental true
  set_key execution.checkpointing.externalized-checkpoint-retention RETAIN_ON_CANCELLATION
  set_key execution.checkpointing.num-retained 3
  # Recovery: restart from the latest checkpoint; a lost TaskManager is noticed within seconds.
  set_key restart-strategy.type fixed-delay
  set_key restart-strategy.fixed-delay.attempts 20
  set_key restart-strategy.fixed-delay.delay "2 s"
  set_key heartbeat.interval 2000
  set_key heartbeat.timeout 15000
  set_key jobmanager.execution.failover-strategy region
  # TaskManagers start together with the JobManager: retry the registration after 1 s, not 10 s.
  set_key cluster.registration.error-delay 1000
  set_key cluster.registration.refused-registration-delay 1000
  # Short project-local temporary folders (RocksDB, the RPC system jar, blobs, uploaded jars).
  set_key io.tmp.dirs "$TMP_DIR"
  set_key blob.storage.directory "$TMP_DIR/blobs"
  set_key web.tmpdir "$TMP_DIR/web"
  set_key web.upload.dir "$TMP_DIR/web-upload"
  set_key web.submit.enable true
  set_key web.cancel.enable true
  # This product's native libraries (libtorch via DJL, OpenBLAS via JavaCPP) are on every process's classpath
  # (deploy/target/flink.classpath) and must be loaded from there: a JVM loads a native library for one class loader
  # only, and a job's class loader is replaced at every failover.
  set_key classloader.parent-first-patterns.additional "ai.djl.;org.bytedeco."
  # Metrics for Prometheus, on loopback like everything else (deploy/prometheus is on the classpath).
  if [[ "$METRICS_PORTS" != none ]]; then
    set_key metrics.reporter.prom.factory.class dev.igm.metrics.BoundPrometheusReporterFactory
    set_key metrics.reporter.prom.bind-address "$HOST"
    set_key metrics.reporter.prom.port "$METRICS_PORTS"
  fi

  local line key value
  while IFS= read -r line; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    [[ "$line" == *:* ]] || die "FLINK_PROPERTIES line without 'key: value': $line"
    key="${line%%:*}"; value="${line#*:}"
    key="${key//[[:space:]]/}"; value="${value#"${value%%[![:space:]]*}"}"
    set_key "$key" "$value"
  done <<< "$EXTRA_PROPERTIES"

  mkdir -p "$CONF_DIR"
  {
    echo "# Written by deploy/local/flink-cluster.sh $(date -u +%Y-%m-%dT%H:%M:%SZ); rewritten at every cluster start."
    local i
    for i in "${!keys[@]}"; do echo "${keys[$i]}: ${values[$i]}"; done
  } > "$CONFIG.tmp"
  mv "$CONFIG.tmp" "$CONFIG"
}

# JVM and dynamic memory parameters, computed from config.yaml by Flink's BashJavaUtils (as flink-dist's
# jobmanager.sh and taskmanager.sh do); kept in conf/ so that a TaskManager restart needs no extra JVM.
compute_memory_params() {
  local which pids=() failed=0
  # Both in parallel (two short JVMs; C1 only): ~2 s instead of ~5 s on 2 cores.
  for which in JM TM; do
    "$JAVA" -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$CP" "-Dlog4j2.configurationFile=$LOG4J_CONFIG" \
      "-Dlog.file=$LOG_DIR/bash-java-utils.log" org.apache.flink.runtime.util.bash.BashJavaUtils \
      "GET_${which}_RESOURCE_PARAMS" --configDir "$CONF_DIR" > "$CONF_DIR/${which,,}.params" 2>&1 &
    pids+=("$!")
  done
  for which in 0 1; do wait "${pids[$which]}" || failed=1; done
  for which in JM TM; do
    local out f="$CONF_DIR/${which,,}.params"
    out="$(sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' "$f")"
    if [[ $failed -ne 0 || "$(printf '%s\n' "$out" | wc -l)" -ne 2 ]]; then
      cat "$f" >&2
      die "BashJavaUtils GET_${which}_RESOURCE_PARAMS failed (memory settings in $CONFIG?)"
    fi
    printf '%s\n' "$out" | sed -n 1p > "$CONF_DIR/${which,,}.jvm"
    printf '%s\n' "$out" | sed -n 2p > "$CONF_DIR/${which,,}.dynamic"
    rm -f "$f"
  done
}

start_jobmanager() {
  local jvm dynamic
  read -r -a jvm < "$CONF_DIR/jm.jvm"
  read -r -a dynamic < "$CONF_DIR/jm.dynamic"
  [[ -f "$LOG_DIR/jobmanager.log" ]] && mv -f "$LOG_DIR/jobmanager.log" "$LOG_DIR/jobmanager.log.previous"
  # shellcheck disable=SC2086
  nohup "$JAVA" "${jvm[@]}" "${JAVA17_OPTS[@]}" -XX:+UseG1GC -Djava.awt.headless=true $JVM_OPTS \
    "-Dlog.file=$LOG_DIR/jobmanager.log" "-Dlog4j.configurationFile=$LOG4J_CONFIG" "-Dlog4j2.configurationFile=$LOG4J_CONFIG" \
    -cp "$CP" "$JM_CLASS" --configDir "$CONF_DIR" --executionMode cluster "${dynamic[@]}" \
    > "$LOG_DIR/jobmanager.out" 2>&1 < /dev/null &
  echo $! > "$JM_PID_FILE"
  STARTED+=("$!")
}

start_taskmanager() {
  local i="$1" jvm dynamic rid
  read -r -a jvm < "$CONF_DIR/tm.jvm"
  read -r -a dynamic < "$CONF_DIR/tm.dynamic"
  # A fresh resource id per start: the REST endpoint lists TaskManagers by it, status maps it to the pid.
  rid="tm-$i-$(date +%s)$((RANDOM % 1000))"
  mkdir -p "$TMP_DIR/tm-$i"
  [[ -f "$LOG_DIR/taskmanager-$i.log" ]] && mv -f "$LOG_DIR/taskmanager-$i.log" "$LOG_DIR/taskmanager-$i.log.previous"
  # shellcheck disable=SC2086
  nohup "$JAVA" "${jvm[@]}" "${JAVA17_OPTS[@]}" -XX:+UseG1GC -Djava.awt.headless=true $JVM_OPTS \
    "-Dlog.file=$LOG_DIR/taskmanager-$i.log" "-Dlog4j.configurationFile=$LOG4J_CONFIG" "-Dlog4j2.configurationFile=$LOG4J_CONFIG" \
    -cp "$CP" "$TM_CLASS" --configDir "$CONF_DIR" "${dynamic[@]}" \
    -D "taskmanager.resource-id=$rid" -D "io.tmp.dirs=$TMP_DIR/tm-$i" \
    > "$LOG_DIR/taskmanager-$i.out" 2>&1 < /dev/null &
  echo $! > "$(tm_pid_file "$i")"
  echo "$rid" > "$(tm_id_file "$i")"
  STARTED+=("$!")
}

# Kills the processes this invocation started (start failed half-way).
kill_started() {
  local pid
  for pid in "${STARTED[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

cmd_start() {
  STARTED=()
  local pid i rest_port expected=() missing
  ensure_classpath
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$TMP_DIR"
  if pid="$(jm_pid)"; then
    echo "JobManager already running (pid $pid, data $DATA_DIR)"
  else
    rm -f "$JM_PID_FILE"
    port_in_use "$REST_PORT" && die "REST port $HOST:$REST_PORT is already in use (set FLINK_REST_PORT)"
    port_in_use "$RPC_PORT" && die "RPC port $HOST:$RPC_PORT is already in use (set FLINK_RPC_PORT)"
    # TaskManagers of an earlier JobManager cannot join a new one's configuration: stop them first.
    for ((i = 1; i <= NUM_TM; i++)); do
      if pid="$(tm_pid "$i")"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    mkdir -p "$DATA_DIR/checkpoints" "$DATA_DIR/savepoints" "$DATA_DIR/rocksdb" "$TMP_DIR/web-upload"
    write_config
    compute_memory_params
    start_jobmanager
    echo "JobManager started (pid $(cat "$JM_PID_FILE"), log $LOG_DIR/jobmanager.log)"
  fi
  rest_port="$(recorded rest.port)"
  for ((i = 1; i <= NUM_TM; i++)); do
    if pid="$(tm_pid "$i")"; then
      echo "TaskManager $i already running (pid $pid, id $(cat "$(tm_id_file "$i")"))"
    else
      rm -f "$(tm_pid_file "$i")"
      start_taskmanager "$i"
      echo "TaskManager $i started (pid $(cat "$(tm_pid_file "$i")"), id $(cat "$(tm_id_file "$i")"), log $LOG_DIR/taskmanager-$i.log)"
    fi
    expected+=("$(cat "$(tm_id_file "$i")")")
  done

  # Ready: the REST endpoint answers, lists every TaskManager of this data dir by its resource id, and
  # /overview counts all their slots.
  local deadline=$((SECONDS + START_TIMEOUT)) tms overview slots
  while :; do
    missing=0
    if tms="$(http_get "$rest_port" /taskmanagers 2>/dev/null)" && overview="$(http_get "$rest_port" /overview 2>/dev/null)"; then
      for i in "${expected[@]}"; do [[ "$tms" == *"\"id\":\"$i\""* ]] || missing=$((missing + 1)); done
      slots="$(printf '%s' "$overview" | json_number slots-total)"
      [[ $missing -eq 0 && "${slots:-0}" -ge $((NUM_TM * $(recorded taskmanager.numberOfTaskSlots))) ]] && break
      [[ $missing -eq 0 ]] && missing=1
    else
      missing=-1
    fi
    if ! jm_pid >/dev/null; then
      log_tail "$LOG_DIR/jobmanager.log" "$LOG_DIR/jobmanager.out"
      kill_started
      die "the JobManager exited during start-up (data $DATA_DIR)"
    fi
    for ((i = 1; i <= NUM_TM; i++)); do
      if ! tm_pid "$i" >/dev/null; then
        log_tail "$LOG_DIR/taskmanager-$i.log" "$LOG_DIR/taskmanager-$i.out"
        kill_started
        die "TaskManager $i exited during start-up (data $DATA_DIR)"
      fi
    done
    if (( SECONDS >= deadline )); then
      log_tail "$LOG_DIR/jobmanager.log" "$LOG_DIR/jobmanager.out" "$LOG_DIR/taskmanager-1.log"
      kill_started
      if [[ $missing -lt 0 ]]; then
        die "the REST endpoint $HOST:$rest_port did not answer within ${START_TIMEOUT}s (data $DATA_DIR)"
      fi
      die "$missing TaskManager(s) did not register within ${START_TIMEOUT}s (data $DATA_DIR)"
    fi
    sleep 0.5
  done
  echo "Flink cluster ready: $NUM_TM TaskManagers, $(printf '%s' "$overview" | json_number slots-total) slots, version $(printf '%s' "$overview" | json_string flink-version)"
  echo "Flink REST endpoint http://$HOST:$rest_port (JobManager RPC $HOST:$(recorded jobmanager.rpc.port))"
  print_metrics_endpoints
}

# The Prometheus endpoints the processes logged (the reporter picks its port at start, from the range).
print_metrics_endpoints() {
  local f url
  for f in "$LOG_DIR/jobmanager.log" "$LOG_DIR"/taskmanager-*.log; do
    [[ -f "$f" ]] || continue
    url="$(grep -o 'Prometheus metrics endpoint http://[^ ]*' "$f" 2>/dev/null | tail -n 1 | sed 's/.* //')" || true
    [[ -n "$url" ]] && echo "Prometheus metrics of $(basename "$f" .log): $url"
  done
  return 0
}

stop_pids() {
  local -a pids=("$@")
  local pid alive deadline=$((SECONDS + STOP_TIMEOUT))
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && return 0
    if (( SECONDS >= deadline )); then
      echo "flink-cluster.sh: processes did not stop within ${STOP_TIMEOUT}s; killing them" >&2
      for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
      sleep 0.5
      return 0
    fi
    sleep 0.2
  done
}

cmd_stop() {
  local pid f i pids=() names=()
  for f in "$DATA_DIR"/taskmanager-*.pid; do
    [[ -e "$f" ]] || continue
    i="${f##*/taskmanager-}"; i="${i%.pid}"
    if pid="$(tm_pid "$i")"; then pids+=("$pid"); names+=("TaskManager $i (pid $pid)"); fi
  done
  if pid="$(jm_pid)"; then pids+=("$pid"); names+=("JobManager (pid $pid)"); fi
  if [[ ${#pids[@]} -eq 0 ]]; then
    rm -f "$DATA_DIR"/*.pid
    echo "Flink cluster not running (data $DATA_DIR)"
    return 0
  fi
  stop_pids "${pids[@]}"
  rm -f "$DATA_DIR"/*.pid
  echo "Flink cluster stopped: ${names[*]} (data $DATA_DIR)"
}

cmd_status() {
  local pid f i jm_running=1 rest_port overview
  if pid="$(jm_pid)"; then
    rest_port="$(recorded rest.port)"
    echo "JobManager running (pid $pid), REST http://$HOST:$rest_port, RPC $HOST:$(recorded jobmanager.rpc.port), data $DATA_DIR"
  else
    jm_running=0
    echo "JobManager not running (data $DATA_DIR)"
  fi
  for f in "$DATA_DIR"/taskmanager-*.pid; do
    [[ -e "$f" ]] || continue
    i="${f##*/taskmanager-}"; i="${i%.pid}"
    if pid="$(tm_pid "$i")"; then
      echo "TaskManager $i running (pid $pid, id $(cat "$(tm_id_file "$i")" 2>/dev/null))"
    else
      echo "TaskManager $i not running"
    fi
  done
  [[ $jm_running -eq 1 ]] || return 3
  if overview="$(http_get "$rest_port" /overview 2>/dev/null)"; then
    echo "REST overview: $(printf '%s' "$overview" | json_number taskmanagers) TaskManagers registered," \
      "$(printf '%s' "$overview" | json_number slots-available)/$(printf '%s' "$overview" | json_number slots-total) slots free," \
      "$(printf '%s' "$overview" | json_number jobs-running) jobs running, $(printf '%s' "$overview" | json_number jobs-finished) finished," \
      "$(printf '%s' "$overview" | json_number jobs-failed) failed"
  else
    echo "REST endpoint http://$HOST:$rest_port not answering"
  fi
  print_metrics_endpoints
}

json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"; s="${s//$'\n'/\\n}"; s="${s//$'\t'/\\t}"; s="${s//$'\r'/\\r}"
  printf '"%s"' "$s"
}

cmd_submit() {
  local jar="" entry="" parallelism="" args=() rest_port response jar_id body sep a
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --class) entry="$2"; shift 2 ;;
      --parallelism) parallelism="$2"; shift 2 ;;
      --) shift; args=("$@"); break ;;
      -*) die "unknown submit option $1" ;;
      *) [[ -z "$jar" ]] || die "submit takes one JAR"; jar="$1"; shift ;;
    esac
  done
  [[ -n "$jar" && -f "$jar" ]] || die "usage: $0 submit JAR [--class MAIN] [--parallelism N] [-- ARGS...] (jar '$jar' not found)"
  command -v curl >/dev/null || die "submit needs curl (or use dev.igm.cluster.FlinkRestClient)"
  jm_pid >/dev/null || die "the cluster is not running (data $DATA_DIR)"
  rest_port="$(recorded rest.port)"
  response="$(curl -sS --max-time 300 -X POST -H 'Expect:' -F "jarfile=@$jar;type=application/x-java-archive" \
              "http://$HOST:$rest_port/jars/upload")" || die "upload of $jar failed: $response"
  jar_id="$(printf '%s' "$response" | json_string filename)"
  jar_id="${jar_id##*/}"
  [[ -n "$jar_id" ]] || die "upload of $jar failed: $response"
  body="{"
  sep=""
  if [[ -n "$entry" ]]; then body+="\"entryClass\":$(json_escape "$entry")"; sep=","; fi
  if [[ -n "$parallelism" ]]; then body+="$sep\"parallelism\":$parallelism"; sep=","; fi
  if [[ ${#args[@]} -gt 0 ]]; then
    body+="$sep\"programArgsList\":["
    local first=1
    for a in "${args[@]}"; do
      [[ $first -eq 1 ]] || body+=","
      body+="$(json_escape "$a")"; first=0
    done
    body+="]"
  fi
  body+="}"
  response="$(curl -sS --max-time 300 -X POST -H 'Content-Type: application/json' -d "$body" \
              "http://$HOST:$rest_port/jars/$jar_id/run")" || die "run of $jar_id failed: $response"
  local job_id
  job_id="$(printf '%s' "$response" | json_string jobid)"
  [[ -n "$job_id" ]] || die "run of $jar_id failed: $response"
  echo "Job $job_id submitted (jar $jar_id); http://$HOST:$rest_port/jobs/$job_id"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  submit) shift; cmd_submit "$@" ;;
  *) echo "usage: $0 start|stop|status|restart|submit JAR [--class MAIN] [--parallelism N] [-- ARGS...]" >&2
     echo "       (env: FLINK_DATA_DIR, FLINK_REST_PORT, FLINK_RPC_PORT, FLINK_TASKMANAGERS, FLINK_SLOTS, FLINK_PROPERTIES)" >&2
     exit 2 ;;
esac
