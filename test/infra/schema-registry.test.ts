import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { auditEventSchema, auditEventSchemaText, logicalTypes } from '../../src/event/index.js';
import { referenceEvents } from '../helpers/events.js';
import { registryUrl } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';

const plainJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

function withExtraField(field: Record<string, unknown>): string {
  const schema = auditEventSchema as unknown as { fields: unknown[] };
  return JSON.stringify({ ...schema, fields: [...schema.fields, field] });
}

test('the registry stores the audit event schema, and Avro round-trips the reference event', async () => {
  const config = (await (await fetch(`${registryUrl()}/config`)).json()) as { compatibilityLevel: string };
  assert.equal(config.compatibilityLevel, 'BACKWARD');

  const registry = new SchemaRegistry({ host: registryUrl() }, { [SchemaType.AVRO]: { logicalTypes } });
  const subject = uniqueName('infra-audit-event');
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: auditEventSchemaText }, { subject });
  assert.ok(Number.isInteger(id) && id > 0, `schema id ${id}`);

  // The registry keeps the schema as written, `json` logical type included.
  const stored = (await (await fetch(`${registryUrl()}/schemas/ids/${id}`)).json()) as { schema: string };
  assert.deepEqual(JSON.parse(stored.schema), auditEventSchema);

  const event = { ...referenceEvents['flipt-0.2']!, id: null };
  const frame = await registry.encode(id, event);
  assert.equal(frame[0], 0);
  assert.equal(frame.readUInt32BE(1), id);
  // A client without the cached schema fetches it by id, as any consumer would.
  const reader = new SchemaRegistry({ host: registryUrl() }, { [SchemaType.AVRO]: { logicalTypes } });
  assert.deepEqual(plainJson(await reader.decode(frame)), plainJson(event));

  // BACKWARD: a new required field without a default cannot read old data, so it is refused.
  const incompatible = withExtraField({ name: 'tenant', type: 'string' });
  await assert.rejects(
    registry.register({ type: SchemaType.AVRO, schema: incompatible }, { subject }),
    (err: unknown) => (err as { status?: number }).status === 409,
  );
  // An optional field with a default can: accepted as version 2 with a new id.
  const compatible = withExtraField({ name: 'tenant', type: ['null', 'string'], default: null });
  const second = await registry.register({ type: SchemaType.AVRO, schema: compatible }, { subject });
  assert.notEqual(second.id, id);
  const versions = (await (await fetch(`${registryUrl()}/subjects/${subject}/versions`)).json()) as number[];
  assert.deepEqual(versions, [1, 2]);
});
