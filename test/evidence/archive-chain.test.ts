import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordHash } from '../../src/evidence/chain.js';
import type { SinkEvent } from '../../src/sinks/types.js';
import { makeEvent } from '../helpers/events.js';
import { tempDir } from '../helpers/router-process.js';
import { createBucket, deleteBucket, storeFields } from '../sinks/archive/store.js';
import { archiveSinkWithEvidence, readTrailObjects, verifyArchive } from './archive-support.js';
import { keygen } from './support.js';

function sinkEvent(offset: number, timestamp: string): SinkEvent {
  const event = makeEvent({ id: `audit/0/${offset}`, timestamp });
  return { event, json: JSON.stringify(event), key: null, source: { topic: 'audit', partition: 0, offset: String(offset) } };
}
const range = (from: number, to: number, timestamp: string) =>
  Array.from({ length: to - from + 1 }, (_, i) => sinkEvent(from + i, timestamp));
const never = new AbortController().signal;

const start = (bucket: string, signingKey: string) => archiveSinkWithEvidence({ prefix: 'chain', ...storeFields(bucket) }, signingKey);

describe('evidence on the archive sink: the chain across restarts and date folders', () => {
  let bucket: string;
  before(async () => (bucket = await createBucket('evidence-chain')));
  after(() => deleteBucket(bucket));

  it("a restarted sink opening an object in a new hour links it to the partition's last object in the hour before", async () => {
    const keys = await keygen(tempDir());
    const first = await start(bucket, keys.privateKey);
    await first.send(range(0, 9, '2026-11-30T10:59:00Z'), never);
    await first.close();
    // A new process: it knows nothing of the trail, and the new hour's folder holds nothing of the partition.
    const second = await start(bucket, keys.privateKey);
    await second.send(range(10, 19, '2026-11-30T11:00:00Z'), never);
    await second.close();
    // And one more, extending the object it finds in that folder.
    const third = await start(bucket, keys.privateKey);
    await third.send(range(20, 24, '2026-11-30T11:01:00Z'), never);
    await third.close();

    const objects = await readTrailObjects(bucket, 'chain');
    assert.deepEqual(
      objects.map((o) => o.key.replace(/^chain\/audit\//, '')),
      ['dt=2026-11-30/hour=10/audit+0+0.jsonl.gz', 'dt=2026-11-30/hour=11/audit+0+10.jsonl.gz'],
    );
    const [earlier, later] = objects as [(typeof objects)[0], (typeof objects)[0]];
    assert.equal(later.metadata['ar-trail'], earlier.metadata['ar-trail'], 'one trail');
    const link = (JSON.parse(later.lines[0]!) as { _chain: { seq: number; prev: string } })._chain;
    assert.equal(link.prev, recordHash(earlier.lines.at(-1)!), "the new hour's first line links to the hour before's last");
    assert.equal(link.seq, earlier.lines.length + 1);

    const result = await verifyArchive(`s3://${bucket}/chain`, keys.publicKey);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^2 objects from s3:\/\/\S+\/hour=10\/audit\+0\+0\.jsonl\.gz: intact: \d+ records \(25 events, \d+ checkpoints\)/m,
    );
    assert.equal([...result.stdout.matchAll(/: intact: /g)].length, 1, 'one trail, not a new one per process');
  });
});
