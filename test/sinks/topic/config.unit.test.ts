import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, validateConfig } from '../../../src/config/index.js';

const base = {
  kafka: { brokers: ['127.0.0.1:9092'] },
  source: { topic: 'audit', groupId: 'router' },
};

test('topic sink defaults: json, no compression, its own batch and retry policy', () => {
  const config = validateConfig({ ...base, sinks: [{ type: 'topic', name: 'copy', topic: 'audit.copy' }] });
  const sink = config.sinks[0]!;
  assert.equal(sink.type, 'topic');
  if (sink.type !== 'topic') return;
  assert.equal(sink.encoding, 'json');
  assert.equal(sink.compression, 'none');
  assert.deepEqual(sink.batch, { maxEvents: 1000, maxBytes: 1048576, maxWaitMs: 5 });
  assert.deepEqual(sink.retry, { initialBackoffMs: 100, maxBackoffMs: 10000, maxElapsedMs: 300000 });
  assert.equal(sink.concurrency, 4);
});

test('encoding avro without schemaRegistry fails at sinks[0].encoding', () => {
  assert.throws(
    () => validateConfig({ ...base, sinks: [{ type: 'topic', name: 'copy', topic: 'audit.copy', encoding: 'avro' }] }),
    (err: unknown) =>
      err instanceof ConfigError && err.issues.some((i) => i.path === 'sinks[0].encoding' && /schemaRegistry\.url/.test(i.message)),
  );
});

test('encoding avro with schemaRegistry is valid', () => {
  const config = validateConfig({
    ...base,
    schemaRegistry: { url: 'http://127.0.0.1:8081/apis/ccompat/v7' },
    sinks: [{ type: 'topic', name: 'copy', topic: 'audit.copy', encoding: 'avro' }],
  });
  assert.equal(config.sinks[0]!.type, 'topic');
});

test('bad topic names, unknown keys and unknown compression are refused with their paths', () => {
  assert.throws(
    () => validateConfig({ ...base, sinks: [{ type: 'topic', name: 'copy', topic: 'no spaces', compression: 'zstd', extra: 1 }] }),
    (err: unknown) => {
      const paths = (err as ConfigError).issues.map((i) => i.path);
      return ['sinks[0].topic', 'sinks[0].compression', 'sinks[0]'].every((p) => paths.includes(p));
    },
  );
});
