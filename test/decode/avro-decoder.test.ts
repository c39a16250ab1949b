import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AvroDecoder, SCHEMA_REFUSAL_TTL_MS } from '../../src/decode/avro-decoder.js';
import { AuditRouterError } from '../../src/errors/index.js';
import { auditEventSchema } from '../../src/event/index.js';
import { encodeAvroFrame } from '../../src/schema-registry/index.js';
import { makeEvent } from '../helpers/events.js';
import { registryUrl } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';

/** The audit schema with a unique doc: new content, so the registry gives it a new id. */
const freshSchema = () => JSON.stringify({ ...(auditEventSchema as object), doc: `refusal test ${uniqueName('doc')}` });

function unknownSchema(err: unknown): boolean {
  return err instanceof AuditRouterError && err.code === 'AR_ERR_DECODE_UNKNOWN_SCHEMA';
}

test('an unknown schema id is refused without asking again for a minute, then asked again and decoded once the registry knows it', async () => {
  const registry = new SchemaRegistry({ host: registryUrl() });
  const event = makeEvent({ id: 'refused-then-known' });
  let clock = Date.now();
  // The registry numbers new schemas in sequence: the id after a fresh registration is the next one it gives.
  // Another test may register in between and take it: then try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const { id: probe } = await registry.register(
      { type: SchemaType.AVRO, schema: freshSchema() },
      { subject: uniqueName('refusal-probe') },
    );
    const frame = encodeAvroFrame(probe + 1, event);
    const decoder = new AvroDecoder({ url: registryUrl() }, () => clock);
    const first: unknown = await Promise.resolve()
      .then(() => decoder.decode(frame))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    if (!unknownSchema(first)) continue; // another test's registration took the id first

    const { id } = await registry.register({ type: SchemaType.AVRO, schema: freshSchema() }, { subject: uniqueName('refusal') });
    if (id !== probe + 1) continue;
    // The registry knows the id now, but the refusal stands until it expires: thrown at once, no lookup.
    clock += SCHEMA_REFUSAL_TTL_MS - 1;
    assert.throws(() => decoder.decode(frame), unknownSchema);
    clock += 1;
    const decoded = await decoder.decode(frame);
    assert.equal(decoded.id, 'refused-then-known');
    assert.deepEqual(decoded.payload, event.payload);
    return;
  }
  assert.fail('other registrations took the next id five times in a row');
});
