import { z } from 'zod';

const rule = z.string().min(1);
const positiveMs = (max: number) => z.number().int().min(1).max(max);

interface SinkPolicyDefaults {
  batch: { maxEvents: number; maxBytes: number; maxWaitMs: number };
  retry: { initialBackoffMs: number; maxBackoffMs: number; maxElapsedMs: number };
  concurrency: number;
  /** 0 turns the breaker off: the sink then only ever waits (the log sink). */
  circuitFailureThreshold?: number;
}

/**
 * Fields every sink has: a name, its filter, and how the sink runner batches,
 * retries and isolates it. Each sink type states its own defaults, because
 * a log file and a remote webhook want different ones.
 */
export function commonSinkFields(defaults: SinkPolicyDefaults) {
  return {
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 characters: letters, digits, . _ - (used in metrics and headers)'),
    events: z.array(rule).min(1).default(['*:*']),
    exclude: z.array(rule).optional(),
    namespaces: z.array(z.string().min(1)).min(1).optional(),
    status: z.array(z.string().min(1)).min(1).optional(),
    batch: z
      .strictObject({
        maxEvents: z.number().int().min(1).max(10_000).default(defaults.batch.maxEvents),
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(defaults.batch.maxBytes),
        maxWaitMs: z.number().int().min(0).max(60_000).default(defaults.batch.maxWaitMs),
      })
      .prefault({}),
    retry: z
      .strictObject({
        initialBackoffMs: positiveMs(60_000).default(defaults.retry.initialBackoffMs),
        maxBackoffMs: positiveMs(600_000).default(defaults.retry.maxBackoffMs),
        /** 0 = retry for ever (the log sink's default: a local file has nowhere better to send events). */
        maxElapsedMs: z
          .number()
          .int()
          .min(0)
          .max(7 * 24 * 3600_000)
          .default(defaults.retry.maxElapsedMs),
      })
      .prefault({}),
    circuitBreaker: z
      .strictObject({
        /** Consecutive failed attempts that open the circuit; 0 turns the breaker off. */
        failureThreshold: z
          .number()
          .int()
          .min(0)
          .max(1000)
          .default(defaults.circuitFailureThreshold ?? 5),
        /** How long the circuit stays open before one probe batch is let through. */
        resetTimeoutMs: positiveMs(3600_000).default(30_000),
      })
      .prefault({}),
    /** Batches in flight at once. Never two of the same partition, so per-partition order holds. */
    concurrency: z.number().int().min(1).max(64).default(defaults.concurrency),
    /** Events the sink may hold (queued + in flight) before the consumer waits for it. */
    maxBufferedEvents: z.number().int().min(1).max(1_000_000).default(2_000),
  };
}

export type CommonSinkConfig = {
  name: string;
  type: string;
  events: string[];
  exclude?: string[] | undefined;
  namespaces?: string[] | undefined;
  status?: string[] | undefined;
  batch: SinkPolicyDefaults['batch'];
  retry: SinkPolicyDefaults['retry'];
  circuitBreaker: { failureThreshold: number; resetTimeoutMs: number };
  concurrency: number;
  maxBufferedEvents: number;
};
