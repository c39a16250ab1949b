import type { SinkDefinition } from '../types.js';
import { topicSinkConfigSchema, type TopicSinkConfig } from './config.js';
import { TopicSink } from './topic-sink.js';

export const topicSink: SinkDefinition<typeof topicSinkConfigSchema> = {
  type: 'topic',
  configSchema: topicSinkConfigSchema,
  create: (config, context) => TopicSink.create(config, context),
  writesInInputTransaction: (config) => config.exactlyOnce,
};
export type { TopicSinkConfig };
