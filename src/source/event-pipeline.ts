import type { Decoded, Decoder } from '../decode/index.js';
import type { AuditRouterError } from '../errors/index.js';
import { canonicalJson, withStableId, type SourceCoordinates } from '../event/index.js';
import type { BatchControl, KafkaRecord } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { fullJitterDelay, sleep } from '../retry/index.js';
import type { EventRouter, Route } from '../route/event-router.js';
import { handOn } from '../sinks/hand-on.js';
import type { SinkRunner } from '../sinks/runner.js';
import type { SinkEvent } from '../sinks/types.js';

/** A message made ready for its sinks, or the reason it cannot be an event. */
type Prepared = { ok: true; sinkEvent: SinkEvent; routes: Route<SinkRunner>[] } | { ok: false; error: AuditRouterError };

/** A message that became an event, with the routes it matched. */
export type PreparedEvent = Extract<Prepared, { ok: true }>;

const OUTAGE_BACKOFF = { initialBackoffMs: 250, maxBackoffMs: 5_000, maxElapsedMs: 0 };

/**
 * The steps from message bytes to sink runners, shared by `run` (KafkaSource)
 * and `replay`, so a replayed event gets the same id, the same canonical JSON
 * and the same routing decision as it did live. Tracking acknowledgements
 * and what to do with failures stays with the caller.
 */
export class EventPipeline {
  private counts = { json: 0, avro: 0, filteredOut: 0 };

  constructor(
    private readonly decoder: Decoder,
    private readonly router: EventRouter<SinkRunner>,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly heartbeatIntervalMs: number,
  ) {}

  /**
   * Decode, stable id, canonical JSON, matching routes. Synchronous unless the
   * decoder has to fetch a schema; undefined when the batch stopped (rebalance,
   * shutdown) while waiting out a registry outage.
   */
  prepare(message: KafkaRecord, source: SourceCoordinates, control: BatchControl): Prepared | Promise<Prepared | undefined> {
    const decoded = this.decoder.decode(message.value);
    if (decoded instanceof Promise) {
      return this.decodeWaitingOutOutages(decoded, message, control).then((d) =>
        d === undefined ? undefined : this.finish(d, message, source),
      );
    }
    return this.finish(decoded, message, source);
  }

  private finish(decoded: Decoded, message: KafkaRecord, source: SourceCoordinates): Prepared {
    if (!decoded.ok) return decoded;
    const event = withStableId(decoded.event, source);
    let json: string;
    try {
      json = canonicalJson(event);
    } catch (err) {
      return { ok: false, error: err as AuditRouterError };
    }
    this.counts[decoded.format]++;
    const routes = this.router.match(event);
    if (routes.length === 0) this.counts.filteredOut++;
    return { ok: true, sinkEvent: { event, json, key: message.key, source }, routes };
  }

  /**
   * Counters are kept as numbers per event and added to the metrics once per
   * batch: a labelled prom-client increment per event costs more than routing it.
   */
  flushMetrics(): void {
    const { json, avro, filteredOut } = this.counts;
    if (json > 0) this.metrics.decoded.inc({ format: 'json' }, json);
    if (avro > 0) this.metrics.decoded.inc({ format: 'avro' }, avro);
    if (filteredOut > 0) this.metrics.filteredOut.inc(filteredOut);
    this.counts = { json: 0, avro: 0, filteredOut: 0 };
  }

  /** Offers the event to every route's runner; see handOn(). */
  handOn(prepared: PreparedEvent, lane: string, ack: () => void, control: BatchControl): boolean | Promise<boolean> {
    return handOn(prepared.routes, lane, prepared.sinkEvent, ack, control, this.heartbeatIntervalMs);
  }

  /** Waits out a registry outage (heartbeating) instead of dead-lettering good events. */
  private async decodeWaitingOutOutages(
    first: Promise<Decoded>,
    message: KafkaRecord,
    control: BatchControl,
  ): Promise<Decoded | undefined> {
    let pending: Decoded | Promise<Decoded> = first;
    for (let attempt = 1; ; attempt++) {
      try {
        return await pending;
      } catch (err) {
        if (!control.isRunning() || control.isStale()) return undefined;
        const delay = fullJitterDelay(attempt, OUTAGE_BACKOFF) + 100;
        this.logger.warn({ code: (err as AuditRouterError).code, attempt, retryInMs: delay }, `decode waits: ${(err as Error).message}`);
        await sleep(delay);
        await control.heartbeat();
        pending = this.decoder.decode(message.value);
      }
    }
  }
}
