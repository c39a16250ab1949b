import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { committedOffsets, createTopic, deleteTopics, testKafka } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { makeEvent } from '../helpers/events.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, runCli, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const PARTITIONS = 2;
const PER_PARTITION = 50;
/**
 * The first 20 events of each partition are stamped T0, the other 30 an hour later. T0 is recent on
 * purpose: the local broker deletes segments older than its 24 h retention, timestamps included.
 */
const T0 = Date.now() - 3 * 3_600_000;
const EARLY = 20;

/** partition → committed offset, as strings (fetchOffsets' shape), for deepEqual. */
const offsetsOf = (entries: [number, number][]) => new Map(entries.map(([p, o]) => [p, String(o)]));
const everyPartition = (offset: number) => offsetsOf(Array.from({ length: PARTITIONS }, (_, p) => [p, offset]));

/** The data rows of a lag table: partition, committed, end, lag. */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => /^\d+\s/.test(l))
    .map((l) => l.trim().split(/\s+/));
}

describe('audit-router offsets', () => {
  let topic: string;
  let groupId: string;
  let configFile: string;
  let log: string;
  const offsets = (...args: string[]) => runCli(['offsets', '-c', configFile, ...args]);

  before(async () => {
    topic = await createTopic('offsets', PARTITIONS);
    groupId = uniqueName('offsets-group');
    const dir = tempDir();
    log = join(dir, 'audit.log');
    configFile = writeConfig(dir, routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file: log }] }));
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => ({
        value: JSON.stringify(makeEvent({ id: `off-${i}` })),
        partition: i % PARTITIONS,
        timestamp: String(Math.floor(i / PARTITIONS) < EARLY ? T0 : T0 + 3_600_000),
      })),
    });
    await producer.disconnect();
  });

  after(async () => {
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('shows the lag table, and refuses a reset while a router is in the group', async () => {
    const router = new RouterProcess(configFile);
    try {
      await router.joined();
      await waitFor(() => idsIn(log).length >= PARTITIONS * PER_PARTITION, { what: 'the router to route every event', timeoutMs: 60_000 });
      await waitFor(async () => (await committedOffsets(groupId, topic)).get(0) === String(PER_PARTITION), {
        what: 'the commit',
        timeoutMs: 30_000,
      });
      const committed = await committedOffsets(groupId, topic);

      const shown = await offsets();
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual(rows(shown.stdout), [
        ['0', '50', '50', '0'],
        ['1', '50', '50', '0'],
      ]);
      assert.match(shown.stdout, /total lag 0/);

      for (const args of [
        ['--reset-to', 'earliest', '--yes'],
        ['--reset-to', 'earliest'],
      ]) {
        const refused = await offsets(...args);
        assert.equal(refused.code, 1, `${args.join(' ')} while the group runs: ${refused.stdout}${refused.stderr}`);
        const lines = refused.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, `one line: ${refused.stderr}`);
        assert.match(
          lines[0]!,
          new RegExp(`^audit-router: error AR_ERR_GROUP_ACTIVE: consumer group ${groupId} is in use \\(1 member\\(s\\), state Stable\\)`),
        );
      }
      assert.deepEqual(await committedOffsets(groupId, topic), committed, 'nothing moved');
    } finally {
      assert.equal((await router.stop()).code, 0);
    }
  });

  it('with the group stopped: a dry run changes nothing, --yes resets', async () => {
    const atEnd = everyPartition(PER_PARTITION);
    assert.deepEqual(await committedOffsets(groupId, topic), atEnd);

    const dry = await offsets('--reset-to', 'earliest');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: nothing changed; add --yes/);
    const [before, planned] = dry.stdout.split('after --reset-to earliest (dry run):');
    assert.deepEqual(rows(before!), [
      ['0', '50', '50', '0'],
      ['1', '50', '50', '0'],
    ]);
    assert.deepEqual(rows(planned!), [
      ['0', '0', '50', '50'],
      ['1', '0', '50', '50'],
    ]);
    assert.deepEqual(await committedOffsets(groupId, topic), atEnd, 'a dry run moves nothing');

    const reset = await offsets('--reset-to', 'earliest', '--yes');
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(await committedOffsets(groupId, topic), everyPartition(0));
    assert.deepEqual(rows(reset.stdout.split('after --reset-to earliest:')[1]!), [
      ['0', '0', '50', '50'],
      ['1', '0', '50', '50'],
    ]);
    assert.match(reset.stdout, /total lag 100/);

    // An ISO time: the first event at or after it, here the first one stamped an hour after T0.
    const byTime = await offsets('--reset-to', new Date(T0 + 60_000).toISOString(), '--yes');
    assert.equal(byTime.code, 0, byTime.stderr);
    assert.deepEqual(await committedOffsets(groupId, topic), everyPartition(EARLY));

    assert.equal((await offsets('--reset-to', 'latest', '--yes')).code, 0);
    assert.deepEqual(await committedOffsets(groupId, topic), atEnd);
  });

  it('a router started after a reset reads from the new offsets', async () => {
    const reset = await offsets('--reset-to', new Date(T0 + 60_000).toISOString(), '--yes');
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(await committedOffsets(groupId, topic), everyPartition(EARLY), `the reset said:\n${reset.stdout}${reset.stderr}`);
    const linesBefore = idsIn(log).length;
    const router = new RouterProcess(configFile);
    try {
      await router.joined();
      const again = PARTITIONS * (PER_PARTITION - EARLY);
      await waitFor(() => idsIn(log).length >= linesBefore + again, { what: `${again} events routed again`, timeoutMs: 60_000 }).catch(
        (err: Error) => {
          throw new Error(`${err.message}; router stderr:\n${router.stderr.slice(-3000)}`);
        },
      );
      const replayed = idsIn(log).slice(linesBefore);
      const expected = Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => i)
        .filter((i) => Math.floor(i / PARTITIONS) >= EARLY)
        .map((i) => `off-${i}`);
      assert.deepEqual([...replayed].sort(), expected.sort());
    } finally {
      assert.equal((await router.stop()).code, 0);
    }
  });

  it('usage errors exit 2 with one line', async () => {
    for (const args of [['--yes'], ['--reset-to', '12'], ['--reset-to', 'soon']]) {
      const result = await offsets(...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /^audit-router: error AR_ERR_USAGE: [^\n]+\n$/);
    }
  });
});
