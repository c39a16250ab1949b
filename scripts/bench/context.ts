/** What every scenario gets from the run: the loaded input, the engines to measure, where its rows go. */
import type { Kafka } from 'kafkajs';
import type { EngineName } from './engines.js';
import type { Receiver } from './receiver.js';
import type { LatencyResult, Row } from './results.js';
import { measureRouter, type Measure, type Yardstick } from './router.js';

export interface BenchContext {
  kafka: Kafka;
  brokers: string[];
  engines: EngineName[];
  events: number;
  /** The JSON input topic (every scenario but b) and the same events as Avro frames (b). */
  inJson: string;
  inAvro: string;
  /** The JSON input as lines, and its size: a file that lands all of it is `bytes + events` long. */
  dataFile: string;
  bytes: number;
  receiver: Receiver;
  yardstick: Yardstick;
  rows: Row[];
  latency: LatencyResult[];
}

/**
 * Runs one router measurement per engine, in the run's engine order, right
 * after one another so a machine that drifts favours neither. `build` makes
 * each engine its own output topic or file, so no run counts another's output.
 */
export async function perEngine(ctx: BenchContext, build: (engine: EngineName) => Promise<Omit<Measure, 'engine'>> | Omit<Measure, 'engine'>): Promise<void> {
  for (const engine of ctx.engines) {
    const m = await build(engine);
    ctx.rows.push(await measureRouter({ ...m, engine }, ctx.yardstick));
  }
}
