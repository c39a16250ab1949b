import type { KafkaConfig } from '../config/index.js';
import { AuditRouterError } from '../errors/index.js';
import { canonicalJson, entityKey, validateAuditEvent, type AuditEvent } from '../event/index.js';
import { createKafkaEngine, describeKafkaError, type OutgoingRecord, type RecordWriter } from '../kafka/index.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { encodeAvroFrame, registerAuditEventSchema } from '../schema-registry/index.js';

/** A message key: a fixed one, none (null), or one computed per event. */
export type EventKey = string | null | ((event: AuditEvent) => string | null);

export interface AuditPublisherOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  /** `true` for the system CAs, or PEM file paths (as in the router's kafka.ssl). */
  ssl?: boolean | { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  sasl?: KafkaConfig['sasl'];
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** The Kafka client, as the router's kafka.engine (unset: AR_KAFKA_ENGINE, else auto). */
  engine?: KafkaConfig['engine'];
  /** Write Confluent-framed Avro instead of JSON, registering schemas/audit-event.avsc under `<topic>-value`. */
  avro?: { registryUrl: string; username?: string; password?: string };
  logger?: Logger;
}

export interface PublishOptions {
  /** Overrides the default key, `<payload.namespace_key>/<type>/<payload.key>`. */
  key?: EventKey;
}

export interface AuditPublisher {
  /** Validates every event first: if one is invalid, none is sent (AR_ERR_DECODE_SCHEMA naming the field). */
  publish(events: AuditEvent | AuditEvent[], options?: PublishOptions): Promise<void>;
  close(): Promise<void>;
}

/** Keeps one send() request well under the broker's default 1 MB limit for typical events. */
const MESSAGES_PER_SEND = 1000;

/**
 * Kafka orders per key, so keying by entity keeps every change to one flag in
 * order whatever the partition count; events that name no entity are spread.
 * The same key the topic sink writes, so both producers order alike.
 */
function defaultEventKey(event: AuditEvent): string | null {
  return entityKey(event.type, event.payload) ?? null;
}

function kafkaConfig(options: AuditPublisherOptions): KafkaConfig {
  const { ssl, sasl } = options;
  return {
    brokers: options.brokers,
    clientId: options.clientId ?? 'audit-publisher',
    ssl: typeof ssl === 'object' ? { ...ssl, rejectUnauthorized: ssl.rejectUnauthorized ?? true } : ssl,
    sasl,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 3_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    engine: options.engine,
  };
}

function validated(events: AuditEvent[], isBatch: boolean): AuditEvent[] {
  return events.map((event, i) => {
    try {
      return validateAuditEvent(event);
    } catch (err) {
      if (!isBatch || !(err instanceof AuditRouterError)) throw err;
      throw new AuditRouterError(err.code, `events[${i}]: ${err.message}`, { path: err.path, cause: err });
    }
  });
}

function encode(event: AuditEvent, schemaId: number | undefined): Buffer | string {
  if (schemaId === undefined) return canonicalJson(event);
  try {
    return encodeAvroFrame(schemaId, event);
  } catch (err) {
    // Validation accepts any defined payload; one that is not JSON (a BigInt, a cycle) fails here.
    throw new AuditRouterError('AR_ERR_DECODE_SCHEMA', `payload: cannot be Avro-encoded (${(err as Error).message})`, {
      path: 'payload',
      cause: err,
    });
  }
}

/**
 * A producer of audit events for applications and tools: what it sends is
 * exactly what the router accepts. It connects (and registers the Avro schema)
 * on the first publish, so creating one never fails.
 */
export function createAuditPublisher(options: AuditPublisherOptions): AuditPublisher {
  const config = kafkaConfig(options);
  const { topic, avro } = options;
  let ready: Promise<{ writer: RecordWriter; schemaId: number | undefined }> | undefined;
  let closed = false;

  const connect = async () => {
    // Registered before connecting: no connection to undo when the registry refuses.
    const schemaId = avro
      ? await registerAuditEventSchema({ url: avro.registryUrl, username: avro.username, password: avro.password }, `${topic}-value`)
      : undefined;
    const engine = await createKafkaEngine(config, options.logger ?? silentLogger());
    // Idempotent: a retried request cannot duplicate or reorder events within a partition.
    const writer = engine.recordWriter({ clientIdSuffix: 'publisher' });
    try {
      await writer.connect();
    } catch (err) {
      await writer.close().catch(() => undefined);
      throw describeKafkaError(err, config);
    }
    return { writer, schemaId };
  };

  return {
    async publish(events, publishOptions = {}) {
      if (closed) throw new AuditRouterError('AR_ERR_PUBLISHER_CLOSED', `publish() after close() (topic ${topic})`);
      const isBatch = Array.isArray(events);
      const list = validated(isBatch ? events : [events], isBatch);
      if (list.length === 0) return;
      const connecting = (ready ??= connect());
      // A failed connect is not remembered: the next publish tries again.
      connecting.catch(() => {
        if (ready === connecting) ready = undefined;
      });
      const { writer, schemaId } = await connecting;
      const key = publishOptions.key === undefined ? defaultEventKey : publishOptions.key;
      const records: OutgoingRecord[] = list.map((event) => ({
        key: typeof key === 'function' ? key(event) : key,
        value: encode(event, schemaId),
      }));
      try {
        for (let i = 0; i < records.length; i += MESSAGES_PER_SEND) {
          await writer.send([{ topic, records: records.slice(i, i + MESSAGES_PER_SEND) }]);
        }
      } catch (err) {
        throw describeKafkaError(err, config);
      }
    },

    async close() {
      closed = true;
      const connecting = ready;
      ready = undefined;
      const connection = await connecting?.catch(() => undefined);
      await connection?.writer.close();
    },
  };
}
