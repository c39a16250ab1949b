import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitState } from '../retry/index.js';

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, open: 1, 'half-open': 2 };

/**
 * Every counter audit-router keeps, in one registry per router (not the
 * global one, so several routers in one process — tests — do not collide).
 * Names are stable and documented in the README ("Metrics").
 */
export class Metrics {
  readonly registry = new Registry();

  readonly consumed = new Counter({
    name: 'audit_router_events_consumed_total',
    help: 'Messages read from the input topic.',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly decoded = new Counter({
    name: 'audit_router_events_decoded_total',
    help: 'Messages decoded and validated into events, by input format.',
    labelNames: ['format'],
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: 'audit_router_events_dead_lettered_total',
    help: 'Events written to the dead-letter topic, by error code and sink ("" for decode failures).',
    labelNames: ['code', 'sink'],
    registers: [this.registry],
  });
  readonly filteredOut = new Counter({
    name: 'audit_router_events_filtered_out_total',
    help: 'Valid events that matched no sink.',
    registers: [this.registry],
  });
  readonly delivered = new Counter({
    name: 'audit_router_sink_events_delivered_total',
    help: 'Events a sink acknowledged.',
    labelNames: ['sink'],
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'audit_router_sink_events_failed_total',
    help: 'Events a sink gave up on (then dead-lettered), by error code.',
    labelNames: ['sink', 'code'],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'audit_router_sink_retries_total',
    help: 'Failed delivery attempts that were retried.',
    labelNames: ['sink', 'code'],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'audit_router_sink_batch_size',
    help: 'Events per delivered batch.',
    labelNames: ['sink'],
    buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });
  readonly deliverySeconds = new Histogram({
    name: 'audit_router_sink_delivery_seconds',
    help: 'Per acknowledged batch: time from its oldest event being handed to the sink until the batch was acknowledged (batch wait and retries included).',
    labelNames: ['sink'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly buffered = new Gauge({
    name: 'audit_router_sink_buffered_events',
    help: 'Events held by a sink (queued and in flight).',
    labelNames: ['sink'],
    registers: [this.registry],
  });
  readonly circuit = new Gauge({
    name: 'audit_router_sink_circuit_state',
    help: "A sink's circuit breaker: 0 closed, 1 open, 2 half-open.",
    labelNames: ['sink'],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'audit_router_consumer_lag',
    help: 'Messages between the last one read and the high watermark, per partition (the committed offset may trail the last one read).',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly info = new Gauge({
    name: 'audit_router_info',
    help: 'Always 1; the labels say which Kafka engine (and client version) this router uses.',
    labelNames: ['engine', 'version'],
    registers: [this.registry],
  });
  readonly commits = new Counter({
    name: 'audit_router_offset_commits_total',
    help: 'Offset commits sent to the group coordinator.',
    registers: [this.registry],
  });

  constructor({ defaultMetrics = false }: { defaultMetrics?: boolean } = {}) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'audit_router_' });
  }

  setCircuit(sink: string, state: CircuitState): void {
    this.circuit.set({ sink }, CIRCUIT_VALUE[state]);
  }
}
