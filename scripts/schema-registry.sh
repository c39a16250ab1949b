#!/usr/bin/env bash
# A real Confluent-compatible schema registry for development and tests:
# Apicurio Registry, resolved from Maven Central, in memory, on 127.0.0.1.
# Its Confluent API is at http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7.
#
#   scripts/schema-registry.sh start | stop | status | restart
#
# Environment:
#   REGISTRY_PORT   HTTP port (default 8081)
#   REGISTRY_HEAP   JVM heap (default 384m)
#   AR_CACHE_DIR    where the distribution and logs go (default ./.cache)
set -euo pipefail
SERVICE=registry
source "$(dirname "${BASH_SOURCE[0]}")/infra/common.sh"

PORT="${REGISTRY_PORT:-8081}"
HEAP="${REGISTRY_HEAP:-384m}"
VERSION="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$ROOT_DIR/scripts/infra/registry-pom.xml")"
DIST_DIR="$CACHE_DIR/registry/apicurio-$VERSION"
RUN_DIR="$CACHE_DIR/registry/$PORT"
PID_FILE="$RUN_DIR/registry.pid"
LOG_FILE="$RUN_DIR/registry.log"
MARKER="-Dquarkus.http.port=$PORT"
BASE_URL="http://127.0.0.1:$PORT"

fetch_dist() {
  [[ -f "$DIST_DIR/.complete" ]] && return 0
  require_mvn
  log "resolving Apicurio Registry $VERSION from Maven Central (first run only)"
  rm -rf "$DIST_DIR" && mkdir -p "$DIST_DIR"
  # dependency:get 2.8 with transitive=false: the artifact's parent pom was never published to
  # Maven Central, and newer plugin versions refuse to resolve the file without it.
  run_mvn org.apache.maven.plugins:maven-dependency-plugin:2.8:get -Dtransitive=false \
    -Dartifact="io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all" \
    -Ddest="$DIST_DIR/apicurio-registry-app-$VERSION-all.tar.gz"
  tar -xzf "$DIST_DIR"/apicurio-registry-app-*-all.tar.gz -C "$DIST_DIR"
  rm -f "$DIST_DIR"/apicurio-registry-app-*-all.tar.gz
  touch "$DIST_DIR/.complete"
}

start_failed() { # reason
  tail -n 30 "$LOG_FILE" >&2 || true
  stop_pid "$PID_FILE" "$MARKER"
  die "$1, see $LOG_FILE"
}

start() {
  if pid_is_ours "$PID_FILE" "$MARKER"; then
    log "already running on $BASE_URL (pid $(cat "$PID_FILE"))"
    return 0
  fi
  trap 'abort_start "$PID_FILE"' INT TERM
  require_java
  command -v curl >/dev/null || die "curl not found (Debian: apt-get install curl)"
  fetch_dist
  mkdir -p "$RUN_DIR"
  log "starting Apicurio Registry $VERSION on $BASE_URL (logs: $LOG_FILE)"
  # In-memory storage is the distribution's default: schemas live as long as the process.
  launch_detached "$PID_FILE" "$MARKER" "$LOG_FILE" \
    java -Xms64m -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 "$MARKER" \
    -Dquarkus.log.console.format='%d{HH:mm:ss} %-5p [%c{2.}] %s%e%n' \
    -jar "$DIST_DIR/apicurio-registry-app-$VERSION-runner.jar" \
    || start_failed "the registry exited at once"
  local ready=0
  wait_ready "$PID_FILE" "$MARKER" 90 curl -fs -o /dev/null "$BASE_URL/health/ready" || ready=$?
  case "$ready" in
    0) ;;
    2) start_failed "the registry exited while starting" ;;
    *) start_failed "registry not ready within 90 s" ;;
  esac
  # Confluent's default global rule, so a consumer of our output topics can rely on it.
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' \
    -d '{"compatibility":"BACKWARD"}' "$BASE_URL/apis/ccompat/v7/config" \
    || die "could not set global compatibility BACKWARD"
  log "ready: $BASE_URL/apis/ccompat/v7 (global compatibility BACKWARD)"
}

service_command "${1:-}" "$CACHE_DIR/registry/$PORT.lock" "$PID_FILE" "$MARKER" "$BASE_URL"
