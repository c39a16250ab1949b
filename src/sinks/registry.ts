import { z } from 'zod';
import { archiveSink } from './archive/index.js';
import { logSink } from './log/index.js';
import { topicSink } from './topic/index.js';
import { webhookSink } from './webhook/index.js';

/**
 * Every sink type, by the name used in config `type:`. Adding a sink is a
 * folder under sinks/ exporting a SinkDefinition, and one line here.
 */
const SINK_DEFINITIONS = [logSink, topicSink, webhookSink, archiveSink] as const;

type ConfigSchemas<T extends readonly { configSchema: unknown }[]> = { -readonly [K in keyof T]: T[K]['configSchema'] };

export const sinkConfigSchema = z.discriminatedUnion(
  'type',
  SINK_DEFINITIONS.map((d) => d.configSchema) as unknown as ConfigSchemas<typeof SINK_DEFINITIONS>,
  { error: `unknown sink type (known: ${SINK_DEFINITIONS.map((d) => d.type).join(', ')})` },
);

export type SinkConfig = z.output<typeof sinkConfigSchema>;

export function sinkDefinition(type: string) {
  const definition = SINK_DEFINITIONS.find((d) => d.type === type);
  if (!definition) throw new Error(`no sink type ${type}`);
  return definition;
}

/** Whether this sink config writes inside the input's transaction (see SinkDefinition.writesInInputTransaction). */
export function writesInInputTransaction(config: SinkConfig): boolean {
  const definition = sinkDefinition(config.type) as { writesInInputTransaction?: (c: SinkConfig) => boolean };
  return definition.writesInInputTransaction?.(config) ?? false;
}

/** Whether a sink type can write inside the input's transaction at all. */
export function canWriteInInputTransaction(type: string): boolean {
  return 'writesInInputTransaction' in sinkDefinition(type);
}

/**
 * The one exactly-once decision: a batch commits as one transaction when the
 * sinks write inside it. The config check refuses a mix, so it is all or none.
 */
export function isExactlyOnce(sinks: readonly SinkConfig[]): boolean {
  return sinks.some(writesInInputTransaction);
}
