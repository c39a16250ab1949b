import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Message, Producer } from 'kafkajs';
import type { KafkaConfig } from '../config/index.js';
import { AuditRouterError } from '../errors/index.js';
import { auditEventSchemaText, auditEventType, canonicalJson, validateAuditEvent, type AuditEvent } from '../event/index.js';
import { createKafka, describeKafkaError } from '../kafka/index.js';
import { silentLogger, type Logger } from '../observability/logger.js';

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

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Kafka orders per key, so keying by entity keeps every change to one flag in
 * order whatever the partition count; events that name no entity are spread.
 */
export function defaultEventKey(event: AuditEvent): string | null {
  const payload = event.payload as Record<string, unknown> | null;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  return nonEmpty(payload.namespace_key) && nonEmpty(payload.key) ? `${payload.namespace_key}/${event.type}/${payload.key}` : null;
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
  };
}

async function registerSchema(avro: NonNullable<AuditPublisherOptions['avro']>, subject: string): Promise<number> {
  const auth = avro.username ? { username: avro.username, password: avro.password ?? '' } : undefined;
  const registry = new SchemaRegistry({ host: avro.registryUrl, ...(auth ? { auth } : {}) });
  try {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: auditEventSchemaText }, { subject });
    return id;
  } catch (err) {
    // The library reports a refused connection as "status 400" too: the prefix says nothing true.
    const reason = (err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)).replace(/^Confluent_Schema_Registry - Error, status \d+: /, '');
    const status = (err as { status?: unknown }).status;
    const incompatible = status === 409 || status === 422 || (err as { name?: unknown }).name === 'ConfluentSchemaRegistryCompatibilityError';
    const message = `cannot register schemas/audit-event.avsc under ${subject} at ${avro.registryUrl}: ${reason}`;
    throw new AuditRouterError(incompatible ? 'AR_ERR_REGISTRY_REJECTED' : 'AR_ERR_REGISTRY_UNAVAILABLE', message, { cause: err });
  }
}

/** Confluent wire format: magic byte 0, the schema id (4 bytes big-endian), the Avro body. */
function avroFrame(schemaId: number, event: AuditEvent): Buffer {
  const body = auditEventType.toBuffer(event);
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(schemaId, 1);
  body.copy(frame, 5);
  return frame;
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
    return avroFrame(schemaId, event);
  } catch (err) {
    // Validation accepts any defined payload; one that is not JSON (a BigInt, a cycle) fails here.
    throw new AuditRouterError('AR_ERR_DECODE_SCHEMA', `payload: cannot be Avro-encoded (${(err as Error).message})`, { path: 'payload', cause: err });
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
  let ready: Promise<{ producer: Producer; schemaId: number | undefined }> | undefined;
  let closed = false;

  const connect = async () => {
    // Registered before connecting: no connection to undo when the registry refuses.
    const schemaId = avro ? await registerSchema(avro, `${topic}-value`) : undefined;
    // Idempotent: a retried request cannot duplicate or reorder events within a partition.
    const producer = createKafka(config, options.logger ?? silentLogger(), 'publisher').producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw describeKafkaError(err, config);
    }
    return { producer, schemaId };
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
      const { producer, schemaId } = await connecting;
      const key = publishOptions.key === undefined ? defaultEventKey : publishOptions.key;
      const messages: Message[] = list.map((event) => ({ key: typeof key === 'function' ? key(event) : key, value: encode(event, schemaId) }));
      try {
        for (let i = 0; i < messages.length; i += MESSAGES_PER_SEND) {
          await producer.send({ topic, acks: -1, messages: messages.slice(i, i + MESSAGES_PER_SEND) });
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
      await connection?.producer.disconnect();
    },
  };
}
