import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/config/index.js';
import { DLQ_HEADERS } from '../../src/deadletter/headers.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce, readTopic } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, runCli, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

async function withRouter(
  sinks: unknown[],
  run: (ctx: { topic: string; dlq: string; app: RouterApp; configFile: string }) => Promise<void>,
): Promise<void> {
  const topic = await createTopic('webhook', 1);
  const tree = routerConfig({ topic, groupId: uniqueName('webhook'), sinks });
  const config = validateConfig(tree);
  const app = await RouterApp.start(config, { logger: silentLogger() });
  try {
    await run({ topic, dlq: config.deadLetter.topic, app, configFile: writeConfig(tempDir(), tree) });
  } finally {
    await app.stop();
    await deleteTopics(topic, config.deadLetter.topic);
  }
}

const events = (n: number, prefix: string) => makeEvents(n, prefix).map((e) => ({ value: JSON.stringify(e) }));

describe('webhook delivery through the router', () => {
  let receiver: HttpReceiver;
  before(async () => {
    receiver = new HttpReceiver();
    await receiver.start();
  });
  after(() => receiver.close());

  it('500, 500, 503 with Retry-After, then 200: every event arrives once after the 200, same idempotency key each attempt; Retry-After is honoured', async () => {
    receiver.requests.length = 0;
    receiver.respondWith((req, res) => {
      if (req.attempt <= 2) return void res.writeHead(500).end('boom');
      if (req.attempt === 3) return void res.writeHead(503, { 'retry-after': '1' }).end('later');
      res.writeHead(200).end('ok');
    });
    await withRouter(
      [
        {
          name: 'hook',
          type: 'webhook',
          url: receiver.url,
          batch: { maxEvents: 10, maxWaitMs: 50 },
          retry: { initialBackoffMs: 10, maxBackoffMs: 50, maxElapsedMs: 30_000 },
        },
      ],
      async ({ topic }) => {
        await produce(topic, events(10, 'r'));
        await waitFor(() => receiver.requests.length >= 4, { what: 'four attempts' });
        const [a, b, c, d] = receiver.requests;
        assert.ok(a && b && c && d);
        assert.equal(new Set([a, b, c, d].map((r) => r.headers['idempotency-key'])).size, 1, 'same idempotency key on every attempt');
        assert.equal(d.body, a.body, 'the same batch is retried');
        const gap = d.receivedAt - c.receivedAt;
        assert.ok(gap >= 950, `Retry-After: 1 respected (waited ${gap} ms)`);
        const delivered = JSON.parse(d.body) as { id: string }[];
        assert.deepEqual(delivered.map((e) => e.id).sort(), Array.from({ length: 10 }, (_, i) => `r-${i}`).sort());
        assert.equal(receiver.requests.length, 4, 'nothing sent again after the 200');
      },
    );
  });

  it('400: nothing counts as delivered; the events are dead-lettered with sink name and status; redrive delivers them once healthy', async () => {
    receiver.requests.length = 0;
    receiver.respondWith((_req, res) => void res.writeHead(400).end('bad request'));
    await withRouter(
      [{ name: 'strict', type: 'webhook', url: receiver.url, batch: { maxEvents: 5, maxWaitMs: 20 } }],
      async ({ topic, dlq, app, configFile }) => {
        await produce(topic, events(5, 'bad'));
        const parked = await readTopic(dlq, { count: 5 });
        for (const record of parked) {
          assert.equal(record.headers[DLQ_HEADERS.sink], 'strict');
          assert.equal(record.headers[DLQ_HEADERS.status], '400');
          assert.equal(record.headers[DLQ_HEADERS.code], 'AR_ERR_SINK_REJECTED');
          assert.equal(record.headers[DLQ_HEADERS.stage], 'deliver');
        }
        assert.deepEqual(parked.map((r) => JSON.parse(r.value!.toString()).id).sort(), ['bad-0', 'bad-1', 'bad-2', 'bad-3', 'bad-4']);
        assert.equal(receiver.requests.length, 1, '400 is not retried');
        const delivered = (await app.metrics.delivered.get()).values.find((v) => v.labels.sink === 'strict')?.value ?? 0;
        assert.equal(delivered, 0);

        receiver.requests.length = 0;
        receiver.respondWith((_req, res) => void res.writeHead(204).end());
        await produce(topic, [{ value: 'not an event' }]);
        await readTopic(dlq, { count: 6 });
        const result = await runCli(['redrive', '-c', configFile]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /5 delivered, 0 failed again/);
        assert.match(result.stdout, /1 decode failure\(s\), not re-sent:\n {2}partition \d+ offset \d+: AR_ERR_DECODE_JSON/);
        const redriven = receiver.requests.flatMap((r) => (JSON.parse(r.body) as { id: string }[]).map((e) => e.id));
        assert.deepEqual(redriven.sort(), ['bad-0', 'bad-1', 'bad-2', 'bad-3', 'bad-4']);

        // The filters narrow what is re-sent: nothing dead-lettered after a future time, nothing failed by another sink.
        const later = await runCli(['redrive', '-c', configFile, '--since', new Date(Date.now() + 3_600_000).toISOString()]);
        assert.equal(later.code, 0, later.stderr);
        assert.match(later.stdout, /read 0 record\(s\)/);
        const otherSink = await runCli(['redrive', '-c', configFile, '--from-sink', 'someone-else']);
        assert.match(otherSink.stdout, /: 0 delivered, 0 failed again/);
        assert.equal(receiver.requests.flatMap((r) => JSON.parse(r.body) as unknown[]).length, 5, 'nothing re-sent by the filtered runs');
      },
    );
  });

  it('a receiver that never answers: the log and topic sinks keep receiving, the circuit opens, nothing is lost', async () => {
    receiver.requests.length = 0;
    receiver.respondWith(() => undefined);
    const file = join(tempDir(), 'audit.log');
    const outTopic = await createTopic('webhook-out', 1);
    const sinks = [
      { name: 'archive', type: 'log', file, batch: { maxWaitMs: 10 } },
      { name: 'copy', type: 'topic', topic: outTopic, batch: { maxWaitMs: 10 } },
      {
        name: 'dead',
        type: 'webhook',
        url: receiver.url,
        timeoutMs: 200,
        batch: { maxEvents: 20, maxWaitMs: 20 },
        retry: { initialBackoffMs: 10, maxBackoffMs: 50, maxElapsedMs: 60_000 },
        circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 60_000 },
      },
    ];
    await withRouter(sinks, async ({ topic, dlq, app }) => {
      await produce(topic, events(500, 'dead'));
      await waitFor(() => idsIn(file).length === 500, { what: 'all events in the log sink while the webhook is dead' });
      const copied = await readTopic(outTopic, { count: 500 });
      assert.equal(
        new Set(copied.map((m) => m.headers['ar.event.id'])).size,
        500,
        'all events in the topic sink while the webhook is dead',
      );
      await waitFor(async () => (await app.metrics.circuit.get()).values.find((v) => v.labels.sink === 'dead')?.value === 1, {
        what: 'the circuit to open',
      });
      // Nothing lost: every event is delivered to the webhook or parked with a reason.
      const parked = await readTopic(dlq, { count: 500, timeoutMs: 60_000 });
      assert.deepEqual(new Set(parked.map((r) => JSON.parse(r.value!.toString()).id)), new Set(idsIn(file)));
      assert.ok(parked.every((r) => ['AR_ERR_SINK_CIRCUIT_OPEN', 'AR_ERR_SINK_EXHAUSTED'].includes(r.headers[DLQ_HEADERS.code]!)));
    });
    await deleteTopics(outTopic);
  });
});
