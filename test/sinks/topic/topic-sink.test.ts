import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { KafkaConfig } from '../../../src/config/index.js';
import { AuditRouterError } from '../../../src/errors/index.js';
import { createKafkaEngine } from '../../../src/kafka/index.js';
import { auditEventSchemaText, logicalTypes, type AuditEvent } from '../../../src/event/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { topicSinkConfigSchema, type TopicSinkConfig } from '../../../src/sinks/topic/config.js';
import { topicSink } from '../../../src/sinks/topic/index.js';
import type { Sink, SinkContext, SinkEvent } from '../../../src/sinks/types.js';
import { makeEvent } from '../../helpers/events.js';
import { brokers, createTopic, deleteTopics, readTopic, registryUrl } from '../../helpers/kafka.js';

const kafka: KafkaConfig = { brokers: brokers(), clientId: 'topic-sink-test', connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 };
const kafkaEngine = await createKafkaEngine(kafka, silentLogger());
const topics: string[] = [];

function sinkEvent(event: AuditEvent, key: Buffer | null = null): SinkEvent {
  return { event, json: JSON.stringify(event), key, source: { topic: 'in', partition: 0, offset: '0' } };
}

function config(fields: Record<string, unknown>): TopicSinkConfig {
  return topicSinkConfigSchema.parse({ type: 'topic', name: 'out', ...fields });
}

async function withSink<T>(cfg: TopicSinkConfig, fn: (sink: Sink) => Promise<T>, context: Partial<SinkContext> = {}): Promise<T> {
  const sink = await topicSink.create(cfg, {
    logger: silentLogger(),
    kafka,
    kafkaEngine,
    schemaRegistry: { url: registryUrl() },
    ...context,
  });
  try {
    return await fn(sink);
  } finally {
    await sink.close();
  }
}

async function newTopic(prefix: string, partitions = 1): Promise<string> {
  const topic = await createTopic(prefix, partitions);
  topics.push(topic);
  return topic;
}

after(async () => {
  await deleteTopics(...topics);
});

