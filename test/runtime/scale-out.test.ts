import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { committedOffsets, createTopic, deleteTopics, testKafka } from '../helpers/kafka.js';
import { makeEvent } from '../helpers/events.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const PARTITIONS = 6;
const TOTAL = 60_000;
const CHUNK = 2_000;
/** Produced but not yet delivered: the producer waits below this, so producing overlaps the kill and the join. */
const MAX_BACKLOG = 10_000;
const WAIT = { timeoutMs: 120_000 };

/**
 * Reads a growing log sink file incrementally: each poll parses only the
 * lines appended since the last one (re-reading 60,000 lines per poll would
 * starve the routers of CPU).
 */
class LogTail {
  readonly ids: string[] = [];
  private offset = 0;
  private rest = '';

  constructor(readonly file: string) {}

  poll(): void {
    if (!existsSync(this.file)) return;
    const size = statSync(this.file).size;
    if (size <= this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.rest + buffer.toString('utf8')).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) if (line) this.ids.push((JSON.parse(line) as { id: string }).id);
  }
}

/** Every log, polled; distinct ids over all of them. */
class Union {
  private readonly seen = new Set<string>();
  private readonly counted = new Map<LogTail, number>();

  constructor(readonly tails: LogTail[]) {}

  /** Reads what was appended and returns the number of distinct ids so far. */
  poll(): number {
    for (const tail of this.tails) {
      tail.poll();
      for (let i = this.counted.get(tail) ?? 0; i < tail.ids.length; i++) this.seen.add(tail.ids[i]!);
      this.counted.set(tail, tail.ids.length);
    }
    return this.seen.size;
  }
}

/** How many assignments a router has logged: one per rebalance it took part in. */
function assignments(router: RouterProcess): number {
  return router.stderr.split('assigned partitions').length - 1;
}

/** The partitions of the latest assignment a router logged. */
function lastAssignment(router: RouterProcess): number[] {
  const lists = [...router.stderr.matchAll(/assigned partitions \[([\d, ]*)\]/g)];
  const last = lists.at(-1)?.[1] ?? '';
  return last.trim() === '' ? [] : last.split(',').map(Number);
}

function coordinates(id: string): { partition: number; offset: number } {
  const [, partition, offset] = id.split('/');
  return { partition: Number(partition), offset: Number(offset) };
}

/** What the test sees of the victim while choosing the moment to kill it. */
interface KillContext {
  victimLines: number;
  /** Partitions of the victim's latest assignment, and how many assignments it logged. */
  victimPartitions: number[];
  victimJoins: number;
  /** Distinct ids delivered by all routers. */
  delivered: number;
  /** Partitions with a committed offset. */
  committedPartitions: () => Promise<number>;
}

interface VictimSetup {
  /** The victim's log sink batching and its commit cadence (the others use fast ones). */
  batch: { maxEvents: number; maxWaitMs: number; maxBytes?: number };
  commit: { intervalMs: number; maxEvents: number };
  /** Polled every 20 ms once the others delivered a tenth of the events: true = kill now. */
  killWhen: () => (context: KillContext) => boolean | Promise<boolean>;
}

interface Outcome {
  seconds: number;
  deliveredAtKill: number;
  committedAtKill: Map<number, string>;
  producedAtJoin: number;
  duplicates: number;
  viaKilled: number;
  lines: string;
}

/**
 * Three routers in one group on six partitions; 60,000 events produced in chunks while they
 * run; one router (the victim) SIGKILLed mid-stream, a fourth started once the survivors took
 * over its partitions. Asserts that every event arrived and that every duplicate lies at or
 * past the offset its partition had committed at the kill.
 */
