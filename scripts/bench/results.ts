/** The shape of bench/results.json: one row per measured process, so engines and peers sit side by side. */
import type { EngineName } from './engines.js';

/** Who did the work in a row: one of the router's engines, or a peer program. */
export type Runner = EngineName | 'kcat' | 'kafka-connect';

export interface Row {
  /** The scenario table's id (a, b, c, d, logfile, …): rows of one id compare directly. */
  scenario: string;
  name: string;
  runner: Runner;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  mbPerSecond: number;
  ratioToKcat: number;
  /** null where the process is a pipeline the bench cannot sample (kcat). */
  peakRssMb: number | null;
  cpuSecondsPerMillion: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export interface LatencyResult {
  engine: EngineName;
  ratePerSecond: number;
  seconds: number;
  outputTopic: Percentiles;
  webhook: Percentiles;
  /** The bench's reader on the input topic: produce → arrival through one Kafka hop, no router. */
  inputHop?: Percentiles;
  /** Produce → the output record's CreateTime: the router's share, up to its produce call. */
  routerShare?: Percentiles;
}

export interface Report {
  date: string;
  command: string;
  events: number;
  avgEventBytes: number;
  machine: Record<string, unknown>;
  engines: { measured: EngineName[]; versions: Partial<Record<EngineName, string>>; skipped: Partial<Record<EngineName, string>> };
  kcat: { eventsPerSecond: number; seconds: number };
  rows: Row[];
  latency: LatencyResult[];
  wallSeconds: number;
}

/** A row from what was measured; ratios against the kcat copy of the same run. */
export function makeRow(fields: Omit<Row, 'seconds' | 'eventsPerSecond' | 'mbPerSecond' | 'ratioToKcat' | 'cpuSecondsPerMillion'>, seconds: number, cpuSeconds: number, avgBytes: number, kcatRate: number): Row {
  const rate = fields.events / seconds;
  return {
    ...fields,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(rate),
    mbPerSecond: Number(((rate * avgBytes) / 1e6).toFixed(2)),
    ratioToKcat: Number((rate / kcatRate).toFixed(3)),
    cpuSecondsPerMillion: Number(((cpuSeconds / fields.events) * 1e6).toFixed(1)),
  };
}
