import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { BatchControl } from '../source/event-pipeline.js';
import type { PartitionRange } from './replay-range.js';

/** Hands one message on; false when the batch must stop (stale, stopping) with this message not handed on. */
export type RangeMessageHandler = (partition: number, message: KafkaMessage, control: BatchControl) => Promise<boolean>;

/**
 * Reads fixed offset ranges with a consumer of its own group and calls the
 * handler once per message in [from, to), in offset order per partition.
 * It tracks the next offset itself: after a rejoin the group has no
 * committed offsets (replay commits nothing), so it seeks back to where it
 * was instead of re-reading from the start. A partition is finished when the
 * position reaches `to`, whether through a message or through records the
 * client never shows (transaction markers, aborted or compacted records).
 */
export class RangeReader {
  private readonly next = new Map<number, number>();
  private readonly ranges: ReadonlyMap<number, PartitionRange>;
  private stopping = false;
  private finish!: () => void;
  private abort!: (err: unknown) => void;
  /** Resolves when every range was read; rejects when the consumer crashes for good. */
  readonly done: Promise<void>;

  constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
    /** Every partition of the topic: those outside the replay are paused, never read. */
    private readonly topicPartitions: readonly number[],
    ranges: readonly PartitionRange[],
    private readonly handler: RangeMessageHandler,
  ) {
    this.ranges = new Map(ranges.map((r) => [r.partition, r]));
    for (const r of ranges) if (r.from < r.to) this.next.set(r.partition, r.from);
    this.done = new Promise<void>((resolve, reject) => ((this.finish = resolve), (this.abort = reject)));
    if (this.next.size === 0) this.finish();
  }

  async start(partitionsConsumedConcurrently: number): Promise<void> {
    if (this.next.size === 0) return;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.seekToPositions());
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      // A fetch whose records were all hidden (e.g. the marker ending a transaction): eachBatch never sees it.
      if (payload.batchSize === 0) this.advance(payload.partition, Number(payload.lastOffset) + 1);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.abort(payload.error);
    });
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Stops handing messages on; what was handed on stays with the caller. */
  stop(): void {
    this.stopping = true;
  }

  /** The next offset to read per unfinished partition (for progress). */
  get positions(): ReadonlyMap<number, number> {
    return this.next;
  }

  /** On every join (the first, and any rejoin): continue where we were, fetch nothing else. */
  private seekToPositions(): void {
    const idle = this.topicPartitions.filter((p) => !this.next.has(p));
    if (idle.length > 0) this.consumer.pause([{ topic: this.topic, partitions: idle }]);
    for (const [partition, offset] of this.next) this.consumer.seek({ topic: this.topic, partition, offset: String(offset) });
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const range = this.ranges.get(batch.partition);
    if (!range || !this.next.has(batch.partition)) return;
    const control = { heartbeat, isRunning, isStale };
    for (const message of batch.messages) {
      if (this.stopping || !isRunning() || isStale()) return;
      const offset = Number(message.offset);
      const next = this.next.get(batch.partition);
      if (next === undefined) return;
      if (offset >= range.to) break;
      if (offset >= next) {
        if (!(await this.handler(batch.partition, message, control))) return;
        this.next.set(batch.partition, offset + 1);
      }
      resolveOffset(message.offset);
    }
    // Everything of this batch below `to` was handed on; hidden records at its end count as read too.
    this.advance(batch.partition, Math.min(Number(batch.lastOffset()) + 1, range.to));
  }

  private advance(partition: number, position: number): void {
    const range = this.ranges.get(partition);
    const next = this.next.get(partition);
    if (!range || next === undefined || this.stopping) return;
    if (position > next) this.next.set(partition, position);
    if (Math.max(position, next) < range.to) return;
    this.next.delete(partition);
    this.consumer.pause([{ topic: this.topic, partitions: [partition] }]);
    if (this.next.size === 0) this.finish();
  }
}
