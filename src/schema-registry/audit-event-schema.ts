import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AuditRouterError } from '../errors/index.js';
import { auditEventSchemaText, auditEventType, type AuditEvent } from '../event/index.js';
import { maskUrlCredentials } from '../observability/mask-url.js';
import type { RegistryConnection } from './fetch-schema.js';

const AVRO_SCHEMA = { type: SchemaType.AVRO, schema: auditEventSchemaText } as const;

function registryError(err: unknown, url: string, subject: string): AuditRouterError {
  const status = (err as { status?: unknown }).status;
  // The library prefixes every message, a refused connection's included, with a status: it says nothing true.
  const reason = maskUrlCredentials(err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)).replace(
    /^Confluent_Schema_Registry - Error, status \d+: /,
    '',
  );
  if (status === 409 || status === 422 || (err as { name?: unknown }).name === 'ConfluentSchemaRegistryCompatibilityError') {
    // The subject holds a schema ours is incompatible with: no retry fixes that, the operator must.
    return new AuditRouterError(
      'AR_ERR_REGISTRY_REJECTED',
      `schema registry refused schemas/audit-event.avsc under subject ${subject}: ${reason}`,
      {
        cause: err,
        ...(typeof status === 'number' ? { status } : {}),
      },
    );
  }
  return new AuditRouterError(
    'AR_ERR_REGISTRY_UNAVAILABLE',
    `cannot register the audit event schema at ${maskUrlCredentials(url)} (subject ${subject}): ${reason}`,
    {
      cause: err,
      ...(typeof status === 'number' ? { status } : {}),
    },
  );
}

/**
 * The id of schemas/audit-event.avsc under `subject`. It looks the schema up
 * first and registers it only when the subject lacks it, so a registry where
 * schemas are pre-registered and writes are forbidden works too (and the
 * library's register() would refuse subjects whose compatibility is not BACKWARD).
 */
export async function registerAuditEventSchema(connection: RegistryConnection, subject: string): Promise<number> {
  const { url, username, password } = connection;
  const registry = new SchemaRegistry({ host: url, ...(username ? { auth: { username, password: password ?? '' } } : {}) });
  try {
    return await registry.getRegistryIdBySchema(subject, AVRO_SCHEMA);
  } catch (err) {
    // Not registered (the library turns 404 into a status-less error); anything else is a real failure.
    if (typeof (err as { status?: unknown }).status === 'number') throw registryError(err, url, subject);
  }
  try {
    const { id } = await registry.register(AVRO_SCHEMA, { subject });
    return id;
  } catch (err) {
    throw registryError(err, url, subject);
  }
}

/**
 * Confluent wire format: magic byte 0, the schema id as 4 bytes big-endian,
 * then the Avro binary body. Any Confluent-compatible consumer can read it.
 */
export function encodeAvroFrame(schemaId: number, event: AuditEvent): Buffer {
  const body = auditEventType.toBuffer(event);
  const frame = Buffer.allocUnsafe(CONFLUENT_HEADER_BYTES + body.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(schemaId, 1);
  body.copy(frame, CONFLUENT_HEADER_BYTES);
  return frame;
}

/** Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro body. */
export const CONFLUENT_HEADER_BYTES = 5;

export function isConfluentFrame(value: Buffer): boolean {
  return value.length >= CONFLUENT_HEADER_BYTES && value[0] === 0;
}
