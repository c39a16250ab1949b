import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseLine } from '../../src/evidence/chain.js';
import { brokers, createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { anonymousEvents, countLines, FAST_GROUP, seededRandom, withSource } from '../faults/support.js';
import { isEvent, keygen, trailLines, verifyCli } from './support.js';

const PARTITIONS = 3;
const TOTAL = 20_000;
const KILLS = 3;

/** What a crash legitimately leaves, counted from the file independently of verify. */
function crashLeftovers(file: string): { torn: number; duplicates: number; ids: Set<string> } {
  const ids = new Set<string>();
  let torn = 0;
  let duplicates = 0;
  for (const line of trailLines(file)) {
    const record = parseLine(line);
    if (!record) torn++;
    else if (isEvent(line)) {
      const id = record.id as string;
      if (ids.has(id)) duplicates++;
      ids.add(id);
    }
  }
  return { torn, duplicates, ids };
}

describe('evidence: process crash', () => {
  it(`SIGKILL ${KILLS} times mid-stream of ${TOTAL} events: verify passes, torn lines and re-deliveries are info`, async () => {
    const { random } = seededRandom('evidence crash');
    const topic = await createTopic('evidence-crash', PARTITIONS);
    const checkpointTopic = uniqueName('evidence-crash-checkpoints');
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const keys = await keygen(dir);
    // Large batches make large writes, so a kill has a fair chance to tear one.
    const sink = {
      name: 'archive',
      type: 'log',
      file,
      batch: { maxEvents: 500, maxWaitMs: 20 },
      evidence: { signingKey: keys.privateKey, checkpoint: { everyEvents: 200, everyMs: 500 }, checkpointTopic },
    };
    const configFile = writeConfig(
      dir,
      withSource(routerConfig({ topic, groupId: uniqueName('evidence-crash'), sinks: [sink] }), FAST_GROUP),
    );
    const points = Array.from({ length: KILLS }, (_, i) => Math.floor(((i + 0.2 + random() * 0.6) * TOTAL * 0.8) / KILLS));
    let router: RouterProcess | undefined;
    try {
      router = new RouterProcess(configFile);
      await router.joined();
      const producing = produce(topic, anonymousEvents(TOTAL, PARTITIONS));
      for (const point of points) {
        await waitFor(() => countLines(file) >= point, {
          what: `${point} lines before the next kill (have ${countLines(file)})`,
          timeoutMs: 90_000,
        });
        router.kill('SIGKILL');
        assert.equal((await router.exited).signal, 'SIGKILL');
        router = new RouterProcess(configFile);
        await router.joined();
      }
      await producing;
      await waitFor(() => crashLeftovers(file).ids.size >= TOTAL, {
        what: `all ${TOTAL} events (have ${crashLeftovers(file).ids.size})`,
        timeoutMs: 120_000,
      });
      assert.equal((await router.stop()).code, 0, 'the last router stops cleanly');

      const { torn, duplicates, ids } = crashLeftovers(file);
      assert.equal(ids.size, TOTAL);
      const result = await verifyCli(file, keys.publicKey, ['--checkpoints-from-topic', checkpointTopic, '--brokers', brokers().join(',')]);
      assert.equal(result.code, 0, `verify after ${KILLS} kills: ${result.stderr}\n${result.stdout}`);
      assert.match(result.stdout, /: intact: \d+ records/);
      if (torn > 0) assert.match(result.stdout, new RegExp(`info: ${torn} torn lines? left by a crash`));
      else assert.doesNotMatch(result.stdout, /torn line/);
      if (duplicates > 0) assert.match(result.stdout, new RegExp(`info: ${duplicates} re-delivered events? `));
      else assert.doesNotMatch(result.stdout, /re-delivered/);
      assert.ok(torn + duplicates > 0, 'three kills mid-stream left something to report as info');
      console.log(
        `# evidence crash: ${KILLS} SIGKILLs at lines ${points.join(', ')}: verify exit 0; ${torn} torn lines, ${duplicates} re-deliveries reported as info`,
      );
      console.log(result.stdout.trimEnd().replace(/^/gm, '# verify: '));
    } finally {
      if (router && router.child.exitCode === null && router.child.signalCode === null) router.kill('SIGKILL');
      await deleteTopics(topic, `${topic}.dlq`, checkpointTopic);
    }
  });
});
