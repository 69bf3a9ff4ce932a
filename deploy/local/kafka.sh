#!/usr/bin/env bash
# A local single-node Kafka broker (KRaft, combined broker + controller) on 127.0.0.1,
# run from the Maven-resolved jars listed in deploy/target/kafka.classpath (no Docker, no download).
#
#   deploy/local/kafka.sh start|stop|status|restart
#
# Environment:
#   KAFKA_DATA_DIR         data folder (default <repo>/var/kafka): server.properties, logs/server.log,
#                          data/ (log.dirs), kafka.pid, kafka.out
#   KAFKA_PORT             client port, default 9092 (PLAINTEXT, or SASL_SSL with KAFKA_SECURITY=sasl_ssl)
#   KAFKA_CONTROLLER_PORT  KRaft controller port, default 9093
#   KAFKA_HEAP_OPTS        default "-Xms128m -Xmx512m"
#   KAFKA_JVM_OPTS         extra JVM options for the broker
#   KAFKA_NICE             run the broker at this niceness (0-19; default: unchanged). A broker sharing a small
#                          machine with a job it feeds then takes the CPU the job leaves idle (bin/igm bench-train)
#   KAFKA_SECURITY         plaintext (default) or sasl_ssl: the client listener then takes TLS with SASL/SCRAM-SHA-512.
#                          On first start of a data dir the script makes a private CA and a certificate for 127.0.0.1
#                          and localhost with the JDK's keytool (KAFKA_TLS_DIR, default <data dir>/tls: broker.p12,
#                          truststore.p12, store.password; put your own there to use them), random passwords for the
#                          broker's own user "admin" and for KAFKA_SCRAM_USER (<data dir>/secrets, mode 600), creates
#                          both SCRAM users when it formats the storage, and writes <data dir>/client.properties: what a
#                          client needs (--kafka-properties-file). A data dir keeps the mode it was formatted with.
#   KAFKA_SCRAM_USER       the client user of sasl_ssl mode (default igm)
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
SECURITY="${KAFKA_SECURITY:-plaintext}"
SCRAM_USER="${KAFKA_SCRAM_USER:-igm}"
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
TLS_DIR="$(realpath -m "${KAFKA_TLS_DIR:-$DATA_DIR/tls}")"
SECRETS_DIR="$DATA_DIR/secrets"
CLIENT_PROPS="$DATA_DIR/client.properties"
MODE_FILE="$DATA_DIR/security.mode"
case "$SECURITY" in
  plaintext) PROTOCOL=PLAINTEXT ;;
  sasl_ssl) PROTOCOL=SASL_SSL ;;
  *) echo "kafka.sh: KAFKA_SECURITY must be plaintext or sasl_ssl, got '$SECURITY'" >&2; exit 2 ;;
esac
[[ "$SCRAM_USER" =~ ^[A-Za-z0-9_.-]+$ && "$SCRAM_USER" != admin ]] \
  || { echo "kafka.sh: KAFKA_SCRAM_USER must be [A-Za-z0-9_.-]+ and not admin, got '$SCRAM_USER'" >&2; exit 2; }

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
  sed -n 's/^listeners=[A-Z_]*:\/\/[^:]*:\([0-9]*\).*/\1/p' "$PROPS" 2>/dev/null | head -n 1
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

# 24 random letters and digits (no character that a properties file, JAAS or keytool would read specially).
random_secret() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

