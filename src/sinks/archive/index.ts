import type { SinkDefinition } from '../types.js';
import { ArchiveSink } from './archive-sink.js';
import { archiveSinkConfigSchema, type ArchiveSinkConfig } from './config.js';

export const archiveSink: SinkDefinition<typeof archiveSinkConfigSchema> = {
  type: 'archive',
  configSchema: archiveSinkConfigSchema,
  create: async (config, context) => new ArchiveSink(config, context.logger),
};
export type { ArchiveSinkConfig };
