import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PORT = '19092';
const MARKER = `.cache/kafka/${PORT}/server.properties`;

// A broker of its own on other ports, SASL off, sharing the jar cache (AR_CACHE_DIR unset).
const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_PORT: PORT, KAFKA_SASL_PORT: '0', KAFKA_HEAP: '256m' };
delete env.AR_CACHE_DIR;
delete env.KAFKA_CONTROLLER_PORT;

function kafkaSh(command: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/kafka.sh', command], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Pids of java processes whose command line names this port's server.properties. */
function brokerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    if (/(^|\/)java$/.test(argv[0] ?? '') && argv.some((a) => a.includes(MARKER))) pids.push(Number(entry));
  }
  return pids;
}

after(async () => {
  await kafkaSh('clean');
});

test('kafka.sh start is idempotent, status and stop tell the truth', { timeout: 120_000 }, async () => {
  assert.deepEqual(brokerPids(), [], `a broker on ${PORT} is already running`);

  const first = await kafkaSh('start');
  assert.equal(first.code, 0, first.stderr);
  const second = await kafkaSh('start');
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /already running/);

  const pids = brokerPids();
  assert.equal(pids.length, 1, `one broker for ${MARKER}, found pids ${pids.join(', ')}`);
  const pidFile = readFileSync(`${root}.cache/kafka/${PORT}/kafka.pid`, 'utf8').trim();
  assert.equal(Number(pidFile), pids[0]);

  assert.equal((await kafkaSh('status')).code, 0);

  const stop = await kafkaSh('stop');
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(brokerPids(), []);
  assert.equal((await kafkaSh('status')).code, 3);
});