describe('topic sink, json', () => {
  test('writes the canonical JSON as is, keyed by entity, with event headers', async () => {
    const topic = await newTopic('topic-json');
    const events = [
      makeEvent({ id: 'json-1', key: 'flag-a', namespace: 'team' }),
      makeEvent({ id: 'json-2', type: 'segment', action: 'deleted', status: 'denied', key: 'seg-b' }),
    ];
    // Field order differs from JSON.stringify(event): proves the sink sends SinkEvent.json, not a re-serialisation.
    const items = events.map((e) => ({ ...sinkEvent(e), json: JSON.stringify(Object.fromEntries(Object.entries(e).reverse())) }));
    assert.notEqual(items[0]!.json, JSON.stringify(events[0]));
    await withSink(config({ topic }), (sink) => sink.send(items, new AbortController().signal));

    const messages = await readTopic(topic, { count: 2 });
    assert.equal(messages.length, 2);
    assert.deepEqual(
      messages.map((m) => m.value?.toString('utf8')),
      items.map((i) => i.json),
    );
    assert.deepEqual(
      messages.map((m) => m.key?.toString('utf8')),
      ['team/flag/flag-a', 'default/segment/seg-b'],
    );
    assert.deepEqual(messages[1]!.headers, {
      'ar.event.id': 'json-2',
      'ar.event.type': 'segment',
      'ar.event.action': 'deleted',
      'ar.event.status': 'denied',
    });
    assert.equal(messages[0]!.headers['ar.event.id'], 'json-1');
  });

  test('without namespace and key in the payload the original key is kept, else no key', async () => {
    const topic = await newTopic('topic-fallback');
    const noEntity = makeEvent({ id: 'fb-1', payload: { description: 'no key here' } });
    const items = [sinkEvent(noEntity, Buffer.from('original-key')), sinkEvent({ ...noEntity, id: 'fb-2' }, null)];
    await withSink(config({ topic, compression: 'gzip' }), (sink) => sink.send(items, new AbortController().signal));

    const messages = await readTopic(topic, { count: 2 });
    assert.equal(messages[0]!.key?.toString('utf8'), 'original-key');
    assert.equal(messages[1]!.key, null);
    assert.equal(messages[1]!.value?.toString('utf8'), items[1]!.json, 'gzip-compressed batch reads back unchanged');
  });

  test('a batch larger than the broker accepts is rejected, not retried', async () => {
    const topic = await newTopic('topic-too-large');
    // The local broker accepts up to 10 MiB per batch (message.max.bytes); gzip off so the size is real.
    const huge = makeEvent({ id: 'huge', payload: { key: 'k', namespace_key: 'n', blob: 'x'.repeat(11 * 1024 * 1024) } });
    const err = await withSink(config({ topic }), (sink) =>
      sink.send([sinkEvent(huge)], new AbortController().signal).then(
        () => assert.fail('the broker took an 11 MiB record'),
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof AuditRouterError, String(err));
    assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
    assert.equal(err.retriable, false);
  });

  test('batches sent at once share requests, but a rejected record fails only its own batch', async () => {
    const topic = await newTopic('topic-coalesced');
    const huge = makeEvent({ id: 'huge-2', payload: { key: 'k', namespace_key: 'n', blob: 'x'.repeat(11 * 1024 * 1024) } });
    const batches = [['c-1', 'c-2'], ['huge-2'], ['c-3']].map((ids) =>
      ids.map((id) => sinkEvent(id === 'huge-2' ? huge : makeEvent({ id }))),
    );
    // The first goes out alone; the other two arrive while it is in flight and are joined into one request.
    const outcomes = await withSink(config({ topic }), (sink) =>
      Promise.allSettled(batches.map((batch) => sink.send(batch, new AbortController().signal))),
    );

    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const refused = (outcomes[1] as PromiseRejectedResult).reason as AuditRouterError;
    assert.equal(refused.code, 'AR_ERR_SINK_REJECTED');
    const ids = (await readTopic(topic, { count: 3 })).map((m) => m.headers['ar.event.id']);
    assert.deepEqual([...new Set(ids)].sort(), ['c-1', 'c-2', 'c-3']);
  });

  test('an aborted signal stops the send before anything is written', async () => {
    const topic = await newTopic('topic-abort');
    const controller = new AbortController();
    controller.abort();
    const err = await withSink(config({ topic }), (sink) =>
      sink.send([sinkEvent(makeEvent({ id: 'never' }))], controller.signal).then(
        () => assert.fail('sent despite the abort'),
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof AuditRouterError);
    assert.equal(err.code, 'AR_ERR_SINK_CLOSED');
  });
});

describe('topic sink, avro', () => {
  test('writes Confluent frames a registry client decodes to the same event; schema under <topic>-value', async () => {
    const topic = await newTopic('topic-avro');
    const events = [
      makeEvent({ id: 'avro-1', key: 'flag-a' }),
      makeEvent({ id: 'avro-2', payload: { key: 'k', namespace_key: 'n', nested: { list: [1, 'two', null, true], n: 1.5 } } }),
      makeEvent({ id: 'avro-3', payload: null }),
    ];
    await withSink(config({ topic, encoding: 'avro' }), (sink) =>
      sink.send(
        events.map((e) => sinkEvent(e)),
        new AbortController().signal,
      ),
    );
    const messages = await readTopic(topic, { count: 3 });

    // The schema is registered under the topic's value subject, with the id every frame carries.
    const response = await fetch(`${registryUrl()}/subjects/${topic}-value/versions/latest`);
    assert.equal(response.status, 200);
    const latest = (await response.json()) as { id: number; schema: string };
    assert.deepEqual(JSON.parse(latest.schema), JSON.parse(auditEventSchemaText));
    for (const m of messages) {
      assert.equal(m.value![0], 0, 'magic byte');
      assert.equal(m.value!.readUInt32BE(1), latest.id);
    }

    // A consumer that knows our `json` logical type gets the events back exactly.
    const withLogicalTypes = new SchemaRegistry({ host: registryUrl() }, { [SchemaType.AVRO]: { logicalTypes } });
    const decoded = await Promise.all(messages.map((m) => withLogicalTypes.decode(m.value!)));
    assert.deepEqual(
      decoded.map((d) => JSON.parse(JSON.stringify(d))),
      events.map((e) => JSON.parse(JSON.stringify(e))),
    );
    // Any other Confluent consumer gets the payload as its JSON text.
    const plain = new SchemaRegistry({ host: registryUrl() });
    const raw = await plain.decode(messages[1]!.value!);
    assert.equal(typeof raw.payload, 'string');
    assert.deepEqual(JSON.parse(raw.payload), events[1]!.payload);
    assert.equal(raw.id, 'avro-2');
    assert.equal(messages[1]!.key?.toString('utf8'), 'n/flag/k');
  });

  test('a second sink on the same topic reuses the registered schema id', async () => {
    const topic = await newTopic('topic-avro-twice');
    await withSink(config({ topic, encoding: 'avro' }), (sink) =>
      sink.send([sinkEvent(makeEvent({ id: 'a' }))], new AbortController().signal),
    );
    await withSink(config({ topic, encoding: 'avro' }), (sink) =>
      sink.send([sinkEvent(makeEvent({ id: 'b' }))], new AbortController().signal),
    );
    const messages = await readTopic(topic, { count: 2 });
    assert.equal(messages[0]!.value!.readUInt32BE(1), messages[1]!.value!.readUInt32BE(1));
    const versions = (await (await fetch(`${registryUrl()}/subjects/${topic}-value/versions`)).json()) as number[];
    assert.deepEqual(versions, [1]);
  });

  test('create() without a registry URL refuses avro', async () => {
    await assert.rejects(
      topicSink.create(config({ topic: 'unused', encoding: 'avro' }), { logger: silentLogger(), kafka, kafkaEngine }),
      (err: unknown) => err instanceof AuditRouterError && err.code === 'AR_ERR_CONFIG_INVALID' && /schemaRegistry\.url/.test(err.message),
    );
  });
});
