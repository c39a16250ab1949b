# Shared by kafka.sh and schema-registry.sh: where the cache lives, how we
# start a service detached and recognise "our" process afterwards. Sourced, never run.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Jars, data and logs live here; the folder is git-ignored. AR_CACHE_DIR moves it (CI caches, tmpfs).
CACHE_DIR="${AR_CACHE_DIR:-$ROOT_DIR/.cache}"
MVN=(mvn -B -q -ntp -Dstyle.color=never)

# Runs Maven with its output on stderr, as plain text. Maven 3.8's jansi still
# writes colour resets ("ESC[0m") with -B, -q and -Dstyle.color=never, and no
# jansi property turns them off; strip every escape sequence instead. pipefail
# (set by both scripts) keeps Maven's exit status.
run_mvn() {
  "${MVN[@]}" "$@" 2>&1 | sed -u $'s/\x1b\\[[0-9;]*[A-Za-z]//g' >&2
}

log() { printf '[%s] %s\n' "$SERVICE" "$*" >&2; }

# Copies the runtime jars a pom names into a folder, once: the folder's .complete
# marker says a copy finished, so an interrupted one is redone from scratch.
# Further arguments go to Maven (a -Dversion property picking what to resolve).
fetch_maven_libs() { # what pom libdir [maven args...]
  [[ -f "$3/.complete" ]] && return 0
  require_mvn
  log "resolving $1 from Maven Central into $3 (first run only)"
  rm -rf "$3"
  run_mvn -f "$2" dependency:copy-dependencies -DoutputDirectory="$3" -DincludeScope=runtime "${@:4}"
  touch "$3/.complete"
}
die() { printf '[%s] error: %s\n' "$SERVICE" "$*" >&2; exit 1; }

# True while process $1 exists and its command line carries marker $2. Pids are
# reused, so the pid alone proves nothing; the marker is something only our
# process carries (its config path or port flag). A zombie's command line is
# empty, so a process that died and awaits reaping is not ours either.
pid_has_marker() { # pid marker
  [[ -n "$1" ]] || return 1
  # 2> before <: redirections apply in order, and a vanished pid must fail quietly.
  tr '\0' ' ' 2> /dev/null < "/proc/$1/cmdline" | grep -qF -- "$2"
}

pid_is_ours() { # pidfile marker
  [[ -f "$1" ]] || return 1
  pid_has_marker "$(cat "$1")" "$2"
}

# True while process $1 exists and has not exited (a zombie has exited).
pid_is_running() { # pid
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != [ZX] ]]
}

# True while process $1 is this shell's own child and has not exited. A child's
# pid cannot be taken by anyone else before we reap it, so this also holds
# before the child has exec'd and carries no marker yet.
child_is_running() { # pid
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  read -r -a stat <<< "$stat"
  [[ "${stat[0]}" != [ZX] && "${stat[1]}" == "$$" ]]
}

# Serialises start/stop/restart/clean of one service instance: two callers
# starting the same port at once would otherwise both see "not running" and
# launch two JVMs. Held until the script exits; launch_detached closes the fd
# for the service itself, or the lock would live as long as the JVM.
lock_instance() { # lockfile
  mkdir -p "$(dirname "$1")"
  exec 9> "$1"
  if ! flock -n 9; then
    log "waiting for another start/stop of this instance to finish"
    flock 9
  fi
}

