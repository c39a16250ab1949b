import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { committedOffsets, createTopic, deleteTopics, produce, readAll } from '../../helpers/kafka.js';
import { uniqueName } from '../../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../../helpers/router-process.js';
import { waitFor } from '../../helpers/wait.js';
import { anonymousEvents, coordinates, countBy } from '../../faults/support.js';
import { createBucket, deleteBucket, objectLines, readObjects, s3proxyScript, storeFields } from './store.js';
import { committedTotal } from './stream.js';

const PARTITIONS = 3;
const TOTAL = 12_000;
const OUTAGE_MS = 30_000;

// Its own S3Proxy, so stopping it cannot fail the archive tests that run beside this one.
const PORT = Number(process.env.S3PROXY_PORT ?? 8080) + 5;
const ENDPOINT = `http://127.0.0.1:${PORT}`;
const SCRIPT_ENV = { S3PROXY_PORT: String(PORT) };
/** Where scripts/s3proxy.sh keeps this instance's objects: read directly while it is down, the bucket as it was. */
const DATA_DIR = join(
  process.env.AR_CACHE_DIR ?? fileURLToPath(new URL('../../../.cache', import.meta.url)),
  's3proxy',
  String(PORT),
  'data',
);

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** Offsets stored per partition, read from the store's own files. */
async function storedOnDisk(bucket: string): Promise<Map<number, Set<number>>> {
  const stored = new Map<number, Set<number>>();
  for (const file of files(join(DATA_DIR, bucket))) {
    for (const line of await objectLines(relative(DATA_DIR, file), readFileSync(file))) {
      const { partition, offset } = coordinates((JSON.parse(line) as { id: string }).id);
      if (!stored.has(partition)) stored.set(partition, new Set());
      stored.get(partition)!.add(offset);
    }
  }
  return stored;
}

describe('archive sink: store outage', () => {
  it(`S3Proxy down ${OUTAGE_MS / 1000} s mid-stream: nothing committed past what was stored, nothing lost, nothing twice`, async () => {
    await s3proxyScript('start', SCRIPT_ENV);
    const topic = await createTopic('archive-outage', PARTITIONS);
    const groupId = uniqueName('archive-outage');
    const bucket = await createBucket('archive-outage', ENDPOINT);
    const tree = routerConfig({ topic, groupId, sinks: [{ name: 'vault', type: 'archive', ...storeFields(bucket, ENDPOINT) }] });
    const router = new RouterProcess(writeConfig(tempDir(), tree));
    const events = anonymousEvents(TOTAL, PARTITIONS);
    try {
      await produce(topic, events.slice(0, TOTAL / 2));
      await waitFor(async () => (await committedTotal(groupId, topic)) >= TOTAL / 4, {
        what: 'a quarter committed before the outage',
        timeoutMs: 120_000,
        intervalMs: 100,
      });
      await s3proxyScript('stop', SCRIPT_ENV);
      const downAt = Date.now();
      const before = await committedTotal(groupId, topic);
      await produce(topic, events.slice(TOTAL / 2));
      // The outage lasts OUTAGE_MS, and is not over before the router has met it (its retries are logged).
      await waitFor(() => Date.now() - downAt >= OUTAGE_MS && /"code":"AR_ERR_SINK_UNAVAILABLE"/.test(router.stderr), {
        what: 'the outage to last and the router to retry',
        timeoutMs: OUTAGE_MS + 60_000,
        intervalMs: 500,
      });
      const committed = await committedOffsets(groupId, topic);
      const stored = await storedOnDisk(bucket);
      for (const [partition, offset] of committed) {
        const missing = Array.from({ length: Math.max(0, Number(offset)) }, (_, o) => o).filter((o) => !stored.get(partition)?.has(o));
        assert.deepEqual(
          missing.slice(0, 10),
          [],
          `partition ${partition}: ${missing.length} offsets below the committed ${offset} are not in the bucket`,
        );
      }
      const during = await committedTotal(groupId, topic);
      await s3proxyScript('start', SCRIPT_ENV);

      await waitFor(async () => (await committedTotal(groupId, topic)) >= TOTAL, {
        what: `all ${TOTAL} offsets committed after the outage`,
        timeoutMs: 180_000,
        intervalMs: 250,
      });
      const ids = (await readObjects(bucket, ENDPOINT)).flatMap((o) => o.lines.map((l) => (JSON.parse(l) as { id: string }).id));
      const twice = [...countBy(ids)].filter(([, n]) => n > 1).map(([id]) => id);
      assert.deepEqual(twice.slice(0, 10), [], `${twice.length} events stored more than once`);
      assert.deepEqual(
        new Set(ids),
        new Set(Array.from({ length: TOTAL }, (_, i) => `${topic}/${i % PARTITIONS}/${Math.floor(i / PARTITIONS)}`)),
        'every event, after the outage',
      );
      assert.equal((await readAll(`${topic}.dlq`)).length, 0, 'nothing dead-lettered: the archive waits for its store');
      const retries = (router.stderr.match(/"code":"AR_ERR_SINK_UNAVAILABLE"/g) ?? []).length;
      console.log(
        `# archive outage: ${before} offsets committed when the store stopped, ${during} after ${OUTAGE_MS / 1000} s down (all of them stored), ${retries} retries logged, ${TOTAL} events once each after it came back`,
      );
      assert.equal((await router.stop()).code, 0);
    } finally {
      if (router.child.exitCode === null && router.child.signalCode === null) router.kill('SIGKILL');
      await s3proxyScript('start', SCRIPT_ENV).catch(() => undefined);
      await deleteTopics(topic, `${topic}.dlq`);
      await deleteBucket(bucket, ENDPOINT);
      await s3proxyScript('stop', SCRIPT_ENV);
    }
  });
});
