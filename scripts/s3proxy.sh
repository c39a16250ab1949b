#!/usr/bin/env bash
# A real S3-compatible object store for development and tests: S3Proxy with
# its filesystem backend, resolved from Maven Central and started with java.
# Objects live under the run folder and survive a restart (tests stop and
# start it to simulate an outage).
#
#   scripts/s3proxy.sh start | stop | status | restart | clean
#
# Environment:
#   S3PROXY_PORT   HTTP port on 127.0.0.1 (default 8080)
#   S3PROXY_HEAP   JVM heap (default 256m)
#   AR_CACHE_DIR   where jars, objects and logs go (default ./.cache)
#
# Credentials, a local test account (AWS signature v2 or v4, any region):
#   access key id     local-identity
#   secret access key local-credential
set -euo pipefail
SERVICE=s3proxy
source "$(dirname "${BASH_SOURCE[0]}")/infra/common.sh"

PORT="${S3PROXY_PORT:-8080}"
HEAP="${S3PROXY_HEAP:-256m}"
IDENTITY=local-identity
CREDENTIAL=local-credential

# One folder per S3Proxy version: the jar cache is shared, and a checkout on another version must not reuse it.
VERSION="$(grep -A1 '<artifactId>s3proxy</artifactId>' "$ROOT_DIR/scripts/infra/s3proxy-pom.xml" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p')"
LIB_DIR="$CACHE_DIR/s3proxy/libs-$VERSION"
RUN_DIR="$CACHE_DIR/s3proxy/$PORT"
DATA_DIR="$RUN_DIR/data"
CONFIG="$RUN_DIR/s3proxy.properties"
PID_FILE="$RUN_DIR/s3proxy.pid"
LOG_FILE="$RUN_DIR/s3proxy.log"
ENDPOINT="http://127.0.0.1:$PORT"

fetch_jars() {
  fetch_maven_libs "S3Proxy" "$ROOT_DIR/scripts/infra/s3proxy-pom.xml" "$LIB_DIR"
}

write_config() {
  mkdir -p "$DATA_DIR"
  cat > "$CONFIG" <<PROPS
s3proxy.endpoint=$ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$IDENTITY
s3proxy.credential=$CREDENTIAL
# Object Lock and server-side encryption headers have no meaning on a local folder: accept and ignore them.
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$DATA_DIR
PROPS
  # Without a config of its own, S3Proxy logs every request at DEBUG.
  cat > "$RUN_DIR/logback.xml" <<XML
<configuration>
  <appender name="file" class="ch.qos.logback.core.FileAppender">
    <file>$RUN_DIR/server.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%logger{20}] %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="file"/></root>
  <logger name="org.gaul.s3proxy" level="INFO"/>
</configuration>
XML
}

# Any HTTP answer will do: an unsigned request is refused with 403 once it serves S3.
answers_http() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/" 2>/dev/null)" != 000 ]]
}

start_failed() { # reason
  tail -n 30 "$LOG_FILE" "$RUN_DIR/server.log" >&2 || true
  stop_pid "$PID_FILE" "$CONFIG"
  die "$1, see $LOG_FILE"
}

start() {
  if pid_is_ours "$PID_FILE" "$CONFIG"; then
    log "already running on $ENDPOINT (pid $(cat "$PID_FILE"))"
    return 0
  fi
  trap 'abort_start "$PID_FILE"' INT TERM
  require_java
  command -v curl >/dev/null || die "curl not found (Debian: apt-get install curl)"
  fetch_jars
  write_config
  log "starting on $ENDPOINT (logs: $LOG_FILE)"
  # Detached: the store must outlive the shell (and test runner) that started it.
  launch_detached "$PID_FILE" "$CONFIG" "$LOG_FILE" \
    java -Xms64m -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dlogback.configurationFile="$RUN_DIR/logback.xml" \
    -cp "$LIB_DIR/*" org.gaul.s3proxy.Main --properties "$CONFIG" \
    || start_failed "S3Proxy exited at once"
  local ready=0
  wait_ready "$PID_FILE" "$CONFIG" 60 answers_http || ready=$?
  case "$ready" in
    0) ;;
    2) start_failed "S3Proxy exited while starting" ;;
    *) start_failed "S3Proxy did not answer within 60 s" ;;
  esac
  log "ready: $ENDPOINT (access key $IDENTITY)"
}

service_command "${1:-}" "$CACHE_DIR/s3proxy/$PORT.lock" "$PID_FILE" "$CONFIG" "$ENDPOINT" "$RUN_DIR"
