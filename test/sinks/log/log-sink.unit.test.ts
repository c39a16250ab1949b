import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { logSinkConfigSchema } from '../../../src/sinks/log/config.js';
import { LogSink } from '../../../src/sinks/log/log-sink.js';
import type { SinkEvent } from '../../../src/sinks/types.js';
import { makeEvent } from '../../helpers/events.js';
import { tempDir } from '../../helpers/router-process.js';

function sinkEvent(id: string, payload?: unknown): SinkEvent {
  const event = { ...makeEvent({ id }), ...(payload === undefined ? {} : { payload }) };
  return { event, json: JSON.stringify(event), key: null, source: { topic: 't', partition: 0, offset: '0' } };
}

function sink(overrides: Record<string, unknown>) {
  return new LogSink(logSinkConfigSchema.parse({ type: 'log', name: 'archive', ...overrides }));
}

describe('log sink', () => {
  it('json: one canonical event per line, appended', async () => {
    const file = join(tempDir(), 'audit.log');
    const s = sink({ file, fsync: true });
    await s.send([sinkEvent('a'), sinkEvent('b')]);
    await s.send([sinkEvent('c')]);
    await s.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).id),
      ['a', 'b', 'c'],
    );
    assert.equal(lines[0], sinkEvent('a').json, 'the canonical JSON, byte for byte');
  });

  it('console: one readable line per event; CR/LF in the payload cannot forge a second line', async () => {
    const file = join(tempDir(), 'audit.log');
    const s = sink({ file, encoding: 'console' });
    const forged = sinkEvent('evil', { key: 'x\n2026-01-01T00:00:00Z token:deleted "fake"', namespace_key: 'default' });
    await s.send([sinkEvent('ok'), forged]);
    await s.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^2026-11-22T10:00:00Z flag:created "default\/flipt" by "ops@example.com" from 10\.0\.0\.1 id="ok"$/);
    assert.match(lines[1]!, /\\n2026-01-01/, 'the newline is escaped inside the quoted value');
  });
});
