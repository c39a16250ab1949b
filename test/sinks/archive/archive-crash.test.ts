import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTopic, deleteTopics, readAll } from '../../helpers/kafka.js';
import { uniqueName } from '../../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../../helpers/router-process.js';
import { waitFor } from '../../helpers/wait.js';
import { coordinates, countBy, FAST_GROUP, seededRandom, withSource } from '../../faults/support.js';
import { createBucket, deleteBucket, readObjects, storeFields } from './store.js';
import { committedTotal, killWhileAhead, streamEvents } from './stream.js';

const PARTITIONS = 3;
const TOTAL = 30_000;
const KILLS = 3;

describe('archive sink: process crash', () => {
  it(`SIGKILL ${KILLS} times during a ${TOTAL}-event stream with default settings: every event exactly once across the objects`, async () => {
    const { random } = seededRandom('archive crash');
    const topic = await createTopic('archive-crash', PARTITIONS);
    const groupId = uniqueName('archive-crash');
    const bucket = await createBucket('archive-crash');
    // Default sink settings: only where the store is. The router's default commit interval (1 s), which leaves a window
    // where objects are stored and not yet committed. FAST_GROUP: a SIGKILLed member never leaves, its successor waits out the session.
    const tree = routerConfig({ topic, groupId, sinks: [{ name: 'vault', type: 'archive', ...storeFields(bucket) }] });
    const configFile = writeConfig(tempDir(), withSource(tree, { ...FAST_GROUP, commit: { intervalMs: 1_000, maxEvents: 5_000 } }));
    // Kill when this many offsets are committed: spread over the stream, each run gets well past its predecessor's.
    const points = Array.from({ length: KILLS }, (_, i) => Math.floor(((i + 0.2 + random() * 0.6) * TOTAL * 0.8) / KILLS));
    const killedAt: number[] = [];
    let resumed = 0;
    let router: RouterProcess | undefined;
    let stream: ReturnType<typeof streamEvents> | undefined;
    let failed = false;
    try {
      router = new RouterProcess(configFile);
      stream = streamEvents(topic, PARTITIONS, TOTAL, () => killedAt.length < KILLS && !failed);
      for (const point of points) {
        const killed = await killWhileAhead(router, { groupId, topic, bucket, point });
        killedAt.push(killed.committed);
        resumed += killed.resumed;
        router = new RouterProcess(configFile);
      }
      await stream.done;
      const total = stream.produced();
      const expected = Array.from({ length: total }, (_, i) => `${topic}/${i % PARTITIONS}/${Math.floor(i / PARTITIONS)}`);
      await waitFor(async () => (await committedTotal(groupId, topic)) >= total, {
        what: `all ${total} offsets committed`,
        timeoutMs: 180_000,
        intervalMs: 250,
      });

      const objects = await readObjects(bucket);
      const ids = objects.flatMap((o) => o.lines.map((l) => (JSON.parse(l) as { id: string }).id));
      const twice = [...countBy(ids)].filter(([, n]) => n > 1).map(([id]) => id);
      assert.deepEqual(twice.slice(0, 10), [], `${twice.length} events stored more than once`);
      assert.deepEqual(new Set(ids), new Set(expected), 'every produced event, and nothing else');
      for (const o of objects) {
        const coords = o.lines.map((l) => coordinates((JSON.parse(l) as { id: string }).id));
        const first = coords[0]!;
        assert.ok(
          o.key.endsWith(`/${topic}+${first.partition}+${first.offset}.jsonl.gz`),
          `${o.key} is named after its first event ${first.partition}/${first.offset}`,
        );
        coords.forEach((c, i) => {
          assert.equal(c.partition, first.partition, `${o.key} holds one partition`);
          assert.equal(c.offset, first.offset + i, `${o.key} holds consecutive offsets`);
        });
        assert.equal(
          Math.floor(coords.at(-1)!.offset / 2000),
          Math.floor(first.offset / 2000),
          `${o.key} stays inside one block of 2,000 offsets`,
        );
      }
      assert.equal((await readAll(`${topic}.dlq`)).length, 0, 'nothing dead-lettered');
      resumed += (router.stderr.match(/resuming /g) ?? []).length;
      // The kills landed where it matters: a restarted router found stored objects to extend, not a clean slate.
      assert.ok(resumed > 0, 'some restarted router resumed a stored object');
      console.log(
        `# archive crash: ${KILLS} SIGKILLs at ${killedAt.join(', ')} committed offsets; ${total} events produced, ${objects.length} objects, ${ids.length} lines, ${resumed} objects resumed after a restart`,
      );
      assert.equal((await router.stop()).code, 0, 'the last router stops cleanly');
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      await stream?.done.catch(() => undefined);
      if (router && router.child.exitCode === null && router.child.signalCode === null) router.kill('SIGKILL');
      await deleteTopics(topic, `${topic}.dlq`);
      await deleteBucket(bucket);
    }
  });
});
