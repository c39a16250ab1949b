import { AuditRouterError, toAuditRouterError } from '../errors/index.js';
import { parseJsonEvent, type AuditEvent } from '../event/index.js';
import { isConfluentFrame } from '../schema-registry/index.js';
import { AvroDecoder } from './avro-decoder.js';
import type { RegistryConnection } from '../schema-registry/index.js';

type InputFormat = 'auto' | 'json' | 'avro';

export type Decoded = { ok: true; event: AuditEvent; format: 'json' | 'avro' } | { ok: false; error: AuditRouterError };

/**
 * Message bytes → validated AuditEvent, or the reason it is not one.
 * `auto` tells the formats apart by the first byte: a Confluent frame starts
 * with 0x00, which no JSON text can. Returns synchronously except while an
 * Avro schema id is fetched for the first time; never throws, and that
 * promise rejects only for a retriable registry outage (the caller waits and
 * tries the same message again).
 */
export class Decoder {
  private readonly avro: AvroDecoder;

  constructor(
    private readonly format: InputFormat,
    private readonly maxMessageBytes: number,
    registry: RegistryConnection | undefined,
  ) {
    this.avro = new AvroDecoder(registry);
  }

  decode(value: Buffer | null): Decoded | Promise<Decoded> {
    if (value === null || value.length === 0) {
      return fail(new AuditRouterError('AR_ERR_DECODE_EMPTY', 'message has no value'));
    }
    if (value.length > this.maxMessageBytes) {
      return fail(
        new AuditRouterError(
          'AR_ERR_DECODE_TOO_LARGE',
          `message is ${value.length} bytes, more than source.maxMessageBytes (${this.maxMessageBytes})`,
        ),
      );
    }
    const framed = isConfluentFrame(value);
    if (this.format === 'json' && framed)
      return fail(new AuditRouterError('AR_ERR_DECODE_FORMAT', 'Confluent-framed Avro on a source with format json'));
    if (this.format === 'avro' && !framed)
      return fail(new AuditRouterError('AR_ERR_DECODE_FORMAT', 'not a Confluent Avro frame (magic byte 0) on a source with format avro'));
    if (!framed) {
      try {
        return { ok: true, event: parseJsonEvent(value), format: 'json' };
      } catch (err) {
        return fail(err);
      }
    }
    try {
      const event = this.avro.decode(value);
      if (!(event instanceof Promise)) return { ok: true, event, format: 'avro' };
      return event.then((e) => ({ ok: true as const, event: e, format: 'avro' as const }), failOrThrow);
    } catch (err) {
      // Thrown synchronously: a remembered refusal or a body that does not decode, never an outage.
      return fail(err);
    }
  }
}

function fail(err: unknown): Decoded {
  return { ok: false, error: toAuditRouterError(err) };
}

function failOrThrow(err: unknown): Decoded {
  if (err instanceof AuditRouterError && err.retriable) throw err;
  return fail(err);
}
