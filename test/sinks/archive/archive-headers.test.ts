import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AuditRouterError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { ArchiveSink } from '../../../src/sinks/archive/archive-sink.js';
import { archiveSinkConfigSchema } from '../../../src/sinks/archive/config.js';
import type { SinkEvent } from '../../../src/sinks/types.js';
import { makeEvent } from '../../helpers/events.js';
import { RecordingProxy } from './recording-proxy.js';
import { createBucket, deleteBucket, readObjects, s3Endpoint, storeFields } from './store.js';

const DAY = 86_400_000;

function sinkEvent(offset: number): SinkEvent {
  const event = makeEvent({ id: `audit/0/${offset}`, timestamp: '2026-11-30T09:00:00Z' });
  return { event, json: JSON.stringify(event), key: null, source: { topic: 'audit', partition: 0, offset: String(offset) } };
}

/**
 * S3Proxy's filesystem backend takes Object Lock headers and ignores them,
 * and refuses server-side encryption, so the store cannot show what was
 * asked for. A recording proxy in front of it can: these are the headers AWS
 * S3 acts on.
 */
describe('archive sink: Object Lock and server-side encryption headers on every PUT', () => {
  let bucket: string;
  let proxy: RecordingProxy;
  before(async () => {
    bucket = await createBucket('archive-headers');
    proxy = await RecordingProxy.start(s3Endpoint());
  });
  after(async () => {
    await proxy.close();
    await deleteBucket(bucket);
  });

  const sinkVia = (overrides: Record<string, unknown>) =>
    new ArchiveSink(
      archiveSinkConfigSchema.parse({ type: 'archive', name: 'vault', ...storeFields(bucket, proxy.endpoint), ...overrides }),
      silentLogger(),
    );
  const never = new AbortController().signal;

  it('objectLock: mode, retain-until and Content-MD5 on every PUT, rewrites included; the store takes them', async () => {
    const s = sinkVia({ prefix: 'locked', objectLock: { mode: 'COMPLIANCE', retainDays: 30 } });
    const sentAt = Date.now();
    try {
      await s.send([sinkEvent(0), sinkEvent(1)], never);
      await s.send([sinkEvent(2)], never);
    } finally {
      await s.close();
    }
    const puts = proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('/locked/'));
    assert.equal(puts.length, 2, 'one PUT per batch (the second rewrites the object)');
    for (const put of puts) {
      assert.equal(put.status, 200, 'the store accepted it');
      assert.equal(put.headers['x-amz-object-lock-mode'], 'COMPLIANCE');
      const until = Date.parse(String(put.headers['x-amz-object-lock-retain-until-date']));
      assert.ok(
        until >= sentAt + 30 * DAY && until <= Date.now() + 30 * DAY,
        `retain-until ${put.headers['x-amz-object-lock-retain-until-date']} is 30 days out`,
      );
      // Object Lock requires an integrity header; the MD5 is of the exact bytes sent.
      assert.equal(put.headers['content-md5'], createHash('md5').update(put.body).digest('base64'));
    }
    const [object] = (await readObjects(bucket)).filter((o) => o.key.startsWith('locked/'));
    assert.equal(object?.lines.length, 3, 'and the object is stored');
  });

  it('serverSideEncryption: algorithm and KMS key on the PUT; a store without SSE (S3Proxy answers 501) is a rejection, not an outage', async () => {
    const s = sinkVia({ prefix: 'encrypted', serverSideEncryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/audit' } });
    let error: unknown;
    try {
      await s.send([sinkEvent(0)], never);
    } catch (err) {
      error = err;
    } finally {
      await s.close();
    }
    const put = proxy.requests.find((r) => r.method === 'PUT' && r.url.includes('/encrypted/'));
    assert.equal(put?.headers['x-amz-server-side-encryption'], 'aws:kms');
    assert.equal(put?.headers['x-amz-server-side-encryption-aws-kms-key-id'], 'alias/audit');
    assert.equal(put?.status, 501, 'S3Proxy 4.1.0 refuses server-side encryption');
    assert.ok(error instanceof AuditRouterError, String(error));
    assert.equal(error.code, 'AR_ERR_SINK_REJECTED');
    assert.equal(error.retriable, false, 'retrying cannot make the store encrypt: dead-lettered, not retried for an hour');
    assert.match(error.message, /^sink vault: put s3:\/\/\S+\/encrypted\/\S+: 501 NotImplemented$/);
  });
});
