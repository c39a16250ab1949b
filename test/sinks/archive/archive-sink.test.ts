import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuditRouterError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { ArchiveSink } from '../../../src/sinks/archive/archive-sink.js';
import { archiveSinkConfigSchema } from '../../../src/sinks/archive/config.js';
import type { SinkEvent } from '../../../src/sinks/types.js';
import { makeEvent } from '../../helpers/events.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBucket, deleteBucket, readObjects, S3_CREDENTIALS, storeFields, testS3 } from './store.js';

function sinkEvent(partition: number, offset: number, timestamp = '2026-11-22T10:59:00Z'): SinkEvent {
  const event = makeEvent({ id: `audit/${partition}/${offset}`, timestamp });
  return { event, json: JSON.stringify(event), key: null, source: { topic: 'audit', partition, offset: String(offset) } };
}

const range = (partition: number, from: number, to: number, timestamp?: string) =>
  Array.from({ length: to - from + 1 }, (_, i) => sinkEvent(partition, from + i, timestamp));

function sink(bucket: string, overrides: Record<string, unknown> = {}): ArchiveSink {
  const config = archiveSinkConfigSchema.parse({ type: 'archive', name: 'vault', prefix: 'trail', ...storeFields(bucket), ...overrides });
  return new ArchiveSink(config, silentLogger());
}

const ids = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { id: string }).id);
const never = new AbortController().signal;

