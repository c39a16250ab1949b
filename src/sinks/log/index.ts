import type { SinkDefinition } from '../types.js';
import { logSinkConfigSchema, type LogSinkConfig } from './config.js';
import { LogSink } from './log-sink.js';

export const logSink: SinkDefinition<typeof logSinkConfigSchema> = {
  type: 'log',
  configSchema: logSinkConfigSchema,
  create: async (config) => new LogSink(config),
};
export type { LogSinkConfig };
