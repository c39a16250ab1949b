import assert from 'node:assert/strict';
import { committedOffsets, produce, type OutMessage } from '../../helpers/kafka.js';
import type { RouterProcess } from '../../helpers/router-process.js';
import { waitFor } from '../../helpers/wait.js';
import { anonymousEvents } from '../../faults/support.js';
import { storedEventCount } from './store.js';

/**
 * A stream the router reads as it arrives: slices of 300 events (a multiple
 * of the partitions, so event i is at partition i % partitions, offset
 * i / partitions) every 200 ms, at least `total` of them and for as long as
 * `more()` says, so that kills land while events are still coming and some
 * are stored but not yet committed.
 */
export function streamEvents(
  topic: string,
  partitions: number,
  total: number,
  more: () => boolean,
): { produced: () => number; done: Promise<void> } {
  let produced = 0;
  const done = (async () => {
    while (produced < total || more()) {
      const slice: OutMessage[] = anonymousEvents(produced + 300, partitions).slice(produced);
      await produce(topic, slice);
      produced += slice.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return { produced: () => produced, done };
}

/** Offsets committed over all the topic's partitions. */
export async function committedTotal(groupId: string, topic: string): Promise<number> {
  return [...(await committedOffsets(groupId, topic)).values()].reduce((sum, o) => sum + Math.max(0, Number(o)), 0);
}

/**
 * SIGKILLs the router once `point` offsets are committed and the bucket holds
 * more events than that: inside the window where its successor must resume a
 * stored object. Returns the offsets committed at the kill, and how many
 * objects the killed router had resumed (its "resuming" log lines).
 */
export async function killWhileAhead(
  router: RouterProcess,
  at: { groupId: string; topic: string; bucket: string; point: number },
): Promise<{ committed: number; resumed: number }> {
  const { groupId, topic, bucket, point } = at;
  await waitFor(
    async () => {
      // Committed first: counting the store HEADs every object, which takes longer than the router needs to commit
      // what it stored, so the other order was rarely true on a busy machine (both crash tests timed out waiting).
      // This order can let a commit close the window before the kill; the tests check that some kill landed in it.
      const committed = await committedTotal(groupId, topic);
      return committed >= point && (await storedEventCount(bucket)) > committed;
    },
    { what: `${point} offsets committed and more stored`, timeoutMs: 120_000, intervalMs: 100 },
  );
  router.kill('SIGKILL');
  assert.equal((await router.exited).signal, 'SIGKILL');
  return { committed: await committedTotal(groupId, topic), resumed: (router.stderr.match(/resuming /g) ?? []).length };
}
