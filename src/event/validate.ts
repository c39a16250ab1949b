import { AuditRouterError } from '../errors/index.js';
import type avro from 'avsc';
import { validationType } from './schema.js';
import type { AuditEvent } from './types.js';

const TOP_LEVEL_FIELDS = new Set(['id', 'version', 'type', 'action', 'status', 'metadata', 'payload', 'timestamp']);
// RFC 3339 date-time: full date, 'T' (or space/lowercase, which RFC 3339 allows), time, optional fraction, Z or offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${value.length} chars)`;
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

function expected(type: { typeName: string; branchName?: string; types?: { typeName: string }[] }): string {
  if (type.typeName === 'record') return 'an object';
  if (type.typeName === 'map') return 'an object of strings';
  if (type.typeName === 'union:unwrapped' || type.typeName === 'union:wrapped') return 'a string or null';
  if (type.typeName === 'logical:json') return 'any JSON value';
  return `a ${type.typeName}`;
}

function schemaError(path: string, message: string): AuditRouterError {
  return new AuditRouterError('AR_ERR_DECODE_SCHEMA', `${path || '(event)'}: ${message}`, { path });
}

/**
 * Checks a parsed value against schemas/audit-event.avsc and returns the
 * event with defaults applied (status "success", id null). Throws
 * AR_ERR_DECODE_SCHEMA naming every wrong field by its dotted path.
 */
export function validateAuditEvent(value: unknown): AuditEvent {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw schemaError('', `expected an object, got ${describe(value)}`);
  }
  const problems: string[] = [];
  let firstPath: string | undefined;
  validationType.isValid(value, {
    noUndeclaredFields: true,
    errorHook(path: string[], any: unknown, avroType: avro.Type) {
      const type = avroType as unknown as Parameters<typeof expected>[0];
      const where = path.join('.');
      firstPath ??= where;
      const isRecord = type.typeName === 'record';
      if (isRecord && any !== null && typeof any === 'object' && !Array.isArray(any)) {
        problems.push(`${where || '(event)'}: has fields the schema does not declare`);
      } else {
        problems.push(`${where}: expected ${expected(type)}, got ${describe(any)}`);
      }
    },
  });
  // avsc skips inherited-looking own keys such as "__proto__"; an audit trail should not carry them either,
  // nor drop them silently (metadata is rebuilt below, so one there would vanish unseen).
  const metadata = (value as { metadata?: unknown }).metadata;
  const metadataKeys = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? Object.keys(metadata) : [];
  const unknown = [
    ...Object.keys(value).filter((k) => !TOP_LEVEL_FIELDS.has(k)),
    ...metadataKeys.filter((k) => k !== 'actor').map((k) => `metadata.${k}`),
  ];
  if (unknown.length > 0) {
    // avsc names only the record ('' or 'metadata'); the header is more use naming the field itself.
    const record = firstPath;
    firstPath = unknown.find((k) => !record || k.startsWith(`${record}.`)) ?? firstPath;
    problems.push(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  const event = value as Partial<AuditEvent>;
  if (problems.length === 0 && !RFC3339.test(event.timestamp as string)) {
    firstPath = 'timestamp';
    problems.push(
      `timestamp: expected an RFC 3339 date-time (e.g. 1970-01-01T00:00:00Z), got ${JSON.stringify(String(event.timestamp).slice(0, 40))}`,
    );
  }
  if (problems.length > 0) {
    throw new AuditRouterError('AR_ERR_DECODE_SCHEMA', problems.join('; '), { path: firstPath ?? '' });
  }
  return {
    id: event.id ?? null,
    version: event.version!,
    type: event.type!,
    action: event.action!,
    status: event.status ?? 'success',
    metadata: { actor: event.metadata?.actor ?? {} },
    payload: event.payload === undefined ? null : event.payload,
    timestamp: event.timestamp!,
  };
}

/** UTF-8 JSON bytes → validated event. Invalid UTF-8 is an error, not U+FFFD. */
export function parseJsonEvent(bytes: Uint8Array | string): AuditEvent {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : utf8.decode(bytes));
  } catch (err) {
    const reason = err instanceof TypeError ? 'not valid UTF-8' : (err as Error).message;
    throw new AuditRouterError('AR_ERR_DECODE_JSON', `not a JSON document: ${reason}`);
  }
  return validateAuditEvent(value);
}
