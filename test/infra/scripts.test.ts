import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ownKafkaPort } from '../helpers/ports.js';
import { javaPids } from '../helpers/processes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PORT = String(ownKafkaPort('scriptsTest'));
const CACHE_DIR = process.env.AR_CACHE_DIR ?? join(root, '.cache');
const MARKER = join(CACHE_DIR, 'kafka', PORT, 'server.properties');

// A broker of its own on other ports, SASL off, sharing the jar cache.
const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_PORT: PORT, KAFKA_SASL_PORT: '0', KAFKA_HEAP: '256m' };
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
const brokerPids = () => javaPids(MARKER);

after(async () => {
  await kafkaSh('clean');
});

test('kafka.sh start is idempotent, also when two start at once; status and stop tell the truth', { timeout: 240_000 }, async () => {
  assert.deepEqual(brokerPids(), [], `a broker on ${PORT} is already running`);

  // Both see "not running" at the same moment unless start serialises: one must start, the other find it.
  const [a, b] = await Promise.all([kafkaSh('start'), kafkaSh('start')]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal([a, b].filter((r) => /already running/.test(r.stderr)).length, 1, `${a.stderr}\n${b.stderr}`);
  const again = await kafkaSh('start');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /already running/);

  const pids = brokerPids();
  assert.equal(pids.length, 1, `one broker for ${MARKER}, found pids ${pids.join(', ')}`);
  const pidFile = readFileSync(join(CACHE_DIR, 'kafka', PORT, 'kafka.pid'), 'utf8').trim();
  assert.equal(Number(pidFile), pids[0]);

  assert.equal((await kafkaSh('status')).code, 0);

  const stop = await kafkaSh('stop');
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(brokerPids(), []);
  assert.equal((await kafkaSh('status')).code, 3);
});

test('kafka.sh start fails as soon as the broker exits, not after the 90 s readiness timeout', { timeout: 240_000 }, async () => {
  // Something else holds the port: the broker cannot bind it and exits during start-up.
  const squatter: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen(Number(PORT), '127.0.0.1', resolve));
  try {
    const start = await kafkaSh('start');
    assert.equal(start.code, 1, start.stderr);
    assert.match(start.stderr, /the broker exited while starting/);
    assert.deepEqual(brokerPids(), []);
    assert.equal((await kafkaSh('status')).code, 3);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});
