import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EvidenceTrail, fileSource, loadPublicKey, verifyTrail } from '../../../src/evidence/index.js';
import { AuditRouterError } from '../../../src/errors/index.js';
import { createKafkaEngine } from '../../../src/kafka/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { logSinkConfigSchema } from '../../../src/sinks/log/config.js';
import { LogSink } from '../../../src/sinks/log/log-sink.js';
import type { SinkEvent } from '../../../src/sinks/types.js';
import { makeEvent } from '../../helpers/events.js';
import { tempDir } from '../../helpers/router-process.js';
import { isCheckpoint, isEvent, keygen, trailLines } from '../../evidence/support.js';

// No checkpoint topic in these tests: the engine is built (it does not connect) and never used.
const KAFKA_CONFIG = {
  brokers: ['127.0.0.1:1'],
  clientId: 'unused',
  connectionTimeoutMs: 100,
  requestTimeoutMs: 100,
  engine: 'kafkajs' as const,
};
const KAFKA = { config: KAFKA_CONFIG, engine: await createKafkaEngine(KAFKA_CONFIG, createLogger('silent')) };

function sinkEvents(prefix: string, n: number): SinkEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const event = makeEvent({ id: `${prefix}-${i}` });
    return { event, json: JSON.stringify(event), key: null, source: { topic: 't', partition: 0, offset: String(i) } };
  });
}

async function evidenceSink(file: string, signingKey: string, everyEvents = 10): Promise<LogSink> {
  const config = logSinkConfigSchema.parse({ type: 'log', name: 'archive', file, evidence: { signingKey, checkpoint: { everyEvents } } });
  return new LogSink(config, await EvidenceTrail.open(config.evidence!, config.name, KAFKA, createLogger('silent')));
}

async function verifyFile(file: string, publicKey: string) {
  return verifyTrail(fileSource(file), loadPublicKey(publicKey, '--public-key'));
}

