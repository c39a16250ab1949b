import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTopic, deleteTopics, produce, readAll } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { anonymousEvents, FAST_GROUP, logIds, stopBounded, withSource } from '../faults/support.js';

const PARTITIONS = 6;
const ROUNDS = 20;
const PER_ROUND = 600;
const WAIT = { timeoutMs: 120_000 };
const ENGINES = ['kafkajs', 'librdkafka'] as const;

/** The partitions of the latest assignment a router logged. */
function lastAssignment(router: RouterProcess): number[] {
  const last = [...router.stderr.matchAll(/assigned partitions \[([\d, ]*)\]/g)].at(-1)?.[1] ?? '';
  return last.trim() === '' ? [] : last.split(',').map(Number);
}

describe('a group of both engines (rolling upgrade, kafka.assignor: roundrobin)', () => {
  it('one router per engine share 6 partitions; each is SIGKILLed and restarted in turn mid-stream; every event arrives', async () => {
    const topic = await createTopic('mixed', PARTITIONS);
    const groupId = uniqueName('mixed');
    const dir = tempDir();
    const files = ENGINES.map((engine) => join(dir, `${engine}.log`));
    const configs = ENGINES.map((engine, i) => {
      const tree = routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file: files[i], batch: { maxWaitMs: 20 } }] });
      const kafka = { ...(tree.kafka as Record<string, unknown>), engine, assignor: 'roundrobin' };
      return writeConfig(dir, withSource({ ...tree, kafka }, FAST_GROUP), `${engine}.json`);
    });
    const routers = configs.map((c) => new RouterProcess(c));
    const delivered = () => new Set(files.flatMap((f) => logIds(f)));
    let produced = 0;
    try {
      await Promise.all(routers.map((r) => r.joined()));
      // Both in one generation of the group: each owns some partitions, together all of them.
      await waitFor(
        () => routers.every((r) => lastAssignment(r).length > 0) && new Set(routers.flatMap(lastAssignment)).size === PARTITIONS,
        {
          ...WAIT,
          what: 'both routers to share the partitions',
        },
      );
      ENGINES.forEach((engine, i) =>
        assert.match(routers[i]!.stderr, new RegExp(`Kafka engine: ${engine} `), `router ${i} runs on ${engine}`),
      );

      for (let round = 0; round < ROUNDS; round++) {
        await produce(topic, anonymousEvents(PER_ROUND, PARTITIONS));
        produced += PER_ROUND;
        // Mid-stream, once events flow: kill one member, let the other take over, restart it; then the other.
        const victim = round === 5 ? 1 : round === 12 ? 0 : -1;
        if (victim < 0) continue;
        await waitFor(() => delivered().size >= produced - PER_ROUND, { ...WAIT, what: `events of round ${round - 1} delivered` });
        routers[victim]!.kill('SIGKILL');
        await routers[victim]!.exited;
        await produce(topic, anonymousEvents(PER_ROUND, PARTITIONS));
        produced += PER_ROUND;
        routers[victim] = new RouterProcess(configs[victim]!);
        await routers[victim]!.joined();
      }
      await waitFor(() => delivered().size >= produced, { ...WAIT, what: `all ${produced} events delivered (have ${delivered().size})` });

      const expected = new Set<string>();
      for (let p = 0; p < PARTITIONS; p++) for (let o = 0; o < produced / PARTITIONS; o++) expected.add(`${topic}/${p}/${o}`);
      assert.deepEqual(delivered(), expected, 'every event, at least once, and nothing else');
      for (const r of routers) assert.doesNotMatch(r.stderr, /Inconsistent group protocol/i);
      assert.equal((await readAll(`${topic}.dlq`)).length, 0, 'nothing parked');
      for (const r of routers) assert.equal((await stopBounded(r)).code, 0, r.stderr.slice(-1500));
    } finally {
      await Promise.all(routers.map((r) => stopBounded(r)));
      await deleteTopics(topic, `${topic}.dlq`);
    }
  });

  it('without kafka.assignor: roundrobin the librdkafka router stops at once with AR_ERR_KAFKA_GROUP_PROTOCOL, and the group goes on', async () => {
    const topic = await createTopic('mixed-refused', 2);
    const groupId = uniqueName('mixed-refused');
    const dir = tempDir();
    const config = (engine: string) => {
      const tree = routerConfig({
        topic,
        groupId,
        sinks: [{ name: 'archive', type: 'log', file: join(dir, `${engine}.log`), batch: { maxWaitMs: 20 } }],
      });
      return writeConfig(
        dir,
        withSource({ ...tree, kafka: { ...(tree.kafka as Record<string, unknown>), engine } }, FAST_GROUP),
        `${engine}.json`,
      );
    };
    const old = new RouterProcess(config('kafkajs'));
    let upgraded: RouterProcess | undefined;
    try {
      await old.joined();
      upgraded = new RouterProcess(config('librdkafka'));
      // A rolling upgrade must halt at the first upgraded router, loudly, rather than leave it running idle.
      await waitFor(() => upgraded!.child.exitCode !== null, { ...WAIT, what: 'the librdkafka router to stop' });
      const { code } = await upgraded.exited;
      assert.equal(code, 1, upgraded.stderr.slice(-1500));
      assert.match(upgraded.stderr, /AR_ERR_KAFKA_GROUP_PROTOCOL.*kafka\.assignor: roundrobin/);
      assert.deepEqual(lastAssignment(old), [0, 1], 'the kafkajs router keeps every partition');
      await produce(topic, anonymousEvents(10, 2));
      await waitFor(() => logIds(join(dir, 'kafkajs.log')).length >= 10, { ...WAIT, what: 'the kafkajs router to go on delivering' });
    } finally {
      await Promise.all([old, upgraded].filter((r) => r !== undefined).map((r) => stopBounded(r)));
      await deleteTopics(topic, `${topic}.dlq`);
    }
  });
});
