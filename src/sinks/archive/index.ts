import { ObjectEvidence } from '../../evidence/index.js';
import type { SinkDefinition } from '../types.js';
import { ArchiveSink } from './archive-sink.js';
import { archiveSinkConfigSchema, type ArchiveSinkConfig } from './config.js';

export const archiveSink: SinkDefinition<typeof archiveSinkConfigSchema> = {
  type: 'archive',
  configSchema: archiveSinkConfigSchema,
  create: async (config, context) =>
    new ArchiveSink(
      config,
      context.logger,
      config.evidence
        ? await ObjectEvidence.open(config.evidence, config.name, { config: context.kafka, engine: context.kafkaEngine }, context.logger)
        : undefined,
    ),
};
export type { ArchiveSinkConfig };
