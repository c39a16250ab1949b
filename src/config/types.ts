import type { RawConfig } from './schema.js';

/**
 * The validated, defaulted, frozen config the rest of audit-router receives.
 * The core never sees YAML or unvalidated objects.
 */
export type Config = Readonly<RawConfig & { deadLetter: { topic: string } }>;
export type { KafkaConfig } from '../kafka/config.js';
export type SourceConfig = RawConfig['source'];
export type { SinkConfig } from '../sinks/registry.js';