# Starts "$@" in its own session, outliving this script and the test runner
# that called it, and writes its pid to the pid file only once the process is
# recognisably ours. `$!` names the forked subshell, which runs this script's
# command line until it has exec'd setsid -> nohup -> the service; reading
# /proc/$!/cmdline before that point sees "bash kafka.sh start", and a check
# made then would take our own just-started process for a foreign or dead one.
# So wait for the exec (the marker appears: setsid's argv already holds it) or
# for the process to end, whichever comes first. Returns 1 if it ended.
# Needs no job control (scripts run as `bash script`), or setsid would fork.
LAUNCHED_PID=""
launch_detached() { # pidfile marker logfile command...
  local pid_file="$1" marker="$2" log_file="$3" pid i
  shift 3
  setsid nohup "$@" >> "$log_file" 2>&1 < /dev/null 9>&- &
  pid=$!
  LAUNCHED_PID=$pid
  # Bounded only against a marker that never appears (a caller's mistake): exec takes milliseconds.
  for ((i = 0; i < 1200; i++)); do
    if pid_has_marker "$pid" "$marker"; then
      printf '%s\n' "$pid" > "$pid_file.tmp" && mv -f "$pid_file.tmp" "$pid_file"
      return 0
    fi
    pid_is_running "$pid" || return 1
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  log "started process $pid never showed marker $marker in its command line"
  return 1
}

# Waits until probe "$@" succeeds while the process in the pid file stays ours.
# Returns 0 when ready, 2 as soon as the process has exited (no point waiting
# out the timeout for a JVM that failed to bind or ran out of memory), 1 on timeout.
wait_ready() { # pidfile marker seconds probe...
  local pid_file="$1" marker="$2" deadline=$((SECONDS + $3))
  shift 3
  while ((SECONDS < deadline)); do
    pid_is_ours "$pid_file" "$marker" || return 2
    "$@" && return 0
    sleep 0.5
  done
  return 1
}

# The INT/TERM trap of a start: Ctrl-C (or a caller's SIGTERM) at any moment of
# a start leaves nothing running, also in the window before the pid file exists,
# when no later `stop` could find the JVM. The JVM runs in its own session, so
# the terminal's Ctrl-C never reaches it; we pass it on as SIGTERM.
abort_start() { # pidfile
  local i
  trap - INT TERM
  if [[ -n "$LAUNCHED_PID" ]] && child_is_running "$LAUNCHED_PID"; then
    kill -TERM "$LAUNCHED_PID" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      child_is_running "$LAUNCHED_PID" || break
      sleep 0.1
    done
    child_is_running "$LAUNCHED_PID" && kill -KILL "$LAUNCHED_PID" 2>/dev/null
    rm -f "$1"
    log "start interrupted: stopped pid $LAUNCHED_PID"
  else
    log "start interrupted before launching"
  fi
  exit 130
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
  # Checked by marker, not by pid alone: once ours has exited, its pid may belong to someone else.
  for ((i = 0; i < 60; i++)); do
    pid_has_marker "$pid" "$2" || break
    sleep 0.5
  done
  if pid_has_marker "$pid" "$2"; then
    log "still running after 30 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while pid_has_marker "$pid" "$2"; do sleep 0.1; done
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

# The command line every service script takes; the script defines start() first.
# A run directory given last makes `clean` (stop, then remove it) available.
service_command() { # command lockfile pidfile marker where [rundir]
  local command="$1" lock="$2" pid_file="$3" marker="$4" where="$5" run_dir="${6:-}"
  case "$command" in
    start | stop | restart | status) ;;
    clean) [[ -n "$run_dir" ]] || command=usage ;;
    *) command=usage ;;
  esac
  if [[ "$command" == usage ]]; then
    echo "usage: $0 start|stop|status|restart${run_dir:+|clean}" >&2
    exit 2
  fi
  [[ "$command" == status ]] || lock_instance "$lock"
  case "$command" in
    start) start ;;
    stop) stop_pid "$pid_file" "$marker" ;;
    restart) stop_pid "$pid_file" "$marker"; start ;;
    clean) stop_pid "$pid_file" "$marker"; rm -rf "$run_dir"; log "removed $run_dir" ;;
    status)
      if pid_is_ours "$pid_file" "$marker"; then
        log "running on $where (pid $(cat "$pid_file"))"
      else
        log "not running"
        return 3
      fi
      ;;
  esac
}
