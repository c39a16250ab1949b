import type { OffsetSpec } from '../offsets/offset-spec.js';
import type { Config } from '../config/index.js';
import { DeadLetterWriter } from '../deadletter/dead-letter-writer.js';
import { Decoder } from '../decode/index.js';
import { AuditRouterError } from '../errors/index.js';
import { compileRules } from '../filter/index.js';
import { createKafkaEngine, createTopicIfMissing, describeKafkaError, type BatchControl, type GroupConsumer, type KafkaAdmin, type KafkaRecord, type RecordWriter } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { topicWatermarks } from '../offsets/watermarks.js';
import { EventRouter, type Route } from '../route/event-router.js';
import { createSinkRoute } from '../sinks/sink-route.js';
import type { FailedDelivery, SinkRunner } from '../sinks/runner.js';
import type { SinkEvent } from '../sinks/types.js';
import { EventPipeline } from '../source/event-pipeline.js';
import { inputConsumerOptions } from '../source/consumer-options.js';
import type { ProgressSnapshot } from './progress.js';
import { RangeReader } from './range-reader.js';
import { resolveReplayRanges, type PartitionRange } from './replay-range.js';
import { emptyCounts, type ReplayCounts } from './summary.js';

export interface ReplayOptions {
  from: OffsetSpec;
  to?: OffsetSpec | undefined;
  partitions?: readonly number[] | undefined;
  /** One sink by name; every sink when absent. */
  sink?: string | undefined;
  /** Park undecodable messages in the dead-letter topic (again) instead of only counting them. */
  deadLetterUndecodable: boolean;
  logger: Logger;
}

/** What the replay will read, known once connected. */
export interface ReplayPlan {
  topic: string;
  groupId: string;
  ranges: readonly PartitionRange[];
  total: number;
  sinks: readonly string[];
}

/** The longest a drain may wait: setTimeout's limit. A log sink retries for ever, as in `run`; Ctrl-C ends it. */
const NO_DEADLINE = 2 ** 31 - 1;

/**
 * Re-delivers a range of the input topic through the same pieces as `run`:
 * Decoder and EventPipeline (same ids, same canonical JSON, same filters),
 * sink runners built by createSinkRoute (same batching, retries, breaker),
 * and the dead-letter writer for what a sink gives up on. It reads with a
 * consumer group of its own, `<groupId>.replay-<ms>`, commits nothing and
 * deletes the group at the end, so the live group's offsets never move.
 */
export class Replay {
  readonly counts: ReplayCounts = emptyCounts();
  /** Created by prepare(): the engine loads asynchronously. */
  private admin: KafkaAdmin | undefined;
  private writer: RecordWriter | undefined;
  private deadLetter: DeadLetterWriter | undefined;
  private readonly shutdown = new AbortController();
  private readonly metrics = new Metrics();
  /** Events some sink dead-lettered: when they settle they count as dead-lettered, not delivered. */
  private readonly parked = new WeakSet<SinkEvent>();
  private routes: Route<SinkRunner>[] = [];
  private consumer: GroupConsumer | undefined;
  private reader: RangeReader | undefined;
  private pipeline: EventPipeline | undefined;
  private interrupted = false;
  /** The replay group exists once its consumer connected: only then is there one to delete. */
  private connected = false;
  private reading = false;
  private wake: (() => void) | undefined;
  private plan: ReplayPlan | undefined;

  constructor(
    private readonly config: Config,
    private readonly options: ReplayOptions,
  ) {
    if (options.sink !== undefined && !config.sinks.some((s) => s.name === options.sink)) {
      throw new AuditRouterError('AR_ERR_USAGE', `--sink ${options.sink}: no such sink in the config (have: ${config.sinks.map((s) => s.name).join(', ')})`);
    }
  }

