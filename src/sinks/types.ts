import type { z } from 'zod';
import type { AuditEvent, SourceCoordinates } from '../event/index.js';
import type { Logger } from '../observability/logger.js';
import type { KafkaConfig } from '../kafka/config.js';
import type { KafkaEngine, OutgoingRecord } from '../kafka/index.js';
import type { CommonSinkConfig } from './common-config.js';
import type { RegistryConnection } from '../schema-registry/index.js';

/** One event on its way to a sink: the decoded event, its canonical JSON (serialised once), and where it came from. */
export interface SinkEvent {
  readonly event: AuditEvent;
  readonly json: string;
  readonly key: Buffer | null;
  readonly source: SourceCoordinates;
}

/**
 * The contract every sink implements (after Flipt's SendAudits/Close/String).
 *
 * send(): deliver every event of the batch. Resolving means the destination
 * has durably accepted all of them: only then are they acknowledged and may
 * their offsets be committed. Rejecting means none counts as delivered; throw
 * an AuditRouterError whose `retriable` says whether the runner should try the
 * same batch again (within the sink's retry budget) or dead-letter it now.
 * The runner never calls send() twice at once with events of one partition.
 *
 * close(): flush and release resources. Called once, after the last send()
 * settled.
 */
export interface Sink {
  readonly name: string;
  send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /**
   * Only in a sink whose definition declares `writesInInputTransaction`: the
   * record an event becomes and its topic. Exactly-once writes it, with the
   * input's offsets, in the input's transaction instead of calling send().
   */
  transactionalRecord?(event: SinkEvent): { topic: string; record: OutgoingRecord };
}

/** What a sink may use to build itself. */
export interface SinkContext {
  logger: Logger;
  kafka: KafkaConfig;
  /** The Kafka client in use: a sink writing to Kafka creates its writer here. */
  kafkaEngine: KafkaEngine;
  /** The router's schema registry (url and credentials), when configured. */
  schemaRegistry?: RegistryConnection | undefined;
}

/** A sink type: its config schema (checked at load) and how to create it. Registered in sinks/registry.ts. */
export interface SinkDefinition<S extends SinkConfigSchema = SinkConfigSchema> {
  readonly type: z.output<S>['type'];
  readonly configSchema: S;
  create(config: z.output<S>, context: SinkContext): Promise<Sink>;
  /**
   * A capability: true when this config asks the sink to write inside the
   * input's transaction (exactly-once); its sink then has transactionalRecord().
   * Absent on sinks that cannot (a webhook cannot join a Kafka transaction).
   */
  writesInInputTransaction?(config: z.output<S>): boolean;
}

/** A sink's config schema: a strict object with a literal `type` and the common sink fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SinkConfigSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & Record<string, any>> & {
  _output: CommonSinkConfig;
};
