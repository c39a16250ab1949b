import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateConfig, type SinkConfig } from '../../src/config/index.js';

const TYPES = ['log', 'webhook', 'topic', 'archive'] as const;

/** The README's "Common sink settings" table: setting → the defaults per sink type, as written there. */
function documentedDefaults(): Map<string, Record<(typeof TYPES)[number], number[]>> {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Common sink settings'), readme.indexOf('**Failure isolation policy.**'));
  const rows = new Map<string, Record<(typeof TYPES)[number], number[]>>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const numbers = (cell: string) =>
      cell.split('/').map((v) => (/^\d+ MiB$/.test(v.trim()) ? parseInt(v, 10) * 1024 * 1024 : Number(v.trim())));
    rows.set(cells[0]!, { log: numbers(cells[2]!), webhook: numbers(cells[3]!), topic: numbers(cells[4]!), archive: numbers(cells[5]!) });
  }
  return rows;
}

function defaultsOf(type: (typeof TYPES)[number]): SinkConfig {
  const required = { log: {}, webhook: { url: 'https://example.com/hook' }, topic: { topic: 'out' }, archive: { bucket: 'audit-archive' } }[
    type
  ];
  const sink = { name: 's', type, ...required };
  return validateConfig({ kafka: { brokers: ['127.0.0.1:9092'] }, source: { topic: 'in', groupId: 'g' }, sinks: [sink] }, 'defaults', {})
    .sinks[0]!;
}

test('every sink type gets the defaults the README table gives', () => {
  const table = documentedDefaults();
  assert.equal(table.size, 5, `rows read: ${[...table.keys()].join(', ')}`);
  for (const type of TYPES) {
    const s = defaultsOf(type);
    const actual: Record<string, number[]> = {
      '`batch.maxEvents` / `maxBytes` / `maxWaitMs`': [s.batch.maxEvents, s.batch.maxBytes, s.batch.maxWaitMs],
      '`retry.initialBackoffMs` / `maxBackoffMs` / `maxElapsedMs`': [s.retry.initialBackoffMs, s.retry.maxBackoffMs, s.retry.maxElapsedMs],
      // A threshold of 0 is "off": the table gives only that number.
      '`circuitBreaker.failureThreshold` / `resetTimeoutMs`':
        s.circuitBreaker.failureThreshold === 0 ? [0] : [s.circuitBreaker.failureThreshold, s.circuitBreaker.resetTimeoutMs],
      '`concurrency`': [s.concurrency],
      '`maxBufferedEvents`': [s.maxBufferedEvents],
    };
    for (const [setting, values] of Object.entries(actual)) {
      assert.deepEqual(values, table.get(setting)?.[type], `${type} ${setting}`);
    }
  }
});
