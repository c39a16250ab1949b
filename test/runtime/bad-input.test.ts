import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateConfig } from '../../src/config/index.js';
import { DLQ_HEADERS } from '../../src/deadletter/headers.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { createTopic, deleteTopics, produce, readTopic, type OutMessage } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

describe('bad messages mixed into the stream', () => {
  it('parks every bad one with its code and path, delivers every good one, and keeps running', async () => {
    const topic = await createTopic('bad-input', 2);
    const file = join(tempDir(), 'audit.log');
    const config = validateConfig(routerConfig({ topic, groupId: uniqueName('bad'), sinks: [{ name: 'archive', type: 'log', file }] }));
    const app = await RouterApp.start(config, { logger: silentLogger() });
    try {
      const good = makeEvents(200, 'good');
      const { action: _missing, ...noAction } = good[0]!;
      const bad: (OutMessage & { code: string; path?: string })[] = [
        { value: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01]), code: 'AR_ERR_DECODE_JSON' },
        { value: '{"version":"0.2","type":"flag","act', code: 'AR_ERR_DECODE_JSON' },
        { value: JSON.stringify({ ...noAction, id: 'no-action' }), code: 'AR_ERR_DECODE_SCHEMA', path: 'action' },
        { value: JSON.stringify({ ...good[1], id: 'ts-number', timestamp: 1 }), code: 'AR_ERR_DECODE_SCHEMA', path: 'timestamp' },
        { value: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('body')]), code: 'AR_ERR_DECODE_UNKNOWN_SCHEMA' },
        { value: null, code: 'AR_ERR_DECODE_EMPTY' },
      ];
      const messages: OutMessage[] = [];
      good.forEach((e, i) => {
        messages.push({ value: JSON.stringify(e), partition: i % 2 });
        if (i % 30 === 0 && bad[i / 30]) messages.push({ ...bad[i / 30]!, key: `bad-${i / 30}`, partition: (i / 30) % 2 });
      });
      await produce(topic, messages);

      const parked = await readTopic(config.deadLetter.topic, { count: bad.length });
      await waitFor(() => idsIn(file).length >= good.length, { what: 'good events in the log sink' });
      assert.deepEqual(new Set(idsIn(file)), new Set(good.map((e) => e.id)));
      assert.equal(parked.length, bad.length);
      for (const [i, expected] of bad.entries()) {
        const record = parked.find((m) => m.key?.toString() === `bad-${i}`);
        assert.ok(record, `bad message ${i} is in the dead-letter topic`);
        assert.equal(record.headers[DLQ_HEADERS.code], expected.code, `code of bad message ${i}`);
        if (expected.path) assert.equal(record.headers[DLQ_HEADERS.path], expected.path);
        assert.equal(record.headers[DLQ_HEADERS.stage], 'decode');
        assert.equal(record.headers[DLQ_HEADERS.sourceTopic], topic);
        assert.match(record.headers[DLQ_HEADERS.sourceOffset]!, /^\d+$/);
        const original = expected.value === null ? null : Buffer.from(expected.value as string | Buffer);
        assert.deepEqual(record.value, original, 'original bytes are kept');
      }
      assert.ok(app.isReady, 'the router is still running');
      const counted = (await app.metrics.deadLettered.get()).values
        .filter((v) => v.labels.sink === '')
        .reduce((sum, v) => sum + v.value, 0);
      assert.equal(counted, bad.length, 'every parked message is counted');
    } finally {
      await app.stop();
      await deleteTopics(topic, config.deadLetter.topic);
    }
  });
});
