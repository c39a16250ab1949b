import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The scripts' Maven runs print into CI logs and terminals: plain text only.
// Maven 3.8 writes "ESC[0m" even in batch mode with colour off (see run_mvn).

const root = fileURLToPath(new URL('../..', import.meta.url));

function runMvn(goal: string): { code: number | null; stderr: string; stdout: string } {
  const result = spawnSync(
    'bash',
    ['-c', 'set -euo pipefail; SERVICE=test; source scripts/infra/common.sh; run_mvn -f scripts/infra/kafka-pom.xml "$GOAL"'],
    {
      cwd: root,
      env: { ...process.env, GOAL: goal },
      encoding: 'utf8',
      // spawnSync blocks the event loop, so node:test's own timeout could never fire.
      timeout: 110_000,
    },
  );
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

test('run_mvn output carries no escape sequences, and a failure still fails', { timeout: 120_000 }, () => {
  const ok = runMvn('validate');
  assert.equal(ok.code, 0, ok.stderr);
  const failed = runMvn('no-such-phase');
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /\[ERROR\]/);
  for (const out of [ok.stdout, ok.stderr, failed.stdout, failed.stderr]) assert.ok(!out.includes('\u001b'), JSON.stringify(out));
});
