import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers/wait.js';

// The process helpers of scripts/infra/common.sh, run for real with bash and
// real processes whose exec into "their" command line is deliberately late.

const COMMON = fileURLToPath(new URL('../../scripts/infra/common.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ar-launch-'));
const launched: number[] = [];

after(() => {
  for (const pid of launched) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a bash snippet with common.sh sourced. Values travel in the environment,
 * never in the snippet's text: the snippet's own command line is what a
 * just-forked child shows before it execs, so a marker written there would hide
 * the very race under test.
 */
function sh(script: string, env: Record<string, string> = {}): { code: number | null; stderr: string } {
  const result = spawnSync('bash', ['-c', `set -euo pipefail; SERVICE=test; source "$COMMON"; ${script}`], {
    env: { ...process.env, COMMON, ...env },
    encoding: 'utf8',
    // spawnSync blocks the event loop, so node:test's own timeout could never fire: a hung script would hang the suite.
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

/** A token and the marker only the exec'd process carries: "fake-<token>" appears in no argv before the exec. */
function delayed(): { token: string; marker: string; pidFile: string } {
  const token = randomBytes(6).toString('hex');
  return { token, marker: `fake-${token}`, pidFile: join(dir, `${token}.pid`) };
}

const LATE_EXEC = 'sleep 0.3; exec -a "fake-$0" sleep 300';

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

test('launch_detached records the pid only once the process carries its marker', { timeout: 60_000 }, () => {
  for (let i = 0; i < 10; i++) {
    const { token, marker, pidFile } = delayed();
    const run = sh('launch_detached "$PIDFILE" "$MARKER" /dev/null bash -c "$LATE" "$TOKEN"; pid_is_ours "$PIDFILE" "$MARKER"', {
      PIDFILE: pidFile,
      MARKER: marker,
      TOKEN: token,
      LATE: LATE_EXEC,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    launched.push(pid);
    assert.equal(run.code, 0, `round ${i}: our own just-started process was not recognised: ${run.stderr}`);
    assert.ok(cmdline(pid).includes(marker), `round ${i}: pid ${pid} is not the marked process`);
  }
});

test('launch_detached fails, and writes no pid file, when the command exits at once', () => {
  const { marker, pidFile } = delayed();
  const run = sh('launch_detached "$PIDFILE" "$MARKER" /dev/null bash -c "exit 3"', { PIDFILE: pidFile, MARKER: marker });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(existsSync(pidFile), false);
});

test('wait_ready returns 2 as soon as the started process dies, not at the timeout', { timeout: 60_000 }, () => {
  const { token, marker, pidFile } = delayed();
  // Lives half a second, never becomes ready; the 600 s timeout would outlast the test's own.
  const run = sh(
    'launch_detached "$PIDFILE" "$MARKER" /dev/null bash -c "$SHORT" "$TOKEN"; rc=0; wait_ready "$PIDFILE" "$MARKER" 600 false || rc=$?; exit $rc',
    { PIDFILE: pidFile, MARKER: marker, TOKEN: token, SHORT: 'exec -a "fake-$0" sleep 0.5' },
  );
  assert.equal(run.code, 2, run.stderr);
});

test('wait_ready returns 0 once the probe succeeds while the process lives', { timeout: 60_000 }, () => {
  const { token, marker, pidFile } = delayed();
  const ready = join(dir, `${token}.ready`);
  const run = sh(
    'launch_detached "$PIDFILE" "$MARKER" /dev/null bash -c "$LATE" "$TOKEN"; touch "$READY"; wait_ready "$PIDFILE" "$MARKER" 60 test -f "$READY"',
    { PIDFILE: pidFile, MARKER: marker, TOKEN: token, LATE: LATE_EXEC, READY: ready },
  );
  launched.push(Number(readFileSync(pidFile, 'utf8')));
  assert.equal(run.code, 0, run.stderr);
});

test('the started service does not inherit the instance lock', { timeout: 60_000 }, () => {
  const { token, marker, pidFile } = delayed();
  const lock = join(dir, `${token}.lock`);
  const start = sh('lock_instance "$LOCK"; launch_detached "$PIDFILE" "$MARKER" /dev/null bash -c "$LATE" "$TOKEN"', {
    LOCK: lock,
    PIDFILE: pidFile,
    MARKER: marker,
    TOKEN: token,
    LATE: LATE_EXEC,
  });
  assert.equal(start.code, 0, start.stderr);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  launched.push(pid);
  // The starter has exited; its service still runs and must not keep the next start/stop waiting.
  assert.ok(cmdline(pid).includes(marker));
  const next = spawnSync('flock', ['-n', lock, 'true']);
  assert.equal(next.status, 0, 'the lock is still held after the starting script exited');
});

test('a second caller waits for the lock holder', { timeout: 60_000 }, () => {
  const lock = join(dir, 'held.lock');
  const release = join(dir, 'held.release');
  // The holder keeps the lock until the waiter has said it waits, which proves the order without timing.
  const run = sh(
    `( lock_instance "$LOCK"; while [[ ! -f "$RELEASE" ]]; do sleep 0.05; done ) &
     holder=$!
     until ! flock -n "$LOCK" true; do kill -0 "$holder" || exit 9; sleep 0.05; done
     { lock_instance "$LOCK"; echo acquired; } 2> >(while read -r line; do echo "$line" >&2; touch "$RELEASE"; done)
     wait "$holder"`,
    { LOCK: lock, RELEASE: release },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /waiting for another start\/stop/);
});

test('stop_pid leaves alone a process whose pid was recorded but which is not ours', { timeout: 60_000 }, () => {
  const { marker, pidFile } = delayed();
  const foreign = sh('sleep 300 > /dev/null 2>&1 & echo $! > "$PIDFILE"', { PIDFILE: pidFile });
  assert.equal(foreign.code, 0, foreign.stderr);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  launched.push(pid);
  const stop = sh('stop_pid "$PIDFILE" "$MARKER"', { PIDFILE: pidFile, MARKER: marker });
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stderr, /not running/);
  assert.ok(cmdline(pid).includes('sleep 300'), 'the foreign process was killed');
});

/** Pids whose command line contains `text`. */
function pidsWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && cmdline(Number(entry)).includes(text))
    .map(Number);
}

/** Starts a bash snippet (common.sh sourced, a start's INT/TERM trap set) without waiting for it. */
function startScript(script: string, env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(
    'bash',
    ['-c', `set -euo pipefail; SERVICE=test; source "$COMMON"; trap 'abort_start "$PIDFILE"' INT TERM; ${script}`],
    {
      env: { ...process.env, COMMON, ...env },
      stdio: 'ignore',
    },
  );
  return { child, exited: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

test('a start interrupted before its process has exec’d (no pid file yet) stops that process', { timeout: 60_000 }, async () => {
  const { token, marker, pidFile } = delayed();
  const run = startScript(
    'launch_detached "$PIDFILE" "$MARKER" /dev/null bash -c "$SLOW" "$TOKEN"; wait_ready "$PIDFILE" "$MARKER" 600 false',
    {
      PIDFILE: pidFile,
      MARKER: marker,
      TOKEN: token,
      SLOW: 'sleep 30; exec -a "fake-$0" sleep 300',
    },
  );
  // The launched process is there (its pre-exec command line names the token), the pid file is not.
  // Recognised by its own command (setsid/nohup/bash with the slow script and the token), not by the token alone:
  // under load the script must already be past its trap when it is interrupted, or the test judges the wrong moment.
  // An empty list is truthy: wait for a pid, not for a list, or the script is interrupted before it set its trap.
  const launchedPid = await waitFor(() => pidsWith(token).find((p) => p !== run.child.pid && cmdline(p).includes('sleep 30; exec')), {
    what: 'the launched process',
  });
  launched.push(launchedPid);
  assert.equal(existsSync(pidFile), false);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 130);
  await waitFor(() => pidsWith(token).length === 0, { what: `the launched process ${launchedPid} to end` });
});

test('a start interrupted while waiting for readiness stops the started process', { timeout: 60_000 }, async () => {
  const { token, marker, pidFile } = delayed();
  const run = startScript(
    'launch_detached "$PIDFILE" "$MARKER" /dev/null bash -c "$LATE" "$TOKEN"; wait_ready "$PIDFILE" "$MARKER" 600 false',
    {
      PIDFILE: pidFile,
      MARKER: marker,
      TOKEN: token,
      LATE: LATE_EXEC,
    },
  );
  await waitFor(() => existsSync(pidFile), { what: 'the pid file' });
  const pid = Number(readFileSync(pidFile, 'utf8'));
  launched.push(pid);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 130);
  await waitFor(() => !cmdline(pid).includes(marker), { what: `process ${pid} to end` });
  assert.equal(existsSync(pidFile), false);
});
