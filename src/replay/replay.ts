import type { OffsetSpec } from '../offsets/offset-spec.js';
import type { Config } from '../config/index.js';
import { Decoder } from '../decode/index.js';
import { AuditRouterError } from '../errors/index.js';
import { compileRules } from '../filter/index.js';
import type { BatchControl, KafkaRecord } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { EventRouter } from '../route/event-router.js';
import type { SinkRunner } from '../sinks/runner.js';
import { EventPipeline } from '../source/event-pipeline.js';
import type { ProgressSnapshot } from './progress.js';
import { RangeRun, type RangePlan } from './range-run.js';
import { emptyCounts, type ReplayCounts } from './summary.js';

interface ReplayOptions {
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
export interface ReplayPlan extends RangePlan {
  sinks: readonly string[];
}

/** The longest a drain may wait: setTimeout's limit. A log sink retries for ever, as in `run`; Ctrl-C ends it. */
const NO_DEADLINE = 2 ** 31 - 1;

/**
 * Re-delivers a range of the input topic through the same pieces as `run`:
 * Decoder and EventPipeline (same ids, same canonical JSON, same filters)
 * in front of the sink routes of a RangeRun, which reads with a group of its
 * own and deletes it at the end, so the live group's offsets never move.
 */
export class Replay {
  readonly counts: ReplayCounts = emptyCounts();
  private readonly rangeRun: RangeRun;
  private pipeline: EventPipeline | undefined;
  private plan: ReplayPlan | undefined;

  constructor(
    private readonly config: Config,
    private readonly options: ReplayOptions,
  ) {
    if (options.sink !== undefined && !config.sinks.some((s) => s.name === options.sink)) {
      throw new AuditRouterError(
        'AR_ERR_USAGE',
        `--sink ${options.sink}: no such sink in the config (have: ${config.sinks.map((s) => s.name).join(', ')})`,
      );
    }
    this.rangeRun = new RangeRun(config, 'replay', options.logger);
  }

  /** Connects and resolves the range; nothing is read yet. */
  async prepare(): Promise<ReplayPlan> {
    const { config, options } = this;
    const sinks = config.sinks.map((s) => s.name).filter((name) => options.sink === undefined || name === options.sink);
    const handler = (partition: number, message: KafkaRecord, control: BatchControl) => this.handle(partition, message, control);
    const plan = await this.rangeRun.prepare(config.source.topic, options, handler, sinks);
    const routes = await Promise.all(sinks.map((name) => this.rangeRun.route(name)!));
    const router = new EventRouter<SinkRunner>(compileRules(config.events), routes);
    const decoder = new Decoder(config.source.format, config.source.maxMessageBytes, config.schemaRegistry);
    this.pipeline = new EventPipeline(decoder, router, this.rangeRun.metrics, options.logger, config.source.heartbeatIntervalMs);
    this.plan = { ...plan, sinks };
    return this.plan;
  }

  /**
   * Reads the range and waits until every event read was delivered or
   * parked (or, after interrupt(), at most shutdown.timeoutMs). Returns
   * false when interrupted. Always cleans up, the replay group included.
   */
  run(): Promise<boolean> {
    return this.rangeRun.run((interrupted) => (interrupted ? this.config.shutdown.timeoutMs : NO_DEADLINE));
  }

  /** Stop reading (SIGINT): what was handed on gets shutdown.timeoutMs to be delivered. */
  interrupt(): void {
    this.rangeRun.interrupt();
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
        await this.rangeRun.deadLetter.parkUndecodable([{ value: message.value, key: message.key, source, error: prepared.error }]);
      }
      return true;
    }
    if (prepared.routes.length === 0) {
      this.counts.filtered++;
      return true;
    }
    return this.rangeRun.handOn(prepared.routes, String(partition), prepared.sinkEvent, (how) => this.counts[how]++, control);
  }
}
