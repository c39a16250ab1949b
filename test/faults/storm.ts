import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createTopic, deleteTopics, produce, readAll } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { anonymousEvents, countLines, FAST_GROUP, logIds, seededRandom, stopBounded, withSource } from './support.js';

export const PARTITIONS = 6;
export const MEMBERS = 3;
const STORM_MS = 60_000;

/**
 * The group protocol the members join with. classic runs on the engine the
 * test run selects (AR_KAFKA_ENGINE); consumer (KIP-848) needs librdkafka and
 * a Kafka 4 broker, which sets its heartbeat and session timeout itself.
 */
export type StormProtocol = 'classic' | 'consumer';

function stormConfig(tree: Record<string, unknown>, protocol: StormProtocol): Record<string, unknown> {
  if (protocol === 'classic') return withSource(tree, FAST_GROUP);
  return {
    ...withSource(tree, { groupProtocol: 'consumer' }),
    kafka: { ...(tree.kafka as Record<string, unknown>), engine: 'librdkafka' },
  };
}

/**
 * Three routers in one group; one at a time leaves (SIGTERM) and rejoins
 * while events stream for a minute. Every event must reach a member's log
 * file, nothing may be parked, and every member must exit 0.
 */
export async function rebalanceStorm(protocol: StormProtocol): Promise<void> {
  const { int } = seededRandom(`rebalance storm (${protocol})`);
  const topic = await createTopic('fault-storm', PARTITIONS);
  const groupId = uniqueName('fault-storm');
  const dir = tempDir();
  // One config (and log file) per member slot; a restarted member appends to its slot's file.
  const files = Array.from({ length: MEMBERS }, (_, i) => join(dir, `member-${i}.log`));
  const configs = files.map((file, i) =>
    writeConfig(
      dir,
      stormConfig(routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file, batch: { maxWaitMs: 20 } }] }), protocol),
      `member-${i}.json`,
    ),
  );
  const members: RouterProcess[] = configs.map((c) => new RouterProcess(c));
  const union = () => new Set(files.flatMap((f) => logIds(f)));
  const lines = () => files.reduce((n, f) => n + countLines(f), 0);
  const exits: (number | null)[] = [];
  let produced = 0;
  try {
    await Promise.all(members.map((m) => m.joined()));
    const started = Date.now();
    // The stream: a batch every 100 ms for as long as the storm lasts.
    const streaming = (async () => {
      while (Date.now() - started < STORM_MS) {
        const batch = anonymousEvents(60, PARTITIONS);
        await produce(topic, batch);
        produced += batch.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let churns = 0;
    while (Date.now() - started < STORM_MS) {
      // Leave: a clean SIGTERM (drain, commit, leave the group), then rejoin, after a few seconds.
      const slot = int(0, MEMBERS - 1);
      const leaving = members[slot]!;
      exits.push((await stopBounded(leaving)).code);
      members[slot] = new RouterProcess(configs[slot]!);
      await members[slot]!.joined();
      churns++;
      // Stay until the group made some progress (a second or two of the stream), then churn again.
      const target = lines() + int(300, 1_200);
      await waitFor(() => lines() >= target || Date.now() - started > STORM_MS, {
        what: `progress after rejoining (${lines()} of ${target} lines)`,
        timeoutMs: 30_000,
        intervalMs: 100,
      });
    }
    await streaming;
    await waitFor(() => lines() >= produced && union().size >= produced, {
      what: `all ${produced} events in the members' files (have ${union().size})`,
      timeoutMs: 90_000,
    });

    const expected = new Set<string>();
    for (let p = 0; p < PARTITIONS; p++) for (let o = 0; o < produced / PARTITIONS; o++) expected.add(`${topic}/${p}/${o}`);
    assert.deepEqual(union(), expected, 'every event, at least once, and nothing else');
    const written = lines();
    assert.deepEqual(
      exits.filter((c) => c !== 0),
      [],
      'every member that left exited 0',
    );
    assert.equal((await readAll(`${topic}.dlq`)).length, 0, 'nothing parked');
    console.log(
      `# rebalance storm (${protocol}): ${churns} leave/rejoin cycles in ${STORM_MS / 1000} s, ${produced} events, ${written} lines (${written - produced} duplicates)`,
    );
    for (const m of members) assert.equal((await stopBounded(m)).code, 0);
  } finally {
    await Promise.all(members.map((m) => stopBounded(m)));
    await deleteTopics(topic, `${topic}.dlq`);
  }
}