  /** Connects and resolves the range; nothing is read yet. */
  async prepare(): Promise<ReplayPlan> {
    const { config, options } = this;
    const { topic, groupId } = config.source;
    try {
      const engine = await createKafkaEngine(config.kafka, options.logger);
      // Quiet until reading: a failure to connect is reported once, as one line, by the CLI.
      const client = { clientIdSuffix: 'replay', quiet: () => !this.reading };
      const admin = (this.admin = engine.admin(client));
      const writer = (this.writer = engine.recordWriter(client));
      this.deadLetter = new DeadLetterWriter(writer, config.deadLetter.topic, this.metrics, options.logger, this.shutdown.signal);
      await admin.connect();
      const marks = await topicWatermarks(admin, topic);
      const ranges = await resolveReplayRanges(admin, topic, marks, options);
      await writer.connect();
      await createTopicIfMissing(admin, { topic: config.deadLetter.topic }, options.logger);
      const sinkConfigs = config.sinks.filter((s) => options.sink === undefined || s.name === options.sink);
      for (const sinkConfig of sinkConfigs) {
        this.routes.push(await createSinkRoute(sinkConfig, { config, kafkaEngine: engine, logger: options.logger, metrics: this.metrics, deadLetter: (f) => this.park(f) }));
      }
      const router = new EventRouter<SinkRunner>(compileRules(config.events), this.routes);
      const decoder = new Decoder(config.source.format, config.source.maxMessageBytes, config.schemaRegistry);
      this.pipeline = new EventPipeline(decoder, router, this.metrics, options.logger, config.source.heartbeatIntervalMs);
      const replayGroup = `${groupId}.replay-${Date.now()}`;
      this.consumer = engine.groupConsumer({ ...inputConsumerOptions(config.source, replayGroup), ...client });
      const handler = (partition: number, message: KafkaRecord, control: BatchControl) => this.handle(partition, message, control);
      this.reader = new RangeReader(this.consumer, topic, ranges, handler);
      const total = ranges.reduce((sum, r) => sum + r.to - r.from, 0);
      this.plan = { topic, groupId: replayGroup, ranges, total, sinks: this.routes.map((r) => r.name) };
      return this.plan;
    } catch (err) {
      await this.close();
      throw describeKafkaError(err, config.kafka);
    }
  }

  /**
   * Reads the range and waits until every event read was delivered or
   * parked (or, after interrupt(), at most shutdown.timeoutMs). Returns
   * false when interrupted. Always cleans up, the replay group included.
   */
  async run(): Promise<boolean> {
    const reader = this.reader!;
    try {
      const interrupted = new Promise<void>((resolve) => (this.wake = resolve));
      // Nothing to read (every range empty): no consumer, no group to create and delete.
      if (!this.interrupted && this.plan!.total > 0) {
        this.connected = true;
        await this.consumer!.connect();
        await reader.start(this.config.source.partitionsConsumedConcurrently);
        this.reading = true;
        await Promise.race([reader.done, interrupted]);
      }
      reader.stop();
      const deadline = this.interrupted ? this.config.shutdown.timeoutMs : NO_DEADLINE;
      await Promise.all(this.routes.map((r) => r.target.drain(deadline)));
      return !this.interrupted;
    } catch (err) {
      throw describeKafkaError(err, this.config.kafka);
    } finally {
      await this.close();
    }
  }

  /** Stop reading (SIGINT): what was handed on gets shutdown.timeoutMs to be delivered. */
  interrupt(): void {
    this.interrupted = true;
    this.reader?.stop();
    this.wake?.();
  }

  progress(): ProgressSnapshot {
    const c = this.counts;
    return { read: c.read, total: this.plan?.total ?? 0, settled: c.delivered + c.deadLettered + c.filtered + c.undecodable };
  }

  private async handle(partition: number, message: KafkaRecord, control: BatchControl): Promise<boolean> {
    const source = { topic: this.config.source.topic, partition, offset: String(message.offset) };
    const prepared = await this.pipeline!.prepare(message, source, control);
    if (prepared === undefined) return false;
    this.counts.read++;
    if (!prepared.ok) {
      this.counts.undecodable++;
      if (this.options.deadLetterUndecodable) {
        await this.deadLetter!.parkUndecodable([{ value: message.value, key: message.key, source, error: prepared.error }]);
      }
      return true;
    }
    if (prepared.routes.length === 0) {
      this.counts.filtered++;
      return true;
    }
    let owed = prepared.routes.length;
    const ack = () => {
      if (--owed > 0) return;
      if (this.parked.has(prepared.sinkEvent)) this.counts.deadLettered++;
      else this.counts.delivered++;
    };
    return this.pipeline!.handOn(prepared, String(partition), ack, control);
  }

  /** A sink gave up on a batch: park it as `run` does, and remember which events it held. */
  private async park(failure: FailedDelivery): Promise<void> {
    await this.deadLetter!.parkUndeliverable(failure);
    for (const item of failure.items) this.parked.add(item.sinkEvent);
  }

  /** Runners first: closing them wakes a batch waiting for room, which the consumer's stop waits for. */
  private async close(): Promise<void> {
    this.reader?.stop();
    this.shutdown.abort();
    await Promise.allSettled(this.routes.map((r) => r.target.close()));
    await this.consumer?.close().catch(() => undefined);
    if (this.connected && this.plan && this.admin) {
      // After disconnect the group is empty and can go; were this to fail, the empty group would expire by itself.
      const group = this.plan.groupId;
      await this.admin.deleteGroups([group]).catch((err: Error) => this.options.logger.warn({ err: { message: err.message } }, `could not delete replay group ${group}`));
    }
    await Promise.allSettled([this.writer?.close(), this.admin?.close()]);
  }
}
