#!/usr/bin/env bash
# A real, single-node Apache Kafka (KRaft, broker+controller in one JVM) for
# development and tests, resolved from Maven Central and started with java.
#
#   scripts/kafka.sh start | stop | status | restart | clean
#
# Environment:
#   KAFKA_PORT             PLAINTEXT listener (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener (default KAFKA_PORT+1)
#   KAFKA_SASL_PORT        SASL_PLAINTEXT listener with SCRAM-SHA-256/512 and PLAIN users
#                          (default KAFKA_PORT+2; 0 turns it off). Users, all local test accounts:
#                          audit / audit-secret (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN)
#   KAFKA_HEAP             JVM heap (default 512m)
#   KAFKA_VERSION          the Apache Kafka release (default: <kafka.version> in infra/kafka-pom.xml,
#                          the newest 4.x that runs on Java 17); 3.x releases resolve through
#                          infra/kafka3-pom.xml, as they log through log4j 1 where Kafka 4 uses log4j 2
#   AR_CACHE_DIR           where jars, data and logs go (default ./.cache)
set -euo pipefail
SERVICE=kafka
source "$(dirname "${BASH_SOURCE[0]}")/infra/common.sh"

PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
SASL_PORT="${KAFKA_SASL_PORT:-$((PORT + 2))}"
HEAP="${KAFKA_HEAP:-512m}"
SCRAM_USER=audit
SCRAM_PASSWORD=audit-secret

POM="$ROOT_DIR/scripts/infra/kafka-pom.xml"
VERSION="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")}"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KAFKA_VERSION: \"$VERSION\" is not a release number like 4.1.1"
MAJOR="${VERSION%%.*}"
((MAJOR >= 3)) || die "KAFKA_VERSION: $VERSION is older than 3.x, which this script does not start"
((MAJOR >= 4)) || POM="$ROOT_DIR/scripts/infra/kafka3-pom.xml"

# Jars per version, shared by every port; run state per port, so stop and status find the broker
# whatever KAFKA_VERSION says then. Data per version too: a KRaft log formatted by one release
# cannot be read by an older one, and switching back and forth must not need a `clean`.
LIB_DIR="$CACHE_DIR/kafka/$VERSION/libs"
RUN_DIR="$CACHE_DIR/kafka/$PORT"
DATA_DIR="$RUN_DIR/data-$VERSION"
CONFIG="$RUN_DIR/server.properties"
PID_FILE="$RUN_DIR/kafka.pid"
LOG_FILE="$RUN_DIR/kafka.log"
# The release the running broker is: start compares it with the one asked for.
VERSION_FILE="$RUN_DIR/kafka.version"

fetch_jars() {
  fetch_maven_libs "Apache Kafka $VERSION" "$POM" "$LIB_DIR" -Dkafka.version="$VERSION"
}

# The logging setup the release reads: log4j 2 (an XML file) from Kafka 4 on, log4j 1 properties before.
write_log_config() {
  if ((MAJOR >= 4)); then
    LOG_CONFIG=(-Dlog4j2.configurationFile="file:$RUN_DIR/log4j2.xml")
    cat > "$RUN_DIR/log4j2.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <File name="file" fileName="$RUN_DIR/server.log">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="file"/></Root>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.log.LogCleaner" level="WARN"/>
  </Loggers>
</Configuration>
XML
  else
    LOG_CONFIG=(-Dlog4j.configuration="file:$RUN_DIR/log4j.properties")
    cat > "$RUN_DIR/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$RUN_DIR/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
PROPS
  fi
}

write_config() {
  mkdir -p "$RUN_DIR"
  local listeners="PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
  local advertised="PLAINTEXT://127.0.0.1:$PORT"
  local sasl=""
  if [[ "$SASL_PORT" != 0 ]]; then
    listeners+=",SASL_PLAINTEXT://127.0.0.1:$SASL_PORT"
    advertised+=",SASL_PLAINTEXT://127.0.0.1:$SASL_PORT"
    sasl="sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SCRAM_USER=\"$SCRAM_PASSWORD\";"
  fi
  cat > "$CONFIG" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
$sasl
log.dirs=$DATA_DIR
num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
# One node: every internal topic has one replica, or nothing that needs it (groups, transactions) works.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
min.insync.replicas=1
# Tests join and leave groups all the time; the default 3 s delay would be paid on every join.
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=104857600
message.max.bytes=10485760
PROPS
  write_log_config
}

format_storage() {
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local cluster_id scram=()
  # A KRaft cluster id is 16 random bytes, base64url without padding. One in 64 starts with '-', which
  # StorageTool's argument parser takes for an option (and fails at once): draw again until it does not.
  cluster_id=-
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
  done
  if [[ "$SASL_PORT" != 0 ]]; then
    scram=(--add-scram "SCRAM-SHA-256=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]"
           --add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]")
  fi
  log "formatting KRaft storage in $DATA_DIR"
  java -cp "$LIB_DIR/*" "${LOG_CONFIG[@]}" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" "${scram[@]}" >> "$LOG_FILE" 2>&1 \
    || { tail -n 15 "$LOG_FILE" >&2; die "storage format failed (cluster id $cluster_id), see $LOG_FILE"; }
}

start_failed() { # reason
  tail -n 20 "$RUN_DIR/server.log" "$LOG_FILE" >&2 || true
  stop_pid "$PID_FILE" "$CONFIG"
  die "$1, see $LOG_FILE"
}

start() {
  if pid_is_ours "$PID_FILE" "$CONFIG"; then
    # A test run asking for 3.9 must not pass against the 4.x broker left running on its port.
    local running
    running="$(cat "$VERSION_FILE" 2>/dev/null || echo unknown)"
    [[ "$running" == "$VERSION" ]] || die "Kafka $running is running on 127.0.0.1:$PORT, not $VERSION: stop it first"
    log "already running Apache Kafka $VERSION on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"
    return 0
  fi
  trap 'abort_start "$PID_FILE"' INT TERM
  require_java
  fetch_jars
  write_config
  format_storage
  log "starting on 127.0.0.1:$PORT: Apache Kafka $VERSION (logs: $LOG_FILE)"
  printf '%s\n' "$VERSION" > "$VERSION_FILE"
  launch_detached "$PID_FILE" "$CONFIG" "$LOG_FILE" \
    java -Xms128m -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "${LOG_CONFIG[@]}" -Dkafka.logs.dir="$RUN_DIR" \
    -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG" \
    || start_failed "the broker exited at once"
  local ready=0
  wait_ready "$PID_FILE" "$CONFIG" 90 node "$ROOT_DIR/scripts/infra/kafka-ready.mjs" "127.0.0.1:$PORT" || ready=$?
  case "$ready" in
    0) ;;
    2) start_failed "the broker exited while starting" ;;
    *) start_failed "broker did not answer a metadata request within 90 s" ;;
  esac
  log "ready on 127.0.0.1:$PORT$([[ "$SASL_PORT" != 0 ]] && echo ", SASL on 127.0.0.1:$SASL_PORT")"
}

service_command "${1:-}" "$CACHE_DIR/kafka/$PORT.lock" "$PID_FILE" "$CONFIG" "127.0.0.1:$PORT" "$RUN_DIR"
