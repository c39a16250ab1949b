import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

describe('backpressure', () => {
  it('a full sink makes the consumer wait, then the event still reaches every later sink, in order', async () => {
    const topic = await createTopic('backpressure', 1);
    const file = join(tempDir(), 'audit.log');
    // Slow enough that a 5-event buffer is full most of the time.
    const receiver = new HttpReceiver((_req, res) => void setTimeout(() => res.writeHead(204).end(), 15));
    await receiver.start();
    const config = validateConfig(
      routerConfig({
        topic,
        groupId: uniqueName('backpressure'),
        sinks: [
          { name: 'slow', type: 'webhook', url: receiver.url, maxBufferedEvents: 5, batch: { maxEvents: 1, maxWaitMs: 0 }, concurrency: 1 },
          { name: 'archive', type: 'log', file, batch: { maxWaitMs: 5 } },
        ],
      }),
    );
    const app = await RouterApp.start(config, { logger: silentLogger() });
    try {
      const events = makeEvents(120, 'bp');
      await produce(
        topic,
        events.map((e) => ({ value: JSON.stringify(e) })),
      );
      await waitFor(() => idsIn(file).length >= 120 && receiver.requests.length >= 120, {
        what: 'every event in both sinks',
        timeoutMs: 60_000,
      });
      const expected = events.map((e) => e.id);
      assert.deepEqual(
        receiver.requests.map((r) => (JSON.parse(r.body) as { id: string }).id),
        expected,
        'the slow sink got every event once, in offset order',
      );
      assert.deepEqual(idsIn(file), expected, 'the sink after it got every event too');
    } finally {
      await app.stop();
      await receiver.close();
      await deleteTopics(topic, config.deadLetter.topic);
    }
  });
});
