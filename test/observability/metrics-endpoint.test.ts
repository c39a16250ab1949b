import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { validateConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

function metricValue(text: string, name: string, labels = ''): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (!labels && l.startsWith(`${name}{`)));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

describe('admin listener', () => {
  it('/readyz is 503 until the group is joined; /metrics counts what was sent', async () => {
    const topic = await createTopic('metrics', 2);
    const file = join(tempDir(), 'audit.log');
    const config = validateConfig(
      routerConfig({
        topic,
        groupId: uniqueName('metrics'),
        sinks: [{ name: 'archive', type: 'log', file, events: ['flag:*'] }],
        extra: { admin: { listen: '127.0.0.1:0' } },
      }),
    );
    const readiness: number[] = [];
    let url: string | undefined;
    let polling = true;
    const poller = (async () => {
      await waitFor(() => url);
      while (polling) {
        readiness.push((await request(`${url}/readyz`)).statusCode);
        if (readiness.at(-1) === 200) break;
      }
    })();
    const app = await RouterApp.start(config, { logger: silentLogger(), onAdminListening: (u) => (url = u) });
    try {
      await poller;
      assert.equal(readiness[0], 503, `first answers: ${readiness.slice(0, 5).join(',')}`);
      assert.equal(readiness.at(-1), 200);
      const events = makeEvents(300, 'm', ['flag:created', 'segment:deleted', 'flag:updated']);
      await produce(topic, [...events.map((e) => ({ value: JSON.stringify(e) })), { value: 'not json' }]);
      await waitFor(() => idsIn(file).length === 200, { what: 'flag events in the sink' });
      const scrape = async () => await (await request(`${url}/metrics`)).body.text();
      const text = await waitFor(async () => {
        const t = await scrape();
        // Once the last batch is acknowledged, the sink holds nothing (the gauge is set, to 0, not absent).
        const settled = metricValue(t, 'audit_router_sink_buffered_events', 'sink="archive"') === 0;
        return settled && metricValue(t, 'audit_router_events_dead_lettered_total', 'code="AR_ERR_DECODE_JSON",sink=""') === 1
          ? t
          : undefined;
      });
      assert.equal(metricValue(text, 'audit_router_events_consumed_total', `topic="${topic}"`), 301);
      assert.equal(metricValue(text, 'audit_router_events_decoded_total', 'format="json"'), 300);
      assert.equal(metricValue(text, 'audit_router_events_filtered_out_total'), 100);
      assert.equal(metricValue(text, 'audit_router_sink_events_delivered_total', 'sink="archive"'), 200);
      assert.equal(metricValue(text, 'audit_router_sink_circuit_state', 'sink="archive"'), 0);
      const engine = app.kafkaEngine;
      assert.equal(metricValue(text, 'audit_router_info', `engine="${engine.name}",version="${engine.version}"`), 1);
      assert.equal((await request(`${url}/healthz`)).statusCode, 200);
    } finally {
      polling = false;
      await app.stop();
      await deleteTopics(topic, config.deadLetter.topic);
    }
  });
});
