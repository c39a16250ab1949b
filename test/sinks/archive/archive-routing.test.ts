import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../../src/config/index.js';
import { DLQ_HEADERS } from '../../../src/deadletter/headers.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { RouterApp } from '../../../src/runtime/router-app.js';
import { makeEvents } from '../../helpers/events.js';
import { createTopic, deleteTopics, produce, readTopic } from '../../helpers/kafka.js';
import { uniqueName } from '../../helpers/names.js';
import { routerConfig } from '../../helpers/router-process.js';
import { waitFor } from '../../helpers/wait.js';
import { createBucket, deleteBucket, readObjects, S3_CREDENTIALS, storeFields } from './store.js';

const ids = (objects: { lines: string[] }[]) => objects.flatMap((o) => o.lines.map((l) => (JSON.parse(l) as { id: string }).id));
// Short waits so the test does not sit out the archive's 5 s default batch wait.
const quick = { batch: { maxWaitMs: 20 } };

async function withRouter(
  sinks: unknown[],
  partitions: number,
  run: (ctx: { topic: string; dlq: string }) => Promise<void>,
): Promise<void> {
  const topic = await createTopic('archive-route', partitions);
  const config = validateConfig(routerConfig({ topic, groupId: uniqueName('archive-route'), sinks }));
  const app = await RouterApp.start(config, { logger: silentLogger() });
  try {
    await run({ topic, dlq: config.deadLetter.topic });
  } finally {
    await app.stop();
    await deleteTopics(topic, config.deadLetter.topic);
  }
}

describe('archive sink through the router', () => {
  let bucket: string;
  before(async () => (bucket = await createBucket('archive-route')));
  after(() => deleteBucket(bucket));

  it('each sink archives the events its rules match, under its prefix, one object per partition and offset block', async () => {
    const sinks = [
      { name: 'flags', type: 'archive', ...storeFields(bucket), prefix: 'flags', events: ['flag:*'], roll: { maxEvents: 10 }, ...quick },
      { name: 'everything', type: 'archive', ...storeFields(bucket), prefix: 'all', compression: 'none', ...quick },
    ];
    await withRouter(sinks, 2, async ({ topic }) => {
      // 40 events, alternating flag and segment, into two partitions: 20 each, offsets 0..19.
      const events = makeEvents(40, 'r', ['flag:created', 'segment:deleted']).map((e, i) => ({
        value: JSON.stringify(e),
        partition: Math.floor(i / 2) % 2,
      }));
      await produce(topic, events);
      const stored = () => readObjects(bucket);
      await waitFor(async () => ids((await stored()).filter((o) => o.key.startsWith('all/'))).length >= 40, {
        what: 'all 40 events under all/',
        intervalMs: 250,
      });
      await waitFor(async () => ids((await stored()).filter((o) => o.key.startsWith('flags/'))).length >= 20, {
        what: '20 flag events under flags/',
        intervalMs: 250,
      });
      const objects = await stored();
      const all = objects.filter((o) => o.key.startsWith('all/'));
      const flags = objects.filter((o) => o.key.startsWith('flags/'));
      assert.deepEqual(
        ids(all).sort(),
        events.map((e) => (JSON.parse(e.value) as { id: string }).id).sort(),
        'every event once under all/',
      );
      assert.deepEqual(
        all.map((o) => o.key).sort(),
        [0, 1].map((p) => `all/${topic}/dt=2026-11-22/hour=10/${topic}+${p}+0.jsonl`),
        'one uncompressed object per partition: 20 offsets fit one block of 2,000',
      );
      assert.deepEqual(
        ids(flags).sort(),
        makeEvents(40, 'r', ['flag:created', 'segment:deleted'])
          .filter((e) => e.type === 'flag')
          .map((e) => e.id!)
          .sort(),
        'flag events only under flags/',
      );
      // Partition p's flag events are at even offsets 0..18: blocks of 10 offsets start at the first event in each block.
      assert.deepEqual(
        flags.map((o) => o.key).sort(),
        [0, 1].flatMap((p) => [0, 10].map((first) => `flags/${topic}/dt=2026-11-22/hour=10/${topic}+${p}+${first}.jsonl.gz`)).sort(),
      );
      for (const o of flags) assert.equal(o.lines.length, 5, `${o.key}: the five flag events of its block`);
    });
  });

  it('wrong credentials: every event dead-lettered with AR_ERR_ARCHIVE_ACCESS and the sink named; the secret appears nowhere', async () => {
    const secret = 'wrong-secret-9f1c';
    const sinks = [
      {
        name: 'vault',
        type: 'archive',
        ...storeFields(bucket),
        prefix: 'denied',
        credentials: { accessKeyId: S3_CREDENTIALS.accessKeyId, secretAccessKey: secret },
        ...quick,
      },
    ];
    await withRouter(sinks, 1, async ({ topic, dlq }) => {
      await produce(
        topic,
        makeEvents(5, 'd').map((e) => ({ value: JSON.stringify(e) })),
      );
      const parked = await readTopic(dlq, { count: 5 });
      assert.deepEqual(parked.map((m) => (JSON.parse(m.value!.toString()) as { id: string }).id).sort(), [
        'd-0',
        'd-1',
        'd-2',
        'd-3',
        'd-4',
      ]);
      for (const m of parked) {
        assert.equal(m.headers[DLQ_HEADERS.code], 'AR_ERR_ARCHIVE_ACCESS');
        assert.equal(m.headers[DLQ_HEADERS.sink], 'vault');
        assert.equal(m.headers[DLQ_HEADERS.status], '403');
        assert.match(m.headers[DLQ_HEADERS.message]!, /^sink vault: access refused/);
        assert.ok(!JSON.stringify(m.headers).includes(secret), 'no secret in the dead-letter headers');
      }
      assert.equal((await readObjects(bucket)).filter((o) => o.key.startsWith('denied/')).length, 0, 'nothing stored');
    });
  });
});
