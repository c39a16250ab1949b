import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafkaEngine, createTopicsIfMissing, type KafkaAdmin } from '../../src/kafka/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { DestinationStore } from '../../src/destinations/store.js';
import { brokers, createTopic, deleteTopics, withAdmin } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';

/** ConfigResourceTypes.TOPIC; kafkajs is CommonJS, and its enum is not a named ESM export. */
const TOPIC_RESOURCE = 2;

test('the start-up topics are listed once and only the missing ones created, the destinations table compacted', async () => {
  const existing = await createTopic('topics-once');
  const dlq = uniqueName('topics-once-dlq');
  const destinations = uniqueName('topics-once-destinations');
  // The engine the suite runs on (AR_KAFKA_ENGINE), its real admin client with its calls counted on the way through.
  const engine = await createKafkaEngine(
    { brokers: brokers(), clientId: 'create-topic-test', connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000 },
    silentLogger(),
  );
  const engineAdmin = engine.admin();
  try {
    await engineAdmin.connect();
    await withAdmin(async (admin) => {
      const calls: string[] = [];
      const counted = new Proxy(engineAdmin, {
        get: (target, name, receiver) => {
          const value = Reflect.get(target, name, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => (calls.push(String(name)), (value as (...a: unknown[]) => unknown).apply(target, args));
        },
      }) as KafkaAdmin;
      await createTopicsIfMissing(counted, [{ topic: existing }, { topic: dlq }, DestinationStore.topicSpec(destinations)], silentLogger());
      assert.deepEqual(calls, ['listTopics', 'createTopic', 'createTopic'], 'one listing, one create per missing topic');
      const topics = await admin.listTopics();
      assert.ok(topics.includes(dlq) && topics.includes(destinations));
      const { resources } = await admin.describeConfigs({
        resources: [{ type: TOPIC_RESOURCE, name: destinations, configNames: ['cleanup.policy'] }],
        includeSynonyms: false,
      });
      assert.equal(resources[0]!.configEntries[0]!.configValue, 'compact');

      calls.length = 0;
      await createTopicsIfMissing(counted, [{ topic: dlq }, DestinationStore.topicSpec(destinations)], silentLogger());
      assert.deepEqual(calls, ['listTopics'], 'nothing missing: no create request');
    });
  } finally {
    await engineAdmin.close();
    await deleteTopics(existing, dlq, destinations);
  }
});
