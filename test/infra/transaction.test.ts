import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createTopic, deleteTopics, readTopic, testKafka } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';

let topic: string | undefined;
after(async () => {
  if (topic) await deleteTopics(topic);
});

test('a read_committed consumer sees committed transactions and never aborted ones', async () => {
  topic = await createTopic('infra-tx');
  const producer = testKafka().producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'k', value: 'committed' }] });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();

    // A last committed record: once a reader has it, it has read past the aborted one.
    const last = await producer.transaction();
    await last.send({ topic, messages: [{ key: 'k', value: 'after' }] });
    await last.commit();
  } finally {
    await producer.disconnect();
  }

  const values = (m: { value: Buffer | null }[]) => m.map((x) => x.value?.toString('utf8'));
  const sawAfter = (m: { value: Buffer | null }[]) => values(m).includes('after');

  const readCommitted = await readTopic(topic, { until: sawAfter, isolation: 'read_committed' });
  assert.deepEqual(values(readCommitted), ['committed', 'after']);

  // The aborted record was written to the log all the same: only isolation hides it.
  const readUncommitted = await readTopic(topic, { until: sawAfter, isolation: 'read_uncommitted' });
  assert.deepEqual(values(readUncommitted), ['committed', 'aborted', 'after']);
});
