import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AuditRouterError } from '../../src/errors/index.js';
import { logicalTypes, validateAuditEvent, type AuditEvent } from '../../src/event/index.js';
import { createAuditPublisher } from '../../src/index.js';
import { brokers, createTopic, deleteTopics, readAll, readTopic, registryUrl } from '../helpers/kafka.js';
import { makeEvent, makeEvents } from '../helpers/events.js';

const topics: string[] = [];
async function topic(prefix: string): Promise<string> {
  const name = await createTopic(prefix);
  topics.push(name);
  return name;
}

const valueOf = (m: { value: Buffer | null }) => JSON.parse(m.value!.toString('utf8')) as unknown;
const keyOf = (m: { key: Buffer | null }) => m.key?.toString('utf8') ?? null;

/** Passes validateAuditEvent's static type but fails the schema: `timestamp` must be a string. */
function withNumericTimestamp(event: AuditEvent): AuditEvent {
  return { ...event, timestamp: 1_700_000_000 as unknown as string };
}

describe('createAuditPublisher', () => {
  after(async () => {
    await deleteTopics(...topics);
    // Only the avro test registers a subject; deleting the others' is a harmless 404.
    await Promise.all(topics.map((t) => fetch(`${registryUrl()}/subjects/${t}-value`, { method: 'DELETE' }).catch(() => undefined)));
  });

  test('publishes validated events as JSON, keyed <namespace>/<type>/<key> by default', async () => {
    const name = await topic('publisher-json');
    const publisher = createAuditPublisher({ brokers: brokers(), topic: name });
    const events = makeEvents(3, 'pub', ['flag:created', 'segment:deleted']);
    // 0.1-style event without status: the publisher applies the schema's default.
    const { status: _status, ...noStatus } = makeEvent({ id: 'pub-single', key: 'solo', namespace: 'prod' });
    try {
      await publisher.publish(events);
      await publisher.publish(noStatus as AuditEvent);
    } finally {
      await publisher.close();
    }
    const messages = await readTopic(name, { count: 4 });
    assert.deepEqual(
      messages.map((m) => m.value!.toString('utf8')),
      [...events, noStatus].map((e) => JSON.stringify(validateAuditEvent(e))),
    );
    assert.equal((valueOf(messages[3]!) as AuditEvent).status, 'success');
    assert.deepEqual(messages.map(keyOf), ['default/flag/k0', 'default/segment/k1', 'default/flag/k2', 'prod/flag/solo']);
  });

  test('the key option overrides the default: a fixed string, null, or a function of the event', async () => {
    const name = await topic('publisher-key');
    const publisher = createAuditPublisher({ brokers: brokers(), topic: name, clientId: 'publisher-test' });
    try {
      await publisher.publish(makeEvent({ id: 'fixed' }), { key: 'tenant-a' });
      await publisher.publish(makeEvent({ id: 'none' }), { key: null });
      await publisher.publish(makeEvents(2, 'fn'), { key: (e) => `id:${e.id}` });
      await publisher.publish(makeEvent({ id: 'no-entity', payload: { enabled: true } }));
    } finally {
      await publisher.close();
    }
    const messages = await readTopic(name, { count: 5 });
    assert.deepEqual(messages.map(keyOf), ['tenant-a', null, 'id:fn-0', 'id:fn-1', null]);
  });

  test('an invalid event rejects the whole call with AR_ERR_DECODE_SCHEMA naming the path, and nothing is sent', async () => {
    const name = await topic('publisher-invalid');
    const publisher = createAuditPublisher({ brokers: brokers(), topic: name });
    const [good, bad] = makeEvents(2, 'bad');
    try {
      await assert.rejects(publisher.publish([good!, withNumericTimestamp(bad!)]), (err: unknown) => {
        assert.ok(err instanceof AuditRouterError);
        assert.equal(err.code, 'AR_ERR_DECODE_SCHEMA');
        assert.equal(err.path, 'timestamp');
        assert.equal(err.message, 'events[1]: timestamp: expected a string, got a number');
        return true;
      });
      await assert.rejects(
        publisher.publish({ ...good!, type: undefined } as unknown as AuditEvent),
        /^AuditRouterError: type: expected a string, got missing$/,
      );
      // One producer, one partition: had the rejected calls sent anything, it would come before this marker.
      await publisher.publish(makeEvent({ id: 'marker' }));
    } finally {
      await publisher.close();
    }
    const messages = await readAll(name);
    assert.deepEqual(
      messages.map((m) => (valueOf(m) as AuditEvent).id),
      ['marker'],
    );
  });

  test('with avro, writes Confluent frames under <topic>-value that a registry client decodes to the events', async () => {
    const name = await topic('publisher-avro');
    const publisher = createAuditPublisher({ brokers: brokers(), topic: name, avro: { registryUrl: registryUrl() } });
    const events = makeEvents(3, 'avro');
    events[2] = makeEvent({ id: 'avro-2', payload: { nested: { list: [1, 'two', null] }, flag: false } });
    try {
      await publisher.publish(events.slice(0, 2));
      await publisher.publish(events[2]!);
    } finally {
      await publisher.close();
    }
    const messages = await readTopic(name, { count: 3 });
    const registry = new SchemaRegistry({ host: registryUrl() }, { [SchemaType.AVRO]: { logicalTypes } });
    const schemaId = await registry.getLatestSchemaId(`${name}-value`);
    for (const m of messages) {
      assert.equal(m.value![0], 0, 'magic byte');
      assert.equal(m.value!.readUInt32BE(1), schemaId, 'the id registered under <topic>-value');
    }
    const decoded = await Promise.all(messages.map((m) => registry.decode(m.value!)));
    assert.deepEqual(JSON.parse(JSON.stringify(decoded)), events);
    assert.deepEqual(messages.map(keyOf), ['default/flag/k0', 'default/flag/k1', null]);
  });

  test('publish after close fails with AR_ERR_PUBLISHER_CLOSED', async () => {
    const publisher = createAuditPublisher({ brokers: brokers(), topic: 'never-written' });
    await publisher.close();
    await assert.rejects(
      publisher.publish(makeEvent()),
      (err: unknown) => err instanceof AuditRouterError && err.code === 'AR_ERR_PUBLISHER_CLOSED',
    );
  });
});
