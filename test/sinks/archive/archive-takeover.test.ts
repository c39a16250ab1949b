import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuditRouterError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { ArchiveSink } from '../../../src/sinks/archive/archive-sink.js';
import { archiveSinkConfigSchema } from '../../../src/sinks/archive/config.js';
import type { SinkEvent } from '../../../src/sinks/types.js';
import { makeEvent } from '../../helpers/events.js';
import { archiveSinkWithEvidence, verifyArchive } from '../../evidence/archive-support.js';
import { isCheckpoint, keygen } from '../../evidence/support.js';
import { tempDir } from '../../helpers/router-process.js';
import { RecordingProxy } from './recording-proxy.js';
import { createBucket, deleteBucket, readObjects, s3Endpoint, storeFields } from './store.js';

function sinkEvent(offset: number): SinkEvent {
  const event = makeEvent({ id: `audit/0/${offset}`, timestamp: '2026-11-30T09:00:00Z' });
  return { event, json: JSON.stringify(event), key: null, source: { topic: 'audit', partition: 0, offset: String(offset) } };
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => sinkEvent(from + i));
const ids = (from: number, to: number) => range(from, to).map((e) => e.event.id);
const never = new AbortController().signal;

/** With a signing key, the sink keeps a tamper-evident trail too. */
async function sink(
  bucket: string,
  endpoint: string,
  prefix: string,
  conditionalWrites: boolean,
  signingKey?: string,
): Promise<ArchiveSink> {
  const settings = { prefix, conditionalWrites, ...storeFields(bucket, endpoint) };
  if (signingKey !== undefined) return archiveSinkWithEvidence(settings, signingKey);
  return new ArchiveSink(archiveSinkConfigSchema.parse({ type: 'archive', name: 'vault', ...settings }), silentLogger());
}

/**
 * A rebalance as the store sees it. The old owner stored offsets 0..49 (so
 * 50 is committed), then sends 50..99, and that PUT is held on its way. The
 * partition moves: the new owner reads from offset 50, finds the object, and
 * stores 50..149 in it; those events are acknowledged, their offsets
 * committed. Then the old owner's PUT arrives.
 */
async function takeover(bucket: string, prefix: string, conditionalWrites: boolean, signingKey?: string) {
  const proxy = await RecordingProxy.start(s3Endpoint());
  const oldOwner = await sink(bucket, proxy.endpoint, prefix, conditionalWrites, signingKey);
  const newOwner = await sink(bucket, s3Endpoint(), prefix, conditionalWrites, signingKey);
  try {
    await oldOwner.send(range(0, 49), never);
    const held = proxy.hold((r) => r.method === 'PUT');
    const late = oldOwner.send(range(50, 99), never).then(
      () => undefined,
      (err: unknown) => err,
    );
    const latePut = await held.caught;
    await newOwner.send(range(50, 149), never);
    const beforeLate = (await readObjects(bucket)).filter((o) => o.key.startsWith(`${prefix}/`));
    const status = await held.release();
    const lateError = await late;
    const objects = (await readObjects(bucket)).filter((o) => o.key.startsWith(`${prefix}/`));
    return { proxy, oldOwner, latePut, beforeLate, status, lateError, objects };
  } finally {
    await newOwner.close();
  }
}

const storedIds = (objects: { lines: string[] }[]) =>
  objects.flatMap((o) => o.lines.filter((l) => !isCheckpoint(l)).map((l) => (JSON.parse(l) as { id: string }).id));

describe("archive sink: a partition's previous owner PUTs late, after the new owner stored more", () => {
  let bucket: string;
  before(async () => (bucket = await createBucket('archive-takeover')));
  after(() => deleteBucket(bucket));

  it('with conditionalWrites off, the late PUT replaces the longer object: events the new owner stored are gone', async () => {
    const { proxy, oldOwner, beforeLate, status, lateError, objects } = await takeover(bucket, 'unconditional', false);
    try {
      assert.deepEqual(storedIds(beforeLate), ids(0, 149), 'the new owner had stored 0..149');
      assert.equal(status, 200, 'the store took the late PUT');
      assert.equal(lateError, undefined);
      // This is the hole: 100..149 were acknowledged by the new owner, and are in no object now.
      assert.deepEqual(storedIds(objects), ids(0, 99));
    } finally {
      await oldOwner.close();
      await proxy.close();
    }
  });

  it('with conditional writes (the default), the late PUT is refused with 412, nothing is lost, and the retry adds no copy', async () => {
    const { proxy, oldOwner, latePut, beforeLate, status, lateError, objects } = await takeover(bucket, 'conditional', true);
    try {
      assert.deepEqual(storedIds(beforeLate), ids(0, 149), 'the new owner had stored 0..149');
      const firstPut = proxy.requests.find((r) => r.method === 'PUT' && r !== latePut)!;
      assert.equal(firstPut.headers['if-none-match'], '*', 'the object was created only where none was');
      assert.match(String(latePut.headers['if-match']), /^"?[0-9a-f]{32}"?$/, 'the rewrite names the version it extends');
      assert.equal(status, 412, 'the store refused the late PUT');
      assert.ok(lateError instanceof AuditRouterError, String(lateError));
      assert.equal(lateError.code, 'AR_ERR_ARCHIVE_CONFLICT');
      assert.equal(lateError.retriable, true, 'retried, never dead-lettered: the events are not bad');
      assert.deepEqual(storedIds(objects), ids(0, 149), 'every event the new owner acknowledged is still stored');

      // The runner retries the batch: the old owner re-reads the bucket, finds 50..99 stored, and writes nothing.
      const putsBefore = proxy.requests.filter((r) => r.method === 'PUT').length;
      await oldOwner.send(range(50, 99), never);
      assert.equal(proxy.requests.filter((r) => r.method === 'PUT').length, putsBefore, 'no PUT: the events were stored');
      const after = storedIds((await readObjects(bucket)).filter((o) => o.key.startsWith('conditional/')));
      assert.deepEqual(after, ids(0, 149), 'each event exactly once');
    } finally {
      await oldOwner.close();
      await proxy.close();
    }
  });

  it('with evidence on too, the refused PUT leaves one intact chain: the new owner continued the one it read back', async () => {
    const keys = await keygen(tempDir());
    const { proxy, oldOwner, status, objects } = await takeover(bucket, 'evidence', true, keys.privateKey);
    try {
      assert.equal(status, 412);
      await oldOwner.send(range(50, 99), never);
      assert.deepEqual(storedIds(objects), ids(0, 149));
      const result = await verifyArchive(`s3://${bucket}/evidence`, keys.publicKey);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^1 object from \S+: intact: \d+ records \(150 events, \d+ checkpoints\)/m);
    } finally {
      await oldOwner.close();
      await proxy.close();
    }
  });
});
