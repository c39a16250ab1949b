import { z } from 'zod';
import { archiveSink } from './archive/index.js';
import { logSink } from './log/index.js';
import { topicSink } from './topic/index.js';
import { webhookSink } from './webhook/index.js';

/**
 * Every sink type, by the name used in config `type:`. Adding a sink is a
 * folder under sinks/ exporting a SinkDefinition, and one line here.
 */
export const SINK_DEFINITIONS = [logSink, topicSink, webhookSink, archiveSink] as const;

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
