import { setMaxListeners } from 'node:events';
import { AuditRouterError, toAuditRouterError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { CircuitBreaker, nextRetryDelay, sleep } from '../retry/index.js';
import type { CommonSinkConfig } from './common-config.js';
import type { Sink, SinkEvent } from './types.js';

/** One event handed to one sink; `ack` is called exactly once, when it is delivered or parked. */
interface DeliveryItem {
  readonly sinkEvent: SinkEvent;
  readonly enqueuedAt: number;
  readonly ack: () => void;
}

/** A batch the sink gave up on; the callee must park it durably (dead-letter topic) before resolving. */
export interface FailedDelivery {
  readonly sink: string;
  readonly items: readonly DeliveryItem[];
  readonly error: AuditRouterError;
  readonly attempts: number;
}

export type DeadLetterHandler = (failure: FailedDelivery) => Promise<void>;

interface Lane {
  readonly key: string;
  readonly items: DeliveryItem[];
  bytes: number;
  busy: boolean;
  timer: NodeJS.Timeout | undefined;
  due: boolean;
}

/**
 * Drives one sink: batches events per lane (one lane per input partition),
 * sends at most `concurrency` batches at once and never two of one lane (so
 * a sink sees each partition's events in order), retries with full-jitter
 * backoff inside the retry budget, fails fast while the circuit is open, and
 * hands what it gives up on to the dead-letter handler. It holds at most
 * `maxBufferedEvents`; past that, offer() returns a promise to wait on, which
 * is how a slow sink slows the consumer instead of filling memory.
 */
export class SinkRunner {
  readonly name: string;
  private readonly lanes = new Map<string, Lane>();
  private readonly breaker: CircuitBreaker;
  private readonly shutdown = new AbortController();
  /** The labelled child, looked up once: offer() sets it per event, and a labelled set() hashes its labels. */
  private readonly bufferedGauge: ReturnType<Metrics['buffered']['labels']>;
  private buffered = 0;
  private inFlight = 0;
  private flushing = false;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly sink: Sink,
    private readonly policy: CommonSinkConfig,
    private readonly deadLetter: DeadLetterHandler,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.name = sink.name;
    // Every in-flight send listens on the shutdown signal (the runner and the sink each once).
    this.bufferedGauge = metrics.buffered.labels({ sink: this.name });
    setMaxListeners(0, this.shutdown.signal);
    this.breaker = new CircuitBreaker(policy.circuitBreaker.failureThreshold, policy.circuitBreaker.resetTimeoutMs, (state) => {
      metrics.setCircuit(this.name, state);
      logger.warn({ sink: this.name, circuit: state }, `sink ${this.name}: circuit ${state}`);
    });
    metrics.setCircuit(this.name, 'closed');
  }

  /** The sink this runner drives (the exactly-once path writes its records itself). */
  get target(): Sink {
    return this.sink;
  }

  get circuitState() {
    return this.breaker.state;
  }

  /** Queues an event. Returns a promise when the sink is full: wait on it before offering more. */
  offer(lane: string, sinkEvent: SinkEvent, ack: () => void): Promise<void> | undefined {
    let l = this.lanes.get(lane);
    if (!l) {
      l = { key: lane, items: [], bytes: 0, busy: false, timer: undefined, due: false };
      this.lanes.set(lane, l);
    }
    l.items.push({ sinkEvent, enqueuedAt: Date.now(), ack });
    l.bytes += sinkEvent.json.length;
    this.buffered++;
    this.bufferedGauge.set(this.buffered);
    if (this.isFull(l)) this.pump();
    else if (this.policy.batch.maxWaitMs === 0) {
      l.due = true;
      this.pump();
    } else if (!l.timer) this.arm(l, this.policy.batch.maxWaitMs);
    if (this.buffered < this.policy.maxBufferedEvents) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Sends every partial batch now instead of waiting for maxWaitMs (shutdown, replay end). */
  flush(): void {
    this.flushing = true;
    this.pump();
  }

  /** Resolves when nothing is buffered or in flight, or false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.flush();
    if (this.buffered === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops retrying and aborts in-flight sends; what was not acknowledged stays
   * unacknowledged (its offsets are not committed, so it is read again). Then closes the sink.
   */
  async close(): Promise<void> {
    this.shutdown.abort(new AuditRouterError('AR_ERR_SINK_CLOSED', `sink ${this.name} closed`));
    for (const lane of this.lanes.values()) clearTimeout(lane.timer);
    await new Promise<void>((resolve) => (this.inFlight === 0 ? resolve() : this.idleWaiters.push(resolve)));
    this.roomWaiters.splice(0).forEach((wake) => wake());
    await this.sink.close();
  }

  private isFull(lane: Lane): boolean {
    return lane.items.length >= this.policy.batch.maxEvents || lane.bytes >= this.policy.batch.maxBytes;
  }

  private arm(lane: Lane, ms: number): void {
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      lane.due = true;
      this.pump();
    }, ms);
  }

  /**
   * Starts as many batches as concurrency allows, in lane order. A lane goes
   * to the back when its batch completes (deliver), so a busy partition
   * cannot starve the others, whose offsets would then never be committed.
   */
  private pump(): void {
    if (this.shutdown.signal.aborted) return;
    for (const lane of [...this.lanes.values()]) {
      if (this.inFlight >= this.policy.concurrency) return;
      if (lane.busy || lane.items.length === 0) continue;
      if (!(lane.due || this.flushing || this.isFull(lane))) continue;
      void this.deliver(lane, this.takeBatch(lane));
    }
  }

  private takeBatch(lane: Lane): DeliveryItem[] {
    let count = 0;
    let bytes = 0;
    // At least one event, even one larger than maxBytes: it must go somewhere (the destination may refuse it).
    while (count < lane.items.length && count < this.policy.batch.maxEvents) {
      const size = lane.items[count]!.sinkEvent.json.length;
      if (count > 0 && bytes + size > this.policy.batch.maxBytes) break;
      bytes += size;
      count++;
    }
    const batch = lane.items.splice(0, count);
    lane.bytes -= bytes;
    clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.due = false;
    const rest = lane.items[0];
    if (rest) {
      const waited = Date.now() - rest.enqueuedAt;
      if (waited >= this.policy.batch.maxWaitMs) lane.due = true;
      else this.arm(lane, this.policy.batch.maxWaitMs - waited);
    }
    return batch;
  }

  private async deliver(lane: Lane, batch: DeliveryItem[]): Promise<void> {
    lane.busy = true;
    this.inFlight++;
    try {
      const outcome = await this.attempt(batch);
      if (outcome === 'delivered') {
        this.metrics.delivered.inc({ sink: this.name }, batch.length);
        this.metrics.batchSize.observe({ sink: this.name }, batch.length);
        this.acknowledge(batch);
      } else if (outcome !== 'abandoned') {
        await this.deadLetter({ sink: this.name, items: batch, error: outcome.error, attempts: outcome.attempts });
        this.metrics.failed.inc({ sink: this.name, code: outcome.error.code }, batch.length);
        this.acknowledge(batch);
      }
    } catch (err) {
      // Only the dead-letter handler can land here, and only at shutdown: the events stay unacknowledged.
      this.logger.warn({ sink: this.name, err }, `sink ${this.name}: batch left unacknowledged`);
    } finally {
      lane.busy = false;
      this.lanes.delete(lane.key);
      this.lanes.set(lane.key, lane);
      this.inFlight--;
      this.buffered -= batch.length;
      this.bufferedGauge.set(this.buffered);
      if (this.buffered < this.policy.maxBufferedEvents) this.roomWaiters.splice(0).forEach((wake) => wake());
      if (this.inFlight === 0 && (this.buffered === 0 || this.shutdown.signal.aborted)) {
        this.idleWaiters.splice(0).forEach((wake) => wake());
      }
      this.pump();
    }
  }

  private async attempt(batch: DeliveryItem[]): Promise<'delivered' | 'abandoned' | { error: AuditRouterError; attempts: number }> {
    const started = Date.now();
    const signal = this.shutdown.signal;
    for (let attempts = 1; ; attempts++) {
      if (signal.aborted) return 'abandoned';
      if (!this.breaker.tryAcquire()) {
        return {
          attempts: attempts - 1,
          error: new AuditRouterError('AR_ERR_SINK_CIRCUIT_OPEN', `sink ${this.name}: circuit open after repeated failures`),
        };
      }
      let error: AuditRouterError;
      try {
        await abortable(
          this.sink.send(
            batch.map((item) => item.sinkEvent),
            signal,
          ),
          signal,
        );
        this.breaker.recordSuccess();
        return 'delivered';
      } catch (err) {
        if (signal.aborted) return 'abandoned';
        // A TypeError or the like is a bug in the sink: retrying cannot fix it.
        error = err instanceof AuditRouterError ? err : toAuditRouterError(err, 'AR_ERR_INTERNAL');
        this.breaker.recordFailure();
      }
      if (!error.retriable) return { error, attempts };
      const delay = nextRetryDelay(attempts, Date.now() - started, this.policy.retry, error.retryAfterMs);
      if (delay === undefined) {
        const exhausted = new AuditRouterError(
          'AR_ERR_SINK_EXHAUSTED',
          `sink ${this.name}: gave up after ${attempts} attempts in ${Date.now() - started} ms: ${error.message}`,
          {
            status: error.status,
            cause: error,
          },
        );
        return { error: exhausted, attempts };
      }
      this.metrics.retries.inc({ sink: this.name, code: error.code });
      this.logger.warn(
        { sink: this.name, code: error.code, status: error.status, attempt: attempts, retryInMs: delay },
        `sink ${this.name}: ${error.message}`,
      );
      try {
        await sleep(delay, signal);
      } catch {
        return 'abandoned';
      }
    }
  }

  /** Delivered or parked: either way the sink is done with these events. */
  private acknowledge(batch: DeliveryItem[]): void {
    // One observation per batch, its oldest event's wait: per-event observations cost more than the rest of routing.
    this.metrics.deliverySeconds.observe({ sink: this.name }, (Date.now() - batch[0]!.enqueuedAt) / 1000);
    for (const item of batch) item.ack();
  }
}

/** A sink that ignores the abort signal must not hold up shutdown: stop waiting for it. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
