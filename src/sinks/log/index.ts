import { EvidenceTrail } from '../../evidence/index.js';
import type { SinkDefinition } from '../types.js';
import { logSinkConfigSchema, type LogSinkConfig } from './config.js';
import { LogSink } from './log-sink.js';

export const logSink: SinkDefinition<typeof logSinkConfigSchema> = {
  type: 'log',
  configSchema: logSinkConfigSchema,
  create: async (config, context) =>
    new LogSink(
      config,
      config.evidence
        ? await EvidenceTrail.open(config.evidence, config.name, { config: context.kafka, engine: context.kafkaEngine }, context.logger)
        : undefined,
    ),
};
export type { LogSinkConfig };
