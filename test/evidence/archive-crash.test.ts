import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCheckpoint, keygen } from './support.js';
import { verifyArchive } from './archive-support.js';
import { brokers, createTopic, deleteTopics } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { countBy, FAST_GROUP, seededRandom, withSource } from '../faults/support.js';
import { createBucket, deleteBucket, readObjects, storeFields } from '../sinks/archive/store.js';
import { committedTotal, killWhileAhead, streamEvents } from '../sinks/archive/stream.js';

const PARTITIONS = 3;
const TOTAL = 15_000;
const KILLS = 3;

describe('evidence on the archive sink: process crash', () => {
  it(`SIGKILL ${KILLS} times mid-stream of ${TOTAL} events: each restart continues its partitions' chains, verify passes`, async () => {
    const { random } = seededRandom('evidence archive crash');
    const topic = await createTopic('evidence-archive-crash', PARTITIONS);
    const checkpointTopic = uniqueName('evidence-archive-crash-checkpoints');
    const groupId = uniqueName('evidence-archive-crash');
    const bucket = await createBucket('evidence-crash');
    const dir = tempDir();
    const keys = await keygen(dir);
    // Small objects, so that kills land in every kind of place: inside an object, between objects, mid-batch.
    const sink = {
      name: 'vault',
      type: 'archive',
      ...storeFields(bucket),
      roll: { maxEvents: 500 },
      evidence: { signingKey: keys.privateKey, checkpoint: { everyEvents: 200 }, checkpointTopic },
    };
    const tree = routerConfig({ topic, groupId, sinks: [sink] });
    const configFile = writeConfig(dir, withSource(tree, { ...FAST_GROUP, commit: { intervalMs: 1_000, maxEvents: 5_000 } }));
    const points = Array.from({ length: KILLS }, (_, i) => Math.floor(((i + 0.2 + random() * 0.6) * TOTAL * 0.8) / KILLS));
    let router: RouterProcess | undefined;
    let stream: ReturnType<typeof streamEvents> | undefined;
    let kills = 0;
    let resumed = 0;
    let failed = false;
    try {
      router = new RouterProcess(configFile);
      stream = streamEvents(topic, PARTITIONS, TOTAL, () => kills < KILLS && !failed);
      for (const point of points) {
        // Inside the window a restart must resume: the bucket holds events (and chain links) not yet committed.
        resumed += (await killWhileAhead(router, { groupId, topic, bucket, point })).resumed;
        kills++;
        router = new RouterProcess(configFile);
      }
      await stream.done;
      const total = stream.produced();
      await waitFor(async () => (await committedTotal(groupId, topic)) >= total, {
        what: `all ${total} offsets committed`,
        timeoutMs: 180_000,
        intervalMs: 250,
      });
      resumed += (router.stderr.match(/resuming /g) ?? []).length;
      assert.equal((await router.stop()).code, 0, 'the last router stops cleanly');

      const lines = (await readObjects(bucket)).flatMap((o) => o.lines).filter((l) => !isCheckpoint(l));
      const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
      assert.equal(new Set(ids).size, total, 'every event stored');
      const twice = [...countBy(ids)].filter(([, n]) => n > 1);
      assert.equal(twice.length, 0, 'and once');
      assert.ok(resumed > 0, 'some restarted router resumed a stored object: the chain was read back, not begun again');

      const result = await verifyArchive(`s3://${bucket}`, keys.publicKey, [
        '--checkpoints-from-topic',
        checkpointTopic,
        '--brokers',
        brokers().join(','),
      ]);
      assert.equal(result.code, 0, `verify after ${KILLS} kills: ${result.stderr}\n${result.stdout}`);
      const intact = [...result.stdout.matchAll(/: intact: \d+ records \((\d+) events/g)];
      assert.equal(intact.length, PARTITIONS, 'one intact trail per partition');
      assert.equal(
        intact.reduce((n, m) => n + Number(m[1]), 0),
        total,
      );
      console.log(
        `# evidence archive crash: ${KILLS} SIGKILLs at ${points.join(', ')} committed offsets; ${total} events, ${resumed} objects resumed; verify exit 0`,
      );
      console.log(result.stdout.trimEnd().replace(/^/gm, '# verify: '));
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      await stream?.done.catch(() => undefined);
      if (router && router.child.exitCode === null && router.child.signalCode === null) router.kill('SIGKILL');
      await deleteTopics(topic, `${topic}.dlq`, checkpointTopic);
      await deleteBucket(bucket);
    }
  });
});
