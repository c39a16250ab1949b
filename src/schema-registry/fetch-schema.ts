import { request } from 'undici';
import { AuditRouterError } from '../errors/index.js';
import { maskUrlCredentials } from '../observability/mask-url.js';

export interface RegistryConnection {
  /** Base of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Fetches a writer schema by id from a Confluent-compatible registry. It
 * speaks to the REST API itself (GET /schemas/ids/{id}) rather than through
 * @kafkajs/confluent-schema-registry because the decoder must tell "this id
 * does not exist" (dead-letter the event) from "the registry is down" (wait
 * and retry): the library reports both as a rejected request.
 */
export async function fetchSchemaById(registry: RegistryConnection, id: number, timeoutMs = 10_000): Promise<string> {
  const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
  if (registry.username) {
    headers.authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password ?? ''}`).toString('base64')}`;
  }
  let status: number;
  let body: string;
  try {
    const res = await request(`${registry.url.replace(/\/$/, '')}/schemas/ids/${id}`, {
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = res.statusCode;
    body = await res.body.text();
  } catch (err) {
    throw new AuditRouterError(
      'AR_ERR_REGISTRY_UNAVAILABLE',
      `schema registry unreachable: ${(err as { code?: string }).code ?? maskUrlCredentials((err as Error).message)}`,
      { cause: err },
    );
  }
  if (status === 404) {
    throw new AuditRouterError('AR_ERR_DECODE_UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`);
  }
  if (status >= 500 || status === 429 || status === 408) {
    throw new AuditRouterError('AR_ERR_REGISTRY_UNAVAILABLE', `schema registry answered ${status} for schema id ${id}`, { status });
  }
  if (status !== 200) {
    // 401/403: misconfiguration. Waiting lets the operator fix it without losing events.
    throw new AuditRouterError(
      'AR_ERR_REGISTRY_UNAVAILABLE',
      `schema registry answered ${status} for schema id ${id} (check schemaRegistry credentials)`,
      { status },
    );
  }
  const parsed = JSON.parse(body) as { schema?: string; schemaType?: string };
  if (parsed.schemaType && parsed.schemaType !== 'AVRO') {
    throw new AuditRouterError('AR_ERR_DECODE_AVRO', `schema id ${id} is ${parsed.schemaType}, not AVRO`);
  }
  if (typeof parsed.schema !== 'string')
    throw new AuditRouterError('AR_ERR_REGISTRY_UNAVAILABLE', `schema registry sent no schema for id ${id}`);
  return parsed.schema;
}
