import type { Config, SinkConfig } from '../config/index.js';
import { DeadLetterWriter } from '../deadletter/dead-letter-writer.js';
import {
  createKafkaEngine,
  createTopicIfMissing,
  describeKafkaError,
  type BatchControl,
  type GroupConsumer,
  type KafkaAdmin,
  type KafkaEngine,
  type RecordWriter,
} from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { topicWatermarks } from '../offsets/watermarks.js';
import type { Route } from '../route/event-router.js';
import { handOn } from '../sinks/hand-on.js';
import type { FailedDelivery, SinkRunner } from '../sinks/runner.js';
import { createSinkRoute } from '../sinks/sink-route.js';
import type { SinkEvent } from '../sinks/types.js';
import { inputConsumerOptions } from '../source/consumer-options.js';
import { RangeReader, type RangeMessageHandler } from './range-reader.js';
import { resolveReplayRanges, type PartitionRange, type RangeRequest } from './replay-range.js';

/** What a run reads, known once connected. */
export interface RangePlan {
  topic: string;
  /** The throwaway group it reads with. */
  groupId: string;
  ranges: readonly PartitionRange[];
  /** At most this many records: transaction markers and compacted gaps count in offsets but are never read. */
  total: number;
}

/** How a handed-on event ended: delivered by every sink, or parked in the dead-letter topic by one. */
export type Settled = 'delivered' | 'deadLettered';

/**
 * The mechanism replay and redrive share, each with its own record handler:
 * a Kafka engine with clients named after the command, a consumer group of
 * its own (`<groupId>.<command>-<ms>`) that commits nothing and is deleted at
 * the end, so no live group's offsets move; fixed offset ranges read by a
 * RangeReader; sink routes built by createSinkRoute (the batching, retries
 * and breaker of `run`), whose failures the dead-letter writer parks as
 * `run` does; a drain; and cleanup, whatever happened.
 */
export class RangeRun {
  readonly metrics = new Metrics();
  private readonly shutdown = new AbortController();
  /** Events some sink dead-lettered: when they settle they count as dead-lettered, not delivered. */
  private readonly parked = new WeakSet<SinkEvent>();
  private readonly routes = new Map<string, Promise<Route<SinkRunner>>>();
  private engine: KafkaEngine | undefined;
  private admin: KafkaAdmin | undefined;
  private writer: RecordWriter | undefined;
  private deadLetterWriter: DeadLetterWriter | undefined;
  private consumer: GroupConsumer | undefined;
  private reader: RangeReader | undefined;
  private plan: RangePlan | undefined;
  private interrupted = false;
  private wake: (() => void) | undefined;
  /** The group exists once its consumer connected: only then is there one to delete. */
  private connected = false;
  private reading = false;

  constructor(
    private readonly config: Config,
    private readonly command: 'replay' | 'redrive',
    private readonly logger: Logger,
  ) {}

  /** Connects, resolves the ranges of `topic` and builds the routes of `sinks`; nothing is read yet. */
  async prepare(topic: string, request: RangeRequest, handler: RangeMessageHandler, sinks: readonly string[] = []): Promise<RangePlan> {
    const { config, logger } = this;
    try {
      const engine = (this.engine = await createKafkaEngine(config.kafka, logger));
      // Quiet until reading: a failure to connect is reported once, as one line, by the CLI.
      const client = { clientIdSuffix: this.command, quiet: () => !this.reading };
      const admin = (this.admin = engine.admin(client));
      const writer = (this.writer = engine.recordWriter(client));
      this.deadLetterWriter = new DeadLetterWriter(writer, config.deadLetter.topic, this.metrics, logger, this.shutdown.signal);
      await admin.connect();
      const marks = await topicWatermarks(admin, topic);
      const ranges = await resolveReplayRanges(admin, topic, marks, request);
      await writer.connect();
      await createTopicIfMissing(admin, { topic: config.deadLetter.topic }, logger);
      for (const name of sinks) await this.route(name);
      const groupId = `${config.source.groupId}.${this.command}-${Date.now()}`;
      this.consumer = engine.groupConsumer({ ...inputConsumerOptions(config.source, groupId), ...client });
      this.reader = new RangeReader(this.consumer, topic, ranges, handler);
      this.plan = { topic, groupId, ranges, total: ranges.reduce((sum, r) => sum + r.to - r.from, 0) };
      return this.plan;
    } catch (err) {
      await this.close();
      throw describeKafkaError(err, config.kafka);
    }
  }

