import type { Batch, Consumer, EachBatchPayload, Message } from 'kafkajs';
import type { Decoder } from '../decode/index.js';
import { undecodableRecord, type DeadLetterWriter, type UndecodableMessage } from '../deadletter/dead-letter-writer.js';
import type { TopicSink } from '../sinks/topic/topic-sink.js';
import type { SourceCoordinates } from '../event/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventRouter } from '../route/event-router.js';
import type { SinkRunner } from '../sinks/runner.js';
import type { SourceConfig } from '../config/index.js';
import { Committer } from './committer.js';
import { EventPipeline } from './event-pipeline.js';
import { PartitionProgress } from './partition-progress.js';
import type { TransactionalWriter } from './transactional-writer.js';

/**
 * The consumer side of the path: reads batches from the input topic, decodes
 * and routes each message, and tracks it until every sink it went to has
 * acknowledged it. Offsets are resolved once per batch, up to the last message
 * handed on (so kafkajs fetches ahead), but committed only as they settle (see
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
    private readonly consumer: Consumer,
    private readonly config: SourceConfig,
    decoder: Decoder,
    router: EventRouter<SinkRunner>,
    private readonly deadLetter: DeadLetterWriter,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** Set when every sink is an exactly-once topic sink: batches then commit as transactions. */
    private readonly transactions?: TransactionalWriter,
  ) {
    this.committer = new Committer(consumer, config.commit, metrics, logger);
    this.pipeline = new EventPipeline(decoder, router, metrics, logger, config.heartbeatIntervalMs);
  }

  /** True once this process has joined the group and received its assignment. */
  get isJoined(): boolean {
    return this.joined;
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    await this.consumer.subscribe({ topic: this.config.topic, fromBeginning: this.config.fromBeginning });
    this.committer.start();
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * Pauses fetching and waits until no batch is being handed on. The consumer
   * stays in its group, because kafkajs refuses commits once it is stopped,
   * and the final commit comes after the sinks drained.
   */
  async pause(): Promise<void> {
    this.paused = true;
    this.consumer.pause([{ topic: this.config.topic }]);
    while (this.activeBatches > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** The last commit, then leave the group. */
  async stop(): Promise<void> {
    await this.committer.stop();
    await this.consumer.stop();
  }

  /**
   * A rebalance: kafkajs seeks every assigned partition to its committed
   * offset, so all tracking restarts from scratch. Acks still arriving for
   * events read before it land on the discarded objects and commit nothing:
   * the new owner (maybe us again) reads those events again (at least once).
   */
  private onAssignment(assignment: Record<string, number[]>): void {
    const partitions = assignment[this.config.topic] ?? [];
    this.progress = new Map(partitions.map((p) => [p, new PartitionProgress(this.config.topic, p)]));
    this.committer.assign([...this.progress.values()]);
    this.joined = true;
    this.logger.info({ partitions }, `joined group ${this.config.groupId}: assigned partitions [${partitions.join(', ')}]`);
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    if (this.paused) return;
    this.activeBatches++;
    try {
      await (this.transactions ? this.handBatchOnTransactionally(payload, this.transactions) : this.handBatchOn(payload));
    } finally {
      this.activeBatches--;
    }
  }

  private async handBatchOn({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const progress = this.progress.get(batch.partition);
    if (!progress) return; // not ours (any more): leave it unresolved for the owner
    const control = { heartbeat, isRunning, isStale };
    const lane = String(batch.partition);
    const undecodable: (UndecodableMessage & { ack: () => void })[] = [];
    this.metrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
    // The last offset handed on to every sink it routes to. kafkajs fetches on from the resolved
    // offset; resolving once per batch instead of per message saves its per-call Long arithmetic.
    let handedOn: string | undefined;
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale() || this.paused) break;
        const source: SourceCoordinates = { topic: batch.topic, partition: batch.partition, offset: message.offset };
        // Both steps are synchronous in the common case; awaiting only when they are not saves a microtask per event.
        const preparing = this.pipeline.prepare(message, source, control);
        const prepared = preparing instanceof Promise ? await preparing : preparing;
        if (prepared === undefined) break;
        const offset = Number(message.offset);
        if (!prepared.ok) {
          undecodable.push({ value: message.value, key: message.key, source, error: prepared.error, ack: progress.track(offset, 1) });
          handedOn = message.offset;
          continue;
        }
        const ack = progress.track(offset, prepared.routes.length);
        const offering = this.pipeline.handOn(prepared, lane, ack, control);
        if (!(offering instanceof Promise ? await offering : offering)) break;
        handedOn = message.offset;
      }
    } finally {
      if (handedOn !== undefined) resolveOffset(handedOn);
      this.pipeline.flushMetrics();
      // Parked before returning, so an undecodable message never waits for the next batch.
      if (undecodable.length > 0) {
        await this.deadLetter.parkUndecodable(undecodable);
        for (const u of undecodable) u.ack();
      }
      this.updateLag(batch);
      if (progress.settledSinceCommit >= this.config.commit.maxEvents) void this.committer.commit();
    }
  }

  /**
   * Exactly-once: the whole batch's output records, dead-lettered ones and the
   * next offset go into one transaction; sinks' runners are not used. If the
   * transaction fails, kafkajs restarts from the last committed offset.
   */
  private async handBatchOnTransactionally({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload, writer: TransactionalWriter): Promise<void> {
    if (!this.progress.has(batch.partition)) return;
    const control = { heartbeat, isRunning, isStale };
    const records = new Map<string, Message[]>();
    const add = (topic: string, message: Message) => (records.get(topic) ?? records.set(topic, []).get(topic)!).push(message);
    const parked: UndecodableMessage[] = [];
    let last: string | undefined;
    this.metrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.paused) break;
      const source: SourceCoordinates = { topic: batch.topic, partition: batch.partition, offset: message.offset };
      const preparing = this.pipeline.prepare(message, source, control);
      const prepared = preparing instanceof Promise ? await preparing : preparing;
      if (prepared === undefined) break;
      if (!prepared.ok) {
        const undecodable = { value: message.value, key: message.key, source, error: prepared.error };
        parked.push(undecodable);
        add(this.deadLetter.topic, undecodableRecord(undecodable));
      } else {
        for (const route of prepared.routes) {
          const sink = route.target.target as TopicSink;
          add(sink.topic, sink.toMessage(prepared.sinkEvent));
        }
      }
      last = message.offset;
    }
    this.pipeline.flushMetrics();
    if (last === undefined) return;
    await writer.write(batch.partition, [...records].map(([topic, messages]) => ({ topic, messages })), String(Number(last) + 1));
    resolveOffset(last);
    this.deadLetter.noteParkedUndecodable(parked);
    this.metrics.commits.inc();
    this.updateLag(batch);
  }

  private updateLag(batch: Batch): void {
    const last = batch.lastOffset();
    this.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
  }
}
