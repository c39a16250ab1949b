import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { uniqueName } from '../helpers/names.js';
import { ownKafkaPort, ownRegistryPort } from '../helpers/ports.js';
import { javaPids } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

// `dev` for real: it starts a broker (and registry) of its own through the
// scripts, on ports that are not the defaults, and must use and stop exactly those.

const root = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(root, 'bin', 'audit-router.js');
const KAFKA_PORT = ownKafkaPort('dev');
const REGISTRY_PORT = ownRegistryPort('dev');
const CACHE_DIR = process.env.AR_CACHE_DIR ?? join(root, '.cache');
const BROKER_MARKER = join(CACHE_DIR, 'kafka', String(KAFKA_PORT), 'server.properties');
const REGISTRY_MARKER = `-Dquarkus.http.port=${REGISTRY_PORT}`;

const env: NodeJS.ProcessEnv = {
  ...process.env,
  KAFKA_PORT: String(KAFKA_PORT),
  KAFKA_SASL_PORT: '0',
  KAFKA_HEAP: '256m',
  REGISTRY_PORT: String(REGISTRY_PORT),
};
delete env.KAFKA_CONTROLLER_PORT;

interface Dev {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Ctrl-C as a terminal sends it: SIGINT to the whole process group (dev and the script it runs). */
  interrupt: () => void;
}

/** Runs `dev` as a terminal would, in a process group of its own. */
function dev(args: string[]): Dev {
  const child = spawn(process.execPath, [BIN, 'dev', ...args], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return {
    child,
    stderr: () => stderr,
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
  };
}

function script(name: string, command: string): Promise<number | null> {
  return new Promise((resolve) =>
    spawn('bash', [join(root, 'scripts', name), command], { cwd: root, env, stdio: 'ignore' }).on('close', resolve),
  );
}

after(async () => {
  await script('kafka.sh', 'clean');
  await script('schema-registry.sh', 'stop');
});

describe('audit-router dev', () => {
  test('uses the broker and registry on KAFKA_PORT / REGISTRY_PORT, and Ctrl-C stops both', { timeout: 400_000 }, async () => {
    assert.deepEqual(javaPids(BROKER_MARKER), [], `a broker on ${KAFKA_PORT} is already running`);
    assert.deepEqual(javaPids(REGISTRY_MARKER), [], `a registry on ${REGISTRY_PORT} is already running`);
    const topic = uniqueName('dev');
    const run = dev(['--registry', '--topic', topic]);
    try {
      await waitFor(() => run.stderr().includes('routing to the console') || run.child.exitCode !== null, {
        timeoutMs: 360_000,
        what: 'dev to route',
      });
      assert.match(run.stderr(), new RegExp(`sent 5 example events to ${topic} on 127\\.0\\.0\\.1:${KAFKA_PORT} as Avro`));

      // The events are on the broker dev started, and their schema in the registry it started.
      const kafka = new Kafka({ clientId: uniqueName('dev-test'), brokers: [`127.0.0.1:${KAFKA_PORT}`], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        assert.equal(
          offsets.reduce((n, p) => n + Number(p.high), 0),
          5,
        );
      } finally {
        await admin.disconnect();
      }
      const subjects = (await (await fetch(`http://127.0.0.1:${REGISTRY_PORT}/apis/ccompat/v7/subjects`)).json()) as string[];
      assert.ok(subjects.includes(`${topic}-value`), `subjects: ${subjects.join(', ')}`);
    } finally {
      run.interrupt();
      assert.equal(await run.exited, 0, run.stderr());
    }
    assert.deepEqual(javaPids(BROKER_MARKER), [], 'dev left its broker running');
    assert.deepEqual(javaPids(REGISTRY_MARKER), [], 'dev left its registry running');
  });

  test('Ctrl-C while the broker is starting leaves no broker running', { timeout: 400_000 }, async () => {
    assert.deepEqual(javaPids(BROKER_MARKER), [], `a broker on ${KAFKA_PORT} is already running`);
    const run = dev(['--topic', uniqueName('dev')]);
    await waitFor(() => run.stderr().includes('starting on') || run.child.exitCode !== null, {
      timeoutMs: 300_000,
      what: 'the broker start',
    });
    assert.match(run.stderr(), /starting on/);
    run.interrupt();
    await run.exited;
    assert.deepEqual(javaPids(BROKER_MARKER), [], `dev left a broker running:\n${run.stderr()}`);
    assert.equal(await script('kafka.sh', 'status'), 3);
  });

  test('SIGTERM to dev alone while the broker is starting stops the broker once its start ends', { timeout: 400_000 }, async () => {
    assert.deepEqual(javaPids(BROKER_MARKER), [], `a broker on ${KAFKA_PORT} is already running`);
    const run = dev(['--topic', uniqueName('dev')]);
    await waitFor(() => run.stderr().includes('starting on') || run.child.exitCode !== null, {
      timeoutMs: 300_000,
      what: 'the broker start',
    });
    // Only dev is signalled (a supervisor's stop): the start script runs on, and dev must stop what it brings up.
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.stderr());
    assert.deepEqual(javaPids(BROKER_MARKER), [], `dev left a broker running:\n${run.stderr()}`);
    assert.equal(await script('kafka.sh', 'status'), 3);
  });
});
