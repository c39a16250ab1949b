#!/usr/bin/env bash
# Starts and stops each service N times in a row while busy loops keep every
# core loaded, and fails on the first cycle that is not clean. A loaded machine
# is where start-up races show (a readiness check that runs before the service
# has exec'd, a wait that outlives a dead JVM); CI runs a few cycles, a change
# to the scripts deserves many.
#
#   scripts/infra/stress-services.sh N [kafka] [registry] [s3proxy]     (default: all three)
#
# Environment: the services' own (KAFKA_PORT, REGISTRY_PORT, AR_CACHE_DIR, ...);
#   STRESS_LOAD   busy loops to run meanwhile (default: one per core, 0 for none)
set -euo pipefail
SERVICE=stress
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CYCLES="${1:-}"
[[ "$CYCLES" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 N [kafka] [registry] [s3proxy]" >&2; exit 2; }
shift
SERVICES=("$@")
((${#SERVICES[@]} > 0)) || SERVICES=(kafka registry s3proxy)
LOAD="${STRESS_LOAD:-$(nproc)}"

busy=()
script=""
# Interrupted or not, leave no busy loop and no service of ours behind.
cleanup() {
  ((${#busy[@]} == 0)) || kill "${busy[@]}" 2>/dev/null || true
  [[ -z "$script" ]] || bash "$ROOT_DIR/scripts/$script" stop 2> /dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for ((i = 0; i < LOAD; i++)); do
  (while :; do :; done) &
  busy+=($!)
done
log "$LOAD busy loops running, $CYCLES cycles each for: ${SERVICES[*]}"

# One cycle: start, status says running, stop, status says stopped. Prints the start's seconds.
cycle() { # script
  local t0="${EPOCHREALTIME/./}" ms code
  bash "$ROOT_DIR/scripts/$1" start 2>> "$STRESS_LOG" || { log "start failed"; return 1; }
  ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
  printf '%d.%d\n' $((ms / 1000)) $((ms % 1000 / 100))
  bash "$ROOT_DIR/scripts/$1" status 2>> "$STRESS_LOG" || { log "status after start did not say running"; return 1; }
  bash "$ROOT_DIR/scripts/$1" stop 2>> "$STRESS_LOG" || { log "stop failed"; return 1; }
  code=0
  bash "$ROOT_DIR/scripts/$1" status 2>> "$STRESS_LOG" || code=$?
  ((code == 3)) || { log "status after stop exited $code, not 3"; return 1; }
}

failed=0
for name in "${SERVICES[@]}"; do
  case "$name" in
    kafka) script=kafka.sh ;;
    registry) script=schema-registry.sh ;;
    s3proxy) script=s3proxy.sh ;;
    *) die "unknown service $name (kafka, registry or s3proxy)" ;;
  esac
  STRESS_LOG="$(mktemp)"
  times=()
  for ((n = 1; n <= CYCLES; n++)); do
    if ! t="$(cycle "$script")"; then
      tail -n 30 "$STRESS_LOG" >&2
      bash "$ROOT_DIR/scripts/$script" stop 2> /dev/null || true
      log "$name: cycle $n of $CYCLES failed"
      failed=1
      break
    fi
    times+=("$t")
    log "$name: cycle $n of $CYCLES clean (start $t s)"
  done
  rm -f "$STRESS_LOG"
  if ((${#times[@]} == CYCLES)); then
    sorted="$(printf '%s\n' "${times[@]}" | sort -n)"
    log "$name: $CYCLES/$CYCLES cycles clean; start took $(sed -n 1p <<< "$sorted") s min," \
      "$(sed -n "$(((CYCLES + 1) / 2))p" <<< "$sorted") s median, $(tail -n 1 <<< "$sorted") s max"
  fi
done
exit "$failed"
