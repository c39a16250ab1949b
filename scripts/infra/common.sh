# Shared by kafka.sh and schema-registry.sh: where the cache lives and how we
# recognise "our" processes. Sourced, never run.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Jars, data and logs live here; the folder is git-ignored. AR_CACHE_DIR moves it (CI caches, tmpfs).
CACHE_DIR="${AR_CACHE_DIR:-$ROOT_DIR/.cache}"
MVN=(mvn -B -q -ntp -Dstyle.color=never)

log() { printf '[%s] %s\n' "$SERVICE" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$SERVICE" "$*" >&2; exit 1; }

# A pid file only proves something if the process behind it is still the one we
# started: pids are reused, so also match the command line against a marker
# that only our process carries.
pid_is_ours() { # pidfile marker
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}

stop_pid() { # pidfile marker
  local pid i
  if ! pid_is_ours "$1" "$2"; then
    rm -f "$1"
    log "not running"
    return 0
  fi
  pid="$(cat "$1")"
  kill -TERM "$pid"
  # A broker flushes logs and resigns from the quorum on SIGTERM; give it time, then insist.
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 30 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
  log "stopped (pid $pid)"
}

require_java() {
  command -v java >/dev/null || die "java not found: install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless)"
}
require_mvn() {
  command -v mvn >/dev/null || die "mvn not found: install Maven (Debian: apt-get install maven)"
}