async function scaleOut(victim: VictimSetup): Promise<Outcome> {
  const topic = await createTopic('scale-out', PARTITIONS);
  const groupId = uniqueName('scale-out-group');
  const dir = tempDir();
  const started = Date.now();
  // One config per process, each with its own log file; the test takes the union.
  const router = (name: string, batch = { maxEvents: 200, maxWaitMs: 20 }, commit = { intervalMs: 200, maxEvents: 500 }) => {
    const file = join(dir, `${name}.log`);
    const base = routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file, batch, maxBufferedEvents: 20_000 }] });
    // A dead member is noticed after 6 s instead of 30: the rebalance after the kill waits for it.
    const source = { ...(base.source as object), commit, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 };
    return { tail: new LogTail(file), process: new RouterProcess(writeConfig(dir, { ...base, source }, `${name}.json`)) };
  };
  const running: RouterProcess[] = [];
  const producer = testKafka().producer();
  let producing: Promise<void> | undefined;
  let failed = false; // ends the producer's waits when an assertion failed first
  try {
    const [a, b, c] = [router('a'), router('b', victim.batch, victim.commit), router('c')];
    running.push(a.process, b.process, c.process);
    await Promise.all(running.map((p) => p.joined()));
    const tails = [a.tail, b.tail, c.tail];
    const union = new Union(tails);

    // Events without ids: each line's id is <topic>/<partition>/<offset>. The last third waits until
    // the survivors took over, the last sixth until the fourth router joined: events stream through
    // both rebalances, and the newcomer gets a share.
    await producer.connect();
    let produced = 0;
    let tookOver = false;
    let fourthJoined = false;
    producing = (async () => {
      while (produced < TOTAL && !failed) {
        if (produced >= (TOTAL * 2) / 3) await waitFor(() => tookOver || failed, { ...WAIT, what: 'the survivors to take over' });
        if (produced >= (TOTAL * 5) / 6) await waitFor(() => fourthJoined || failed, { ...WAIT, what: 'the fourth router to join' });
        await waitFor(() => failed || produced - union.poll() < MAX_BACKLOG, {
          ...WAIT,
          intervalMs: 100,
          what: `the routers to keep up (produced ${produced}, delivered ${union.poll()})`,
        });
        const messages = Array.from({ length: CHUNK }, (_, i) => ({
          value: JSON.stringify(makeEvent({ key: `k${produced + i}` })),
          partition: (produced + i) % PARTITIONS,
        }));
        await producer.send({ topic, messages });
        produced += CHUNK;
      }
    })();
    void producing.catch(() => undefined); // awaited below; a failure elsewhere must not leave it unhandled

    // The others deliver a tenth of the events, then the kill lands mid-stream, at the moment the
    // victim's condition picks.
    await waitFor(() => union.poll() >= TOTAL / 10 && a.tail.ids.length > 0 && c.tail.ids.length > 0, {
      ...WAIT,
      what: 'the routers to deliver',
    });
    const killNow = victim.killWhen();
    const context = (): KillContext => ({
      victimLines: b.tail.ids.length,
      victimPartitions: lastAssignment(b.process),
      victimJoins: assignments(b.process),
      delivered: union.poll(),
      committedPartitions: async () => [...(await committedOffsets(groupId, topic)).values()].filter((o) => Number(o) >= 0).length,
    });
    await waitFor(() => killNow(context()), { ...WAIT, intervalMs: 20, what: 'the moment to kill' });
    const joinsBeforeKill = assignments(a.process) + assignments(c.process);
    b.process.kill('SIGKILL');
    assert.equal((await b.process.exited).signal, 'SIGKILL');
    const committedAtKill = await committedOffsets(groupId, topic);
    const deliveredAtKill = union.poll();
    running.splice(running.indexOf(b.process), 1);

    // The group notices the dead member (session timeout) and the two survivors share its partitions.
    await waitFor(() => assignments(a.process) + assignments(c.process) >= joinsBeforeKill + 2, {
      ...WAIT,
      what: 'the survivors to take over',
    });
    tookOver = true;
    const d = router('d');
    running.push(d.process);
    union.tails.push(d.tail);
    await d.process.joined();
    const producedAtJoin = produced;
    fourthJoined = true;

    await producing;
    // Committed at the end of every partition = every event settled (written) somewhere: now count.
    const settled = async () =>
      [...(await committedOffsets(groupId, topic)).values()].filter((o) => Number(o) === TOTAL / PARTITIONS).length === PARTITIONS;
    await waitFor(settled, { ...WAIT, intervalMs: 250, what: 'the group to commit the end of every partition' });
    const seconds = (Date.now() - started) / 1000;
    for (const p of running) assert.equal((await p.stop()).code, 0, `clean stop; stderr:\n${p.stderr.slice(-1500)}`);
    running.length = 0;
    union.poll();

    const copies = new Map<string, number>();
    for (const tail of union.tails) for (const id of tail.ids) copies.set(id, (copies.get(id) ?? 0) + 1);
    for (let p = 0; p < PARTITIONS; p++) {
      for (let o = 0; o < TOTAL / PARTITIONS; o++) assert.ok(copies.has(`${topic}/${p}/${o}`), `${topic}/${p}/${o} never arrived`);
    }
    assert.equal(copies.size, TOTAL, 'every event id at least once, and no other');
    const duplicates = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of duplicates) {
      const { partition, offset } = coordinates(id);
      const committed = Number(committedAtKill.get(partition) ?? -1);
      assert.ok(
        offset >= committed,
        `duplicate ${id} lies before the offset ${committed} committed at the kill: it was acknowledged and committed, yet delivered again`,
      );
    }
    const killed = new Set(b.tail.ids);
    return {
      seconds,
      deliveredAtKill,
      committedAtKill,
      producedAtJoin,
      duplicates: duplicates.length,
      viaKilled: duplicates.filter((id) => killed.has(id)).length,
      lines: union.tails.map((t) => `${t.file.split('/').pop()}=${t.ids.length}`).join(' '),
    };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    for (const p of running) p.kill('SIGKILL');
    await producing?.catch(() => undefined);
    await producer.disconnect();
    await deleteTopics(topic, `${topic}.dlq`);
  }
}