  /** The route of a configured sink, built once on first use; undefined when the config has no such sink. */
  route(name: string): Promise<Route<SinkRunner>> | undefined {
    const sinkConfig = this.config.sinks.find((s) => s.name === name);
    if (!sinkConfig) return undefined;
    let route = this.routes.get(name);
    if (!route) this.routes.set(name, (route = this.createRoute(sinkConfig)));
    return route;
  }

  private createRoute(sinkConfig: SinkConfig): Promise<Route<SinkRunner>> {
    return createSinkRoute(sinkConfig, {
      kafka: this.config.kafka,
      schemaRegistry: this.config.schemaRegistry,
      kafkaEngine: this.engine!,
      logger: this.logger,
      metrics: this.metrics,
      deadLetter: (f) => this.park(f),
    });
  }

  get deadLetter(): DeadLetterWriter {
    return this.deadLetterWriter!;
  }

  /**
   * Offers the event to the routes as `run` does (heartbeating while a sink
   * is full); `settled` is called once, when every route delivered or parked it.
   */
  handOn(
    routes: readonly Route<SinkRunner>[],
    lane: string,
    sinkEvent: SinkEvent,
    settled: (how: Settled) => void,
    control: BatchControl,
  ): boolean | Promise<boolean> {
    let owed = routes.length;
    const ack = () => {
      if (--owed === 0) settled(this.parked.has(sinkEvent) ? 'deadLettered' : 'delivered');
    };
    return handOn(routes, lane, sinkEvent, ack, control, this.config.source.heartbeatIntervalMs);
  }

  /**
   * Reads the ranges and waits until every record read was settled, at most
   * `drainMs(interrupted)` after the reading ended. False when interrupted.
   * Always cleans up, the group included.
   */
  async run(drainMs: (interrupted: boolean) => number): Promise<boolean> {
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
      const routes = await Promise.all(this.routes.values());
      await Promise.all(routes.map((r) => r.target.drain(drainMs(this.interrupted))));
      return !this.interrupted;
    } catch (err) {
      throw describeKafkaError(err, this.config.kafka);
    } finally {
      await this.close();
    }
  }

  /** Stop reading (SIGINT): what was handed on gets the drain `run` allows after an interruption. */
  interrupt(): void {
    this.interrupted = true;
    this.reader?.stop();
    this.wake?.();
  }

  /** A sink gave up on a batch: park it as `run` does; only once it is parked do its events count as dead-lettered. */
  private async park(failure: FailedDelivery): Promise<void> {
    await this.deadLetterWriter!.parkUndeliverable(failure);
    for (const item of failure.items) this.parked.add(item.sinkEvent);
  }

  /** Runners first: closing them wakes a batch waiting for room, which the consumer's stop waits for. */
  private async close(): Promise<void> {
    this.reader?.stop();
    this.shutdown.abort();
    const routes = await Promise.allSettled(this.routes.values());
    await Promise.allSettled(routes.map((r) => (r.status === 'fulfilled' ? r.value.target.close() : undefined)));
    await this.consumer?.close().catch(() => undefined);
    if (this.connected && this.plan && this.admin) {
      // After disconnect the group is empty and can go; were this to fail, the empty group would expire by itself.
      const group = this.plan.groupId;
      await this.admin
        .deleteGroups([group])
        .catch((err: Error) => this.logger.warn({ err: { message: err.message } }, `could not delete ${this.command} group ${group}`));
    }
    await Promise.allSettled([this.writer?.close(), this.admin?.close()]);
  }
}
