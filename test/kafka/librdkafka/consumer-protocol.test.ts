import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaConfig } from '../../../src/config/index.js';
import { createKafkaEngine, type GroupConsumer } from '../../../src/kafka/index.js';
import { loadNative } from '../../../src/kafka/librdkafka/native.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { brokers, createTopic, deleteTopics, produce } from '../../helpers/kafka.js';
import { uniqueName } from '../../helpers/names.js';
import { waitFor } from '../../helpers/wait.js';

const PARTITIONS = 6;
const WAIT = { timeoutMs: 60_000 };
/** librdkafka's ConsumerGroupTypes.CONSUMER: a group the broker runs with KIP-848. */
const CONSUMER_GROUP_TYPE = 1;

const kafka = (): KafkaConfig => ({
  brokers: brokers(),
  clientId: 'kip848-test',
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  engine: 'librdkafka',
});

/** One member: what it owns now, and every offset it read per partition. */
class Member {
  readonly offsets = new Map<number, number[]>();
  readonly owned = new Set<number>();
  readonly revoked: number[] = [];

  constructor(readonly consumer: GroupConsumer) {}

  async start(topic: string): Promise<void> {
    await this.consumer.connect();
    await this.consumer.run(topic, {
      fromBeginning: true,
      concurrency: PARTITIONS,
      onAssigned: (tps) => tps.forEach((tp) => this.owned.add(tp.partition)),
      onRevoked: (tps) => tps.forEach((tp) => (this.owned.delete(tp.partition), this.revoked.push(tp.partition))),
      eachBatch: async (batch) => {
        if (batch.records.length === 0) return undefined;
        const seen = this.offsets.get(batch.partition) ?? this.offsets.set(batch.partition, []).get(batch.partition)!;
        for (const r of batch.records) seen.push(r.offset);
        return batch.records.at(-1)!.offset;
      },
    });
  }

  read(partitions: Iterable<number>): number {
    let n = 0;
    for (const p of partitions) n += this.offsets.get(p)?.length ?? 0;
    return n;
  }
}

async function groupType(groupId: string): Promise<number | undefined> {
  const admin = loadNative().AdminClient.create({ 'bootstrap.servers': brokers().join(','), 'client.id': 'kip848-test-admin' });
  try {
    const { groups } = await new Promise<{ groups: { groupId: string; type?: number }[] }>((resolve, reject) =>
      admin.describeGroups([groupId], { timeout: 10_000 }, (err, result) => (err ? reject(err) : resolve(result))),
    );
    return groups.find((g) => g.groupId === groupId)?.type;
  } finally {
    admin.disconnect();
  }
}

const onePerPartition = (tag: string) =>
  Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: `${tag}-${partition}` }));
const ALL = Array.from({ length: PARTITIONS }, (_, p) => p);

describe('librdkafka engine: source.groupProtocol consumer (KIP-848, Kafka 4 brokers)', () => {
  it('members join a broker-assigned group, share its partitions, and the one that stays takes them all back when the other leaves, every record read', async () => {
    const topic = await createTopic('kip848', PARTITIONS);
    const groupId = uniqueName('kip848');
    const engine = await createKafkaEngine(kafka(), silentLogger());
    // The classic timing settings are given, as the router always passes them: librdkafka refuses to
    // connect if they reach it with group.protocol=consumer, so this also proves they are left out.
    const options = (suffix: string) => ({
      groupId,
      clientIdSuffix: suffix,
      groupProtocol: 'consumer' as const,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      fetch: { maxWaitMs: 100 },
    });
    const a = new Member(engine.groupConsumer(options('a')));
    const b = new Member(engine.groupConsumer(options('b')));
    try {
      await produce(topic, onePerPartition('first'));
      await a.start(topic);
      await waitFor(() => a.read(ALL) === PARTITIONS, { ...WAIT, what: 'the first member to read one record of each partition' });
      assert.equal(await groupType(groupId), CONSUMER_GROUP_TYPE, 'the broker runs the group with the consumer protocol');

      await b.start(topic);
      await waitFor(() => b.owned.size > 0 && a.owned.size + b.owned.size === PARTITIONS, {
        ...WAIT,
        what: `the broker to hand the second member some partitions (a: ${[...a.owned]}, b: ${[...b.owned]})`,
      });
      const moved = [...b.owned].sort();
      assert.ok(moved.length < PARTITIONS, `the second member got some partitions, not all: ${moved}`);
      assert.deepEqual([...a.revoked].sort(), moved, 'the first member gave up exactly the partitions the second one got');
      await produce(topic, onePerPartition('second'));
      await waitFor(() => a.read(a.owned) + b.read(moved) >= PARTITIONS + a.owned.size + moved.length, {
        ...WAIT,
        what: 'every record of the second round',
      });
      for (const p of a.owned) assert.deepEqual(a.offsets.get(p), [0, 1], `kept partition ${p}: read once, in order, by the first member`);
      for (const p of moved) assert.deepEqual(b.offsets.get(p)?.at(-1), 1, `moved partition ${p}: read on by the second member`);

      await b.consumer.close();
      await waitFor(() => a.owned.size === PARTITIONS, {
        ...WAIT,
        what: `the first member to own every partition again (has ${[...a.owned]})`,
      });
      await produce(topic, onePerPartition('third'));
      await waitFor(() => ALL.every((p) => a.offsets.get(p)?.at(-1) === 2), {
        ...WAIT,
        what: 'the first member to read the third round of every partition',
      });
    } finally {
      await Promise.all([a.consumer.close(), b.consumer.close()]);
      await deleteTopics(topic);
    }
  });
});
