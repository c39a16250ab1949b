import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { packageRoot } from './package-root.js';

/**
 * `payload` is a string holding JSON text on the wire (see its `doc` in the
 * schema); this logical type makes it the parsed JSON value in memory, so
 * Avro and JSON input produce the same AuditEvent.
 */
class JsonLogicalType extends avro.types.LogicalType {
  override _fromValue(text: string): unknown {
    return JSON.parse(text);
  }

  /**
   * Reading another writer's schema: its payload is a plain string of JSON
   * text (writers' logical types are not applied when we read), so parse it.
   */
  override _resolve(writer: avro.Type): ((text: string) => unknown) | undefined {
    if (avro.Type.isType(writer, 'string')) return (text) => this._fromValue(text);
    return undefined;
  }

  override _toValue(value: unknown): string | undefined {
    try {
      return JSON.stringify(value);
    } catch {
      return undefined; // cyclic or BigInt: not a JSON value, so not valid
    }
  }
}

/**
 * For validation only: any defined value is a valid payload. JSON input was
 * parsed by JSON.parse, so it is a JSON value already, and re-serialising every
 * payload just to check it would cost more than the rest of validation.
 */
class AnyJsonForValidation extends avro.types.LogicalType {
  override _fromValue(text: string): unknown {
    return text;
  }

  override _toValue(value: unknown): string | undefined {
    return value === undefined ? undefined : '';
  }
}

const AUDIT_EVENT_SCHEMA_PATH = join(packageRoot(), 'schemas', 'audit-event.avsc');

/** The schema text as shipped, for registering with a schema registry. */
export const auditEventSchemaText: string = readFileSync(AUDIT_EVENT_SCHEMA_PATH, 'utf8');
export const auditEventSchema: avro.Schema = JSON.parse(auditEventSchemaText);

/** Logical types audit-router understands when it reads any writer's schema. */
export const logicalTypes = { json: JsonLogicalType };

/** Encodes and decodes the Avro form; `payload` is a JSON value in memory. */
export const auditEventType: avro.Type = avro.Type.forSchema(auditEventSchema, { logicalTypes });

export const validationType: avro.Type = avro.Type.forSchema(auditEventSchema, {
  logicalTypes: { json: AnyJsonForValidation },
});
