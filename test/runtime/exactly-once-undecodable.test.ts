import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { createTopic, deleteTopics, produce, readTopic } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

describe('exactly-once: undecodable messages are logged like on the other path', () => {
  let input: string;
  let output: string;
  let app: RouterApp;
  const lines: { msg: string; code?: string; source?: { offset: string } }[] = [];

  before(async () => {
    input = await createTopic('eos-undecodable', 1);
    output = `${input}.out`;
    const logSink = new Writable({
      write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as (typeof lines)[number]), done()),
    });
    const config = validateConfig(
      routerConfig({
        topic: input,
        groupId: uniqueName('eos-undecodable'),
        sinks: [{ name: 'copy', type: 'topic', topic: output, exactlyOnce: true }],
      }),
    );
    app = await RouterApp.start(config, { logger: createLogger('info', logSink) });
  });

  after(async () => {
    await app.stop();
    await deleteTopics(input, output, `${input}.dlq`);
  });

  it('each parked message gets its own warn line with code and coordinates, after its transaction', async () => {
    const [good] = makeEvents(1, 'eos-undecodable');
    await produce(input, [{ value: '{not json' }, { value: JSON.stringify(good) }, { value: JSON.stringify({ type: 'flag' }) }]);
    const parked = await readTopic(`${input}.dlq`, { count: 2, isolation: 'read_committed' });
    assert.deepEqual(parked.map((m) => m.headers['ar.source.offset']).sort(), ['0', '2']);
    const logged = await waitFor(
      () => {
        const found = lines.filter((l) => l.msg.startsWith('dead-lettered undecodable message'));
        return found.length >= 2 ? found : undefined;
      },
      { what: 'a warn line per undecodable message' },
    );
    assert.deepEqual(logged.map((l) => [l.source?.offset, l.code]).sort(), [
      ['0', 'AR_ERR_DECODE_JSON'],
      ['2', 'AR_ERR_DECODE_SCHEMA'],
    ]);
  });
});
