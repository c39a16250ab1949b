import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { makeEvents } from '../helpers/events.js';
import { createTopic, deleteTopics, produce, readTopic, type ReadMessage } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';

/** The README's promise, read from the README: the names operators' tools depend on. */
function documentedHeaders(): string[] {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Dead-letter topic'), readme.indexOf('## The event schema'));
  return [...section.matchAll(/`(ar\.[a-z_.]+)`/g)].map((m) => m[1]!);
}

describe('dead-letter headers, by their literal names, on records a real router parked', () => {
  let topic: string;
  let receiver: HttpReceiver;
  let router: RouterProcess;
  let parked: ReadMessage[];
  const event = makeEvents(1, 'dlq-headers', ['flag:created'])[0]!;

  before(async () => {
    topic = await createTopic('dlq-headers', 1);
    receiver = new HttpReceiver((_req, res) => void res.writeHead(500).end('down'));
    await receiver.start();
    const config = routerConfig({
      topic,
      groupId: uniqueName('dlq-headers'),
      // Retries until the budget runs out: parked as AR_ERR_SINK_EXHAUSTED with the last failure as its cause.
      sinks: [
        {
          name: 'flaky',
          type: 'webhook',
          url: receiver.url,
          batch: { maxEvents: 1, maxWaitMs: 10 },
          retry: { initialBackoffMs: 20, maxBackoffMs: 50, maxElapsedMs: 300 },
          circuitBreaker: { failureThreshold: 0 },
        },
      ],
    });
    router = new RouterProcess(writeConfig(tempDir(), config));
    await router.joined();
    // Offset 0: undecodable (no action, so the schema names the field); offset 1: a good event the sink cannot deliver.
    await produce(topic, [
      {
        key: 'k0',
        value: JSON.stringify({
          version: '0.1',
          type: 'flag',
          status: 'success',
          metadata: { actor: {} },
          payload: {},
          timestamp: '2026-01-01T00:00:00Z',
        }),
      },
      { key: 'k1', value: JSON.stringify(event) },
    ]);
    parked = await readTopic(`${topic}.dlq`, { count: 2 });
  });

  after(async () => {
    await router.stop();
    await receiver.close();
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('a decode failure: ar.stage decode, the field in ar.error.path, the original bytes and key', () => {
    const decode = parked.find((m) => m.headers['ar.stage'] === 'decode')!;
    assert.ok(decode, 'no decode-stage record');
    assert.equal(decode.headers['ar.error.code'], 'AR_ERR_DECODE_SCHEMA');
    assert.equal(decode.headers['ar.error.path'], 'action');
    assert.equal(decode.headers['ar.source.topic'], topic);
    assert.equal(decode.headers['ar.source.partition'], '0');
    assert.equal(decode.headers['ar.source.offset'], '0');
    assert.ok(!Number.isNaN(Date.parse(decode.headers['ar.dead_lettered_at']!)));
    assert.equal(decode.key?.toString(), 'k0');
    assert.match(decode.value!.toString(), /"version":"0.1"/);
  });

  it('a delivery failure: ar.sink, ar.attempts, ar.error.status and ar.error.cause', () => {
    const deliver = parked.find((m) => m.headers['ar.stage'] === 'deliver')!;
    assert.ok(deliver, 'no deliver-stage record');
    assert.equal(deliver.headers['ar.error.code'], 'AR_ERR_SINK_EXHAUSTED');
    assert.equal(deliver.headers['ar.error.cause'], 'AR_ERR_SINK_UNAVAILABLE');
    assert.equal(deliver.headers['ar.error.status'], '500');
    assert.equal(deliver.headers['ar.sink'], 'flaky');
    assert.ok(Number(deliver.headers['ar.attempts']) >= 2, `ar.attempts ${deliver.headers['ar.attempts']}`);
    assert.equal(Number(deliver.headers['ar.attempts']), receiver.requests.length, 'ar.attempts counts every request made');
    assert.equal(deliver.headers['ar.event.id'], event.id);
    assert.equal(deliver.headers['ar.source.offset'], '1');
    assert.ok(deliver.headers['ar.error.message']!.length > 0);
    assert.equal(JSON.parse(deliver.value!.toString()).id, event.id);
  });

  it('the README lists exactly the header names the router writes', () => {
    const written = new Set(parked.flatMap((m) => Object.keys(m.headers)));
    assert.deepEqual([...written].sort(), [...documentedHeaders()].sort());
  });
});