describe('log sink with evidence', () => {
  it('each line still parses as the same event; a checkpoint after every everyEvents events and at close', async () => {
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const keys = await keygen(dir);
    const sink = await evidenceSink(file, keys.privateKey, 10);
    const events = sinkEvents('a', 25);
    await sink.send(events.slice(0, 12));
    await sink.send(events.slice(12));
    await sink.close();
    const lines = trailLines(file);
    // genesis, 10 events, checkpoint, 10 events, checkpoint, 5 events, the closing checkpoint
    assert.deepEqual(lines.map((l) => (isCheckpoint(l) ? 'C' : 'e')).join(''), `C${'e'.repeat(10)}C${'e'.repeat(10)}C${'e'.repeat(5)}C`);
    const written = lines.filter(isEvent).map((l) => {
      const { _chain, ...event } = JSON.parse(l) as Record<string, unknown>;
      assert.ok(_chain);
      return event;
    });
    assert.deepEqual(
      written,
      events.map((e) => e.event),
      'a reader that ignores _chain reads the same events',
    );
    assert.equal(
      lines.filter(isEvent)[0],
      events[0]!.json.slice(0, -1) + lines[1]!.slice(events[0]!.json.length - 1),
      'the canonical bytes, then the chain field',
    );
    const result = await verifyFile(file, keys.publicKey);
    assert.equal(result.broken, undefined);
    assert.equal(result.events, 25);
    assert.equal(result.unsigned, 0, 'a clean close signs the tail');
  });

  it('after a crash tore the last line, the chain continues from the last whole record; verify reports the torn line as info', async () => {
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const keys = await keygen(dir);
    const first = await evidenceSink(file, keys.privateKey);
    await first.send(sinkEvents('a', 7));
    // What a kill in the middle of a write leaves: half of the next line, no newline. The first sink is never closed.
    const half = readFileSync(file, 'utf8').split('\n').at(-2)!.slice(0, 80);
    appendFileSync(file, half);
    const second = await evidenceSink(file, keys.privateKey);
    await second.send(sinkEvents('a', 7).slice(5));
    await second.close();
    const result = await verifyFile(file, keys.publicKey);
    assert.equal(result.broken, undefined, JSON.stringify(result.broken));
    assert.deepEqual(result.torn, [`${file} line 9`]);
    assert.equal(result.duplicates, 2, 'the events after the torn line were written again');
  });

  it('a whole last record without its newline is part of the chain: the sink terminates it and links to it', async () => {
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const keys = await keygen(dir);
    const first = await evidenceSink(file, keys.privateKey);
    await first.send(sinkEvents('a', 3));
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, -1));
    const second = await evidenceSink(file, keys.privateKey);
    await second.send(sinkEvents('b', 3));
    await second.close();
    const result = await verifyFile(file, keys.publicKey);
    assert.equal(result.broken, undefined, JSON.stringify(result.broken));
    assert.equal(result.events, 6);
    assert.deepEqual(result.torn, []);
  });

  it('a trail read back with a full unsigned stretch gets its checkpoint before the next event', async () => {
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const keys = await keygen(dir);
    const first = await evidenceSink(file, keys.privateKey, 5);
    await first.send(sinkEvents('a', 5));
    // A crash took the checkpoint that was due with the fifth event: drop the last line.
    const lines = trailLines(file);
    assert.ok(isCheckpoint(lines.at(-1)!));
    writeFileSync(
      file,
      lines
        .slice(0, -1)
        .map((l) => l + '\n')
        .join(''),
    );
    const second = await evidenceSink(file, keys.privateKey, 5);
    await second.send(sinkEvents('b', 1));
    await second.close();
    assert.ok(isCheckpoint(trailLines(file)[6]!), 'the checkpoint comes first');
    assert.equal((await verifyFile(file, keys.publicKey)).broken, undefined);
  });

  it('an emptied file is not an intact trail: its genesis checkpoint is missing', async () => {
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const keys = await keygen(dir);
    writeFileSync(file, '');
    const result = await verifyFile(file, keys.publicKey);
    assert.equal(result.broken?.kind, 'missing checkpoint');
    assert.equal(result.broken?.place, file);
  });

  it('verify refuses a private key as --public-key: verifying must not need the signing key', async () => {
    const keys = await keygen(tempDir());
    assert.throws(
      () => loadPublicKey(keys.privateKey, '--public-key'),
      (err: AuditRouterError) => err.code === 'AR_ERR_EVIDENCE_KEY' && /a private key/.test(err.message),
    );
  });

  it('config: evidence needs a file and json encoding', () => {
    const evidence = { signingKey: 'k' };
    const stdout = logSinkConfigSchema.safeParse({ type: 'log', name: 'a', evidence });
    assert.equal(stdout.success, false);
    assert.match(JSON.stringify(stdout.error?.issues), /needs file/);
    const console = logSinkConfigSchema.safeParse({ type: 'log', name: 'a', file: 'x.log', encoding: 'console', evidence });
    assert.equal(console.success, false);
    assert.match(JSON.stringify(console.error?.issues), /needs encoding: json/);
  });

  it('a key that is not an Ed25519 private key fails with AR_ERR_EVIDENCE_KEY, never echoing the key', async () => {
    const dir = tempDir();
    const keys = await keygen(dir);
    const pub = readFileSync(keys.publicKey, 'utf8');
    const secretish = '-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5LWJ1dC1hLXNlY3JldA==\n-----END PRIVATE KEY-----\n';
    for (const signingKey of [secretish, pub, join(dir, 'missing.key')]) {
      const config = logSinkConfigSchema.parse({ type: 'log', name: 'archive', file: join(dir, 'a.log'), evidence: { signingKey } });
      await assert.rejects(EvidenceTrail.open(config.evidence!, 'archive', KAFKA, createLogger('silent')), (err: AuditRouterError) => {
        assert.equal(err.code, 'AR_ERR_EVIDENCE_KEY');
        assert.match(err.message, /^sinks\.archive\.evidence\.signingKey: /);
        assert.ok(!err.message.includes('bm90LWEta2V5') && !err.message.includes('BEGIN'), err.message);
        return true;
      });
    }
  });
});
