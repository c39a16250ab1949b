import avro from 'avsc';
import { AuditRouterError } from '../errors/index.js';
import { auditEventType, validateAuditEvent, type AuditEvent } from '../event/index.js';
import { CONFLUENT_HEADER_BYTES, fetchSchemaById, type RegistryConnection } from '../schema-registry/index.js';

type Resolver = ReturnType<avro.Type['createResolver']>;

/** How long a permanent answer about a schema id is believed; see `refusals`. */
export const SCHEMA_REFUSAL_TTL_MS = 60_000;

/**
 * Decodes Confluent-framed Avro into an AuditEvent: the writer schema comes
 * from the registry by id, and is resolved to schemas/audit-event.avsc (the
 * reader), so any backward-compatible writer version yields our shape.
 * Resolvers are cached per id, and concurrent misses for one id share one fetch.
 */
export class AvroDecoder {
  private readonly resolvers = new Map<number, Resolver>();
  /**
   * Permanent answers (unknown id, unreadable schema), remembered for a while so
   * a stream of bad frames costs one lookup per id, not one per message, but
   * not for ever: a registry restored from backup, or an in-memory one that
   * restarted and is being re-filled, can know the id again later.
   */
  private readonly refusals = new Map<number, { error: AuditRouterError; until: number }>();
  private readonly inFlight = new Map<number, Promise<Resolver>>();

  constructor(
    private readonly registry: RegistryConnection | undefined,
    /** The clock refusals expire by (a test moves it instead of waiting a minute). */
    private readonly now: () => number = Date.now,
  ) {}

  /** Synchronous when the id's resolver is cached; a promise only on the first sight of an id. */
  decode(frame: Buffer): AuditEvent | Promise<AuditEvent> {
    const id = frame.readUInt32BE(1);
    const cached = this.resolvers.get(id);
    if (cached) return this.read(frame, id, cached);
    const refused = this.refusals.get(id);
    if (refused && refused.until > this.now()) throw refused.error;
    return this.resolver(id).then((resolver) => this.read(frame, id, resolver));
  }

  private resolver(id: number): Promise<Resolver> {
    if (!this.registry) {
      return Promise.reject(
        new AuditRouterError('AR_ERR_DECODE_FORMAT', 'Confluent-framed Avro message, but no schemaRegistry is configured'),
      );
    }
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  private async load(id: number): Promise<Resolver> {
    try {
      const schema = await fetchSchemaById(this.registry!, id);
      let resolver: Resolver;
      try {
        // The writer schema is read without logical types: only the reader's (ours) apply.
        resolver = auditEventType.createResolver(avro.Type.forSchema(JSON.parse(schema)));
      } catch (err) {
        throw new AuditRouterError('AR_ERR_DECODE_AVRO', `schema id ${id} cannot be read as an audit event: ${(err as Error).message}`);
      }
      this.resolvers.set(id, resolver);
      this.refusals.delete(id);
      return resolver;
    } catch (err) {
      // Permanent answers are remembered; an outage is not, so the next message asks again.
      if (err instanceof AuditRouterError && !err.retriable)
        this.refusals.set(id, { error: err, until: this.now() + SCHEMA_REFUSAL_TTL_MS });
      throw err;
    }
  }

  private read(frame: Buffer, id: number, resolver: Resolver): AuditEvent {
    let value: unknown;
    try {
      value = auditEventType.fromBuffer(frame.subarray(CONFLUENT_HEADER_BYTES), resolver);
    } catch (err) {
      throw new AuditRouterError('AR_ERR_DECODE_AVRO', `Avro body does not decode with schema id ${id}: ${(err as Error).message}`);
    }
    return validateAuditEvent(value);
  }
}
