import type { NativeError, NativeTopicPartition } from './native.js';

/** How long a commit may wait for the broker's answer before it counts as failed (and is retried by its caller). */
const ANSWER_TIMEOUT_MS = 30_000;

interface Pending {
  key: string;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Matches librdkafka's answers to offset commits with the commits that asked
 * for them.
 *
 * The native client's commitCb() reports only that a commit was queued: the
 * broker's answer comes later, through the consumer's offset_commit_cb. A
 * commit refused meanwhile (a cooperative rebalance answers ILLEGAL_GENERATION
 * while the group syncs) would otherwise look committed, and at the end of a
 * stream nothing would ever commit those offsets again. The answer carries the
 * offsets it was for, so that is the key; commits are rarely concurrent, and
 * an answer nothing matches (a list librdkafka left empty on an error) settles
 * the oldest commit waiting.
 */
export class CommitResults {
  private readonly pending: Pending[] = [];

  /** A promise for the broker's answer to committing `offsets`. */
  expect(offsets: readonly NativeTopicPartition[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        key: keyOf(offsets),
        resolve,
        reject,
        timer: setTimeout(
          () => this.settle(entry, new Error(`no answer to an offset commit within ${ANSWER_TIMEOUT_MS / 1000} s`)),
          ANSWER_TIMEOUT_MS,
        ),
      };
      entry.timer.unref();
      this.pending.push(entry);
    });
  }

  /** The commit of `offsets` could not even be queued. */
  failed(offsets: readonly NativeTopicPartition[], err: Error): void {
    const key = keyOf(offsets);
    const entry = this.pending.find((p) => p.key === key);
    if (entry) this.settle(entry, err);
  }

  /** librdkafka's offset_commit_cb. */
  answered(err: NativeError | null | undefined, offsets: readonly NativeTopicPartition[] | undefined): void {
    const key = keyOf(offsets ?? []);
    const entry = this.pending.find((p) => p.key === key) ?? this.pending[0];
    if (entry) this.settle(entry, err ?? undefined);
  }

  /** The consumer closed: no answer will come. */
  abandon(err: Error): void {
    for (const entry of [...this.pending]) this.settle(entry, err);
  }

  private settle(entry: Pending, err: Error | undefined): void {
    const at = this.pending.indexOf(entry);
    if (at < 0) return;
    this.pending.splice(at, 1);
    clearTimeout(entry.timer);
    if (err) entry.reject(err);
    else entry.resolve();
  }
}

function keyOf(offsets: readonly NativeTopicPartition[]): string {
  return offsets
    .map(({ topic, partition, offset }) => `${topic}/${partition}@${offset}`)
    .sort()
    .join(',');
}
