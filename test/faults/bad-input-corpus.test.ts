import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { validateConfig } from '../../src/config/index.js';
import { DLQ_HEADERS } from '../../src/deadletter/headers.js';
import { auditEventSchemaText, logicalTypes } from '../../src/event/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvent } from '../helpers/events.js';
import { createTopic, deleteTopics, readTopic, registryUrl, testKafka, type ReadMessage } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { countBy, logIds, peakRssMb, seededRandom } from './support.js';

const PARTITIONS = 4;
const MIB = 1024 * 1024;
// The router alone peaks at 183-211 MB on Node 20 and 305-336 MB on Node 24, whose V8 sizes the young
// generation larger (~235 MB there with --max-semi-space-size=16); so a bound per Node line, with ~40% room.
// It catches gross growth (a buffer or copy per message that is never let go: the corpus is ~20 MB, the
// fetches that carry it far more), not a small leak.
const ROUTER_PEAK_RSS_MB = Number(process.versions.node.split('.')[0]) >= 22 ? 450 : 300;
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Bad {
  value: Buffer | null;
  code: string;
  path?: string;
}

/** What the router must make of random bytes: the same judgement, made independently. */
function oracle(bytes: Buffer): string {
  try {
    JSON.parse(utf8.decode(bytes));
  } catch {
    return 'AR_ERR_DECODE_JSON';
  }
  return 'AR_ERR_DECODE_SCHEMA'; // a JSON value, but random bytes are never an audit event
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
/** A valid event's JSON with `insert` spliced in right after `anchor` (text surgery, to keep duplicate and odd keys). */
const splice = (anchor: string, insert: string, id: string) => {
  const text = JSON.stringify(makeEvent({ id }));
  const at = text.indexOf(anchor) + anchor.length;
  return Buffer.from(text.slice(0, at) + insert + text.slice(at));
};

type Message = { key: string; value: Buffer | null; expect: Bad | undefined };

/** Bad messages with keys named like prototypes where the schema allows no such key: each parked at that path. */
function prototypeKeyBad(count: number): Bad[] {
  return Array.from({ length: count }, (_, i): Bad => {
    const id = `proto-${i}`;
    switch (i % 4) {
      case 0:
        return { value: splice('{', '"__proto__":{"polluted":"yes"},', id), code: 'AR_ERR_DECODE_SCHEMA', path: '__proto__' };
      case 1:
        return {
          value: splice('{', '"constructor":{"prototype":{"polluted":"yes"}},', id),
          code: 'AR_ERR_DECODE_SCHEMA',
          path: 'constructor',
        };
      case 2:
        return {
          value: splice('"actor":{', '"__proto__":{"polluted":"yes"},', id),
          code: 'AR_ERR_DECODE_SCHEMA',
          path: 'metadata.actor.__proto__',
        };
      default:
        return {
          value: splice('"metadata":{', '"__proto__":{"polluted":"yes"},', id),
          code: 'AR_ERR_DECODE_SCHEMA',
          path: 'metadata.__proto__',
        };
    }
  });
}

/** Valid events with the same keys where any key is allowed (payload, actor): `count` of each kind. */
function prototypeKeyGood(count: number): { id: string; value: Buffer }[] {
  const inPayload = Array.from({ length: count }, (_, i) => `good-proto-${i}`).map((id) => ({
    id,
    value: splice('"payload":{', '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},', id),
  }));
  const inActor = Array.from({ length: count }, (_, i) => `good-actor-${i}`).map((id) => ({
    id,
    value: splice('"actor":{', '"__proto__":"str","constructor":"c",', id),
  }));
  return [...inPayload, ...inActor];
}

/** Each message keyed, and each bad key with what it must be parked with. */
function keyed(bad: readonly Bad[], good: readonly { id: string; value: Buffer }[]): Message[] {
  return [
    ...bad.map((b, i) => ({ key: `bad-${i}`, value: b.value, expect: b })),
    ...good.map((g) => ({ key: `good:${g.id}`, value: g.value, expect: undefined })),
  ];
}

/** The corpus: 10,000+ hostile messages and 2,000+ good ones, shuffled with a seed the test prints. */
async function buildCorpus(): Promise<{ bad: Bad[]; good: { id: string; value: Buffer }[]; messages: Message[] }> {
  const { random, int } = seededRandom('bad input corpus');
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));
  const registry = new SchemaRegistry({ host: registryUrl() }, { [SchemaType.AVRO]: { logicalTypes } });
  const { id: schemaId } = await registry.register(
    { type: SchemaType.AVRO, schema: auditEventSchemaText },
    { subject: uniqueName('fault-corpus-value') },
  );
  const validFrame = async (id: string) => registry.encode(schemaId, makeEvent({ id }));

  const bad: Bad[] = [];
  const good: { id: string; value: Buffer }[] = [];
  const addGood = (id: string, value: Buffer = json(makeEvent({ id, key: id }))) => good.push({ id, value });
  const add = (count: number, make: (i: number) => Bad | Promise<Bad>) =>
    Promise.all(Array.from({ length: count }, (_, i) => make(i))).then((made) => bad.push(...made));

  await add(2_000, () => {
    const value = bytes(int(1, 300));
    if (value[0] === 0) value[0] = 0x7b; // 0x00 would make it an Avro frame: that case has its own messages
    return { value, code: oracle(value) };
  });
  await add(2_000, (i) => {
    const text = JSON.stringify(makeEvent({ id: `cut-${i}` }));
    return { value: Buffer.from(text.slice(0, int(1, text.length - 1))), code: 'AR_ERR_DECODE_JSON' };
  });
  const stringFields = ['id', 'version', 'type', 'action', 'status', 'timestamp'] as const;
  await add(1_500, (i) => {
    const field = stringFields[i % stringFields.length]!;
    if (i % 7 === 6)
      return {
        value: json({ ...makeEvent({ id: `num-${i}` }), metadata: { actor: { ip: int(0, 1e9) } } }),
        code: 'AR_ERR_DECODE_SCHEMA',
        path: 'metadata.actor.ip',
      };
    return { value: json({ ...makeEvent({ id: `num-${i}` }), [field]: random() * 1e6 }), code: 'AR_ERR_DECODE_SCHEMA', path: field };
  });
  await add(1_500, (i) =>
    i % 2 === 0
      ? { value: json({ ...makeEvent({ id: `unknown-${i}` }), [`extra_${i}`]: true }), code: 'AR_ERR_DECODE_SCHEMA', path: `extra_${i}` }
      : {
          value: json({ ...makeEvent({ id: `unknown-${i}` }), metadata: { actor: {}, [`extra_${i}`]: 'x' } }),
          code: 'AR_ERR_DECODE_SCHEMA',
          path: `metadata.extra_${i}`,
        },
  );
  await add(1_000, (i) => {
    const value = json(makeEvent({ id: `utf8-${i}`, key: 'AAAA' }));
    const at = value.indexOf('AAAA');
    const invalid = [[0xff], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]][i % 5]!;
    return {
      value: Buffer.concat([value.subarray(0, at), Buffer.from(invalid), value.subarray(at + invalid.length)]),
      code: 'AR_ERR_DECODE_JSON',
    };
  });
  await add(1_000, (i) => {
    // A raw NUL inside a JSON string is a control character JSON forbids; one outside is not JSON either.
    const value = json(makeEvent({ id: `nul-${i}`, key: 'AAAA' }));
    value[i % 2 === 0 ? value.indexOf('AAAA') : value.length - 1] = 0;
    return { value, code: 'AR_ERR_DECODE_JSON' };
  });
  bad.push(...prototypeKeyBad(1_000));
  // Avro: ids the registry never issued, and real frames with corrupt bodies.
  await add(200, (i) => {
    const frame = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), bytes(int(0, 100))]);
    frame.writeUInt32BE(0x7ff00000 + (i % 20), 1);
    return { value: frame, code: 'AR_ERR_DECODE_UNKNOWN_SCHEMA' };
  });
  await add(500, async (i) => {
    const frame = await validFrame(`avro-bad-${i}`);
    const value = i % 2 === 0 ? frame.subarray(0, int(5, frame.length - 1)) : Buffer.concat([frame, bytes(int(1, 20))]);
    return { value, code: 'AR_ERR_DECODE_AVRO' };
  });
  // A few large ones: deep nesting, huge strings, a 5 MB message, empty values.
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  await add(5, (i) => ({ value: splice('"payload":{', `"deep":${deep},`, `deep-${i}`), code: 'AR_ERR_DECODE_SCHEMA', path: 'payload' }));
  await add(5, () => ({ value: Buffer.from(deep), code: 'AR_ERR_DECODE_SCHEMA', path: '' }));
  await add(5, (i) => ({
    value: json(makeEvent({ id: `huge-${i}`, payload: { s: 'x'.repeat(1_100_000) } })),
    code: 'AR_ERR_DECODE_TOO_LARGE',
  }));
  await add(1, () => ({
    value: json(makeEvent({ id: 'five-mb', payload: { s: 'y'.repeat(5 * MIB) } })),
    code: 'AR_ERR_DECODE_TOO_LARGE',
  }));
  await add(4, (i) => ({ value: i % 2 === 0 ? null : Buffer.alloc(0), code: 'AR_ERR_DECODE_EMPTY' }));

  // Good events, including ones that look hostile but are valid: payload is any JSON value.
  for (let i = 0; i < 2_000; i++) addGood(`good-${i}`);
  good.push(...prototypeKeyGood(50));
  for (let i = 0; i < 50; i++)
    addGood(
      `good-nul-${i}`,
      json(makeEvent({ id: `good-nul-${i}`, payload: { s: 'a\u0000b', n: 1e308, nested: { x: [null, true, -0.5] } } })),
    );
  for (let i = 0; i < 3; i++) addGood(`good-1mb-${i}`, json(makeEvent({ id: `good-1mb-${i}`, payload: { s: 'z'.repeat(MIB - 1_000) } })));
  assert.ok(bad.length >= 10_000, `corpus has ${bad.length} bad messages`);

  // Keyed, then shuffled with the seed.
  const messages = keyed(bad, good);
  for (let i = messages.length - 1; i > 0; i--) {
    const j = int(0, i);
    [messages[i], messages[j]] = [messages[j]!, messages[i]!];
  }
  return { bad, good, messages };
}