describe('archive sink against S3Proxy', () => {
  let bucket: string;
  before(async () => (bucket = await createBucket('archive-unit')));
  after(() => deleteBucket(bucket));

  it('objects of consecutive offsets per partition, ending at blocks of roll.maxEvents, keyed by date folder and first offset', async () => {
    const s = sink(bucket, { prefix: 'layout', roll: { maxEvents: 4 } });
    await s.send([...range(0, 0, 2), ...range(1, 6, 9)], never);
    // The next batch extends partition 0's object, ends it at offset 3, and opens the next block; an hour later opens a new folder.
    await s.send([...range(0, 3, 5), ...range(0, 6, 6, '2026-11-22T11:00:00Z')], never);
    await s.close();
    const objects = (await readObjects(bucket)).filter((o) => o.key.startsWith('layout/'));
    const byKey = Object.fromEntries(objects.map((o) => [o.key, ids(o.lines)]));
    assert.deepEqual(byKey, {
      'layout/audit/dt=2026-11-22/hour=10/audit+0+0.jsonl.gz': ['audit/0/0', 'audit/0/1', 'audit/0/2', 'audit/0/3'],
      'layout/audit/dt=2026-11-22/hour=10/audit+0+4.jsonl.gz': ['audit/0/4', 'audit/0/5'],
      'layout/audit/dt=2026-11-22/hour=11/audit+0+6.jsonl.gz': ['audit/0/6'],
      'layout/audit/dt=2026-11-22/hour=10/audit+1+6.jsonl.gz': ['audit/1/6', 'audit/1/7'],
      'layout/audit/dt=2026-11-22/hour=10/audit+1+8.jsonl.gz': ['audit/1/8', 'audit/1/9'],
    });
    const first = objects.find((o) => o.key.endsWith('audit+0+0.jsonl.gz'))!;
    assert.equal(first.lines[0], sinkEvent(0, 0).json, "the log sink's line: the canonical JSON, byte for byte");
    assert.deepEqual(first.metadata, { 'ar-first-offset': '0', 'ar-last-offset': '3', 'ar-events': '4' });
    assert.equal(first.contentType, 'application/gzip');
  });

  it('a new process re-reading from an offset inside a stored object extends it and writes nothing twice', async () => {
    const before = sink(bucket, { prefix: 'resume', roll: { maxEvents: 10 }, compression: 'none' });
    await before.send(range(0, 0, 4), never);
    await before.send(range(0, 5, 12), never);
    await before.close();
    // As after a crash whose last commit was offset 3: events 3.. arrive again, then new ones.
    const restarted = sink(bucket, { prefix: 'resume', roll: { maxEvents: 10 }, compression: 'none' });
    await restarted.send(range(0, 3, 8), never);
    await restarted.send(range(0, 9, 14), never);
    await restarted.close();
    const objects = (await readObjects(bucket)).filter((o) => o.key.startsWith('resume/'));
    const byKey = Object.fromEntries(objects.map((o) => [o.key.replace(/^.*\//, ''), ids(o.lines)]));
    assert.deepEqual(byKey, {
      'audit+0+0.jsonl': range(0, 0, 9).map((e) => e.event.id),
      'audit+0+10.jsonl': range(0, 10, 14).map((e) => e.event.id),
    });
  });

  it('a batch the runner gave up on leaves a gap that a redrive fills; a later restart still writes nothing twice', async () => {
    const opts = { prefix: 'gap', roll: { maxEvents: 100 }, compression: 'none' };
    const live = sink(bucket, opts);
    await live.send(range(0, 0, 4), never);
    const gone = new AbortController();
    gone.abort(new Error('given up'));
    await assert.rejects(live.send(range(0, 5, 7), gone.signal));
    // The next batch is past the failed one: the runner dead-lettered 5..7, and the sink opens a new object after them.
    await live.send(range(0, 8, 12), never);
    await live.close();
    const redrive = sink(bucket, opts);
    await redrive.send(range(0, 5, 7), never);
    await redrive.close();
    const restarted = sink(bucket, opts);
    await restarted.send(range(0, 3, 14), never);
    await restarted.close();
    const objects = (await readObjects(bucket)).filter((o) => o.key.startsWith('gap/'));
    const byKey = Object.fromEntries(objects.map((o) => [o.key.replace(/^.*\//, ''), ids(o.lines)]));
    assert.deepEqual(byKey, {
      'audit+0+0.jsonl': range(0, 0, 7).map((e) => e.event.id),
      'audit+0+8.jsonl': range(0, 8, 14).map((e) => e.event.id),
    });
  });

  it('an object at its key that it did not write: AR_ERR_ARCHIVE_FOREIGN_OBJECT, and the object is left as it was', async () => {
    const key = 'foreign/audit/dt=2026-11-22/hour=10/audit+0+0.jsonl';
    await testS3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'not ours\n' }));
    const s = sink(bucket, { prefix: 'foreign', compression: 'none' });
    const err = await s.send(range(0, 0, 1), never).catch((e: unknown) => e);
    await s.close();
    assert.ok(err instanceof AuditRouterError);
    assert.equal(err.code, 'AR_ERR_ARCHIVE_FOREIGN_OBJECT');
    assert.equal(err.retriable, false);
    const [object] = (await readObjects(bucket)).filter((o) => o.key === key);
    assert.deepEqual(object?.lines, ['not ours']);
  });

  it('wrong credentials: AR_ERR_ARCHIVE_ACCESS, not retriable, naming the sink and the bucket but not the secret', async () => {
    const s = sink(bucket, { credentials: { accessKeyId: S3_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' } });
    const err = await s.send(range(0, 0, 0), never).then(
      () => assert.fail('the store accepted a wrong signature'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuditRouterError);
    assert.equal(err.code, 'AR_ERR_ARCHIVE_ACCESS');
    assert.equal(err.retriable, false);
    assert.equal(err.status, 403);
    assert.match(err.message, new RegExp(`^sink vault: access refused, list s3://${bucket}/`));
    assert.ok(!err.message.includes('not-the-secret'));
    await s.close();
  });

  it('a bucket that does not exist: AR_ERR_ARCHIVE_NO_BUCKET', async () => {
    const s = sink(`${bucket}-gone`);
    const err = await s.send(range(0, 0, 0), never).catch((e: unknown) => e);
    assert.ok(err instanceof AuditRouterError);
    assert.equal(err.code, 'AR_ERR_ARCHIVE_NO_BUCKET');
    await s.close();
  });

  it('the store down: AR_ERR_SINK_UNAVAILABLE, retriable', async () => {
    const s = sink(bucket, { endpoint: 'http://127.0.0.1:1' });
    const err = await s.send(range(0, 0, 0), never).catch((e: unknown) => e);
    assert.ok(err instanceof AuditRouterError);
    assert.equal(err.code, 'AR_ERR_SINK_UNAVAILABLE');
    assert.equal(err.retriable, true);
    await s.close();
  });
});

describe('archive sink config', () => {
  const parse = (key: string) => archiveSinkConfigSchema.safeParse({ type: 'archive', name: 'vault', bucket: 'b-1', key });

  it('a key template must name the partition and the offset once, with nothing but {ext} after the offset', () => {
    assert.equal(parse('{topic}/{partition}-{offset}{ext}').success, true);
    for (const [key, message] of [
      ['{topic}/{offset}{ext}', 'must contain {partition} exactly once'],
      ['{topic}/{partition}/{offset}/{date}', 'only {ext} may follow {offset}'],
      ['{partition}/{offset}/x', 'no folder may follow {offset}'],
      ['{partition}/{offset}{week}', 'unknown token {week}'],
    ] as const) {
      const result = parse(key);
      assert.equal(result.success, false, key);
      assert.match(result.error!.issues[0]!.message, new RegExp(message.replace(/[{}]/g, '\\$&')), key);
    }
  });
});
