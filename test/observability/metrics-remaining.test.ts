import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { validateConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

/** The value of one sample, by its literal name and labels as /metrics writes them; NaN when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

describe('the README metrics the other tests do not reach, by their literal names', () => {
  let topic: string;
  let receiver: HttpReceiver;
  let app: RouterApp;
  let base = '';

  before(async () => {
    topic = await createTopic('metrics-remaining', 1);
    // The first batch fails twice with 500 and then succeeds; the "refused" events get a 400 (given up on).
    receiver = new HttpReceiver((req, res) => {
      if (req.body.includes('refused')) return void res.writeHead(400).end();
      return void res.writeHead(req.attempt <= 2 ? 500 : 200).end();
    });
    await receiver.start();
    const config = validateConfig(
      routerConfig({
        topic,
        groupId: uniqueName('metrics-remaining'),
        sinks: [
          {
            name: 'hook',
            type: 'webhook',
            url: receiver.url,
            batch: { maxEvents: 5, maxWaitMs: 10 },
            retry: { initialBackoffMs: 10, maxBackoffMs: 20, maxElapsedMs: 60_000 },
          },
        ],
        extra: { admin: { listen: '127.0.0.1:0' } },
      }),
    );
    app = await RouterApp.start(config, { logger: silentLogger(), onAdminListening: (u) => (base = u) });
  });

  after(async () => {
    await app.stop();
    await receiver.close();
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('failed, retries, batch size, delivery seconds, lag, commits and the process metrics', async () => {
    await produce(
      topic,
      makeEvents(5, 'ok').map((e) => ({ value: JSON.stringify(e) })),
    );
    const metrics = async () => (await request(`${base}/metrics`)).body.text();
    await waitFor(async () => sample(await metrics(), 'audit_router_sink_events_delivered_total{sink="hook"}') === 5, {
      what: 'the first batch delivered',
    });
    await produce(
      topic,
      makeEvents(2, 'refused').map((e) => ({ value: JSON.stringify(e) })),
    );
    const text = await waitFor(
      async () => {
        const t = await metrics();
        return sample(t, 'audit_router_sink_events_failed_total{sink="hook",code="AR_ERR_SINK_REJECTED"}') === 2 &&
          sample(t, 'audit_router_offset_commits_total') > 0
          ? t
          : undefined;
      },
      { what: 'the refused events counted as failed, and a commit' },
    );

    assert.equal(sample(text, 'audit_router_sink_retries_total{sink="hook",code="AR_ERR_SINK_UNAVAILABLE"}'), 2);
    // The five may arrive in one fetch or two: the batches' sizes add up to the delivered events either way.
    const batches = sample(text, 'audit_router_sink_batch_size_count{sink="hook"}');
    assert.ok(batches >= 1 && batches <= 2, `batches ${batches}`);
    assert.equal(sample(text, 'audit_router_sink_batch_size_sum{sink="hook"}'), 5);
    assert.ok(sample(text, 'audit_router_sink_delivery_seconds_count{sink="hook"}') >= batches, 'observed for every acknowledged batch');
    assert.ok(sample(text, 'audit_router_sink_delivery_seconds_sum{sink="hook"}') > 0);
    assert.equal(sample(text, `audit_router_consumer_lag{topic="${topic}",partition="0"}`), 0);
    assert.ok(sample(text, 'audit_router_offset_commits_total') >= 1);
    assert.ok(sample(text, 'audit_router_process_cpu_user_seconds_total') > 0, 'Node process metrics carry the audit_router_ prefix');
    assert.ok(sample(text, 'audit_router_nodejs_heap_size_used_bytes') > 0);
  });
});
