import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { committedOffsets, createTopic, deleteTopics, readAll, testKafka, withAdmin, type ReadMessage } from '../helpers/kafka.js';
import { idsIn, readLogEvents } from '../helpers/log-files.js';
import { makeEvent } from '../helpers/events.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, runCli, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const PARTITIONS = 3;

interface TimedMessage {
  value: string;
  partition: number;
  timestamp?: number;
}

/** Produces with explicit partitions and (optionally) CreateTime timestamps, so time lookups are exact. */
async function produceTimed(topic: string, messages: TimedMessage[]): Promise<void> {
  const producer = testKafka().producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: messages.map((m) => ({
        value: m.value,
        partition: m.partition,
        ...(m.timestamp === undefined ? {} : { timestamp: String(m.timestamp) }),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Every other event has an id of its own; the rest get `<topic>/<partition>/<offset>`. */
function events(n: number, prefix: string, pairs = ['flag:created', 'segment:deleted', 'token:created']): TimedMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const [type, action] = pairs[i % pairs.length]!.split(':') as [string, string];
    return {
      value: JSON.stringify(makeEvent({ id: i % 2 === 0 ? `${prefix}-${i}` : null, type, action, key: `k${i}` })),
      partition: i % PARTITIONS,
    };
  });
}

/** The id `run` gives a message: its own, or where it was read. */
function expectedId(topic: string, m: ReadMessage): string {
  const event = JSON.parse(m.value!.toString('utf8')) as { id?: string | null };
  return event.id ?? `${topic}/${m.partition}/${m.offset}`;
}

async function replay(configFile: string, ...args: string[]) {
  const result = await runCli(['replay', '-c', configFile, ...args], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, `replay ${args.join(' ')} exited ${result.code}; stderr:\n${result.stderr}`);
  return result;
}

/** Messages written to a topic so far (cheaper than reading them). */
async function topicSize(topic: string): Promise<number> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

async function replayGroups(groupId: string): Promise<string[]> {
  const { groups } = await withAdmin((admin) => admin.listGroups());
  return groups.map((g) => g.groupId).filter((g) => g.startsWith(`${groupId}.replay-`));
}

describe('audit-router replay', () => {
  let topic: string;
  let groupId: string;
  let dir: string;
  let liveLog: string;
  let all: ReadMessage[];

  before(async () => {
    topic = await createTopic('replay', PARTITIONS);
    groupId = uniqueName('replay-group');
    dir = tempDir();
    liveLog = join(dir, 'live.log');
    // 300 events with an undecodable message amid them (partition 1, offset 50), all routed live first.
    const first = events(300, 'rp');
    await produceTimed(topic, [...first.slice(0, 150), { value: 'not json at all', partition: 1 }, ...first.slice(150)]);
    const live = new RouterProcess(
      writeConfig(dir, routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file: liveLog }] }), 'live.json'),
    );
    await live.joined();
    await waitFor(() => idsIn(liveLog).length >= 300, { what: 'the live router to route 300 events', timeoutMs: 60_000 });
    assert.equal((await live.stop()).code, 0);
    // More after the stop, so the live group's committed offsets are not at the end: a replay that moved them would show.
    await produceTimed(topic, events(30, 'late'));
    all = await readAll(topic);
  });

  after(async () => {
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('re-delivers exactly an offset range, with the ids run gave it, and leaves the live group alone', async () => {
    const committedBefore = await committedOffsets(groupId, topic);
    assert.equal(committedBefore.size, PARTITIONS, 'the live group committed every partition');
    const dlqBefore = await topicSize(`${topic}.dlq`);
    const out = join(dir, 'range.log');
    const config = writeConfig(dir, routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file: out }] }), 'range.json');

    const result = await replay(config, '--from', '20', '--to', '0:50,1:60');

    const ends = new Map([
      [0, 50],
      [1, 60],
    ]); // partition 2: its end when the replay started
    const inRange = all.filter((m) => Number(m.offset) >= 20 && Number(m.offset) < (ends.get(m.partition) ?? Infinity));
    const decodable = inRange.filter((m) => m.value!.toString() !== 'not json at all');
    assert.equal(inRange.length - decodable.length, 1, 'the range holds the undecodable message');
    const ids = idsIn(out);
    assert.deepEqual([...ids].sort(), decodable.map((m) => expectedId(topic, m)).sort(), 'exactly the events of the range, once each');
    const liveIds = new Set(idsIn(liveLog));
    const fromLive = decodable.filter((m) => Number(m.offset) < Number(committedBefore.get(m.partition)));
    for (const m of fromLive) assert.ok(liveIds.has(expectedId(topic, m)), `run gave ${m.partition}/${m.offset} the same id`);
    assert.match(
      result.stdout,
      new RegExp(
        `^replayed ${inRange.length} events \\(${decodable.length} delivered to sinks, 0 filtered out, 1 undecodable\\) from partitions 0, 1, 2 in [\\d.]+ s\\n$`,
      ),
    );
    assert.match(result.stderr, new RegExp(`at most ${inRange.length} events`), 'the plan on stderr');

    assert.deepEqual(await committedOffsets(groupId, topic), committedBefore, "the live group's committed offsets did not move");
    assert.deepEqual(await replayGroups(groupId), [], 'the replay group was deleted');
    assert.equal(await topicSize(`${topic}.dlq`), dlqBefore, 'undecodable messages are counted, not dead-lettered again');
  });

  it('--dead-letter parks the undecodable messages of the range again', async () => {
    const dlqBefore = await topicSize(`${topic}.dlq`);
    const bad = all.find((m) => m.value!.toString() === 'not json at all')!;
    const config = writeConfig(
      dir,
      routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file: join(dir, 'dl.log') }] }),
      'dl.json',
    );
    const result = await replay(
      config,
      '--from',
      `${bad.partition}:${bad.offset}`,
      '--to',
      `${bad.partition}:${Number(bad.offset) + 1}`,
      '--dead-letter',
    );
    assert.match(result.stdout, /^replayed 1 event \(0 delivered to sinks, 0 filtered out, 1 undecodable\) from partition 1 /);
    const dlq = await readAll(`${topic}.dlq`);
    assert.equal(dlq.length, dlqBefore + 1);
    const parked = dlq.at(-1)!;
    assert.equal(parked.value!.toString(), 'not json at all', 'original bytes');
    assert.equal(parked.headers['ar.stage'], 'decode');
    assert.equal(parked.headers['ar.source.offset'], bad.offset);
  });

  it('an ISO time picks the first event at or after it; --to takes a time too', async () => {
    const timed = await createTopic('replay-time', PARTITIONS);
    try {
      // Recent: the local broker deletes segments whose timestamps are past its 24 h retention.
      const t0 = Date.now() - 3 * 3_600_000;
      const stamp = (messages: TimedMessage[], timestamp: number) => messages.map((m) => ({ ...m, timestamp }));
      await produceTimed(timed, [
        ...stamp(events(30, 'early'), t0),
        ...stamp(events(30, 'middle'), t0 + 60_000),
        ...stamp(events(30, 'late'), t0 + 120_000),
      ]);
      const out = join(dir, 'time.log');
      const config = writeConfig(
        dir,
        routerConfig({ topic: timed, groupId: uniqueName('time-group'), sinks: [{ name: 'archive', type: 'log', file: out }] }),
        'time.json',
      );

      const at = (ms: number) => new Date(t0 + ms).toISOString();
      await replay(config, '--from', at(30_000), '--to', at(90_000));
      assert.deepEqual(
        idsIn(out)
          .filter((id) => !id.startsWith(`${timed}/`))
          .sort(),
        events(30, 'middle')
          .map((m) => JSON.parse(m.value).id)
          .filter(Boolean)
          .sort(),
      );
      assert.equal(idsIn(out).length, 30, 'only the middle third');

      await replay(config, '--from', at(60_000).replace('Z', '+00:00'));
      assert.equal(idsIn(out).length, 30 + 60, 'from the middle to the end');
    } finally {
      await deleteTopics(timed, `${timed}.dlq`);
    }
  });

  it('--sink delivers to that sink only, with the global and the sink rules of run', async () => {
    const a = join(dir, 'sink-a.log');
    const b = join(dir, 'sink-b.log');
    const config = writeConfig(
      dir,
      routerConfig({
        topic,
        groupId,
        sinks: [
          { name: 'everything', type: 'log', file: a },
          { name: 'flags', type: 'log', file: b, events: ['flag:*', 'segment:*'], exclude: ['segment:deleted'] },
        ],
        extra: { events: ['flag:*', 'segment:*'] },
      }),
      'sinks.json',
    );
    const result = await replay(config, '--from', 'earliest', '--to', '30', '--partitions', '0,2', '--sink', 'flags');

    const inRange = all.filter((m) => m.partition !== 1 && Number(m.offset) < 30);
    const flags = inRange.filter((m) => JSON.parse(m.value!.toString()).type === 'flag');
    assert.deepEqual(readLogEvents(a), [], 'the other sink got nothing');
    assert.deepEqual(idsIn(b).sort(), flags.map((m) => expectedId(topic, m)).sort());
    assert.ok(readLogEvents(b).every((e) => e.type === 'flag'));
    assert.match(
      result.stdout,
      new RegExp(
        `^replayed ${inRange.length} events \\(${flags.length} delivered to sinks, ${inRange.length - flags.length} filtered out, 0 undecodable\\) from partitions 0, 2 `,
      ),
    );
  });

  it('delivers into an exactly-once topic sink too: outside run, that sink writes through its own producer', async () => {
    const out = uniqueName('replay-eos-out');
    const config = writeConfig(
      dir,
      routerConfig({ topic, groupId, sinks: [{ name: 'eos', type: 'topic', topic: out, exactlyOnce: true }] }),
      'eos.json',
    );
    const dlqBefore = await topicSize(`${topic}.dlq`);
    try {
      await replay(config, '--from', 'earliest', '--to', '10', '--partitions', '0');
      const decodable = all.filter((m) => m.partition === 0 && Number(m.offset) < 10 && m.value!.toString() !== 'not json at all');
      const written = await readAll(out);
      assert.deepEqual(
        written.map((m) => JSON.parse(m.value!.toString()).id as string).sort(),
        decodable.map((m) => expectedId(topic, m)).sort(),
      );
      assert.equal(await topicSize(`${topic}.dlq`), dlqBefore, 'nothing dead-lettered');
    } finally {
      await deleteTopics(out);
    }
  });

  it('refuses what it cannot do with one line and exit 2', async () => {
    const config = writeConfig(
      dir,
      routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file: join(dir, 'x.log') }] }),
      'usage.json',
    );
    for (const [args, pattern] of [
      [['--from', '20', '--sink', 'nope'], /--sink nope: no such sink in the config \(have: archive\)/],
      [['--from', '40', '--to', '10'], /--to is before --from on partition 0/],
      [['--from', 'yesterday'], /--from "yesterday": expected earliest, latest, an offset/],
      [['--from', '0', '--partitions', '9'], /has no partition 9/],
    ] as const) {
      const result = await runCli(['replay', '-c', config, ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^audit-router: error AR_ERR_USAGE: .*\n$/);
      assert.match(result.stderr, pattern);
    }
  });
});
