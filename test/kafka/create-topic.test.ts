import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Admin } from 'kafkajs';
import { createTopicsIfMissing } from '../../src/kafka/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { DestinationStore } from '../../src/destinations/store.js';
import { createTopic, deleteTopics, withAdmin } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';

/** ConfigResourceTypes.TOPIC; kafkajs is CommonJS, and its enum is not a named ESM export. */
const TOPIC_RESOURCE = 2;

test('the start-up topics are listed once and the missing ones created in one request, the destinations table compacted', async () => {
  const existing = await createTopic('topics-once');
  const dlq = uniqueName('topics-once-dlq');
  const destinations = uniqueName('topics-once-destinations');
  try {
    await withAdmin(async (admin) => {
      // The real admin client, with its calls counted on the way through.
      const calls: string[] = [];
      const counted = new Proxy(admin, {
        get: (target, name, receiver) => {
          const value = Reflect.get(target, name, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => (calls.push(String(name)), (value as (...a: unknown[]) => unknown).apply(target, args));
        },
      }) as Admin;
      await createTopicsIfMissing(counted, [{ topic: existing }, { topic: dlq }, DestinationStore.topicSpec(destinations)], silentLogger());
      assert.deepEqual(calls, ['listTopics', 'createTopics']);
      const topics = await admin.listTopics();
      assert.ok(topics.includes(dlq) && topics.includes(destinations));
      const { resources } = await admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: destinations, configNames: ['cleanup.policy'] }], includeSynonyms: false });
      assert.equal(resources[0]!.configEntries[0]!.configValue, 'compact');

      calls.length = 0;
      await createTopicsIfMissing(counted, [{ topic: dlq }, DestinationStore.topicSpec(destinations)], silentLogger());
      assert.deepEqual(calls, ['listTopics'], 'nothing missing: no create request');
    });
  } finally {
    await deleteTopics(existing, dlq, destinations);
  }
});
