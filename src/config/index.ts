export { loadConfigFile, validateConfig } from './load.js';
export { ConfigError, formatPath, zodIssues, type ConfigIssue } from './issues.js';
export type { Config, KafkaConfig, SourceConfig, SinkConfig } from './types.js';