# sasl_ssl: a private CA and a broker certificate for 127.0.0.1 and localhost (clients verify the host name), made once
# per TLS dir with the JDK's keytool. Passwords go to keytool through the environment, never on its command line.
ensure_tls() {
  if [[ -s "$TLS_DIR/broker.p12" && -s "$TLS_DIR/truststore.p12" && -s "$TLS_DIR/store.password" ]]; then return 0; fi
  local keytool log="$DATA_DIR/tls.log"
  keytool="$(dirname "$JAVA")/keytool"
  [[ -x "$keytool" ]] || keytool="$(command -v keytool)" || die "keytool not found (it comes with the JDK; set JAVA_HOME)"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  rm -f "$TLS_DIR"/{ca.p12,ca.pem,broker.p12,broker.csr,broker.pem,truststore.p12}
  (umask 077; random_secret > "$TLS_DIR/store.password")
  local -a pw=(-storepass:env IGM_KAFKA_STOREPASS)
  if ! (
    export IGM_KAFKA_STOREPASS; IGM_KAFKA_STOREPASS="$(cat "$TLS_DIR/store.password")"
    set -e
    cd "$TLS_DIR"
    "$keytool" -genkeypair -alias ca -dname "CN=IGM local Kafka CA" -keyalg RSA -keysize 2048 -validity 825 \
      -ext bc:c -storetype PKCS12 -keystore ca.p12 "${pw[@]}" -keypass:env IGM_KAFKA_STOREPASS
    "$keytool" -exportcert -rfc -alias ca -keystore ca.p12 "${pw[@]}" -file ca.pem
    "$keytool" -genkeypair -alias broker -dname "CN=localhost" -keyalg RSA -keysize 2048 -validity 825 \
      -storetype PKCS12 -keystore broker.p12 "${pw[@]}" -keypass:env IGM_KAFKA_STOREPASS
    "$keytool" -certreq -alias broker -keystore broker.p12 "${pw[@]}" -file broker.csr
    "$keytool" -gencert -alias ca -keystore ca.p12 "${pw[@]}" -infile broker.csr -outfile broker.pem -rfc -validity 825 \
      -ext "SAN=IP:$HOST,DNS:localhost" -ext KU=digitalSignature,keyEncipherment -ext EKU=serverAuth,clientAuth
    "$keytool" -importcert -noprompt -alias ca -file ca.pem -keystore broker.p12 "${pw[@]}"
    "$keytool" -importcert -noprompt -alias broker -file broker.pem -keystore broker.p12 "${pw[@]}"
    "$keytool" -importcert -noprompt -alias ca -file ca.pem -storetype PKCS12 -keystore truststore.p12 "${pw[@]}"
    rm -f broker.csr broker.pem
  ) > "$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$TLS_DIR/broker.p12" "$TLS_DIR/truststore.p12"
    die "making the TLS certificates in $TLS_DIR failed (see $log)"
  fi
  chmod 600 "$TLS_DIR"/*
}

# sasl_ssl: the SCRAM passwords of the broker's own user (admin) and of the client user, made once per data dir.
ensure_secrets() {
  local u
  mkdir -p "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR"
  for u in admin "$SCRAM_USER"; do
    [[ -s "$SECRETS_DIR/$u.password" ]] || (umask 077; random_secret > "$SECRETS_DIR/$u.password")
  done
}

scram_jaas() {
  printf 'org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";' \
    "$1" "$(cat "$SECRETS_DIR/$1.password")"
}

write_properties() {
  [[ -f "$TEMPLATE" ]] || die "missing $TEMPLATE"
  (umask 077; : > "$PROPS.tmp")
  sed -e "s|@HOST@|$HOST|g" \
      -e "s|@PORT@|$PORT|g" \
      -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@PROTOCOL@|$PROTOCOL|g" \
      -e "s|@LOG_DIRS@|$(sed_escape "$LOG_DIRS")|g" \
      "$TEMPLATE" >> "$PROPS.tmp"
  if [[ "$SECURITY" == sasl_ssl ]]; then
    local storepass
    storepass="$(cat "$TLS_DIR/store.password")"
    cat >> "$PROPS.tmp" <<PROPERTIES

# KAFKA_SECURITY=sasl_ssl (written by kafka.sh): TLS with the certificate in $TLS_DIR, SASL/SCRAM-SHA-512 users
# created when the storage was formatted; the broker authenticates to itself as admin.
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$(scram_jaas admin)
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/broker.p12
ssl.keystore.password=$storepass
ssl.key.password=$storepass
ssl.truststore.type=PKCS12
ssl.truststore.location=$TLS_DIR/truststore.p12
ssl.truststore.password=$storepass
ssl.client.auth=none
PROPERTIES
  fi
  mv "$PROPS.tmp" "$PROPS"
}

# What a client of this broker needs (igm ... --kafka-properties-file <data dir>/client.properties); sasl_ssl only.
write_client_properties() {
  if [[ "$SECURITY" != sasl_ssl ]]; then rm -f "$CLIENT_PROPS"; return 0; fi
  (umask 077; cat > "$CLIENT_PROPS.tmp" <<PROPERTIES
# Client settings for the local Kafka broker at $HOST:$PORT (written by deploy/local/kafka.sh, KAFKA_SECURITY=sasl_ssl)
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$(scram_jaas "$SCRAM_USER")
ssl.truststore.type=PKCS12
ssl.truststore.location=$TLS_DIR/truststore.p12
ssl.truststore.password=$(cat "$TLS_DIR/store.password")
PROPERTIES
  )
  mv "$CLIENT_PROPS.tmp" "$CLIENT_PROPS"
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
  local -a scram=()
  if [[ "$SECURITY" == sasl_ssl ]]; then
    # The SCRAM users exist from the first start on (KRaft keeps them in the metadata log). The storage tool takes
    # them only as arguments: the passwords are on its command line for the second it runs, on this machine.
    scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$(cat "$SECRETS_DIR/admin.password")]"
           --add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$(cat "$SECRETS_DIR/$SCRAM_USER.password")]")
  fi
  if ! "${JAVA_CMD[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" --ignore-formatted "${scram[@]}" \
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
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    local formatted
    formatted="$(cat "$MODE_FILE" 2>/dev/null || echo plaintext)"
    [[ "$formatted" == "$SECURITY" ]] \
      || die "$DATA_DIR was formatted with KAFKA_SECURITY=$formatted, not $SECURITY; use another KAFKA_DATA_DIR"
  fi
  if [[ "$SECURITY" == sasl_ssl ]]; then
    ensure_tls
    ensure_secrets
  fi
  write_properties
  format_storage
  echo "$SECURITY" > "$MODE_FILE"
  write_client_properties
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
  if [[ "$SECURITY" == sasl_ssl ]]; then
    echo "Kafka listener is SASL_SSL (SCRAM-SHA-512, user $SCRAM_USER); client settings in $CLIENT_PROPS"
  fi
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
    echo "Kafka running (pid $pid) on $HOST:$(recorded_port) ($(cat "$MODE_FILE" 2>/dev/null || echo plaintext)), data $DATA_DIR"
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
