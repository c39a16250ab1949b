import type { KafkaEngine } from '../kafka/index.js';
import { compileSinkFilter } from '../filter/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Route } from '../route/event-router.js';
import { sinkDefinition, type SinkConfig } from './registry.js';
import { SinkRunner, type DeadLetterHandler } from './runner.js';
import type { Sink, SinkContext } from './types.js';

/** What building a route takes: the router config's Kafka and registry settings (not the whole config, which is built from this folder's schemas). */
interface SinkRouteDeps extends Pick<SinkContext, 'kafka' | 'schemaRegistry'> {
  /** The Kafka client in use, for sinks that write to Kafka. */
  kafkaEngine: KafkaEngine;
  logger: Logger;
  metrics: Metrics;
  /** Where the runner parks what it gives up on (the dead-letter writer). */
  deadLetter: DeadLetterHandler;
}

/**
 * A sink, its runner and its filter, from a validated sink config. `run`
 * (RouterApp, the destinations API), `replay` and `redrive` build routes here, so a
 * replayed event meets the same batching, retries and rules as a live one.
 */
export async function createSinkRoute(
  sinkConfig: SinkConfig,
  { kafka, schemaRegistry, kafkaEngine, logger, metrics, deadLetter }: SinkRouteDeps,
): Promise<Route<SinkRunner>> {
  const definition = sinkDefinition(sinkConfig.type);
  const sink: Sink = await (definition.create as (c: SinkConfig, ctx: unknown) => Promise<Sink>)(sinkConfig, {
    logger: logger.child({ sink: sinkConfig.name }),
    kafka,
    kafkaEngine,
    schemaRegistry,
  });
  const runner = new SinkRunner(sink, sinkConfig, deadLetter, metrics, logger);
  return { name: sinkConfig.name, target: runner, filter: compileSinkFilter(sinkConfig) };
}
