import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/config/index.js';
import { checkpointObjectJson, signCheckpoint, type Checkpoint } from '../../src/evidence/checkpoint.js';
import { withLink } from '../../src/evidence/chain.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvent, makeEvents } from '../helpers/events.js';
import { brokers, createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { capturingLogger } from '../faults/support.js';
import { copyTrail, isCheckpoint, isEvent, keygen, rechain, trailLines, verifyCli, writeLines } from './support.js';

const EVENTS = 600;
const EVERY = 50;

/** The one line verify prints for a broken trail, up to the detail. */
const brokenAt = (kind: string, file: string, line: number) =>
  new RegExp(`^audit-router: error AR_ERR_EVIDENCE_BROKEN: ${kind} at ${escape(file)} line ${line}\\b`, 'm');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const seqOf = (line: string) => (JSON.parse(line) as { _chain: { seq: number } })._chain.seq;

describe('evidence: verify names each kind of tampering in a trail the router wrote', () => {
  const dir = tempDir();
  const file = join(dir, 'audit.log');
  let topic = '';
  let checkpointTopic = '';
  let publicKey = '';
  let lines: string[] = [];
  /** Indexes of event lines whose neighbours are events too: edits there touch nothing but events. */
  let middle: number[] = [];
  let checkpointIndexes: number[] = [];
  const topicFlags = () => ['--checkpoints-from-topic', checkpointTopic, '--brokers', brokers().join(',')];

  before(async () => {
    topic = await createTopic('evidence-tamper', 2);
    checkpointTopic = uniqueName('evidence-checkpoints');
    const keys = await keygen(dir);
    publicKey = keys.publicKey;
    const sink = {
      name: 'archive',
      type: 'log',
      file,
      batch: { maxEvents: 100, maxWaitMs: 10 },
      evidence: { signingKey: keys.privateKey, checkpoint: { everyEvents: EVERY }, checkpointTopic },
    };
    const config = validateConfig(routerConfig({ topic, groupId: uniqueName('evidence-tamper'), sinks: [sink] }));
    const app = await RouterApp.start(config, { logger: capturingLogger('warn').logger });
    try {
      await produce(
        topic,
        makeEvents(EVENTS, 'ev').map((e, i) => ({ value: JSON.stringify(e), partition: i % 2 })),
      );
      await waitFor(() => trailLines(file).filter(isEvent).length >= EVENTS, { what: `${EVENTS} events in the trail` });
    } finally {
      // A clean stop ends the trail with a checkpoint and produces it to the topic.
      await app.stop();
    }
    lines = trailLines(file);
    middle = lines
      .map((l, i) => i)
      .filter((i) => i > 10 && i < lines.length - 10 && [i - 1, i, i + 1, i + 2].every((j) => isEvent(lines[j]!)));
    checkpointIndexes = lines.map((l, i) => i).filter((i) => i > 0 && isCheckpoint(lines[i]!));
    assert.ok(
      middle.length > 100 && checkpointIndexes.length >= EVENTS / EVERY,
      `a trail with events and checkpoints (${lines.length} lines)`,
    );
  });

  after(async () => {
    await deleteTopics(topic, `${topic}.dlq`, checkpointTopic);
  });

  it('the untouched trail verifies, alone and against the checkpoint topic: exit 0 with counts', async () => {
    const alone = await verifyCli(file, publicKey);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stdout, new RegExp(`intact: ${lines.length} records \\(${EVENTS} events, ${lines.length - EVENTS} checkpoints\\)`));
    const withTopic = await verifyCli(file, publicKey, topicFlags());
    assert.equal(withTopic.code, 0, withTopic.stderr);
    assert.match(
      withTopic.stdout,
      new RegExp(
        `checkpoint topic ${checkpointTopic}: ${lines.length - EVENTS} checkpoints of this trail, newest at seq ${lines.length - 1}`,
      ),
    );
  });

  it('a modified record: names its line and seq', async () => {
    const i = middle[Math.floor(middle.length / 2)]!;
    const edited = [...lines];
    assert.ok(edited[i]!.includes('"enabled":true'));
    edited[i] = edited[i]!.replace('"enabled":true', '"enabled":false');
    const copy = copyTrail(file, 'modified');
    writeLines(copy, edited);
    const result = await verifyCli(copy, publicKey);
    assert.equal(result.code, 1);
    assert.match(result.stderr, brokenAt('modified record', copy, i + 1));
    assert.match(result.stderr, new RegExp(`\\(seq ${seqOf(lines[i]!)}\\)`));
  });

  it('a removed record: names the seq that is missing and where', async () => {
    const i = middle[10]!;
    const copy = copyTrail(file, 'removed');
    writeLines(
      copy,
      lines.filter((_, j) => j !== i),
    );
    const result = await verifyCli(copy, publicKey);
    assert.equal(result.code, 1);
    assert.match(result.stderr, brokenAt('removed record', copy, i + 1));
    assert.match(result.stderr, new RegExp(`seq ${seqOf(lines[i]!)} is missing after ${escape(copy)} line ${i}\\b`));
  });

  it('two records swapped: reordered, naming the record that came too early', async () => {
    const i = middle[20]!;
    const edited = [...lines];
    [edited[i], edited[i + 1]] = [edited[i + 1]!, edited[i]!];
    const copy = copyTrail(file, 'reordered');
    writeLines(copy, edited);
    const result = await verifyCli(copy, publicKey);
    assert.equal(result.code, 1);
    assert.match(result.stderr, brokenAt('reordered record', copy, i + 1));
    assert.match(result.stderr, new RegExp(`seq ${seqOf(lines[i + 1]!)} comes after .* before seq ${seqOf(lines[i]!)}`));
  });

  it('an inserted line: a copy of an earlier record, a line claiming the next seq, an event without a chain', async () => {
    const i = middle[30]!;
    const next = seqOf(lines[i + 1]!);
    const claimsNext = withLink(JSON.stringify(makeEvent({ id: 'forged' })), { seq: next, prev: 'f'.repeat(64) });
    const cases: [string, string, RegExp][] = [
      ['copy', lines[5]!, new RegExp(`it repeats seq ${seqOf(lines[5]!)}, which is at .* line 6\\b`)],
      [
        'claims-next',
        claimsNext,
        new RegExp(`it claims seq ${next} but is not part of the chain; seq ${next} follows at .* line ${i + 3}\\b`),
      ],
      ['unchained', JSON.stringify(makeEvent({ id: 'forged' })), /a JSON line without a valid _chain field/],
    ];
    for (const [name, inserted, detail] of cases) {
      const copy = copyTrail(file, `inserted-${name}`);
      writeLines(copy, [...lines.slice(0, i + 1), inserted, ...lines.slice(i + 1)]);
      const result = await verifyCli(copy, publicKey);
      assert.equal(result.code, 1, name);
      assert.match(result.stderr, brokenAt('inserted line', copy, i + 2), name);
      assert.match(result.stderr, detail, name);
    }
  });

  it('a truncated tail: invisible in the file alone, named against the checkpoint topic', async () => {
    // Cut after a checkpoint in the middle: what is left is a whole, signed trail.
    const k = checkpointIndexes[Math.floor(checkpointIndexes.length / 2)]!;
    const copy = copyTrail(file, 'truncated');
    writeLines(copy, lines.slice(0, k + 1));
    const alone = await verifyCli(copy, publicKey);
    assert.equal(alone.code, 0, `the file alone cannot tell: ${alone.stderr}`);
    const result = await verifyCli(copy, publicKey, topicFlags());
    assert.equal(result.code, 1);
    assert.match(result.stderr, brokenAt('truncated tail', copy, k + 1));
    assert.match(
      result.stderr,
      new RegExp(`signs a head at seq ${lines.length - 1}: ${lines.length - 1 - (k + 1)} records are gone from the end`),
    );
  });

  it('a forged checkpoint: edited to relax its limit, or signed with another key', async () => {
    const k = checkpointIndexes[3]!;
    const relaxed = [...lines];
    relaxed[k] = relaxed[k]!.replace(`"every":${EVERY}`, '"every":5000');
    const copy = copyTrail(file, 'forged-edit');
    writeLines(copy, relaxed);
    const edited = await verifyCli(copy, publicKey);
    assert.equal(edited.code, 1);
    assert.match(edited.stderr, brokenAt('forged checkpoint', copy, k + 1));

    const original = JSON.parse(lines[k]!) as { _checkpoint: Checkpoint; _chain: { seq: number; prev: string } };
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const resigned = [...lines];
    resigned[k] = withLink(checkpointObjectJson(signCheckpoint({ ...original._checkpoint }, otherKey)), original._chain);
    const copy2 = copyTrail(file, 'forged-key');
    writeLines(copy2, rechain(resigned, k + 1));
    const other = await verifyCli(copy2, publicKey);
    assert.equal(other.code, 1);
    assert.match(other.stderr, brokenAt('forged checkpoint', copy2, k + 1));
    assert.match(other.stderr, /signature does not verify/);
  });

  it('a missing checkpoint: removed, and the chain rebuilt after it so every link holds', async () => {
    const k = checkpointIndexes[4]!;
    const previous = checkpointIndexes[3]!;
    const edited = rechain([...lines.slice(0, k), ...lines.slice(k + 1)], k);
    const copy = copyTrail(file, 'missing');
    writeLines(copy, edited);
    // The first event past the limit of the checkpoint before the removed one.
    let events = 0;
    const over = edited.findIndex((l, j) => j > previous && isEvent(l) && ++events > EVERY);
    const result = await verifyCli(copy, publicKey);
    assert.equal(result.code, 1);
    assert.match(result.stderr, brokenAt('missing checkpoint', copy, over + 1));
    assert.match(
      result.stderr,
      new RegExp(`${EVERY + 1} event records since the checkpoint at ${escape(copy)} line ${previous + 1}, whose signed limit is ${EVERY}`),
    );
  });

  // Last: it adds a record to the checkpoint topic the other cases read.
  it('a forged checkpoint in the topic: a head of this trail that the key did not sign', async () => {
    const genuine = (JSON.parse(lines.at(-1)!) as { _checkpoint: Checkpoint })._checkpoint;
    const forged = signCheckpoint({ ...genuine, seq: genuine.seq + 10 }, generateKeyPairSync('ed25519').privateKey);
    await produce(checkpointTopic, [{ key: forged.trail, value: JSON.stringify(forged) }]);
    const result = await verifyCli(file, publicKey, topicFlags());
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `AR_ERR_EVIDENCE_BROKEN: forged checkpoint at ${escape(checkpointTopic)} partition \\d+ offset \\d+ \\(seq ${forged.seq}\\)`,
      ),
    );
  });
});
