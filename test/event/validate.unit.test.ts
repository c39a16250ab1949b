import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditRouterError } from '../../src/errors/index.js';
import { auditEventType, canonicalJson, parseJsonEvent, validateAuditEvent, withStableId } from '../../src/event/index.js';
import { referenceEvents } from '../helpers/events.js';

function rejects(value: unknown, path: string, pattern?: RegExp): void {
  assert.throws(
    () => validateAuditEvent(value),
    (err: unknown) => {
      assert.ok(err instanceof AuditRouterError);
      assert.equal(err.code, 'AR_ERR_DECODE_SCHEMA');
      assert.equal(err.path, path);
      assert.match(err.message, pattern ?? new RegExp(path.replace('.', '\\.')));
      return true;
    },
  );
}

describe('audit event validation', () => {
  for (const [name, event] of Object.entries(referenceEvents)) {
    it(`accepts the reference example ${name} unchanged`, () => {
      const before = structuredClone(event);
      const parsed = validateAuditEvent(event);
      assert.deepEqual(event, before, 'validation must not mutate its input');
      assert.equal(parsed.type, 'flag');
      assert.equal(parsed.status, 'success', 'status defaults to success (0.1 events lack it)');
      assert.deepEqual(parsed.payload, event.payload);
    });
  }

  const base = referenceEvents['flipt-0.2']!;

  it('rejects an event without type, naming the field', () => {
    const { type: _type, ...rest } = base;
    rejects(rest, 'type', /type: expected a string, got missing/);
  });

  it('rejects a timestamp that is not a string', () =>
    rejects({ ...base, timestamp: 42 }, 'timestamp', /timestamp: expected a string, got a number/));

  it('rejects metadata that is not an object', () => rejects({ ...base, metadata: 'root' }, 'metadata', /metadata: expected an object/));

  it('names nested paths: an actor value that is not a string', () =>
    rejects({ ...base, metadata: { actor: { ip: 7 } } }, 'metadata.actor.ip', /metadata\.actor\.ip: expected a string/));

  it('rejects unknown top-level fields, prototype keys included', () => {
    rejects({ ...base, extra: 1 }, 'extra', /has fields the schema does not declare; unknown field "extra"/);
    rejects(JSON.parse(JSON.stringify(base).replace('{', '{"__proto__":{"polluted":true},')), '__proto__', /unknown field "__proto__"/);
    // avsc skips it, and metadata is rebuilt from actor alone: without the check it would vanish unseen.
    rejects(
      JSON.parse(JSON.stringify(base).replace('"metadata":{', '"metadata":{"__proto__":{"polluted":true},')),
      'metadata.__proto__',
      /unknown field "metadata\.__proto__"/,
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects a timestamp that is not RFC 3339', () => rejects({ ...base, timestamp: 'yesterday' }, 'timestamp', /RFC 3339/));

  it('reports invalid JSON and invalid UTF-8 as AR_ERR_DECODE_JSON', () => {
    for (const bytes of [Buffer.from('{"version":'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
      assert.throws(
        () => parseJsonEvent(bytes),
        (err: AuditRouterError) => err.code === 'AR_ERR_DECODE_JSON',
      );
    }
  });

  it('round-trips any JSON payload losslessly through Avro', () => {
    const payload = { a: [1, 2.5, -3e-7, null, true, 'x"y\n'], nested: { deep: { k: {} } }, big: 9007199254740991, unicode: 'é✓𝄞' };
    const event = withStableId(validateAuditEvent({ ...base, payload }), { topic: 't', partition: 0, offset: '5' });
    // avsc hands back record class instances; validation turns them into plain objects.
    const decoded = validateAuditEvent(auditEventType.fromBuffer(auditEventType.toBuffer(event)));
    assert.deepEqual(decoded, event);
    assert.equal(canonicalJson(decoded), canonicalJson(event));
  });

  it('derives a stable id from the source coordinates when the event has none', () => {
    const event = validateAuditEvent(base);
    assert.equal(withStableId(event, { topic: 'audit', partition: 3, offset: '42' }).id, 'audit/3/42');
    assert.equal(withStableId({ ...event, id: 'own' }, { topic: 'audit', partition: 3, offset: '42' }).id, 'own');
  });

  it('refuses to serialise a payload nested deeper than the stack allows', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.throws(
      () => canonicalJson({ ...validateAuditEvent(base), payload: deep }),
      (err: AuditRouterError) => err.code === 'AR_ERR_DECODE_SCHEMA' && err.path === 'payload',
    );
  });
});
