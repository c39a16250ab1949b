import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaConfig } from '../../src/config/index.js';
import { createKafkaEngine } from '../../src/kafka/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { brokers, committedOffsets, createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';

/** The suite's engine (AR_KAFKA_ENGINE), as the router would pick it. */
const kafka = (): KafkaConfig => ({ brokers: brokers(), clientId: 'commit-test', connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000 });

describe('group consumer commit: settles on the broker answer', () => {
  it('resolves once the offsets are stored, and rejects an offset commit the broker refuses', async () => {
    const topic = await createTopic('group-commit', 1);
    const groupId = uniqueName('group-commit');
    const engine = await createKafkaEngine(kafka(), silentLogger());
    const consumer = engine.groupConsumer({ groupId, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 });
    try {
      await produce(topic, [{ value: 'a' }, { value: 'b' }]);
      let assigned!: () => void;
      const joined = new Promise<void>((resolve) => (assigned = resolve));
      await consumer.connect();
      await consumer.run(topic, { fromBeginning: true, eachBatch: async () => undefined, onAssigned: () => assigned() });
      await joined;

      await consumer.commit([{ topic, partition: 0, offset: 2 }]);
      // Resolved means stored: read back at once, with no wait.
      assert.equal((await committedOffsets(groupId, topic)).get(0), '2');

      // Partition 7 does not exist: the broker answers UNKNOWN_TOPIC_OR_PARTITION. A commit that
      // resolved when it was merely queued would pass for stored, and the caller would never retry it.
      await assert.rejects(consumer.commit([{ topic, partition: 7, offset: 1 }]));
    } finally {
      await consumer.close();
      await deleteTopics(topic);
    }
  });
});
