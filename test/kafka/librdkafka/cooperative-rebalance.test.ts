import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaConfig } from '../../../src/config/index.js';
import { createKafkaEngine, type BatchControl, type GroupConsumer, type RecordBatch } from '../../../src/kafka/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { brokers, createTopic, deleteTopics, produce } from '../../helpers/kafka.js';
import { uniqueName } from '../../helpers/names.js';
import { waitFor } from '../../helpers/wait.js';

const PARTITIONS = 6;
const WAIT = { timeoutMs: 60_000 };

const kafka = (): KafkaConfig => ({
  brokers: brokers(),
  clientId: 'coop-test',
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  engine: 'librdkafka',
});

/** One group member and everything it saw, in order. */
class Member {
  readonly offsets = new Map<number, number[]>();
  readonly assigned: number[][] = [];
  readonly revoked: number[][] = [];
  /** While set, each batch is held (its handler waits, heartbeating, as the pipeline does when a sink is full). */
  hold = false;
  readonly held = new Map<number, BatchControl>();
  private release!: () => void;
  private released = new Promise<void>((r) => (this.release = r));

  constructor(readonly consumer: GroupConsumer) {}

  async start(topic: string): Promise<void> {
    await this.consumer.connect();
    await this.consumer.run(topic, {
      fromBeginning: true,
      concurrency: PARTITIONS,
      onAssigned: (tps) => this.assigned.push(tps.map((tp) => tp.partition)),
      onRevoked: (tps) => this.revoked.push(tps.map((tp) => tp.partition)),
      eachBatch: (batch, control) => this.onBatch(batch, control),
    });
  }

  private async onBatch(batch: RecordBatch, control: BatchControl): Promise<number | undefined> {
    if (batch.records.length === 0) return undefined;
    if (this.hold) {
      this.held.set(batch.partition, control);
      let done = false;
      void this.released.then(() => (done = true));
      while (!done) await Promise.race([this.released, control.heartbeat().then(() => new Promise((r) => setTimeout(r, 100)))]);
      if (control.isStale()) return undefined;
    }
    const seen = this.offsets.get(batch.partition) ?? this.offsets.set(batch.partition, []).get(batch.partition)!;
    for (const r of batch.records) seen.push(r.offset);
    return batch.records.at(-1)!.offset;
  }

  letGo(): void {
    this.hold = false;
    this.release();
  }

  owned(): Set<number> {
    const owned = new Set<number>();
    for (let i = 0; i < Math.max(this.assigned.length, this.revoked.length); i++) {
      for (const p of this.assigned[i] ?? []) owned.add(p);
      for (const p of this.revoked[i] ?? []) owned.delete(p);
    }
    return owned;
  }

  count(partitions: Iterable<number>): number {
    let n = 0;
    for (const p of partitions) n += this.offsets.get(p)?.length ?? 0;
    return n;
  }
}

const onePerPartition = (tag: string) =>
  Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: `${tag}-${partition}` }));

describe('librdkafka engine: cooperative rebalancing (cooperative-sticky, the default)', () => {
  it('a member joining moves only the partitions that change hands: the first keeps its others, batches in hand included, through the join', async () => {
    const topic = await createTopic('coop', PARTITIONS);
    const groupId = uniqueName('coop');
    const engine = await createKafkaEngine(kafka(), silentLogger());
    const a = new Member(
      engine.groupConsumer({ groupId, clientIdSuffix: 'a', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, fetch: { maxWaitMs: 100 } }),
    );
    const b = new Member(
      engine.groupConsumer({ groupId, clientIdSuffix: 'b', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, fetch: { maxWaitMs: 100 } }),
    );
    try {
      await produce(topic, onePerPartition('first'));
      await a.start(topic);
      await waitFor(() => a.count(a.owned()) === PARTITIONS, { ...WAIT, what: 'the first member to read one record of each partition' });
      assert.deepEqual([...a.owned()].sort(), [0, 1, 2, 3, 4, 5]);

      // The first member holds a batch of every partition while the second joins.
      a.hold = true;
      await produce(topic, onePerPartition('second'));
      await waitFor(() => a.held.size === PARTITIONS, { ...WAIT, what: 'the first member to hold a batch of each partition' });
      await b.start(topic);
      await waitFor(() => b.owned().size > 0 && a.revoked.length > 0, {
        ...WAIT,
        what: 'the join to complete while the first member holds its batches',
      });

      const moved = b.owned();
      const kept = a.owned();
      assert.ok(moved.size > 0 && moved.size < PARTITIONS, `the second member got some partitions, not all: ${[...moved]}`);
      assert.deepEqual(a.revoked.flat().sort(), [...moved].sort(), 'the first member gave up exactly the partitions the second one got');
      // librdkafka reports each round of a cooperative rebalance, with an empty list when nothing is added.
      assert.deepEqual(a.assigned.slice(1).flat(), [], 'the first member was never assigned a partition again');
      for (const p of kept) assert.equal(a.held.get(p)!.isStale(), false, `a batch of kept partition ${p} stayed valid through the join`);
      for (const p of moved) assert.equal(a.held.get(p)!.isStale(), true, `the batch of moved partition ${p} went stale`);

      // The kept partitions flow on from where they were: the held records, then new ones, each once.
      a.letGo();
      await produce(topic, onePerPartition('third'));
      await waitFor(() => a.count(kept) === 3 * kept.size && b.count(moved) >= 3 * moved.size, {
        ...WAIT,
        what: 'every record of the third round',
      });
      for (const p of kept) assert.deepEqual(a.offsets.get(p), [0, 1, 2], `partition ${p} read once, in order, by the first member only`);
      for (const p of moved) assert.deepEqual(b.offsets.get(p)?.slice(-1), [2], `partition ${p} read on by the second member`);
    } finally {
      a.letGo();
      await Promise.all([a.consumer.close(), b.consumer.close()]);
      await deleteTopics(topic);
    }
  });
});