/** Produces in requests well under the broker's 10 MB limit: big messages go alone. */
async function produceInChunks(topic: string, messages: readonly Message[]): Promise<void> {
  const producer = testKafka().producer();
  await producer.connect();
  let chunk: Message[] = [];
  let chunkBytes = 0;
  const flush = async () => {
    if (chunk.length > 0) await producer.send({ topic, messages: chunk.map(({ key, value }) => ({ key, value })) });
    chunk = [];
    chunkBytes = 0;
  };
  for (const m of messages) {
    if (chunkBytes + (m.value?.length ?? 0) > 2 * MIB) await flush();
    chunk.push(m);
    chunkBytes += m.value?.length ?? 0;
  }
  await flush();
  await producer.disconnect();
}

/** Each bad message parked exactly once, with its code, its path and its original bytes. */
function assertParked(parked: readonly ReadMessage[], messages: readonly Message[], badCount: number): void {
  const keys = countBy(parked.map((r) => r.key?.toString() ?? '(no key)'));
  const twice = [...keys].filter(([, n]) => n > 1);
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} bad messages parked more than once`);
  const byKey = new Map(messages.map((m) => [m.key, m]));
  const wrong: string[] = [];
  for (const record of parked) {
    const key = record.key!.toString();
    const expect = byKey.get(key)?.expect;
    assert.ok(expect, `the dead-letter topic holds ${key}, which is not a bad message`);
    const code = record.headers[DLQ_HEADERS.code];
    const path = record.headers[DLQ_HEADERS.path];
    if (code !== expect.code || (expect.path !== undefined && path !== expect.path))
      wrong.push(
        `${key}: ${code} ${path ?? ''} (expected ${expect.code} ${expect.path ?? ''}): ${record.headers[DLQ_HEADERS.message]?.slice(0, 120)}`,
      );
    assert.equal(record.headers[DLQ_HEADERS.stage], 'decode');
    if (expect.value === null || expect.value.length === 0) assert.ok(!record.value?.length, `${key}: an empty message is parked empty`);
    else assert.deepEqual(record.value, expect.value, `${key}: original bytes kept`);
  }
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} bad messages parked with the wrong code or path`);
  assert.equal(parked.length, badCount, 'every bad message parked exactly once');
}