function report(o: Outcome): string {
  const committed = [...o.committedAtKill]
    .sort(([p], [q]) => p - q)
    .map(([p, off]) => `${p}:${off}`)
    .join(',');
  return (
    `# ${TOTAL} events in ${o.seconds.toFixed(1)} s; SIGKILL after ${o.deliveredAtKill} delivered (committed then ${committed}); ` +
    `fourth router joined after ${o.producedAtJoin} produced; ${o.duplicates} duplicates (${o.viaKilled} with a copy from the killed router), ` +
    `all at or past the commits at the kill; lines: ${o.lines}`
  );
}

describe('scale-out: three routers in one group, one killed, one added', () => {
  it('killed right after writing, before committing it: the survivors deliver those events again, nothing older', async () => {
    // The victim writes every 20 ms but commits once a second. Once it committed (so the check against
    // the commits bites on its partitions too), the kill follows one of its writes within 20 ms.
    const outcome = await scaleOut({
      batch: { maxEvents: 200, maxWaitMs: 20 },
      commit: { intervalMs: 1_000, maxEvents: 1_000_000 },
      killWhen: () => {
        let committed = false;
        let last = -1;
        return async ({ victimLines, committedPartitions }) => {
          committed ||= victimLines > 0 && (await committedPartitions()) === PARTITIONS;
          const wrote = committed && last >= 0 && victimLines > last;
          last = victimLines;
          return wrote;
        };
      },
    });
    console.log(report(outcome));
  });

  it('killed while every event it read is still in its sink buffer: none of them is lost', async () => {
    // The victim's batch window (60 s) outlasts the test: it reads and buffers, writes nothing and so
    // commits nothing. A router that committed what it read, rather than what its sinks acknowledged,
    // would lose all of that here. The kill comes once the others delivered 3,000 events since the
    // victim's last assignment: events produced meanwhile went to its partitions too.
    const outcome = await scaleOut({
      batch: { maxEvents: 10_000, maxWaitMs: 60_000, maxBytes: 64 * 1024 * 1024 },
      commit: { intervalMs: 200, maxEvents: 500 },
      killWhen: () => {
        let mark = { joins: -1, delivered: 0 };
        return ({ victimJoins, victimPartitions, delivered }) => {
          if (victimJoins !== mark.joins) mark = { joins: victimJoins, delivered };
          return victimPartitions.length > 0 && delivered - mark.delivered >= 3_000;
        };
      },
    });
    assert.equal(outcome.viaKilled, 0, 'the victim wrote nothing');
    console.log(report(outcome));
  });
});
