import type { Decoder } from '../decode/index.js';
import type { DeadLetterWriter } from '../deadletter/dead-letter-writer.js';
import type { SourceCoordinates } from '../event/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventRouter } from '../route/event-router.js';
import type { SinkRunner } from '../sinks/runner.js';
import type { SourceConfig } from '../config/index.js';
import type { BatchControl, GroupConsumer, RecordBatch, TopicPartition } from '../kafka/index.js';
import { Committer } from './committer.js';
import { EventPipeline } from './event-pipeline.js';
import { PartitionProgress } from './partition-progress.js';
import { AtLeastOnceBatch } from './at-least-once.js';
import type { BatchTarget } from './batch-target.js';
import { ExactlyOnceBatch, type ExactlyOnceWriter } from './exactly-once.js';

/**
 * The consumer side of the path: reads batches from the input topic, decodes
 * and routes each message, and tracks it until every sink it went to has
 * acknowledged it. A batch reports once the last record it handed on (so the
 * client fetches ahead), but offsets are committed only as they settle (see
 * PartitionProgress).
 */
export class KafkaSource {
  private progress = new Map<number, PartitionProgress>();
  private readonly committer: Committer;
  private readonly pipeline: EventPipeline;
  private joined = false;
  private paused = false;
  private activeBatches = 0;

  constructor(
    private readonly consumer: GroupConsumer,
    private readonly config: SourceConfig,
    decoder: Decoder,
    router: EventRouter<SinkRunner>,
    private readonly deadLetter: DeadLetterWriter,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** Set when the sinks write inside the input's transaction (isExactlyOnce): batches then commit as transactions. */
    private readonly transactions?: ExactlyOnceWriter,
  ) {
    this.committer = new Committer(consumer, config.commit, metrics, logger);
    this.pipeline = new EventPipeline(decoder, router, metrics, logger, config.heartbeatIntervalMs);
  }

  /** True once this process has joined the group and received its assignment. */
  get isJoined(): boolean {
    return this.joined;
  }

  /** `onFatal`: the client gave up for good. */
  async start(onFatal: (err: unknown) => void): Promise<void> {
    this.committer.start();
    try {
      await this.consumer.run(this.config.topic, {
        fromBeginning: this.config.fromBeginning,
        concurrency: this.config.partitionsConsumedConcurrently,
        eachBatch: (batch, control) => this.onBatch(batch, control),
        onAssigned: (partitions) => this.onAssigned(partitions),
        onRevoked: (partitions) => this.onRevoked(partitions),
        onFatal,
      });
    } catch (err) {
      // Nothing was assigned, so there is nothing to commit: only the timer must not outlive a failed start.
      await this.committer.stop();
      throw err;
    }
  }

  /**
   * Pauses fetching and waits until no batch is being handed on. The consumer
   * stays in its group, because a client refuses commits once it left, and
   * the final commit comes after the sinks drained.
   */
  async pause(): Promise<void> {
    this.paused = true;
    this.consumer.pause(this.config.topic);
    while (this.activeBatches > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** The last commit, then leave the group. */
  async stop(): Promise<void> {
    await this.committer.stop();
    await this.consumer.close();
  }

  /**
   * Partitions added: each starts tracking from scratch at the committed
   * offset the client reads from. The log line names every partition owned now.
   */
  private onAssigned(partitions: readonly TopicPartition[]): void {
    for (const { partition } of partitions) this.progress.set(partition, new PartitionProgress(this.config.topic, partition));
    this.committer.assign([...this.progress.values()]);
    this.joined = true;
    const owned = [...this.progress.keys()].sort((a, b) => a - b);
    this.logger.info({ partitions: owned }, `joined group ${this.config.groupId}: assigned partitions [${owned.join(', ')}]`);
  }

  /**
   * Partitions taken away (on kafkajs, every rebalance takes all of them).
   * Acks still arriving for events read before land on the discarded objects
   * and commit nothing: the new owner (maybe us again) reads those events
   * again (at least once).
   */
  private onRevoked(partitions: readonly TopicPartition[]): void {
    for (const { partition } of partitions) this.progress.delete(partition);
    this.committer.assign([...this.progress.values()]);
    this.logger.info(
      { partitions: partitions.map((p) => p.partition) },
      `revoked partitions [${partitions.map((p) => p.partition).join(', ')}]`,
    );
  }

  private async onBatch(batch: RecordBatch, control: BatchControl): Promise<number | undefined> {
    if (this.paused) return undefined;
    this.activeBatches++;
    try {
      return await this.handBatchOn(batch, control);
    } finally {
      this.activeBatches--;
    }
  }

  /** Decodes and routes each message; the batch's target (runners, or one transaction) does the rest. */
  private async handBatchOn(batch: RecordBatch, control: BatchControl): Promise<number | undefined> {
    const progress = this.progress.get(batch.partition);
    if (!progress) return undefined; // not ours (any more): leave it for the owner
    const target: BatchTarget = this.transactions
      ? new ExactlyOnceBatch(this.transactions, batch.partition, this.deadLetter, this.metrics)
      : new AtLeastOnceBatch(progress, this.pipeline, this.deadLetter, batch.partition);
    this.metrics.consumed.inc({ topic: batch.topic }, batch.records.length);
    // The last offset handed on, reported once per batch: the client reads again whatever comes after it.
    let handedOn: number | undefined;
    let completed = false;
    try {
      for (const message of batch.records) {
        if (!control.isRunning() || control.isStale() || this.paused) break;
        const offset = message.offset;
        const source: SourceCoordinates = { topic: batch.topic, partition: batch.partition, offset: String(offset) };
        // Both steps are synchronous in the common case; awaiting only when they are not saves a microtask per event.
        const preparing = this.pipeline.prepare(message, source, control);
        const prepared = preparing instanceof Promise ? await preparing : preparing;
        if (prepared === undefined) break;
        if (!prepared.ok) {
          target.undecodable({ value: message.value, key: message.key, source, error: prepared.error }, offset);
        } else {
          const offering = target.event(prepared, offset, control);
          if (!(offering instanceof Promise ? await offering : offering)) break;
        }
        handedOn = offset;
      }
      completed = true;
    } finally {
      this.pipeline.flushMetrics();
      await target.finish(handedOn, completed);
      this.updateLag(batch);
      if (progress.settledSinceCommit >= this.config.commit.maxEvents) void this.committer.commit();
    }
    return handedOn;
  }

  private updateLag(batch: RecordBatch): void {
    if (batch.highWatermark < 0) return;
    this.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, batch.highWatermark - batch.nextOffset));
  }
}
