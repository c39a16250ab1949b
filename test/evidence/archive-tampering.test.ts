import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/config/index.js';
import { GENESIS_HASH, withLink } from '../../src/evidence/chain.js';
import { signCheckpoint, type Checkpoint } from '../../src/evidence/checkpoint.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { brokers, createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { capturingLogger } from '../faults/support.js';
import { createBucket, deleteBucket, storedEventCount, storeFields } from '../sinks/archive/store.js';
import { readTrailObjects, verifyArchive, writeTrailObjects, type TrailObject } from './archive-support.js';
import { isCheckpoint, isEvent, keygen, rechain } from './support.js';

const EVENTS = 400;
const EVERY = 25;
const PREFIX = 'trail';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const seqOf = (line: string) => (JSON.parse(line) as { _chain: { seq: number } })._chain.seq;
const clone = (objects: readonly TrailObject[]) => objects.map((o) => ({ ...o, metadata: { ...o.metadata }, lines: [...o.lines] }));

describe('evidence on the archive sink: verify names each kind of tampering in a trail the router wrote into S3Proxy', () => {
  let topic = '';
  let checkpointTopic = '';
  let bucket = '';
  let publicKey = '';
  let objects: TrailObject[] = [];
  /** Partition 0's objects in offset order: the trail the cases edit. */
  let p0: TrailObject[] = [];
  const topicFlags = () => ['--checkpoints-from-topic', checkpointTopic, '--brokers', brokers().join(',')];
  /** Where a case's copy of a line is, as verify names it. */
  const at = (name: string, key: string, line: number) => `s3://${bucket}/${name}/${key.slice(PREFIX.length + 1)} line ${line}`;
  const brokenAt = (kind: string, place: string, seq: number) =>
    new RegExp(`^audit-router: error AR_ERR_EVIDENCE_BROKEN: ${kind} at ${escape(place)} \\(seq ${seq}\\)`, 'm');
  /** A copy of the trail under its own prefix, edited: the original stays for the next case. */
  const tampered = async (name: string, edit: (objects: TrailObject[]) => TrailObject[]) => {
    await writeTrailObjects(bucket, PREFIX, name, edit(clone(objects)));
    return `s3://${bucket}/${name}`;
  };
  const indexOf = (list: TrailObject[], key: string) => list.findIndex((o) => o.key === key);

  before(async () => {
    topic = await createTopic('evidence-archive-tamper', 2);
    checkpointTopic = uniqueName('evidence-archive-checkpoints');
    bucket = await createBucket('evidence-tamper');
    const keys = await keygen(tempDir());
    publicKey = keys.publicKey;
    const sink = {
      name: 'vault',
      type: 'archive',
      ...storeFields(bucket),
      prefix: PREFIX,
      // Several objects per partition, and several batches per object.
      roll: { maxEvents: 60 },
      batch: { maxEvents: 20, maxWaitMs: 10 },
      evidence: { signingKey: keys.privateKey, checkpoint: { everyEvents: EVERY }, checkpointTopic },
    };
    const config = validateConfig(routerConfig({ topic, groupId: uniqueName('evidence-archive-tamper'), sinks: [sink] }));
    const app = await RouterApp.start(config, { logger: capturingLogger('warn').logger });
    try {
      await produce(
        topic,
        makeEvents(EVENTS, 'ev').map((e, i) => ({ value: JSON.stringify(e), partition: i % 2 })),
      );
      await waitFor(async () => (await storedEventCount(bucket)) >= EVENTS, { what: `${EVENTS} events in the bucket` });
    } finally {
      await app.stop();
    }
    objects = await readTrailObjects(bucket, PREFIX);
    const offset = (key: string) => Number(/\+(\d+)\.jsonl\.gz$/.exec(key)![1]);
    p0 = objects.filter((o) => /\+0\+\d+\.jsonl\.gz$/.test(o.key)).sort((a, b) => offset(a.key) - offset(b.key));
    assert.ok(p0.length >= 4, `partition 0 spans several objects (${objects.map((o) => o.key).join(', ')})`);
    assert.ok(
      p0.every((o) => o.metadata['ar-trail'] === p0[0]!.metadata['ar-trail']),
      'one trail per partition, named in each object',
    );
  });

  after(async () => {
    await deleteTopics(topic, `${topic}.dlq`, checkpointTopic);
    await deleteBucket(bucket);
  });

  it('the untouched archive verifies, alone and against the checkpoint topic: one intact trail per partition', async () => {
    const alone = await verifyArchive(`s3://${bucket}/${PREFIX}`, publicKey);
    assert.equal(alone.code, 0, alone.stderr);
    // Each trail named by the object it begins with: partition 0's and partition 1's first objects.
    const intact = [...alone.stdout.matchAll(/^\d+ objects from s3:\/\/\S+\+(\d)\+0\.jsonl\.gz: intact: \d+ records \((\d+) events/gm)];
    assert.deepEqual(intact.map((m) => m[1]).sort(), ['0', '1'], alone.stdout);
    assert.equal(
      intact.reduce((n, m) => n + Number(m[2]), 0),
      EVENTS,
    );
    // Each batch ends with a checkpoint: nothing in the bucket is left unsigned.
    assert.doesNotMatch(alone.stdout, /not signed yet/);
    const withTopic = await verifyArchive(`s3://${bucket}/${PREFIX}`, publicKey, topicFlags());
    assert.equal(withTopic.code, 0, withTopic.stderr);
    assert.equal(
      [...withTopic.stdout.matchAll(new RegExp(`checkpoint topic ${checkpointTopic}: \\d+ checkpoints of this trail`, 'g'))].length,
      2,
    );
  });

  /** An event line of partition 0's second object whose neighbours are events too. */
  const middle = () => {
    const o = p0[1]!;
    const i = o.lines.findIndex((l, j) => j > 2 && [j - 1, j, j + 1, j + 2].every((k) => isEvent(o.lines[k] ?? '')));
    assert.ok(i > 0, 'an event among events');
    return { o, i };
  };

  it('a modified record: names its object, line and seq', async () => {
    const { o, i } = middle();
    const location = await tampered('modified', (all) => {
      const target = all[indexOf(all, o.key)]!;
      target.lines[i] = target.lines[i]!.replace('"id":"', '"id":"x');
      return all;
    });
    const result = await verifyArchive(location, publicKey);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, brokenAt('modified record', at('modified', o.key, i + 1), seqOf(o.lines[i]!)));
  });

  it('a removed record: names the seq that is missing and where', async () => {
    const { o, i } = middle();
    const location = await tampered('removed', (all) => {
      all[indexOf(all, o.key)]!.lines.splice(i, 1);
      return all;
    });
    const result = await verifyArchive(location, publicKey);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, brokenAt('removed record', at('removed', o.key, i + 1), seqOf(o.lines[i + 1]!)));
    assert.match(result.stderr, new RegExp(`seq ${seqOf(o.lines[i]!)} is missing after ${escape(at('removed', o.key, i))} `));
  });

  it('two records swapped, and a record inserted: reordered and inserted, by object and line', async () => {
    const { o, i } = middle();
    const swapped = await tampered('reordered', (all) => {
      const lines = all[indexOf(all, o.key)]!.lines;
      [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
      return all;
    });
    const reordered = await verifyArchive(swapped, publicKey);
    assert.equal(reordered.code, 1, reordered.stdout);
    assert.match(reordered.stderr, brokenAt('reordered record', at('reordered', o.key, i + 1), seqOf(o.lines[i + 1]!)));

    const copied = await tampered('inserted', (all) => {
      all[indexOf(all, o.key)]!.lines.splice(i + 1, 0, p0[0]!.lines[3]!);
      return all;
    });
    const inserted = await verifyArchive(copied, publicKey);
    assert.equal(inserted.code, 1, inserted.stdout);
    assert.match(inserted.stderr, brokenAt('inserted line', at('inserted', o.key, i + 2), seqOf(p0[0]!.lines[3]!)));
    assert.match(
      inserted.stderr,
      new RegExp(`it repeats seq ${seqOf(p0[0]!.lines[3]!)}, which is at ${escape(at('inserted', p0[0]!.key, 4))}`),
    );
  });

  it('a removed object: named at the object after the gap, with the seqs it held', async () => {
    const gone = p0[1]!;
    const next = p0[2]!;
    const location = await tampered('no-object', (all) => all.filter((o) => o.key !== gone.key));
    const result = await verifyArchive(location, publicKey);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, brokenAt('removed object', at('no-object', next.key, 1), seqOf(next.lines[0]!)));
    assert.match(
      result.stderr,
      new RegExp(
        `seq ${seqOf(gone.lines[0]!)}\\.\\.${seqOf(gone.lines.at(-1)!)} \\(${gone.lines.length} records\\) are missing after ${escape(at('no-object', p0[0]!.key, p0[0]!.lines.length))}`,
      ),
    );
  });

  it('two objects swapped (bodies and metadata exchanged between their keys): reordered object', async () => {
    const [a, b] = [p0[1]!, p0[2]!];
    const location = await tampered('swapped', (all) => {
      const [ia, ib] = [indexOf(all, a.key), indexOf(all, b.key)];
      [all[ia]!.lines, all[ib]!.lines] = [all[ib]!.lines, all[ia]!.lines];
      [all[ia]!.metadata, all[ib]!.metadata] = [all[ib]!.metadata, all[ia]!.metadata];
      return all;
    });
    const result = await verifyArchive(location, publicKey);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, brokenAt('reordered object', at('swapped', a.key, 1), seqOf(b.lines[0]!)));
    assert.match(result.stderr, new RegExp(`before the object holding seq ${seqOf(a.lines[0]!)} \\(${escape(at('swapped', b.key, 1))}\\)`));
  });

  it("a truncated tail (the partition's last object deleted): invisible in the bucket alone, named against the checkpoint topic", async () => {
    const last = p0.at(-1)!;
    const before = p0.at(-2)!;
    const location = await tampered('truncated', (all) => all.filter((o) => o.key !== last.key));
    const alone = await verifyArchive(location, publicKey);
    assert.equal(alone.code, 0, `the bucket alone cannot tell: ${alone.stderr}`);
    const result = await verifyArchive(location, publicKey, topicFlags());
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, brokenAt('truncated tail', at('truncated', before.key, before.lines.length), seqOf(before.lines.at(-1)!)));
    // The newest checkpoint signs the record before it: the head the deleted object ended with.
    const head = (JSON.parse(last.lines.filter(isCheckpoint).at(-1)!) as { _checkpoint: Checkpoint })._checkpoint.seq;
    assert.match(
      result.stderr,
      new RegExp(`signs a head at seq ${head}: ${head - seqOf(before.lines.at(-1)!)} records are gone from the end`),
    );
  });

  it('a forged checkpoint (edited to relax its limit) and a missing one (the genesis removed, the chain rebuilt)', async () => {
    const o = p0[1]!;
    const k = o.lines.findIndex((l, j) => j > 0 && isCheckpoint(l));
    const relaxed = await tampered('forged', (all) => {
      const lines = all[indexOf(all, o.key)]!.lines;
      lines[k] = lines[k]!.replace(`"every":${EVERY}`, '"every":5000');
      return all;
    });
    const forged = await verifyArchive(relaxed, publicKey);
    assert.equal(forged.code, 1, forged.stdout);
    assert.match(forged.stderr, brokenAt('forged checkpoint', at('forged', o.key, k + 1), seqOf(o.lines[k]!)));

    // Without the key, the attacker rebuilds every link after the removed genesis, across all the partition's objects.
    const first = p0[0]!;
    assert.ok(isCheckpoint(first.lines[0]!), 'a trail starts with its genesis checkpoint');
    const noGenesis = await tampered('missing', (all) => {
      const trail = p0.map((p) => all[indexOf(all, p.key)]!);
      const flat = trail.flatMap((t) => t.lines).slice(1);
      flat[0] = withLink(flat[0]!.replace(/,"_chain":\{[^}]*\}\}$/, '}'), { seq: 1, prev: GENESIS_HASH });
      const rebuilt = rechain(flat, 1);
      let from = 0;
      trail.forEach((t, n) => {
        const count = t.lines.length - (n === 0 ? 1 : 0);
        t.lines = rebuilt.slice(from, from + count);
        from += count;
      });
      return all;
    });
    const missing = await verifyArchive(noGenesis, publicKey);
    assert.equal(missing.code, 1, missing.stdout);
    assert.match(missing.stderr, brokenAt('missing checkpoint', at('missing', first.key, 1), 1));
    assert.match(missing.stderr, /the trail does not begin with its signed genesis checkpoint/);
  });

  // Last: it adds a record to the checkpoint topic the other cases read.
  it('a forged checkpoint in the topic: a head of this trail that the key did not sign', async () => {
    const genuine = (JSON.parse(p0.at(-1)!.lines.filter(isCheckpoint).at(-1)!) as { _checkpoint: Checkpoint })._checkpoint;
    const forged = signCheckpoint({ ...genuine, seq: genuine.seq + 10 }, generateKeyPairSync('ed25519').privateKey);
    await produce(checkpointTopic, [{ key: forged.trail, value: JSON.stringify(forged) }]);
    const result = await verifyArchive(`s3://${bucket}/${PREFIX}`, publicKey, topicFlags());
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stderr,
      new RegExp(
        `AR_ERR_EVIDENCE_BROKEN: forged checkpoint at ${escape(checkpointTopic)} partition \\d+ offset \\d+ \\(seq ${forged.seq}\\)`,
      ),
    );
  });
});
