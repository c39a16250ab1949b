import type { BatchControl, GroupConsumer, KafkaRecord, RecordBatch, TopicPartition } from '../kafka/index.js';
import type { PartitionRange } from './replay-range.js';

/** Hands one message on; false when the batch must stop (stale, stopping) with this message not handed on. */
export type RangeMessageHandler = (partition: number, message: KafkaRecord, control: BatchControl) => Promise<boolean>;

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
    private readonly consumer: GroupConsumer,
    private readonly topic: string,
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
    await this.consumer.run(this.topic, {
      fromBeginning: true,
      concurrency: partitionsConsumedConcurrently,
      eachBatch: (batch, control) => this.onBatch(batch, control),
      onAssigned: (partitions) => this.seekToPositions(partitions),
      onFatal: (err) => this.abort(err),
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

  /** On every assignment (the first, and any after a rebalance): continue where we were, fetch nothing else. */
  private seekToPositions(assigned: readonly TopicPartition[]): void {
    const idle = assigned.map((p) => p.partition).filter((p) => !this.next.has(p));
    if (idle.length > 0) this.consumer.pause(this.topic, idle);
    for (const { partition } of assigned) {
      const offset = this.next.get(partition);
      if (offset !== undefined) this.consumer.seek({ topic: this.topic, partition, offset });
    }
  }

  /** Returns the last offset handed on (or skipped as read before); the client reads on after it. */
  private async onBatch(batch: RecordBatch, control: BatchControl): Promise<number | undefined> {
    const range = this.ranges.get(batch.partition);
    if (!range || !this.next.has(batch.partition)) return undefined;
    let done: number | undefined;
    for (const message of batch.records) {
      if (this.stopping || !control.isRunning() || control.isStale()) return done;
      const offset = message.offset;
      const next = this.next.get(batch.partition);
      if (next === undefined) return done;
      if (offset >= range.to) break;
      if (offset >= next) {
        if (!(await this.handler(batch.partition, message, control))) return done;
        this.next.set(batch.partition, offset + 1);
      }
      done = offset;
    }
    // Everything of this batch below `to` was handed on; hidden records at its end count as read too.
    this.advance(batch.partition, Math.min(batch.nextOffset, range.to));
    return done;
  }

  private advance(partition: number, position: number): void {
    const range = this.ranges.get(partition);
    const next = this.next.get(partition);
    if (!range || next === undefined || this.stopping) return;
    if (position > next) this.next.set(partition, position);
    if (Math.max(position, next) < range.to) return;
    this.next.delete(partition);
    this.consumer.pause(this.topic, [partition]);
    if (this.next.size === 0) this.finish();
  }
}
