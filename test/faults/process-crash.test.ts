import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { committedOffsets, createTopic, deleteTopics, produce, readAll } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { anonymousEvents, coordinates, countLines, FAST_GROUP, logEntries, logIds, seededRandom, withSource } from './support.js';

const PARTITIONS = 3;
const TOTAL = 50_000;
const KILLS = 5;

describe('fault: process crash', () => {
  it(`SIGKILL ${KILLS} times at random points of a ${TOTAL}-event stream: every event arrives, duplicates only from the uncommitted window`, async () => {
    const { random } = seededRandom('process crash');
    const topic = await createTopic('fault-crash', PARTITIONS);
    const groupId = uniqueName('fault-crash');
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    // A short session: a SIGKILLed member never leaves, and the restarted one waits for the broker to expire it.
    const tree = routerConfig({
      topic,
      groupId,
      sinks: [{ name: 'archive', type: 'log', file, batch: { maxEvents: 200, maxWaitMs: 20 } }],
    });
    const configFile = writeConfig(dir, withSource(tree, FAST_GROUP));
    // Kill points: line counts spread over the stream, thousands of lines apart so each run gets past its re-deliveries.
    const points = Array.from({ length: KILLS }, (_, i) => Math.floor(((i + 0.2 + random() * 0.6) * TOTAL * 0.85) / KILLS));
    /** Per kill: lines in the file when the process was dead (written by runs 0..k), and the group's commits then. */
    const kills: { lines: number; committed: Map<number, string> }[] = [];
    let router: RouterProcess | undefined;
    try {
      router = new RouterProcess(configFile);
      await router.joined();
      const producing = produce(topic, anonymousEvents(TOTAL, PARTITIONS));
      for (const point of points) {
        await waitFor(() => countLines(file) >= point, {
          what: `${point} lines before the next kill (have ${countLines(file)})`,
          timeoutMs: 90_000,
        });
        router.kill('SIGKILL');
        assert.equal((await router.exited).signal, 'SIGKILL');
        // Dead now: nothing moves these until the next process commits.
        kills.push({ lines: countLines(file), committed: await committedOffsets(groupId, topic) });
        router = new RouterProcess(configFile);
        await router.joined();
      }
      await producing;
      // A kill during a write may leave one torn line per kill; its event is written again whole.
      const torn = { tornLines: KILLS };
      await waitFor(() => new Set(logIds(file, torn)).size >= TOTAL, {
        what: `all ${TOTAL} events (have ${new Set(logIds(file, torn)).size})`,
        timeoutMs: 120_000,
      });

      const entries = logEntries(file, torn);
      const ids = entries.map((e) => e.id);
      const expected = new Set(Array.from({ length: TOTAL }, (_, i) => `${topic}/${i % PARTITIONS}/${Math.floor(i / PARTITIONS)}`));
      assert.deepEqual(new Set(ids), expected, 'every produced event, and nothing else');
      // A line written by run r ≥ 1 that repeats an id is a re-delivery after kill r-1: it must lie past that kill's commit.
      const firstSeen = new Set<string>();
      let duplicates = 0;
      entries.forEach(({ id, line }) => {
        if (!firstSeen.has(id)) return void firstSeen.add(id);
        duplicates++;
        const run = kills.filter((k) => k.lines <= line).length;
        assert.ok(run >= 1, `${id} written twice by the first process`);
        const { partition, offset } = coordinates(id);
        const committed = Number(kills[run - 1]!.committed.get(partition) ?? -1);
        assert.ok(
          offset >= committed,
          `duplicate ${id} (line ${line + 1}, run ${run}) lies before offset ${committed}, committed when kill ${run} happened`,
        );
      });
      assert.equal((await readAll(`${topic}.dlq`)).length, 0, 'nothing dead-lettered');
      console.log(
        `# process crash: ${KILLS} SIGKILLs at lines ${kills.map((k) => k.lines).join(', ')}: ${ids.length} lines, ${duplicates} duplicates, every one at or past the offset committed before its re-delivery`,
      );
      assert.equal((await router.stop()).code, 0, 'the last router stops cleanly');
    } finally {
      if (router && router.child.exitCode === null && router.child.signalCode === null) router.kill('SIGKILL');
      await deleteTopics(topic, `${topic}.dlq`);
    }
  });
});