/** The sink holds every good event and nothing else; payload keys named like prototypes arrive as data. */
function assertDelivered(file: string, good: readonly { id: string }[]): void {
  const delivered = countBy(logIds(file));
  assert.deepEqual(new Set(delivered.keys()), new Set(good.map((g) => g.id)), 'the sink holds every good event and nothing else');
  const proto = JSON.parse(
    readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.includes('"id":"good-proto-0"'))!,
  );
  assert.ok(Object.hasOwn(proto.payload, '__proto__'), 'a payload __proto__ key is carried as data');
}

async function waitForOutcome(dlqTopic: string, file: string, badCount: number, goodCount: number): Promise<ReadMessage[]> {
  const parked = await readTopic(dlqTopic, { count: badCount, timeoutMs: 120_000 });
  await waitFor(() => new Set(logIds(file)).size >= goodCount, {
    what: `good events in the sink (have ${new Set(logIds(file)).size})`,
    timeoutMs: 120_000,
  });
  return parked;
}

describe('fault: bad input corpus', () => {
  // The router runs in its own process, so its peak RSS (the kernel's high-water mark) is its own:
  // not the test's corpus, producer and readers, and not sampled, so no peak slips between samples.
  it('10,000+ hostile messages among good ones: each bad one parked once with its code, every good one delivered, no crash, bounded memory', async () => {
    const { bad, good, messages } = await buildCorpus();
    const topic = await createTopic('fault-corpus', PARTITIONS);
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const raw = routerConfig({ topic, groupId: uniqueName('fault-corpus'), sinks: [{ name: 'archive', type: 'log', file }] });
    const dlqTopic = validateConfig(raw).deadLetter.topic;
    const router = new RouterProcess(writeConfig(dir, raw));
    try {
      await router.joined();
      await produceInChunks(topic, messages);
      const parked = await waitForOutcome(dlqTopic, file, bad.length, good.length);
      const peakMb = peakRssMb(router.child.pid!);
      assert.equal(router.child.exitCode, null, `the router is still running; stderr:\n${router.stderr.slice(-2000)}`);
      assertParked(parked, messages, bad.length);
      assertDelivered(file, good);
      const counts = countBy(bad.map((b) => b.code));
      console.log(
        `# bad input corpus: ${bad.length} bad (${[...counts].map(([c, n]) => `${c.replace('AR_ERR_DECODE_', '')} ${n}`).join(', ')}), ${good.length} good; router peak RSS ${Math.round(peakMb)} MB`,
      );
      assert.ok(peakMb < ROUTER_PEAK_RSS_MB, `router peak RSS ${Math.round(peakMb)} MB (bound ${ROUTER_PEAK_RSS_MB} MB)`);
    } finally {
      await router.stop();
      await deleteTopics(topic, dlqTopic);
    }
  });

  // Prototype pollution can only be seen inside the process that parsed the input: this router runs in the test's.
  it('keys named __proto__ and constructor: parked where the schema forbids them, carried as data in payload, Object.prototype untouched', async () => {
    const bad = prototypeKeyBad(1_000);
    const good = prototypeKeyGood(50);
    const chosen = keyed(bad, good);

    const topic = await createTopic('fault-proto', PARTITIONS);
    const file = join(tempDir(), 'audit.log');
    const config = validateConfig(
      routerConfig({ topic, groupId: uniqueName('fault-proto'), sinks: [{ name: 'archive', type: 'log', file }] }),
    );
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const app = await RouterApp.start(config, { logger: silentLogger() });
    try {
      await produceInChunks(topic, chosen);
      const parked = await waitForOutcome(config.deadLetter.topic, file, bad.length, good.length);
      assert.ok(app.isReady, 'the router is still running');
      assertParked(parked, chosen, bad.length);
      assertDelivered(file, good);
      assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore, 'Object.prototype gained no property');
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was not polluted');
    } finally {
      await app.stop();
      await deleteTopics(topic, config.deadLetter.topic);
    }
  });
});
